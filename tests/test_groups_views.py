"""The CIQ groups' pages, for every role: anonymous, a member of the group, a
member of another group, an order's staff, the CIQ's staff, the Office's
staff. Private texts never reach the public pages, the JSON twin or the
sections; list pages keep a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerto.groups.models import ActionItem, AgendaItem, Decision, Group, Meeting, Membership, Minutes
from tests.factories import GroupFactory, GroupMembershipFactory, MeetingFactory, OrderFactory
from tests.support.documents import pdf
from tests.support.groups import MEMBER_EMAIL, MEMBER_NAME, PRIVATE, ROLES, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

LOGIN = "login"


@pytest.fixture
def world():
    return build_world()


def client_for(world, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def outcome(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return response.status_code


# --- private pages, role by role ------------------------------------------------------------

READER_PAGES = {
    "workspace": lambda w: reverse("groups-workspace", args=[w.group.slug]),
    "meeting": lambda w: reverse("groups-meeting", args=[w.meeting.pk]),
    "document": lambda w: reverse("groups-document", args=[w.document.pk]),
}
STAFF_PAGES = {
    "staff-list": lambda w: reverse("groups-staff-list"),
    "create": lambda w: reverse("groups-create"),
    "edit": lambda w: reverse("groups-edit", args=[w.group.slug]),
    "meeting-create": lambda w: reverse("groups-meeting-create", args=[w.group.slug]),
    "meeting-edit": lambda w: reverse("groups-meeting-edit", args=[w.meeting.pk]),
}
EXPECTED_READER = {
    "anonymous": LOGIN,
    "member": 200,
    "other_member": 404,
    "order_staff": 404,
    "ciq_staff": 200,
    "office_staff": 404,
}
EXPECTED_STAFF = EXPECTED_READER | {"member": 404}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(READER_PAGES))
def test_members_and_ciq_staff_read_the_private_pages_others_get_404(world, role, page):
    response = client_for(world, role).get(READER_PAGES[page](world))
    assert outcome(response) == EXPECTED_READER[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(STAFF_PAGES))
def test_only_ciq_staff_reach_the_management_pages(world, role, page):
    response = client_for(world, role).get(STAFF_PAGES[page](world))
    assert outcome(response) == EXPECTED_STAFF[role]


def test_a_past_member_no_longer_reads_the_group(world):
    world.membership.term_end = timezone.localdate() - datetime.timedelta(days=1)
    world.membership.save()
    response = client_for(world, "member").get(READER_PAGES["meeting"](world))
    assert response.status_code == 404


def test_the_member_page_and_calendar_token_need_a_sign_in(world):
    client = Client()
    assert outcome(client.get(reverse("groups-mine"))) == LOGIN
    assert outcome(client.post(reverse("groups-calendar-token"))) == LOGIN


def test_someone_without_a_group_cannot_get_a_calendar_token(world):
    response = client_for(world, "order_staff").post(reverse("groups-calendar-token"))
    assert response.status_code == 404


def _staff_posts(w):
    return {
        "member-add": (
            reverse("groups-member-add", args=[w.group.slug]),
            {"name": "Nouvelle", "organization": w.order_b.pk, "role": "member", "term_start": "2025-01-01"},
            lambda: Membership.objects.filter(name="Nouvelle").exists(),
        ),
        "member-end": (
            reverse("groups-member-end", args=[w.membership.pk]),
            {"term_end": "2025-01-31"},
            lambda: Membership.objects.get(pk=w.membership.pk).term_end is not None,
        ),
        "agenda-add": (
            reverse("groups-agenda-add", args=[w.meeting.pk]),
            {"title": "Point nouveau"},
            lambda: AgendaItem.objects.filter(title="Point nouveau").exists(),
        ),
        "document-add": (
            reverse("groups-document-add", args=[w.item.pk]),
            {"title": "Doc nouveau", "file": pdf("doc.pdf")},
            lambda: w.item.documents.filter(title="Doc nouveau").exists(),
        ),
        "attendance": (
            reverse("groups-attendance", args=[w.meeting.pk]),
            {f"member-{w.membership.pk}": "present"},
            lambda: w.meeting.attendances.filter(status="present").exists(),
        ),
        "minutes": (
            reverse("groups-minutes", args=[w.meeting.pk]),
            {"body": "Texte modifié"},
            lambda: Minutes.objects.get(pk=w.minutes.pk).body == "Texte modifié",
        ),
        "minutes-adopt": (
            reverse("groups-minutes-adopt", args=[w.meeting.pk]),
            {"at": w.later.pk},
            lambda: Minutes.objects.get(pk=w.minutes.pk).is_adopted,
        ),
        "decision-add": (
            reverse("groups-decision-add", args=[w.meeting.pk]),
            {"text": "Décision nouvelle"},
            lambda: Decision.objects.filter(text="Décision nouvelle").exists(),
        ),
        "action-add": (
            reverse("groups-action-add", args=[w.meeting.pk]),
            {"text": "Suivi nouveau", "owner_membership": w.membership.pk, "due_on": "2025-05-01"},
            lambda: ActionItem.objects.filter(text="Suivi nouveau").exists(),
        ),
        "meeting-cancel": (
            reverse("groups-meeting-cancel", args=[w.later.pk]),
            {},
            lambda: Meeting.objects.get(pk=w.later.pk).status == "cancelled",
        ),
        "edit": (
            reverse("groups-edit", args=[w.group.slug]),
            {
                "kind": "committee",
                "name": "Nom changé",
                "slug": w.group.slug,
                "mandate": "Mandat.",
                "started_on": "2024-01-01",
            },
            lambda: Group.objects.get(pk=w.group.pk).name == "Nom changé",
        ),
    }


STAFF_POSTS = [
    "member-add",
    "member-end",
    "agenda-add",
    "document-add",
    "attendance",
    "minutes",
    "minutes-adopt",
    "decision-add",
    "action-add",
    "meeting-cancel",
    "edit",
]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "ciq_staff"])
@pytest.mark.parametrize("action", STAFF_POSTS)
def test_a_staff_action_is_refused_to_everyone_but_ciq_staff_and_changes_nothing(world, role, action):
    url, data, done = _staff_posts(world)[action]
    response = client_for(world, role).post(url, data)
    assert outcome(response) == (LOGIN if role == "anonymous" else 404)
    assert not done()


@pytest.mark.parametrize("action", STAFF_POSTS)
def test_ciq_staff_may_do_each_staff_action(world, action):
    url, data, done = _staff_posts(world)[action]
    response = client_for(world, "ciq_staff").post(url, data)
    assert response.status_code == 302
    assert done()


def test_ciq_staff_create_a_group_owned_by_the_ciq(world):
    response = client_for(world, "ciq_staff").post(
        reverse("groups-create"),
        {
            "kind": "working_group",
            "name": "Groupe de travail sur les stages",
            "slug": "gt-stages",
            "mandate": "Étudier les stages.",
            "started_on": "2025-01-01",
            "ended_on": "2025-12-31",
        },
    )
    assert response.status_code == 302
    assert Group.objects.get(slug="gt-stages").owner == world.ciq


def test_a_working_group_without_an_end_date_is_refused_naming_the_field(world):
    response = client_for(world, "ciq_staff").post(
        reverse("groups-create"),
        {"kind": "working_group", "name": "GT", "slug": "gt", "mandate": "M.", "started_on": "2025-01-01"},
    )
    assert response.status_code == 200
    assert "Date de fin : un groupe de travail a une date de fin." in response.content.decode()


def test_a_reserved_slug_is_refused(world):
    response = client_for(world, "ciq_staff").post(
        reverse("groups-create"),
        {"kind": "committee", "name": "X", "slug": "gestion", "mandate": "M.", "started_on": "2025-01-01"},
    )
    assert "est réservé" in response.content.decode()


def test_a_member_sees_the_minutes_read_only(world):
    page = (
        client_for(world, "member").get(reverse("groups-meeting", args=[world.meeting.pk])).content.decode()
    )
    assert "Procès-verbal confidentiel du comité" in page
    assert reverse("groups-minutes", args=[world.meeting.pk]) not in page
    assert reverse("groups-action-done", args=[world.action.pk]) in page


@pytest.mark.parametrize("role", ["member", "ciq_staff"])
def test_the_owner_and_ciq_staff_mark_an_action_item_done(world, role):
    response = client_for(world, role).post(reverse("groups-action-done", args=[world.action.pk]))
    assert response.status_code == 302
    assert ActionItem.objects.get(pk=world.action.pk).done_at is not None


@pytest.mark.parametrize("role", ["other_member", "order_staff", "office_staff"])
def test_nobody_else_marks_an_action_item_done(world, role):
    response = client_for(world, role).post(reverse("groups-action-done", args=[world.action.pk]))
    assert response.status_code == 404
    assert ActionItem.objects.get(pk=world.action.pk).done_at is None


def test_a_member_who_does_not_own_the_item_cannot_mark_it_done(world):
    colleague = GroupMembershipFactory(group=world.group, user=world.other_member, organization=world.order_b)
    assert colleague.pk
    response = client_for(world, "other_member").post(reverse("groups-action-done", args=[world.action.pk]))
    assert response.status_code == 404
    assert ActionItem.objects.get(pk=world.action.pk).done_at is None


# --- public pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_public_pages_show_orders_and_roles_never_private_texts(world, role):
    client = client_for(world, role)
    pages = [
        client.get(reverse("groups-public-list")),
        client.get(reverse("groups-public", args=[world.group.slug])),
        client.get(reverse("api-ciq-groups")),
        client.get(reverse("ciq-home")),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        assert [t for t in PRIVATE if t in text] == []
    assert "Ordre A" in pages[0].content.decode() and "Présidence" in pages[0].content.decode()
    assert "Comité de la formation" in pages[3].content.decode()


def test_the_json_twin_lists_each_group_with_its_members_orders_and_roles(world, client):
    data = client.get(reverse("api-ciq-groups")).json()
    assert data["schema"] == "concerto.ciq-groups/1"
    group = next(i for i in data["items"] if i["slug"] == world.group.slug)
    assert group["members"] == [
        {
            "organization": {"code": world.order_a.code, "acronym": None, "name": "Ordre A"},
            "affiliation": None,
            "role": "chair",
            "role_label": "Présidence",
        }
    ]
    assert MEMBER_EMAIL not in str(data) and MEMBER_NAME not in str(data)


def test_the_public_page_lists_past_members_orders_and_published_opinions_only(world, client):
    GroupMembershipFactory(
        group=world.group,
        organization=world.order_b,
        term_start=datetime.date(2024, 1, 1),
        term_end=datetime.date(2024, 6, 30),
    )
    page = client.get(reverse("groups-public", args=[world.group.slug])).content.decode()
    assert "Anciens membres" in page and "Ordre B" in page


def test_an_unknown_group_is_404(client, db):
    assert client.get(reverse("groups-public", args=["inconnu"])).status_code == 404


def test_the_orders_page_section_names_the_groups_it_sits_on(world, rf):
    from concerto.groups.views import organization_section

    section = organization_section(rf.get("/"), world.order_a)
    assert [row["group"] for row in section["rows"]] == [world.group]
    assert organization_section(rf.get("/"), OrderFactory()) is None


def test_the_orders_page_section_renders_public_facts_only(world, rf):
    from django.template.loader import render_to_string

    from concerto.groups.views import organization_section

    html = render_to_string(
        "groups/_organization_section.html", {"section": organization_section(rf.get("/"), world.order_a)}
    )
    assert "Comité de la formation" in html and "Présidence" in html
    assert [t for t in PRIVATE if t in html] == []


def test_the_english_public_list_is_translated(world, client):
    page = client.get("/en" + reverse("groups-public-list")).content.decode()
    assert "Committees, working groups and forums of the CIQ" in page


# --- query counts -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _grow(world, count):
    for _ in range(count):
        group = GroupFactory(owner=world.ciq)
        for _ in range(3):
            GroupMembershipFactory(group=group)
        MeetingFactory(group=group, starts_at=timezone.now() + datetime.timedelta(days=3))
        GroupMembershipFactory(group=world.group)
        MeetingFactory(group=world.group)


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("anonymous", lambda w: reverse("groups-public-list")),
        ("anonymous", lambda w: reverse("groups-public", args=[w.group.slug])),
        ("anonymous", lambda w: reverse("api-ciq-groups")),
        ("ciq_staff", lambda w: reverse("groups-staff-list")),
        ("ciq_staff", lambda w: reverse("groups-workspace", args=[w.group.slug])),
        ("member", lambda w: reverse("groups-mine")),
        ("member", lambda w: reverse("groups-meeting", args=[w.meeting.pk])),
    ],
)
def test_list_queries_do_not_grow_with_members_and_meetings(world, settings, role, url):
    settings.CONCERTO_API_RATE_LIMIT = 0
    client = client_for(world, role)
    few = _queries(client, url(world))
    _grow(world, 5)
    assert _queries(client, url(world)) == few
