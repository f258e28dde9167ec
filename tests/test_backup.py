"""Backup of a whole plan (export_plan) and its restoration (import_plan FICHIER.json)."""

import ast
import base64
import copy
import datetime
import json
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from concerto.accounts.models import Membership, Role
from concerto.audit.apps import TRACKED
from concerto.audit.history import measure_history
from concerto.backups.services import FORMAT, export_plan, restore_plan
from concerto.campaigns import services as campaign_services
from concerto.campaigns.models import Campaign, Draft, DraftComment
from concerto.cases.models import Case, Meeting, Solution, WorkingGroupMember
from concerto.core.archiving import archive
from concerto.core.audit import RESTORE
from concerto.core.dataload import DataError
from concerto.notifications.models import SentNotification
from concerto.organizations.models import Organization
from concerto.plans.models import Measure, Plan, ProgressReport
from concerto.recommendations import services as recommendation_services
from concerto.recommendations.models import Answer, Attachment, Recommendation
from concerto.recommendations.reminders import send_due_recommendation_reminders
from concerto.reports.models import Format, Publication, PublishedDocument

from .conftest import REAL_PLAN_FILE, ROOT
from .factories import build_clean_plan

CASES_FILE = ROOT / "data" / "cases" / "cellule-2022-2023.yaml"
# Written by the export_plan of the first version of the format (the full_plan
# scenario below): later versions must still restore it.
LEGACY_BACKUP = ROOT / "tests" / "fixtures" / "plan-export-1-pole-2019-2024.json"
PLAN = "pole-2019-2024"
AS_OF = datetime.date(2023, 3, 31)
OFFICE = "office-des-professions-du-quebec"
MESS = "ministere-de-l-emploi-et-de-la-solidarite-sociale"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
KEPT = {"contenttypes", "auth.permission"}  # reference rows that migrations create


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _member(username, code, role, **names):
    user = get_user_model().objects.create_user(
        username, email=f"{username}@example.org", password="secret", **names
    )
    Membership.objects.create(user=user, organization=Organization.objects.get(code=code), role=role)
    return user


def _draft_data(draft, **changes):
    data = {
        "percent": draft.percent,
        "status": draft.status,
        "completed_in": draft.completed_in,
        "narrative": draft.narrative,
        "components": draft.components,
        "values": draft.values,
    }
    return {**data, **changes}


