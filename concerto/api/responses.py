"""One way for every API endpoint to answer: JSON bodies, one error format,
the public API's rate limit.

A success is the document itself. An error is always::

    {"code": "invalid_date", "error": "Date invalide « 31/03/2023 » : …"}

``code`` is stable (clients test it); ``error`` is the message for people, in
French unless the request asked for English. HTML pages keep their HTML
errors: only paths under ``/api/`` answer this way.
"""

from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.ratelimit import rate_limited


class Code:
    """The stable error codes of the API."""

    INVALID_PARAMETER = "invalid_parameter"
    INVALID_DATE = "invalid_date"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    RATE_LIMITED = "rate_limited"

    ALL = (INVALID_PARAMETER, INVALID_DATE, NOT_FOUND, METHOD_NOT_ALLOWED, RATE_LIMITED)


# Status -> (OpenAPI response component, its description): the errors an
# endpoint may declare in the registry.
ERROR_STATUSES = {
    400: ("BadRequest", gettext_lazy("Paramètre invalide (par exemple une date mal formée).")),
    404: ("NotFound", gettext_lazy("Aucun objet public ne correspond à cette adresse.")),
    429: ("TooManyRequests", gettext_lazy("Trop de requêtes : réessayez après le délai indiqué.")),
}


class ApiError(Exception):
    """Raised by an API view to answer an error; ``message`` is already translated."""

    def __init__(self, code: str, message: str, status: int):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    @classmethod
    def not_found(cls, message: str) -> ApiError:
        return cls(Code.NOT_FOUND, message, 404)

    @classmethod
    def invalid(cls, message: str, code: str = Code.INVALID_PARAMETER) -> ApiError:
        return cls(code, message, 400)


def api_response(document, status: int = 200) -> JsonResponse:
    # Accents as themselves: the documents are French text.
    return JsonResponse(document, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def api_error(code: str, message: str, status: int) -> JsonResponse:
    return api_response({"code": code, "error": str(message)}, status=status)


def _refusal(request, retry_after):
    return api_error(
        Code.RATE_LIMITED,
        _("Trop de requêtes : réessayez dans %(seconds)s secondes.") % {"seconds": retry_after},
        429,
    )


def api_view(view):
    """A public GET (and HEAD) endpoint: other methods are refused with a JSON
    405, the client's requests are counted against ``CONCERTO_API_RATE_LIMIT``
    (``concerto.core.ratelimit``), and an :class:`ApiError` becomes its JSON answer.

    Paths under /api/ have no language prefix, so they answer in French unless
    the request's Accept-Language (or language cookie) asks for English.
    """
    limited = rate_limited("api", setting="CONCERTO_API_RATE_LIMIT", refuse=_refusal)(view)

    @wraps(view)
    def endpoint(request, *args, **kwargs):
        language = translation.get_language_from_request(request, check_path=False)
        with translation.override(language):
            response = _answer(request, *args, **kwargs)
        response["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response

    def _answer(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = api_error(
                Code.METHOD_NOT_ALLOWED, _("Seules les requêtes GET sont acceptées à cette adresse."), 405
            )
            response["Allow"] = "GET, HEAD"
            return response
        try:
            return limited(request, *args, **kwargs)
        except ApiError as error:
            return api_error(error.code, error.message, error.status)

    return endpoint
