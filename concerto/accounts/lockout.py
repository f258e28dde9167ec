"""Login lockout: per account and address (django-axes), and per address
across accounts.

django-axes counts failures per (username, address) and locks that pair after
``AXES_FAILURE_LIMIT``. On its own it lets one address try a few passwords
on every account in turn (password spraying). This handler also counts the
failures of an address whatever the username, within the cool-off window, and
refuses every login from it once they reach ``CONCERTO_ADDRESS_FAILURE_LIMIT``,
a much higher number, so that a whole office behind one address is not locked
out by a few colleagues' typing mistakes. See the settings for the figures.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def address_failures(request) -> int:
    """Failed logins from the request's address, all usernames, within the cool-off."""
    return (
        AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )


def address_locked(request) -> bool:
    limit = settings.CONCERTO_ADDRESS_FAILURE_LIMIT
    return bool(limit) and address_failures(request) >= limit


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, with the per-address count added to its decision."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if address_locked(request):
            request.concerto_address_locked = True
            # axes compares one number with one limit: an address over its own
            # limit counts as a pair at its limit.
            return max(failures, get_failure_limit(request, credentials))
        return failures


def lockout_response(request, original_response=None, credentials=None):
    """The « Trop de tentatives » page (429), saying which lock applies."""
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {
            "failure_limit": get_failure_limit(request, credentials),
            "cooloff_timedelta": get_cool_off(request),
            "address_locked": getattr(request, "concerto_address_locked", False),
        },
        status=429,
    )
