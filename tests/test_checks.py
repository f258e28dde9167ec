"""Consistency checks, on the real plan and on factory-built plans."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from concerto.organizations.domain import import_organizations
from concerto.plans.checks import ERROR, INFO, WARNING, check_plan
from concerto.plans.importer import import_plan
from concerto.plans.models import Indicator, IndicatorProgress, Measure, ProgressReport, Status, Theme

from .conftest import ORGANIZATIONS_FILE, REAL_PLAN_FILE
from .factories import AS_OF, build_clean_plan

NEXT_YEAR = datetime.date(2024, 3, 31)
REAL_MEASURES = [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]


def found(findings, code=None):
    return [(f.code, f.measure) for f in findings if code is None or f.code == code]


def measures_with(findings, code):
    return sorted(f.measure for f in findings if f.code == code)


# --- the real plan --------------------------------------------------------


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
def real_findings(shared_plan):
    return check_plan(shared_plan, AS_OF)


class TestRealPlan:
    def test_real_plan_findings_at_31_march_2023_are_exactly_the_known_ones(self, real_findings):
        assert sorted(found(real_findings), key=str) == sorted(
            [
                ("measure_missing", 6),
                ("deadline_passed", 2),
                ("deadline_passed", 11),
                ("complete_but_under_way", 4),
                ("follow_up_missing", None),
                ("theme_objective_missing", None),
            ],
            key=str,
        )

    def test_real_plan_measure_6_is_missing(self, real_findings):
        (finding,) = [f for f in real_findings if f.code == "measure_missing"]

        assert (finding.measure, finding.severity) == (6, ERROR)
        assert (
            finding.message == "Le plan annonce 16 mesures, mais 15 sont présentes : la mesure 6 est absente."
        )

    def test_real_plan_deadlines_passed_for_measures_2_and_11(self, real_findings):
        assert measures_with(real_findings, "deadline_passed") == [2, 11]
        by_measure = {f.measure: f for f in real_findings if f.code == "deadline_passed"}
        assert "« Décembre 2020 », « Hiver 2023 »" in by_measure[2].message
        assert "Automne 2023" not in by_measure[2].message
        assert "« 31 mars 2022 »" in by_measure[11].message
        assert "31 mars 2023" in by_measure[11].message
        assert "non chiffré" in by_measure[11].message

    @pytest.mark.parametrize("number", [9, 10, 14, 15])
    def test_real_plan_completed_measure_is_not_late(self, real_findings, number):
        assert ("deadline_passed", number) not in found(real_findings)

    @pytest.mark.parametrize("number", [3, 4, 8])
    def test_real_plan_measure_at_100_percent_is_not_late(self, real_findings, number):
        assert ("deadline_passed", number) not in found(real_findings)

    def test_real_plan_measure_16_is_not_late_on_its_deadline_day(self, real_findings):
        # "Mars 2023" ends on 31 March 2023, the reporting day itself.
        assert ("deadline_passed", 16) not in found(real_findings)

    def test_real_plan_measure_4_is_complete_but_under_way(self, real_findings):
        (finding,) = [f for f in real_findings if f.code == "complete_but_under_way"]

        assert (finding.measure, finding.severity) == (4, WARNING)
        assert "« en cours »" in finding.message

    def test_real_plan_follow_up_is_missing_for_every_measure(self, real_findings):
        (finding,) = [f for f in real_findings if f.code == "follow_up_missing"]

        assert finding.severity == INFO
        assert finding.measure is None
        assert "15 mesure(s) : " + ", ".join(map(str, REAL_MEASURES)) in finding.message

    def test_real_plan_theme_0_has_no_objective(self, real_findings):
        (finding,) = [f for f in real_findings if f.code == "theme_objective_missing"]

        assert finding.message == "Le thème 0 « Mesures transversales » n’a pas d’objectif dans la source."

    def test_real_plan_has_progress_for_every_measure_at_31_march_2023(self, real_findings):
        assert found(real_findings, "progress_missing") == []

    def test_real_plan_next_year_lacks_progress_for_every_measure(self, shared_plan):
        findings = check_plan(shared_plan, NEXT_YEAR)

        assert measures_with(findings, "progress_missing") == REAL_MEASURES
        assert all(
            f.message == f"Mesure {f.measure} : aucun état d’avancement au 31 mars 2024."
            for f in findings
            if f.code == "progress_missing"
        )
        assert found(findings, "deadline_passed") == []
        assert found(findings, "complete_but_under_way") == []

    def test_findings_are_sorted_by_severity_then_measure(self, real_findings):
        order = {ERROR: 0, WARNING: 1, INFO: 2}
        keys = [(order[f.severity], f.measure or 0) for f in real_findings]

        assert keys == sorted(keys)
        assert real_findings[0].code == "measure_missing"


# --- factory-built plans, one check at a time --------------------------------


@pytest.fixture
def clean(db):
    return build_clean_plan(5)


def measure(plan, number):
    return Measure.objects.get(plan=plan, number=number)


def test_clean_plan_has_no_findings(clean):
    assert check_plan(clean, AS_OF) == []


def test_measure_missing_fires_for_a_deleted_measure(clean):
    # Measure.delete() refuses a measure with history; data from before that rule may still lack one.
    Measure.objects.filter(plan=clean, number=3).delete()

    findings = check_plan(clean, AS_OF)

    assert found(findings) == [("measure_missing", 3)]
    assert "Le plan annonce 5 mesures, mais 4 sont présentes" in findings[0].message


def test_measure_missing_fires_beyond_the_last_measure(clean):
    clean.declared_measure_count = 7
    clean.save()

    assert found(check_plan(clean, AS_OF)) == [("measure_missing", 6), ("measure_missing", 7)]


def test_theme_objective_missing_fires_for_a_theme_without_objective(clean):
    Theme.objects.filter(plan=clean, number=1).update(objective="")

    findings = check_plan(clean, AS_OF)

    assert found(findings) == [("theme_objective_missing", None)]
    assert "Le thème 1 " in findings[0].message


def test_theme_objective_missing_fires_for_an_empty_theme(clean):
    Theme.objects.create(plan=clean, number=9, title="Thème sans mesure", objective="")

    assert found(check_plan(clean, AS_OF)) == [("theme_objective_missing", None)]


def test_follow_up_missing_fires_for_a_measure_without_follow_up(clean):
    Measure.objects.filter(plan=clean, number=2).update(follow_up="")

    findings = check_plan(clean, AS_OF)

    assert found(findings) == [("follow_up_missing", None)]
    assert "1 mesure(s) : 2." in findings[0].message


def test_progress_missing_fires_for_a_measure_without_report(clean):
    ProgressReport.objects.filter(measure__plan=clean, measure__number=4).delete()

    findings = check_plan(clean, AS_OF)

    assert found(findings) == [("progress_missing", 4)]
    assert "aucun état d’avancement au 31 mars 2023" in findings[0].message


def test_progress_missing_fires_at_a_date_without_reports(clean):
    assert measures_with(check_plan(clean, NEXT_YEAR), "progress_missing") == [1, 2, 3, 4, 5]


def test_progress_missing_does_not_fire_without_a_date(clean):
    assert check_plan(clean, None) == []


def set_deadline(plan, number, text):
    indicator = Indicator.objects.get(measure__plan=plan, measure__number=number)
    indicator.deadline_text = text
    indicator.save()
    return indicator


def test_deadline_passed_fires_for_a_late_measure(clean):
    set_deadline(clean, 2, "31 mars 2022")

    findings = check_plan(clean, AS_OF)

    assert found(findings) == [("deadline_passed", 2)]
    assert "« 31 mars 2022 »" in findings[0].message
    assert "de 50\u00a0%" in findings[0].message


def test_deadline_passed_does_not_fire_on_the_deadline_day(clean):
    set_deadline(clean, 2, "31 mars 2023")

    assert check_plan(clean, AS_OF) == []


def test_deadline_passed_does_not_fire_for_a_continuous_indicator(clean):
    set_deadline(clean, 2, "En continu")

    assert check_plan(clean, AS_OF) == []


def test_deadline_passed_does_not_fire_for_a_completed_measure(clean):
    set_deadline(clean, 2, "31 mars 2022")
    ProgressReport.objects.filter(measure__plan=clean, measure__number=2).update(
        status=Status.COMPLETED, percent=None
    )

    assert found(check_plan(clean, AS_OF)) == []


def test_deadline_passed_does_not_fire_at_100_percent_derived(clean):
    set_deadline(clean, 2, "31 mars 2022")
    ProgressReport.objects.filter(measure__plan=clean, measure__number=2).update(percent=None)
    IndicatorProgress.objects.filter(report__measure__plan=clean, report__measure__number=2).update(actual=60)

    assert found(check_plan(clean, AS_OF)) == []


def test_deadline_passed_says_unquantified_without_percent(clean):
    set_deadline(clean, 2, "Été 2022")
    ProgressReport.objects.filter(measure__plan=clean, measure__number=2).update(percent=None)
    IndicatorProgress.objects.filter(report__measure__plan=clean, report__measure__number=2).delete()

    findings = check_plan(clean, AS_OF)

    assert found(findings) == [("deadline_passed", 2)]
    assert "non chiffré" in findings[0].message


@pytest.mark.parametrize(
    ("narrative", "phrase"),
    [
        ("Les travaux se poursuivent.", "se poursuiv"),
        ("Travaux EN COURS auprès des partenaires.", "en cours"),
        ("Les travaux ne sont pas encore terminés.", "pas encore termin"),
        ("Il reste à schématiser deux emplois.", "il reste a"),
    ],
)
def test_complete_but_under_way_fires_for_100_percent_with_work_under_way(clean, narrative, phrase):
    ProgressReport.objects.filter(measure__plan=clean, measure__number=5).update(
        percent=100, narrative=narrative
    )

    findings = check_plan(clean, AS_OF)

    assert found(findings) == [("complete_but_under_way", 5)]
    assert f"« {phrase} »" in findings[0].message


def test_complete_but_under_way_reads_indicator_notes(clean):
    ProgressReport.objects.filter(measure__plan=clean, measure__number=5).update(percent=100, narrative="")
    IndicatorProgress.objects.filter(report__measure__plan=clean, report__measure__number=5).update(
        note="Activités de schématisation en cours."
    )

    assert found(check_plan(clean, AS_OF)) == [("complete_but_under_way", 5)]


def test_complete_but_under_way_does_not_fire_below_100_percent(clean):
    ProgressReport.objects.filter(measure__plan=clean, measure__number=5).update(
        percent=90, narrative="Les travaux se poursuivent."
    )

    assert check_plan(clean, AS_OF) == []


def test_complete_but_under_way_does_not_fire_when_the_work_is_done(clean):
    ProgressReport.objects.filter(measure__plan=clean, measure__number=5).update(
        percent=100, narrative="Mesure réalisée en totalité."
    )

    assert check_plan(clean, AS_OF) == []


# --- the check_plan command ------------------------------------------------------


class TestCheckPlanCommandOnRealPlan:
    def test_command_lists_findings_at_the_latest_date(self, shared_plan):
        out = StringIO()

        call_command("check_plan", "pole-2019-2024", stdout=out)

        lines = out.getvalue().splitlines()
        assert lines[0] == f"{shared_plan.title} — 2023-03-31 : 6 constat(s)"
        assert lines[1].startswith("[error] measure_missing (mesure 6) : Le plan annonce 16 mesures")
        assert "[warning] deadline_passed (mesure 2) : " in out.getvalue()
        assert "[warning] complete_but_under_way (mesure 4) : " in out.getvalue()
        assert "[info] theme_objective_missing (plan) : " in out.getvalue()
        assert len(lines) == 7

    def test_command_accepts_an_as_of_date(self, shared_plan):
        out = StringIO()

        call_command("check_plan", "pole-2019-2024", "--as-of", "2024-03-31", stdout=out)

        assert out.getvalue().splitlines()[0].endswith("— 2024-03-31 : 18 constat(s)")
        assert out.getvalue().count("progress_missing") == 15

    def test_command_outputs_json(self, shared_plan):
        out = StringIO()

        call_command("check_plan", "pole-2019-2024", "--json", stdout=out)

        data = json.loads(out.getvalue())
        assert {k: data[0][k] for k in ("code", "severity", "measure")} == {
            "code": "measure_missing",
            "severity": "error",
            "measure": 6,
        }
        assert sorted((d["code"], d["measure"]) for d in data if d["measure"]) == [
            ("complete_but_under_way", 4),
            ("deadline_passed", 2),
            ("deadline_passed", 11),
            ("measure_missing", 6),
        ]
        assert all(set(d) == {"code", "severity", "message", "measure"} for d in data)

    def test_command_fails_on_error_when_asked(self, shared_plan):
        with pytest.raises(SystemExit) as excinfo:
            call_command("check_plan", "pole-2019-2024", "--fail-on-error", stdout=StringIO())

        assert excinfo.value.code == 1

    def test_command_refuses_an_unknown_plan(self, shared_plan):
        with pytest.raises(CommandError, match="Plan « inconnu » introuvable .*pole-2019-2024"):
            call_command("check_plan", "inconnu", stdout=StringIO())

    def test_command_refuses_a_bad_date(self, shared_plan):
        with pytest.raises(
            CommandError, match="Date invalide « 31/03/2023 » : une date existante au format AAAA-MM-JJ"
        ):
            call_command("check_plan", "pole-2019-2024", "--as-of", "31/03/2023", stdout=StringIO())


def test_command_does_not_fail_on_a_clean_plan(clean):
    out = StringIO()

    call_command("check_plan", clean.slug, "--fail-on-error", stdout=out)

    assert out.getvalue().strip() == f"{clean.title} — 2023-03-31 : 0 constat(s)"
