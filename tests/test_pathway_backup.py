# ruff: noqa: F811 - fixtures imported from tests.support.pathway are redefined as arguments
"""The admission pathway's part of the general backup: its registers and releases are
saved and restored whole; the orders' record-level data never enters the file."""

import base64
import datetime
import json

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from concerto.backups.services import export_plan, restore_plan, summary
from concerto.core import backup as core_backup
from concerto.core.dataload import DataError
from concerto.pathway import backup as pathway_backup
from concerto.pathway import releases
from concerto.pathway.models import Agreement, Application, Destruction, Incident, Submission
from concerto.pathway.registers import destroy_expired
from concerto.pathway.release_models import Release, ReleaseFile, ReleaseTable
from concerto.plans.models import Plan
from tests.factories import build_clean_plan
from tests.support.pathway import (  # noqa: F401 - fixtures
    MARKER,
    ciq,
    make_agreement,
    office,
    order,
    other_order,
    people,
)
from tests.support.pathway_stored import store_synthetic

pytestmark = pytest.mark.django_db
KEPT = {"contenttypes", "auth.permission"}
REGISTERS = [Agreement, Incident, Destruction, Release, ReleaseTable, ReleaseFile]


def _wipe_database():
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in KEPT or model._meta.label_lower in KEPT:
            continue
        model._base_manager.all()._raw_delete(connection.alias)


def _old_submission(order, *, pseudonym=MARKER):
    submission = Submission.objects.create(
        order=order,
        period="2015-2016",
        received_at=timezone.make_aware(datetime.datetime(2016, 1, 15, 12)),
        row_count=1,
        file_format="csv",
        file_sha256="a" * 64,
    )
    Application.objects.create(
        submission=submission,
        line=2,
        pseudonym=pseudonym,
        profession="chimiste",
        country="FR",
        route="diploma_equivalence",
        received_on=datetime.date(2016, 1, 15),
    )
    return submission


@pytest.fixture
def registers(people, order, tmp_path):
    """A plan, the agreement, an incident, a destroyed submission, an approved release."""
    plan = build_clean_plan(2)
    agreement = make_agreement(recorded_by=people["privacy_officer"])
    Incident.objects.create(
        occurred_on=datetime.date(2025, 3, 2),
        discovered_on=datetime.date(2025, 3, 4),
        description="Courriel envoyé au mauvais destinataire.",
        information_concerned="Tableau agrégé non diffusé",
        people_concerned=None,
        serious_risk=False,
        measures="Rappel du courriel ; suppression confirmée.",
        closed_on=datetime.date(2025, 3, 20),
        recorded_by=people["privacy_officer"],
    )
    _old_submission(order)
    destroy_expired(agreement=agreement, today=timezone.localdate(), source="pathway_destroy")
    store_synthetic(order, tmp_path, applications=120)
    release = releases.prepare_release(
        user=people["analyst"],
        title="Tableaux",
        synthetic=True,
        threshold=5,
        audience=Release.PUBLIC,
        tables=[("route", "decision")],
    )
    releases.approve_release(user=people["privacy_officer"], release=release)
    return plan


def _export(plan) -> dict:
    return json.loads(json.dumps(export_plan(plan=plan), ensure_ascii=False))


def _without_date(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "exported_at"}


def _register_counts() -> dict:
    return {model.__name__: model.objects.count() for model in REGISTERS}


def test_registers_and_releases_come_back_identical(registers):
    document = _export(registers)
    counts = _register_counts()
    files = {(f.table.title, f.format): bytes(f.content) for f in ReleaseFile.objects.select_related("table")}
    assert counts == {
        "Agreement": 1,
        "Incident": 1,
        "Destruction": 1,
        "Release": 1,
        "ReleaseTable": 1,
        "ReleaseFile": 2,
    }
    _wipe_database()

    restore_plan(data=document)

    assert _register_counts() == counts
    assert {
        (f.table.title, f.format): bytes(f.content) for f in ReleaseFile.objects.select_related("table")
    } == files
    assert _without_date(_export(Plan.objects.get())) == _without_date(document)


