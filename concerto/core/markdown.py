"""Safe rendering of the small Markdown subset used in narratives.

Narratives come from partners and from transcribed reports. They may use
paragraphs, lists, emphasis and links; everything else is shown as text.
The HTML produced by Markdown always goes through the nh3 sanitizer, so a
``<script>`` or an ``onclick`` typed into a narrative never reaches a page.

This is the one Markdown renderer of Concerto. Pages do not call it on every
request: a narrative is rendered once, when it is saved or imported, and its
HTML is stored beside it (``ProgressReport.narrative_html``). One parser is
built per thread and reset between texts (building one costs more than
converting a narrative), and each text goes through the sanitizer once.
"""

import threading
from html import unescape

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "ul", "ol", "li", "em", "strong", "a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

_local = threading.local()


def _to_html(text: str) -> str:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = md.Markdown(output_format="html")
    return parser.reset().convert(text)


def render_markdown(text: str | None) -> SafeString:
    if not text:
        return mark_safe("")
    # Raw HTML typed by a user is escaped, not interpreted.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = _to_html(escaped)
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
    html = _to_html(text.replace("<", "&lt;").replace(">", "&gt;"))
    return unescape(nh3.clean(html, tags=set())).strip()
