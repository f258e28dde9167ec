"""The CIQ's trainings and activities for the orders' staff: activities, their sessions, registrations.

An **activity** (a training, a webinar, a colloquium, a reflection activity)
belongs to the CIQ (``owner``) and is offered in one or more **sessions**.
A session has a capacity, a registration deadline, a cancellation cut-off,
an audience (the roles of the orders' staff who may register; none means
every person of an order) and, when the CIQ sets one, a cap per order.

A **registration** is one person's place, for one of their orders:
confirmed (``registered``) while seats remain, otherwise on the waiting
list in arrival order (``position``, the number of its arrival on that
session's list: 1, 2, 3… never reused). Cancelling a confirmed place
promotes the first person still waiting. The seat decision is taken in
``services`` holding the session's row lock, so a session never has more
confirmed registrations than seats, however many people register at once.

Attendance is recorded by the CIQ's staff after the session; an attendee
downloads a certificate of attendance.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.accounts.models import Role
from concerto.core.audit import AuditHistoricalRecords, AuditHistoryManager, history_user
from concerto.core.markdown import render_markdown


def _history(**options):
    return AuditHistoricalRecords(
        history_manager=AuditHistoryManager, get_user=history_user, app="activities", **options
    )


class Activity(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Formation")
        WEBINAR = "webinar", _("Webinaire")
        COLLOQUIUM = "colloquium", _("Colloque")
        REFLECTION = "reflection", _("Activité de réflexion")

    owner = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation responsable"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=300)
    slug = models.SlugField(
        _("adresse"), max_length=120, unique=True, help_text=_("Lettres, chiffres et traits d’union.")
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown simple."))
    description_html = models.TextField(editable=False, blank=True, default="")
    is_public = models.BooleanField(
        _("publique"),
        default=True,
        help_text=_(
            "Publique : listée sur le site et dans le calendrier public. Sinon, seules les "
            "personnes des ordres qui peuvent s’y inscrire la voient."
        ),
    )
    hours = models.DecimalField(
        _("heures reconnues"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Pour une formation : le nombre d’heures de formation qu’elle compte."),
    )
    is_demo = models.BooleanField(_("démonstration"), default=False, editable=False)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, editable=False)

    history = _history(excluded_fields=["description_html"])

    class Meta:
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gt=0), name="activity_hours_positive"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.description_html = str(render_markdown(self.description))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"description_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("activity-detail", args=[self.slug])

    def clean(self):
        if self.kind == self.Kind.TRAINING and self.hours is None:
            raise ValidationError({"hours": _("Indiquez le nombre d’heures que compte cette formation.")})
        if self.kind != self.Kind.TRAINING and self.hours is not None:
            raise ValidationError(
                {"hours": _("Seule une formation compte des heures : laissez ce champ vide.")}
            )


class Session(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Prévue")
        CANCELLED = "cancelled", _("Annulée")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activité"), on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    online_url = models.URLField(_("lien de la rencontre en ligne"), blank=True)
    capacity = models.PositiveIntegerField(_("nombre de places"))
    registration_deadline = models.DateTimeField(_("date limite d’inscription"))
    cancellation_cutoff = models.DateTimeField(
        _("annulation possible jusqu’au"),
        help_text=_("Après ce moment, une personne inscrite ne peut plus annuler elle-même son inscription."),
    )
    audience = models.JSONField(
        _("public visé"),
        default=list,
        blank=True,
        help_text=_(
            "Les rôles du personnel des ordres qui peuvent s’inscrire ; aucun : tout le personnel des ordres."
        ),
    )
    per_order_cap = models.PositiveIntegerField(
        _("maximum par ordre"),
        null=True,
        blank=True,
        help_text=_(
            "Nombre maximal d’inscriptions (confirmées ou en attente) d’un même ordre ; vide : aucun."
        ),
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    attendance_recorded_at = models.DateTimeField(_("présences saisies le"), null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)

    history = _history()

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_has_seats"),
            models.CheckConstraint(
                condition=Q(per_order_cap__isnull=True) | Q(per_order_cap__gte=1), name="session_cap_positive"
            ),
        ]

    def __str__(self):
        return f"{self.activity.title} — {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("activity-detail", args=[self.activity.slug]) + f"#seance-{self.pk}"

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("La fin doit suivre le début de la séance.")
        if self.registration_deadline and self.starts_at and self.registration_deadline > self.starts_at:
            errors["registration_deadline"] = _(
                "La date limite d’inscription doit précéder le début de la séance."
            )
        if self.cancellation_cutoff and self.starts_at and self.cancellation_cutoff > self.starts_at:
            errors["cancellation_cutoff"] = _(
                "La date limite d’annulation doit précéder le début de la séance."
            )
        if not self.place and not self.online_url:
            errors["place"] = _("Indiquez un lieu ou un lien de rencontre en ligne.")
        unknown = set(self.audience or []) - set(Role.values)
        if unknown:
            errors["audience"] = _("Rôle inconnu : %(roles)s.") % {"roles": ", ".join(sorted(unknown))}
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def online(self) -> bool:
        return bool(self.online_url)

    def audience_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels[r]) for r in self.audience or [] if r in labels]


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Inscrite")
        WAITLISTED = "waitlisted", _("En liste d’attente")
        CANCELLED = "cancelled", _("Annulée")

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("Non saisie")
        ATTENDED = "attended", _("Présente")
        ABSENT = "absent", _("Absente")

    ACTIVE = (Status.REGISTERED, Status.WAITLISTED)

    session = models.ForeignKey(
        Session, verbose_name=_("séance"), on_delete=models.PROTECT, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="activity_registrations",
    )
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("ordre"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices)
    position = models.PositiveIntegerField(
        _("arrivée en liste d’attente"),
        null=True,
        blank=True,
        help_text=_("Numéro d’arrivée sur la liste d’attente de la séance (1, 2, 3…)."),
    )
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    promoted_at = models.DateTimeField(_("confirmée depuis la liste d’attente le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    attendance = models.CharField(
        _("présence"), max_length=20, choices=Attendance.choices, default=Attendance.UNKNOWN
    )

    history = _history()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["created_at", "pk"]
        constraints = [
            # One active registration per person and session; after cancelling, a new one may follow.
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(status__in=["registered", "waitlisted"]),
                name="registration_once_per_session",
            ),
            models.UniqueConstraint(fields=["session", "position"], name="registration_waitlist_position"),
        ]
        indexes = [models.Index(fields=["session", "status"], name="registration_session_status")]

    def __str__(self):
        return f"{self.session} — {self.user}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def get_certificate_url(self):
        return reverse("activity-certificate", args=[self.pk])
