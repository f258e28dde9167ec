"""The CIQ's opinions: versions and diffs, citations, adoption, sending, publication, follow-up."""

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document
from pypdf import PdfReader

from concerto.opinions import services
from concerto.opinions.inbox import tasks_for_user
from concerto.opinions.models import Citation, Opinion, PointOutcome, Publication
from concerto.opinions.text import carry_keys, diff_versions, split_paragraphs
from tests.support.opinions import TEXT, build_world, letter, opinion_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def world():
    return build_world()


# --- text, versions, diff ----------------------------------------------------------


def test_paragraphs_know_their_section():
    blocks = split_paragraphs(TEXT)
    assert [(b.position, b.section) for b in blocks] == [(1, "Contexte"), (2, "Position"), (3, "Position")]


def test_an_unchanged_or_lightly_edited_paragraph_keeps_its_key():
    old = carry_keys([], split_paragraphs(TEXT))
    new = carry_keys(
        old,
        split_paragraphs(
            TEXT.replace("avec des réserves", "avec quelques réserves") + "\nNouveau.\n\nAutre."
        ),
    )
    assert [b.key for b in new[:3]] == [b.key for b in old]
    assert new[3].key not in {b.key for b in old}


def test_the_diff_marks_insertions_and_deletions_in_words_not_colour_alone():
    rows = diff_versions(
        "## T\n\nLe Conseil appuie le projet.", "## T\n\nLe Conseil appuie fortement le projet.\n\nAjout."
    )
    kinds = [r.kind for r in rows]
    assert kinds == ["equal", "changed", "added"]
    assert "<ins>" in rows[1].html and "fortement" in rows[1].html
    assert "[début d’ajout]" in rows[1].html  # announced to screen readers
    assert rows[2].label == "Paragraphe ajouté"


def test_the_diff_escapes_typed_html():
    rows = diff_versions("a", "<script>alert(1)</script>")
    assert "<script>" not in "".join(r.html for r in rows)


