from django import template
from django.utils.formats import number_format

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
