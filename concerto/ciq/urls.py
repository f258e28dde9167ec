from django.urls import path

from . import views

urlpatterns = [
    path("", views.ciq_home, name="ciq-home"),
    path("dossiers/", views.dossier_list, name="ciq-dossier-list"),
    path("dossiers/nouveau/", views.dossier_create, name="ciq-dossier-create"),
    path("dossiers/<slug:reference>/", views.dossier_detail, name="ciq-dossier"),
    path("dossiers/<slug:reference>/modifier/", views.dossier_edit, name="ciq-dossier-edit"),
    path("dossiers/<slug:reference>/documents/", views.document_add, name="ciq-document-add"),
    path(
        "dossiers/<slug:reference>/consultations/nouvelle/",
        views.consultation_create,
        name="ciq-consultation-create",
    ),
    path("documents/<int:pk>/", views.document_download, name="ciq-document"),
    path("consultations/<int:pk>/", views.consultation_detail, name="ciq-consultation"),
    path("consultations/<int:pk>/modifier/", views.consultation_edit, name="ciq-consultation-edit"),
    path("consultations/<int:pk>/ouvrir/", views.consultation_open, name="ciq-consultation-open"),
    path("consultations/<int:pk>/fermer/", views.consultation_close, name="ciq-consultation-close"),
    path(
        "consultations/<int:pk>/articles/<int:article>/",
        views.synthesis_article,
        name="ciq-synthesis-article",
    ),
    path("consultations/<int:pk>/synthese.<str:fmt>", views.synthesis_export, name="ciq-synthesis-export"),
    path("consultations/<int:pk>/ordres/<slug:code>/", views.staff_answer, name="ciq-staff-answer"),
    path(
        "consultations/<int:pk>/ordres/<slug:code>/accord/",
        views.staff_answer_consent,
        name="ciq-answer-consent",
    ),
    path("consultations/<int:pk>/reponse/", views.answer_page, name="ciq-answer"),
    path("consultations/<int:pk>/reponse/documents/", views.answer_attach, name="ciq-answer-attach"),
    path("reponses/documents/<int:pk>/", views.answer_attachment_download, name="ciq-answer-attachment"),
    path("mes-consultations/", views.my_consultations, name="ciq-my-consultations"),
]
