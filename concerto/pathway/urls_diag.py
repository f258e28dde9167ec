from django.urls import path

from . import views_diag as views

urlpatterns = [
    path("diagnostic/", views.diagnosis_page, name="pathway-diagnosis"),
    path("ordres/<slug:code>/indicateurs/", views.order_indicators, name="pathway-order-indicators"),
    path("diffusions/", views.release_register, name="pathway-release-register"),
    path("diffusions/preparer/", views.release_prepare, name="pathway-release-prepare"),
    path("diffusions/<int:pk>/", views.release_detail, name="pathway-release-detail"),
    path("diffusions/<int:pk>/decision/", views.release_decide, name="pathway-release-decide"),
    path("donnees/", views.public_list, name="pathway-public"),
    path("donnees/<int:pk>/", views.public_release, name="pathway-public-release"),
    path(
        "donnees/<int:pk>/tableaux/<int:number>.<str:fmt>",
        views.release_file,
        name="pathway-release-file",
    ),
]
