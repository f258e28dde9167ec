from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The outbox shared by every app: each e-mail sent once, and the reminders
    each app declares, run by ``send_reminders``. Depends on no specific app."""

    name = "concerto.notifications"
    verbose_name = _("Courriels")
