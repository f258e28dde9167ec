"""The CIQ's opinions in a plan's backup: written whole, restored exactly, refused cleanly."""

import base64
import datetime
import hashlib

import pytest
from django.apps import apps
from django.db import connection

from concerto.backups.services import export_plan, restore_plan, sections
from concerto.core.dataload import DataError
from concerto.opinions import services
from concerto.opinions.models import Citation, Opinion, OpinionVersion, Publication, PublishedDocument
from concerto.plans.models import Plan
from tests.factories import build_clean_plan
from tests.support.opinions import MINIMAL_PDF, build_world, consent, letter, opinion_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

KEPT = {"contenttypes", "auth.permission"}  # reference rows that migrations create
# What stays when only the plan's side is lost: the CIQ's files and answers,
# the organizations and the people (the restoration uses those as they are).
CIQ_KEPT = KEPT | {"ciq", "organizations", "auth", "accounts"}
PLAN_LINKS = {"ciq.dossier_measures", "ciq.dossier_recommendations"}  # go with the plan


def _wipe(kept):
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if (model._meta.app_label in kept or label in kept) and label not in PLAN_LINKS:
            continue
        model._base_manager.all()._raw_delete(connection.alias)


def _without_date(document):
    return {k: v for k, v in document.items() if k != "exported_at"}


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def plan(world):
    """A plan whose measure 1 is linked to the CIQ's file, and a published opinion on
    that file: two text versions, citations, republished, an order's answer published
    with its agreement, the follow-up."""
    plan = build_clean_plan(2)
    plan.owner = world.office
    plan.save()
    world.dossier.measures.add(plan.measures.get(number=1))
    user = world.people["ciq"]
    opinion = opinion_at(world, "adopted")
    paragraph = opinion.adopted_version.paragraphs.get(position=2)
    services.set_citations(
        paragraph=paragraph,
        answer_ids=[world.answers[0].pk],
        comment_ids=[world.comments[0].pk, world.comments[1].pk],
        user=user,
    )
    opinion = services.send(
        opinion=opinion,
        sent_on=datetime.date(2025, 3, 10),
        letter=letter(),
        user=user,
    )
    # Published twice (v1 « remplacé par » v2); the documents' rendering is tested in test_opinions.
    first, second = (
        Publication.objects.create(opinion=opinion, number=n, text_version=opinion.adopted_version)
        for n in (1, 2)
    )
    for publication in (first, second):
        PublishedDocument.objects.create(publication=publication, format="pdf", content=MINIMAL_PDF)
        PublishedDocument.objects.create(publication=publication, format="docx", content=b"PK docx")
    first.superseded_by = second
    first.save()
    services.publish_answer(opinion=opinion, consent=consent(world.answers[0]), user=user)
    services.record_event(
        opinion=opinion,
        kind="made",
        happened_on=datetime.date(2025, 6, 4),
        reference="G.O. II, 2025, p. 1234",
        user=user,
    )
    services.set_point_outcome(opinion=opinion, paragraph_key=paragraph.key, outcome="partly", user=user)
    return plan


def test_export_writes_the_opinion_whole_with_its_frozen_files(plan, world):
    document = export_plan(plan=plan)
    (entry,) = document["opinions"]
    assert (entry["reference"], entry["dossier"], entry["adopted_version"]) == (
        "AVIS-2025-01",
        "CIQ-2025-001",
        1,
    )
    paragraph = entry["versions"][0]["paragraphs"][1]
    assert paragraph["citations"] == [
        {
            "answer": {
                "consultation": paragraph["citations"][0]["answer"]["consultation"],
                "order": "ordre-0",
            },
            "article": None,
        },
        {
            "answer": {
                "consultation": paragraph["citations"][0]["answer"]["consultation"],
                "order": "ordre-0",
            },
            "article": 1,
        },
        {
            "answer": {
                "consultation": paragraph["citations"][0]["answer"]["consultation"],
                "order": "ordre-1",
            },
            "article": 1,
        },
    ]
    assert [(p["number"], p["superseded_by"]) for p in entry["publications"]] == [(1, 2), (2, None)]
    for p in entry["publications"]:
        assert [d["format"] for d in p["documents"]] == ["docx", "pdf"]
        for d in p["documents"]:
            assert hashlib.sha256(base64.b64decode(d["content"])).hexdigest() == d["sha256"]
    assert base64.b64decode(entry["letter"]["content"]) == MINIMAL_PDF
    assert [e["kind"] for e in entry["events"]] == ["made"]
    assert [(o["paragraph_key"], o["outcome"]) for o in entry["point_outcomes"]] == [
        (paragraph["key"], "partly")
    ]
    assert entry["published_answers"][0]["answer"]["order"] == "ordre-0"
    assert {"ordre-0", "ordre-1"} <= {o["code"] for o in document["organizations"]}


