"""Figures of the diagnosis as shown: days, medians with their interval, suppressed counts."""

import math

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()
NBSP = "\u00a0"


@register.filter
def days(value):
    if value is None:
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return _("non atteinte")
    return f"{number_format(round(value))}{NBSP}j"


@register.filter
def median(m):
    """« 311 j (299 – 325) », or a dash when it may not be shown."""
    if m is None:
        return "—"
    text = days(m.value)
    if not math.isinf(m.value):
        text += f" ({days(m.lower)} – {days(m.upper)})"
    return text


@register.filter
def count(value):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return number_format(value, force_grouping=True)


@register.filter
def share(value):
    if value is None:
        return "—"
    return f"{number_format(round(100 * value, 1))}{NBSP}%"


@register.filter
def change(value):
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{number_format(value)}{NBSP}%"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
