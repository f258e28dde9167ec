from django import template
from django.db.models import Prefetch

from ..models import Publication, PublishedDocument

register = template.Library()


@register.inclusion_tag("reports/_published_list.html", takes_context=True)
def published_reports(context, plan):
    """The plan's published reports, newest first, with their documents."""
    publications = (
        Publication.objects.filter(plan=plan)
        .select_related("plan", "superseded_by")
        .prefetch_related(Prefetch("documents", queryset=PublishedDocument.objects.defer("content")))
        .order_by("-as_of", "-version")
    )
    user = context["request"].user
    return {"plan": plan, "publications": publications, "user": user}
