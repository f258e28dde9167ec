"""The shared kernel's one table: rate-limit counters, shared by every app process."""

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
