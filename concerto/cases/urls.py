from django.urls import path

from . import views

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("<str:reference>/", views.case_detail, name="case-detail"),
    path("<str:reference>/resume/", views.case_summary, name="case-summary"),
    path("<str:reference>/etat/", views.case_state, name="case-state"),
    path("<str:reference>/publier/", views.case_publish, name="case-publish"),
]
