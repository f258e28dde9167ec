"""Who reaches the diagnosis, an order's indicators, the release register and the public tables.

Roles: anonymous, a data submitter of the order, a submitter of another order,
a coordinator of the Office, an analyst, the privacy officer, a coordinator
of the CIQ. A marker pseudonym never appears in any page, file, e-mail or log.
"""

import logging
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from concerto.accounts.models import Role
from concerto.organizations.models import Organization
from concerto.pathway import releases
from concerto.pathway.pseudonyms import rekey
from concerto.pathway.release_models import Release
from concerto.pathway.rules import OWNER_CODE
from tests.factories import OrganizationFactory, UserFactory
from tests.support.pathway_stored import KEY, MARKER, store_real, store_synthetic

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "submitter",
    "other_submitter",
    "office_coordinator",
    "analyst",
    "privacy_officer",
    "ciq",
)
REAL_LINES = [
    f"chimiste,{country},diploma_equivalence,2023-0{1 + k % 6}-10,2023-0{2 + k % 6}-01,{decision},"
    for k, (country, decision) in enumerate(
        [("FR", "full_recognition")] * 9 + [("MA", "partial_recognition")] * 7 + [("HT", "refusal")] * 2
    )
]


class World:
    def __init__(self, tmp_path):
        self.office = OrganizationFactory(code=OWNER_CODE, kind=Organization.Kind.PUBLIC_BODY)
        self.ciq = OrganizationFactory(
            code="conseil-interprofessionnel-du-quebec", kind=Organization.Kind.PUBLIC_BODY
        )
        self.order = OrganizationFactory(
            code="ordre-des-chimistes-du-quebec",
            name="Ordre des chimistes",
            kind=Organization.Kind.PROFESSIONAL_ORDER,
        )
        self.other = OrganizationFactory(
            code="ordre-des-agronomes-du-quebec",
            name="Ordre des agronomes",
            kind=Organization.Kind.PROFESSIONAL_ORDER,
        )
        self.users = {
            "submitter": UserFactory(member_of=(self.order, Role.DATA_SUBMITTER)),
            "other_submitter": UserFactory(member_of=(self.other, Role.DATA_SUBMITTER)),
            "office_coordinator": UserFactory(coordinator_of=self.office),
            "analyst": UserFactory(member_of=(self.office, Role.ANALYST)),
            "privacy_officer": UserFactory(member_of=(self.office, Role.PRIVACY_OFFICER)),
            "ciq": UserFactory(coordinator_of=self.ciq),
        }
        store_real(self.order, tmp_path, REAL_LINES)
        store_real(self.other, tmp_path, REAL_LINES[:12])
        store_synthetic(self.order, tmp_path, applications=60)
        self.approved = releases.prepare_release(
            user=self.users["analyst"],
            title="Tableaux 2025",
            synthetic=False,
            threshold=5,
            audience=Release.PUBLIC,
            tables=[("order", "decision")],
            curve=True,
        )
        releases.approve_release(user=self.users["privacy_officer"], release=self.approved)
        self.awaiting = releases.prepare_release(
            user=self.users["analyst"],
            title="Pour le ministère",
            synthetic=False,
            threshold=5,
            audience="Ministère",
            tables=[("country", "decision")],
        )

    def client(self, role) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


def statuses(world, url, method="get", data=None):
    return {role: getattr(world.client(role), method)(url, data or {}).status_code for role in ROLES}


def expected(allowed: set[str], *, refused=403) -> dict:
    return {role: 200 if role in allowed else 302 if role == "anonymous" else refused for role in ROLES}


def test_only_analysts_reach_the_diagnosis(world):
    assert statuses(world, reverse("pathway-diagnosis")) == expected({"analyst"})


def test_only_the_orders_submitters_reach_its_indicators(world):
    url = reverse("pathway-order-indicators", args=[world.order.code])
    assert statuses(world, url) == expected({"submitter"})


def test_the_release_register_is_for_analysts_and_the_privacy_officer(world):
    assert statuses(world, reverse("pathway-release-register")) == expected({"analyst", "privacy_officer"})
    detail = reverse("pathway-release-detail", args=[world.awaiting.pk])
    assert statuses(world, detail) == expected({"analyst", "privacy_officer"})


def test_only_analysts_prepare_a_release(world):
    assert statuses(world, reverse("pathway-release-prepare")) == expected({"analyst"})


def test_only_the_privacy_officer_decides_and_others_change_nothing(world):
    url = reverse("pathway-release-decide", args=[world.awaiting.pk])
    for role in ROLES:
        if role == "privacy_officer":
            continue
        response = world.client(role).post(url, {"decision": "approve"})
        assert response.status_code == (302 if role == "anonymous" else 403), role
        world.awaiting.refresh_from_db()
        assert world.awaiting.state == Release.State.AWAITING
    response = world.client("privacy_officer").post(url, {"decision": "approve"})
    assert response.status_code == 302
    world.awaiting.refresh_from_db()
    assert world.awaiting.state == Release.State.APPROVED
    assert world.awaiting.decided_by == world.users["privacy_officer"]


