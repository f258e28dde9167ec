"""Public pages kept rendered, per process, for as long as their data is unchanged.

A page is cached only for an anonymous visitor (everyone else sees staff
panels, their name, CSRF tokens), and only as a 200 response without
cookies, CSRF token or session use, and only if the view does not mark it
``response.cacheable = False``. Its key holds the language, what identifies the page, and a
fingerprint of the data it shows (see ``concerto.plans.cache``): when the
data changes, the key changes, so no stale page is served, and old entries
age out (``CACHES["pages"]``: a bounded number of entries with a timeout).

The fingerprint costs a query; a process reads it again at most every
``CONCERTO_PAGE_FRESHNESS`` seconds (1 by default), so a busy process serves
a kept page without touching the database, and a change reaches the public
pages within that delay. 0 reads it on every request.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.translation import get_language

# fingerprint function -> (read at, value), in this process.
_fingerprints: dict[Callable[[], str], tuple[float, str]] = {}


def current_fingerprint(fingerprint: Callable[[], str]) -> str:
    freshness = settings.CONCERTO_PAGE_FRESHNESS
    now = time.monotonic()
    known = _fingerprints.get(fingerprint)
    if freshness and known is not None and now - known[0] < freshness:
        return known[1]
    value = fingerprint()
    _fingerprints[fingerprint] = (now, value)
    return value


def serve_cached(
    request, key_parts: tuple, fingerprint: Callable[[], str], render: Callable[[], HttpResponse]
):
    """Return the kept rendering of this page, else ``render()`` it and keep it."""
    if (
        request.method not in ("GET", "HEAD")
        or request.user.is_authenticated
        or "messages" in request.COOKIES
    ):
        return render()
    raw = "|".join([get_language() or "", *map(str, key_parts), current_fingerprint(fingerprint)])
    key = "page:" + hashlib.sha256(raw.encode()).hexdigest()
    cache = caches["pages"]
    cached = cache.get(key)
    if cached is not None:
        content, content_type = cached
        return HttpResponse(content, content_type=content_type)
    response = render()
    if (
        response.status_code == 200
        and not response.streaming
        and getattr(response, "cacheable", True)
        and not response.cookies
        # A page that used a CSRF token or the session is this visitor's own
        # (the cookies themselves are set later, by the middleware).
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "session", None), "modified", False)
    ):
        cache.set(key, (response.content, response["Content-Type"]))
    return response
