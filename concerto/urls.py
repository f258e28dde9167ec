from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from concerto.activities import views as activity_views
from concerto.api import views as api_views
from concerto.core import views as core_views
from concerto.organizations import views as organization_views
from concerto.plans import staff_views as plan_staff_views
from concerto.plans import views as plan_views
from concerto.reports import views as report_views

admin.site.site_header = "Concerto — administration"
admin.site.site_title = "Concerto"

urlpatterns = [
    path("sante/", core_views.health, name="health"),
    path("sante/vivant", core_views.alive, name="alive"),
    path("api/ciq/groups", include("concerto.groups.api_urls")),
    path("api/ciq/activities", activity_views.api_sessions, name="api-ciq-activities"),
    path("api/ciq/", include("concerto.information.api_urls")),
    path("api/", include("concerto.api.urls")),
    path("admin/", admin.site.urls),
    path(
        "publications/<int:pk>/<str:fmt>/",
        report_views.published_document,
        name="published-document",
    ),
]

urlpatterns += i18n_patterns(
    path("", plan_views.home, name="home"),
    path("api/", api_views.documentation, name="api-docs"),
    path("plans/<slug:slug>/", plan_views.plan_detail, name="plan-detail"),
    path("plans/<slug:slug>/mesures/<int:number>/", plan_views.measure_detail, name="measure-detail"),
    path("plans/<slug:slug>/etats/<str:as_of>/publier/", plan_views.publish_date, name="plan-publish-date"),
    path("plans/<slug:slug>/etat.csv", plan_views.plan_status_csv, name="plan-status-csv"),
    path("plans/<slug:slug>/etat.xlsx", plan_views.plan_status_xlsx, name="plan-status-xlsx"),
    path("plans/<slug:slug>/rapport/", report_views.report_page, name="report-page"),
    path("plans/<slug:slug>/rapport/telecharger/", report_views.report_download, name="report-download"),
    path("plans/<slug:slug>/rapport/preparer/", report_views.report_prepare, name="report-prepare"),
    path("plans/<slug:slug>/rapport/publier/", report_views.report_publish, name="report-publish"),
    path("mes-taches/", core_views.my_tasks, name="my-tasks"),
    path("compte/", include("concerto.accounts.urls")),
    path("plans/<slug:slug>/campagnes/", include("concerto.campaigns.urls")),
    path("plans/<slug:slug>/mesures/<int:number>/historique/", include("concerto.audit.urls")),
    path("recommandations/", include("concerto.recommendations.urls")),
    path("cellule/", include("concerto.cases.urls")),
    path("ciq/avis/", include("concerto.opinions.urls")),
    path("ciq/groupes/", include("concerto.groups.urls")),
    path("ciq/activites/", include("concerto.activities.urls")),
    path("ciq/", include("concerto.information.urls")),
    path("ciq/", include("concerto.ciq.urls")),
    path("parcours/", include("concerto.pathway.urls_diag")),
    path("parcours/", include("concerto.pathway.urls")),
    path("organisations/", organization_views.organization_list, name="organization-list"),
    path("organisations/<slug:code>/", plan_views.organization_detail, name="organization-detail"),
    path("plans/<slug:slug>/controles/", plan_staff_views.plan_checks, name="plan-checks"),
    path("accessibilite/", core_views.accessibility, name="accessibility"),
    path("confidentialite/", core_views.privacy, name="privacy"),
    path("nous-joindre/", core_views.contact, name="contact"),
    prefix_default_language=False,
)
