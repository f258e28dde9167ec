from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "concerto.opinions"
    label = "opinions"
    verbose_name = _("Avis du CIQ")

    def ready(self):
        from concerto.ciq.sections import register_home_section, register_nav_link
        from concerto.core.demo import register_demo
        from concerto.core.inbox import register_tasks

        from .demo import load_opinions_demo
        from .inbox import tasks_for_user
        from .views import latest_for_home

        register_tasks("opinions", tasks_for_user, label=_("Avis du CIQ"), order=60)
        # After the CIQ's files, consultations and answers (ciq's loader).
        register_demo("opinions", load_opinions_demo, order=40)
        register_home_section("opinions", "opinions/_home_section.html", latest_for_home, order=10)
        register_nav_link("opinions", _("Avis publiés"), "opinion-library", order=10)
