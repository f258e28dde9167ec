"""What the orders send and what the privacy officer keeps (issue 14, items 2 to 4).

- ``Upload``: one file sent through the upload page, from its reception to
  its outcome (accepted as a ``Submission``, or refused with its error
  report). The file itself is kept, under a generated name outside the web
  root, only until the ingest ends.
- ``Agreement``: the agreement with the Commission d'accès à l'information
  (parties, purposes, data elements allowed, retention period, security
  measures) and the privacy impact assessment it rests on. No collection
  without an agreement in force.
- ``Incident``: the register of confidentiality incidents (Loi 25).
- ``Destruction``: the register of what ``pathway_destroy`` destroyed.

The registers keep an audit trail (who changed what, when) by the project's
one mechanism (simple_history, ``concerto.core.audit``).
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.audit import AuditHistoricalRecords, AuditHistoryManager, history_user

from . import dictionary as d


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (31 January + 1 month = end of February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _history():
    return AuditHistoricalRecords(history_manager=AuditHistoryManager, get_user=history_user, app="pathway")


class Upload(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("En attente de traitement")
        READING = "reading", _("Lecture et validation")
        STORING = "storing", _("Enregistrement")
        ACCEPTED = "accepted", _("Accepté")
        REFUSED = "refused", _("Refusé")
        FAILED = "failed", _("Échec technique")

    FINISHED = (State.ACCEPTED, State.REFUSED, State.FAILED)

    order = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="pathway_uploads",
        verbose_name=_("ordre"),
    )
    period = models.CharField(_("période"), max_length=40)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyé par"),
    )
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    finished_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    # The file under a generated name in the private storage; empty once the ingest has ended.
    stored_name = models.CharField(max_length=200, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(_("taille (octets)"), default=0)
    file_sha256 = models.CharField(_("empreinte SHA-256 du fichier"), max_length=64, blank=True)
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progression (%)"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    row_count = models.PositiveIntegerField(_("demandes"), null=True, blank=True)
    error_total = models.PositiveIntegerField(_("erreurs"), default=0)
    # The first hundred problems: [line, column, value, reason]. Shown only to the order's
    # own submitters; the values are emptied once a later file of the period is accepted.
    errors = models.JSONField(_("erreurs (premières)"), default=list, blank=True)
    submission = models.ForeignKey(
        "pathway.Submission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name=_("dépôt enregistré"),
    )

    class Meta:
        verbose_name = _("envoi de fichier du parcours d’admission")
        verbose_name_plural = _("envois de fichiers du parcours d’admission")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.order.code} {self.period} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED


class AgreementQuerySet(models.QuerySet):
    def in_force(self, today: datetime.date):
        return (
            self.filter(signed_on__lte=today)
            .filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=today))
            .order_by("-signed_on", "-pk")
        )


class Agreement(models.Model):
    """The agreement with the Commission d'accès à l'information (CAI)."""

    reference = models.CharField(_("référence de l’entente"), max_length=100)
    signed_on = models.DateField(_("date de l’entente"))
    ends_on = models.DateField(
        _("fin de l’entente"), null=True, blank=True, help_text=_("Vide si l’entente n’a pas de terme.")
    )
    parties = models.TextField(_("parties"))
    purposes = models.TextField(_("fins"))
    data_elements = models.JSONField(
        _("renseignements permis"),
        default=list,
        help_text=_("Les champs du dictionnaire de données que l’entente permet de recevoir."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("durée de conservation (mois)"),
        help_text=_("Comptée à partir de la réception de chaque dépôt ; au-delà, le dépôt est détruit."),
    )
    security_measures = models.TextField(_("mesures de sécurité"))
    impact_assessment_reference = models.CharField(
        _("référence de l’évaluation des facteurs relatifs à la vie privée"), max_length=200
    )
    impact_assessment_on = models.DateField(
        _("date de l’évaluation des facteurs relatifs à la vie privée"), null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("inscrite le"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inscrite par"),
    )
    history = _history()

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("entente avec la Commission d’accès à l’information")
        verbose_name_plural = _("ententes avec la Commission d’accès à l’information")
        ordering = ["-signed_on", "-pk"]

    def __str__(self):
        return f"{self.reference} ({self.signed_on:%Y-%m-%d})"

    def retention_end(self, received_on: datetime.date) -> datetime.date:
        """The last day a submission received on ``received_on`` may be kept."""
        return add_months(received_on, self.retention_months)

    def element_labels(self) -> list[str]:
        return [f"{d.FIELDS_BY_NAME[c].title} ({c})" for c in self.data_elements if c in d.FIELDS_BY_NAME]


class Incident(models.Model):
    """A confidentiality incident (Loi 25 and its regulation on confidentiality incidents).

    Described without naming anyone: the register is about the incident, not the people."""

    occurred_on = models.DateField(_("date ou début de l’incident"))
    discovered_on = models.DateField(_("date où l’Office en a pris connaissance"))
    description = models.TextField(
        _("circonstances"), help_text=_("Décrivez l’incident sans nommer ni identifier les personnes.")
    )
    information_concerned = models.TextField(_("renseignements visés"))
    people_concerned = models.PositiveIntegerField(
        _("nombre de personnes concernées"), null=True, blank=True, help_text=_("Vide s’il n’est pas connu.")
    )
    serious_risk = models.BooleanField(_("risque de préjudice sérieux"), default=False)
    risk_assessment = models.TextField(_("évaluation du risque"), blank=True)
    cai_notified_on = models.DateField(
        _("avis à la Commission d’accès à l’information"), null=True, blank=True
    )
    people_notified_on = models.DateField(_("avis aux personnes concernées"), null=True, blank=True)
    measures = models.TextField(_("mesures prises"), blank=True)
    closed_on = models.DateField(_("date de fermeture"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inscrit par"),
    )
    history = _history()

    class Meta:
        verbose_name = _("incident de confidentialité")
        verbose_name_plural = _("incidents de confidentialité")
        ordering = ["-discovered_on", "-pk"]

    def __str__(self):
        return f"incident du {self.occurred_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Destruction(models.Model):
    """One submission destroyed at the end of its retention period (written only by
    ``registers.destroy_expired``, never changed afterwards)."""

    destroyed_at = models.DateTimeField(_("détruit le"), default=timezone.now)
    order = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("ordre")
    )
    period = models.CharField(_("période"), max_length=40)
    received_at = models.DateTimeField(_("dépôt reçu le"))
    retention_end = models.DateField(_("fin de la conservation"))
    row_count = models.PositiveIntegerField(_("demandes détruites"))
    uploads = models.PositiveIntegerField(_("envois de fichiers effacés"), default=0)
    file_sha256 = models.CharField(_("empreinte SHA-256 du fichier"), max_length=64)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="destructions", verbose_name=_("entente")
    )
    source = models.CharField(_("par"), max_length=100)

    class Meta:
        verbose_name = _("destruction")
        verbose_name_plural = _("destructions")
        ordering = ["-destroyed_at", "-pk"]

    def __str__(self):
        return f"{self.order.code} {self.period} ({self.destroyed_at:%Y-%m-%d})"
