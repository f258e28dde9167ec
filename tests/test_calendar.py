"""Québec legal deadlines on real dates (Loi d'interprétation, a. 52 and 61 (23°);
C-26, r. 189.1, a. 4 for Saturdays). Every weekday below was checked with datetime."""

from datetime import date, datetime

import pytest

from concerto.core import calendar
from concerto.core.calendar import (
    easter_sunday,
    holiday_name,
    is_working_day,
    legal_deadline,
    next_working_day,
    proclaimed_holidays,
    statutory_holidays,
)
from concerto.core.dataload import DataError

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- Easter ------------------------------------------------------------------


@pytest.mark.parametrize(
    "year, expected",
    [
        (2019, "2019-04-21"),
        (2023, "2023-04-09"),
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2000, "2000-04-23"),
        (2008, "2008-03-23"),
        (2038, "2038-04-25"),  # latest possible date
        (2285, "2285-03-22"),  # earliest possible date
    ],
)
def test_easter_sunday(year, expected):
    assert easter_sunday(year) == d(expected)


def test_easter_is_always_a_sunday_between_22_march_and_25_april():
    for year in range(1583, 4100):
        easter = easter_sunday(year)
        assert easter.weekday() == SUN, year
        assert date(year, 3, 22) <= easter <= date(year, 4, 25), year


# --- Statutory holidays ------------------------------------------------------

HOLIDAYS_2024 = {
    d("2024-01-01"): "Jour de l’An",
    d("2024-03-29"): "Vendredi saint",
    d("2024-04-01"): "Lundi de Pâques",
    d("2024-05-20"): "Journée nationale des patriotes",
    d("2024-06-24"): "Fête nationale du Québec",
    d("2024-07-01"): "Fête du Canada",
    d("2024-09-02"): "Fête du Travail",
    d("2024-10-14"): "Action de grâces",
    d("2024-12-25"): "Noël",
}

HOLIDAYS_2025 = {
    d("2025-01-01"): "Jour de l’An",
    d("2025-04-18"): "Vendredi saint",
    d("2025-04-21"): "Lundi de Pâques",
    d("2025-05-19"): "Journée nationale des patriotes",
    d("2025-06-24"): "Fête nationale du Québec",
    d("2025-07-01"): "Fête du Canada",
    d("2025-09-01"): "Fête du Travail",
    d("2025-10-13"): "Action de grâces",
    d("2025-12-25"): "Noël",
}


@pytest.mark.parametrize("year, expected", [(2024, HOLIDAYS_2024), (2025, HOLIDAYS_2025)])
def test_statutory_holidays_of_a_year(year, expected):
    holidays = statutory_holidays(year)
    assert holidays == expected
    assert list(holidays) == sorted(holidays)
    for day, name in expected.items():
        assert holiday_name(day) == name
        assert not is_working_day(day)


def test_monday_based_holidays_are_mondays():
    for year in range(2000, 2101):
        for day, name in statutory_holidays(year).items():
            if name in {
                "Lundi de Pâques",
                "Journée nationale des patriotes",
                "Fête du Travail",
                "Action de grâces",
            }:
                assert day.weekday() == MON, (year, name)
            if name == "Vendredi saint":
                assert day.weekday() == FRI, year


@pytest.mark.parametrize(
    "year, expected",
    [
        (2020, "2020-05-18"),  # 25 May 2020 is a Monday: the Monday *before* it
        (2021, "2021-05-24"),  # 24 May 2021 is a Monday: that very day
        (2024, "2024-05-20"),
        (2025, "2025-05-19"),
        (2026, "2026-05-18"),
    ],
)
def test_journee_nationale_des_patriotes_is_the_monday_before_25_may(year, expected):
    assert d(expected).weekday() == MON
    assert holiday_name(d(expected)) == "Journée nationale des patriotes"
    assert d(expected) in statutory_holidays(year)


def test_fete_du_canada_on_a_saturday_stays_on_1_july():
    assert d("2023-07-01").weekday() == SAT
    assert holiday_name(d("2023-07-01")) == "Fête du Canada"
    assert holiday_name(d("2023-07-03")) is None
    assert is_working_day(d("2023-07-03"))


