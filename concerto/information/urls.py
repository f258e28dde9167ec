from django.urls import path

from . import views

# Under /ciq/ (concerto/urls.py), before the CIQ's own routes: ``documents/<int:pk>/``
# is the CIQ's files' source documents, so a library document has no page of its own
# at that address (its row in the library links to its file).
urlpatterns = [
    path("documents/", views.document_library, name="information-documents"),
    path("documents/nouveau/", views.document_create, name="information-document-create"),
    path("documents/<int:pk>/fichier/", views.document_file, name="information-document-file"),
    path("documents/<int:pk>/modifier/", views.document_edit, name="information-document-edit"),
    path("documents/<int:pk>/publier/", views.document_publish, name="information-document-publish"),
    path("documents/<int:pk>/retirer/", views.document_unpublish, name="information-document-unpublish"),
    path("ordres/", views.order_directory, name="information-orders"),
    path("ordres/<slug:code>/", views.order_page, name="information-order"),
    path("pages/", views.page_list, name="information-pages"),
    path("pages/nouvelle/", views.page_create, name="information-page-create"),
    path("pages/<slug:slug>/", views.page_detail, name="information-page"),
    path("pages/<slug:slug>/modifier/", views.page_edit, name="information-page-edit"),
    path("pages/<slug:slug>/historique/", views.page_history, name="information-page-history"),
    path("pages/<slug:slug>/versions/<int:number>/", views.page_diff, name="information-page-diff"),
]
