"""The JSON twins under /api/ciq/ (concerto/urls.py, before /api/'s own routes)."""

from django.urls import path

from . import api

urlpatterns = [
    path("documents", api.documents, name="api-ciq-documents"),
    path("orders", api.order_directory, name="api-ciq-orders"),
]
