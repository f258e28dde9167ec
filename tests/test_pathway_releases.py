"""Releases: prepared by an analyst, frozen, approved by another person; pathway_tables; inbox; demo."""

import datetime
import hashlib
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from concerto.accounts.models import Role
from concerto.core.demo import DEMO_MARK
from concerto.organizations.models import Organization
from concerto.pathway import diag_registry, releases
from concerto.pathway.models import Submission
from concerto.pathway.release_models import Release
from concerto.pathway.rules import OWNER_CODE
from tests.factories import OrganizationFactory, UserFactory
from tests.support.pathway_stored import store_real, store_synthetic

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 4, 1)


@pytest.fixture
def office():
    return OrganizationFactory(code=OWNER_CODE, kind=Organization.Kind.PUBLIC_BODY)


@pytest.fixture
def order():
    return OrganizationFactory(
        code="ordre-des-chimistes-du-quebec",
        name="Ordre des chimistes",
        kind=Organization.Kind.PROFESSIONAL_ORDER,
    )


@pytest.fixture
def analyst(office):
    return UserFactory(member_of=(office, Role.ANALYST))


@pytest.fixture
def officer(office):
    return UserFactory(member_of=(office, Role.PRIVACY_OFFICER))


@pytest.fixture
def data(order, tmp_path):
    return store_synthetic(order, tmp_path, applications=120)


def prepare(analyst, **overrides):
    options = {
        "title": "Tableaux",
        "synthetic": True,
        "threshold": 5,
        "audience": Release.PUBLIC,
        "tables": [("route", "decision")],
        "curve": False,
    }
    return releases.prepare_release(user=analyst, **(options | overrides))


def test_a_release_freezes_its_tables_and_files_with_their_sha256(analyst, data):
    release = prepare(analyst, tables=[("route", "decision"), ("order", "year")])
    assert release.state == Release.State.AWAITING
    assert release.rules["threshold"] == 5
    tables = list(release.tables.all())
    assert [t.position for t in tables] == [1, 2]
    assert tables[0].rows[0][0] == "Voie d’admission (Données synthétiques)"
    assert tables[0].rows[-1][0] == "Total" and tables[0].rows[0][-1] == "Total"
    assert tables[0].audit["passed"]
    for file in tables[0].files.all():
        assert file.sha256 == hashlib.sha256(bytes(file.content)).hexdigest()
    csv_text = bytes(tables[0].files.get(format="csv").content).decode()
    assert csv_text.splitlines()[0].startswith("Voie d’admission (Données synthétiques),")
    sheet = load_workbook(io.BytesIO(bytes(tables[0].files.get(format="xlsx").content)))
    assert "Données synthétiques" in sheet["Notes"]["A1"].value
    with pytest.raises(ValueError, match="figé"):
        tables[0].files.first().save()


def test_a_published_curve_stops_where_fewer_than_the_threshold_are_at_risk(analyst, data):
    release = prepare(analyst, tables=[], curve=True, threshold=10)
    rows = release.tables.get().rows
    assert rows[0][-1] == "Nombre à risque"
    assert min(r[-1] for r in rows[1:]) >= 10


def test_only_an_analyst_prepares_and_with_two_different_dimensions(officer, analyst, data):
    with pytest.raises(releases.ReleaseRefused, match="analystes"):
        prepare(officer)
    with pytest.raises(releases.ReleaseRefused, match="deux dimensions"):
        prepare(analyst, tables=[("route", "route")])
    with pytest.raises(releases.ReleaseRefused, match="Aucune donnée réelles"):
        prepare(analyst, synthetic=False)
    assert not Release.objects.exists()


def test_the_preparer_may_not_approve_their_own_release(office, data):
    both = UserFactory(member_of=[(office, Role.ANALYST)])
    release = prepare(both)
    both.memberships.update(role=Role.PRIVACY_OFFICER)
    both = type(both).objects.get(pk=both.pk)  # memberships are read once per user object
    with pytest.raises(releases.ReleaseRefused, match="autre personne"):
        releases.approve_release(user=both, release=release)


def test_a_decided_release_cannot_be_decided_again(analyst, officer, data):
    release = releases.approve_release(user=officer, release=prepare(analyst))
    assert (release.state, release.decided_by) == (Release.State.APPROVED, officer)
    with pytest.raises(releases.ReleaseRefused, match="déjà"):
        releases.return_release(user=officer, release=release, note="Trop tard")


