"""Routes of the admission-pathway pages, under ``parcours/``."""

from django.urls import path

from . import views_collect as collect

urlpatterns = [
    path("dictionnaire/", collect.dictionary_page, name="pathway-dictionary"),
    path("dictionnaire/schema.json", collect.schema_download, name="pathway-schema"),
    path("dictionnaire/modele.xlsx", collect.template_download, name="pathway-template"),
    path("dictionnaire/pseudonymiser.py", collect.pseudonymiser_download, name="pathway-pseudonymiser"),
    path("depots/", collect.my_submissions, name="pathway-submissions"),
    path("depots/<slug:code>/deposer/", collect.upload_page, name="pathway-upload"),
    path("depots/envois/<int:pk>/", collect.upload_detail, name="pathway-upload-detail"),
    path("depots/envois/<int:pk>/erreurs.csv", collect.upload_errors_csv, name="pathway-upload-errors"),
    path("depots/<int:pk>/", collect.submission_detail, name="pathway-submission"),
    path("registres/", collect.registers_page, name="pathway-registers"),
    path("registres/ententes/nouvelle/", collect.agreement_new, name="pathway-agreement-new"),
    path("registres/ententes/<int:pk>/", collect.agreement_edit, name="pathway-agreement-edit"),
    path("registres/incidents/nouveau/", collect.incident_new, name="pathway-incident-new"),
    path("registres/incidents/<int:pk>/", collect.incident_edit, name="pathway-incident-edit"),
    path(
        "registres/<str:kind>/<int:pk>/historique/", collect.register_history, name="pathway-register-history"
    ),
]
