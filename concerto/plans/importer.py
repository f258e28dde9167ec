"""Import of an action plan and its progress from a versioned data file.

The file format (``concerto.plan/1``) is documented in data/README.md.
The import validates the whole file before writing anything, runs in one
transaction, and writes only what differs from the database, so running it
twice changes nothing the second time.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from concerto.core.audit import IMPORT, recorded_as
from concerto.core.dataload import DataError, Fields, ImportResult, at, load_yaml
from concerto.core.deadlines import DeadlineError, parse_deadline
from concerto.organizations.models import Organization

from .models import (
    Collaborator,
    Indicator,
    Measure,
    MeasureLead,
    Plan,
    PublishedDate,
    Status,
    Theme,
    status_from_percent,
)
from .progress import ComponentInput, ProgressInput, ValueInput, record_progress
from .publication import publish_reporting_date

SCHEMA = "concerto.plan/1"


# --- validation ---------------------------------------------------------


def _validate(document: dict, path: Path, organizations: dict[str, Organization]) -> dict:
    where = str(path)
    if document.get("schema") != SCHEMA:
        raise DataError(f"{where}: le champ « schema » doit valoir « {SCHEMA} ».")

    def organization(code, field_where: str) -> Organization:
        if not isinstance(code, str) or code not in organizations:
            raise DataError(f"{field_where} : organisation inconnue « {code} ».")
        return organizations[code]

    doc = Fields(document, where)
    plan = {
        "slug": doc.slug("slug"),
        "title": doc.str("title", required=True),
        "start_year": doc.int("start_year", required=True),
        "end_year": doc.int("end_year", required=True),
        "declared_measure_count": doc.int("declared_measure_count", required=True),
        "general_objective": doc.str("general_objective"),
        "source": doc.str("source"),
        "owner": None,
    }
    if plan["end_year"] < plan["start_year"]:
        raise DataError(f"{where}, champ « end_year » : antérieur à « start_year ».")
    if document.get("owner") is not None:
        plan["owner"] = organization(document["owner"], f"{where}, champ « owner »")

    themes = []
    measures: dict[int, dict] = {}
    theme_numbers: set[int] = set()
    for theme_entry in doc.list("themes", required=True):
        number = Fields(theme_entry, f"{where}, thème").int("number", required=True)
        t = Fields(theme_entry, f"{where}, thème {number}")
        theme_where = t.where
        if number in theme_numbers:
            raise DataError(f"{theme_where} : numéro de thème en double.")
        theme_numbers.add(number)
        theme = {
            "number": number,
            "title": t.str("title", required=True),
            "objective": t.str("objective"),
            "measures": [],
        }
        for measure_entry in t.list("measures"):
            m_number = Fields(measure_entry, f"{theme_where}, mesure").int("number", required=True)
            m = Fields(measure_entry, f"{where}, mesure {m_number}")
            m_where = m.where
            if m_number in measures:
                raise DataError(f"{m_where} : numéro de mesure en double.")
            leads = []
            for code in m.list("lead", required=True):
                leads.append(organization(code, f"{m_where}, champ « lead »"))
            if len({o.pk for o in leads}) != len(leads):
                raise DataError(f"{m_where}, champ « lead » : organisation en double.")
            collaborators = []
            for c_index, c_entry in enumerate(m.list("collaborators"), 1):
                c_where = at(c_entry, f"{m_where}, collaborateur {c_index}")
                if not isinstance(c_entry, dict) or ("org" in c_entry) == ("text" in c_entry):
                    raise DataError(f"{c_where} : indiquer soit « org », soit « text ».")
                c = Fields(c_entry, c_where)
                collaborators.append(
                    {
                        "organization": organization(c_entry["org"], c_where) if "org" in c_entry else None,
                        "text": "" if "org" in c_entry else c.str("text", required=True),
                        "note": c.str("note"),
                    }
                )
            indicators = []
            for i_index, i_entry in enumerate(m.list("indicators"), 1):
                i = Fields(i_entry, f"{m_where}, indicateur {i_index}")
                deadline_text = i.str("deadline", required=True, numbers=True)
                try:
                    parse_deadline(deadline_text)
                except DeadlineError as exc:
                    raise i.error("deadline", str(exc)) from exc
                target = Fields(i.dict("target") or {}, f"{i.where}, cible")
                indicators.append(
                    {
                        "label": i.str("label", required=True),
                        "target_text": target.str("text"),
                        "target_value": target.decimal("value"),
                        "target_unit": target.str("unit"),
                        "deadline_text": deadline_text,
                    }
                )
            follow_up = m.str("follow_up")
            if follow_up:
                m.choice("follow_up", Measure.FollowUp)
            measures[m_number] = {
                "number": m_number,
                "theme": number,
                "title": m.str("title", required=True),
                "lead_note": m.str("lead_note"),
                "follow_up": follow_up,
                "leads": leads,
                "collaborators": collaborators,
                "indicators": indicators,
            }
        themes.append(theme)

    progress = []
    seen_dates = set()
    for p_entry in doc.list("progress"):
        p = Fields(p_entry, f"{where}, progression")
        p_where = p.where
        as_of = p.date("as_of", required=True)
        if as_of in seen_dates:
            raise DataError(f"{p_where} : date {as_of:%Y-%m-%d} en double.")
        seen_dates.add(as_of)
        reports = {}
        for r_entry in p.list("measures"):
            number = Fields(r_entry, f"{p_where}, mesure").int("number", required=True)
            r = Fields(r_entry, f"{where}, état au {as_of:%Y-%m-%d}, mesure {number}")
            r_where = r.where
            if number not in measures:
                raise DataError(f"{r_where} : la mesure {number} n’existe pas dans le plan.")
            if number in reports:
                raise DataError(f"{r_where} : mesure en double.")
            percent = r.percent("percent")
            status = r.str("status") or status_from_percent(percent)
            if status not in Status.values:
                raise r.error("status", f"état « {status} » inconnu.")
            components = []
            for k_index, k_entry in enumerate(r.list("components"), 1):
                k = Fields(k_entry, f"{r_where}, composante {k_index}")
                code = k_entry.get("organization")
                components.append(
                    {
                        "label": k.str("label", required=True),
                        "organization": organization(code, k.where) if code else None,
                        "percent": k.percent("percent"),
                        "narrative": k.str("narrative"),
                    }
                )
            values = {}
            count = len(measures[number]["indicators"])
            for v_entry in r.list("indicators"):
                position = Fields(v_entry, f"{r_where}, indicateur").int("indicator", required=True)
                v = Fields(v_entry, f"{r_where}, indicateur {position}")
                if not 1 <= position <= count:
                    raise DataError(
                        f"{v.where} : la mesure {number} a {count} indicateur(s), pas de n° {position}."
                    )
                if position in values:
                    raise DataError(f"{v.where} : indicateur en double.")
                values[position] = {
                    "actual": v.decimal("actual"),
                    "percent": v.percent("percent"),
                    "note": v.str("note"),
                }
            reports[number] = {
                "percent": percent,
                "status": status,
                "completed_in": r.str("completed_in"),
                "narrative": r.str("narrative"),
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
    The file's states are transcribed from published reports (its ``source``),
    so their dates are recorded as published (``concerto.plans.publication``).
    """
    document = load_yaml(path)
    organizations = {o.code: o for o in Organization.objects.all()}
    data = _validate(document, Path(path), organizations)

    plan_values = data["plan"]
    plan = Plan.objects.filter(slug=plan_values["slug"]).first()
    result = ImportResult(subject=plan)
    if plan is None:
        plan = Plan.objects.create(**plan_values)
        result.subject = plan
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
        if snapshot["reports"]:
            _record, created = publish_reporting_date(
                plan=plan, as_of=as_of, user=None, via=PublishedDate.Via.IMPORT
            )
            if created:
                result.details.append(f"état au {as_of:%Y-%m-%d} publié")
    return result
