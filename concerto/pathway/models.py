"""Stored submissions: one accepted file per order, period and kind (real or synthetic).

Rows hold only the dictionary's fields, the pseudonym keyed again by
Concerto (``pseudonyms.py``), never the order's. Synthetic rows live in
their own submissions (``synthetic``) and never replace or join real ones.
Optional codes are NULL when absent (not ""), so that a row is written by a
PostgreSQL ``COPY`` exactly as Polars holds it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import dictionary as d


class Submission(models.Model):
    order = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="pathway_submissions",
        verbose_name=_("ordre"),
    )
    period = models.CharField(_("période"), max_length=40)
    synthetic = models.BooleanField(_("données synthétiques"), default=False)
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    row_count = models.PositiveIntegerField(_("demandes"))
    file_format = models.CharField(_("format"), max_length=8)
    file_sha256 = models.CharField(_("empreinte SHA-256 du fichier"), max_length=64)
    quality = models.JSONField(_("rapport de qualité"), default=dict)

    class Meta:
        verbose_name = _("dépôt du parcours d’admission")
        verbose_name_plural = _("dépôts du parcours d’admission")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "period", "synthetic"], name="pathway_one_submission_per_period"
            )
        ]

    def __str__(self):
        return f"{self.order.code} {self.period}"


class Application(models.Model):
    """One application of a person trained outside Québec (the dictionary's row)."""

    # No database constraint: a million rows are written by one COPY, which would run the
    # constraint's trigger once per row (ten times the COPY itself, measured). Rows are only
    # written by ``storage.store_submission``, in the transaction that creates their submission,
    # and deleted before it; the column keeps its index.
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="applications", db_constraint=False
    )
    line = models.PositiveIntegerField(_("ligne du fichier"))
    # Not indexed: links across orders are analytical joins over whole submissions.
    pseudonym = models.CharField(_("pseudonyme"), max_length=64)
    profession = models.CharField(_("profession"), max_length=64)
    country = models.CharField(_("pays de formation"), max_length=2)
    route = models.CharField(_("voie"), max_length=40, choices=list(d.ROUTES))
    received_on = models.DateField(_("réception"))
    complete_on = models.DateField(_("dossier complet"), null=True)
    decided_on = models.DateField(_("décision (date)"), null=True)
    decision = models.CharField(_("décision"), max_length=40, choices=list(d.DECISIONS), null=True)
    bridging_training = models.BooleanField(_("formation d’appoint"), null=True)
    internship = models.BooleanField(_("stage"), null=True)
    exam = models.BooleanField(_("examen"), null=True)
    prescriptions_completed_on = models.DateField(_("prescriptions complétées"), null=True)
    review_requested = models.BooleanField(_("révision demandée"), null=True)
    review_outcome = models.CharField(
        _("résultat de la révision"), max_length=20, choices=list(d.REVIEW_OUTCOMES), null=True
    )
    french_met_on = models.DateField(_("exigence de français"), null=True)
    permit_on = models.DateField(_("permis (date)"), null=True)
    permit_kind = models.CharField(
        _("type de permis"), max_length=40, choices=list(d.PERMIT_KINDS), null=True
    )
    closed_on = models.DateField(_("fermeture (date)"), null=True)
    closure_kind = models.CharField(
        _("motif de fermeture"), max_length=20, choices=list(d.CLOSURE_KINDS), null=True
    )

    class Meta:
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")

    def __str__(self):
        # Never the pseudonym: it is personal information.
        return f"demande, ligne {self.line}"


# Dictionary column -> model field. The order is the submission's; the synthetic flag is too.
FIELD_OF_COLUMN = {
    "pseudonyme": "pseudonym",
    "profession": "profession",
    "pays_formation": "country",
    "voie": "route",
    "date_reception": "received_on",
    "date_dossier_complet": "complete_on",
    "date_decision": "decided_on",
    "decision": "decision",
    "prescription_formation": "bridging_training",
    "prescription_stage": "internship",
    "prescription_examen": "exam",
    "date_prescriptions_completees": "prescriptions_completed_on",
    "revision_demandee": "review_requested",
    "resultat_revision": "review_outcome",
    "date_exigence_francais": "french_met_on",
    "date_permis": "permit_on",
    "type_permis": "permit_kind",
    "date_fermeture": "closed_on",
    "motif_fermeture": "closure_kind",
}


# The collection's and the privacy officer's models (issue 14, items 2 to 4) and the
# release register (protected publication) live in their own modules.
from .models_collect import Agreement, Destruction, Incident, Upload  # noqa: E402, F401, I001
from .release_models import Release, ReleaseFile, ReleaseTable  # noqa: E402, F401
