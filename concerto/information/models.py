"""The CIQ's public information: its library of documents and studies, and
the content pages its staff edit.

- ``Document``: a study, guide, fact sheet, annual report or press release
  of the CIQ (``owner``, the CIQ, as ``ciq.Dossier.owner``), with its file
  stored privately (served by a view that checks access, validated by
  ``concerto.core.uploads`` on upload). A draft (``published_at`` empty) is
  seen by the CIQ's staff only; a published one by everyone.
  ``search_text`` is the folded text the library searches
  (``concerto.core.search``), kept up to date by ``save()``.
- ``Page``: a content page (« Le système professionnel »…), Markdown
  sanitized and rendered once at save (``concerto.core.markdown``). Every
  save keeps a ``PageVersion`` with its author and date; nothing is
  overwritten.

Operations go through ``concerto.information.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.search import fold
from concerto.core.uploads import generated_name, get_private_storage


def _document_upload_to(instance, filename):
    return generated_name(instance.content_type, prefix="information")


class DocumentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)


class Document(models.Model):
    class Kind(models.TextChoices):
        STUDY = "study", _("Étude")
        GUIDE = "guide", _("Guide")
        FACT_SHEET = "fact_sheet", _("Fiche d’information")
        ANNUAL_REPORT = "annual_report", _("Rapport annuel")
        PRESS_RELEASE = "press_release", _("Communiqué de presse")

    owner = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisme"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Le CIQ, qui publie le document."),
    )
    title = models.CharField(_("titre"), max_length=300)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date du document"))
    summary = models.TextField(_("résumé"), help_text=_("Quelques lignes pour la bibliothèque publique."))
    file = models.FileField(
        _("fichier"), upload_to=_document_upload_to, storage=get_private_storage, max_length=200
    )
    original_name = models.CharField(_("nom d’origine"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=120)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    is_demo = models.BooleanField(_("démonstration"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    search_text = models.TextField(_("texte de recherche"), editable=False, blank=True, default="")

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document d’information")
        verbose_name_plural = _("documents d’information")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["published_at", "date"], name="information_doc_published")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join(p for p in (self.title, self.summary) if p))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"search_text"}
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def get_file_url(self):
        return reverse("information-document-file", args=[self.pk])


class Page(models.Model):
    owner = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisme"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Le CIQ, qui rédige la page."),
    )
    slug = models.SlugField(
        _("adresse"),
        max_length=80,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                _(
                    "L’adresse ne contient que des lettres minuscules sans accent, des chiffres et des traits d’union."
                ),
            )
        ],
        help_text=_(
            "Par exemple le-systeme-professionnel : la page sera à /ciq/pages/le-systeme-professionnel/."
        ),
    )
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte (Markdown)"))
    body_html = models.TextField(_("texte (HTML assaini)"), editable=False, blank=True, default="")
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifiée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("page de contenu")
        verbose_name_plural = _("pages de contenu")
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("information-page", args=[self.slug])


class PageVersion(models.Model):
    """One saved state of a page: kept forever, never edited."""

    page = models.ForeignKey(Page, verbose_name=_("page"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte (Markdown)"))
    note = models.CharField(_("note de version"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("version de page")
        verbose_name_plural = _("versions de page")
        ordering = ["page", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="information_page_version_unique")
        ]

    def __str__(self):
        return f"{self.page.slug} v{self.number}"