def _pdf(name):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def full_plan(real_plan, django_capture_on_commit_callbacks):
    """The real plan, its cases, a campaign with a correction, drafts, comments and
    e-mails, two published versions, recommendations with an answer and documents."""
    call_command("import_cases", str(CASES_FILE), stdout=StringIO())
    coordinator = _member("coordo", OFFICE, Role.COORDINATOR, first_name="Claire", last_name="Côté")
    editor = _member("mess", MESS, Role.EDITOR, first_name="Marc", last_name="Émond")
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_services.open_campaign(
            plan=real_plan, as_of=AS_OF, deadline=deadline, opened_by=coordinator
        )
    # Measure 13: corrected (version 2 of the state at AS_OF replaces version 1).
    draft = campaign.drafts.get(measure__number=13)
    campaign_services.save_draft(
        draft=draft,
        user=editor,
        data=_draft_data(draft, percent=95, narrative="Correction : 57 prêts."),
        expected_version=1,
        submit=True,
    )
    draft.refresh_from_db()
    campaign_services.add_comment(draft=draft, user=coordinator, text="Merci, chiffre confirmé.")
    with django_capture_on_commit_callbacks(execute=True):  # the « validée » e-mail
        campaign_services.validate_draft(draft=draft, user=coordinator, expected_version=draft.version)
    # Measure 12: submitted, then returned with a comment.
    returned = campaign.drafts.get(measure__number=12)
    campaign_services.save_draft(
        draft=returned, user=editor, data=_draft_data(returned), expected_version=1, submit=True
    )
    returned.refresh_from_db()
    campaign_services.return_draft(
        draft=returned, user=coordinator, comment="Préciser l’état.", expected_version=returned.version
    )

    first = Publication.objects.create(plan=real_plan, as_of=AS_OF, version=1, published_by=coordinator)
    PublishedDocument.objects.create(publication=first, format=Format.JSON, content=b'{"v": 1}')
    second = Publication.objects.create(plan=real_plan, as_of=AS_OF, version=2, published_by=coordinator)
    PublishedDocument.objects.create(publication=second, format=Format.JSON, content=b'{"v": 2}')
    PublishedDocument.objects.create(publication=second, format=Format.CSV, content=b"mesure;etat\n")
    first.superseded_by = second
    first.save()

    measure_13 = real_plan.measures.get(number=13)
    case = Case.objects.order_by("reference").first()
    addressee = Organization.objects.get(code=MESS)
    answered = recommendation_services.create_recommendation(
        number="REC-2024-001",
        title="Prêts aux personnes formées à l’étranger",
        text="L’Office recommande d’élargir les garanties de prêts.",
        owner=real_plan.owner,
        addressee=addressee,
        created_by=coordinator,
        measures=[measure_13],
        cases=[case],
    )
    recommendation_services.send(recommendation=answered, user=coordinator, sent_on=datetime.date(2024, 4, 2))
    recommendation_services.mark_received(
        recommendation=answered, user=coordinator, received_on=datetime.date(2024, 4, 5)
    )
    recommendation_services.add_attachment(recommendation=answered, user=coordinator, file=_pdf("lettre.pdf"))
    recommendation_services.file_answer(
        recommendation=answered,
        user=editor,
        kind="follow_up",
        text="Les garanties seront élargies en 2025.",
        answered_on=datetime.date(2024, 5, 20),
        document=_pdf("reponse.pdf"),
    )
    recommendation_services.publish(recommendation=answered, user=coordinator)
    late = recommendation_services.create_recommendation(
        number="REC-2024-002",
        title="Délais de traitement",
        text="L’Office recommande de réduire les délais.",
        owner=real_plan.owner,
        addressee=addressee,
        created_by=coordinator,
        measures=[measure_13],
    )
    recommendation_services.send(recommendation=late, user=coordinator, sent_on=datetime.date(2024, 4, 2))
    recommendation_services.mark_received(
        recommendation=late, user=coordinator, received_on=datetime.date(2024, 4, 5)
    )
    send_due_recommendation_reminders(today=datetime.date(2024, 9, 30))  # a « très en retard » notice

    archive(
        instances=[
            real_plan.measures.get(number=15),
            Organization.objects.get(code="conseil-interprofessionnel-du-quebec"),
        ]
    )
    return real_plan


