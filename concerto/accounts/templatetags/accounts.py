import datetime

from django import template

from concerto.accounts import rules

register = template.Library()


@register.filter
def minutes(value) -> int:
    """A duration in whole minutes, rounded up: 15 for a 15-minute lockout, 1 for 10 seconds."""
    seconds = value.total_seconds() if isinstance(value, datetime.timedelta) else float(value or 0)
    return max(0, -int(-seconds // 60))


@register.filter
def is_any_coordinator(user) -> bool:
    """``{% if user|is_any_coordinator %}``: show coordination links (the views check again)."""
    return rules.is_any_coordinator(user)
