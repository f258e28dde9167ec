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

from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from concerto.core.audit import IMPORT, recorded_as
from concerto.core.dataload import DataError, Fields, ImportResult, load_yaml
from concerto.organizations.models import Organization
from concerto.plans.models import Measure, Plan

from .models import Case, CaseState, Meeting, ProblemKind, Solution, WorkingGroupMember

SCHEMA = "concerto.cases/1"


def _validate(document: dict, path: Path) -> tuple[Plan, list[dict]]:
    where = str(path)
    if document.get("schema") != SCHEMA:
        raise DataError(f"{where}: le champ « schema » doit valoir « {SCHEMA} ».")
    doc = Fields(document, where)
    slug = doc.str("plan", required=True)
    plan = Plan.objects.select_related("owner").filter(slug=slug).first()
    if plan is None:
        raise doc.error("plan", f"plan « {slug} » introuvable.")
    organizations = {o.code: o for o in Organization.objects.all()}
    measures = {m.number: m for m in Measure.objects.filter(plan=plan)}

    def organization(code, field_where: str) -> Organization:
        if not isinstance(code, str) or code not in organizations:
            raise DataError(f"{field_where} : organisation inconnue « {code} ».")
        return organizations[code]

    def organization_list(c: Fields, name: str) -> list[Organization]:
        result = [organization(code, f"{c.where}, champ « {name} »") for code in c.list(name)]
        if len({o.pk for o in result}) != len(result):
            raise c.error(name, "organisation en double.")
        return result

    cases = []
    references = set()
    for entry in doc.list("cases", required=True):
        reference = Fields(entry, f"{where}, cas").str("reference", required=True)
        c = Fields(entry, f"{where}, cas {reference}")
        c_where = c.where
        if reference in references:
            raise DataError(f"{c_where} : référence en double.")
        references.add(reference)
        linked = []
        for number in c.list("measures"):
            if isinstance(number, bool) or not isinstance(number, int) or number not in measures:
                raise c.error("measures", f"la mesure « {number} » n’existe pas.")
            linked.append(measures[number])
        state = c.choice("state", CaseState, default=CaseState.OPENED)
        transfer = c.dict("transfer")
        values = {
            "title": c.str("title", required=True),
            "profession": c.str("profession"),
            "raised_by": organization(entry["raised_by"], f"{c_where}, champ « raised_by »")
            if entry.get("raised_by") is not None
            else None,
            "raised_by_text": c.str("raised_by_text"),
            "raised_on": c.date("raised_on"),
            "raised_on_text": c.str("raised_on_text"),
            "problem_kind": c.choice("problem", ProblemKind),
            "description": c.str("description"),
            "state": state,
            "transferred_to": None,
            "transferred_on": None,
            "transferred_on_text": "",
            "transfer_reason": "",
            "percent": c.percent("percent"),
            "component_label": c.str("component_label"),
            "source": c.str("source"),
        }
        if transfer is not None:
            t = Fields(transfer, f"{c_where}, transfert")
            values["transferred_to"] = organization(t.str("to", required=True), t.where)
            values["transferred_on"] = t.date("on")
            values["transferred_on_text"] = t.str("on_text")
            values["transfer_reason"] = t.str("reason")
        if (state == CaseState.TRANSFERRED) != (transfer is not None):
            raise DataError(
                f"{c_where} : « transfer » est requis pour l’état « transferred », et seulement lui."
            )
        if values["component_label"] and not linked:
            raise c.error("component_label", "aucune mesure liée.")
        members = []
        for m_index, m_entry in enumerate(c.list("working_group"), 1):
            m = Fields(m_entry, f"{c_where}, membre {m_index} du groupe de travail")
            org = organization(m_entry["org"], m.where) if m_entry.get("org") is not None else None
            role = m.str("role")
            if org is None and not role:
                raise DataError(f"{m.where} : indiquer « org » ou « role ».")
            members.append({"organization": org, "person_name": m.str("person"), "role": role})
        meetings = []
        for g_index, g_entry in enumerate(c.list("meetings"), 1):
            g = Fields(g_entry, f"{c_where}, rencontre {g_index}")
            meetings.append(
                {
                    "date": g.date("date", required=True),
                    "participants": g.str("participants"),
                    "minutes": g.str("minutes"),
                }
            )
        solutions = []
        for s_index, s_entry in enumerate(c.list("solutions"), 1):
            s = Fields(s_entry, f"{c_where}, solution {s_index}")
            solutions.append(
                {
                    "text": s.str("text", required=True),
                    "state": s.choice("state", Solution.State, default=Solution.State.PROPOSED),
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
                "orders": organization_list(c, "orders"),
                "organizations": organization_list(c, "organizations"),
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
    # Through simple_history, so that each new row has its history row (attributed
    # to the import by ``recorded_as``), as if it had been saved one by one.
    bulk_create_with_history(rows, model)
    result.created += len(rows)
    result.details.append(f"{label} remplacés")


@recorded_as(source=IMPORT)
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
