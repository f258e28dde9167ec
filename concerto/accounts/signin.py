"""Views that send anonymous people to the sign-in page rather than refusing them.

A view decorated with :func:`login_redirect` calls :func:`require_signed_in`
(directly or through a lookup helper) where it first needs a person; an
anonymous request is then redirected to the sign-in page with ``next`` set,
while a signed-in person without the right still gets the view's own 404 or
403. Used by the CIQ's pages and its groups' pages.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login

from .rules import is_signed_in


class SignInRequired(Exception):
    """Raised for an anonymous request; turned into a redirect by :func:`login_redirect`."""


def require_signed_in(request) -> None:
    if not is_signed_in(request.user):
        raise SignInRequired


def login_redirect(view):
    """Anonymous people are sent to the sign-in page (``SignInRequired``) instead of a refusal."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except SignInRequired:
            return redirect_to_login(request.get_full_path())

    return wrapper
