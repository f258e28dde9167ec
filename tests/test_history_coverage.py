"""Every tracked write leaves history: what the data files import and what a
backup restores, row by row, for every model registered with simple_history."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from simple_history.models import registered_models

from concerto.accounts.models import Membership, Role
from concerto.campaigns.services import open_campaign
from concerto.cases.models import Case
from concerto.core.audit import IMPORT, RESTORE
from concerto.organizations.models import Organization
from concerto.plans.models import Measure, Plan
from concerto.recommendations.services import create_recommendation

DATA = Path(settings.BASE_DIR) / "data"
KEPT = {"contenttypes", "auth.permission"}  # reference rows that migrations create


def _rows_without_history(source: str) -> dict[str, int]:
    """For each tracked model, how many rows have no history row attributed to ``source``."""
    missing = {}
    for model in registered_models.values():
        rows = set(model._base_manager.values_list("pk", flat=True))
        recorded = set(
            model.history.filter(history_change_reason=source).values_list(model._meta.pk.attname, flat=True)
        )
        if rows - recorded:
            missing[model._meta.label] = len(rows - recorded)
    return missing


def _tracked_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in registered_models.values()}


def _new_database():
    """Every row of the project, its audit trail and its users gone, as in a new
    database (content types and permissions are created by the migrations)."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in KEPT or model._meta.label_lower in KEPT:
            continue
        model._base_manager.all()._raw_delete(connection.alias)


def _coordinator():
    user = get_user_model().objects.create_user("coordination", email="coordination@example.org")
    office = Organization.objects.get(code="office-des-professions-du-quebec")
    Membership.objects.create(user=user, organization=office, role=Role.COORDINATOR)
    return user


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_every_imported_and_restored_row_of_every_tracked_model_has_its_history(db, tmp_path):
    assert registered_models, "no model is tracked"

    call_command("import_organizations", DATA / "organizations.yaml", stdout=StringIO())
    for path in sorted((DATA / "plans").glob("*.yaml")):
        call_command("import_plan", path, stdout=StringIO())
    for path in sorted((DATA / "cases").glob("*.yaml")):
        call_command("import_cases", path, stdout=StringIO())
    imported = _tracked_counts()
    assert all(imported[label] for label in ("cases.WorkingGroupMember", "cases.Meeting", "cases.Solution"))
    assert _rows_without_history(IMPORT) == {}

    # What people add after the import goes into the backup too.
    plan = Plan.objects.get()
    coordinator = _coordinator()
    open_campaign(
        plan=plan,
        as_of=datetime.date(2025, 3, 31),
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        opened_by=coordinator,
    )
    create_recommendation(
        number="REC-2025-001",
        title="Reconnaître les stages",
        text="Texte.",
        owner=plan.owner,
        addressee=Organization.objects.get(code="ministere-de-l-emploi-et-de-la-solidarite-sociale"),
        created_by=coordinator,
        measures=Measure.objects.filter(plan=plan, number=13),
        cases=Case.objects.filter(measures__plan=plan)[:1],
    )
    backup = tmp_path / "plan.json"
    call_command("export_plan", plan.slug, "-o", str(backup), stdout=StringIO())
    before = _tracked_counts()

    _new_database()
    assert not any(_tracked_counts().values())
    call_command("import_plan", backup, stdout=StringIO())

    restored = _tracked_counts()
    assert {label for label, count in restored.items() if count} >= {
        label for label, count in before.items() if count and label != "organizations.Organization"
    }
    assert _rows_without_history(RESTORE) == {}
