"""Fuzzy deadlines as the source documents write them.

An action plan gives deadlines as "31 mars 2022", "Mars 2023", "Hiver 2023",
"2020-2021 (2 ans)", "2024" or "En continu". We keep the text as written and
derive the *latest* date it allows, so that lateness can be computed.

Seasons follow the astronomical calendar; the latest day of a season is the
last day it can still be, whatever the year's solstice or equinox date:
winter Y ends on 20 March Y (the winter that began in December Y-1), spring
on 21 June, summer on 22 September, autumn on 21 December. A fiscal year of
the Québec government runs from 1 April to 31 March.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date


class DeadlineError(ValueError):
    """The text is not a deadline form we know; the message is in French."""


MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}

# season -> (month, day) of its latest possible day, in the season's year
SEASON_ENDS = {
    "hiver": (3, 20),
    "printemps": (6, 21),
    "ete": (9, 22),
    "automne": (12, 21),
}

KIND_DATE = "date"
KIND_MONTH = "month"
KIND_SEASON = "season"
KIND_FISCAL_YEAR = "fiscal_year"
KIND_YEAR = "year"
KIND_CONTINUOUS = "continuous"

KINDS = (KIND_DATE, KIND_MONTH, KIND_SEASON, KIND_FISCAL_YEAR, KIND_YEAR, KIND_CONTINUOUS)


@dataclass(frozen=True)
class Deadline:
    text: str
    kind: str
    latest: date | None  # None for "En continu": it never expires

    def has_passed(self, on: date) -> bool:
        return self.latest is not None and self.latest < on


def _fold(text: str) -> str:
    """Lowercase, strip accents and collapse white space (incl. NBSP)."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", ascii_text).strip().lower()


_DATE = re.compile(r"^(\d{1,2})(?:er)? ([a-z]+) (\d{4})$")
_MONTH = re.compile(r"^([a-z]+) (\d{4})$")
_FISCAL = re.compile(r"^(\d{4}) ?[-–] ?(\d{4})(?: \(.*\))?$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_deadline(text: str) -> Deadline:
    """Parse a deadline as written in French; raise DeadlineError if unknown."""
    try:
        return _parse(text)
    except DeadlineError:
        raise
    except ValueError as exc:  # e.g. year 0000: no such date
        raise DeadlineError(f"Échéance « {str(text).strip()} » : date impossible.") from exc


def _parse(text: str) -> Deadline:
    if text is None or not str(text).strip():
        raise DeadlineError("L’échéance est vide.")
    original = str(text).strip()
    folded = _fold(original)

    if folded in {"en continu", "continu"}:
        return Deadline(original, KIND_CONTINUOUS, None)

    if match := _DATE.match(folded):
        day, month_name, year = match.groups()
        month = MONTHS.get(month_name)
        if month is None:
            raise DeadlineError(f"Échéance « {original} » : mois inconnu « {month_name} ».")
        try:
            return Deadline(original, KIND_DATE, date(int(year), month, int(day)))
        except ValueError as exc:
            raise DeadlineError(f"Échéance « {original} » : date impossible.") from exc

    if match := _MONTH.match(folded):
        name, year_text = match.groups()
        year = int(year_text)
        if name in MONTHS:
            month = MONTHS[name]
            last_day = calendar.monthrange(year, month)[1]
            return Deadline(original, KIND_MONTH, date(year, month, last_day))
        if name in SEASON_ENDS:
            month, day = SEASON_ENDS[name]
            return Deadline(original, KIND_SEASON, date(year, month, day))
        raise DeadlineError(f"Échéance « {original} » : « {name} » n’est ni un mois ni une saison.")

    if match := _FISCAL.match(folded):
        first, second = (int(g) for g in match.groups())
        if second != first + 1:
            raise DeadlineError(
                f"Échéance « {original} » : un exercice financier couvre deux années consécutives."
            )
        return Deadline(original, KIND_FISCAL_YEAR, date(second, 3, 31))

    if match := _YEAR.match(folded):
        return Deadline(original, KIND_YEAR, date(int(match.group(1)), 12, 31))

    raise DeadlineError(
        f"Échéance « {original} » non reconnue : formes acceptées « 31 mars 2022 », "
        "« Mars 2023 », « Hiver 2023 », « 2020-2021 », « 2024 » ou « En continu »."
    )


def fiscal_year_of(day: date) -> str:
    """The Québec fiscal year containing ``day``, e.g. "2022-2023"."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{start + 1}"
