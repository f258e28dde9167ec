"""The activities' pages, role by role: public list and page, feed and JSON twin, registration,
personal pages, certificates, CIQ staff's pages and exports; query counts that do not grow."""

import datetime
import io

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from concerto.activities import services
from concerto.activities.models import Registration
from tests.factories import ActivityFactory, RegistrationFactory, SessionFactory, UserFactory
from tests.support.activities import build_world, people

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "audience", "outside", "ciq", "office")


@pytest.fixture
def world():
    return build_world(capacity=2)


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _attended(world):
    """Person A registered, the session over, A marked present."""
    registration = services.register(user=world.person_a, session=world.session).registration
    after = world.session.ends_at + datetime.timedelta(hours=1)
    services.record_attendance(
        user=world.staff, session=world.session, attendance={registration.pk: "attended"}, now=after
    )
    return registration


# --- public pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_public_list_and_page(world, role):
    client = _client(world.people[role])
    listing = client.get(reverse("activity-list"))
    assert listing.status_code == 200
    assert world.session.activity.title in listing.content.decode()
    assert client.get(reverse("activity-detail", args=[world.session.activity.slug])).status_code == 200


@pytest.mark.parametrize(
    ("role", "visible"),
    [("anonymous", False), ("audience", True), ("outside", False), ("ciq", True), ("office", False)],
)
def test_a_non_public_activity_is_seen_only_by_its_audience_and_the_ciq(world, role, visible):
    hidden = SessionFactory(
        activity__owner=world.ciq,
        activity__is_public=False,
        activity__title="Réflexion privée",
        audience=["reader"],
    )
    client = _client(world.people[role])
    assert ("Réflexion privée" in client.get(reverse("activity-list")).content.decode()) is visible
    detail = client.get(reverse("activity-detail", args=[hidden.activity.slug]))
    assert detail.status_code == (200 if visible else 404)


def test_registrants_names_never_appear_publicly(world):
    services.register(user=world.person_a, session=world.session)
    services.register(user=world.person_b, session=world.session)
    anonymous = Client()
    pages = [
        anonymous.get(reverse("activity-list")).content.decode(),
        anonymous.get(reverse("activity-detail", args=[world.session.activity.slug])).content.decode(),
        anonymous.get(reverse("activity-calendar")).content.decode(),
        anonymous.get(reverse("api-ciq-activities")).content.decode(),
        anonymous.get(reverse("ciq-home")).content.decode(),
    ]
    for page in pages:
        for person in (world.person_a, world.person_b):
            assert person.last_name not in page and person.email not in page and person.username not in page


def test_the_public_list_shows_seats_left_and_the_waiting_list(world):
    for person in [world.person_a, world.person_b, *people(1, world.order_a)]:
        services.register(user=person, session=world.session)
    page = Client().get(reverse("activity-list")).content.decode()
    assert "Complet" in page and "1 personne en attente" in page


