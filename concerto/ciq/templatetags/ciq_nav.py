from django import template
from django.urls import reverse

from concerto.ciq.sections import nav_links

register = template.Library()


@register.inclusion_tag("ciq/_section_nav.html", takes_context=True)
def ciq_section_nav(context):
    """The CIQ's section navigation: its home, then each app's public entry; the current one marked."""
    request = context.get("request")
    path = request.path if request is not None else ""
    home = reverse("ciq-home")
    links = [(link.label, reverse(link.url_name)) for link in nav_links()]
    current = max((url for _, url in links if path.startswith(url)), key=len, default=None)
    return {
        "home": home,
        "home_current": path == home,
        "links": [(label, url, url == current) for label, url in links],
    }