def test_opinions_on_files_not_linked_to_the_plan_stay_out(plan, world):
    world.dossier.measures.clear()
    assert export_plan(plan=plan)["opinions"] == []


def test_opinions_restore_on_the_ciq_files_kept_in_the_database(plan, world, media):
    original = export_plan(plan=plan)
    _wipe(CIQ_KEPT)
    assert Plan.objects.count() == Opinion.objects.count() == 0

    restored = restore_plan(data=original)

    # The file stayed, with its link to the measure of the plan that was lost: link it again,
    # as the ciq section does when it restores the file.
    world.dossier.measures.set([restored.measures.get(number=1)])
    assert _without_date(export_plan(plan=restored)) == _without_date(original)
    opinion = Opinion.objects.get(reference="AVIS-2025-01")
    assert opinion.adopted_version.number == 1 and opinion.sent_on == datetime.date(2025, 3, 10)
    with opinion.letter.open("rb") as handle:
        assert handle.read() == MINIMAL_PDF
    for document in PublishedDocument.objects.all():
        assert hashlib.sha256(bytes(document.content)).hexdigest() == document.sha256
    assert Publication.objects.get(number=1).superseded_by == Publication.objects.get(number=2)
    assert Citation.objects.count() == 3


def test_restored_plan_with_its_ciq_files_exports_exactly_as_the_original(plan):
    if "ciq" not in sections():
        pytest.skip(
            "La section de sauvegarde « ciq » n’est pas enregistrée : les dossiers du CIQ ne sont pas restaurés."
        )
    original = export_plan(plan=plan)
    _wipe(KEPT)
    restored = restore_plan(data=original)
    assert Opinion.objects.count() == 1
    assert _without_date(export_plan(plan=restored)) == _without_date(original)


def _altered_document(entry):
    document = entry["publications"][1]["documents"][1]
    document["content"] = base64.b64encode(b"%PDF-1.4 autre contenu").decode("ascii")


def _missing_title(entry):
    del entry["title"]


def _unknown_outcome(entry):
    entry["point_outcomes"][0]["outcome"] = "oublie"


@pytest.mark.parametrize(
    ("alter", "message"),
    [
        (
            _altered_document,
            r"avis AVIS-2025-01, publication 2, document pdf : l’empreinte SHA-256 ne correspond pas",
        ),
        (_missing_title, r"avis AVIS-2025-01 : champ « title » manquant"),
        (
            _unknown_outcome,
            r"avis AVIS-2025-01, suite du point \w+, champ « outcome » : .*oublie.* Rien n’a été écrit",
        ),
    ],
)
def test_a_malformed_opinion_is_refused_naming_it_and_nothing_is_written(plan, media, alter, message):
    document = export_plan(plan=plan)
    alter(document["opinions"][0])
    _wipe(CIQ_KEPT)
    files = set(media.rglob("*"))

    with pytest.raises(DataError, match=message):
        restore_plan(data=document)

    assert Plan.objects.count() == Opinion.objects.count() == OpinionVersion.objects.count() == 0
    assert Publication.objects.count() == 0
    assert set(media.rglob("*")) == files  # the restored letter went with the rows
