"""Concerto's URLs plus a stand-in « Mes tâches » page, to test the navigation
link to it on a branch where the page itself does not exist yet."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

from concerto.urls import urlpatterns as concerto_urlpatterns

urlpatterns = [
    *concerto_urlpatterns,
    *i18n_patterns(
        path("mes-taches/", lambda request: HttpResponse(""), name="my-tasks"), prefix_default_language=False
    ),
]
