from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.organizations.models import Organization


class SentNotification(models.Model):
    """Every e-mail Concerto sent, keyed so that none is ever sent twice.

    The key says what the e-mail is about, starting with the kind of object
    and its id (``campaign:3:reminder:14:org:7``, ``draft:12:draft_returned:v2``,
    ``recommendation:5:due``, ``invitation:9``): no foreign key to the apps'
    tables, so that this general app depends on none of them. Select the
    e-mails about an object by the prefix of their key.
    """

    key = models.CharField(_("clé"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=40)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipients = models.TextField(_("destinataires"))
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("courriel envoyé")
        verbose_name_plural = _("courriels envoyés")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return self.key
