"""The CIQ's committees, working groups and forums: members, meetings, minutes.

- ``Group``: owned by the CIQ (``owner``, as ``ciq.Dossier.owner``); a kind
  (committee, working group, forum), a mandate, dates — a working group ends,
  a committee is standing (no end date) —, and the consultations and opinions
  it prepares.
- ``Membership``: a person (optionally a Concerto user) representing an order,
  or an external expert with an affiliation; a role and a term. A past member
  keeps their row (term ended): the group's history.
- ``Meeting`` with its agenda (``AgendaItem``, ``AgendaDocument``),
  ``Attendance``, ``Minutes`` (drafted, adopted at a later meeting, then
  frozen), ``Decision`` and ``ActionItem``. ``Meeting.sequence`` grows each
  time the time or place changes, so invited people's calendars update the
  event (``concerto.core.ical``).
- ``CalendarToken``: the secret of a person's private calendar feed.

Everything but the group, its mandate and its members' orders and roles is
private to the group's current members and the CIQ's coordination. Every
change is recorded by the audit trail (``concerto.core.audit``); state changes
go through ``concerto.groups.services``.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.audit import AuditHistoricalRecords, AuditHistoryManager, history_user
from concerto.core.uploads import generated_name, get_private_storage
from concerto.organizations.models import Organization

RESERVED_SLUGS = {"gestion", "mes-groupes", "calendrier", "membres", "reunions", "documents", "suivis"}
"""Slugs that name the app's own pages under /ciq/groupes/."""


def _history():
    return AuditHistoricalRecords(history_manager=AuditHistoryManager, get_user=history_user, app="groups")


def current_q(today: datetime.date, prefix: str = "") -> Q:
    """Memberships whose term covers ``today``."""
    return Q(**{f"{prefix}term_start__lte": today}) & (
        Q(**{f"{prefix}term_end__isnull": True}) | Q(**{f"{prefix}term_end__gte": today})
    )


