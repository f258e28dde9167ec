from django.urls import path

from . import views

urlpatterns = [
    path("", views.public_list, name="groups-public-list"),
    path("gestion/", views.staff_list, name="groups-staff-list"),
    path("gestion/nouveau/", views.group_create, name="groups-create"),
    path("mes-groupes/", views.mine, name="groups-mine"),
    path("mes-groupes/calendrier/", views.calendar_token, name="groups-calendar-token"),
    path("calendrier/<str:token>.ics", views.calendar_feed, name="groups-calendar-feed"),
    path("membres/<int:pk>/fin/", views.member_end, name="groups-member-end"),
    path("reunions/<int:pk>/", views.meeting_detail, name="groups-meeting"),
    path("reunions/<int:pk>/modifier/", views.meeting_edit, name="groups-meeting-edit"),
    path("reunions/<int:pk>/annuler/", views.meeting_cancel, name="groups-meeting-cancel"),
    path("reunions/<int:pk>/ordre-du-jour/", views.agenda_add, name="groups-agenda-add"),
    path("reunions/<int:pk>/presences/", views.attendance, name="groups-attendance"),
    path("reunions/<int:pk>/proces-verbal/", views.minutes_save, name="groups-minutes"),
    path("reunions/<int:pk>/proces-verbal/adopter/", views.minutes_adopt, name="groups-minutes-adopt"),
    path("reunions/<int:pk>/decisions/", views.decision_add, name="groups-decision-add"),
    path("reunions/<int:pk>/suivis/", views.action_add, name="groups-action-add"),
    path("ordre-du-jour/<int:pk>/documents/", views.document_add, name="groups-document-add"),
    path("documents/<int:pk>/", views.document_download, name="groups-document"),
    path("suivis/<int:pk>/fait/", views.action_done, name="groups-action-done"),
    path("<slug:slug>/", views.public_page, name="groups-public"),
    path("<slug:slug>/espace/", views.workspace, name="groups-workspace"),
    path("<slug:slug>/modifier/", views.group_edit, name="groups-edit"),
    path("<slug:slug>/membres/", views.member_add, name="groups-member-add"),
    path("<slug:slug>/reunions/nouvelle/", views.meeting_create, name="groups-meeting-create"),
]
