"""Synthetic submissions, because no real one exists yet.

``generate(order=…, applications=…, seed=…)`` draws applications in the
dictionary's format from the orders of magnitude in domain.md (2016-2017):
about one third full recognitions, 62 % partial, 3 % refusals; about 90
days from application to decision; prescriptions completed months later;
people still in the pathway at the reference date (censored), withdrawals
and closures. The same seed gives the same file.

Linking across orders: persons are drawn from a population shared by all
orders (2 % of applications) or from the order's own population, and each
person's pseudonym is derived from a fixed demonstration key and the
person's number, so some pseudonyms appear in two orders' files, as the
shared key of the real orders makes them do.

Marker: every row has ``donnees_synthetiques = oui``, a field of the
dictionary (a ``#`` comment line would not be valid CSV). Ingest keeps a
file that says so apart from real submissions (it refuses a file mixing the
two, and refuses synthetic files where real ones are expected); the
command also suggests a file name containing « synthetique ».
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import zlib
from pathlib import Path

import numpy as np

from concerto.core.spreadsheets import csv_writer

from . import dictionary as d

DEMO_KEY = b"concerto-donnees-synthetiques-cle-de-demonstration"  # public on purpose: nothing real
AS_OF = datetime.date(2025, 3, 31)
FIRST_APPLICATION = datetime.date(2021, 1, 1)
SHARED_POPULATION = 5_000
SHARED_SHARE = 0.02

DECISION_SHARES = {"full_recognition": 0.35, "partial_recognition": 0.62, "refusal": 0.03}
ROUTE_SHARES = {
    "diploma_equivalence": 0.45,
    "training_equivalence": 0.35,
    "mutual_recognition": 0.15,
    "authorization_outside_quebec": 0.05,
}
COUNTRY_SHARES = {
    "FR": 0.30,
    "CA": 0.15,
    "MA": 0.09,
    "DZ": 0.08,
    "TN": 0.06,
    "CM": 0.05,
    "BE": 0.04,
    "LB": 0.04,
    "CO": 0.04,
    "HT": 0.04,
    "IN": 0.04,
    "CN": 0.03,
    "BR": 0.03,
    "US": 0.03,
    "MX": 0.02,
    "RO": 0.02,
}
WITHDRAWAL_SHARE = 0.08


def pseudonym(person: str) -> str:
    return hmac.new(DEMO_KEY, person.encode("utf-8"), hashlib.sha256).hexdigest()


def _choice(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    keys = list(shares)
    weights = np.array([shares[k] for k in keys])
    return np.array(keys)[rng.choice(len(keys), size=size, p=weights / weights.sum())]


def _date(day: float | None, start: datetime.date = FIRST_APPLICATION) -> datetime.date | None:
    return None if day is None else start + datetime.timedelta(days=int(day))


def generate(
    *, order: str, applications: int, seed: int, as_of: datetime.date = AS_OF
) -> list[dict[str, str]]:
    """``applications`` synthetic rows for ``order``, as the CSV's text values."""
    # The order is mixed into the seed so that two orders drawn with one seed differ.
    rng = np.random.default_rng([seed, zlib.crc32(order.encode("utf-8"))])
    horizon = (as_of - FIRST_APPLICATION).days
    received = np.sort(rng.integers(0, horizon, size=applications))
    shared = rng.random(applications) < SHARED_SHARE
    persons = np.where(
        shared,
        rng.integers(0, SHARED_POPULATION, size=applications),
        rng.integers(0, 10 * max(applications, 1), size=applications),
    )
    routes = _choice(rng, ROUTE_SHARES, applications)
    countries = _choice(rng, COUNTRY_SHARES, applications)
    decisions = _choice(rng, DECISION_SHARES, applications)
    to_complete = rng.gamma(2.0, 15.0, applications)  # about 30 days to a complete file
    to_decision = rng.gamma(4.0, 15.0, applications)  # then about 60: about 90 days in all
    to_prescriptions = rng.gamma(3.0, 120.0, applications)  # about a year of compensation measures
    to_permit = rng.gamma(2.0, 15.0, applications)
    withdraws = rng.random(applications) < WITHDRAWAL_SHARE
    to_withdrawal = rng.uniform(10, 600, applications)
    french_later = rng.random(applications) < 0.25
    to_french = rng.gamma(2.0, 90.0, applications)
    prescriptions = rng.random((applications, 3)) < np.array([0.55, 0.45, 0.40])
    review = rng.random(applications)
    professions = rng.integers(1, 4, size=applications)

    rows = []
    for k in range(applications):
        start = float(received[k])
        person = f"commun-{persons[k]}" if shared[k] else f"{order}-{persons[k]}"
        row = dict.fromkeys(d.COLUMNS, "")
        row.update(
            pseudonyme=pseudonym(person),
            ordre=order,
            profession=f"profession-{professions[k]}",
            pays_formation=str(countries[k]),
            voie=str(routes[k]),
            date_reception=_date(start).isoformat(),
            donnees_synthetiques="oui",
        )

        def within(day: float) -> bool:
            return day <= horizon

        closed_on = start + to_withdrawal[k] if withdraws[k] else None
        complete = start + to_complete[k]
        if not within(complete) or (closed_on is not None and closed_on < complete):
            _close(row, closed_on, horizon)
            rows.append(row)
            continue
        row["date_dossier_complet"] = _date(complete).isoformat()
        decided = complete + to_decision[k]
        if not within(decided) or (closed_on is not None and closed_on < decided):
            _close(row, closed_on, horizon)
            rows.append(row)
            continue
        decision = str(decisions[k])
        row["date_decision"] = _date(decided).isoformat()
        row["decision"] = decision
        if decision == "refusal":
            if review[k] < 0.3:
                row["revision_demandee"] = "oui"
                row["resultat_revision"] = "maintained" if review[k] < 0.25 else ""
            rows.append(row)
            continue
        if decision == "partial_recognition":
            chosen = prescriptions[k] if prescriptions[k].any() else np.array([True, False, False])
            for column, flag in zip(
                ("prescription_formation", "prescription_stage", "prescription_examen"), chosen, strict=True
            ):
                row[column] = "oui" if flag else "non"
            ready = decided + to_prescriptions[k]
            if not within(ready) or (closed_on is not None and closed_on < ready):
                _close(row, closed_on, horizon)
                rows.append(row)
                continue
            row["date_prescriptions_completees"] = _date(ready).isoformat()
        else:
            ready = decided
        french = start + to_french[k] if french_later[k] else start
        if within(french):
            row["date_exigence_francais"] = _date(french).isoformat()
        permit = ready + to_permit[k]
        if not within(permit) or (closed_on is not None and closed_on < permit):
            _close(row, closed_on, horizon)
            rows.append(row)
            continue
        row["date_permis"] = _date(permit).isoformat()
        row["type_permis"] = "regular" if within(french) and french <= permit else "temporary_french"
        rows.append(row)
    return rows


def _close(row: dict, closed_on: float | None, horizon: int) -> None:
    """Withdrawal or closure, if it happened by the reference date; else still in the pathway."""
    if closed_on is not None and closed_on <= horizon:
        row["date_fermeture"] = _date(closed_on).isoformat()
        row["motif_fermeture"] = "withdrawn" if int(closed_on) % 3 else "closed"


def write_csv(path: str | Path, rows: list[dict[str, str]]) -> None:
    """UTF-8, comma, ISO dates, the dictionary's column order."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv_writer(handle, lineterminator="\n")
        writer.writerow(d.COLUMNS)
        writer.writerows([row.get(column, "") for column in d.COLUMNS] for row in rows)