def test_pathway_tables_writes_the_protected_table(data, tmp_path):
    out = tmp_path / "t.csv"
    stdout = StringIO()
    call_command(
        "pathway_tables",
        "--rows",
        "route",
        "--columns",
        "decision",
        "--synthetic",
        "-o",
        str(out),
        stdout=stdout,
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Voie d’admission (Données synthétiques),Reconnaissance complète")
    assert lines[-1].startswith("Total,")
    assert "audit réussi" in stdout.getvalue()
    xlsx = tmp_path / "t.xlsx"
    call_command(
        "pathway_tables",
        "--rows",
        "year",
        "--columns",
        "route",
        "--synthetic",
        "--format",
        "xlsx",
        "-o",
        str(xlsx),
        stdout=StringIO(),
    )
    assert load_workbook(xlsx)["Tableau"]["A2"].value == "Année de la demande (Données synthétiques)"


def test_pathway_tables_refuses_a_leaking_table_naming_why(order, tmp_path):
    # Two refusals among 12 applications from one country: hidden alone, they come back from the total.
    lines = ["chimiste,FR,diploma_equivalence,2024-01-10,2024-04-01,full_recognition,"] * 10
    lines += ["chimiste,FR,diploma_equivalence,2024-01-10,2024-04-01,refusal,"] * 2
    store_real(order, tmp_path, lines)
    out = tmp_path / "t.csv"
    with pytest.raises(CommandError, match="recalculable"):
        call_command(
            "pathway_tables",
            "--rows",
            "country",
            "--columns",
            "decision",
            "--primary-only",
            "-o",
            str(out),
            stdout=StringIO(),
        )
    assert not out.exists()
    call_command(
        "pathway_tables", "--rows", "country", "--columns", "decision", "-o", str(out), stdout=StringIO()
    )
    assert out.read_text(encoding="utf-8").splitlines()[1].split(",")[1:4] == ["x", "0", "x"]


def test_pathway_tables_names_an_unknown_dimension(data, tmp_path):
    with pytest.raises(CommandError, match="--rows : dimension inconnue « pays »"):
        call_command("pathway_tables", "--rows", "pays", "--columns", "route", "-o", str(tmp_path / "t.csv"))


def test_the_privacy_officer_is_asked_to_approve(analyst, officer, data):
    release = prepare(analyst)
    (task,) = diag_registry.release_tasks(officer, today=TODAY)
    assert "Tableaux" in task.title and task.url.endswith(f"/diffusions/{release.pk}/")
    assert diag_registry.release_tasks(analyst, today=TODAY) == []
    releases.approve_release(user=officer, release=release)
    assert diag_registry.release_tasks(officer, today=TODAY) == []


def test_the_analyst_sees_a_returned_release_until_they_prepare_another(analyst, officer, data):
    release = prepare(analyst)
    releases.return_release(user=officer, release=release, note="Regrouper les voies.")
    (task,) = diag_registry.release_tasks(analyst, today=TODAY)
    assert task.detail == "Regrouper les voies." and task.status == "Retournée"
    prepare(analyst, title="Tableaux, version 2")
    assert diag_registry.release_tasks(analyst, today=TODAY) == []


def test_the_inbox_source_reads_a_constant_number_of_queries(
    analyst, officer, data, django_assert_max_num_queries
):
    for n in range(3):
        prepare(analyst, title=f"Tableaux {n}")
    officer = type(officer).objects.get(pk=officer.pk)
    with django_assert_max_num_queries(3):
        assert len(diag_registry.release_tasks(officer, today=TODAY)) == 3


def test_the_demo_loads_a_synthetic_set_for_each_order_and_a_public_release_once(
    office, order, settings, monkeypatch
):
    OrganizationFactory(code="ordre-des-agronomes-du-quebec", kind=Organization.Kind.PROFESSIONAL_ORDER)
    monkeypatch.setattr(diag_registry, "DEMO_APPLICATIONS_PER_ORDER", 40)
    lines = []
    summary = diag_registry.load_pathway_demo(out=lines.append)
    assert "2 ordres × 40" in summary
    assert set(Submission.objects.values_list("synthetic", "row_count")) == {(True, 40)}
    release = Release.objects.get()
    assert (
        release.title.startswith(DEMO_MARK) and release.synthetic and release.state == Release.State.APPROVED
    )
    diag_registry.load_pathway_demo(out=lines.append)
    assert Submission.objects.count() == 2 and Release.objects.count() == 1


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_register_and_public_list_queries_do_not_grow_with_releases(client, analyst, officer, data):
    from django.urls import reverse

    releases.approve_release(user=officer, release=prepare(analyst, title="Premier"))
    client.force_login(officer)
    register, public = reverse("pathway-release-register"), reverse("pathway-public")
    few = (_queries(client, register), _queries(client, public))
    for n in range(3):
        releases.approve_release(user=officer, release=prepare(analyst, title=f"Suivant {n}"))
    assert (_queries(client, register), _queries(client, public)) == few


def test_an_analyst_without_releases_has_no_release_task(analyst, officer):
    assert diag_registry.release_tasks(analyst, today=TODAY) == []
    assert diag_registry.release_tasks(officer, today=TODAY) == []
