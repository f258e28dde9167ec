"""Fuzzy deadlines, on every form the Pôle's 2022-2023 report (seed 004) uses."""

from datetime import date

import pytest

from concerto.core.deadlines import (
    KIND_CONTINUOUS,
    KIND_DATE,
    KIND_FISCAL_YEAR,
    KIND_MONTH,
    KIND_SEASON,
    KIND_YEAR,
    Deadline,
    DeadlineError,
    fiscal_year_of,
    parse_deadline,
)


@pytest.mark.parametrize(
    ("text", "kind", "latest"),
    [
        ("31 mars 2022", KIND_DATE, date(2022, 3, 31)),
        ("31 décembre 2022", KIND_DATE, date(2022, 12, 31)),
        ("1er avril 2022", KIND_DATE, date(2022, 4, 1)),
        ("Mars 2023", KIND_MONTH, date(2023, 3, 31)),
        ("Décembre 2020", KIND_MONTH, date(2020, 12, 31)),
        ("Février 2024", KIND_MONTH, date(2024, 2, 29)),
        ("Hiver 2023", KIND_SEASON, date(2023, 3, 20)),
        ("Printemps 2023", KIND_SEASON, date(2023, 6, 21)),
        ("Été 2022", KIND_SEASON, date(2022, 9, 22)),
        ("Automne 2023", KIND_SEASON, date(2023, 12, 21)),
        ("2020-2021 (2 ans)", KIND_FISCAL_YEAR, date(2021, 3, 31)),
        ("2022-2023", KIND_FISCAL_YEAR, date(2023, 3, 31)),
        ("2024", KIND_YEAR, date(2024, 12, 31)),
        ("En continu", KIND_CONTINUOUS, None),
    ],
)
def test_parse_deadline_gives_kind_and_latest_day(text, kind, latest):
    deadline = parse_deadline(text)

    assert deadline == Deadline(text, kind, latest)


@pytest.mark.parametrize(
    ("text", "latest"),
    [
        ("31 MARS 2022", date(2022, 3, 31)),
        ("31 decembre 2022", date(2022, 12, 31)),
        ("31 DÉCEMBRE 2022", date(2022, 12, 31)),
        ("mars 2023", date(2023, 3, 31)),
        ("decembre 2020", date(2020, 12, 31)),
        ("HIVER 2023", date(2023, 3, 20)),
        ("ete 2022", date(2022, 9, 22)),
        ("ÉTÉ 2022", date(2022, 9, 22)),
        ("  Automne\u00a02023 ", date(2023, 12, 21)),
        ("en continu", None),
        ("EN CONTINU", None),
    ],
)
def test_parse_deadline_ignores_case_accents_and_spacing(text, latest):
    assert parse_deadline(text).latest == latest


def test_parse_deadline_keeps_the_text_as_written():
    assert parse_deadline("  Été 2022 ").text == "Été 2022"


@pytest.mark.parametrize(
    ("text", "day", "passed"),
    [
        ("31 mars 2023", date(2023, 3, 30), False),
        ("31 mars 2023", date(2023, 3, 31), False),  # the deadline day itself is not passed
        ("31 mars 2023", date(2023, 4, 1), True),
        ("Mars 2023", date(2023, 3, 31), False),
        ("Mars 2023", date(2023, 4, 1), True),
        ("Hiver 2023", date(2023, 3, 20), False),
        ("Hiver 2023", date(2023, 3, 21), True),
        ("2020-2021 (2 ans)", date(2021, 3, 31), False),
        ("2020-2021 (2 ans)", date(2021, 4, 1), True),
    ],
)
def test_has_passed_only_after_the_latest_day(text, day, passed):
    assert parse_deadline(text).has_passed(day) is passed


@pytest.mark.parametrize("day", [date(1900, 1, 1), date(2023, 3, 31), date(9999, 12, 31)])
def test_continuous_deadline_never_passes(day):
    assert parse_deadline("En continu").has_passed(day) is False


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (date(2023, 3, 31), "2022-2023"),
        (date(2023, 4, 1), "2023-2024"),
        (date(2023, 1, 1), "2022-2023"),
        (date(2022, 12, 31), "2022-2023"),
        (date(2022, 4, 1), "2022-2023"),
    ],
)
def test_fiscal_year_of_runs_from_april_to_march(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


@pytest.mark.parametrize("text", ["Bientôt", "31 février 2023", "2020-2022", "Pluviôse 2023", "32 mars 2023"])
def test_bad_deadline_raises_a_french_error_naming_the_text(text):
    with pytest.raises(DeadlineError) as excinfo:
        parse_deadline(text)

    message = str(excinfo.value)
    assert f"« {text} »" in message
    assert "Échéance" in message


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_deadline_raises_a_french_error(text):
    with pytest.raises(DeadlineError, match="L’échéance est vide"):
        parse_deadline(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31 février 2023", "date impossible"),
        ("2020-2022", "deux années consécutives"),
        ("Pluviôse 2023", "ni un mois ni une saison"),
        ("31 brumaire 2023", "mois inconnu"),
        ("Bientôt", "non reconnue"),
    ],
)
def test_bad_deadline_message_says_why(text, reason):
    with pytest.raises(DeadlineError, match=reason):
        parse_deadline(text)


@pytest.mark.parametrize("text", ["0000", "Mars 0000", "Hiver 0000"])
def test_year_zero_raises_deadline_error_not_a_bare_value_error(text):
    with pytest.raises(DeadlineError, match=f"« {text} » : date impossible"):
        parse_deadline(text)
