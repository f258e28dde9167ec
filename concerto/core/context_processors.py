from django.urls import translate_url
from django.utils.translation import get_language


def language_switch(request):
    """The URL of the current page in the other language (French <-> English)."""
    current = get_language() or "fr"
    other = "en" if current.startswith("fr") else "fr"
    url = request.get_full_path()
    return {
        "alternate_language": other,
        "alternate_language_url": translate_url(url, other),
    }
