"""The library's search: accent- and case-insensitive on every database,
French full-text (stemming) on PostgreSQL, never a draft."""

import pytest
from django.db import connection

from concerto.information.library import load_entries

from .factories import InformationDocumentFactory, PublishedOpinionFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="la recherche plein texte française est celle de PostgreSQL"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _titles(query, **filters):
    return [e.title for e in load_entries(query=query, **filters)]


def test_search_ignores_accents_ligatures_and_case(db):
    InformationDocumentFactory(title="Fiche sur l’ŒUVRE des ordres", summary="Étudiants étrangers.")
    InformationDocumentFactory(title="Autre document", summary="Rien à voir.")
    assert _titles("oeuvre") == ["Fiche sur l’ŒUVRE des ordres"]
    assert _titles("ETUDIANTS ETRANGERS") == ["Fiche sur l’ŒUVRE des ordres"]
    assert _titles("étudiants") == ["Fiche sur l’ŒUVRE des ordres"]


def test_every_word_must_be_found(db):
    InformationDocumentFactory(title="Reconnaissance des acquis")
    assert _titles("reconnaissance acquis") == ["Reconnaissance des acquis"]
    assert _titles("reconnaissance permis") == []


def test_a_word_fragment_or_a_reference_is_found(db):
    InformationDocumentFactory(title="Rapport annuel 2023-2024")
    PublishedOpinionFactory(reference="AVIS-2025-11", title="Avis sur le règlement")
    assert _titles("2023-2024") == ["Rapport annuel 2023-2024"]
    assert _titles("avis-2025-11") == ["Avis sur le règlement"]


def test_search_finds_documents_and_opinions_together(db):
    InformationDocumentFactory(title="Étude sur la formation continue")
    PublishedOpinionFactory(title="Avis sur la formation continue")
    assert set(_titles("formation continue")) == {
        "Étude sur la formation continue",
        "Avis sur la formation continue",
    }


def test_search_never_finds_a_draft_or_an_unpublished_opinion(db):
    InformationDocumentFactory(title="Étude confidentielle", draft=True)
    PublishedOpinionFactory(title="Avis confidentiel", published=False)
    assert _titles("confidentiel") == []
    assert _titles("confidentielle") == []


@postgresql_only
def test_french_full_text_search_finds_other_forms_of_a_word(db):
    InformationDocumentFactory(title="Étude", summary="Le règlement de l’ordre professionnel.")
    PublishedOpinionFactory(title="Avis", summary="Sur le règlement.")
    # « règlements » is not a substring of « règlement »: French stemming finds it.
    assert set(_titles("règlements professionnels")) == {"Étude"}
    assert set(_titles("reglements")) == {"Étude", "Avis"}


@postgresql_only
def test_french_full_text_search_ignores_french_stop_words(db):
    InformationDocumentFactory(title="Guide", summary="Accès aux professions réglementées.")
    assert _titles("l’accès aux professions réglementée") == ["Guide"]
