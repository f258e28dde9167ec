"""The CIQ's consultation operations: ownership, articles, answers (optimistic
locking, submission, amendment with versions, late answers), consent."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concerto.accounts import rules as account_rules
from concerto.accounts.models import Role
from concerto.ciq import services
from concerto.ciq.models import Answer, AnswerVersion, ArticleComment, Consultation
from tests.factories import OrderFactory
from tests.support.ciq import answer_data, build_world, word_file

pytestmark = pytest.mark.django_db

BEFORE = timezone.make_aware(datetime.datetime(2025, 5, 20, 10))
AFTER = timezone.make_aware(datetime.datetime(2025, 6, 3, 10))  # deadline 2 June 2025


@pytest.fixture
def world():
    return build_world()


def _answer(world, org=None):
    return services.answer_for(consultation=world.consultation, organization=org or world.order_a)


# --- ownership ---------------------------------------------------------------------


def test_ciq_coordinator_coordinates_the_ciq_even_before_any_file(db):
    from tests.factories import UserFactory, ciq_organization

    ciq = ciq_organization()
    assert account_rules.coordinates(UserFactory(coordinator_of=ciq), ciq)
    assert ciq.pk in account_rules.coordinated_owner_ids(UserFactory(coordinator_of=ciq))


def test_ciq_coordinator_may_invite_respondents_of_the_audience_orders(world):
    assert account_rules.can_grant_role(world.staff, world.order_a, Role.RESPONDENT)


def test_ciq_coordinator_may_not_invite_in_an_order_outside_every_audience(world):
    outsider = OrderFactory()
    assert not account_rules.can_grant_role(world.staff, outsider, Role.RESPONDENT)


def test_office_coordinator_does_not_coordinate_the_ciq(world):
    assert not account_rules.coordinates(world.office_coordinator, world.ciq)
    assert not account_rules.can_grant_role(world.office_coordinator, world.ciq, Role.COORDINATOR)


def test_office_coordinator_cannot_save_a_ciq_file(world):
    world.dossier.title = "Changé"
    with pytest.raises(PermissionDenied):
        services.save_dossier(user=world.office_coordinator, dossier=world.dossier)


# --- articles ----------------------------------------------------------------------


def test_pasted_articles_split_on_article_lines():
    articles = services.parse_pasted_articles(
        "Préambule ignoré\nArticle 1 — Objet\nLe règlement vise…\n\nArt. 2\nDéfinitions.\nSuite."
    )
    assert [a.heading for a in articles] == ["Article 1 — Objet", "Art. 2"]
    assert articles[1].text == "Définitions.\nSuite."


def test_pasted_text_without_articles_is_refused_in_french():
    with pytest.raises(ValidationError) as error:
        services.parse_pasted_articles("Un texte sans découpage.")
    assert "« Article 1 »" in error.value.message_dict["articles_text"][0]


def test_word_file_imports_one_article_per_heading():
    upload = word_file(
        [
            ("Normal", "Titre du projet, avant le premier article"),
            ("Heading 1", "Article 1"),
            ("Normal", "Premier alinéa."),
            ("Normal", "Second alinéa."),
            ("Heading 2", "Article 2"),
            ("Normal", "Texte."),
        ]
    )
    articles = services.parse_docx_articles(upload)
    assert [(a.heading, a.text) for a in articles] == [
        ("Article 1", "Premier alinéa.\nSecond alinéa."),
        ("Article 2", "Texte."),
    ]


def test_word_file_without_headings_explains_what_was_expected():
    upload = word_file([("Normal", "Article 1"), ("Normal", "Texte.")])
    with pytest.raises(ValidationError) as error:
        services.parse_docx_articles(upload)
    message = error.value.message_dict["articles_file"][0]
    assert "aucun titre d’article" in message
    assert "Titre 1" in message


def test_articles_cannot_be_replaced_once_commented(world):
    answer = _answer(world)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, a1="Remarque"),
        expected_version=1,
        now=BEFORE,
    )
    with pytest.raises(ValidationError):
        services.replace_articles(
            user=world.staff,
            consultation=world.consultation,
            articles=services.parse_pasted_articles("Article 1\nX"),
        )
    assert world.consultation.articles.count() == 3


# --- answers -----------------------------------------------------------------------


def test_save_keeps_a_draft_and_increments_the_version(world):
    answer = _answer(world)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, a2="Précisez"),
        expected_version=1,
        now=BEFORE,
    )
    answer.refresh_from_db()
    assert answer.state == Answer.State.DRAFT
    assert answer.version == 2
    assert not answer.versions.exists()
    assert list(answer.article_comments.values_list("article__position", "text")) == [(2, "Précisez")]


def test_save_based_on_an_older_version_is_refused_and_changes_nothing(world):
    answer = _answer(world)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, comments="Premier"),
        expected_version=1,
        now=BEFORE,
    )
    with pytest.raises(services.ConflictError) as conflict:
        services.save_answer(
            answer=answer,
            user=world.respondent_a,
            data=answer_data(world, comments="Second", a1="Perdu?"),
            expected_version=1,
            now=BEFORE,
        )
    assert conflict.value.current.comments == "Premier"
    assert not ArticleComment.objects.exists()


def test_submit_keeps_a_version_on_time(world):
    answer = _answer(world)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, position="with_reservations", a1="Un", a3="Trois"),
        expected_version=1,
        submit=True,
        now=BEFORE,
    )
    answer.refresh_from_db()
    assert answer.state == Answer.State.SUBMITTED and not answer.late
    version = answer.versions.get()
    assert version.number == 1 and version.position == "with_reservations"
    assert [c["text"] for c in version.article_comments] == ["Un", "Trois"]


def test_submit_without_position_names_the_field(world):
    with pytest.raises(ValidationError) as error:
        services.save_answer(
            answer=_answer(world),
            user=world.respondent_a,
            data=answer_data(world, position=""),
            expected_version=1,
            submit=True,
            now=BEFORE,
        )
    assert "Position de l’ordre" in error.value.message_dict["position"][0]


def test_amending_before_the_deadline_keeps_every_version(world):
    answer = _answer(world)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world),
        expected_version=1,
        submit=True,
        now=BEFORE,
    )
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, position="unfavourable", version=2),
        expected_version=2,
        submit=True,
        now=BEFORE,
    )
    assert list(answer.versions.values_list("number", "position")) == [(1, "favourable"), (2, "unfavourable")]


def test_submitted_answer_cannot_be_amended_after_the_deadline(world):
    answer = _answer(world)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world),
        expected_version=1,
        submit=True,
        now=BEFORE,
    )
    with pytest.raises(services.AnswerLocked):
        services.save_answer(
            answer=answer,
            user=world.respondent_a,
            data=answer_data(world),
            expected_version=2,
            submit=True,
            now=AFTER,
        )
    assert answer.versions.count() == 1


def test_first_answer_after_the_deadline_is_accepted_and_marked_late(world):
    answer = _answer(world)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world),
        expected_version=1,
        submit=True,
        now=AFTER,
    )
    answer.refresh_from_db()
    assert answer.late and answer.versions.get().late


def test_closed_consultation_refuses_answers(world):
    Consultation.objects.filter(pk=world.consultation.pk).update(state="closed", closed_at=timezone.now())
    answer = _answer(world)
    with pytest.raises(services.AnswerLocked):
        services.save_answer(
            answer=answer, user=world.respondent_a, data=answer_data(world), expected_version=1, now=BEFORE
        )


def test_another_orders_respondent_cannot_save_the_answer(world):
    with pytest.raises(PermissionDenied):
        services.save_answer(
            answer=_answer(world),
            user=world.respondent_b,
            data=answer_data(world),
            expected_version=1,
            now=BEFORE,
        )


@pytest.mark.parametrize("role", ["staff", "office_coordinator", "reader"])
def test_only_respondents_save_answers(world, role):
    with pytest.raises(PermissionDenied):
        services.save_answer(
            answer=_answer(world),
            user=getattr(world, role),
            data=answer_data(world),
            expected_version=1,
            now=BEFORE,
        )


def test_unknown_position_is_refused_in_french(world):
    with pytest.raises(ValidationError) as error:
        services.save_answer(
            answer=_answer(world),
            user=world.respondent_a,
            data=answer_data(world, position="oui"),
            expected_version=1,
        )
    assert "Position de l’ordre" in error.value.message_dict["position"][0]


def test_answer_for_is_one_per_order(world):
    assert _answer(world).pk == _answer(world).pk
    assert Answer.objects.count() == 1


def test_removing_an_article_comment_deletes_it(world):
    answer = _answer(world)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, a1="X"),
        expected_version=1,
        now=BEFORE,
    )
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, version=2),
        expected_version=2,
        now=BEFORE,
    )
    assert not ArticleComment.objects.exists()


# --- consultation and consent -------------------------------------------------------


def test_open_consultation_invites_each_orders_respondents_once(world, mailoutbox):
    Consultation.objects.filter(pk=world.consultation.pk).update(state="draft", opened_at=None)
    world.consultation.refresh_from_db()
    assert services.open_consultation(user=world.staff, consultation=world.consultation) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.respondent_a.email, world.respondent_b.email])
    assert "Ordre B" not in next(m.body for m in mailoutbox if m.to == [world.respondent_a.email])
    from concerto.ciq.notifications import send_invitations

    assert send_invitations(world.consultation) == 0
    assert len(mailoutbox) == 2


def test_open_twice_is_refused(world):
    with pytest.raises(ValidationError):
        services.open_consultation(user=world.staff, consultation=world.consultation)


def test_consent_records_the_last_version(world):
    answer = _answer(world)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world),
        expected_version=1,
        submit=True,
        now=BEFORE,
    )
    consent = services.record_publication_consent(
        user=world.staff,
        answer=answer,
        agreed_on=datetime.date(2025, 7, 1),
        agreed_by="Présidence de l’ordre A",
    )
    assert consent.version == AnswerVersion.objects.get(answer=answer)


def test_consent_needs_a_submitted_answer(world):
    with pytest.raises(ValidationError):
        services.record_publication_consent(
            user=world.staff, answer=_answer(world), agreed_on=datetime.date(2025, 7, 1), agreed_by="X"
        )


def test_office_coordinator_cannot_record_consent(world):
    with pytest.raises(PermissionDenied):
        services.record_publication_consent(
            user=world.office_coordinator,
            answer=_answer(world),
            agreed_on=datetime.date(2025, 7, 1),
            agreed_by="X",
        )


def test_office_coordinator_cannot_make_anyone_an_orders_respondent(world):
    from tests.factories import RecommendationFactory

    # The order takes part in what the Office coordinates (a recommendation's addressee)...
    RecommendationFactory(owner=world.office, addressee=world.order_a)
    assert account_rules.can_grant_role(world.office_coordinator, world.order_a, Role.EDITOR)
    # ...but answering the CIQ for it is the CIQ's to grant.
    assert not account_rules.can_grant_role(world.office_coordinator, world.order_a, Role.RESPONDENT)