def test_fete_du_canada_on_a_sunday_moves_to_2_july():
    assert d("2029-07-01").weekday() == SUN
    assert d("2029-07-02").weekday() == MON
    holidays = statutory_holidays(2029)
    assert holidays[d("2029-07-02")] == "Fête du Canada"
    assert d("2029-07-01") not in holidays
    assert not is_working_day(d("2029-07-01"))  # a Sunday all the same
    assert not is_working_day(d("2029-07-02"))
    assert legal_deadline(d("2029-05-02"), 60) == d("2029-07-03")  # lands on Sun 1 July


def test_statutory_holidays_returns_a_copy():
    statutory_holidays(2024).clear()
    assert statutory_holidays(2024) == HOLIDAYS_2024


# --- Working days ------------------------------------------------------------


def test_weekends_are_not_working_days_and_ordinary_weekdays_are():
    assert d("2025-03-15").weekday() == SAT
    assert d("2025-03-16").weekday() == SUN
    assert not is_working_day(d("2025-03-15"))  # C-26, r. 189.1, a. 4
    assert not is_working_day(d("2025-03-16"))  # a. 61 (23°)
    assert holiday_name(d("2025-03-15")) is None
    for text in ("2025-03-17", "2025-03-18", "2025-03-19", "2025-03-20", "2025-03-21"):
        assert is_working_day(d(text)), text


def test_next_working_day_is_the_day_itself_when_working():
    assert d("2025-03-17").weekday() == MON
    assert next_working_day(d("2025-03-17")) == d("2025-03-17")
    assert next_working_day(d("2025-03-15")) == d("2025-03-17")


# --- Legal deadlines on real dates ------------------------------------------


def test_deadline_landing_on_24_june():
    # 2024-04-25 (Thu) + 60 = Monday 24 June 2024, Fête nationale -> Tuesday.
    assert d("2024-06-24").weekday() == MON
    assert legal_deadline(d("2024-04-25"), 60) == d("2024-06-25")


def test_deadline_landing_on_easter_sunday_skips_easter_monday():
    # 2025-02-19 + 60 = Easter Sunday 20 April 2025; Monday 21 is Easter Monday.
    assert d("2025-04-20").weekday() == SUN
    assert legal_deadline(d("2025-02-19"), 60) == d("2025-04-22")


def test_deadline_landing_on_easter_monday():
    assert d("2025-04-21").weekday() == MON
    assert legal_deadline(d("2025-02-20"), 60) == d("2025-04-22")


def test_deadline_landing_on_good_friday_runs_through_the_easter_weekend():
    # 2024-01-29 + 60 = Good Friday 29 March 2024 -> Sat, Sun, Easter Monday -> Tue 2 April.
    assert d("2024-03-29").weekday() == FRI
    assert legal_deadline(d("2024-01-29"), 60) == d("2024-04-02")


def test_deadline_landing_on_a_saturday_moves_to_monday():
    # 2025-01-14 + 60 = Saturday 15 March 2025 -> Monday 17 March.
    assert d("2025-03-15").weekday() == SAT
    assert legal_deadline(d("2025-01-14"), 60) == d("2025-03-17")


def test_deadline_landing_on_a_sunday_moves_to_monday():
    assert d("2025-03-16").weekday() == SUN
    assert legal_deadline(d("2025-01-15"), 60) == d("2025-03-17")


def test_deadline_landing_on_a_saturday_before_a_holiday_monday_moves_to_tuesday():
    # 2024-07-02 + 60 = Saturday 31 August 2024; Monday 2 September is Fête du Travail.
    assert d("2024-08-31").weekday() == SAT
    assert legal_deadline(d("2024-07-02"), 60) == d("2024-09-03")


def test_deadline_across_new_year_landing_on_1_january():
    # 2024-11-02 + 60 = Wednesday 1 January 2025 -> Thursday 2 January
    # (2 January is not among the a. 61 (23°) holidays).
    assert d("2025-01-01").weekday() == WED
    assert legal_deadline(d("2024-11-02"), 60) == d("2025-01-02")


