"""The CIQ's library and content pages in a backup: written whole with every
plan (they belong to none), restored exactly, kept when already there,
refused cleanly when altered."""

import base64
import datetime

import pytest
from django.apps import apps
from django.db import connection

from concerto.backups.services import export_plan, restore_plan
from concerto.core.dataload import DataError
from concerto.information import services
from concerto.information.models import Document, Page, PageVersion
from concerto.plans.models import Plan

from .factories import (
    INFORMATION_PDF,
    InformationDocumentFactory,
    InformationPageFactory,
    UserFactory,
    build_clean_plan,
    ciq_organization,
)

pytestmark = pytest.mark.django_db
KEPT = {"contenttypes", "auth.permission"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _wipe(kept=KEPT):
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in kept or model._meta.label_lower in kept:
            continue
        model._base_manager.all()._raw_delete(connection.alias)


@pytest.fixture
def document():
    ciq = ciq_organization()
    plan = build_clean_plan(1)
    InformationDocumentFactory(owner=ciq, title="Étude publiée", date=datetime.date(2025, 2, 1))
    InformationDocumentFactory(owner=ciq, title="Guide en brouillon", kind="guide", draft=True)
    page = InformationPageFactory(owner=ciq, slug="le-systeme", title="Le système", body="Premier texte.")
    staff = UserFactory(username="coordination-ciq", coordinator_of=ciq)
    services.save_page(
        owner=ciq,
        page=page,
        slug="le-systeme",
        title="Le système",
        body="Deuxième *texte*.",
        based_on=1,
        user=staff,
    )
    return export_plan(plan=plan)


def test_every_document_and_page_is_written_whole(document):
    part = document["information"]
    assert [(d["title"], d["published_at"] is not None) for d in part["documents"]] == [
        ("Guide en brouillon", False),
        ("Étude publiée", True),
    ]
    assert base64.b64decode(part["documents"][0]["content"]) == INFORMATION_PDF
    (page,) = part["pages"]
    assert [(v["number"], v["created_by"]) for v in page["versions"]] == [(1, None), (2, "coordination-ciq")]


def test_a_restoration_gives_back_documents_files_states_and_versions(document):
    _wipe()
    restore_plan(data=document)
    restored = {d.title: d for d in Document.objects.all()}
    assert {t: d.is_published for t, d in restored.items()} == {
        "Étude publiée": True,
        "Guide en brouillon": False,
    }
    with restored["Étude publiée"].file.open("rb") as handle:
        assert handle.read() == INFORMATION_PDF
    page = Page.objects.get()
    assert (page.version, page.body_html) == (2, "<p>Deuxième <em>texte</em>.</p>")
    assert list(PageVersion.objects.order_by("number").values_list("number", "body")) == [
        (1, "Premier texte."),
        (2, "Deuxième *texte*."),
    ]
    assert export_plan(plan=Plan.objects.get())["information"] == document["information"]


def test_what_exists_already_is_kept_and_said(document):
    _wipe(kept=KEPT | {"organizations", "auth", "accounts"})
    InformationPageFactory(
        owner=ciq_organization(), slug="le-systeme", title="Le système", body="Texte revu."
    )
    notes = []
    restore_plan(data=document, notes=notes)
    page = Page.objects.get()
    assert (page.version, page.body) == (1, "Texte revu.")
    assert any("« le-systeme » : page déjà présente, gardée telle quelle" in n for n in notes)
    assert Document.objects.count() == 2


def test_an_altered_file_is_refused_and_nothing_is_written(document):
    document["information"]["documents"][0]["content"] = base64.b64encode(b"%PDF-1.4 autre").decode()
    _wipe()
    with pytest.raises(DataError, match="SHA-256"):
        restore_plan(data=document)
    assert not Document.objects.exists()


def test_a_backup_without_the_section_restores_without_it(document):
    del document["information"]
    _wipe()
    restore_plan(data=document)
    assert not Document.objects.exists() and not Page.objects.exists()
