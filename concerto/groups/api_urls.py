"""The groups' JSON twin under /api/ (no language prefix, like the other API paths)."""

from django.urls import path

from . import views

urlpatterns = [path("", views.api_groups, name="api-ciq-groups")]
