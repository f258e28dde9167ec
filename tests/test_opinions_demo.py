"""The opinions' part of ``load_demo``: on the CIQ's demonstration file, an opinion
that cites the orders' answers, adopted, sent, published and followed up."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from concerto.opinions.demo import load_opinions_demo
from concerto.opinions.models import Citation, Opinion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def test_without_the_ciq_demonstration_file_nothing_is_loaded(organizations):
    lines = []
    assert "aucun avis" in load_opinions_demo(out=lines.append)
    assert not Opinion.objects.exists()


def test_the_demonstration_opinion_tells_the_whole_story_once(organizations, settings):
    settings.CONCERTO_DEMO_DATA = True
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())  # idempotent
    opinion = Opinion.objects.get()
    assert opinion.is_demo and opinion.title.startswith("Démonstration")
    assert opinion.versions.count() == 2
    assert opinion.adopted_on and opinion.sent_on and opinion.letter
    publication = opinion.publications.get()
    assert {d.format for d in publication.documents.all()} == {"pdf", "docx"}
    assert opinion.events.exists() and opinion.point_outcomes.count() == 3
    # Citations carried into the published version; some answers are left to reflect.
    cited = set(
        Citation.objects.filter(paragraph__version=publication.text_version).values_list(
            "answer_id", flat=True
        )
    )
    submitted = set(opinion.consultation.answers.filter(state="submitted").values_list("pk", flat=True))
    assert cited and cited < submitted
    page = Client().get(reverse("opinion-public", args=[opinion.reference])).content.decode()
    assert "Données de démonstration" in page
    story = Client().get(reverse("opinion-dossier-story", args=[opinion.dossier.reference])).content.decode()
    assert "8. Le suivi" in story and "Données de démonstration" in story
