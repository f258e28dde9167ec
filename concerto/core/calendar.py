"""Québec legal deadlines: working days and the day a deadline expires.

A due date is computed, never typed. The rules, as summarised in
``shared/reference/domain.md`` (« Computing deadlines in Québec »):

- Counting (common rule): the starting day is not counted, the last day is.
  A deadline of *n* days from a receipt on day D therefore expires on D + n.
- Loi d'interprétation (RLRQ c. I-16), a. 52: a deadline that expires on a
  holiday (jour férié) is extended to the next working day.
- Loi d'interprétation, a. 61 (23°), lists the holidays: Sundays, 1 January,
  Good Friday, Easter Monday, 24 June, 1 July (2 July when the 1st is a
  Sunday), the first Monday of September, the second Monday of October,
  25 December, the day fixed for the Sovereign's birthday (the Monday before
  25 May, Journée nationale des patriotes) and any day fixed by proclamation.
- The Office's own regulations, e.g. C-26, r. 189.1, a. 4, also extend a
  deadline that falls on a **Saturday**: Saturdays are not working days here.

Holidays that follow from a rule (Easter, « the first Monday of … ») are
computed for any year; days fixed by proclamation cannot be computed and are
data, listed in ``data/holidays.yaml`` (see :func:`proclaimed_holidays`).

Deliberately *not* implemented, because our sources do not state them:

- Loi sur la fête nationale (RLRQ c. F-1.1), a. 2, moves the Fête nationale
  to 25 June when 24 June is a Sunday. domain.md does not mention it, so
  24 June stays the holiday; a deadline landing on Sunday 24 June moves to
  Monday 25 June anyway, which is treated as a working day. Should the rule
  be confirmed for a given year, add 25 June to ``data/holidays.yaml``.
- C-26, r. 189.1, a. 4 refers to the holidays « of the Code de procédure
  civile », which domain.md does not list; only the a. 61 (23°) holidays
  above, plus Saturdays, are applied.

Pure functions, no database.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings

from concerto.core.dataload import DataError, Fields, at, impossible_date, load_yaml

SCHEMA = "concerto.holidays/1"

SATURDAY = 5
SUNDAY = 6
MONDAY = 0

JOUR_DE_L_AN = "Jour de l’An"
VENDREDI_SAINT = "Vendredi saint"
LUNDI_DE_PAQUES = "Lundi de Pâques"
PATRIOTES = "Journée nationale des patriotes"
FETE_NATIONALE = "Fête nationale du Québec"
FETE_DU_CANADA = "Fête du Canada"
FETE_DU_TRAVAIL = "Fête du Travail"
ACTION_DE_GRACES = "Action de grâces"
NOEL = "Noël"


# --- Computed holidays -----------------------------------------------------


def easter_sunday(year: int) -> date:
    """Easter Sunday of ``year`` in the Gregorian calendar.

    Good Friday and Easter Monday are holidays (Loi d'interprétation,
    a. 61 (23°)) and move with Easter. This is the anonymous Gregorian
    algorithm (Meeus/Jones/Butcher), exact for every Gregorian year.
    """
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_monday(year: int, month: int, n: int) -> date:
    """The ``n``-th Monday (1-based) of ``month``."""
    first = date(year, month, 1)
    return first + timedelta(days=(MONDAY - first.weekday()) % 7 + 7 * (n - 1))


def _monday_before(day: date) -> date:
    """The last Monday strictly before ``day`` (a week earlier if ``day`` is a Monday)."""
    return day - timedelta(days=(day.weekday() - MONDAY) % 7 or 7)


@functools.lru_cache(maxsize=256)
def _statutory(year: int) -> dict[date, str]:
    # Cached and shared: never hand this dict out, copy it.
    easter = easter_sunday(year)
    canada = date(year, 7, 1)
    if canada.weekday() == SUNDAY:  # a. 61 (23°): « le 2 juillet si le 1er tombe un dimanche »
        canada = date(year, 7, 2)
    holidays = [
        (date(year, 1, 1), JOUR_DE_L_AN),
        (easter - timedelta(days=2), VENDREDI_SAINT),
        (easter + timedelta(days=1), LUNDI_DE_PAQUES),
        (_monday_before(date(year, 5, 25)), PATRIOTES),
        (date(year, 6, 24), FETE_NATIONALE),
        (canada, FETE_DU_CANADA),
        (_nth_monday(year, 9, 1), FETE_DU_TRAVAIL),
        (_nth_monday(year, 10, 2), ACTION_DE_GRACES),
        (date(year, 12, 25), NOEL),
    ]
    return dict(sorted(holidays))


def statutory_holidays(year: int) -> dict[date, str]:
    """The holidays of ``year`` that Loi d'interprétation, a. 61 (23°), fixes
    by rule, with their French names, in date order.

    Sundays are holidays too under a. 61 (23°) but are not listed here (see
    :func:`is_working_day`), nor are days fixed by proclamation (see
    :func:`proclaimed_holidays`). The Monday before 25 May is the day the
    article fixes for the Sovereign's birthday; in Québec it is the Journée
    nationale des patriotes.
    """
    return dict(_statutory(year))


# --- Proclaimed holidays (data) ----------------------------------------------


def holidays_file() -> Path:
    """Where the days fixed by proclamation are listed (tests replace this)."""
    return Path(settings.BASE_DIR) / "data" / "holidays.yaml"


@functools.lru_cache(maxsize=1)
def _proclaimed() -> dict[date, str]:
    # Cached and shared: never hand this dict out, copy it.
    path = holidays_file()
    try:
        document = load_yaml(path)
    except ValueError as exc:
        if isinstance(exc, DataError):
            raise
        # PyYAML builds unquoted dates itself and fails on 2024-02-30 with a bare ValueError.
        raise DataError(f"{path}{impossible_date(path)} : date impossible ({exc}).") from exc
    if document.get("schema") != SCHEMA:
        raise DataError(f"{path}: le champ « schema » doit valoir « {SCHEMA} ».")
    entries = document.get("proclaimed")
    if not isinstance(entries, list):
        raise DataError(
            f"{path}: la liste « proclaimed » est absente (écrire « proclaimed: [] » s’il n’y en a aucun)."
        )
    holidays: dict[date, str] = {}
    for index, entry in enumerate(entries, start=1):
        where = at(entry, f"{path}, jour proclamé n° {index}")
        if not isinstance(entry, dict):
            raise DataError(f"{where}: l’entrée doit être un dictionnaire (date, name, source).")
        unknown = sorted(set(entry) - {"date", "name", "source"})
        if unknown:
            raise DataError(f"{where}: champ(s) inconnu(s) : {', '.join(map(str, unknown))}.")
        fields = Fields(entry, where)
        day = fields.date("date", required=True)
        name = fields.str("name", required=True)
        fields.str("source", required=True)
        if day in holidays:
            raise DataError(f"{where}, champ « date » : le {day.isoformat()} est déjà listé.")
        holidays[day] = name
    return dict(sorted(holidays.items()))


def proclaimed_holidays() -> dict[date, str]:
    """Days fixed by proclamation (Loi d'interprétation, a. 61 (23°), « tout
    jour fixé par proclamation »), with their names, in date order.

    They cannot be computed, so they are data: ``data/holidays.yaml``, read
    once and cached. A malformed file raises :class:`DataError` whose French
    message names the file and the entry (and its line). After editing the
    file in a running process, call :func:`reload_proclaimed_holidays`.
    """
    return dict(_proclaimed())


def reload_proclaimed_holidays() -> None:
    """Forget the cached ``data/holidays.yaml`` so the next call rereads it."""
    _proclaimed.cache_clear()


# --- Working days and deadlines --------------------------------------------


def holiday_name(day: date) -> str | None:
    """The name of the holiday ``day`` is, statutory or proclaimed, else None.

    Saturdays and Sundays are not named: they are non-working days as such
    (a. 61 (23°) for Sundays, C-26, r. 189.1, a. 4 for Saturdays).
    """
    return _statutory(day.year).get(day) or _proclaimed().get(day)


def is_working_day(day: date) -> bool:
    """Whether a deadline may expire on ``day``.

    Not a working day: Saturdays (C-26, r. 189.1, a. 4), Sundays and the
    holidays of Loi d'interprétation, a. 61 (23°), computed or proclaimed.
    """
    if day.weekday() in (SATURDAY, SUNDAY):
        return False
    return holiday_name(day) is None


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the first working day after
    it (Loi d'interprétation, a. 52: the deadline is extended to that day)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def legal_deadline(start: date, days: int) -> date:
    """The day a deadline of ``days`` days running from ``start`` expires.

    The starting day (e.g. the day of receipt) is not counted and the last
    day is, so the deadline falls on ``start + days``; when that day is not a
    working day it is extended to the next working day (Loi d'interprétation,
    a. 52; C-26, r. 189.1, a. 4 for Saturdays). Example: an answer due
    60 days after a receipt on 25 April 2024 lands on 24 June 2024, the Fête
    nationale, and is due on 25 June 2024.
    """
    if isinstance(start, datetime) or not isinstance(start, date):
        raise TypeError("La date de départ doit être une date (sans heure).")
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError("Le délai doit être un nombre entier de jours.")
    if days < 0:
        raise ValueError(f"Le délai doit être un nombre de jours positif ou nul (reçu : {days}).")
    return next_working_day(start + timedelta(days=days))