def test_deadline_across_new_year_through_a_weekend_and_1_january():
    # 2023-10-31 + 60 = Saturday 30 December 2023 -> Sun 31, Mon 1 January 2024 -> Tue 2 January.
    assert d("2023-12-30").weekday() == SAT
    assert d("2024-01-01").weekday() == MON
    assert legal_deadline(d("2023-10-31"), 60) == d("2024-01-02")


def test_christmas_and_new_year_on_weekends_are_not_moved():
    # 25 December 2021 and 1 January 2022 are Saturdays: a. 61 (23°) moves
    # neither, so the next Monday is a working day.
    assert d("2021-12-25").weekday() == SAT
    assert d("2022-01-01").weekday() == SAT
    assert legal_deadline(d("2021-10-26"), 60) == d("2021-12-27")
    assert legal_deadline(d("2021-11-02"), 60) == d("2022-01-03")


def test_24_june_on_a_sunday_is_not_moved_to_25_june():
    # Loi sur la fête nationale, a. 2, is not in our sources (see the module
    # docstring): Sunday 24 June 2029 moves the deadline to Monday 25 June.
    assert d("2029-06-24").weekday() == SUN
    assert is_working_day(d("2029-06-25"))
    assert legal_deadline(d("2029-04-25"), 60) == d("2029-06-25")


def test_start_day_is_not_counted():
    assert legal_deadline(d("2025-03-17"), 1) == d("2025-03-18")
    assert legal_deadline(d("2025-03-17"), 0) == next_working_day(d("2025-03-17")) == d("2025-03-17")
    assert legal_deadline(d("2025-03-15"), 0) == next_working_day(d("2025-03-15")) == d("2025-03-17")
    assert legal_deadline(d("2024-06-24"), 0) == next_working_day(d("2024-06-24")) == d("2024-06-25")


def test_a_deadline_on_a_working_day_stays_put():
    # 2025-01-15 (Wed) + 30 = Friday 14 February 2025.
    assert d("2025-02-14").weekday() == FRI
    assert legal_deadline(d("2025-01-15"), 30) == d("2025-02-14")


def test_negative_days_are_refused_in_french():
    with pytest.raises(ValueError, match="positif ou nul"):
        legal_deadline(d("2025-01-15"), -1)


@pytest.mark.parametrize("days", [1.5, "60", True, None])
def test_days_must_be_an_integer(days):
    with pytest.raises(TypeError, match="nombre entier de jours"):
        legal_deadline(d("2025-01-15"), days)


def test_start_must_be_a_date_without_time():
    with pytest.raises(TypeError, match="sans heure"):
        legal_deadline(datetime(2025, 1, 15, 9, 30), 60)
    with pytest.raises(TypeError, match="sans heure"):
        legal_deadline("2025-01-15", 60)


# --- Proclaimed holidays (data/holidays.yaml) -------------------------------


@pytest.fixture
def holidays_yaml(tmp_path, monkeypatch):
    """Point the calendar at a temporary holidays file; returns a writer."""
    path = tmp_path / "holidays.yaml"
    monkeypatch.setattr(calendar, "holidays_file", lambda: path)
    calendar.reload_proclaimed_holidays()

    def write(text: str):
        path.write_text(text, encoding="utf-8")
        calendar.reload_proclaimed_holidays()
        return path

    yield write
    calendar.reload_proclaimed_holidays()


def test_shipped_file_is_valid_and_lists_no_proclamation():
    calendar.reload_proclaimed_holidays()
    assert calendar.holidays_file().name == "holidays.yaml"
    assert proclaimed_holidays() == {}


def test_a_proclaimed_day_is_not_a_working_day(holidays_yaml):
    # Tuesday 25 June 2024, as if proclaimed (test data, not a real proclamation).
    holidays_yaml(
        "schema: concerto.holidays/1\n"
        "proclaimed:\n"
        "  - date: 2024-06-25\n"
        "    name: Jour proclamé d’essai\n"
        "    source: Proclamation fictive pour les tests\n"
        "  - date: '2025-03-18'\n"
        "    name: Autre jour d’essai\n"
        "    source: Proclamation fictive pour les tests\n"
    )
    assert proclaimed_holidays() == {
        d("2024-06-25"): "Jour proclamé d’essai",
        d("2025-03-18"): "Autre jour d’essai",
    }
    assert holiday_name(d("2024-06-25")) == "Jour proclamé d’essai"
    assert not is_working_day(d("2024-06-25"))
    # 24 June (holiday) then 25 June (proclaimed) -> Wednesday 26 June 2024.
    assert legal_deadline(d("2024-04-25"), 60) == d("2024-06-26")
    assert legal_deadline(d("2025-01-14"), 60) == d("2025-03-17")  # Monday untouched
    assert legal_deadline(d("2025-01-17"), 60) == d("2025-03-19")


