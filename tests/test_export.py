"""The open-data export concerto.plan-status/1 (JSON) and its CSV companion."""

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from jsonschema import Draft202012Validator

import concerto.plans
from concerto.organizations.domain import import_organizations
from concerto.plans.export import CSV_COLUMNS, plan_status
from concerto.plans.importer import import_plan
from concerto.plans.state import load_plan_state

from .conftest import ORGANIZATIONS_FILE, REAL_PLAN_FILE
from .factories import (
    AS_OF,
    IndicatorFactory,
    IndicatorProgressFactory,
    MeasureFactory,
    PlanFactory,
    ProgressReportFactory,
    ThemeFactory,
    build_clean_plan,
)

SCHEMA_FILE = Path(concerto.plans.__file__).parent / "schemas" / "plan-status-1.schema.json"
SLUG = "pole-2019-2024"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def as_json(document):
    """What a consumer reads: the document through json (fails on Decimal, dates...)."""
    return json.loads(json.dumps(document, ensure_ascii=False))


def measures(document):
    return {m["number"]: m for t in document["themes"] for m in t["measures"]}


@pytest.fixture(scope="class")
def imported_once(django_db_setup, django_db_blocker):
    """The real files imported once per class of read-only tests, rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        import_organizations(path=ORGANIZATIONS_FILE)
        yield import_plan(path=REAL_PLAN_FILE).subject
        transaction.set_rollback(True)


@pytest.fixture
def shared_plan(imported_once, db):
    return imported_once


@pytest.fixture
def document(shared_plan):
    return as_json(plan_status(shared_plan, AS_OF))


# --- JSON document for the real plan ----------------------------------------------


class TestRealPlanDocument:
    def test_real_plan_export_validates_against_the_schema(self, document, validator):
        errors = sorted(validator.iter_errors(document), key=str)

        assert errors == []

    def test_real_plan_export_header(self, document):
        assert document["schema"] == "concerto.plan-status/1"
        assert document["as_of"] == "2023-03-31"
        assert document["plan"] == {
            "slug": SLUG,
            "title": "Plan d’action 2019-2024 du Pôle de coordination pour l’accès à la formation",
            "period": "2019-2024",
            "declared_measure_count": 16,
        }

    def test_real_plan_export_has_15_measures_in_5_themes(self, document):
        assert [t["number"] for t in document["themes"]] == [0, 1, 2, 3, 4]
        assert sorted(measures(document)) == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
        assert document["themes"][0]["objective"] is None

    def test_real_plan_export_measure_1_components(self, document):
        components = measures(document)[1]["progress"]["components"]

        assert [
            (c["label"], c["organization"]["code"], c["organization"]["acronym"], c["percent"])
            for c in components
        ] == [
            ("OPTMQ", "ordre-professionnel-des-technologistes-medicaux-du-quebec", "OPTMQ", 50),
            ("OIIAQ", "ordre-des-infirmieres-et-infirmiers-auxiliaires-du-quebec", "OIIAQ", 100),
        ]

    def test_real_plan_export_measure_1_free_text_collaborator_and_continuous_deadline(self, document):
        measure = measures(document)[1]

        assert measure["collaborators"] == [{"name": "Tous les partenaires du Pôle interpellés"}]
        assert measure["indicators"][0]["deadline"] == {"text": "En continu", "latest": None}
        assert measure["lead"] == [
            {
                "code": "office-des-professions-du-quebec",
                "acronym": None,
                "name": "Office des professions du Québec",
            }
        ]

    def test_real_plan_export_collaborator_note(self, document):
        assert measures(document)[3]["collaborators"][1] == {
            "code": "conseil-interprofessionnel-du-quebec",
            "acronym": "CIQ",
            "name": "Conseil interprofessionnel du Québec",
            "note": "ordres professionnels",
        }

    def test_real_plan_export_measure_13_progress(self, document):
        measure = measures(document)[13]

        assert measure["progress"]["percent"] == 93
        assert measure["progress"]["percent_source"] == "explicit"
        assert measure["progress"]["status"] == "in_progress"
        assert measure["indicators"][0]["actual"] == 56
        assert measure["indicators"][0]["percent"] == 93
        assert measure["indicators"][0]["deadline"] == {"text": "31 mars 2024", "latest": "2024-03-31"}

    def test_real_plan_export_measure_5_indicator(self, document):
        (indicator,) = measures(document)[5]["indicators"]

        assert indicator["target"] == {
            "text": "275 personnes admises à la RCMO",
            "value": 275,
            "unit": "personnes",
        }
        assert indicator["actual"] == 317
        assert indicator["percent"] == 100
        assert isinstance(indicator["target"]["value"], int)

    def test_real_plan_export_completed_in(self, document):
        assert measures(document)[9]["progress"]["completed_in"] == "2021-2022"
        assert measures(document)[13]["progress"]["completed_in"] is None

    def test_real_plan_export_includes_the_checks(self, document):
        checks = [(c["code"], c["measure"]) for c in document["checks"]]

        assert ("measure_missing", 6) in checks
        assert ("deadline_passed", 2) in checks
        assert ("theme_objective_missing", None) in checks

    def test_export_at_a_date_without_reports_has_null_progress(self, shared_plan, validator):
        document = as_json(plan_status(shared_plan, datetime.date(2024, 3, 31)))

        assert validator.is_valid(document)
        assert {m["progress"] is None for m in measures(document).values()} == {True}


def test_export_without_any_date_validates(db, validator):
    plan = PlanFactory(declared_measure_count=1)
    MeasureFactory(theme=ThemeFactory(plan=plan, number=0), number=1)

    document = as_json(plan_status(plan, None))

    assert document["as_of"] is None
    assert validator.is_valid(document)


# --- derived percent --------------------------------------------------------------


def measure_with_indicator(percent, actual=56, target=60):
    measure = MeasureFactory(number=1)
    indicator = IndicatorFactory(measure=measure, target_value=target, target_unit="garanties")
    report = ProgressReportFactory(measure=measure, percent=percent)
    IndicatorProgressFactory(report=report, indicator=indicator, actual=actual)
    return measure


def exported_progress(measure):
    document = as_json(plan_status(measure.plan, AS_OF))
    return measures(document)[measure.number]


def test_percent_is_derived_from_the_indicator_when_not_given(db):
    measure = measure_with_indicator(percent=None)

    (state,) = load_plan_state(measure.plan, AS_OF).measures
    assert (state.percent, state.percent_source) == (93, "derived")
    progress = exported_progress(measure)["progress"]
    assert (progress["percent"], progress["percent_source"]) == (93, "derived")


def test_explicit_percent_wins_over_derived(db):
    measure = measure_with_indicator(percent=40)

    progress = exported_progress(measure)["progress"]

    assert (progress["percent"], progress["percent_source"]) == (40, "explicit")
    assert exported_progress(measure)["indicators"][0]["percent"] == 93


def test_derived_percent_is_the_rounded_mean_of_indicator_percents(db):
    measure = measure_with_indicator(percent=None)  # 93
    other = IndicatorFactory(measure=measure, position=1)
    IndicatorProgressFactory(report=measure.progress_reports.get(), indicator=other, percent=50)

    (state,) = load_plan_state(measure.plan, AS_OF).measures

    assert (state.percent, state.percent_source) == (72, "derived")  # (93 + 50) / 2 = 71.5


def test_derived_percent_is_capped_at_100(db):
    measure = measure_with_indicator(percent=None, actual=317, target=275)

    assert exported_progress(measure)["progress"]["percent"] == 100


def test_no_percent_without_explicit_or_indicator_values(db):
    measure = MeasureFactory(number=1)
    ProgressReportFactory(measure=measure, percent=None)

    progress = exported_progress(measure)["progress"]

    assert (progress["percent"], progress["percent_source"]) == (None, None)


def test_factory_plan_export_validates(db, validator):
    plan = build_clean_plan(3, components=2)

    document = as_json(plan_status(plan, AS_OF))

    assert validator.is_valid(document)
    assert document["checks"] == []


# --- the export_status command ------------------------------------------------------


@pytest.fixture
def csv_rows(shared_plan, tmp_path):
    output = tmp_path / "status.csv"
    call_command("export_status", SLUG, "--format", "csv", "-o", str(output), stderr=io.StringIO())
    with output.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


class TestExportStatusCommand:
    def test_command_writes_the_json_document_to_a_file(self, shared_plan, tmp_path, validator):
        output = tmp_path / "status.json"
        err = io.StringIO()

        call_command("export_status", SLUG, "-o", str(output), stderr=err, stdout=io.StringIO())

        document = json.loads(output.read_text(encoding="utf-8"))
        assert validator.is_valid(document)
        assert document == as_json(plan_status(shared_plan, AS_OF))
        assert f"Écrit : {output}" in err.getvalue()
        assert [p.name for p in tmp_path.iterdir()] == ["status.json"]

    def test_command_uses_the_as_of_date(self, shared_plan, tmp_path):
        output = tmp_path / "status.json"

        call_command("export_status", SLUG, "--as-of", "2024-03-31", "-o", str(output), stderr=io.StringIO())

        document = json.loads(output.read_text(encoding="utf-8"))
        assert document["as_of"] == "2024-03-31"

    def test_command_writes_to_standard_output_by_default(self, shared_plan, capsys):
        call_command("export_status", SLUG)

        assert json.loads(capsys.readouterr().out)["schema"] == "concerto.plan-status/1"

    def test_command_writes_to_the_stdout_it_is_given(self, shared_plan):
        out = io.StringIO()

        call_command("export_status", SLUG, stdout=out)

        assert json.loads(out.getvalue())["schema"] == "concerto.plan-status/1"

    def test_command_writes_csv_to_the_stdout_it_is_given(self, shared_plan):
        out = io.StringIO()

        call_command("export_status", SLUG, "--format", "csv", stdout=out)

        rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
        assert rows[0] == CSV_COLUMNS
        assert len(rows) == 1 + 15 + 2

    def test_csv_has_a_header_and_one_row_per_measure_and_component(self, csv_rows):
        header, *rows = csv_rows

        assert header == CSV_COLUMNS
        assert len(rows) == 15 + 2
        assert all(len(row) == len(CSV_COLUMNS) for row in rows)
        measure_rows = [r for r in rows if r[CSV_COLUMNS.index("component")] == ""]
        assert [int(r[2]) for r in measure_rows] == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]

    def test_csv_component_rows_follow_their_measure(self, csv_rows):
        rows = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in csv_rows[1:]]

        assert [(r["measure_number"], r["component"], r["percent"]) for r in rows[:3]] == [
            ("1", "", ""),
            ("1", "OPTMQ", "50"),
            ("1", "OIIAQ", "100"),
        ]

    def test_csv_measure_row_values(self, csv_rows):
        rows = {r[2]: dict(zip(CSV_COLUMNS, r, strict=True)) for r in csv_rows[1:] if not r[7]}

        assert rows["13"]["percent"] == "93"
        assert rows["13"]["status"] == "in_progress"
        assert rows["13"]["lead"] == "MESS"
        assert rows["9"]["completed_in"] == "2021-2022"
        assert (
            rows["2"]["collaborators"] == "CIQ; BCI; Fédération des cégeps; MES; MEQ; MIFI; ordres concernés"
        )
        assert rows["2"]["indicators"].endswith("Données sur le parcours d’admission des PFÉ (Automne 2023)")
        assert rows["1"]["theme_title"] == "Mesures transversales"

    def test_csv_narratives_have_no_markdown_markers(self, csv_rows):
        narratives = [r[CSV_COLUMNS.index("narrative")] for r in csv_rows[1:]]

        assert any("Coiffeur ou coiffeuse" in n for n in narratives)  # measure 5's list, as text
        for narrative in narratives:
            for line in narrative.splitlines():
                assert not line.lstrip().startswith(("- ", "* ", "+ ")), line
            assert "**" not in narrative
            assert not re.search(r"&[a-z]+;|&#\d+;", narrative)  # no HTML entity left behind

    def test_command_refuses_a_bad_as_of(self, shared_plan, tmp_path):
        output = tmp_path / "status.json"

        with pytest.raises(
            CommandError, match="Date invalide « 2023-02-30 » : une date existante au format AAAA-MM-JJ"
        ):
            call_command("export_status", SLUG, "--as-of", "2023-02-30", "-o", str(output))
        assert not output.exists()

    def test_command_refuses_an_unknown_plan_naming_the_known_ones(self, shared_plan):
        PlanFactory(slug="autre-plan")

        with pytest.raises(CommandError) as excinfo:
            call_command("export_status", "inconnu")

        message = str(excinfo.value)
        assert "« inconnu » introuvable" in message
        assert "(plans connus : autre-plan, pole-2019-2024)" in message

    def test_command_refuses_an_unwritable_output(self, shared_plan, tmp_path):
        with pytest.raises(CommandError, match="Impossible d’écrire"):
            call_command("export_status", SLUG, "-o", str(tmp_path / "absent" / "status.json"))


def test_command_refuses_an_unknown_plan_when_there_is_none(db):
    with pytest.raises(CommandError, match="plans connus : aucun"):
        call_command("export_status", "inconnu")
