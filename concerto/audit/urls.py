from django.urls import path

from . import views

# Included under plans/<slug:slug>/mesures/<int:number>/historique/
urlpatterns = [
    path("", views.measure_history_page, name="measure-history"),
]