def test_the_calendar_feed_lists_upcoming_public_sessions_only(world):
    SessionFactory(activity__owner=world.ciq, activity__is_public=False, activity__title="Réflexion privée")
    SessionFactory(activity=world.session.activity, status="cancelled", place="Salle annulée")
    past = SessionFactory(activity=world.session.activity, place="Salle passée")
    past.starts_at = timezone.now() - datetime.timedelta(days=3)
    past.ends_at = past.starts_at + datetime.timedelta(hours=2)
    past.registration_deadline = past.cancellation_cutoff = past.starts_at - datetime.timedelta(days=1)
    past.save()
    response = Client().get(reverse("activity-calendar"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.count("BEGIN:VEVENT") == 1
    assert f"activity-session-{world.session.pk}@" in text
    assert "Réflexion privée" not in text and "Salle annulée" not in text and "Salle passée" not in text


def test_the_json_twin_lists_the_public_sessions_and_filters_by_kind(world):
    ActivityFactory(kind="webinar", hours=None, owner=world.ciq)
    data = Client().get(reverse("api-ciq-activities")).json()
    assert data["schema"] == "concerto.ciq.activity-sessions/1"
    (item,) = data["items"]
    assert (item["id"], item["seats_left"], item["hours"]) == (world.session.pk, 2, 3.0)
    assert Client().get(reverse("api-ciq-activities"), {"kind": "webinar"}).json()["count"] == 0
    refused = Client().get(reverse("api-ciq-activities"), {"kind": "club"})
    assert refused.status_code == 400 and "kind" in refused.json()["error"]


def test_the_ciq_home_lists_upcoming_public_activities(world):
    page = Client().get(reverse("ciq-home")).content.decode()
    assert "Activités et formations à venir" in page and world.session.activity.title in page
    assert reverse("activity-list") in page  # the section navigation link


# --- registration --------------------------------------------------------------------------------


def test_one_click_registers_a_person_of_the_audience(world):
    response = _client(world.person_a).post(reverse("activity-register", args=[world.session.pk]))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.user, registration.organization, registration.status) == (
        world.person_a,
        world.order_a,
        "registered",
    )


def test_anonymous_people_are_sent_to_sign_in_to_register(world):
    response = Client().post(reverse("activity-register", args=[world.session.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Registration.objects.exists()


@pytest.mark.parametrize("role", ["outside", "ciq", "office"])
def test_people_outside_the_audience_are_refused_with_a_french_message(world, role):
    client = _client(world.people[role])
    response = client.post(reverse("activity-register", args=[world.session.pk]), follow=True)
    assert "réservée au personnel des ordres visé" in response.content.decode()
    assert not Registration.objects.exists()


def test_registering_needs_a_post(world):
    assert (
        _client(world.person_a).get(reverse("activity-register", args=[world.session.pk])).status_code == 405
    )


def test_the_deadline_refusal_is_shown_in_french(world):
    world.session.registration_deadline = timezone.now() - datetime.timedelta(minutes=1)
    world.session.cancellation_cutoff = world.session.registration_deadline
    world.session.save()
    response = _client(world.person_a).post(
        reverse("activity-register", args=[world.session.pk]), follow=True
    )
    assert "Les inscriptions à cette séance sont fermées depuis le" in response.content.decode()


def test_a_person_of_two_orders_registers_for_the_one_chosen(world):
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.person_a, organization=world.order_b, role="reader")
    client = _client(world.person_a)
    page = client.get(reverse("activity-detail", args=[world.session.activity.slug])).content.decode()
    assert 'name="ordre"' in page
    client.post(reverse("activity-register", args=[world.session.pk]), {"ordre": world.order_b.code})
    assert Registration.objects.get().organization == world.order_b


def test_a_person_cancels_their_registration_and_the_next_is_promoted(world):
    services.register(user=world.person_a, session=world.session)
    services.register(user=world.person_b, session=world.session)
    (waiting,) = people(1, world.order_a)
    services.register(user=waiting, session=world.session)
    mail.outbox.clear()
    mine = Registration.objects.get(user=world.person_a)
    response = _client(world.person_a).post(reverse("activity-cancel", args=[mine.pk]))
    assert response.status_code == 302
    assert Registration.objects.get(user=waiting).status == "registered"
    assert [m.to for m in mail.outbox] == [[waiting.email]]


@pytest.mark.parametrize("role", ["outside", "office", "audience"])
def test_nobody_cancels_another_persons_registration(world, role):
    registration = services.register(user=world.person_b, session=world.session).registration
    response = _client(world.people[role]).post(reverse("activity-cancel", args=[registration.pk]))
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_my_registrations_lists_only_mine_with_my_rank(world):
    services.register(user=world.person_b, session=world.session)
    services.register(user=people(1, world.order_b)[0], session=world.session)
    services.register(user=world.person_a, session=world.session)
    page = _client(world.person_a).get(reverse("activity-my-registrations")).content.decode()
    assert "rang 1" in page
    assert world.person_b.last_name not in page


def test_my_registrations_needs_signing_in(world):
    response = Client().get(reverse("activity-my-registrations"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# --- certificates ---------------------------------------------------------------------------------


def test_the_attendee_downloads_a_certificate_naming_the_activity_date_and_hours(world):
    registration = _attended(world)
    response = _client(world.person_a).get(reverse("activity-certificate", args=[registration.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from concerto.activities.certificates import render_html

    html = render_html(registration)
    assert "Alice Lavoie" in html and world.session.activity.title in html
    assert "3 heures" in html and "Conseil interprofessionnel du Québec" in html


@pytest.mark.parametrize(("role", "status"), [("outside", 404), ("office", 404), ("ciq", 200)])
def test_only_the_attendee_and_ciq_staff_get_the_certificate(world, role, status):
    registration = _attended(world)
    assert (
        _client(world.people[role]).get(reverse("activity-certificate", args=[registration.pk])).status_code
        == status
    )


def test_anonymous_people_get_no_certificate(world):
    registration = _attended(world)
    response = Client().get(reverse("activity-certificate", args=[registration.pk]))
    assert response.status_code == 302


def test_no_certificate_without_attendance(world):
    registration = services.register(user=world.person_a, session=world.session).registration
    assert (
        _client(world.person_a).get(reverse("activity-certificate", args=[registration.pk])).status_code
        == 404
    )
    assert (
        _client(world.staff).get(reverse("activity-certificate", args=[registration.pk])).status_code == 404
    )


# --- CIQ staff ------------------------------------------------------------------------------------


def _staff_pages(world):
    activity = world.session.activity
    return [
        reverse("activity-staff-list"),
        reverse("activity-create"),
        reverse("activity-edit", args=[activity.slug]),
        reverse("activity-session-create", args=[activity.slug]),
        reverse("activity-session-edit", args=[world.session.pk]),
        reverse("activity-session-registrations", args=[world.session.pk]),
        reverse("activity-session-export", args=[world.session.pk, "csv"]),
        reverse("activity-session-export", args=[world.session.pk, "xlsx"]),
        reverse("activity-by-order"),
        reverse("activity-order-registrations", args=[world.order_a.code]),
        reverse("activity-export", args=["csv"]),
        reverse("activity-export", args=["xlsx"]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_are_the_ciqs_only(world, role):
    services.register(user=world.person_a, session=world.session)
    client = _client(world.people[role])
    for url in _staff_pages(world):
        status = client.get(url).status_code
        if role == "ciq":
            assert status == 200, url
        elif role == "anonymous":
            assert status == 302, url
        else:
            assert status in (403, 404), url


@pytest.mark.parametrize("role", ["audience", "outside", "office"])
def test_only_ciq_staff_record_attendance_through_the_page(world, role):
    registration = services.register(user=world.person_a, session=world.session).registration
    response = _client(world.people[role]).post(
        reverse("activity-attendance", args=[world.session.pk]), {f"presence-{registration.pk}": "attended"}
    )
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.attendance == "unknown"


def test_ciq_staff_create_an_activity_and_a_session(world):
    client = _client(world.staff)
    response = client.post(
        reverse("activity-create"),
        {
            "kind": "webinar",
            "title": "Webinaire des ordres",
            "slug": "webinaire-ordres",
            "description": "",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    start = timezone.localtime() + datetime.timedelta(days=20)
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(
        reverse("activity-session-create", args=["webinaire-ordres"]),
        {
            "starts_at": start.strftime(fmt),
            "ends_at": (start + datetime.timedelta(hours=1)).strftime(fmt),
            "online_url": "https://example.org/rencontre",
            "capacity": "50",
            "registration_deadline": (start - datetime.timedelta(days=2)).strftime(fmt),
            "cancellation_cutoff": (start - datetime.timedelta(days=1)).strftime(fmt),
            "audience": ["reader", "coordinator"],
            "status": "scheduled",
        },
    )
    assert response.status_code == 302
    session = world.session.__class__.objects.get(activity__slug="webinaire-ordres")
    assert session.audience == ["reader", "coordinator"] and session.activity.owner == world.ciq


def test_a_session_form_names_the_field_in_error(world):
    response = _client(world.staff).post(
        reverse("activity-session-edit", args=[world.session.pk]),
        {
            "starts_at": "2030-05-01T09:00",
            "ends_at": "2030-05-01T08:00",
            "place": "",
            "capacity": "10",
            "registration_deadline": "2030-04-30T09:00",
            "cancellation_cutoff": "2030-04-30T09:00",
            "status": "scheduled",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "La fin doit suivre le début de la séance." in page
    assert "Indiquez un lieu ou un lien de rencontre en ligne." in page


def test_the_registrations_page_shows_per_order_counts_and_the_waiting_list(world):
    for person in [world.person_a, world.person_b, *people(2, world.order_a)]:
        services.register(user=person, session=world.session)
    page = (
        _client(world.staff)
        .get(reverse("activity-session-registrations", args=[world.session.pk]))
        .content.decode()
    )
    assert "Alice Lavoie" in page and "Ordre A" in page and "Liste d’attente" in page


def test_the_exports_name_people_and_neutralize_formulas(world):
    world.person_a.first_name = "=HYPERLINK(1)"
    world.person_a.save()
    services.register(user=world.person_a, session=world.session)
    client = _client(world.staff)
    csv = client.get(reverse("activity-session-export", args=[world.session.pk, "csv"])).content.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK(1) Lavoie" in csv and "Ordre A" in csv
    xlsx = client.get(reverse("activity-export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=5).value == "=HYPERLINK(1) Lavoie"
    assert sheet.cell(row=2, column=5).data_type == "s"


def test_the_attendance_form_records_presence(world):
    registration = services.register(user=world.person_a, session=world.session).registration
    world.session.starts_at = timezone.now() - datetime.timedelta(hours=3)
    world.session.ends_at = timezone.now() - datetime.timedelta(hours=1)
    world.session.registration_deadline = world.session.cancellation_cutoff = world.session.starts_at
    world.session.save()
    response = _client(world.staff).post(
        reverse("activity-attendance", args=[world.session.pk]), {f"presence-{registration.pk}": "attended"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attendance == "attended"


def test_staff_pages_refuse_a_wrong_method(world):
    client = _client(world.staff)
    assert client.post(reverse("activity-staff-list")).status_code == 405
    assert client.get(reverse("activity-attendance", args=[world.session.pk])).status_code == 405
    assert client.get(reverse("activity-cancel", args=[1])).status_code == 405


# --- « Mes tâches » ------------------------------------------------------------------------------


def test_my_tasks_show_a_registrant_their_session_and_staff_the_attendance_to_record(world):
    services.register(user=world.person_a, session=world.session)
    mine = _client(world.person_a).get(reverse("my-tasks")).content.decode()
    assert f"Participer à « {world.session.activity.title} »" in mine
    world.session.starts_at = timezone.now() - datetime.timedelta(hours=3)
    world.session.ends_at = timezone.now() - datetime.timedelta(hours=1)
    world.session.registration_deadline = world.session.cancellation_cutoff = world.session.starts_at
    world.session.save()
    staff = _client(world.staff).get(reverse("my-tasks")).content.decode()
    assert "Saisir les présences" in staff
    assert (
        "Saisir les présences"
        not in _client(world.office_coordinator).get(reverse("my-tasks")).content.decode()
    )


def test_my_tasks_offer_the_certificate_to_the_attendee(world):
    registration = _attended(world)
    world.session.starts_at = timezone.now() - datetime.timedelta(hours=3)
    world.session.ends_at = timezone.now() - datetime.timedelta(hours=1)
    world.session.registration_deadline = world.session.cancellation_cutoff = world.session.starts_at
    world.session.save()
    page = _client(world.person_a).get(reverse("my-tasks")).content.decode()
    assert reverse("activity-certificate", args=[registration.pk]) in page


# --- query counts -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _grow(world, sessions: int, per_session: int):
    for _ in range(sessions):
        session = SessionFactory(activity__owner=world.ciq, capacity=per_session + 5, audience=["reader"])
        for _ in range(per_session):
            RegistrationFactory(session=session, organization=world.order_b, user=UserFactory())
        RegistrationFactory(session=session, organization=world.order_a, user=world.person_a)


def test_list_queries_do_not_grow_with_sessions_and_registrations(world, settings):
    # The API counter's first hit in a window also forgets ended windows: one more query.
    settings.CONCERTO_API_RATE_LIMIT = 0
    urls = {
        "anonymous": [
            reverse("activity-list"),
            reverse("activity-calendar"),
            reverse("api-ciq-activities"),
            reverse("ciq-home"),
        ],
        "audience": [reverse("activity-list"), reverse("activity-my-registrations"), reverse("my-tasks")],
        "ciq": [
            reverse("activity-list"),
            reverse("activity-staff-list"),
            reverse("activity-by-order"),
            reverse("activity-order-registrations", args=[world.order_b.code]),
            reverse("activity-session-registrations", args=[world.session.pk]),
            reverse("activity-export", args=["csv"]),
            reverse("my-tasks"),
        ],
    }
    _grow(world, 1, 1)
    for person in [world.person_b]:
        RegistrationFactory(session=world.session, organization=world.order_b, user=person)
    clients = {role: _client(world.people[role]) for role in urls}
    few = {(role, url): _queries(clients[role], url) for role, paths in urls.items() for url in paths}
    _grow(world, 4, 3)
    for n in range(4):
        RegistrationFactory(
            session=world.session,
            organization=world.order_b,
            user=UserFactory(),
            status="waitlisted",
            position=n + 1,
        )
    clients = {role: _client(world.people[role]) for role in urls}
    many = {(role, url): _queries(clients[role], url) for role, paths in urls.items() for url in paths}
    assert many == few


def test_the_activity_page_queries_do_not_grow_with_sessions(world):
    client = _client(world.person_a)
    url = reverse("activity-detail", args=[world.session.activity.slug])
    few = _queries(client, url)
    for _ in range(4):
        session = SessionFactory(activity=world.session.activity, audience=["reader"])
        RegistrationFactory(session=session, organization=world.order_a, user=world.person_a)
    assert _queries(_client(world.person_a), url) == few


@pytest.mark.parametrize("role", ROLES)
def test_everyone_gets_the_feed_and_the_json_twin_without_private_activities(world, role):
    SessionFactory(activity__owner=world.ciq, activity__is_public=False, activity__title="Réflexion privée")
    client = _client(world.people[role])
    feed = client.get(reverse("activity-calendar"))
    data = client.get(reverse("api-ciq-activities"))
    assert feed.status_code == data.status_code == 200
    assert "Réflexion privée" not in feed.content.decode() + data.content.decode()


def test_the_pages_are_translated_into_english(world):
    from django.utils import translation

    with translation.override("en"):
        listing = _client(world.person_a).get(reverse("activity-list")).content.decode()
        detail = _client(world.person_a).get(reverse("activity-detail", args=[world.session.activity.slug]))
    assert "Upcoming sessions" in listing
    assert "Register" in detail.content.decode()
