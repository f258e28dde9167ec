from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "concerto.opinions"
    label = "opinions"
    verbose_name = _("Avis du CIQ")

    def ready(self):
        from concerto.core.demo import register_demo
        from concerto.core.inbox import register_tasks

        from .demo import load_opinions_demo
        from .inbox import tasks_for_user

        register_tasks("opinions", tasks_for_user, label=_("Avis du CIQ"), order=60)
        # After the CIQ's files, consultations and answers (ciq's loader).
        register_demo("opinions", load_opinions_demo, order=40)
