"""The CIQ groups' section of a backup: every group with its members, meetings,
agenda documents, attendance, minutes, decisions and action items, restored
exactly; links to consultations restored when the consultation is there."""

import copy

import pytest
from django.apps import apps
from django.db import connection

from concerto.backups.services import export_plan, restore_plan
from concerto.core.audit import RESTORE
from concerto.groups import services
from concerto.groups.models import AgendaDocument, CalendarToken, Group, Minutes
from concerto.plans.models import Plan
from tests.factories import build_clean_plan
from tests.support.documents import PDF_BYTES
from tests.support.groups import MINUTES_TEXT, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

KEPT = {"contenttypes", "auth.permission"}


def _wipe_database():
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in KEPT or model._meta.label_lower in KEPT:
            continue
        model._base_manager.all()._raw_delete(connection.alias)


def _without_date(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "exported_at"}


@pytest.fixture
def plan_and_groups():
    plan = build_clean_plan(1)
    world = build_world()
    services.record_attendance(
        user=world.ciq_staff, meeting=world.meeting, statuses={world.membership.pk: "present"}
    )
    services.adopt_minutes(user=world.ciq_staff, minutes=world.minutes, at=world.later)
    services.calendar_token(user=world.member)
    return plan


def test_restored_groups_export_exactly_as_the_original(plan_and_groups):
    original = export_plan(plan=plan_and_groups)
    assert [g["slug"] for g in original["ciq_groups"]] == ["comite-formation", "forum"]
    _wipe_database()
    restore_plan(data=copy.deepcopy(original))
    again = export_plan(plan=Plan.objects.get())
    assert _without_date(again) == _without_date(original)


def test_restoration_keeps_the_minutes_adoption_and_the_documents_bytes(plan_and_groups):
    data = export_plan(plan=plan_and_groups)
    _wipe_database()
    restore_plan(data=data)
    minutes = Minutes.objects.get(body=MINUTES_TEXT)
    assert minutes.is_adopted and minutes.adopted_at.starts_at > minutes.meeting.starts_at
    document = AgendaDocument.objects.get()
    with document.file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    assert Group.objects.get(slug="comite-formation").members.get().attendances.count() == 1
    assert CalendarToken.objects.count() == 0  # secrets are not saved


def test_every_restored_row_has_its_history_attributed_to_the_restoration(plan_and_groups):
    data = export_plan(plan=plan_and_groups)
    _wipe_database()
    restore_plan(data=data)
    missing = {}
    for model in apps.get_app_config("groups").get_models():
        if not hasattr(model, "history") or model.__name__.startswith("Historical"):
            continue
        restored = set(model.history.filter(history_change_reason=RESTORE).values_list("id", flat=True))
        rows = set(model.objects.values_list("pk", flat=True))
        assert rows, model.__name__
        if rows - restored:
            missing[model.__name__] = len(rows - restored)
    assert missing == {}


def test_a_group_already_there_is_kept_and_noted(plan_and_groups):
    from concerto.core.backup import RestoreContext
    from concerto.groups.backup import restore

    data = export_plan(plan=plan_and_groups)
    Group.objects.filter(slug="forum").update(name="Renommé")
    notes = []
    restore(RestoreContext(notes, written=[]), {"ciq_groups": data["ciq_groups"]})
    assert Group.objects.count() == 2
    assert Group.objects.get(slug="forum").name == "Renommé"
    assert [n for n in notes if "gardé tel quel" in n] == [
        "groupe du CIQ « comite-formation » : déjà présent dans la base, gardé tel quel.",
        "groupe du CIQ « forum » : déjà présent dans la base, gardé tel quel.",
    ]
