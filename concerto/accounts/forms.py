from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from concerto.core.widgets import FrenchSelect
from concerto.organizations.models import Organization

from .models import Role
from .services import normalize_email

# The same message whether the account does not exist, the password is wrong or the
# account is deactivated: the login form must not tell which addresses have an account.
INVALID_LOGIN = _("Courriel (ou nom d’utilisateur) ou mot de passe incorrect.")


def canonical_username(value: str) -> str:
    """The stored username that ``value`` designates, if exactly one account matches.

    People type their address with any capitalization, or their e-mail instead of their
    username; login attempts (and the lockout count) are then all about the same account.
    An unknown value is lowercased, so that its lockout count does not depend on case either.
    """
    User = get_user_model()
    field = User.USERNAME_FIELD
    value = (value or "").strip()
    for lookup in (f"{field}__iexact", "email__iexact"):
        matches = list(User._default_manager.filter(**{lookup: value}).values_list(field, flat=True)[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            return value
    return value.lower()


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Courriel ou nom d’utilisateur")
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].label = _("Mot de passe")

    def clean_username(self):
        return canonical_username(self.cleaned_data.get("username"))


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("Courriel"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class SetPasswordForm(auth_forms.SetPasswordForm):
    error_messages = {"password_mismatch": _("Les deux mots de passe ne sont pas identiques.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password2"].label = _("Confirmation du nouveau mot de passe")
        self.fields["new_password2"].help_text = _("Saisissez le même mot de passe, pour vérification.")


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Courriel de la personne invitée"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.order_by("name", "code"),
        empty_label=_("— Choisir —"),
        error_messages={"invalid_choice": _("Choisissez une organisation de la liste.")},
        widget=FrenchSelect,
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=[("", _("— Choisir —")), *Role.choices])

    def __init__(self, *args, inviter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        if inviter is not None:
            from .rules import invitable_organizations

            # Only the organizations taking part in what the inviter coordinates.
            self.fields["organization"].queryset = invitable_organizations(inviter).order_by("name", "code")

    def clean(self):
        from .rules import can_grant_role

        cleaned = super().clean()
        organization, role = cleaned.get("organization"), cleaned.get("role")
        if (
            self.inviter is not None
            and organization
            and role
            and not can_grant_role(self.inviter, organization, role)
        ):
            from .participation import role_scope

            scope = role_scope(role)
            if scope is not None and role != Role.COORDINATOR:
                raise forms.ValidationError(scope.explanation)
            raise forms.ValidationError(
                _(
                    "Le rôle de coordination ne peut être attribué que dans une organisation que vous coordonnez."
                )
                if role == Role.COORDINATOR
                else _(
                    "Vous ne pouvez inviter que dans une organisation qui participe à ce que vous coordonnez."
                )
            )
        return cleaned

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=lazy(password_validators_help_text_html, str)(),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Saisissez le même mot de passe, pour vérification."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        return cleaned