def _wipe_database():
    """Every row of the project, its audit trail and its users, as in a new
    database (content types and permissions are created by the migrations)."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in KEPT or model._meta.label_lower in KEPT:
            continue
        model._base_manager.all()._raw_delete(connection.alias)


def _export(tmp_path, name="plan.json") -> tuple:
    path = tmp_path / name
    call_command("export_plan", PLAN, "-o", str(path), stdout=StringIO())
    return path, json.loads(path.read_text(encoding="utf-8"))


def _without_date(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "exported_at"}


def _counts() -> dict:
    models = [
        Plan,
        Measure,
        ProgressReport,
        Campaign,
        Draft,
        Recommendation,
        Case,
        Organization,
        get_user_model(),
    ]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_restored_plan_exports_exactly_as_the_original(full_plan, tmp_path):
    path, original = _export(tmp_path)
    _wipe_database()
    assert Plan.objects.count() == Organization.objects.count() == 0

    out = StringIO()
    call_command("import_plan", str(path), stdout=out)

    assert f"Plan « {PLAN} » restauré" in out.getvalue()
    _path, restored = _export(tmp_path, "again.json")
    assert _without_date(restored) == _without_date(original)


def test_two_exports_of_the_same_data_differ_only_by_their_date(full_plan, tmp_path):
    _path, first = _export(tmp_path, "first.json")
    _path, second = _export(tmp_path, "second.json")
    assert first["format"] == FORMAT and first["exported_at"]
    assert _without_date(first) == _without_date(second)


def test_export_contains_every_version_and_no_password(full_plan, tmp_path):
    path, document = _export(tmp_path)
    measure = next(m for m in document["measures"] if m["number"] == 13)
    versions = [(r["as_of"], r["version"], r["is_current"]) for r in measure["progress"]]
    assert ("2023-03-31", 1, False) in versions and ("2023-03-31", 2, True) in versions
    assert {u["username"] for u in document["users"]} == {"coordo", "mess"}
    text = path.read_text(encoding="utf-8")
    assert "password" not in text and "md5$" not in text
    attachment = document["recommendations"][0]["answer"]["attachments"][0]
    assert base64.b64decode(attachment["content"]) == PDF_BYTES


def test_restoration_keeps_values_dates_and_links(full_plan, tmp_path):
    path, _document = _export(tmp_path)
    before = {
        "validated_at": ProgressReport.objects.get(measure__number=13, as_of=AS_OF, version=2).validated_at,
        "comment_at": DraftComment.objects.order_by("created_at").first().created_at,
        "filed_at": Recommendation.objects.get(number="REC-2024-001").answer.filed_at,
    }
    _wipe_database()
    call_command("import_plan", str(path), stdout=StringIO())

    plan = Plan.objects.get(slug=PLAN)
    v1, v2 = ProgressReport.objects.filter(measure__plan=plan, measure__number=13, as_of=AS_OF).order_by(
        "version"
    )
    assert (v1.percent, v1.is_current, v2.percent, v2.is_current) == (93, False, 95, True)
    assert v2.replaces == v1 and v2.validated_by.username == "coordo"
    assert v2.validated_at == before["validated_at"]
    assert [str(v.actual) for v in v2.indicator_values.all()] == ["56.00"]
    draft = Draft.objects.get(campaign__plan=plan, measure__number=13)
    assert draft.state == Draft.State.VALIDATED
    assert [row["indicator"] for row in draft.values] == [draft.measure.indicators.get().pk]
    assert DraftComment.objects.order_by("created_at").first().created_at == before["comment_at"]
    assert Measure.objects.get(plan=plan, number=15).archived_at is not None
    assert Organization.objects.get(code="conseil-interprofessionnel-du-quebec").archived_at is not None

    recommendation = Recommendation.objects.get(number="REC-2024-001")
    assert recommendation.answer.filed_at == before["filed_at"]
    assert list(recommendation.measures.values_list("number", flat=True)) == [13]
    assert recommendation.cases.get().reference == Case.objects.order_by("reference").first().reference
    document = Attachment.objects.get(answer=recommendation.answer)
    with document.file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    assert Publication.objects.get(plan=plan, version=1).superseded_by.version == 2
    assert (
        bytes(PublishedDocument.objects.get(publication__version=2, format="csv").content) == b"mesure;etat\n"
    )


def test_restored_people_are_inactive_without_usable_password(full_plan, tmp_path):
    path, _document = _export(tmp_path)
    _wipe_database()
    call_command("import_plan", str(path), stdout=StringIO())
    user = get_user_model().objects.get(username="mess")
    assert (user.first_name, user.last_name, user.email) == ("Marc", "Émond", "mess@example.org")
    assert not user.is_active and not user.has_usable_password()


def test_restored_notification_keys_name_the_new_rows(full_plan, tmp_path):
    path, _document = _export(tmp_path)
    _wipe_database()
    call_command("import_plan", str(path), stdout=StringIO())
    campaign = Campaign.objects.get()
    recommendation = Recommendation.objects.get(number="REC-2024-002")
    mess = Organization.objects.get(code=MESS)
    keys = set(SentNotification.objects.values_list("key", flat=True))
    assert f"campaign:{campaign.pk}:opened:org:{mess.pk}" in keys
    assert f"recommendation:{recommendation.pk}:very_late" in keys
    draft = Draft.objects.get(measure__number=13)
    assert any(key.startswith(f"draft:{draft.pk}:draft_validated:") for key in keys)


def test_restored_rows_are_attributed_to_the_restoration(full_plan, tmp_path):
    path, _document = _export(tmp_path)
    _wipe_database()
    call_command("import_plan", str(path), stdout=StringIO())
    record = Measure.history.get(number=13)
    assert (record.history_type, record.history_change_reason, record.history_user) == ("+", RESTORE, None)
    entries = measure_history(Measure.objects.get(number=13))
    assert {entry.who for entry in entries} == {"Restauration"}


def test_restoring_a_plan_that_exists_is_refused_and_writes_nothing(full_plan, tmp_path):
    path, _document = _export(tmp_path)
    before = _counts()
    with pytest.raises(CommandError, match=f"Le plan « {PLAN} » existe déjà dans la base"):
        call_command("import_plan", str(path), stdout=StringIO())
    assert _counts() == before


@pytest.mark.django_db
def test_malformed_json_is_refused_with_its_line(tmp_path):
    path = tmp_path / "sauvegarde.json"
    path.write_text('{\n  "format": "concerto.plan-export/1",\n  "plan": {,\n}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"ligne 3, colonne 12 : JSON malformé"):
        call_command("import_plan", str(path), stdout=StringIO())


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"plan": {}}, "Champ « format » manquant"),
        ({"format": "autre-chose/1"}, "Format « autre-chose/1 » inconnu"),
        ({"format": "concerto.plan-export/2"}, "Version « 2 » du format non prise en charge"),
        ({"format": FORMAT}, "document : champ « plan » manquant"),
    ],
)
@pytest.mark.django_db
def test_wrong_format_is_refused_with_a_french_message(tmp_path, document, message):
    path = tmp_path / "sauvegarde.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_plan", str(path), stdout=StringIO())


@pytest.mark.django_db
def test_missing_field_is_named_and_nothing_is_written():
    data = export_plan(plan=build_clean_plan(3))
    _wipe_database()
    broken = copy.deepcopy(data)
    del broken["measures"][2]["progress"][0]["status"]
    with pytest.raises(
        DataError, match=r"mesure 3, état au 2023-03-31 \(version 1\) : champ « status » manquant"
    ):
        restore_plan(data=broken)
    assert _counts() == dict.fromkeys(_counts(), 0)


@pytest.mark.django_db
def test_failed_restoration_removes_the_documents_it_wrote(full_plan, media):
    data = export_plan(plan=full_plan)
    _wipe_database()
    for stored in media.rglob("*"):
        if stored.is_file():
            stored.unlink()
    data["notifications"].append({**data["notifications"][0], "key_refs": {}})
    with pytest.raises(DataError, match="champ « key_refs »"):
        restore_plan(data=data)
    assert [p for p in media.rglob("*") if p.is_file()] == []
    assert Recommendation.objects.count() == 0


@pytest.mark.django_db
def test_altered_document_is_refused():
    data = export_plan(plan=build_clean_plan(1))
    plan_slug = data["plan"]["slug"]
    Plan.objects.filter(slug=plan_slug).update(slug="ailleurs")
    data["publications"] = [
        {
            "as_of": "2023-03-31",
            "version": 1,
            "published_at": "2023-04-01T12:00:00+00:00",
            "published_by": None,
            "superseded_by": None,
            "documents": [{"format": "csv", "size": 1, "sha256": "0" * 64, "content": "YQ=="}],
        }
    ]
    with pytest.raises(DataError, match="l’empreinte SHA-256 ne correspond pas"):
        restore_plan(data=data)


@pytest.mark.django_db
def test_yaml_plan_files_are_still_imported(organizations):
    out = StringIO()
    call_command("import_plan", str(REAL_PLAN_FILE), stdout=out)
    assert "Plan « pole-2019-2024 » :" in out.getvalue()
    assert Plan.objects.get(slug=PLAN).measures.count() > 0


def test_export_of_an_unknown_plan_names_the_known_ones(real_plan):
    with pytest.raises(CommandError, match="Plan « inconnu » introuvable .*pole-2019-2024"):
        call_command("export_plan", "inconnu", stdout=StringIO())


# --- a backup written by an earlier version -------------------------------------


def _legacy() -> dict:
    return json.loads(LEGACY_BACKUP.read_text(encoding="utf-8"))


def _without_owners(document: dict) -> dict:
    """The document without the owners of recommendations and cases, the plan's
    published dates, the CIQ's (empty) sections and the pathway's registers,
    which the legacy file predates (written once the models have them)."""
    document = copy.deepcopy(document)
    for key in ("ciq_order_groups", "ciq_files", "opinions", "ciq_groups"):
        assert document.pop(key, []) == []
    for key in ("recommendations", "cases"):
        for entry in document[key]:
            entry.pop("owner", None)
    document["plan"].pop("published_dates", None)
    document.pop("pathway", None)
    assert document.pop("information", {"documents": [], "pages": []}) == {"documents": [], "pages": []}
    return _without_date(document)


@pytest.mark.django_db
def test_legacy_backup_publishes_the_dates_its_public_saw():
    """Written when every validated state was public at once: its dates stay public."""
    from concerto.plans.models import PublishedDate

    _wipe_database()
    call_command("import_plan", str(LEGACY_BACKUP), stdout=StringIO())
    dates = set(ProgressReport.objects.values_list("as_of", flat=True))
    published = set(PublishedDate.objects.values_list("as_of", "via"))
    assert published == {(as_of, PublishedDate.Via.RESTORE) for as_of in dates}


@pytest.mark.django_db
def test_legacy_backup_restores_every_row():
    _wipe_database()
    out = StringIO()
    call_command("import_plan", str(LEGACY_BACKUP), stdout=out)

    assert (
        f"Plan « {PLAN} » restauré depuis {LEGACY_BACKUP} : 15 mesure(s), 16 état(s) d’avancement "
        "(toutes versions), 1 campagne(s), 2 rapport(s) publié(s), 2 recommandation(s), 2 cas."
        in out.getvalue()
    )
    counts = {
        model.__name__: model.objects.count()
        for model in (
            Organization,
            get_user_model(),
            Plan,
            Measure,
            ProgressReport,
            Campaign,
            Draft,
            DraftComment,
            SentNotification,
            Publication,
            PublishedDocument,
            Recommendation,
            Answer,
            Attachment,
            Case,
            WorkingGroupMember,
            Meeting,
            Solution,
        )
    }
    document = _legacy()
    assert counts == {
        "Organization": 15,
        "User": 2,
        "Plan": 1,
        "Measure": 15,
        "ProgressReport": 16,
        "Campaign": 1,
        "Draft": 15,
        "DraftComment": 2,
        "SentNotification": 3,
        "Publication": 2,
        "PublishedDocument": 3,
        "Recommendation": 2,
        "Answer": 1,
        "Attachment": 2,
        "Case": 2,
        "WorkingGroupMember": sum(len(c["working_group"]) for c in document["cases"]),
        "Meeting": sum(len(c["meetings"]) for c in document["cases"]),
        "Solution": sum(len(c["solutions"]) for c in document["cases"]),
    }


@pytest.mark.django_db
def test_legacy_backup_restores_key_values():
    _wipe_database()
    call_command("import_plan", str(LEGACY_BACKUP), stdout=StringIO())

    plan = Plan.objects.get(slug=PLAN)
    assert plan.owner.code == OFFICE
    v1, v2 = ProgressReport.objects.filter(measure__number=13, as_of=AS_OF).order_by("version")
    assert (v1.percent, v1.is_current, v2.percent, v2.is_current, v2.replaces) == (93, False, 95, True, v1)
    assert v2.validated_by.username == "coordo" and v2.validated_at.isoformat().startswith("2026-11-29")
    draft = Draft.objects.get(measure__number=13)
    assert draft.state == Draft.State.VALIDATED
    assert [row["indicator"] for row in draft.values] == [draft.measure.indicators.get().pk]
    assert Draft.objects.get(measure__number=12).return_comment == "Préciser l’état."
    assert Publication.objects.get(version=1).superseded_by == Publication.objects.get(version=2)
    recommendation = Recommendation.objects.get(number="REC-2024-001")
    written = next(r for r in _legacy()["recommendations"] if r["number"] == "REC-2024-001")
    assert (
        recommendation.state,
        recommendation.received_on.isoformat(),
        recommendation.due_on.isoformat(),
    ) == (
        written["state"],
        "2024-04-05",
        written["due_on"],
    )
    assert recommendation.answer.text == "Les garanties seront élargies en 2025."
    assert recommendation.cases.get().reference == "CAS-2021-001"
    with Attachment.objects.get(answer=recommendation.answer).file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    late = Recommendation.objects.get(number="REC-2024-002")
    keys = set(SentNotification.objects.values_list("key", flat=True))
    assert f"recommendation:{late.pk}:very_late" in keys
    assert f"draft:{draft.pk}:draft_validated:v3" in keys
    assert Measure.objects.get(number=15).archived_at is not None
    assert not get_user_model().objects.get(username="mess").is_active


@pytest.mark.django_db
def test_legacy_backup_exports_again_as_it_was_written(tmp_path):
    _wipe_database()
    call_command("import_plan", str(LEGACY_BACKUP), stdout=StringIO())
    _path, again = _export(tmp_path)
    assert _without_owners(again) == _without_owners(_legacy())


@pytest.mark.django_db
def test_value_refused_by_the_model_is_named_in_french_and_nothing_is_written(media):
    _wipe_database()
    document = _legacy()
    measure = next(m for m in document["measures"] if m["number"] == 13)
    measure["progress"][1]["percent"] = 150
    with pytest.raises(
        DataError,
        match=r"mesure 13, état au 2023-03-31 \(version 2\), champ « percent » : "
        r"Assurez-vous que cette valeur est inférieure ou égale à 100\. Rien n’a été écrit\.",
    ):
        restore_plan(data=document)
    assert _counts() == dict.fromkeys(_counts(), 0)
    assert [p for p in media.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_unknown_choice_is_refused_by_the_model_in_french():
    _wipe_database()
    document = _legacy()
    document["cases"][0]["state"] = "perdu"
    with pytest.raises(DataError, match=r"cas CAS-2021-001, champ « state » : .*perdu.* Rien n’a été écrit"):
        restore_plan(data=document)
    assert Plan.objects.count() == 0


@pytest.mark.django_db
def test_refused_document_file_is_removed_with_the_rows(media):
    _wipe_database()
    document = _legacy()
    document["recommendations"][1]["title"] = ""
    with pytest.raises(
        DataError, match="recommandation REC-2024-002, champ « title » : valeur obligatoire vide"
    ):
        restore_plan(data=document)
    assert [p for p in media.rglob("*") if p.is_file()] == []
    assert Recommendation.objects.count() == 0


@pytest.mark.django_db
def test_every_restored_row_has_its_creation_attributed_to_the_restoration():
    _wipe_database()
    call_command("import_plan", str(LEGACY_BACKUP), stdout=StringIO())
    for label in TRACKED:
        model = apps.get_model(label)
        created = model.history.filter(history_type="+", history_change_reason=RESTORE)
        assert set(model._base_manager.values_list("pk", flat=True)) <= set(
            created.values_list("id", flat=True)
        ), label


def test_backup_orchestrator_knows_no_app_model():
    """Each app backs up its own models: the orchestrator imports only Django and the core."""
    tree = ast.parse((ROOT / "concerto" / "backups" / "services.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert {
        name for name in imported if name.startswith("concerto.") and not name.startswith("concerto.core")
    } == set()
