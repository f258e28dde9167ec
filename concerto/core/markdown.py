"""Safe rendering of the small Markdown subset used in narratives.

Narratives come from partners and from transcribed reports. They may use
paragraphs, lists, emphasis and links; everything else is shown as text.
The HTML produced by Markdown always goes through the nh3 sanitizer, so a
``<script>`` or an ``onclick`` typed into a narrative never reaches a page.
"""

from html import unescape

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "ul", "ol", "li", "em", "strong", "a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> SafeString:
    if not text:
        return mark_safe("")
    # Raw HTML typed by a user is escaped, not interpreted.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = md.markdown(escaped, output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above


def plain_text(text: str | None) -> str:
    """The narrative without Markdown markers, for CSV and plain documents."""
    if not text:
        return ""
    html = md.markdown(text.replace("<", "&lt;").replace(">", "&gt;"))
    return unescape(nh3.clean(html, tags=set())).strip()
