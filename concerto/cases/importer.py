"""Import of the intervention cell's cases from a versioned data file.

Format ``concerto.cases/1``::

    schema: concerto.cases/1
    plan: pole-2019-2024          # slug of the plan whose measures are linked
    cases:
      - reference: CAS-2021-001
        title: …
        orders: [code, …]         # organization codes
        profession: …
        owner: code                 # optional: the body that owns the case (default: the plan's owner)
        raised_by: code | null
        raised_by_text: …
        raised_on: AAAA-MM-JJ | null
        raised_on_text: …
        problem: bridging_training | internship | french_training | other
        description: …
        organizations: [code, …]
        state: opened | analysis | solutions_proposed | in_implementation | resolved | transferred
        transfer: {to: code, on: date | null, on_text: …, reason: …}   # when transferred
        percent: 0..100 | null
        measures: [1, 7]          # measure numbers in the plan
        component_label: OPTMQ
        source: …
        working_group: [{org: code | null, person: …, role: …}]
        meetings: [{date: AAAA-MM-JJ, participants: …, minutes: …}]
        solutions: [{text: …, state: proposed | retained | rejected}]

The whole file is validated before anything is written, in one transaction;
only what differs is written, so a second run changes nothing. The public
summary and its publication belong to the coordinators and are never touched.
Cases absent from the file are left alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from concerto.core.dataload import DataError, at, load_yaml, require
from concerto.organizations.models import Organization
from concerto.plans.models import Measure, Plan

from .models import Case, CaseState, Meeting, ProblemKind, Solution, WorkingGroupMember

SCHEMA = "concerto.cases/1"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _text(entry, name: str, where: str) -> str:
    value = entry.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DataError(f"{at(entry, where)}, champ « {name} » : texte attendu.")
    return value.strip()


def _date(entry, name: str, where: str, *, required: bool = False) -> datetime.date | None:
    value = entry.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise DataError(f"{at(entry, where)}, champ « {name} » : date AAAA-MM-JJ attendue.")
    return value


def _list(entry, name: str, where: str) -> list:
    value = entry.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise DataError(f"{at(entry, where)}, champ « {name} » : liste attendue.")
    return value


def _choice(entry, name: str, where: str, choices, default=None) -> str:
    value = entry.get(name, default)
    if value not in choices.values:
        known = ", ".join(choices.values)
        raise DataError(f"{at(entry, where)}, champ « {name} » : valeur « {value} » inconnue ({known}).")
    return value


def _validate(document: dict, path: Path) -> tuple[Plan, list[dict]]:
    where = str(path)
    if document.get("schema") != SCHEMA:
        raise DataError(f"{where}: le champ « schema » doit valoir « {SCHEMA} ».")
    slug = require(document, "plan", str, where)
    plan = Plan.objects.select_related("owner").filter(slug=slug).first()
    if plan is None:
        raise DataError(f"{at(document, where)}, champ « plan » : plan « {slug} » introuvable.")
    organizations = {o.code: o for o in Organization.objects.all()}
    measures = {m.number: m for m in Measure.objects.filter(plan=plan)}

    def organization(code, field_where: str) -> Organization:
        if not isinstance(code, str) or code not in organizations:
            raise DataError(f"{field_where} : organisation inconnue « {code} ».")
        return organizations[code]

    def organization_list(entry, name: str, c_where: str) -> list[Organization]:
        result = [organization(code, f"{c_where}, champ « {name} »") for code in _list(entry, name, c_where)]
        if len({o.pk for o in result}) != len(result):
            raise DataError(f"{c_where}, champ « {name} » : organisation en double.")
        return result

    cases = []
    references = set()
    for entry in require(document, "cases", list, where):
        reference = require(entry, "reference", str, f"{where}, cas").strip()
        c_where = at(entry, f"{where}, cas {reference}")
        if reference in references:
            raise DataError(f"{c_where} : référence en double.")
        references.add(reference)
        percent = entry.get("percent")
        if percent is not None and (
            isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100
        ):
            raise DataError(
                f"{c_where}, champ « percent » : pourcentage entier de 0 à 100 attendu, pas « {percent} »."
            )
        linked = []
        for number in _list(entry, "measures", c_where):
            if isinstance(number, bool) or not isinstance(number, int) or number not in measures:
                raise DataError(f"{c_where}, champ « measures » : la mesure « {number} » n’existe pas.")
            linked.append(measures[number])
        state = _choice(entry, "state", c_where, CaseState, CaseState.OPENED)
        transfer = entry.get("transfer")
        values = {
            "title": require(entry, "title", str, c_where).strip(),
            "profession": _text(entry, "profession", c_where),
            "raised_by": organization(entry["raised_by"], f"{c_where}, champ « raised_by »")
            if entry.get("raised_by") is not None
            else None,
            "raised_by_text": _text(entry, "raised_by_text", c_where),
            "raised_on": _date(entry, "raised_on", c_where),
            "raised_on_text": _text(entry, "raised_on_text", c_where),
            "problem_kind": _choice(entry, "problem", c_where, ProblemKind),
            "description": _text(entry, "description", c_where),
            "state": state,
            "transferred_to": None,
            "transferred_on": None,
            "transferred_on_text": "",
            "transfer_reason": "",
            "percent": percent,
            "component_label": _text(entry, "component_label", c_where),
            "source": _text(entry, "source", c_where),
        }
        if transfer is not None:
            if not isinstance(transfer, dict):
                raise DataError(f"{c_where}, champ « transfer » : dictionnaire attendu.")
            t_where = at(transfer, f"{c_where}, transfert")
            values["transferred_to"] = organization(require(transfer, "to", str, t_where), t_where)
            values["transferred_on"] = _date(transfer, "on", t_where)
            values["transferred_on_text"] = _text(transfer, "on_text", t_where)
            values["transfer_reason"] = _text(transfer, "reason", t_where)
        if (state == CaseState.TRANSFERRED) != (transfer is not None):
            raise DataError(
                f"{c_where} : « transfer » est requis pour l’état « transferred », et seulement lui."
            )
        if values["component_label"] and not linked:
            raise DataError(f"{c_where}, champ « component_label » : aucune mesure liée.")
        members = []
        for m_index, m_entry in enumerate(_list(entry, "working_group", c_where), 1):
            m_where = at(m_entry, f"{c_where}, membre {m_index} du groupe de travail")
            if not isinstance(m_entry, dict):
                raise DataError(f"{m_where} : dictionnaire attendu.")
            org = organization(m_entry["org"], m_where) if m_entry.get("org") is not None else None
            role = _text(m_entry, "role", m_where)
            if org is None and not role:
                raise DataError(f"{m_where} : indiquer « org » ou « role ».")
            members.append(
                {"organization": org, "person_name": _text(m_entry, "person", m_where), "role": role}
            )
        meetings = []
        for g_index, g_entry in enumerate(_list(entry, "meetings", c_where), 1):
            g_where = at(g_entry, f"{c_where}, rencontre {g_index}")
            if not isinstance(g_entry, dict):
                raise DataError(f"{g_where} : dictionnaire attendu.")
            meetings.append(
                {
                    "date": _date(g_entry, "date", g_where, required=True),
                    "participants": _text(g_entry, "participants", g_where),
                    "minutes": _text(g_entry, "minutes", g_where),
                }
            )
        solutions = []
        for s_index, s_entry in enumerate(_list(entry, "solutions", c_where), 1):
            s_where = at(s_entry, f"{c_where}, solution {s_index}")
            solutions.append(
                {
                    "text": require(s_entry, "text", str, s_where).strip(),
                    "state": _choice(s_entry, "state", s_where, Solution.State, Solution.State.PROPOSED),
                }
            )
        # The body whose coordination manages the case: named, or the owner of the linked measures' plan.
        if entry.get("owner") is not None:
            values["owner"] = organization(entry["owner"], f"{c_where}, champ « owner »")
        elif plan.owner is not None:
            values["owner"] = plan.owner
        else:
            raise DataError(
                f"{c_where}, champ « owner » : obligatoire, le plan « {plan.slug} » n’a pas d’organisation responsable."
            )
        cases.append(
            {
                "reference": reference,
                "values": values,
                "orders": organization_list(entry, "orders", c_where),
                "organizations": organization_list(entry, "organizations", c_where),
                "measures": linked,
                "members": members,
                "meetings": meetings,
                "solutions": solutions,
            }
        )
    return plan, cases


def _sync_m2m(manager, wanted: list, result: ImportResult, label: str) -> None:
    current = set(manager.values_list("pk", flat=True))
    if current != {o.pk for o in wanted}:
        manager.set(wanted)
        result.updated += 1
        result.details.append(f"{label} remplacés")


def _sync_rows(queryset, model, case: Case, wanted: list[dict], keys: tuple, result, label, positioned):
    current = [{k: getattr(row, k) for k in keys} for row in queryset]
    if current == wanted:
        return
    result.deleted += len(current)
    queryset.delete()
    rows = [
        model(case=case, **({"position": i} if positioned else {}), **row) for i, row in enumerate(wanted)
    ]
    model.objects.bulk_create(rows)
    result.created += len(rows)
    result.details.append(f"{label} remplacés")


@transaction.atomic
def import_cases(*, path: Path) -> ImportResult:
    """Create or update the cases of a ``concerto.cases/1`` file. All-or-nothing, idempotent."""
    document = load_yaml(path)
    _plan, cases = _validate(document, Path(path))
    result = ImportResult()
    for data in cases:
        reference = data["reference"]
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            case = Case.objects.create(reference=reference, **data["values"])
            result.created += 1
            result.details.append(f"{reference} créé")
        else:
            changed = [k for k, v in data["values"].items() if getattr(case, k) != v]
            if changed:
                for k in changed:
                    setattr(case, k, data["values"][k])
                case.save()
                result.updated += 1
                result.details.append(f"{reference} : {', '.join(changed)}")
        _sync_m2m(case.orders, data["orders"], result, f"{reference} : ordres")
        _sync_m2m(case.organizations, data["organizations"], result, f"{reference} : organisations")
        _sync_m2m(case.measures, data["measures"], result, f"{reference} : mesures")
        _sync_rows(
            case.working_group.order_by("position", "pk"),
            WorkingGroupMember,
            case,
            data["members"],
            ("organization", "person_name", "role"),
            result,
            f"{reference} : membres du groupe de travail",
            True,
        )
        _sync_rows(
            case.meetings.order_by("date", "pk"),
            Meeting,
            case,
            data["meetings"],
            ("date", "participants", "minutes"),
            result,
            f"{reference} : rencontres",
            False,
        )
        _sync_rows(
            case.solutions.order_by("position", "pk"),
            Solution,
            case,
            data["solutions"],
            ("text", "state"),
            result,
            f"{reference} : solutions",
            True,
        )
    return result
