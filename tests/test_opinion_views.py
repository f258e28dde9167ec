"""Pages of the CIQ's opinions, for every role: anonymous, an order's respondent,
the Office's coordination, the CIQ's coordination, a reader."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerto.ciq.models import Answer, ArticleComment
from concerto.opinions import services
from concerto.opinions.models import Citation, Opinion
from tests.factories import OrganizationFactory
from tests.support.opinions import TEXT, build_world, consent, letter, opinion_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

ROLES = ("anonymous", "respondent", "office", "ciq", "reader")


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def opinions(world):
    """A written (unpublished) opinion and a published one."""
    return {
        "written": opinion_at(world, "written", reference="AVIS-DRAFT"),
        "published": opinion_at(world, "published"),
    }


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _code(response):
    if response.status_code == 302 and "/compte/" in response["Location"] and "next=" in response["Location"]:
        return "login"
    return response.status_code


def _get(world, who, url):
    return _client(None if who == "anonymous" else world.people[who]).get(url)


def _urls(world, opinions):
    published = opinions["published"].reference
    draft = opinions["written"].reference
    document = opinions["published"].publications.get().documents.get(format="pdf")
    return {
        "library": reverse("opinion-library"),
        "public_published": reverse("opinion-public", args=[published]),
        "public_draft": reverse("opinion-public", args=[draft]),
        "document": reverse("opinion-document", args=[document.publication_id, "pdf"]),
        "letter_published": reverse("opinion-letter", args=[published]),
        "story": reverse("opinion-dossier-story", args=[world.dossier.reference]),
        "staff_list": reverse("opinion-staff-list"),
        "create": reverse("opinion-create", args=[world.dossier.reference]),
        "workspace": reverse("opinion-workspace", args=[draft]),
        "edit": reverse("opinion-edit", args=[draft]),
        "diff": reverse("opinion-diff", args=[draft, 1]),
        "citations": reverse("opinion-citations", args=[draft]),
        "paragraph_citations": reverse("opinion-paragraph-citations", args=[draft, 1]),
        "reflection": reverse("opinion-consultation-reflection", args=[world.consultation.pk]),
    }


PUBLIC = dict.fromkeys(ROLES, 200)
STAFF = {"anonymous": "login", "respondent": 403, "office": 403, "ciq": 200, "reader": 403}
EXPECTED_GET = {
    "library": PUBLIC,
    "public_published": PUBLIC,
    "public_draft": {"anonymous": 404, "respondent": 404, "office": 404, "ciq": 200, "reader": 404},
    "document": PUBLIC,
    "letter_published": PUBLIC,
    "story": PUBLIC,
    "staff_list": STAFF,
    "create": STAFF,
    "workspace": STAFF,
    "edit": STAFF,
    "diff": STAFF,
    "citations": STAFF,
    "paragraph_citations": STAFF,
    "reflection": STAFF,
}


@pytest.mark.parametrize("view", sorted(EXPECTED_GET))
def test_who_may_open_each_page(world, opinions, view):
    url = _urls(world, opinions)[view]
    got = {who: _code(_get(world, who, url)) for who in ROLES}
    assert got == EXPECTED_GET[view]


def test_the_office_reads_an_opinion_sent_to_it_before_publication(world):
    opinion = opinion_at(world, "sent", reference="AVIS-SENT")
    url = reverse("opinion-public", args=[opinion.reference])
    assert _get(world, "office", url).status_code == 200
    assert _get(world, "office", reverse("opinion-letter", args=[opinion.reference])).status_code == 200
    for who in ("anonymous", "respondent", "reader"):
        assert _get(world, who, url).status_code == 404, who


def test_the_story_of_a_file_without_a_published_opinion_is_not_public(world):
    opinion_at(world, "sent")
    url = reverse("opinion-dossier-story", args=[world.dossier.reference])
    for who in ("anonymous", "respondent", "office", "reader"):
        assert _get(world, who, url).status_code == 404, who
    assert _get(world, "ciq", url).status_code == 200


POSTS = [
    ("opinion-edit", {"text": TEXT + "\nAjout.\n", "based_on": "1"}),
    ("opinion-paragraph-citations", {"paragraph": "0"}),
    ("opinion-adopt", {"adopted_on": "2025-03-01", "deciding_body": "CE", "resolution_number": "1"}),
    ("opinion-send", {"sent_on": "2025-03-10"}),
    ("opinion-publish", {}),
    ("opinion-event", {"kind": "made", "happened_on": "2025-06-01"}),
    ("opinion-point", {"key": "x"}),
    ("opinion-publish-answer", {"consent": "0"}),
]


@pytest.mark.parametrize(("name", "data"), POSTS)
def test_staff_actions_are_refused_to_everyone_else(world, name, data):
    opinion = opinion_at(world, "written")
    args = [opinion.reference, 1] if name == "opinion-paragraph-citations" else [opinion.reference]
    url = reverse(name, args=args)
    assert _code(Client().post(url, data)) == "login"
    for who in ("respondent", "office", "reader"):
        assert _client(world.people[who]).post(url, data).status_code == 403, who
    assert opinion.versions.count() == 1
    assert Opinion.objects.get(pk=opinion.pk).adopted_on is None


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("opinion-adopt", "get"),
        ("opinion-send", "get"),
        ("opinion-publish", "get"),
        ("opinion-public", "post"),
        ("opinion-workspace", "post"),
        ("opinion-citations", "post"),
    ],
)
def test_wrong_http_method_is_405(world, name, method):
    opinion = opinion_at(world, "written")
    response = getattr(_client(world.people["ciq"]), method)(reverse(name, args=[opinion.reference]))
    assert response.status_code == 405


def test_creating_an_opinion_leads_to_its_text(world):
    response = _client(world.people["ciq"]).post(
        reverse("opinion-create", args=[world.dossier.reference]),
        {"consultation": world.consultation.pk, "reference": "AVIS-2025-09", "title": "Avis", "summary": ""},
    )
    assert response["Location"] == reverse("opinion-edit", args=["AVIS-2025-09"])


def test_a_concurrent_save_keeps_the_typed_text_in_the_form(world):
    opinion = opinion_at(world, "written")
    services.save_version(opinion=opinion, text=TEXT + "\nAutre.\n", based_on=1, user=world.people["ciq"])
    response = _client(world.people["ciq"]).post(
        reverse("opinion-edit", args=[opinion.reference]), {"text": "Mon texte précieux.", "based_on": "1"}
    )
    assert response.status_code == 200
    assert "Mon texte précieux." in response.content.decode()
    assert "enregistrée par une autre personne" in response.content.decode()


def test_sending_before_adoption_is_refused_in_french(world):
    opinion = opinion_at(world, "written")
    response = _client(world.people["ciq"]).post(
        reverse("opinion-send", args=[opinion.reference]),
        {"sent_on": "2025-03-10", "letter": letter()},
        follow=True,
    )
    assert "ne peut pas être transmis avant d’avoir été adopté" in response.content.decode()
    assert Opinion.objects.get(pk=opinion.pk).sent_on is None


def test_the_whole_path_through_the_pages(world):
    client = _client(world.people["ciq"])
    opinion = opinion_at(world, "written")
    paragraph = opinion.versions.get().paragraphs.get(position=2)
    client.post(
        reverse("opinion-paragraph-citations", args=[opinion.reference, 2]),
        {"paragraph": paragraph.pk, "answers": [world.answers[0].pk], "comments": [world.comments[2].pk]},
    )
    assert Citation.objects.filter(paragraph=paragraph).count() == 2
    client.post(
        reverse("opinion-adopt", args=[opinion.reference]),
        {
            "adopted_on": "2025-03-01",
            "deciding_body": "Comité exécutif",
            "resolution_number": "CE-1",
            "votes_for": "5",
        },
    )
    client.post(
        reverse("opinion-send", args=[opinion.reference]), {"sent_on": "2025-03-10", "letter": letter()}
    )
    response = client.post(reverse("opinion-publish", args=[opinion.reference]), follow=True)
    assert "Avis publié" in response.content.decode()
    client.post(
        reverse("opinion-event", args=[opinion.reference]),
        {"kind": "assented", "happened_on": "2025-06-01", "reference": "L.Q. 2025, c. 3"},
    )
    key = opinion.publications.get().text_version.paragraphs.get(position=3).key
    client.post(
        reverse("opinion-point", args=[opinion.reference]),
        {"key": key, f"{key}-paragraph_key": key, f"{key}-outcome": "retained"},
    )
    page = Client().get(reverse("opinion-public", args=[opinion.reference])).content.decode()
    assert "Sanctionné" in page and "L.Q. 2025, c. 3" in page and "Retenu" in page
    assert "CE-1" in page and "dans le délai de l’autorité" in page


def test_the_public_never_sees_the_orders_answers_or_citations(world):
    opinion = opinion_at(world, "written")
    paragraph = opinion.versions.get().paragraphs.get(position=1)
    services.set_citations(
        paragraph=paragraph,
        answer_ids=[a.pk for a in world.answers],
        comment_ids=[],
        user=world.people["ciq"],
    )
    opinion = services.adopt(
        opinion=opinion,
        adopted_on=datetime.date(2025, 3, 1),
        deciding_body="CE",
        resolution_number="1",
        user=world.people["ciq"],
    )
    services.send(
        opinion=opinion, sent_on=datetime.date(2025, 3, 10), letter=letter(), user=world.people["ciq"]
    )
    services.request_publication(opinion=opinion, user=world.people["ciq"])
    urls = [
        reverse("opinion-public", args=[opinion.reference]),
        reverse("opinion-library"),
        reverse("opinion-library") + "?q=conseil",
        reverse("opinion-dossier-story", args=[world.dossier.reference]),
    ]
    for who in ("anonymous", "respondent", "office", "reader"):
        for url in urls:
            page = _get(world, who, url).content.decode()
            assert "Commentaires confidentiels" not in page, (who, url)
            assert "Remarque" not in page, (who, url)


def test_an_answer_published_with_agreement_shows_only_the_agreed_version(world):
    opinion = opinion_at(world, "published")
    services.publish_answer(opinion=opinion, consent=consent(world.answers[0]), user=world.people["ciq"])
    withdrawn = consent(world.answers[1])
    services.publish_answer(opinion=opinion, consent=withdrawn, user=world.people["ciq"])
    withdrawn.withdrawn_at = datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC)
    withdrawn.save()
    page = Client().get(reverse("opinion-public", args=[opinion.reference])).content.decode()
    assert "Texte que l’ordre accepte de rendre public." in page
    assert world.orders[0].name in page and world.orders[1].name not in page
    assert "Commentaires confidentiels" not in page


def test_the_diff_page_shows_what_changed(world):
    opinion = opinion_at(world, "written")
    services.save_version(
        opinion=opinion,
        text=TEXT.replace("des réserves", "de fortes réserves"),
        based_on=1,
        user=world.people["ciq"],
    )
    page = (
        _client(world.people["ciq"])
        .get(reverse("opinion-diff", args=[opinion.reference, 2]))
        .content.decode()
    )
    assert "<del>" in page and "<ins>" in page and "Paragraphe modifié" in page


def test_the_citations_page_says_which_answers_are_not_yet_reflected(world):
    opinion = opinion_at(world, "written")
    paragraph = opinion.versions.get().paragraphs.get(position=1)
    services.set_citations(
        paragraph=paragraph, answer_ids=[world.answers[0].pk], comment_ids=[], user=world.people["ciq"]
    )
    response = _client(world.people["ciq"]).get(reverse("opinion-citations", args=[opinion.reference]))
    assert [a.pk for a in response.context["not_reflected"]] == [a.pk for a in world.answers[1:]]
    assert [a.pk for a, _paragraphs in response.context["reflected"]] == [world.answers[0].pk]


@pytest.mark.parametrize(
    "search", ["reglement", "RÈGLEMENT", "période", "periode de transition", "AVIS-2025-01"]
)
def test_library_search_ignores_accents_and_case(world, search):
    opinion_at(world, "published")
    response = Client().get(reverse("opinion-library"), {"q": search})
    assert [o.reference for o in response.context["opinions"]] == ["AVIS-2025-01"], search


def test_library_filters_by_subject_authority_and_year(world):
    opinion_at(world, "published")
    library = reverse("opinion-library")
    assert (
        len(
            Client()
            .get(library, {"objet": "bill_or_regulation", "autorite": "office", "annee": "2025"})
            .context["opinions"]
        )
        == 1
    )
    assert len(Client().get(library, {"objet": "public_debate"}).context["opinions"]) == 0
    assert len(Client().get(library, {"autorite": "minister"}).context["opinions"]) == 0


def test_library_query_count_is_constant(world):
    opinion_at(world, "published")
    client = Client()
    client.get(reverse("opinion-library"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("opinion-library"))
    # Two more published opinions: the same number of queries.
    for i in range(2):
        opinion = opinion_at(world, "sent", reference=f"AVIS-X{i}")
        services.publish_opinion(
            opinion_id=opinion.pk,
            version_id=opinion.adopted_version_id,
            requested_at="2025-04-01T12:00:00+00:00",
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("opinion-library"))
    assert len(response.context["opinions"]) == 3
    assert len(after.captured_queries) == len(first.captured_queries)


def _add_answer(world, n):
    order = OrganizationFactory(code=f"ordre-plus-{n}", name=f"Ordre ajouté {n}", kind="professional_order")
    answer = Answer.objects.create(
        consultation=world.consultation,
        organization=order,
        state="submitted",
        position="favourable",
        submitted_at=timezone.now(),
    )
    for article in world.articles:
        ArticleComment.objects.create(answer=answer, article=article, text=f"Ajout {n}")
    return answer


def test_citations_page_query_count_is_constant(world):
    opinion = opinion_at(world, "written")
    client = _client(world.people["ciq"])
    url = reverse("opinion-citations", args=[opinion.reference])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    # More answers, article comments, paragraphs and citations.
    added = [_add_answer(world, n) for n in range(3)]
    version = services.save_version(
        opinion=opinion, text=TEXT + "\n\nUn.\n\nDeux.\n\nTrois.\n", based_on=1, user=world.people["ciq"]
    )
    for paragraph in version.paragraphs.all():
        services.set_citations(
            paragraph=paragraph, answer_ids=[a.pk for a in added], comment_ids=[], user=world.people["ciq"]
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(response.context["answers"]) == 6
    assert len(after.captured_queries) == len(before.captured_queries)


def test_reflection_query_count_is_constant(world):
    opinion = opinion_at(world, "written")
    client = _client(world.people["ciq"])
    url = reverse("opinion-consultation-reflection", args=[world.consultation.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    added = [_add_answer(world, n) for n in range(3)]
    paragraph = opinion.versions.get().paragraphs.get(position=1)
    services.set_citations(
        paragraph=paragraph, answer_ids=[a.pk for a in added], comment_ids=[], user=world.people["ciq"]
    )
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(response.context["reflected"]) == 3 and len(response.context["not_reflected"]) == 3
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_demo_banner_shows_on_a_demonstration_opinion(world):
    opinion = opinion_at(world, "published")
    Opinion.objects.filter(pk=opinion.pk).update(is_demo=True)
    page = Client().get(reverse("opinion-public", args=[opinion.reference])).content.decode()
    assert "Données de démonstration" in page


def test_english_pages_are_translated(world):
    opinion_at(world, "published")
    page = Client().get("/en" + reverse("opinion-library")).content.decode()
    assert "CIQ opinions library" in page


def test_opening_an_opinion_and_deleting_a_step_are_refused_to_everyone_else(world):
    opinion = opinion_at(world, "sent")
    event = services.record_event(
        opinion=opinion, kind="made", happened_on=datetime.date(2025, 6, 1), user=world.people["ciq"]
    )
    create = reverse("opinion-create", args=[world.dossier.reference])
    delete = reverse("opinion-event-delete", args=[opinion.reference, event.pk])
    data = {"reference": "AVIS-INTRUS", "title": "Intrus"}
    assert _code(Client().post(create, data)) == "login"
    assert _code(Client().post(delete)) == "login"
    for who in ("respondent", "office", "reader"):
        assert _client(world.people[who]).post(create, data).status_code == 403, who
        assert _client(world.people[who]).post(delete).status_code == 403, who
    assert not Opinion.objects.filter(reference="AVIS-INTRUS").exists()
    assert opinion.events.count() == 1


def test_the_ciq_home_lists_published_opinions_and_not_drafts(world, opinions):
    page = Client().get(reverse("ciq-home")).content.decode()
    assert opinions["published"].get_absolute_url() in page
    assert opinions["written"].get_absolute_url() not in page