class Group(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Comité")
        WORKING_GROUP = "working_group", _("Groupe de travail")
        FORUM = "forum", _("Forum")

    owner = models.ForeignKey(
        Organization,
        verbose_name=_("organisation responsable"),
        on_delete=models.PROTECT,
        related_name="owned_groups",
        help_text=_("L’organisation dont la coordination gère le groupe (le CIQ)."),
    )
    kind = models.CharField(_("type de groupe"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(
        _("identifiant"), max_length=80, unique=True, help_text=_("Utilisé dans l’adresse de la page.")
    )
    mandate = models.TextField(_("mandat"))
    started_on = models.DateField(_("date de début"))
    ended_on = models.DateField(
        _("date de fin"),
        null=True,
        blank=True,
        help_text=_("Un groupe de travail prend fin ; un comité est permanent (laisser vide)."),
    )
    consultations = models.ManyToManyField(
        "ciq.Consultation", verbose_name=_("consultations préparées"), related_name="groups", blank=True
    )
    opinions = models.ManyToManyField(
        "opinions.Opinion", verbose_name=_("avis préparés"), related_name="groups", blank=True
    )
    is_demo = models.BooleanField(_("démonstration"), default=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    history = _history()

    class Meta:
        verbose_name = _("groupe du CIQ")
        verbose_name_plural = _("groupes du CIQ")
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="groups_group_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("groups-public", args=[self.slug])

    def is_active_on(self, day: datetime.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Présidence")
        MEMBER = "member", _("Membre")
        SECRETARY = "secretary", _("Secrétariat")

    group = models.ForeignKey(
        Group, verbose_name=_("groupe"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte Concerto"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_memberships",
        help_text=_("Le compte qui donne accès aux réunions et aux procès-verbaux du groupe."),
    )
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("courriel"), blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("ordre représenté"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_memberships",
    )
    affiliation = models.CharField(
        _("affiliation de l’expert externe"),
        max_length=300,
        blank=True,
        help_text=_("Pour une personne experte qui ne représente pas un ordre."),
    )
    role = models.CharField(
        _("rôle dans le groupe"), max_length=20, choices=Role.choices, default=Role.MEMBER
    )
    term_start = models.DateField(_("début du mandat"))
    term_end = models.DateField(_("fin du mandat"), null=True, blank=True)

    history = _history()

    class Meta:
        verbose_name = _("membre d’un groupe")
        verbose_name_plural = _("membres des groupes")
        ordering = ["group", "role", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(affiliation=""))
                | (Q(organization__isnull=True) & ~Q(affiliation="")),
                name="groups_member_order_or_affiliation",
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="groups_member_term_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} — {self.group}"

    def is_current_on(self, day: datetime.date) -> bool:
        return self.term_start <= day and (self.term_end is None or self.term_end >= day)

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user_id and self.user else "")

    @property
    def represents(self) -> str:
        """The order represented, or the external expert's affiliation (public facts)."""
        return self.organization.name if self.organization_id else self.affiliation


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Prévue")
        HELD = "held", _("Tenue")
        CANCELLED = "cancelled", _("Annulée")

    group = models.ForeignKey(
        Group, verbose_name=_("groupe"), on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("titre"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), max_length=500, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(
        _("version de l’invitation"),
        default=0,
        help_text=_("Augmente à chaque changement d’heure ou de lieu."),
    )

    history = _history()

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["group", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="groups_meeting_ends_after"
            )
        ]

    def __str__(self):
        return f"{self.group} — {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("groups-meeting", args=[self.pk])

    @property
    def label(self) -> str:
        return self.title or str(self.group)

    @property
    def location(self) -> str:
        return " — ".join(part for part in (self.place, self.video_link) if part)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("réunion"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveIntegerField(_("rang"))
    title = models.CharField(_("point à l’ordre du jour"), max_length=300)

    history = _history()

    class Meta:
        verbose_name = _("point à l’ordre du jour")
        verbose_name_plural = _("points à l’ordre du jour")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="groups_agenda_unique_position")
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


def _document_upload_to(instance, filename):
    return generated_name(instance.content_type, prefix="groups")


class AgendaDocument(models.Model):
    """A document of an agenda item: stored privately, served only to the group's members and the CIQ."""

    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("point à l’ordre du jour"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("titre du document"), max_length=300, blank=True)
    file = models.FileField(
        _("fichier"), upload_to=_document_upload_to, storage=get_private_storage, max_length=200
    )
    original_name = models.CharField(_("nom d’origine"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=120)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)

    history = _history()

    class Meta:
        verbose_name = _("document de réunion")
        verbose_name_plural = _("documents de réunion")
        ordering = ["item", "uploaded_at", "pk"]

    def __str__(self):
        return self.title or self.original_name

    def get_absolute_url(self):
        return reverse("groups-document", args=[self.pk])


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Présent")
        EXCUSED = "excused", _("Excusé")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("réunion"), on_delete=models.CASCADE, related_name="attendances"
    )
    membership = models.ForeignKey(
        Membership, verbose_name=_("membre"), on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(_("présence"), max_length=10, choices=Status.choices)

    history = _history()

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        ordering = ["meeting", "membership__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="groups_attendance_unique")
        ]

    def __str__(self):
        return f"{self.membership.name} — {self.get_status_display()}"


class Minutes(models.Model):
    """A meeting's minutes: a draft, then adopted at a later meeting (``adopted_at``) and frozen."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Projet")
        ADOPTED = "adopted", _("Adopté")

    meeting = models.OneToOneField(
        Meeting, verbose_name=_("réunion"), on_delete=models.CASCADE, related_name="minutes"
    )
    body = models.TextField(_("texte du procès-verbal (Markdown)"))
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.DRAFT)
    adopted_at = models.ForeignKey(
        Meeting,
        verbose_name=_("adopté à la réunion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_minutes",
    )
    adopted_on = models.DateTimeField(_("adopté le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    history = _history()

    class Meta:
        verbose_name = _("procès-verbal")
        verbose_name_plural = _("procès-verbaux")
        ordering = ["meeting"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft", adopted_at__isnull=True)
                | Q(state="adopted", adopted_at__isnull=False, adopted_on__isnull=False),
                name="groups_minutes_adopted_has_meeting",
            )
        ]

    def __str__(self):
        return f"{self.meeting} — {self.get_state_display()}"

    @property
    def is_adopted(self) -> bool:
        return self.state == self.State.ADOPTED


class Decision(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("réunion"), on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.TextField(_("décision"))
    created_at = models.DateTimeField(_("consignée le"), default=timezone.now)

    history = _history()

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["meeting", "created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class ActionItem(models.Model):
    """Something to do after a meeting, by a member (or a Concerto user), by a date."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("réunion"), on_delete=models.CASCADE, related_name="action_items"
    )
    text = models.TextField(_("suivi à faire"))
    owner_membership = models.ForeignKey(
        Membership,
        verbose_name=_("responsable (membre)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable (compte)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_action_items",
    )
    due_on = models.DateField(_("échéance"))
    done_at = models.DateTimeField(_("fait le"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marqué fait par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = _history()

    class Meta:
        verbose_name = _("suivi")
        verbose_name_plural = _("suivis")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_membership__isnull=False) | Q(owner_user__isnull=False),
                name="groups_action_has_owner",
            )
        ]

    def __str__(self):
        return self.text[:80]

    @property
    def owner_label(self) -> str:
        if self.owner_membership_id:
            return self.owner_membership.name
        user = self.owner_user
        return user.get_full_name() or user.username

    def owner_user_id_effective(self):
        if self.owner_user_id:
            return self.owner_user_id
        return self.owner_membership.user_id if self.owner_membership_id else None

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in the address of a person's private calendar feed (regenerable).

    Not in the audit trail: the history would keep every past secret."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="group_calendar",
    )
    token = models.CharField(_("jeton"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("jeton de calendrier")
        verbose_name_plural = _("jetons de calendrier")

    def __str__(self):
        return str(self.user)