def test_each_save_keeps_a_new_version(world):
    opinion = opinion_at(world, "written")
    services.save_version(opinion=opinion, text=TEXT + "\nAjout.\n", based_on=1, user=world.people["ciq"])
    assert list(opinion.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert opinion.versions.get(number=1).text == TEXT


def test_a_save_based_on_an_old_version_is_refused_and_stores_nothing(world):
    opinion = opinion_at(world, "written")
    services.save_version(opinion=opinion, text=TEXT + "\nA.\n", based_on=1, user=world.people["ciq"])
    with pytest.raises(ValidationError, match="version 2 a été enregistrée par une autre personne"):
        services.save_version(opinion=opinion, text="Autre texte.", based_on=1, user=world.people["ciq"])
    assert opinion.versions.count() == 2


def test_a_text_with_only_headings_is_refused_naming_the_field(world):
    opinion = opinion_at(world, "open")
    with pytest.raises(ValidationError) as raised:
        services.save_version(opinion=opinion, text="## Titre", based_on=None, user=world.people["ciq"])
    assert "text" in raised.value.message_dict


@pytest.mark.parametrize("who", ["office", "respondent", "reader"])
def test_only_ciq_staff_write_the_opinion(world, who):
    opinion = opinion_at(world, "open")
    with pytest.raises(PermissionDenied):
        services.save_version(opinion=opinion, text=TEXT, based_on=None, user=world.people[who])


# --- citations ------------------------------------------------------------------------


def test_citations_follow_their_paragraph_into_the_next_version(world):
    opinion = opinion_at(world, "written")
    paragraph = opinion.versions.get().paragraphs.get(position=2)
    services.set_citations(
        paragraph=paragraph,
        answer_ids=[world.answers[0].pk],
        comment_ids=[world.comments[1].pk],
        user=world.people["ciq"],
    )
    edited = TEXT.replace("avec des réserves", "avec de sérieuses réserves")
    version = services.save_version(
        opinion=opinion, text="Intro.\n\n" + edited, based_on=1, user=world.people["ciq"]
    )
    moved = version.paragraphs.get(key=paragraph.key)
    assert moved.position == 3
    assert set(moved.citations.values_list("answer_id", "article_comment_id")) == {
        (world.answers[0].pk, None),
        (world.answers[1].pk, world.comments[1].pk),
    }


def test_a_draft_answer_cannot_be_cited(world):
    opinion = opinion_at(world, "written")
    draft = world.answers[2]
    draft.state = "draft"
    draft.save()
    paragraph = opinion.versions.get().paragraphs.get(position=1)
    with pytest.raises(ValidationError, match="Seules les réponses transmises"):
        services.set_citations(
            paragraph=paragraph, answer_ids=[draft.pk], comment_ids=[], user=world.people["ciq"]
        )
    assert not Citation.objects.exists()


def test_an_answer_of_another_file_cannot_be_cited(world):
    opinion = opinion_at(world, "written")
    paragraph = opinion.versions.get().paragraphs.get(position=1)
    with pytest.raises(ValidationError):
        services.set_citations(
            paragraph=paragraph, answer_ids=[999999], comment_ids=[], user=world.people["ciq"]
        )


# --- adoption and sending -------------------------------------------------------------


def test_an_opinion_cannot_be_sent_before_it_is_adopted(world):
    opinion = opinion_at(world, "written")
    with pytest.raises(ValidationError, match="ne peut pas être transmis avant d’avoir été adopté"):
        services.send(
            opinion=opinion, sent_on=datetime.date(2025, 3, 10), letter=letter(), user=world.people["ciq"]
        )
    opinion.refresh_from_db()
    assert opinion.sent_on is None


def test_adoption_records_the_body_the_resolution_the_vote_and_the_version(world):
    opinion = opinion_at(world, "written")
    services.adopt(
        opinion=opinion,
        adopted_on=datetime.date(2025, 3, 1),
        deciding_body="Assemblée des membres",
        resolution_number="AM-2025-3",
        votes_for=30,
        votes_against=2,
        votes_abstaining=4,
        user=world.people["ciq"],
    )
    opinion.refresh_from_db()
    assert (opinion.deciding_body, opinion.resolution_number, opinion.votes_for) == (
        "Assemblée des membres",
        "AM-2025-3",
        30,
    )
    assert opinion.adopted_version.number == 1


def test_adoption_without_a_resolution_number_names_the_field(world):
    opinion = opinion_at(world, "written")
    with pytest.raises(ValidationError) as raised:
        services.adopt(
            opinion=opinion,
            adopted_on=datetime.date(2025, 3, 1),
            deciding_body="CE",
            resolution_number="",
            user=world.people["ciq"],
        )
    assert "resolution_number" in raised.value.message_dict


@pytest.mark.parametrize(
    ("sent_on", "met"), [(datetime.date(2025, 3, 14), True), (datetime.date(2025, 3, 17), False)]
)
def test_sending_says_whether_the_authority_deadline_was_met(world, sent_on, met):
    opinion = opinion_at(world, "adopted")
    services.send(opinion=opinion, sent_on=sent_on, letter=letter(), user=world.people["ciq"])
    opinion.refresh_from_db()
    assert opinion.deadline_met is met
    assert opinion.authority_deadline == datetime.date(2025, 3, 14)


def test_sending_without_a_known_deadline_computes_nothing(world):
    world.dossier.deadline_basis = "none"
    world.dossier.save()
    opinion = opinion_at(world, "sent")
    assert opinion.deadline_met is None


def test_a_letter_that_is_not_a_document_is_refused_and_nothing_is_recorded(world):
    opinion = opinion_at(world, "adopted")
    with pytest.raises(ValidationError) as raised:
        services.send(
            opinion=opinion,
            sent_on=datetime.date(2025, 3, 10),
            letter=letter("lettre.pdf", b"MZ pas un pdf"),
            user=world.people["ciq"],
        )
    assert "letter" in raised.value.message_dict
    opinion.refresh_from_db()
    assert opinion.sent_on is None and not opinion.letter


def test_adoption_cannot_change_once_sent(world):
    opinion = opinion_at(world, "sent")
    with pytest.raises(ValidationError, match="déjà été transmis"):
        services.adopt(
            opinion=opinion,
            adopted_on=datetime.date(2025, 3, 2),
            deciding_body="CE",
            resolution_number="X",
            user=world.people["ciq"],
        )


# --- publication ----------------------------------------------------------------------


def test_publication_freezes_a_tagged_pdf_and_a_word_document_with_their_hash(world):
    opinion = opinion_at(world, "published")
    publication = opinion.publications.get()
    documents = {d.format: d for d in publication.documents.all()}
    assert set(documents) == {"pdf", "docx"}
    pdf = bytes(documents["pdf"].content)
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged
    assert root["/Lang"] == "fr"
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert documents["pdf"].sha256 == hashlib.sha256(pdf).hexdigest()
    word = Document(io.BytesIO(bytes(documents["docx"].content)))
    texts = [p.text for p in word.paragraphs]
    assert "Le Conseil recommande une période de transition." in texts
    assert any(p.style.name == "Heading 1" and p.text == "Position" for p in word.paragraphs)


def test_publication_before_adoption_is_refused(world):
    opinion = opinion_at(world, "written")
    with pytest.raises(ValidationError, match="ne peut pas être publié avant d’avoir été adopté"):
        services.request_publication(opinion=opinion, user=world.people["ciq"])
    assert not Publication.objects.exists()


def test_republishing_adds_a_version_and_the_old_one_says_replaced_by(world):
    opinion = opinion_at(world, "published")
    services.request_publication(opinion=opinion, user=world.people["ciq"])
    first, second = opinion.publications.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.superseded_by == second and second.superseded_by is None
    assert first.documents.count() == 2  # still downloadable


def test_a_published_document_cannot_be_edited(world):
    opinion = opinion_at(world, "published")
    document = opinion.publications.get().documents.first()
    with pytest.raises(ValueError, match="figé"):
        document.save()


def test_a_draft_is_not_searchable_until_published(world):
    opinion = opinion_at(world, "written")
    assert "transition" not in Opinion.objects.get(pk=opinion.pk).search_text
    opinion = opinion_at(world, "published", reference="AVIS-2025-02")
    assert "periode de transition" in Opinion.objects.get(pk=opinion.pk).search_text


# --- follow-up ------------------------------------------------------------------------


def test_follow_up_records_the_fate_of_the_text_and_of_each_point(world):
    opinion = opinion_at(world, "published")
    user = world.people["ciq"]
    services.record_event(
        opinion=opinion,
        kind="made",
        happened_on=datetime.date(2025, 6, 1),
        reference="G.O. II, 2025",
        user=user,
    )
    key = opinion.publications.get().text_version.paragraphs.get(position=3).key
    services.set_point_outcome(opinion=opinion, paragraph_key=key, outcome="partly", user=user)
    assert opinion.events.get().get_kind_display() == "Édicté"
    assert PointOutcome.objects.get(opinion=opinion).get_outcome_display() == "Retenu en partie"


def test_a_point_outside_the_published_text_is_refused(world):
    opinion = opinion_at(world, "published")
    with pytest.raises(ValidationError, match="ne figure pas"):
        services.set_point_outcome(
            opinion=opinion, paragraph_key="inconnu", outcome="retained", user=world.people["ciq"]
        )


def test_follow_up_starts_after_sending(world):
    opinion = opinion_at(world, "adopted")
    with pytest.raises(ValidationError):
        services.record_event(
            opinion=opinion, kind="made", happened_on=datetime.date(2025, 6, 1), user=world.people["ciq"]
        )


# --- answers published with agreement -------------------------------------------------


def test_an_answer_is_published_only_with_an_active_agreement(world):
    from tests.support.opinions import consent

    opinion = opinion_at(world, "sent")
    withdrawn = consent(world.answers[1], withdrawn=True)
    with pytest.raises(ValidationError, match="retiré son accord"):
        services.publish_answer(opinion=opinion, consent=withdrawn, user=world.people["ciq"])
    assert services.publish_answer(
        opinion=opinion, consent=consent(world.answers[0]), user=world.people["ciq"]
    )


# --- « Mes tâches » -------------------------------------------------------------------


def _titles(user):
    return [(t.title, t.kind) for t in tasks_for_user(user, today=datetime.date(2025, 3, 5))]


def test_ciq_staff_are_asked_to_adopt_send_and_publish(world):
    opinion_at(world, "written", reference="AVIS-A")
    opinion_at(world, "adopted", reference="AVIS-B")
    opinion_at(world, "sent", reference="AVIS-C")
    assert _titles(world.people["ciq"]) == [
        ("Faire adopter l’avis AVIS-A", "todo"),
        ("Transmettre l’avis AVIS-B à l’autorité", "todo"),
        ("Publier l’avis AVIS-C", "todo"),
    ]


def test_the_office_sees_an_opinion_addressed_to_it_as_received_once_sent(world):
    opinion_at(world, "adopted", reference="AVIS-A")
    assert _titles(world.people["office"]) == []
    opinion_at(world, "sent", reference="AVIS-B")
    assert _titles(world.people["office"]) == [("Avis du CIQ reçu : Avis sur la formation continue", "info")]


@pytest.mark.parametrize("who", ["respondent", "reader"])
def test_others_have_no_opinion_tasks(world, who):
    opinion_at(world, "sent")
    assert _titles(world.people[who]) == []


def test_task_queries_do_not_grow_with_the_number_of_opinions(world, django_assert_num_queries):
    for i in range(3):
        opinion_at(world, "adopted", reference=f"AVIS-{i}")
    user = world.people["ciq"]
    tasks_for_user(user, today=datetime.date(2025, 3, 5))  # memberships read once per user
    with django_assert_num_queries(2):
        tasks_for_user(user, today=datetime.date(2025, 3, 5))


def test_asking_again_while_a_publication_is_being_made_publishes_once(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    opinion = opinion_at(world, "sent")
    first = services.request_publication(opinion=opinion, user=world.people["ciq"])
    again = services.request_publication(opinion=opinion, user=world.people["ciq"])
    assert again.pk == first.pk and first.state == "queued"


def test_a_received_opinion_leaves_the_offices_list_after_sixty_days(world):
    opinion_at(world, "sent")  # sent on 10 March 2025
    office = world.people["office"]
    assert len(tasks_for_user(office, today=datetime.date(2025, 5, 9))) == 1
    assert tasks_for_user(office, today=datetime.date(2025, 5, 10)) == []
