from django.urls import path

from . import views

# Under /ciq/activites/ (concerto/urls.py). Fixed words come before <slug>.
urlpatterns = [
    path("", views.activity_list, name="activity-list"),
    path("calendrier.ics", views.calendar_feed, name="activity-calendar"),
    path("mes-inscriptions/", views.my_registrations, name="activity-my-registrations"),
    path("gestion/", views.staff_list, name="activity-staff-list"),
    path("gestion/nouvelle/", views.activity_create, name="activity-create"),
    path("gestion/ordres/", views.by_order, name="activity-by-order"),
    path("gestion/ordres/<slug:code>/", views.order_registrations, name="activity-order-registrations"),
    path("gestion/inscriptions.<str:fmt>", views.all_export, name="activity-export"),
    path("seances/<int:pk>/inscription/", views.register, name="activity-register"),
    path("seances/<int:pk>/modifier/", views.session_edit, name="activity-session-edit"),
    path("seances/<int:pk>/inscrits/", views.session_registrations, name="activity-session-registrations"),
    path("seances/<int:pk>/presences/", views.session_attendance, name="activity-attendance"),
    path("seances/<int:pk>/inscrits.<str:fmt>", views.session_export, name="activity-session-export"),
    path("inscriptions/<int:pk>/annuler/", views.cancel, name="activity-cancel"),
    path("inscriptions/<int:pk>/attestation/", views.certificate, name="activity-certificate"),
    path("<slug:slug>/", views.activity_detail, name="activity-detail"),
    path("<slug:slug>/modifier/", views.activity_edit, name="activity-edit"),
    path("<slug:slug>/seances/nouvelle/", views.session_create, name="activity-session-create"),
]