def test_proclaimed_holidays_are_cached_until_reloaded(holidays_yaml):
    path = holidays_yaml("schema: concerto.holidays/1\nproclaimed: []\n")
    assert proclaimed_holidays() == {}
    path.write_text(
        "schema: concerto.holidays/1\nproclaimed:\n"
        "  - {date: 2025-03-18, name: Jour d’essai, source: Essai}\n",
        encoding="utf-8",
    )
    assert proclaimed_holidays() == {}  # read once
    calendar.reload_proclaimed_holidays()
    assert proclaimed_holidays() == {d("2025-03-18"): "Jour d’essai"}


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "schema: concerto.holidays/1\nproclaimed:\n  - date: 2024-02-30\n    name: X\n    source: Y\n",
            "ligne 3, « 2024-02-30 » : date impossible",
        ),
        (
            "schema: concerto.holidays/1\nproclaimed:\n  - {date: '2024-02-30', name: X, source: Y}\n",
            "jour proclamé n° 1 (ligne 3), champ « date » : « 2024-02-30 » n’est pas une date AAAA-MM-JJ valide",
        ),
        (
            "schema: concerto.holidays/1\nproclaimed:\n  - {date: 2024-06-25 10:00:00, name: X, source: Y}\n",
            "jour proclamé n° 1 (ligne 3), champ « date » : « 2024-06-25 10:00:00 » n’est pas une date AAAA-MM-JJ",
        ),
        (
            "schema: concerto.holidays/1\nproclaimed:\n  - {date: 2024-06-25, name: X}\n",
            "jour proclamé n° 1 (ligne 3), champ « source » : valeur obligatoire manquante",
        ),
        (
            "schema: concerto.holidays/1\nproclaimed:\n  - date: 2024-06-25\n    source: Y\n",
            "jour proclamé n° 1 (ligne 3), champ « name » : valeur obligatoire manquante",
        ),
        (
            "schema: concerto.holidays/1\nproclaimed:\n"
            "  - {date: 2024-06-25, name: X, source: Y}\n"
            "  - {date: 2024-06-25, name: Z, source: Y}\n",
            "jour proclamé n° 2 (ligne 4), champ « date » : le 2024-06-25 est déjà listé",
        ),
        (
            "schema: concerto.holidays/1\nproclaimed:\n  - {date: 2024-06-25, name: X, source: Y, nom: Z}\n",
            "jour proclamé n° 1 (ligne 3): champ(s) inconnu(s) : nom",
        ),
        (
            "schema: concerto.holidays/1\nproclaimed:\n  - 2024-06-25\n",
            "jour proclamé n° 1: l’entrée doit être un dictionnaire",
        ),
        ("schema: concerto.holidays/1\n", "la liste « proclaimed » est absente"),
        ("schema: concerto.holidays/2\nproclaimed: []\n", "« schema » doit valoir « concerto.holidays/1 »"),
        ("schema: concerto.holidays/1\nproclaimed: [\n", "YAML invalide"),
    ],
)
def test_a_malformed_file_raises_a_french_error(holidays_yaml, text, message):
    holidays_yaml(text)
    with pytest.raises(DataError, match="holidays.yaml") as excinfo:
        is_working_day(d("2025-03-18"))
    assert message in str(excinfo.value)


def test_a_missing_file_raises_a_french_error(tmp_path, monkeypatch):
    monkeypatch.setattr(calendar, "holidays_file", lambda: tmp_path / "absent.yaml")
    calendar.reload_proclaimed_holidays()
    try:
        with pytest.raises(DataError, match="fichier introuvable"):
            proclaimed_holidays()
    finally:
        calendar.reload_proclaimed_holidays()
