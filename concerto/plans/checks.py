"""Consistency checks a careful reader of an annual report would make.

Each finding has a stable code, a severity, a French message and, where it
concerns one measure, the measure's number.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import asdict, dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Plan, Status
from .state import PlanState, load_plan_state

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

# What each code means, for the people who read the findings (the code stays
# in the data: exports and tests rely on it).
LABELS = {
    "measure_missing": gettext_lazy("Mesure absente"),
    "theme_objective_missing": gettext_lazy("Objectif du thème absent"),
    "follow_up_missing": gettext_lazy("Suivi non renseigné"),
    "progress_missing": gettext_lazy("État d’avancement manquant"),
    "deadline_passed": gettext_lazy("Échéance dépassée"),
    "complete_but_under_way": gettext_lazy("Terminée selon le pourcentage, en cours selon le texte"),
}

# Phrases that say work is still under way (compared without accents).
UNDER_WAY = re.compile(r"\ben cours\b|\bse poursuiv|\bpas encore termin|\bil reste a\b")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    measure: int | None = None
    # French data quoted in the message (a theme's title), marked as French on English pages.
    french: str = ""

    def as_dict(self) -> dict:
        """The finding as data (``check_plan --json``): the display hint ``french`` is not part of it."""
        data = asdict(self)
        del data["french"]
        return data

    @property
    def label(self) -> str:
        """The finding's kind in words (« Échéance dépassée »), in the active language."""
        return str(LABELS.get(self.code, self.code))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def check_plan_state(state: PlanState) -> list[Finding]:
    """All findings on a loaded plan state (no further queries but one)."""
    plan, as_of = state.plan, state.as_of
    findings: list[Finding] = []
    measures = state.measures
    present = {m.measure.number for m in measures}

    for number in range(1, plan.declared_measure_count + 1):
        if number not in present:
            findings.append(
                Finding(
                    "measure_missing",
                    ERROR,
                    _(
                        "Le plan annonce %(declared)s mesures, mais %(present)s sont présentes : "
                        "la mesure %(number)s est absente."
                    )
                    % {"declared": plan.declared_measure_count, "present": len(present), "number": number},
                    number,
                )
            )
    for theme_state in state.themes:
        if not theme_state.theme.objective:
            findings.append(
                Finding(
                    "theme_objective_missing",
                    INFO,
                    _("Le thème %(number)s « %(title)s » n’a pas d’objectif dans la source.")
                    % {"number": theme_state.theme.number, "title": theme_state.theme.title},
                    french=theme_state.theme.title,
                )
            )
    unknown_follow_up = [m.measure.number for m in measures if not m.measure.follow_up]
    if unknown_follow_up:
        findings.append(
            Finding(
                "follow_up_missing",
                INFO,
                _("Le suivi (Office ou MIFI) n’est pas renseigné pour %(count)s mesure(s) : %(numbers)s.")
                % {"count": len(unknown_follow_up), "numbers": ", ".join(map(str, unknown_follow_up))},
            )
        )

    for m in measures:
        number = m.measure.number
        if m.report is None:
            if as_of is not None:
                findings.append(
                    Finding(
                        "progress_missing",
                        WARNING,
                        _("Mesure %(number)s : aucun état d’avancement au %(date)s.")
                        % {"number": number, "date": _date(as_of)},
                        number,
                    )
                )
            continue
        passed = [i.indicator.deadline_text for i in m.indicators if i.deadline_passed]
        if passed and m.status != Status.COMPLETED and (m.percent is None or m.percent < 100):
            findings.append(
                Finding(
                    "deadline_passed",
                    WARNING,
                    _(
                        "Mesure %(number)s : échéance(s) %(deadlines)s dépassée(s) au %(date)s, "
                        "alors que l’avancement est %(progress)s."
                    )
                    % {
                        "number": number,
                        "deadlines": ", ".join(f"« {d} »" for d in passed),
                        "date": _date(as_of),
                        "progress": f"de {m.percent}\u00a0%" if m.percent is not None else _("non chiffré"),
                    },
                    number,
                )
            )
        if m.report.percent == 100:
            texts = [m.report.narrative] + [i.note for i in m.indicators]
            match = next((UNDER_WAY.search(_fold(t)) for t in texts if UNDER_WAY.search(_fold(t))), None)
            if match:
                findings.append(
                    Finding(
                        "complete_but_under_way",
                        WARNING,
                        _(
                            "Mesure %(number)s : avancement à 100 %% alors que le texte indique "
                            "des travaux toujours en cours (« %(phrase)s »)."
                        )
                        % {"number": number, "phrase": match.group(0).strip()},
                        number,
                    )
                )
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.measure or 0, f.code))
    return findings


def check_plan(plan: Plan, as_of: datetime.date | None) -> list[Finding]:
    return check_plan_state(load_plan_state(plan, as_of, keep_empty_themes=True))
