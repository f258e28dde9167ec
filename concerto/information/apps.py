from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InformationConfig(AppConfig):
    name = "concerto.information"
    label = "information"
    verbose_name = _("Information du CIQ")

    def ready(self):
        from concerto.ciq.sections import (
            register_home_section,
            register_nav_link,
            register_organization_section,
        )
        from concerto.core.demo import register_demo

        from . import api
        from .demo import load_information_demo
        from .directory import opinions_section
        from .views import latest_documents_for_home

        api.register()
        # After the opinions' loader: the library shows the published demonstration opinion too.
        register_demo("information", load_information_demo, order=60)
        register_home_section(
            "documents", "information/_home_section.html", latest_documents_for_home, order=40
        )
        register_organization_section(
            "published-opinions", "information/_order_opinions.html", opinions_section, order=10
        )
        register_nav_link("documents", _("Documents"), "information-documents", order=40)
        register_nav_link("orders", _("Les ordres"), "information-orders", order=50)
