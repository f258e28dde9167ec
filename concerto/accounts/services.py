"""Accounts: inviting people by e-mail and accepting an invitation.

Each function does its writes in one transaction; e-mail leaves after the commit.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from concerto.notifications.outbox import send_once
from concerto.organizations.models import Organization

from . import rules
from .models import INVITATION_LIFETIME, Invitation, Membership, Role, hash_token

log = logging.getLogger(__name__)


class InvitationError(Exception):
    """An invitation link that cannot be used. ``status`` is the HTTP status of the page saying so."""

    status = 410
    default_message = _("Ce lien d’invitation ne peut plus être utilisé.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(self.message)


class UnknownInvitation(InvitationError):
    status = 404
    default_message = _(
        "Ce lien d’invitation n’existe pas. Vérifiez que l’adresse copiée depuis le courriel est complète."
    )


class AcceptedInvitation(InvitationError):
    default_message = _(
        "Cette invitation a déjà été acceptée : un lien d’invitation ne sert qu’une fois. "
        "Connectez-vous, ou réinitialisez votre mot de passe si vous l’avez oublié."
    )


class RevokedInvitation(InvitationError):
    default_message = _(
        "Cette invitation a été annulée, par exemple parce qu’une invitation plus récente a été envoyée "
        "à la même adresse. Utilisez le lien du courriel le plus récent."
    )


class ExpiredInvitation(InvitationError):
    default_message = _(
        "Cette invitation est expirée. Demandez à la coordination de vous envoyer une nouvelle invitation."
    )


class DisabledAccount(InvitationError):
    status = 403
    default_message = _(
        "Le compte associé à cette adresse courriel est désactivé. Communiquez avec la coordination."
    )


class InvitationEmailError(Exception):
    """The invitation could not be e-mailed; it was cancelled, since nobody else holds its link."""


_ERROR_FOR_STATE = {
    Invitation.State.ACCEPTED: AcceptedInvitation,
    Invitation.State.REVOKED: RevokedInvitation,
    Invitation.State.EXPIRED: ExpiredInvitation,
}


def normalize_email(email: str) -> str:
    """E-mail addresses are compared and stored lowercased, without surrounding spaces."""
    return (email or "").strip().lower()


def find_invitation(*, token: str, for_update: bool = False) -> Invitation:
    """The usable invitation behind a link's token.

    Raises an ``InvitationError`` subclass naming why it cannot be used: unknown (404),
    already accepted, revoked or expired (410).
    """
    queryset = Invitation.objects.select_related("organization", "invited_by")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=hash_token(token or "")).first()
    if invitation is None:
        raise UnknownInvitation
    error = _ERROR_FOR_STATE.get(invitation.state)
    if error is not None:
        raise error
    return invitation


def invite(*, email: str, organization: Organization, role: str, invited_by) -> tuple[Invitation, str]:
    """Invite ``email`` to join ``organization`` with ``role``, and e-mail the one-time link.

    The invitation expires after ``INVITATION_LIFETIME``. A usable invitation sent earlier to the
    same address for the same organization is revoked: only the newest link works. Only a hash
    of the token is stored; the token itself is returned (and e-mailed) once.

    Raises ``ValidationError`` (French) for an empty address or an unknown role,
    ``PermissionDenied`` if ``invited_by`` may not grant ``role`` in ``organization``
    (``rules.can_grant_role``), and ``InvitationEmailError`` if the e-mail cannot be
    sent (the new invitation is then revoked).
    """
    email = normalize_email(email)
    if not email:
        raise ValidationError({"email": _("L’adresse courriel est obligatoire.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Le rôle « %(role)s » n’existe pas.") % {"role": role}})
    if invited_by is not None and not rules.can_grant_role(invited_by, organization, role):
        raise PermissionDenied(_("Vous ne pouvez pas inviter dans cette organisation avec ce rôle."))
    token, token_hash = Invitation.new_token()
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.usable().filter(email__iexact=email, organization=organization).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            email=email,
            organization=organization,
            role=role,
            token_hash=token_hash,
            invited_by=invited_by,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
    try:
        _send_invitation_email(invitation, token)
    except Exception as exc:
        log.exception("Invitation %s could not be e-mailed; revoking it.", invitation.pk)
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
        raise InvitationEmailError(
            _("Le courriel d’invitation à %(email)s n’a pas pu être envoyé ; réessayez plus tard.")
            % {"email": email}
        ) from exc
    return invitation, token


def invitation_link(token: str) -> str:
    """The absolute one-time link, in French (the e-mail is French first)."""
    with translation.override("fr"):
        path = reverse("invitation-accept", args=[token])
    return settings.CONCERTO_BASE_URL.rstrip("/") + path


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter_name": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
        "link": invitation_link(token),
        "lifetime_days": INVITATION_LIFETIME.days,
    }
    # French first, with a short English paragraph; each invitation is e-mailed once.
    send_once(
        key=f"invitation:{invitation.pk}",
        template="accounts/email/invitation",
        recipients=[invitation.email],
        context=context,
        organization=invitation.organization,
        languages="fr, en",
    )


def _existing_user(email: str):
    User = get_user_model()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: email}).first()
    if user is None:
        user = User._default_manager.filter(email__iexact=email).order_by("pk").first()
    return user


def accept_invitation(*, token: str, password: str, first_name: str, last_name: str):
    """Accept an invitation: the person gets an account with ``password`` and joins the organization.

    The account's username is the invited address (lowercased); if an account already uses that
    address, the invitation is attached to it and its password replaced. The membership of the
    organization is created, or its role updated. The invitation then cannot be used again.

    Raises an ``InvitationError`` subclass for an unknown, used, revoked or expired link (or a
    deactivated account), and ``ValidationError`` (French) for missing names or a password that
    Django's validators refuse; nothing is written in either case.
    """
    User = get_user_model()
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    errors = {}
    if not first_name:
        errors["first_name"] = _("Le prénom est obligatoire.")
    if not last_name:
        errors["last_name"] = _("Le nom est obligatoire.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        invitation = find_invitation(token=token, for_update=True)
        user = _existing_user(invitation.email)
        if user is not None and not user.is_active:
            raise DisabledAccount
        candidate = user or User(**{User.USERNAME_FIELD: invitation.email}, email=invitation.email)
        candidate.first_name, candidate.last_name = first_name, last_name
        validate_password(password, user=candidate)
        if not candidate.email:
            candidate.email = invitation.email
        candidate.set_password(password)
        candidate.save()
        Membership.objects.update_or_create(
            user=candidate, organization=invitation.organization, defaults={"role": invitation.role}
        )
        invitation.accepted_at = now
        invitation.user = candidate
        invitation.save(update_fields=["accepted_at", "user"])
    return candidate
