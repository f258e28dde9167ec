"""The CIQ's section of a plan's backup: its files linked to the plan, with their
consultations, answers (every version), documents and consents."""

import copy
import datetime

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from concerto.backups.services import export_plan, restore_plan
from concerto.ciq import services
from concerto.ciq.models import (
    Answer,
    AnswerAttachment,
    AnswerVersion,
    ArticleComment,
    Consultation,
    Dossier,
    OrderGroup,
    PublicationConsent,
    SourceDocument,
)
from concerto.core.dataload import DataError
from concerto.notifications.models import SentNotification
from concerto.plans.models import Plan

from .factories import build_clean_plan
from .support.ciq import answer_data, build_world

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
KEPT = {"contenttypes", "auth.permission"}
MAY = datetime.datetime(2025, 5, 20, 14, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _pdf(name):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _wipe_database():
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in KEPT or model._meta.label_lower in KEPT:
            continue
        model._base_manager.all()._raw_delete(connection.alias)


def _without_date(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "exported_at"}


@pytest.fixture
def plan_with_ciq_file(db):
    """A plan whose measure 1 a CIQ file names: an open consultation of two orders, order A's
    answer submitted then amended (two versions) with an article comment, an attachment and
    a publication consent, order B's draft, a source document, a group and an invitation sent."""
    plan = build_clean_plan(2)
    world = build_world()
    world.dossier.measures.add(plan.measures.get(number=1))
    OrderGroup.objects.create(owner=world.ciq, name="Ordres de la santé").organizations.add(world.order_a)
    SourceDocument.objects.create(
        dossier=world.dossier,
        kind=SourceDocument.Kind.DRAFT_TEXT,
        title="Projet de règlement",
        file=_pdf("projet.pdf"),
        original_name="projet.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    answer = services.answer_for(consultation=world.consultation, organization=world.order_a)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, a2="L’article 2 est trop large."),
        expected_version=1,
        submit=True,
        now=MAY,
    )
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, position="with_reservations", version=2, a2="Restreindre l’article 2."),
        expected_version=2,
        submit=True,
        now=MAY + datetime.timedelta(days=1),
    )
    AnswerAttachment.objects.create(
        answer=answer,
        file=_pdf("memoire.pdf"),
        original_name="memoire.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=world.respondent_a,
    )
    services.record_publication_consent(
        user=world.staff, answer=answer, agreed_on=datetime.date(2025, 6, 5), agreed_by="Le conseil"
    )
    draft = services.answer_for(consultation=world.consultation, organization=world.order_b)
    services.save_answer(
        answer=draft,
        user=world.respondent_b,
        data=answer_data(world, position="", comments="En cours."),
        expected_version=1,
        now=MAY,
    )
    SentNotification.objects.create(
        key=f"ciq:consultation:{world.consultation.pk}:invitation:org:{world.order_a.pk}",
        kind="ciq_invitation",
        organization=world.order_a,
        recipients=world.respondent_a.email,
    )
    return plan


def test_restored_ciq_file_exports_exactly_as_the_original(plan_with_ciq_file):
    original = export_plan(plan=plan_with_ciq_file)
    assert [f["reference"] for f in original["ciq_files"]] == [Dossier.objects.get().reference]
    assert [n["key"] for n in original["notifications"]] == [
        "ciq:consultation:<consultation>:invitation:org:<org>"
    ]
    _wipe_database()
    assert Dossier.objects.count() == Plan.objects.count() == 0

    restore_plan(data=copy.deepcopy(original))

    again = export_plan(plan=Plan.objects.get())
    assert _without_date(again) == _without_date(original)


def test_restoration_keeps_every_version_document_and_link(plan_with_ciq_file):
    data = export_plan(plan=plan_with_ciq_file)
    _wipe_database()
    restore_plan(data=data)

    answer = Answer.objects.get(organization__name="Ordre A")
    assert [(v.number, v.position) for v in answer.versions.all()] == [
        (1, "favourable"),
        (2, "with_reservations"),
    ]
    article_2 = answer.consultation.articles.get(position=2)
    assert AnswerVersion.objects.get(answer=answer, number=2).article_comments[0]["article"] == article_2.pk
    assert ArticleComment.objects.get(answer=answer).article == article_2
    assert PublicationConsent.objects.get(answer=answer).version.number == 2
    with AnswerAttachment.objects.get(answer=answer).file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    with SourceDocument.objects.get().file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    assert Answer.objects.get(organization__name="Ordre B").state == Answer.State.DRAFT
    assert list(Dossier.objects.get().measures.values_list("number", flat=True)) == [1]
    consultation = Consultation.objects.get()
    order_a = answer.organization
    assert SentNotification.objects.filter(
        key=f"ciq:consultation:{consultation.pk}:invitation:org:{order_a.pk}"
    ).exists()
    assert list(OrderGroup.objects.get().organizations.all()) == [order_a]


@pytest.mark.django_db
def test_plan_without_ciq_file_exports_empty_ciq_section():
    data = export_plan(plan=build_clean_plan(1))
    assert (data["ciq_order_groups"], data["ciq_files"]) == ([], [])


def test_malformed_answer_version_is_refused_naming_it_and_nothing_is_written(plan_with_ciq_file, media):
    data = export_plan(plan=plan_with_ciq_file)
    _wipe_database()
    for stored in media.rglob("*"):
        if stored.is_file():
            stored.unlink()
    answer = next(a for a in data["ciq_files"][0]["consultations"][0]["answers"] if a["versions"])
    del answer["versions"][1]["position"]
    reference, code = data["ciq_files"][0]["reference"], answer["organization"]

    with pytest.raises(
        DataError,
        match=rf"dossier {reference}, consultation 1, réponse de « {code} », version transmise : "
        "champ « position » manquant",
    ):
        restore_plan(data=data)
    assert Plan.objects.count() == Dossier.objects.count() == Answer.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_article_comment_naming_an_unknown_article_is_refused_in_french(plan_with_ciq_file):
    data = export_plan(plan=plan_with_ciq_file)
    _wipe_database()
    answer = next(a for a in data["ciq_files"][0]["consultations"][0]["answers"] if a["article_comments"])
    answer["article_comments"][0]["article"] = 99

    with pytest.raises(
        DataError, match=r"champ « article » : article de rang « 99 » absent de la consultation"
    ):
        restore_plan(data=data)
    assert Dossier.objects.count() == 0


def test_refused_choice_is_named_by_the_model_and_nothing_is_written(plan_with_ciq_file):
    data = export_plan(plan=plan_with_ciq_file)
    _wipe_database()
    data["ciq_files"][0]["subject"] = "inconnu"
    reference = data["ciq_files"][0]["reference"]

    with pytest.raises(
        DataError, match=rf"dossier {reference}, champ « subject » : .*inconnu.*Rien n’a été écrit"
    ):
        restore_plan(data=data)
    assert Plan.objects.count() == Dossier.objects.count() == 0