def test_the_decision_refuses_get(world):
    client = world.client("privacy_officer")
    assert client.get(reverse("pathway-release-decide", args=[world.awaiting.pk])).status_code == 405


def test_the_privacy_officer_returns_a_release_with_a_reason(world):
    client = world.client("privacy_officer")
    url = reverse("pathway-release-decide", args=[world.awaiting.pk])
    client.post(url, {"decision": "return", "note": ""})
    world.awaiting.refresh_from_db()
    assert world.awaiting.state == Release.State.AWAITING
    client.post(url, {"decision": "return", "note": "Regrouper les pays."})
    world.awaiting.refresh_from_db()
    assert (world.awaiting.state, world.awaiting.decision_note) == (
        Release.State.RETURNED,
        "Regrouper les pays.",
    )


def test_everyone_sees_the_public_tables_and_only_approved_public_ones(world):
    assert statuses(world, reverse("pathway-public")) == dict.fromkeys(ROLES, 200)
    assert statuses(world, reverse("pathway-public-release", args=[world.approved.pk])) == dict.fromkeys(
        ROLES, 200
    )
    assert statuses(world, reverse("pathway-public-release", args=[world.awaiting.pk])) == dict.fromkeys(
        ROLES, 404
    )
    page = Client().get(reverse("pathway-public")).content.decode()
    assert "Tableaux 2025" in page and "Pour le ministère" not in page


def test_a_frozen_file_of_an_unapproved_release_is_for_release_staff_only(world):
    public = reverse("pathway-release-file", args=[world.approved.pk, 1, "csv"])
    assert statuses(world, public) == dict.fromkeys(ROLES, 200)
    private = reverse("pathway-release-file", args=[world.awaiting.pk, 1, "xlsx"])
    allowed = {"analyst", "privacy_officer"}
    assert statuses(world, private) == {role: 200 if role in allowed else 404 for role in ROLES}


def test_the_public_page_is_served_from_the_frozen_rows(world, django_assert_max_num_queries):
    client = Client()
    url = reverse("pathway-public-release", args=[world.approved.pk])
    with django_assert_max_num_queries(6):
        page = client.get(url).content.decode()
    assert "Ordre des chimistes" in page and "Total" in page


def test_the_analyst_page_says_when_data_are_synthetic(world):
    page = (
        world.client("analyst")
        .get(reverse("pathway-diagnosis"), {"donnees": "synthetiques"})
        .content.decode()
    )
    assert (
        page.rsplit("</form>", 1)[1].count("Données synthétiques") >= 3
    )  # heading, banner, every chart and table
    real = world.client("analyst").get(reverse("pathway-diagnosis"), {"donnees": "reelles"}).content.decode()
    assert "Données synthétiques" not in real.rsplit("</form>", 1)[1]  # only the filter's choice says it
    assert "Kaplan–Meier" in real and "Aalen–Johansen" in real and "Goulot" in real


def test_the_orders_view_shows_its_figures_beside_the_protected_system(world):
    page = world.client("submitter").get(reverse("pathway-order-indicators", args=[world.order.code]))
    text = page.content.decode()
    assert "Votre ordre" in text and "Ensemble du système" in text
    assert ">x<" in text  # two refusals: suppressed
    assert "Ordre des agronomes" not in text  # the system's figures are grouped by route, never by order


def test_a_marker_pseudonym_never_appears_anywhere(world, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    stored = rekey(MARKER, KEY)
    seen = []
    for role in ROLES:
        client = world.client(role)
        for url in (
            reverse("pathway-diagnosis"),
            reverse("pathway-diagnosis") + "?par=country",
            reverse("pathway-order-indicators", args=[world.order.code]),
            reverse("pathway-release-register"),
            reverse("pathway-release-detail", args=[world.approved.pk]),
            reverse("pathway-public"),
            reverse("pathway-public-release", args=[world.approved.pk]),
            reverse("pathway-release-file", args=[world.approved.pk, 1, "csv"]),
            reverse("pathway-release-file", args=[world.approved.pk, 1, "xlsx"]),
            reverse("pathway-release-file", args=[world.approved.pk, 2, "csv"]),
        ):
            seen.append(client.get(url).content)
    out = tmp_path / "tableau.csv"
    stdout = StringIO()
    call_command("pathway_tables", "--rows", "order", "--columns", "decision", "-o", str(out), stdout=stdout)
    seen += [out.read_bytes(), stdout.getvalue().encode()]
    seen += [m.message().as_bytes() for m in mail.outbox]
    seen.append(caplog.text.encode())
    for blob in seen:
        assert MARKER.encode() not in blob and stored.encode() not in blob
