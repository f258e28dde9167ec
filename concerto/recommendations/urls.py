from django.urls import path

from . import views

urlpatterns = [
    path("", views.recommendation_list, name="recommendation-list"),
    path("mes-recommandations/", views.my_recommendations, name="recommendation-mine"),
    path("recherche/", views.recommendation_search, name="recommendation-search"),
    path("nouvelle/", views.recommendation_create, name="recommendation-create"),
    path("documents/<int:pk>/", views.attachment_download, name="recommendation-attachment"),
    path("<slug:number>/", views.recommendation_detail, name="recommendation-detail"),
    path("<slug:number>/modifier/", views.recommendation_edit, name="recommendation-edit"),
    path("<slug:number>/transmettre/", views.recommendation_send, name="recommendation-send"),
    path("<slug:number>/reception/", views.recommendation_receive, name="recommendation-receive"),
    path("<slug:number>/publication/", views.recommendation_publish, name="recommendation-publish"),
    path("<slug:number>/fermer/", views.recommendation_close, name="recommendation-close"),
    path("<slug:number>/documents/", views.recommendation_attach, name="recommendation-attach"),
    path("<slug:number>/reponse/", views.answer_file, name="recommendation-answer"),
]
