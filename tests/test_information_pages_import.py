"""The content page transcribed from our sources: imported once as its first
version, sanitized, never overwriting what the CIQ's staff wrote since."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from concerto.information.models import Page

from .factories import UserFactory, ciq_organization

PAGES = Path(settings.BASE_DIR) / "data" / "pages"


def _import():
    out = StringIO()
    call_command("import_pages", PAGES, stdout=out)
    return out.getvalue()


def test_the_professional_system_page_is_imported_as_its_first_version(client, organizations):
    assert "1 créées" in _import()
    page = Page.objects.get(slug="le-systeme-professionnel")
    assert (page.title, page.version, page.owner.code) == (
        "Le système professionnel",
        1,
        "conseil-interprofessionnel-du-quebec",
    )
    assert page.versions.get().note == "Transcrite de nos sources"
    shown = client.get(reverse("information-page", args=["le-systeme-professionnel"])).content.decode()
    assert "46 ordres professionnels" in shown
    assert '<a href="/ciq/ordres/"' in shown
    assert "Sources :" in shown


def test_the_counts_of_orders_by_type_are_those_of_our_data(organizations):
    from concerto.organizations.models import Organization

    orders = Organization.objects.filter(kind=Organization.Kind.PROFESSIONAL_ORDER)
    body = (PAGES / "le-systeme-professionnel.md").read_text(encoding="utf-8")
    assert f"compte {orders.count()} ordres professionnels" in body
    assert f"{orders.filter(practice='exclusive').count()} sont des ordres à **exercice exclusif**" in body
    assert f"{orders.filter(practice='reserved_title').count()} sont des ordres à **titre réservé**" in body


def test_a_second_import_leaves_the_staffs_edits_as_they_are(organizations):
    from concerto.information.services import save_page

    _import()
    page = Page.objects.get(slug="le-systeme-professionnel")
    staff = UserFactory(coordinator_of=page.owner)
    save_page(
        owner=page.owner, page=page, slug=page.slug, title=page.title, body="Revu.", based_on=1, user=staff
    )
    assert "0 créées, 1 déjà présentes" in _import()
    page.refresh_from_db()
    assert (page.version, page.body) == (2, "Revu.")


def test_the_import_needs_the_ciq(db):
    with pytest.raises(CommandError, match="importez d’abord les organisations"):
        _import()


def test_a_page_without_its_header_is_refused_naming_the_file(db, tmp_path):
    ciq_organization()
    (tmp_path / "sans-entete.md").write_text("Du texte.", encoding="utf-8")
    with pytest.raises(CommandError, match="sans-entete.md : l’en-tête YAML"):
        call_command("import_pages", tmp_path, stdout=StringIO())
    assert not Page.objects.exists()
