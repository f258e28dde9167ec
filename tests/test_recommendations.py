"""The Office's recommendations (C-26, a. 16.27): due date, states, answers
with checked uploads, public register, permissions, reminders, search."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerto.accounts.models import Role
from concerto.core.uploads import DOCX, PDF, PNG, XLSX, validate_upload
from concerto.notifications.models import SentNotification
from concerto.organizations.models import Organization
from concerto.recommendations import services
from concerto.recommendations.forms import RecommendationForm
from concerto.recommendations.models import Answer, Attachment, Recommendation, State
from concerto.recommendations.reminders import send_due_recommendation_reminders
from concerto.recommendations.stats import answer_statistics

from .factories import (
    CaseFactory,
    MeasureFactory,
    OrganizationFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)
from .support.documents import PDF_BYTES
from .support.documents import office_zip as _office_zip
from .support.documents import pdf as _pdf

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
D = datetime.date


pytestmark = pytest.mark.usefixtures("media")  # documents under a temporary MEDIA_ROOT


def _stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def orgs(db):
    office = OrganizationFactory(code="office", name="Office des professions", kind="public_body")
    PlanFactory(owner=office)  # owning a plan is what makes its coordinators the Office's
    return {
        "office": office,
        "addressee": OrganizationFactory(
            code="ordre-ingenieurs", name="Ordre des ingénieurs", kind="professional_order"
        ),
        "other": OrganizationFactory(code="ministere-b", name="Ministère B", kind="ministry"),
    }


@pytest.fixture
def people(orgs):
    return {
        "coordinator": UserFactory(username="coordo", coordinator_of=orgs["office"]),
        "addressee": UserFactory(username="ingenieur", member_of=(orgs["addressee"], Role.EDITOR)),
        "addressee_reader": UserFactory(username="lecteur-oiq", member_of=(orgs["addressee"], Role.READER)),
        "other": UserFactory(username="autre", member_of=(orgs["other"], Role.EDITOR)),
        "reader": UserFactory(username="lecteur"),
    }


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def make(
    number="REC-2024-001",
    *,
    addressee,
    owner=None,
    state=State.SENT,
    sent_on=None,
    received_on=None,
    published=False,
    title="Reconnaissance des acquis",
    text="L’Office recommande une meilleure équivalence des diplômes.",
):
    sent_on = sent_on or D(2024, 4, 20)
    if state in (State.RECEIVED, State.ANSWERED, State.CLOSED) and received_on is None:
        received_on = D(2024, 4, 25)
    return RecommendationFactory(
        number=number,
        title=title,
        text=text,
        owner=owner or Organization.objects.get(code="office"),  # the ``orgs`` fixture's Office
        addressee=addressee,
        state=state,
        sent_on=None if state == State.DRAFT else sent_on,
        received_on=received_on,
        published=published,
    )


def answer(recommendation, *, answered_on=None, published=False, kind=Answer.Kind.FOLLOW_UP):
    result = Answer.objects.create(
        recommendation=recommendation,
        kind=kind,
        text="Nous donnerons suite.",
        answered_on=answered_on or D(2024, 6, 1),
        published=published,
    )
    recommendation.state = State.ANSWERED
    recommendation.save()
    return result


# --- Due date and lateness -------------------------------------------------


def test_due_date_is_sixty_days_after_receipt_moved_past_the_fete_nationale(orgs):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED, received_on=D(2024, 4, 25))
    assert recommendation.due_date == D(2024, 6, 25)
    recommendation.refresh_from_db()
    assert recommendation.due_on == D(2024, 6, 25)


def test_due_date_on_a_working_day_is_not_moved(orgs):
    # 2024-03-04 + 60 days = Friday 3 May 2024, a working day.
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED, received_on=D(2024, 3, 4))
    assert recommendation.due_on == D(2024, 5, 3)


def test_due_date_is_empty_until_receipt(orgs):
    recommendation = make(addressee=orgs["addressee"], state=State.SENT)
    assert recommendation.due_date is None and recommendation.due_on is None


def test_a_typed_due_date_is_replaced_by_the_computed_one(orgs):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED, received_on=D(2024, 4, 25))
    recommendation.due_on = D(2030, 1, 1)
    recommendation.save()
    recommendation.refresh_from_db()
    assert recommendation.due_on == D(2024, 6, 25)


def test_the_form_has_no_due_date_state_or_dates():
    assert not {"due_on", "state", "sent_on", "received_on", "published"} & set(RecommendationForm().fields)


def test_late_is_derived_after_the_due_date(orgs):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED, received_on=D(2024, 4, 25))
    assert not recommendation.is_late(D(2024, 6, 25))
    assert recommendation.is_late(D(2024, 6, 26))
    assert list(Recommendation.objects.late(D(2024, 6, 26))) == [recommendation]
    assert not Recommendation.objects.late(D(2024, 6, 25)).exists()


def test_very_late_is_derived_thirty_days_after_the_due_date(orgs):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED, received_on=D(2024, 4, 25))
    assert not recommendation.is_very_late(D(2024, 7, 25))
    assert recommendation.is_very_late(D(2024, 7, 26))
    assert list(Recommendation.objects.very_late(D(2024, 7, 26))) == [recommendation]


def test_an_answered_recommendation_is_never_late(orgs):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED, received_on=D(2024, 4, 25))
    answer(recommendation, answered_on=D(2024, 8, 1))
    assert not recommendation.is_late(D(2024, 9, 1)) and not recommendation.is_very_late(D(2024, 9, 1))


# --- States ----------------------------------------------------------------


def test_the_full_path_from_draft_to_closed(orgs, people):
    coordinator = people["coordinator"]
    recommendation = services.create_recommendation(
        number="REC-2024-003",
        title="Titre",
        text="Texte",
        owner=orgs["office"],
        addressee=orgs["addressee"],
        created_by=coordinator,
    )
    assert recommendation.state == State.DRAFT
    services.send(recommendation=recommendation, user=coordinator, sent_on=D(2024, 4, 20))
    assert recommendation.state == State.SENT
    services.mark_received(recommendation=recommendation, user=coordinator, received_on=D(2024, 4, 25))
    assert (recommendation.state, recommendation.due_on) == (State.RECEIVED, D(2024, 6, 25))
    services.file_answer(
        recommendation=recommendation,
        user=people["addressee"],
        kind=Answer.Kind.PARTIAL,
        text="Suite partielle.",
        answered_on=D(2024, 6, 1),
        document=_pdf(),
    )
    assert recommendation.state == State.ANSWERED
    services.close(recommendation=recommendation, user=coordinator)
    recommendation.refresh_from_db()
    assert recommendation.state == State.CLOSED


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.DRAFT, "mark_received"),
        (State.DRAFT, "close"),
        (State.DRAFT, "publish"),
        (State.SENT, "send"),
        (State.SENT, "close"),
        (State.RECEIVED, "send"),
        (State.RECEIVED, "close"),
        (State.ANSWERED, "mark_received"),
        (State.CLOSED, "send"),
    ],
)
def test_forbidden_transitions_are_refused_in_french(orgs, people, state, action):
    recommendation = make(addressee=orgs["addressee"], state=state)
    with pytest.raises(ValidationError) as raised:
        getattr(services, action)(recommendation=recommendation, user=people["coordinator"])
    assert "Impossible de" in raised.value.messages[0]
    recommendation.refresh_from_db()
    assert recommendation.state == state


def test_an_answer_to_a_recommendation_not_received_is_refused(orgs, people):
    recommendation = make(addressee=orgs["addressee"], state=State.SENT)
    with pytest.raises(ValidationError, match="Impossible de répondre"):
        services.file_answer(
            recommendation=recommendation,
            user=people["addressee"],
            kind="follow_up",
            text="Oui",
            answered_on=D(2024, 5, 1),
            document=_pdf(),
        )
    assert not Answer.objects.exists() and not Attachment.objects.exists()


def test_receipt_before_sending_is_refused(orgs, people):
    recommendation = make(addressee=orgs["addressee"], state=State.SENT, sent_on=D(2024, 4, 20))
    with pytest.raises(ValidationError, match="précède la date de transmission"):
        services.mark_received(
            recommendation=recommendation, user=people["coordinator"], received_on=D(2024, 4, 1)
        )


@pytest.mark.parametrize("who", ["addressee", "reader", "other"])
def test_only_coordinators_send_receive_publish_and_close(orgs, people, who):
    recommendation = make(addressee=orgs["addressee"], state=State.DRAFT)
    for action in ("send", "publish", "close"):
        with pytest.raises(PermissionDenied):
            getattr(services, action)(recommendation=recommendation, user=people[who])


@pytest.mark.parametrize("who", ["addressee_reader", "other", "reader"])
def test_only_the_addressee_editors_file_the_answer(orgs, people, who):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED)
    with pytest.raises(PermissionDenied):
        services.file_answer(
            recommendation=recommendation,
            user=people[who],
            kind="follow_up",
            text="Oui",
            answered_on=D(2024, 5, 1),
            document=_pdf(),
        )


def test_a_draft_cannot_be_published(orgs, people):
    recommendation = make(addressee=orgs["addressee"], state=State.DRAFT)
    with pytest.raises(ValidationError):
        services.publish(recommendation=recommendation, user=people["coordinator"])


# --- Answer with a document ------------------------------------------------


def test_addressee_member_files_an_answer_with_a_pdf(orgs, people, media):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED)
    response = _client(people["addressee"]).post(
        reverse("recommendation-answer", args=[recommendation.number]),
        {"kind": "refusal", "text": "Motifs du refus.", "answered_on": "2024-06-01", "document": _pdf()},
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.state == State.ANSWERED
    stored = recommendation.answer.attachments.get()
    assert (stored.original_name, stored.content_type, stored.size) == ("reponse.pdf", PDF, len(PDF_BYTES))
    files = _stored_files(media)
    assert len(files) == 1 and files[0].read_bytes() == PDF_BYTES
    assert "reponse" not in files[0].name  # a generated name


def test_an_upload_claiming_pdf_that_is_not_a_pdf_is_refused_and_nothing_is_stored(orgs, people, media):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED)
    fake = SimpleUploadedFile("lettre.pdf", b"Bonjour, ceci est du texte.", content_type="application/pdf")
    response = _client(people["addressee"]).post(
        reverse("recommendation-answer", args=[recommendation.number]),
        {"kind": "follow_up", "text": "Oui.", "answered_on": "2024-06-01", "document": fake},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le fichier « lettre.pdf » est refusé" in page and "contenu" in page
    recommendation.refresh_from_db()
    assert recommendation.state == State.RECEIVED
    assert not Answer.objects.exists() and not Attachment.objects.exists()
    assert _stored_files(media) == []


def test_an_oversize_upload_is_refused(orgs, people, media, settings):
    settings.CONCERTO_UPLOAD_MAX_BYTES = 50
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED)
    with pytest.raises(ValidationError) as raised:
        services.file_answer(
            recommendation=recommendation,
            user=people["addressee"],
            kind="follow_up",
            text="Oui",
            answered_on=D(2024, 5, 1),
            document=_pdf(content=PDF_BYTES + b"x" * 100),
        )
    assert "« reponse.pdf » est refusé" in raised.value.message_dict["document"][0]
    assert "limite" in raised.value.message_dict["document"][0]
    assert not Answer.objects.exists() and _stored_files(media) == []


def test_the_upload_limit_is_ten_mebibytes_by_default(settings):
    assert settings.CONCERTO_UPLOAD_MAX_BYTES == 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.pdf", PDF_BYTES, PDF),
        ("a.png", PNG_BYTES, PNG),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("a.docx", _office_zip("word"), DOCX),
        ("a.xlsx", _office_zip("xl"), XLSX),
    ],
)
def test_accepted_types_are_detected_by_content(name, content, expected):
    assert validate_upload(SimpleUploadedFile(name, content)) == expected


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("a.docx", b"PK\x03\x04not really a zip", "contenu"),
        ("a.zip.docx", _office_zip("other"), "contenu"),
        ("a.pdf", PNG_BYTES, "extension ne correspond pas"),
        ("a.exe", b"MZ\x90\x00", "contenu"),
        ("vide.pdf", b"", "vide"),
    ],
)
def test_refused_uploads_say_why_in_french(name, content, reason):
    with pytest.raises(ValidationError) as raised:
        validate_upload(SimpleUploadedFile(name, content))
    assert f"« {name} » est refusé" in raised.value.messages[0] and reason in raised.value.messages[0]


def test_the_original_name_is_sanitized(orgs, people):
    recommendation = make(addressee=orgs["addressee"], state=State.SENT)
    attachment = services.add_attachment(
        recommendation=recommendation,
        user=people["coordinator"],
        file=_pdf(name="../../lettre de l'Office.pdf"),
    )
    assert attachment.original_name == "lettre_de_lOffice.pdf"
    assert attachment.file.name.startswith("recommandations/")


# --- Public register and publication rules -----------------------------------


def test_the_register_never_shows_an_unpublished_recommendation(orgs):
    make("REC-2024-001", addressee=orgs["addressee"], published=True, title="Publiée")
    make("REC-2024-002", addressee=orgs["addressee"], published=False, title="Confidentielle")
    page = Client().get(reverse("recommendation-list")).content.decode()
    assert "REC-2024-001" in page and "REC-2024-002" not in page and "Confidentielle" not in page


def test_an_unpublished_recommendation_is_404_by_direct_url(orgs):
    make("REC-2024-002", addressee=orgs["addressee"], published=False)
    assert Client().get(reverse("recommendation-detail", args=["REC-2024-002"])).status_code == 404


def test_an_unpublished_answer_is_not_shown_to_the_public(orgs):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED, published=True)
    answer(recommendation, published=False)
    for url in (
        reverse("recommendation-list"),
        reverse("recommendation-detail", args=[recommendation.number]),
    ):
        page = Client().get(url).content.decode()
        assert "Nous donnerons suite" not in page and "Suite prévue" not in page


def test_a_published_answer_is_shown_to_the_public(orgs):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED, published=True)
    answer(recommendation, published=True)
    page = Client().get(reverse("recommendation-detail", args=[recommendation.number])).content.decode()
    assert "Nous donnerons suite" in page and "Suite prévue" in page


def test_the_addressee_sees_its_unpublished_recommendation_and_answer(orgs, people):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED, published=False)
    answer(recommendation, published=False)
    response = _client(people["addressee"]).get(
        reverse("recommendation-detail", args=[recommendation.number])
    )
    assert response.status_code == 200 and "Nous donnerons suite" in response.content.decode()


def test_the_register_filters_by_addressee(orgs):
    make("REC-2024-001", addressee=orgs["addressee"], published=True)
    make("REC-2024-002", addressee=orgs["other"], published=True)
    page = Client().get(reverse("recommendation-list"), {"destinataire": "ministere-b"}).content.decode()
    assert "REC-2024-002" in page and "REC-2024-001" not in page


def test_the_register_filters_by_state(orgs):
    make("REC-2024-001", addressee=orgs["addressee"], state=State.SENT, published=True)
    make("REC-2024-002", addressee=orgs["addressee"], state=State.RECEIVED, published=True)
    page = Client().get(reverse("recommendation-list"), {"etat": "received"}).content.decode()
    assert "REC-2024-002" in page and "REC-2024-001" not in page


def test_the_register_filters_by_year_of_sending(orgs):
    make("REC-2023-001", addressee=orgs["addressee"], sent_on=D(2023, 11, 1), published=True)
    make("REC-2024-001", addressee=orgs["addressee"], sent_on=D(2024, 2, 1), published=True)
    page = Client().get(reverse("recommendation-list"), {"annee": "2023"}).content.decode()
    assert "REC-2023-001" in page and "REC-2024-001" not in page


def test_the_register_query_count_does_not_grow_with_the_recommendations(orgs, people):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(reverse("recommendation-list")).status_code == 200
        return len(queries)

    for n in range(2):
        answer(make(f"REC-2024-{n:03}", addressee=orgs["addressee"], state=State.RECEIVED, published=True))
    few = count()
    for n in range(2, 20):
        organization = orgs["other"] if n % 2 else orgs["addressee"]
        answer(make(f"REC-2024-{n:03}", addressee=organization, state=State.RECEIVED, published=True))
    assert count() == few


# --- Statistics ------------------------------------------------------------


def test_statistics_count_on_time_and_late_answers_and_the_median(orgs):
    # Received 2024-04-25, due 2024-06-25.
    answer(make("R-1", addressee=orgs["addressee"], state=State.RECEIVED), answered_on=D(2024, 5, 5))  # 10 d
    answer(make("R-2", addressee=orgs["addressee"], state=State.RECEIVED), answered_on=D(2024, 6, 25))  # 61 d
    answer(make("R-3", addressee=orgs["addressee"], state=State.RECEIVED), answered_on=D(2024, 7, 5))  # 71 d
    answer(make("R-4", addressee=orgs["other"], state=State.RECEIVED), answered_on=D(2024, 5, 25))  # 30 d
    make("R-5", addressee=orgs["other"], state=State.RECEIVED)  # unanswered, late on 2024-08-01
    make("R-6", addressee=orgs["other"], state=State.SENT)  # not counted
    rows = {row["kind"]: row for row in answer_statistics(Recommendation.objects.all(), D(2024, 8, 1))}
    order = rows["professional_order"]
    assert (order["on_time"], order["late"], order["pending_late"], order["median_days"]) == (2, 1, 0, 61)
    ministry = rows["ministry"]
    assert (ministry["on_time"], ministry["late"], ministry["pending_late"], ministry["median_days"]) == (
        1,
        0,
        1,
        30,
    )
    total = rows[""]
    assert (total["on_time"], total["late"], total["median_days"]) == (3, 1, 45.5)


def test_the_public_statistics_count_only_published_recommendations(orgs):
    answer(
        make("R-1", addressee=orgs["addressee"], state=State.RECEIVED, published=True),
        answered_on=D(2024, 5, 5),
    )
    answer(make("R-2", addressee=orgs["addressee"], state=State.RECEIVED), answered_on=D(2024, 7, 5))
    page = Client().get(reverse("recommendation-list")).content.decode()
    assert "Réponses dans le délai" in page
    response = Client().get(reverse("recommendation-list"))
    stats = response.context["stats"]
    assert [(s["on_time"], s["late"]) for s in stats] == [(1, 0), (1, 0)]


# --- Permissions -------------------------------------------------------------

ROLES = ["anonymous", "reader", "addressee", "addressee_reader", "other", "coordinator"]


@pytest.fixture
def cases(orgs, people):
    """A draft, an unpublished received recommendation with an unpublished
    answer attachment, and a published received one."""
    draft = make("REC-2024-001", addressee=orgs["addressee"], state=State.DRAFT)
    hidden = make("REC-2024-002", addressee=orgs["addressee"], state=State.RECEIVED)
    shown = make("REC-2024-003", addressee=orgs["addressee"], state=State.RECEIVED, published=True)
    doc = services.add_attachment(recommendation=hidden, user=people["coordinator"], file=_pdf("lettre.pdf"))
    public_doc = services.add_attachment(
        recommendation=shown, user=people["coordinator"], file=_pdf("public.pdf")
    )
    return {"draft": draft, "hidden": hidden, "shown": shown, "doc": doc, "public_doc": public_doc}


def _get(people, who, url):
    return _client(None if who == "anonymous" else people[who]).get(url)


def _code(response):
    if response.status_code == 302 and "/compte/" in response["Location"] and "next=" in response["Location"]:
        return "login"
    return response.status_code


EXPECTED_GET = {
    # view: {role: status}
    "list": dict.fromkeys(ROLES, 200),
    "mine": {
        "anonymous": "login",
        "reader": 403,
        "addressee": 200,
        "addressee_reader": 403,
        "other": 200,
        "coordinator": 200,
    },
    "search": dict.fromkeys(ROLES, 200),
    "detail_published": dict.fromkeys(ROLES, 200),
    "detail_unpublished": {
        "anonymous": 404,
        "reader": 404,
        "addressee": 200,
        "addressee_reader": 404,
        "other": 404,
        "coordinator": 200,
    },
    "detail_draft": {
        "anonymous": 404,
        "reader": 404,
        "addressee": 404,
        "addressee_reader": 404,
        "other": 404,
        "coordinator": 200,
    },
    "create": {
        "anonymous": "login",
        "reader": 403,
        "addressee": 403,
        "addressee_reader": 403,
        "other": 403,
        "coordinator": 200,
    },
    "edit": {
        "anonymous": "login",
        "reader": 403,
        "addressee": 403,
        "addressee_reader": 403,
        "other": 403,
        "coordinator": 200,
    },
    "answer_unpublished": {
        "anonymous": "login",
        "reader": 404,
        "addressee": 200,
        "addressee_reader": 404,
        "other": 404,
        "coordinator": 200,
    },
    "answer_published": {
        "anonymous": "login",
        "reader": 403,
        "addressee": 200,
        "addressee_reader": 403,
        "other": 403,
        "coordinator": 200,
    },
    "attachment_unpublished": {
        "anonymous": "login",
        "reader": 404,
        "addressee": 200,
        "addressee_reader": 404,
        "other": 404,
        "coordinator": 200,
    },
    "attachment_published": dict.fromkeys(ROLES, 200),
}


def _urls(cases):
    return {
        "list": reverse("recommendation-list"),
        "mine": reverse("recommendation-mine"),
        "search": reverse("recommendation-search") + "?q=reconnaissance",
        "detail_published": reverse("recommendation-detail", args=["REC-2024-003"]),
        "detail_unpublished": reverse("recommendation-detail", args=["REC-2024-002"]),
        "detail_draft": reverse("recommendation-detail", args=["REC-2024-001"]),
        "create": reverse("recommendation-create"),
        "edit": reverse("recommendation-edit", args=["REC-2024-001"]),
        "answer_unpublished": reverse("recommendation-answer", args=["REC-2024-002"]),
        "answer_published": reverse("recommendation-answer", args=["REC-2024-003"]),
        "attachment_unpublished": reverse("recommendation-attachment", args=[cases["doc"].pk]),
        "attachment_published": reverse("recommendation-attachment", args=[cases["public_doc"].pk]),
    }


@pytest.mark.parametrize("view", sorted(EXPECTED_GET))
def test_who_may_open_each_page(cases, people, view):
    url = _urls(cases)[view]
    got = {who: _code(_get(people, who, url)) for who in ROLES}
    assert got == EXPECTED_GET[view]


@pytest.mark.parametrize(
    ("name", "number", "data"),
    [
        ("recommendation-send", "REC-2024-001", {"day": "2024-04-20"}),
        ("recommendation-receive", "REC-2024-002", {"day": "2024-04-25"}),
        ("recommendation-publish", "REC-2024-002", {"target": "recommendation", "action": "publish"}),
        ("recommendation-close", "REC-2024-002", {}),
        ("recommendation-attach", "REC-2024-002", {}),
    ],
)
def test_coordinator_actions_are_refused_to_everyone_else(cases, people, name, number, data):
    url = reverse(name, args=[number])
    assert _code(Client().post(url, data)) == "login"
    for who in ("reader", "addressee", "addressee_reader", "other"):
        assert _client(people[who]).post(url, data).status_code == 403, who
    assert _client(people["coordinator"]).post(url, data).status_code == 302


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("recommendation-send", "get"),
        ("recommendation-receive", "get"),
        ("recommendation-publish", "get"),
        ("recommendation-close", "get"),
        ("recommendation-attach", "get"),
        ("recommendation-detail", "post"),
        ("recommendation-edit", "put"),
        ("recommendation-answer", "delete"),
    ],
)
def test_wrong_http_method_is_405(cases, people, name, method):
    response = getattr(_client(people["coordinator"]), method)(reverse(name, args=["REC-2024-001"]))
    assert response.status_code == 405


@pytest.mark.parametrize("name", ["recommendation-list", "recommendation-search", "recommendation-mine"])
def test_read_only_pages_refuse_post(people, name):
    assert _client(people["coordinator"]).post(reverse(name)).status_code == 405


def test_coordinator_publishes_through_the_page(cases, people):
    response = _client(people["coordinator"]).post(
        reverse("recommendation-publish", args=["REC-2024-002"]),
        {"target": "recommendation", "action": "publish"},
    )
    assert response.status_code == 302
    cases["hidden"].refresh_from_db()
    assert cases["hidden"].published and cases["hidden"].published_at is not None
    assert Client().get(reverse("recommendation-detail", args=["REC-2024-002"])).status_code == 200


def test_coordinator_creates_a_draft_through_the_page(orgs, people):
    response = _client(people["coordinator"]).post(
        reverse("recommendation-create"),
        {"number": "REC-2025-001", "title": "Titre", "text": "Texte", "addressee": orgs["addressee"].pk},
    )
    assert response.status_code == 302
    created = Recommendation.objects.get(number="REC-2025-001")
    assert (created.state, created.created_by) == (State.DRAFT, people["coordinator"])


def test_attachment_download_is_an_attachment_with_nosniff(cases):
    response = Client().get(reverse("recommendation-attachment", args=[cases["public_doc"].pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="public.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == PDF
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_unpublished_answer_document_is_refused_to_the_public(orgs, people):
    recommendation = make(addressee=orgs["addressee"], state=State.RECEIVED, published=True)
    filed = services.file_answer(
        recommendation=recommendation,
        user=people["addressee"],
        kind="follow_up",
        text="Oui",
        answered_on=D(2024, 5, 1),
        document=_pdf(),
    )
    url = reverse("recommendation-attachment", args=[filed.attachments.get().pk])
    assert _code(Client().get(url)) == "login"
    assert _client(people["reader"]).get(url).status_code == 404
    services.publish_answer(recommendation=recommendation, user=people["coordinator"])
    assert Client().get(url).status_code == 200


# --- Reminders ---------------------------------------------------------------


@pytest.fixture
def awaiting(orgs, people):
    # Received 2024-04-25, due Tuesday 2024-06-25.
    return make(addressee=orgs["addressee"], state=State.RECEIVED, received_on=D(2024, 4, 25))


@pytest.mark.parametrize(
    ("today", "key"),
    [
        (D(2024, 6, 10), "reminder:15"),
        (D(2024, 6, 22), "reminder:3"),
        (D(2024, 6, 25), "due"),
        (D(2024, 7, 26), "very_late"),
    ],
)
def test_reminders_are_sent_once_per_key(awaiting, today, key):
    send_due_recommendation_reminders(today=today)
    send_due_recommendation_reminders(today=today)
    assert len(mail.outbox) == 1
    assert list(SentNotification.objects.values_list("key", flat=True)) == [
        f"recommendation:{awaiting.pk}:{key}"
    ]
    assert mail.outbox[0].to == ["ingenieur@example.org"]  # the editor, not the reader
    assert awaiting.number in mail.outbox[0].subject
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_no_reminder_before_fifteen_days_nor_between_thresholds_twice(awaiting):
    assert send_due_recommendation_reminders(today=D(2024, 6, 9)) == []
    send_due_recommendation_reminders(today=D(2024, 6, 10))
    send_due_recommendation_reminders(today=D(2024, 6, 15))
    assert len(mail.outbox) == 1


def test_a_whole_follow_up_sends_four_emails(awaiting):
    day = D(2024, 6, 1)
    while day <= D(2024, 8, 31):
        send_due_recommendation_reminders(today=day)
        day += datetime.timedelta(days=1)
    keys = sorted(SentNotification.objects.values_list("key", flat=True))
    assert [k.split(":", 2)[2] for k in keys] == ["due", "reminder:15", "reminder:3", "very_late"]
    assert len(mail.outbox) == 4


def test_an_answered_recommendation_gets_no_reminder(awaiting):
    answer(awaiting)
    assert send_due_recommendation_reminders(today=D(2024, 6, 25)) == []
    assert mail.outbox == []


def test_dry_run_sends_and_writes_nothing(awaiting):
    lines = send_due_recommendation_reminders(today=D(2024, 6, 25), dry_run=True)
    assert [line.status for line in lines] == ["would_send"]
    assert mail.outbox == [] and not SentNotification.objects.exists()


def test_send_reminders_runs_the_recommendation_reminders(awaiting):
    out = io.StringIO()
    call_command("send_reminders", "--today", "2024-06-25", stdout=out)
    assert [message.to for message in mail.outbox] == [["ingenieur@example.org"]]
    assert f"Avis d’échéance envoyé : recommandation {awaiting.number}" in out.getvalue()
    assert "Résumé : 1 courriel(s) envoyé(s)" in out.getvalue()


# --- Search ------------------------------------------------------------------


def test_search_ignores_case(orgs):
    make("REC-2024-001", addressee=orgs["addressee"], published=True, title="Reconnaissance des acquis")
    response = Client().get(reverse("recommendation-search"), {"q": "reconnaissance"})
    assert [r.number for r in response.context["recommendations"]] == ["REC-2024-001"]


def test_search_ignores_accents(orgs):
    make("REC-2024-001", addressee=orgs["addressee"], published=True, text="Une meilleure équivalence.")
    response = Client().get(reverse("recommendation-search"), {"q": "EQUIVALENCE"})
    assert [r.number for r in response.context["recommendations"]] == ["REC-2024-001"]


def test_public_search_returns_only_published_recommendations(orgs, people):
    make("REC-2024-001", addressee=orgs["addressee"], published=True, title="Reconnaissance publiée")
    make("REC-2024-002", addressee=orgs["addressee"], published=False, title="Reconnaissance cachée")
    response = Client().get(reverse("recommendation-search"), {"q": "reconnaissance"})
    assert [r.number for r in response.context["recommendations"]] == ["REC-2024-001"]
    assert "cachée" not in response.content.decode()
    coordinator = _client(people["coordinator"]).get(
        reverse("recommendation-search"), {"q": "reconnaissance"}
    )
    assert sorted(r.number for r in coordinator.context["recommendations"]) == [
        "REC-2024-001",
        "REC-2024-002",
    ]


def test_search_finds_cases_with_a_published_summary_only_for_the_public(orgs, people):
    CaseFactory(
        owner=orgs["office"],
        reference="CAS-2021-001",
        title="Stage en génie",
        problem_kind="internship",
        public_summary="Accès aux stages",
        summary_published=True,
    )
    CaseFactory(owner=orgs["office"], reference="CAS-2021-002", title="Stage confidentiel")
    public = Client().get(reverse("recommendation-search"), {"q": "STAGE"})
    assert [c.reference for c in public.context["cases"]] == ["CAS-2021-001"]
    coordinator = _client(people["coordinator"]).get(reverse("recommendation-search"), {"q": "génie stage"})
    assert [c.reference for c in coordinator.context["cases"]] == ["CAS-2021-001"]
    coordinator = _client(people["coordinator"]).get(reverse("recommendation-search"), {"q": "stage"})
    assert [c.reference for c in coordinator.context["cases"]] == ["CAS-2021-001", "CAS-2021-002"]


# --- Template tags -----------------------------------------------------------


def _render_measure(measure, user):
    return Template("{% load recommendations %}{% measure_recommendations measure user %}").render(
        Context({"measure": measure, "user": user})
    )


def test_measure_tag_shows_published_ones_to_the_public_and_all_to_the_addressee(orgs, people):
    from django.contrib.auth.models import AnonymousUser

    measure = MeasureFactory()
    make("REC-2024-001", addressee=orgs["addressee"], published=True).measures.add(measure)
    make("REC-2024-002", addressee=orgs["addressee"]).measures.add(measure)
    public = _render_measure(measure, AnonymousUser())
    assert "REC-2024-001" in public and "REC-2024-002" not in public
    mine = _render_measure(measure, people["addressee"])
    assert "REC-2024-001" in mine and "REC-2024-002" in mine


def test_organization_tag_query_count_is_constant(orgs, people):
    def count():
        organization = Organization.objects.get(pk=orgs["addressee"].pk)
        user = type(people["reader"]).objects.get(pk=people["reader"].pk)  # nothing cached on it
        with CaptureQueriesContext(connection) as queries:
            Template("{% load recommendations %}{% organization_recommendations organization user %}").render(
                Context({"organization": organization, "user": user})
            )
        return len(queries)

    make("REC-2024-001", addressee=orgs["addressee"], published=True)
    few = count()
    for n in range(2, 12):
        make(f"REC-2024-{n:03}", addressee=orgs["addressee"], published=True)
    assert count() == few
