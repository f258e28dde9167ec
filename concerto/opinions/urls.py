from django.urls import path

from . import views

# Under /ciq/avis/ (concerto/urls.py). Fixed words come before <reference>.
urlpatterns = [
    path("", views.library, name="opinion-library"),
    path("travail/", views.staff_list, name="opinion-staff-list"),
    path("nouveau/<slug:dossier_reference>/", views.create, name="opinion-create"),
    path("documents/<int:pk>/<str:fmt>/", views.published_document, name="opinion-document"),
    path("dossiers/<slug:reference>/", views.dossier_story, name="opinion-dossier-story"),
    path(
        "consultations/<int:pk>/reflet/",
        views.consultation_reflection,
        name="opinion-consultation-reflection",
    ),
    path("<slug:reference>/", views.public_page, name="opinion-public"),
    path("<slug:reference>/lettre/", views.letter, name="opinion-letter"),
    path("<slug:reference>/redaction/", views.workspace, name="opinion-workspace"),
    path("<slug:reference>/texte/", views.edit_text, name="opinion-edit"),
    path("<slug:reference>/versions/<int:number>/", views.diff, name="opinion-diff"),
    path("<slug:reference>/citations/", views.citations, name="opinion-citations"),
    path(
        "<slug:reference>/citations/<int:position>/",
        views.paragraph_citations,
        name="opinion-paragraph-citations",
    ),
    path("<slug:reference>/adopter/", views.adopt, name="opinion-adopt"),
    path("<slug:reference>/transmettre/", views.send, name="opinion-send"),
    path("<slug:reference>/publier/", views.publish, name="opinion-publish"),
    path("<slug:reference>/suivi/", views.add_event, name="opinion-event"),
    path("<slug:reference>/suivi/<int:pk>/supprimer/", views.delete_event, name="opinion-event-delete"),
    path("<slug:reference>/points/", views.set_point, name="opinion-point"),
    path("<slug:reference>/reponses-publiees/", views.publish_answer, name="opinion-publish-answer"),
]
