"""The shared kernel's one table (rate-limit counters, shared by every app process) and the
abstract frozen document the publishing apps share."""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateLimitCounter(models.Model):
    """Requests from one client address to one limited endpoint, in one window.

    Counted in the database so that the limit holds across all app
    processes and servers (see ``concerto.core.ratelimit``).
    """

    key = models.CharField(_("clé"), max_length=200)
    window_start = models.DateTimeField(_("début de la fenêtre"))
    hits = models.PositiveIntegerField(_("requêtes"), default=0)

    class Meta:
        verbose_name = _("compteur de limite de débit")
        verbose_name_plural = _("compteurs de limite de débit")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="core_ratelimit_key_window")
        ]
        # Ended windows are deleted by date.
        indexes = [models.Index(fields=["window_start"], name="core_ratelimit_window")]

    def __str__(self):
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"


class FrozenDocument(models.Model):
    """One frozen file of a publication, kept in the database with its SHA-256.

    Stored in the database rather than on disk so that a publication is
    written whole or not at all, in one transaction, and is backed up with the
    rest of the data. Once saved it can never change. A concrete model adds
    ``publication`` (a foreign key to a model with ``filename_stem``), a
    ``format`` field and ``CONTENT_TYPES`` (format → MIME type): the
    Pôle's published reports, the CIQ's published opinions.
    """

    CONTENT_TYPES: dict[str, str] = {}

    content = models.BinaryField(_("contenu"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"))

    class Meta:
        abstract = True

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
        return self.CONTENT_TYPES[self.format]
