from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """One piece of long work asked for once and run by a worker (see ``concerto.jobs.services``).

    Known by ``key``, the hash of its function and arguments: the same work
    for the same inputs is one row, whatever the number of requests.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échoué")

    key = models.CharField(_("empreinte des entrées"), max_length=64, unique=True)
    function = models.CharField(_("fonction"), max_length=200)
    arguments = models.JSONField(_("arguments"), default=dict)
    label = models.CharField(_("description"), max_length=300)
    # What the job is about, for the pages that show their own jobs ("app.model:pk").
    subject = models.CharField(_("objet"), max_length=100, blank=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("tentatives permises"), default=3)
    enqueued_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    result = models.JSONField(_("résultat"), null=True, blank=True)
    # The framework's task result of the latest attempt (its traceback, if any).
    task_id = models.CharField(_("tâche du moteur"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("travail en arrière-plan")
        verbose_name_plural = _("travaux en arrière-plan")
        ordering = ["-enqueued_at", "-pk"]

    def __str__(self):
        return f"{self.label} ({self.get_state_display()})"

    @property
    def pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
