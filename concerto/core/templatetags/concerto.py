from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

from concerto.core.markdown import render_markdown

register = template.Library()

NBSP = "\u00a0"


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def percent(value):
    """50 -> "50 %" with the non-breaking space French typography wants."""
    if value is None or value == "":
        return ""
    return f"{number_format(value)}{NBSP}%"


@register.filter
def french(text):
    """Data kept in French (names, titles), marked as such on English pages
    (WCAG 3.1.2); safe to pass into a ``blocktranslate`` variable."""
    if text is None or text == "":
        return ""
    return format_html('<span lang="fr">{}</span>', text)