def test_a_frozen_file_altered_in_the_backup_is_refused_naming_the_release(registers):
    document = _export(registers)
    entry = document["pathway"]["releases"][0]["tables"][0]["files"][0]
    entry["content"] = base64.b64encode(b"Voie,Total\r\nx,999\r\n").decode()
    _wipe_database()

    with pytest.raises(
        DataError,
        match=r"diffusion « Tableaux », tableau 1, fichier csv : l’empreinte SHA-256 ne correspond pas",
    ):
        restore_plan(data=document)
    assert Plan.objects.count() == 0
    assert _register_counts() == dict.fromkeys(_register_counts(), 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda part: part["incidents"][0].update(serious_risk="non"),
            r"incident de confidentialité du 2025-03-02, champ « serious_risk » : ",
        ),
        (
            lambda part: part["destructions"][0]["agreement"].update(reference="CAI-INCONNUE"),
            r"destruction ordre-des-chimistes-du-quebec 2015-2016, champ « agreement » : "
            r"pathway-agreement .* absent de la sauvegarde",
        ),
        (
            lambda part: part["releases"][0].update(state="publiee"),
            r"diffusion « Tableaux », champ « state » : .*publiee.* Rien n’a été écrit",
        ),
        (
            lambda part: part["releases"][0]["tables"][0].pop("rows"),
            r"diffusion « Tableaux », tableau 1 : champ « rows » manquant",
        ),
    ],
    ids=["wrong-type", "unknown-agreement", "unknown-state", "missing-field"],
)
def test_a_malformed_register_entry_is_refused_and_nothing_is_written(registers, change, message):
    document = _export(registers)
    change(document["pathway"])
    _wipe_database()

    with pytest.raises(DataError, match=message):
        restore_plan(data=document)
    assert Plan.objects.count() == 0
    assert _register_counts() == dict.fromkeys(_register_counts(), 0)


def test_a_backup_never_contains_a_pseudonym(people, order):
    plan = build_clean_plan(1)
    _old_submission(order, pseudonym=MARKER)

    text = json.dumps(export_plan(plan=plan), ensure_ascii=False)

    assert MARKER not in text
    assert Submission.objects.count() == 1  # there was something to leave out


def test_the_backup_summary_says_the_orders_submissions_are_not_saved(registers):
    text = summary(_export(registers))
    assert "1 entente(s) avec la CAI" in text
    assert "1 diffusion(s) de tableaux protégés" in text
    assert "dépôts des ordres (données individuelles pseudonymisées) non sauvegardés" in text


def test_restoring_a_backup_taken_before_a_destruction_does_not_bring_the_submission_back(people, order):
    plan = build_clean_plan(1)
    agreement = make_agreement()
    _old_submission(order)
    before = _export(plan)  # taken while the submission was still kept
    destroy_expired(agreement=agreement, today=timezone.localdate(), source="pathway_destroy")
    _wipe_database()

    restore_plan(data=before)

    assert Submission.objects.count() == Application.objects.count() == 0


def test_a_document_without_the_pathway_section_restores_without_registers(registers):
    document = _export(registers)
    del document["pathway"]
    _wipe_database()

    restore_plan(data=document)

    assert Plan.objects.count() == 1
    assert _register_counts() == dict.fromkeys(_register_counts(), 0)


def test_a_register_entry_already_in_the_database_is_kept_and_noted(registers):
    part = _export(registers)["pathway"]
    Agreement.objects.filter(reference="CAI-2025-001").update(parties="Parties corrigées")
    notes = []
    ctx = core_backup.RestoreContext(notes, written=[])

    pathway_backup.restore(ctx, {"pathway": {**part, "destructions": [], "releases": [], "incidents": []}})

    assert Agreement.objects.get().parties == "Parties corrigées"
    assert notes == [
        "entente CAI « CAI-2025-001 » du 2025-01-15 : déjà présent(e) dans la base, gardé(e) tel(le) quel(le)."
    ]
