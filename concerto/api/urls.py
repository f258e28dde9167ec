"""The JSON paths under /api/ (the documentation page /api/ itself is a
translated page, in concerto/urls.py)."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("openapi.json", views.openapi, name="api-openapi"),
    path("plans/<slug:slug>/status", views.plan_status, name="api-plan-status"),
    path("recommendations", views.recommendations, name="api-recommendations"),
    path("cases", views.cases, name="api-cases"),
    path("organizations", views.organizations, name="api-organizations"),
    # Any other path under /api/ answers a JSON 404, not the HTML page.
    re_path(r"^(?P<rest>.+)$", views.unknown_path),
]
