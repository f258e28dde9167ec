import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.plans.models import Plan


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (.docx)"
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV"
    JSON = "json", "JSON"


CONTENT_TYPES = {
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.CSV: "text/csv; charset=utf-8",
    Format.JSON: "application/json",
}


class Publication(models.Model):
    """A report published for a reporting date: frozen documents, never edited.

    Republishing the same date creates a new version; the old one stays
    downloadable and points to the version that replaced it.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="publications")
    as_of = models.DateField(_("état au"))
    version = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("publié le"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publié par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    superseded_by = models.OneToOneField(
        "self",
        verbose_name=_("remplacé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )

    class Meta:
        verbose_name = _("rapport publié")
        verbose_name_plural = _("rapports publiés")
        ordering = ["plan", "-as_of", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "as_of", "version"], name="publication_version_unique")
        ]

    def __str__(self):
        return f"{self.plan.slug} — {self.as_of:%Y-%m-%d} — v{self.version}"

    @property
    def filename_stem(self) -> str:
        stem = f"{self.plan.slug}_etat-{self.as_of:%Y-%m-%d}"
        return stem if self.version == 1 else f"{stem}_v{self.version}"


class PublishedDocument(models.Model):
    """One frozen file of a publication, kept in the database with its hash.

    Stored in the database rather than on disk so that a publication is
    written whole or not at all, in one transaction, and is backed up with
    the rest of the data.
    """

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="documents")
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    content = models.BinaryField(_("contenu"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"))

    class Meta:
        verbose_name = _("document publié")
        verbose_name_plural = _("documents publiés")
        ordering = ["publication", "format"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "format"], name="published_document_unique")
        ]

    def __str__(self):
        return self.filename

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Un document publié est figé : il ne peut pas être modifié.")
        content = bytes(self.content)
        self.sha256 = hashlib.sha256(content).hexdigest()
        self.size = len(content)
        super().save(*args, **kwargs)

    @property
    def filename(self) -> str:
        return f"{self.publication.filename_stem}.{self.format}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]
