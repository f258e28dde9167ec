import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.organizations.models import Organization


class Role(models.TextChoices):
    """What a person does for their organization in Concerto."""

    COORDINATOR = "coordinator", _("Coordination")
    EDITOR = "editor", _("Responsable de la mise à jour")
    COLLABORATOR = "collaborator", _("Collaboration")
    READER = "reader", _("Lecture")
    # In a coordinating body (the Office): the only people who see
    # record-level (pseudonymized) admission-pathway data, and the person who
    # keeps the privacy registers and approves each release.
    ANALYST = "analyst", _("Analyse des données")
    PRIVACY_OFFICER = "privacy_officer", _("Responsable de la protection des renseignements personnels")
    # In a professional order: who sends the order's admission-pathway data,
    # and who answers the CIQ's consultations for the order.
    DATA_SUBMITTER = "data_submitter", _("Transmission des données")
    RESPONDENT = "respondent", _("Réponse aux consultations")


class Membership(models.Model):
    """A person belongs to an organization with one role there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        ordering = ["organization__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} — {self.organization} ({self.get_role_display()})"


INVITATION_LIFETIME = timedelta(days=14)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A one-time link, sent by e-mail, to join Concerto and set a password.

    Only a hash of the token is stored: the link itself is in the e-mail.
    """

    email = models.EmailField(_("courriel"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="invitations")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organization}"

    @classmethod
    def new_token(cls) -> tuple[str, str]:
        """(token for the link, hash to store)."""
        token = secrets.token_urlsafe(32)
        return token, hash_token(token)

    class State(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        REVOKED = "revoked", _("Révoquée")
        EXPIRED = "expired", _("Expirée")

    @property
    def state(self) -> "Invitation.State":
        """Where the invitation stands; acceptance and revocation outrank expiry."""
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def is_usable(self) -> bool:
        return self.state == self.State.PENDING
