"""Rate limits per client address, counted in the database.

The counters live in PostgreSQL (``RateLimitCounter``), not in a process's
memory, so a limit holds across every app process and server. Each limited
request costs one upsert; on PostgreSQL it is committed without waiting for
the disk (``synchronous_commit = off``): losing a few counts in a crash is
harmless, a flush per request is not.

    @rate_limited("api", setting="CONCERTO_API_RATE_LIMIT", refuse=json_refusal)
    def plan_status_api(request, slug): ...
"""

from __future__ import annotations

import datetime
import ipaddress
import math
from functools import wraps

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import RateLimitCounter

WINDOW = datetime.timedelta(minutes=1)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the one the outermost trusted proxy saw.

    With ``CONCERTO_PROXY_COUNT = n`` proxies appending to X-Forwarded-For,
    the n-th address from the right is the client as the first proxy saw it;
    addresses further left were written by the client and are not trusted.
    """
    count = settings.CONCERTO_PROXY_COUNT
    if count:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= count:
            try:
                return str(ipaddress.ip_address(forwarded[-count]))
            except ValueError:
                pass  # not an address: a proxy too few, or a forged header
    return request.META.get("REMOTE_ADDR", "")


def window_start(now: datetime.datetime) -> datetime.datetime:
    seconds = WINDOW.total_seconds()
    return datetime.datetime.fromtimestamp(math.floor(now.timestamp() / seconds) * seconds, tz=datetime.UTC)


def hit(key: str, *, now: datetime.datetime | None = None) -> int:
    """Count one request for ``key`` in the current window; return the window's count."""
    start = window_start(now or timezone.now())
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    key_column = connection.ops.quote_name("key")
    start_value = connection.ops.adapt_datetimefield_value(start)
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and own_transaction:
            # Only in a transaction of its own: inside another, the setting
            # would apply to that transaction's writes too.
            cursor.execute("SET LOCAL synchronous_commit = off")
        # Table and column names come from the model, values are parameters.
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, window_start, hits) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT ({key_column}, window_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [key, start_value],
        )
        hits = cursor.fetchone()[0]
        if hits == 1:
            # A new window: forget the windows that ended, for every address.
            RateLimitCounter.objects.filter(window_start__lt=start).delete()
    return hits


def seconds_left(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return max(1, math.ceil((window_start(now) + WINDOW - now).total_seconds()))


def rate_limited(scope: str, *, setting: str, refuse, methods=("GET", "HEAD", "POST")):
    """Refuse a client's requests beyond the limit named by ``setting``, per minute.

    ``refuse(request, retry_after)`` builds the 429 response. A limit of 0
    turns the check off.
    """

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            limit = getattr(settings, setting)
            if limit and request.method in methods and hit(f"{scope}:{client_address(request)}") > limit:
                retry_after = seconds_left()
                response = refuse(request, retry_after)
                response.status_code = 429
                response["Retry-After"] = str(retry_after)
                return response
            return view(request, *args, **kwargs)

        return limited

    return decorator
