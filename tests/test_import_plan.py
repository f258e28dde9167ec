"""Import of a plan file: idempotent, all-or-nothing, never erasing history."""

import contextlib
import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from concerto.core.dataload import DataError
from concerto.plans.importer import import_plan
from concerto.plans.models import (
    Collaborator,
    ComponentProgress,
    Indicator,
    IndicatorProgress,
    Measure,
    MeasureLead,
    Plan,
    ProgressReport,
    Theme,
)

from .conftest import REAL_PLAN_FILE
from .factories import ProgressReportFactory

MODELS = [
    Plan,
    Theme,
    Measure,
    MeasureLead,
    Collaborator,
    Indicator,
    ProgressReport,
    ComponentProgress,
    IndicatorProgress,
]
REAL = REAL_PLAN_FILE.read_text(encoding="utf-8")
MEASURE = "      - number: {}\n"  # a measure, in a theme or in a progress snapshot


def snapshot() -> dict:
    """Every plan-related row, with all its values, in a stable order."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def counts() -> tuple[int, int, int]:
    return Plan.objects.count(), Measure.objects.count(), ProgressReport.objects.count()


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th occurrence of ``needle``."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1


def replace_after(text: str, anchor: str, old: str, new: str, occurrence: int = 1) -> str:
    """Replace the first ``old`` after the n-th ``anchor`` (e.g. inside one measure)."""
    start = -1
    for _ in range(occurrence):
        start = text.index(anchor, start + 1)
    index = text.index(old, start)
    return text[:index] + new + text[index + len(old) :]


def write(tmp_path, text: str):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def measure_13_lead_unknown(text):
    return replace_after(
        text, MEASURE.format(13), "- ministere-de-l-emploi-et-de-la-solidarite-sociale", "- ministere-inconnu"
    )


def measure_13_deadline_bientot(text):
    return replace_after(text, MEASURE.format(13), "deadline: 31 mars 2024", "deadline: Bientôt")


def measure_13_percent_150(text):
    return replace_after(text, MEASURE.format(13), "percent: 93", "percent: 150", occurrence=2)


def measure_2_status_unknown(text):
    return replace_after(text, MEASURE.format(2), "status: reoriented", "status: abandonnee", occurrence=2)


def malformed_yaml(text):
    return text.replace("    title: Information\n", "    title: [Information\n")


# (break the file, substrings the message must contain, line the message must name)
BROKEN = {
    "unknown lead": (
        measure_13_lead_unknown,
        ["mesure 13", "« lead »", "organisation inconnue « ministere-inconnu »"],
        line_of(REAL, MEASURE.format(13)),
    ),
    "bad deadline": (
        measure_13_deadline_bientot,
        ["mesure 13", "indicateur 1", "« deadline »", "« Bientôt »"],
        line_of(REAL, "- label: Octroyer 60 garanties"),  # where the indicator starts
    ),
    "percent 150": (
        measure_13_percent_150,
        ["état au 2023-03-31, mesure 13", "« percent »", "« 150 »"],
        line_of(REAL, MEASURE.format(13), occurrence=2),
    ),
    "unknown status": (
        measure_2_status_unknown,
        ["état au 2023-03-31, mesure 2", "« status »", "« abandonnee »"],
        line_of(REAL, MEASURE.format(2), occurrence=2),
    ),
    "malformed yaml": (
        malformed_yaml,
        ["YAML invalide"],
        None,  # the parser names where it stopped, see test below
    ),
}


@pytest.fixture
def imported(real_plan):
    """The real plan, imported, with a snapshot of its rows."""
    return real_plan, snapshot()


def test_first_import_creates_the_plan(organizations):
    result = import_plan(path=REAL_PLAN_FILE)

    assert result.changed is True
    assert result.created > 0
    assert result.subject.slug == "pole-2019-2024"
    assert counts() == (1, 15, 15)


def test_import_is_idempotent(imported):
    _, before = imported

    result = import_plan(path=REAL_PLAN_FILE)

    assert result.changed is False
    assert (result.created, result.updated, result.deleted, result.details) == (0, 0, 0, [])
    assert snapshot() == before


def test_modified_percent_becomes_a_new_version_of_that_report_only(imported, tmp_path):
    plan, before = imported
    path = write(tmp_path, measure_13_percent_150(REAL).replace("percent: 150", "percent: 95"))

    result = import_plan(path=path)

    assert (result.created, result.updated, result.deleted) == (0, 1, 0)
    after = snapshot()
    old = ProgressReport.objects.get(measure__plan=plan, measure__number=13, version=1)
    new = ProgressReport.objects.get(measure__plan=plan, measure__number=13, is_current=True)
    # A validated state is never edited in place: the old version is kept, replaced.
    assert (old.percent, old.is_current) == (93, False)
    assert (new.percent, new.version, new.replaces) == (95, 2, old)
    assert len(after["ProgressReport"]) == len(before["ProgressReport"]) + 1
    unchanged_before = [r for r in before["ProgressReport"] if r["id"] != old.pk]
    unchanged_after = [r for r in after["ProgressReport"] if r["id"] not in (old.pk, new.pk)]
    assert unchanged_before == unchanged_after
    assert {
        k: v
        for k, v in after.items()
        if k not in {"ProgressReport", "ComponentProgress", "IndicatorProgress"}
    } == {
        k: v
        for k, v in before.items()
        if k not in {"ProgressReport", "ComponentProgress", "IndicatorProgress"}
    }


def test_modified_deadline_updates_the_indicator_and_its_latest_day(imported, tmp_path):
    plan, before = imported
    path = write(
        tmp_path, replace_after(REAL, MEASURE.format(13), "deadline: 31 mars 2024", "deadline: Été 2024")
    )

    result = import_plan(path=path)

    assert (result.created, result.updated, result.deleted) == (0, 1, 0)
    indicator = Indicator.objects.get(measure__plan=plan, measure__number=13)
    assert (indicator.deadline_text, indicator.deadline_kind, indicator.deadline_latest) == (
        "Été 2024",
        "season",
        datetime.date(2024, 9, 22),
    )
    assert snapshot()["ProgressReport"] == before["ProgressReport"]
    assert snapshot()["Measure"] == before["Measure"]


def test_modified_collaborators_replace_only_that_measures_list(imported, tmp_path):
    plan, before = imported
    path = write(
        tmp_path, replace_after(REAL, MEASURE.format(14), "- text: OBNL", "- text: Organismes communautaires")
    )

    result = import_plan(path=path)

    assert result.changed is True
    measure = Measure.objects.get(plan=plan, number=14)
    assert [c.label for c in measure.collaborators.order_by("position")] == [
        "MIFI",
        "MESS",
        "Organismes communautaires",
    ]
    others_before = [c for c in before["Collaborator"] if c["measure_id"] != measure.pk]
    others_after = [c for c in snapshot()["Collaborator"] if c["measure_id"] != measure.pk]
    assert others_after == others_before


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_is_refused_naming_measure_field_and_line(organizations, tmp_path, case):
    breaker, fragments, line = BROKEN[case]
    broken = breaker(REAL)
    assert broken != REAL
    path = write(tmp_path, broken)

    with pytest.raises(DataError) as excinfo:
        import_plan(path=path)

    message = str(excinfo.value)
    for fragment in fragments:
        assert fragment in message
    if line is not None:
        assert f"(ligne {line})" in message
    assert counts() == (0, 0, 0)


def test_malformed_yaml_message_names_line_and_column(organizations, tmp_path):
    path = write(tmp_path, malformed_yaml(REAL))

    with pytest.raises(DataError) as excinfo:
        import_plan(path=path)

    message = str(excinfo.value)
    assert str(path) in message
    # The flow sequence opened on the theme's title line is never closed: the
    # parser stops on the next line, at the colon of "objective:".
    line = line_of(REAL, "    title: Information\n") + 1
    assert f"ligne {line}, colonne 14 : YAML invalide" in message


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_leaves_an_existing_plan_untouched(imported, tmp_path, case):
    _, before = imported
    breaker = BROKEN[case][0]
    # A valid change the import would make, plus the broken thing.
    text = breaker(REAL.replace("declared_measure_count: 16", "declared_measure_count: 17"))
    path = write(tmp_path, text)

    with pytest.raises(DataError):
        import_plan(path=path)

    assert snapshot() == before


def drop_measure_16(text: str) -> str:
    theme_start = text.index(MEASURE.format(16))
    theme_end = text.index("progress:\n")
    text = text[:theme_start] + text[theme_end:]
    progress_start = text.index(MEASURE.format(16))
    return text[:progress_start]


def test_file_dropping_an_existing_measure_is_refused(imported, tmp_path):
    _, before = imported
    text = drop_measure_16(REAL).replace("percent: 93", "percent: 95")
    assert "number: 16" not in text
    path = write(tmp_path, text)

    with pytest.raises(DataError) as excinfo:
        import_plan(path=path)

    assert "les mesures 16 existent" in str(excinfo.value)
    assert "ne supprime pas de mesure" in str(excinfo.value)
    assert snapshot() == before


def test_file_without_a_measure_imports_into_an_empty_database(organizations, tmp_path):
    result = import_plan(path=write(tmp_path, drop_measure_16(REAL)))

    assert sorted(result.subject.measures.values_list("number", flat=True))[-1] == 15


def test_file_dropping_a_theme_is_refused(imported, tmp_path):
    _, before = imported
    # Move measures 9 and 10 to theme 4 and drop theme 3.
    start = REAL.index("  - number: 3\n    title: Conditions")
    measures_start = REAL.index("    measures:\n", start) + len("    measures:\n")
    end = REAL.index("  - number: 4\n    title: Intégration")
    moved = REAL[measures_start:end]
    text = REAL[:start] + REAL[end:]
    text = text.replace("progress:\n", moved + "progress:\n", 1)
    path = write(tmp_path, text)

    with pytest.raises(DataError, match="un thème existant n’est plus dans le fichier"):
        import_plan(path=path)

    assert snapshot() == before


def test_progress_at_another_date_is_kept(imported, tmp_path):
    plan, _ = imported
    measure = Measure.objects.get(plan=plan, number=13)
    earlier = ProgressReportFactory(
        measure=measure, as_of=datetime.date(2022, 3, 31), percent=40, narrative="État de l’an dernier."
    )
    before = snapshot()

    result = import_plan(path=REAL_PLAN_FILE)

    assert result.changed is False
    assert snapshot() == before
    earlier.refresh_from_db()
    assert (earlier.as_of, earlier.percent, earlier.narrative) == (
        datetime.date(2022, 3, 31),
        40,
        "État de l’an dernier.",
    )


def test_new_reporting_date_is_added_beside_the_existing_one(imported, tmp_path):
    plan, before = imported
    text = REAL + (
        "  - as_of: 2024-03-31\n"
        "    measures:\n"
        "      - number: 13\n"
        "        percent: 100\n"
        "        narrative: Cible atteinte.\n"
    )

    result = import_plan(path=write(tmp_path, text))

    assert result.created == 1
    reports = ProgressReport.objects.filter(measure__plan=plan, measure__number=13).order_by("as_of")
    assert [(r.as_of, r.percent, r.status) for r in reports] == [
        (datetime.date(2023, 3, 31), 93, "in_progress"),
        (datetime.date(2024, 3, 31), 100, "completed"),
    ]
    assert snapshot()["ProgressReport"][: len(before["ProgressReport"])] == before["ProgressReport"]


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("schema: concerto.plan/1", "schema: concerto.plan/2", "« schema »"),
        (MEASURE.format(14), MEASURE.format(13), "numéro de mesure en double"),
        ("  - as_of: 2023-03-31\n", "  - as_of: 31 mars 2023\n", "« as_of »"),
        (
            "        percent: 60\n",
            "        percent: 60\n        indicators:\n          - indicator: 2\n",
            "pas de n° 2",
        ),
        (
            "        lead:\n          - federation-des-cegeps\n",
            "        lead: federation-des-cegeps\n",
            "liste",
        ),
    ],
)
def test_other_invalid_files_are_refused(organizations, tmp_path, old, new, fragment):
    assert old in REAL
    path = write(tmp_path, REAL.replace(old, new, 1))

    with pytest.raises(DataError, match=fragment):
        import_plan(path=path)
    assert counts() == (0, 0, 0)


def test_missing_file_is_refused(organizations, tmp_path):
    with pytest.raises(DataError, match="fichier introuvable"):
        import_plan(path=tmp_path / "absent.yaml")


def test_command_says_already_up_to_date_on_second_run(organizations):
    out = StringIO()

    call_command("import_plan", str(REAL_PLAN_FILE), stdout=out)
    first = out.getvalue()
    call_command("import_plan", str(REAL_PLAN_FILE), stdout=out)
    second = out.getvalue()[len(first) :]

    assert "Plan « pole-2019-2024 » :" in first
    assert "élément(s) créé(s)" in first
    assert "déjà à jour" not in first
    assert second.strip() == "Plan « pole-2019-2024 » : déjà à jour, rien n’a changé."


def test_command_lists_changes_at_verbosity_2(imported, tmp_path):
    path = write(tmp_path, REAL.replace("percent: 93", "percent: 95"))
    out = StringIO()

    call_command("import_plan", str(path), stdout=out, verbosity=2)

    assert "  état au 2023-03-31, mesure 13 : nouvelle version 2" in out.getvalue()
    assert "1 modifié(s)" in out.getvalue()


def test_command_raises_command_error_on_a_bad_file(organizations, tmp_path):
    path = write(tmp_path, measure_13_deadline_bientot(REAL))

    with pytest.raises(CommandError, match="« Bientôt »"):
        call_command("import_plan", str(path), stdout=StringIO())
    assert counts() == (0, 0, 0)


def test_slug_that_is_not_a_slug_is_refused(organizations, tmp_path):
    path = write(tmp_path, REAL.replace("slug: pole-2019-2024", "slug: pole 2019/2024"))

    with pytest.raises(DataError, match="« slug »"):
        import_plan(path=path)
    assert counts() == (0, 0, 0)


def test_dropping_an_indicator_never_erases_its_values_at_other_dates(imported, tmp_path):
    plan, _ = imported
    measure = Measure.objects.get(plan=plan, number=2)
    third = measure.indicators.get(position=2)
    earlier = ProgressReportFactory(measure=measure, as_of=datetime.date(2022, 3, 31), percent=None)
    value = IndicatorProgress.objects.create(report=earlier, indicator=third, percent=20)
    text = replace_after(
        REAL,
        MEASURE.format(2),
        "          - label: Données sur le parcours d’admission des PFÉ\n"
        "            target: null\n"
        "            deadline: Automne 2023\n",
        "",
    )
    assert text != REAL

    with contextlib.suppress(DataError):  # refusing, as for a dropped measure, is one fine answer
        import_plan(path=write(tmp_path, text))

    assert IndicatorProgress.objects.filter(pk=value.pk, indicator=third, percent=20).exists()


def test_impossible_date_in_the_file_is_refused_in_french(organizations, tmp_path):
    path = write(tmp_path, REAL.replace("as_of: 2023-03-31", "as_of: 2023-02-30"))

    with pytest.raises(DataError, match="date impossible"):
        import_plan(path=path)
    assert counts() == (0, 0, 0)
