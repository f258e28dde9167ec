from django.urls import path

from . import views

urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("ouvrir/", views.campaign_open, name="campaign-open"),
    path("<str:as_of>/", views.campaign_dashboard, name="campaign-dashboard"),
    path("<str:as_of>/rappeler/", views.campaign_remind, name="campaign-remind"),
    path("<str:as_of>/retards.<str:fmt>", views.campaign_late_export, name="campaign-late-export"),
    path("<str:as_of>/mesures/<int:number>/", views.draft_detail, name="draft-detail"),
    path("<str:as_of>/mesures/<int:number>/enregistrer/", views.draft_save, name="draft-save"),
    path("<str:as_of>/mesures/<int:number>/decision/", views.draft_review, name="draft-review"),
    path("<str:as_of>/mesures/<int:number>/commenter/", views.draft_comment, name="draft-comment"),
]
