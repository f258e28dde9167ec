from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from concerto.core.ratelimit import rate_limited

from . import rules, services
from .forms import AcceptInvitationForm, InvitationForm, LoginForm, PasswordResetForm, SetPasswordForm
from .models import INVITATION_LIFETIME, Invitation

# The backend that checks passwords; axes' backend only watches login attempts.
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LoginView(auth_views.LoginView):
    """Sign in with an e-mail (or username) and password; django-axes locks out after repeated failures."""

    authentication_form = LoginForm
    template_name = "registration/login.html"


class LogoutView(auth_views.LogoutView):
    """Sign out, by POST only (a GET is answered 405)."""


def _password_reset_refusal(request, retry_after):
    return render(request, "registration/too_many_requests.html", {"retry_after": retry_after}, status=429)


# Each request may send an e-mail: a client address may ask a few times a minute.
@method_decorator(
    rate_limited(
        "password-reset",
        setting="CONCERTO_PASSWORD_RESET_RATE_LIMIT",
        refuse=_password_reset_refusal,
        methods=("POST",),
    ),
    name="dispatch",
)
class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The next page is the same whether or not the address has an account."""

    form_class = PasswordResetForm
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"

    @property
    def extra_email_context(self):
        # Links in e-mails use the configured address, never the request's Host header.
        return {"base_url": settings.CONCERTO_BASE_URL.rstrip("/")}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the e-mailed link; this also lifts a login lockout."""

    form_class = SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=self.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    pass


def _invitation_refused(request, error: services.InvitationError):
    return render(
        request, "accounts/invitation_invalid.html", {"message": error.message}, status=error.status
    )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request, token):
    """The invitation link: choose a name and password, then arrive signed in on the home page."""
    try:
        invitation = services.find_invitation(token=token)
    except services.InvitationError as error:
        return _invitation_refused(request, error)
    if request.method == "POST":
        form = AcceptInvitationForm(request.POST)
        if form.is_valid():
            try:
                user = services.accept_invitation(
                    token=token,
                    password=form.cleaned_data["password1"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                )
            except services.InvitationError as error:
                return _invitation_refused(request, error)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, field_errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, field_errors)
                else:
                    form.add_error("password1", error)
            else:
                auth_login(request, user, backend=PASSWORD_BACKEND)
                return redirect(settings.LOGIN_REDIRECT_URL)
    else:
        form = AcceptInvitationForm()
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_create(request):
    """Coordinators invite people by e-mail, and see the invitations they sent that are still pending."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not rules.can_invite(request.user):
        raise PermissionDenied(_("Seule la coordination peut inviter des personnes."))
    if request.method == "POST":
        form = InvitationForm(request.POST, inviter=request.user)
        if form.is_valid():
            try:
                invitation, _token = services.invite(
                    email=form.cleaned_data["email"],
                    organization=form.cleaned_data["organization"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                )
            except services.InvitationEmailError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("Invitation envoyée à %(email)s (%(organization)s, %(role)s).")
                    % {
                        "email": invitation.email,
                        "organization": invitation.organization.name,
                        "role": invitation.get_role_display(),
                    },
                )
            return redirect("invitation-create")
    else:
        form = InvitationForm(inviter=request.user)
    pending = (
        Invitation.objects.usable()
        .filter(invited_by=request.user)
        .select_related("organization")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "accounts/invitation_create.html",
        {"form": form, "pending": pending, "lifetime_days": INVITATION_LIFETIME.days},
    )
