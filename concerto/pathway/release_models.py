"""Releases of protected tables (the release register) and their frozen files.

A release is prepared by an analyst: its tables are computed, protected and
audited at once, and frozen (the published rows and the CSV and Excel files
with their SHA-256). The privacy officer then approves it — or returns it
with a reason — on exactly those frozen bytes; nothing is computed again
afterwards, so the public page only reads what was approved. The release
itself is the register's entry: who prepared and approved it, when, the
threshold and rules applied, the tables, to whom or public.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Release(models.Model):
    class State(models.TextChoices):
        AWAITING = "awaiting", _("En attente d’approbation")
        APPROVED = "approved", _("Approuvée")
        RETURNED = "returned", _("Retournée")

    PUBLIC = "public"

    title = models.CharField(_("titre"), max_length=200)
    synthetic = models.BooleanField(_("données synthétiques"))
    threshold = models.PositiveSmallIntegerField(_("seuil de suppression"))
    audience = models.CharField(
        _("destinataire"),
        max_length=200,
        help_text=_("« public » pour une diffusion publique, sinon le destinataire."),
    )
    rules = models.JSONField(_("règles appliquées"), default=dict)
    data_as_of = models.DateField(_("données au"))
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.AWAITING)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("préparée par")
    )
    prepared_at = models.DateTimeField(_("préparée le"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_note = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("diffusion de tableaux protégés")
        verbose_name_plural = _("diffusions de tableaux protégés")
        ordering = ["-prepared_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.audience == self.PUBLIC


class ReleaseTable(models.Model):
    """One frozen table (or survival curve) of a release, as published."""

    class Kind(models.TextChoices):
        TABLE = "table", _("Tableau croisé")
        CURVE = "curve", _("Courbe de délai jusqu’au permis")

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="tables", verbose_name=_("diffusion")
    )
    position = models.PositiveSmallIntegerField(_("rang"))
    kind = models.CharField(_("genre"), max_length=10, choices=Kind.choices, default=Kind.TABLE)
    title = models.CharField(_("titre"), max_length=300)
    rows_dimension = models.CharField(_("lignes"), max_length=20, blank=True)
    columns_dimension = models.CharField(_("colonnes"), max_length=20, blank=True)
    rows = models.JSONField(_("lignes publiées"))
    suppressed = models.PositiveIntegerField(_("cellules supprimées"), default=0)
    audit = models.JSONField(_("audit"), default=dict)

    class Meta:
        verbose_name = _("tableau diffusé")
        verbose_name_plural = _("tableaux diffusés")
        ordering = ["release", "position"]
        constraints = [
            models.UniqueConstraint(fields=["release", "position"], name="pathway_release_table_position")
        ]

    def __str__(self):
        return self.title


class ReleaseFile(models.Model):
    """A frozen file of a released table, with its SHA-256; never modified once written."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"

    table = models.ForeignKey(
        ReleaseTable, on_delete=models.CASCADE, related_name="files", verbose_name=_("tableau")
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    content = models.BinaryField(_("contenu"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"))

    class Meta:
        verbose_name = _("fichier diffusé")
        verbose_name_plural = _("fichiers diffusés")
        ordering = ["table", "format"]
        constraints = [
            models.UniqueConstraint(fields=["table", "format"], name="pathway_release_file_unique")
        ]

    def __str__(self):
        return f"{self.table} ({self.format})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Un fichier diffusé est figé : il ne peut pas être modifié.")
        content = bytes(self.content)
        self.sha256 = hashlib.sha256(content).hexdigest()
        self.size = len(content)
        super().save(*args, **kwargs)
