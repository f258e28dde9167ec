"""One way to read input: the reporting-date parser, the typed field reader
and the base of the management commands (core)."""

import datetime
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from concerto.audit.history import measure_history
from concerto.core.audit import IMPORT, RESTORE, SCHEDULED, recorded_as
from concerto.core.dataload import DataError, Fields, LineDict
from concerto.core.dates import InvalidDate, parse_reporting_date
from concerto.core.management.base import ConcertoCommand
from concerto.plans.models import Measure

from .conftest import ORGANIZATIONS_FILE

# --- the reporting-date parser ------------------------------------------------


def test_reporting_date_is_read_from_its_iso_text():
    assert parse_reporting_date("2023-03-31") == datetime.date(2023, 3, 31)


def test_a_date_passes_through_the_parser():
    assert parse_reporting_date(datetime.date(2023, 3, 31)) == datetime.date(2023, 3, 31)


@pytest.mark.parametrize(
    "value", ["31/03/2023", "20230331", "2023-3-31", "2023-02-30", "", "2023-03-31T00:00"]
)
def test_anything_but_an_existing_day_in_iso_form_is_refused(value):
    with pytest.raises(InvalidDate):
        parse_reporting_date(value)


def test_refusal_names_the_value_in_french():
    with pytest.raises(InvalidDate) as excinfo:
        parse_reporting_date("2023-02-30")
    assert str(excinfo.value) == (
        "Date invalide « 2023-02-30 » : une date existante au format AAAA-MM-JJ est attendue "
        "(par exemple 2023-03-31)."
    )


def test_refusal_is_translated():
    with translation.override("en"), pytest.raises(InvalidDate, match="Invalid date “2023-02-30”"):
        parse_reporting_date("2023-02-30")


# --- the typed field reader ---------------------------------------------------


def _entry(line=7, **fields):
    entry = LineDict(fields)
    entry.line = line
    return entry


def test_reader_names_the_file_the_line_and_the_field():
    fields = Fields(_entry(percent=150), "data/x.yaml, mesure 13")
    with pytest.raises(DataError) as excinfo:
        fields.percent("percent")
    assert str(excinfo.value) == (
        "data/x.yaml, mesure 13 (ligne 7), champ « percent » : "
        "pourcentage entier de 0 à 100 attendu, pas « 150 »."
    )


def test_reader_refuses_a_missing_required_field():
    with pytest.raises(DataError, match="champ « title » : valeur obligatoire manquante"):
        Fields(_entry(title="  "), "f").str("title", required=True)


def test_reader_gives_empty_values_for_missing_optional_fields():
    fields = Fields(_entry(), "f")
    assert (fields.str("a"), fields.int("b"), fields.list("c"), fields.date("d"), fields.bool("e")) == (
        "",
        None,
        [],
        None,
        False,
    )


def test_reader_reads_typed_values():
    fields = Fields(_entry(a=" texte ", b=3, c=[1], d=datetime.date(2024, 1, 2), e="2024-01-03", f=True), "f")
    assert fields.str("a") == "texte"
    assert fields.int("b") == 3
    assert fields.list("c") == [1]
    assert fields.date("d") == datetime.date(2024, 1, 2)
    assert fields.date("e") == datetime.date(2024, 1, 3)
    assert fields.bool("f") is True


@pytest.mark.parametrize(
    ("read", "message"),
    [
        (lambda f: f.str("n"), "« n » : texte attendu"),
        (lambda f: f.int("t"), "« t » : nombre entier attendu, pas « oui »"),
        (lambda f: f.int("b"), "« b » : nombre entier attendu, pas « True »"),
        (lambda f: f.list("t"), "« t » : liste attendue"),
        (lambda f: f.date("t"), "« t » : « oui » n’est pas une date AAAA-MM-JJ valide"),
        (lambda f: f.bool("t"), "« t » : vrai ou faux"),
        (lambda f: f.choice("t", ["a", "b"]), "« t » : valeur « oui » inconnue \\(a, b\\)"),
    ],
)
def test_reader_refuses_a_value_of_the_wrong_type(read, message):
    with pytest.raises(DataError, match=message):
        read(Fields(_entry(n=3, t="oui", b=True), "f"))


def test_reader_refuses_an_entry_that_is_not_a_mapping():
    with pytest.raises(DataError, match="f: l’entrée doit être un dictionnaire"):
        Fields(["a"], "f")


# --- the base management command ------------------------------------------------


class _Probe(ConcertoCommand):
    attribution = SCHEDULED
    stealth_options = ("fail",)
    seen: list = []

    def run(self, *args, fail=None, **options):
        from concerto.core.audit import current_source

        self.seen.append(current_source())
        if fail:
            raise fail
        self.stdout.write("fait")


def test_command_attributes_its_writes_to_its_source():
    _Probe.seen = []
    call_command(_Probe(), stdout=StringIO())
    assert _Probe.seen == [SCHEDULED]


def test_command_logs_its_run_id_and_duration_but_keeps_its_output(caplog):
    out = StringIO()
    with caplog.at_level(logging.INFO, logger="concerto.commands"):
        call_command(_Probe(), stdout=out)
    assert out.getvalue() == "fait\n"
    started, ended = [r.getMessage() for r in caplog.records if r.name == "concerto.commands"]
    run_id = started.split("run ")[1].split()[0]
    assert started.endswith(f"run {run_id} started")
    assert f"run {run_id} done in " in ended


def test_command_turns_a_data_error_into_a_command_error(caplog):
    with pytest.raises(CommandError, match="^fichier.yaml : mauvais$"):
        call_command(_Probe(), fail=DataError("fichier.yaml : mauvais"), stdout=StringIO())
    assert "failed in" in caplog.records[-1].getMessage()


def test_command_turns_a_bad_date_into_the_parsers_message():
    with pytest.raises(CommandError, match="^Date invalide « 31/03/2023 » : une date existante"):
        call_command(_Probe(), fail=InvalidDate("31/03/2023"), stdout=StringIO())


def test_import_command_refuses_a_bad_file_with_the_readers_message(db, tmp_path):
    path = tmp_path / "organizations.yaml"
    path.write_text(
        "schema: concerto.organizations/1\norganizations:\n  - code: alpha\n    name: Alpha\n    kind: guild\n",
        encoding="utf-8",
    )
    with pytest.raises(
        CommandError, match="« alpha » \\(ligne 3\\), champ « kind » : valeur « guild » inconnue"
    ):
        call_command("import_organizations", path, stdout=StringIO())


def test_import_command_is_attributed_to_importation(db):
    from concerto.organizations.models import Organization

    call_command("import_organizations", ORGANIZATIONS_FILE, stdout=StringIO())
    reasons = set(Organization.history.values_list("history_change_reason", flat=True))
    assert reasons == {IMPORT}


# --- the audit pages' names of the sources ------------------------------------------


@pytest.mark.parametrize(
    ("source", "label"), [(IMPORT, "Importation"), (RESTORE, "Restauration"), (SCHEDULED, "Tâche planifiée")]
)
def test_audit_pages_name_the_source_of_a_change(real_plan, source, label):
    measure = Measure.objects.get(plan=real_plan, number=13)
    with recorded_as(source=source):
        measure.lead_note = f"Modifiée ({source})"
        measure.save()
    assert measure_history(measure)[0].who == label
