from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concerto.core.archiving import HistoryGuard


class Organization(HistoryGuard, models.Model):
    """A ministry, public body, professional order, institution or federation.

    Identified by ``code``, a stable slug: acronyms are not unique (OAQ names
    four orders) and are never used as identifiers.
    """

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministère")
        PUBLIC_BODY = "public_body", _("Organisme public")
        PROFESSIONAL_ORDER = "professional_order", _("Ordre professionnel")
        EDUCATIONAL_INSTITUTION = "educational_institution", _("Établissement d’enseignement")
        FEDERATION = "federation", _("Regroupement ou fédération")
        OTHER = "other", _("Autre")

    class Practice(models.TextChoices):
        EXCLUSIVE = "exclusive", _("Exercice exclusif")
        RESERVED_TITLE = "reserved_title", _("Titre réservé")

    code = models.SlugField(_("code"), max_length=120, unique=True)
    name = models.CharField(_("nom"), max_length=300)
    acronym = models.CharField(_("sigle"), max_length=40, blank=True)
    short_name = models.CharField(_("nom court"), max_length=60, blank=True)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    order_number = models.PositiveSmallIntegerField(
        _("numéro de l’ordre"), null=True, blank=True, unique=True
    )
    practice = models.CharField(_("type d’ordre"), max_length=20, choices=Practice.choices, blank=True)
    archived_at = models.DateTimeField(
        _("archivée le"),
        null=True,
        blank=True,
        help_text=_(
            "Une organisation archivée n’est plus proposée dans les listes ; sa page reste accessible."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "code"]

    def __str__(self):
        return self.name

    def deletion_refused_message(self, description: str) -> str:
        return gettext(
            "L’organisation « %(name)s » a un historique (%(history)s) : elle ne peut pas être "
            "supprimée. Archivez-la plutôt."
        ) % {"name": self.name, "history": description}

    @property
    def label(self) -> str:
        """The short form a table shows: acronym, short name, or full name."""
        return self.acronym or self.short_name or self.name
