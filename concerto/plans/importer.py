"""Import of an action plan and its progress from a versioned data file.

The file format (``concerto.plan/1``) is documented in data/README.md.
The import validates the whole file before writing anything, runs in one
transaction, and writes only what differs from the database, so running it
twice changes nothing the second time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from concerto.core.audit import IMPORT, recorded_as
from concerto.core.dataload import DataError, at, load_yaml, require
from concerto.core.deadlines import DeadlineError, parse_deadline
from concerto.organizations.models import Organization

from .models import (
    Collaborator,
    Indicator,
    Measure,
    MeasureLead,
    Plan,
    Status,
    Theme,
    status_from_percent,
)
from .progress import ComponentInput, ProgressInput, ValueInput, record_progress

SCHEMA = "concerto.plan/1"


@dataclass
class ImportResult:
    plan: Plan
    created: int = 0
    updated: int = 0
    deleted: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


# --- validation ---------------------------------------------------------


def _optional_str(entry, name: str, where: str) -> str:
    value = entry.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DataError(f"{at(entry, where)}, champ « {name} » : texte attendu.")
    return value.strip()


def _percent(entry, name: str, where: str) -> int | None:
    value = entry.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise DataError(
            f"{at(entry, where)}, champ « {name} » : pourcentage entier de 0 à 100 attendu, pas « {value} »."
        )
    return value


def _decimal(entry, name: str, where: str) -> Decimal | None:
    value = entry.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        raise DataError(f"{at(entry, where)}, champ « {name} » : nombre attendu.")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise DataError(f"{at(entry, where)}, champ « {name} » : nombre attendu, pas « {value} ».") from exc
    if not number.is_finite() or number < 0:
        raise DataError(f"{at(entry, where)}, champ « {name} » : nombre positif attendu.")
    return number.quantize(Decimal("0.01"))


def _slug(entry, name: str, where: str) -> str:
    value = require(entry, name, str, where)
    try:
        validate_slug(value)
    except ValidationError as exc:
        raise DataError(
            f"{at(entry, where)}, champ « {name} » : « {value} » n’est pas un identifiant valide "
            "(lettres non accentuées, chiffres, traits d’union)."
        ) from exc
    return value


def _list(entry, name: str, where: str) -> list:
    value = entry.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise DataError(f"{at(entry, where)}, champ « {name} » : liste attendue.")
    return value


def _validate(document: dict, path: Path, organizations: dict[str, Organization]) -> dict:
    where = str(path)
    if document.get("schema") != SCHEMA:
        raise DataError(f"{where}: le champ « schema » doit valoir « {SCHEMA} ».")

    def organization(code, field_where: str) -> Organization:
        if not isinstance(code, str) or code not in organizations:
            raise DataError(f"{field_where} : organisation inconnue « {code} ».")
        return organizations[code]

    plan = {
        "slug": _slug(document, "slug", where),
        "title": require(document, "title", str, where),
        "start_year": require(document, "start_year", int, where),
        "end_year": require(document, "end_year", int, where),
        "declared_measure_count": require(document, "declared_measure_count", int, where),
        "general_objective": _optional_str(document, "general_objective", where),
        "source": _optional_str(document, "source", where),
        "owner": None,
    }
    if plan["end_year"] < plan["start_year"]:
        raise DataError(f"{where}, champ « end_year » : antérieur à « start_year ».")
    if document.get("owner") is not None:
        plan["owner"] = organization(document["owner"], f"{where}, champ « owner »")

    themes = []
    measures: dict[int, dict] = {}
    theme_numbers: set[int] = set()
    for theme_entry in require(document, "themes", list, where):
        theme_where = f"{where}, thème"
        number = require(theme_entry, "number", int, theme_where)
        theme_where = at(theme_entry, f"{where}, thème {number}")
        if number in theme_numbers:
            raise DataError(f"{theme_where} : numéro de thème en double.")
        theme_numbers.add(number)
        theme = {
            "number": number,
            "title": require(theme_entry, "title", str, theme_where),
            "objective": _optional_str(theme_entry, "objective", theme_where),
            "measures": [],
        }
        for measure_entry in _list(theme_entry, "measures", theme_where):
            m_number = require(measure_entry, "number", int, f"{theme_where}, mesure")
            m_where = at(measure_entry, f"{where}, mesure {m_number}")
            if m_number in measures:
                raise DataError(f"{m_where} : numéro de mesure en double.")
            leads = []
            for code in require(measure_entry, "lead", list, m_where):
                leads.append(organization(code, f"{m_where}, champ « lead »"))
            if len({o.pk for o in leads}) != len(leads):
                raise DataError(f"{m_where}, champ « lead » : organisation en double.")
            collaborators = []
            for c_index, c_entry in enumerate(_list(measure_entry, "collaborators", m_where), 1):
                c_where = at(c_entry, f"{m_where}, collaborateur {c_index}")
                if not isinstance(c_entry, dict) or ("org" in c_entry) == ("text" in c_entry):
                    raise DataError(f"{c_where} : indiquer soit « org », soit « text ».")
                collaborators.append(
                    {
                        "organization": organization(c_entry["org"], c_where) if "org" in c_entry else None,
                        "text": "" if "org" in c_entry else require(c_entry, "text", str, c_where),
                        "note": _optional_str(c_entry, "note", c_where),
                    }
                )
            indicators = []
            for i_index, i_entry in enumerate(_list(measure_entry, "indicators", m_where), 1):
                i_where = at(i_entry, f"{m_where}, indicateur {i_index}")
                deadline_text = require(i_entry, "deadline", (str, int), i_where)
                try:
                    parse_deadline(str(deadline_text))
                except DeadlineError as exc:
                    raise DataError(f"{i_where}, champ « deadline » : {exc}") from exc
                target = i_entry.get("target")
                if target is not None and not isinstance(target, dict):
                    raise DataError(f"{i_where}, champ « target » : dictionnaire attendu.")
                target = target or {}
                indicators.append(
                    {
                        "label": require(i_entry, "label", str, i_where),
                        "target_text": _optional_str(target, "text", f"{i_where}, cible"),
                        "target_value": _decimal(target, "value", f"{i_where}, cible"),
                        "target_unit": _optional_str(target, "unit", f"{i_where}, cible"),
                        "deadline_text": str(deadline_text).strip(),
                    }
                )
            follow_up = _optional_str(measure_entry, "follow_up", m_where)
            if follow_up and follow_up not in Measure.FollowUp.values:
                raise DataError(f"{m_where}, champ « follow_up » : valeur « {follow_up} » inconnue.")
            measures[m_number] = {
                "number": m_number,
                "theme": number,
                "title": require(measure_entry, "title", str, m_where),
                "lead_note": _optional_str(measure_entry, "lead_note", m_where),
                "follow_up": follow_up,
                "leads": leads,
                "collaborators": collaborators,
                "indicators": indicators,
            }
        themes.append(theme)

    progress = []
    seen_dates = set()
    for p_entry in _list(document, "progress", where):
        p_where = at(p_entry, f"{where}, progression")
        as_of = p_entry.get("as_of") if isinstance(p_entry, dict) else None
        if not isinstance(as_of, datetime.date) or isinstance(as_of, datetime.datetime):
            raise DataError(f"{p_where}, champ « as_of » : date AAAA-MM-JJ attendue.")
        if as_of in seen_dates:
            raise DataError(f"{p_where} : date {as_of:%Y-%m-%d} en double.")
        seen_dates.add(as_of)
        reports = {}
        for r_entry in _list(p_entry, "measures", p_where):
            number = require(r_entry, "number", int, f"{p_where}, mesure")
            r_where = at(r_entry, f"{where}, état au {as_of:%Y-%m-%d}, mesure {number}")
            if number not in measures:
                raise DataError(f"{r_where} : la mesure {number} n’existe pas dans le plan.")
            if number in reports:
                raise DataError(f"{r_where} : mesure en double.")
            percent = _percent(r_entry, "percent", r_where)
            status = _optional_str(r_entry, "status", r_where) or status_from_percent(percent)
            if status not in Status.values:
                raise DataError(f"{r_where}, champ « status » : état « {status} » inconnu.")
            components = []
            for k_index, k_entry in enumerate(_list(r_entry, "components", r_where), 1):
                k_where = at(k_entry, f"{r_where}, composante {k_index}")
                code = k_entry.get("organization") if isinstance(k_entry, dict) else None
                components.append(
                    {
                        "label": require(k_entry, "label", str, k_where),
                        "organization": organization(code, k_where) if code else None,
                        "percent": _percent(k_entry, "percent", k_where),
                        "narrative": _optional_str(k_entry, "narrative", k_where),
                    }
                )
            values = {}
            count = len(measures[number]["indicators"])
            for v_entry in _list(r_entry, "indicators", r_where):
                position = require(v_entry, "indicator", int, f"{r_where}, indicateur")
                v_where = at(v_entry, f"{r_where}, indicateur {position}")
                if not 1 <= position <= count:
                    raise DataError(
                        f"{v_where} : la mesure {number} a {count} indicateur(s), pas de n° {position}."
                    )
                if position in values:
                    raise DataError(f"{v_where} : indicateur en double.")
                values[position] = {
                    "actual": _decimal(v_entry, "actual", v_where),
                    "percent": _percent(v_entry, "percent", v_where),
                    "note": _optional_str(v_entry, "note", v_where),
                }
            reports[number] = {
                "percent": percent,
                "status": status,
                "completed_in": _optional_str(r_entry, "completed_in", r_where),
                "narrative": _optional_str(r_entry, "narrative", r_where),
                "components": components,
                "values": values,
            }
        progress.append({"as_of": as_of, "reports": reports})

    return {"plan": plan, "themes": themes, "measures": measures, "progress": progress}


# --- writing ------------------------------------------------------------


def _sync(instance, values: dict, result: ImportResult, label: str) -> bool:
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save()
        result.updated += 1
        result.details.append(f"{label} : {', '.join(changed)}")
    return bool(changed)


def _sync_rows(queryset, wanted: list[dict], model, parent: dict, result, label, keys):
    """Replace an ordered list of child rows, only if it differs."""
    current = [{k: getattr(row, k) for k in keys} for row in queryset]
    wanted_cmp = [{k: row[k] for k in keys} for row in wanted]
    if current == wanted_cmp:
        return
    result.deleted += queryset.count()
    queryset.delete()
    bulk_create_with_history([model(position=i, **parent, **row) for i, row in enumerate(wanted)], model)
    result.created += len(wanted)
    result.details.append(f"{label} remplacés")


def _get_or_new(model, result, label, **lookup):
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        result.created += 1
        result.details.append(f"{label} créé")
        return model(**lookup), True
    return instance, False


@recorded_as(source=IMPORT)
@transaction.atomic
def import_plan(*, path: Path) -> ImportResult:
    """Create or update a plan, its themes, measures, indicators and progress.

    All-or-nothing and idempotent. Progress at reporting dates the file does
    not mention is left untouched: the file adds states, never erases them.
    """
    document = load_yaml(path)
    organizations = {o.code: o for o in Organization.objects.all()}
    data = _validate(document, Path(path), organizations)

    plan_values = data["plan"]
    plan = Plan.objects.filter(slug=plan_values["slug"]).first()
    result = ImportResult(plan=plan)
    if plan is None:
        plan = Plan.objects.create(**plan_values)
        result.plan = plan
        result.created += 1
    else:
        _sync(plan, plan_values, result, "plan")

    themes = {}
    for theme_values in data["themes"]:
        values = {k: theme_values[k] for k in ("title", "objective")}
        theme, new = _get_or_new(
            Theme, result, f"thème {theme_values['number']}", plan=plan, number=theme_values["number"]
        )
        if new:
            for k, v in values.items():
                setattr(theme, k, v)
            theme.save()
        else:
            _sync(theme, values, result, f"thème {theme.number}")
        themes[theme.number] = theme

    measures = {}
    indicators: dict[int, list[Indicator]] = {}
    for number, m in data["measures"].items():
        values = {
            "theme": themes[m["theme"]],
            "title": m["title"],
            "lead_note": m["lead_note"],
            "follow_up": m["follow_up"],
        }
        measure, new = _get_or_new(Measure, result, f"mesure {number}", plan=plan, number=number)
        if new:
            for k, v in values.items():
                setattr(measure, k, v)
            measure.save()
        else:
            _sync(measure, values, result, f"mesure {number}")
        measures[number] = measure
        _sync_rows(
            measure.lead_links.order_by("position"),
            [{"organization": o} for o in m["leads"]],
            MeasureLead,
            {"measure": measure},
            result,
            f"mesure {number}, M/O en charge",
            ["organization"],
        )
        _sync_rows(
            measure.collaborators.order_by("position"),
            m["collaborators"],
            Collaborator,
            {"measure": measure},
            result,
            f"mesure {number}, collaborateurs",
            ["organization", "text", "note"],
        )
        current = list(measure.indicators.order_by("position"))
        kept = []
        for position, i_values in enumerate(m["indicators"]):
            if position < len(current):
                indicator = current[position]
                _sync(indicator, i_values, result, f"mesure {number}, indicateur {position + 1}")
            else:
                indicator = Indicator.objects.create(measure=measure, position=position, **i_values)
                result.created += 1
            kept.append(indicator)
        for extra in current[len(kept) :]:
            if extra.values.exists():
                # Its actual values are history: an import never erases them.
                raise DataError(
                    f"{path}: la mesure {number} perd son indicateur n° {extra.position + 1}, "
                    "qui a des valeurs atteintes ; une importation ne supprime pas d’historique."
                )
            extra.delete()
            result.deleted += 1
        indicators[number] = kept

    stale = sorted(plan.measures.exclude(number__in=measures.keys()).values_list("number", flat=True))
    if stale:
        # Measures carry history: an import never deletes them silently.
        raise DataError(
            f"{path}: les mesures {', '.join(map(str, stale))} existent dans Concerto mais pas "
            "dans le fichier ; une importation ne supprime pas de mesure."
        )
    stale_themes = plan.themes.exclude(number__in=themes.keys())
    if stale_themes.exists():
        raise DataError(f"{path}: un thème existant n’est plus dans le fichier ; rien n’a été importé.")

    for snapshot in data["progress"]:
        as_of = snapshot["as_of"]
        for number, r in snapshot["reports"].items():
            progress = ProgressInput(
                percent=r["percent"],
                status=r["status"],
                completed_in=r["completed_in"],
                narrative=r["narrative"],
                components=[ComponentInput(**c) for c in r["components"]],
                values=[
                    ValueInput(indicator=indicators[number][position - 1], **v)
                    for position, v in sorted(r["values"].items())
                ],
            )
            report, changed = record_progress(measure=measures[number], as_of=as_of, data=progress)
            if changed:
                label = f"état au {as_of:%Y-%m-%d}, mesure {number}"
                if report.version == 1:
                    result.created += 1
                    result.details.append(f"{label} créé")
                else:
                    result.updated += 1
                    result.details.append(f"{label} : nouvelle version {report.version}")
    return result
