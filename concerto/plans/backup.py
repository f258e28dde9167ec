"""Backup of a plan: its themes, measures (leads, collaborators, indicators),
every version of every progress report and its published reporting dates
(see ``concerto.core.backup``).

A measure is named by its number, a progress report by its date and version,
an indicator by its rank in its measure (``INDICATOR_ORDER``). The plan must
not exist in the database it is restored into.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import Prefetch

from concerto.core import backup
from concerto.core.backup import DataError, require, save_valid

from .models import (
    Collaborator,
    ComponentProgress,
    Indicator,
    IndicatorProgress,
    Measure,
    MeasureLead,
    Plan,
    ProgressReport,
    PublishedDate,
    Theme,
)

INDICATOR_ORDER = ("position", "pk")
"""The order that gives an indicator its rank in its measure, its name in a backup."""


# --- names other sections use ------------------------------------------------


def measure_ref(measure: Measure) -> dict:
    return {"plan": measure.plan.slug, "number": measure.number}


def measure_refs(measures) -> list[dict]:
    return sorted((measure_ref(m) for m in measures), key=lambda ref: (ref["plan"], ref["number"]))


def restored_measures(ctx: backup.RestoreContext, entry, where: str) -> list[Measure]:
    """The measures an entry's ``measures`` names: restored ones, or of a plan already in the base."""
    found = []
    for ref in require(entry, "measures", list, where):
        plan = require(ref, "plan", str, f"{where}, mesure liée")
        number = require(ref, "number", int, f"{where}, mesure liée")
        if plan == ctx.plan.slug:
            if not ctx.has("measure", number):
                raise DataError(f"{where} : la mesure liée {number} n’est pas dans la sauvegarde.")
            found.append(ctx.get("measure", number))
            continue
        measure = Measure.objects.filter(plan__slug=plan, number=number).first()
        if measure is None:
            ctx.notes.append(
                f"{where} : lien vers la mesure {number} du plan « {plan} » non rétabli "
                "(ce plan n’est pas dans la base ; il le sera en restaurant ce plan)."
            )
        else:
            found.append(measure)
    return found


def restored_indicator(ctx: backup.RestoreContext, measure_number: int, index, where: str) -> Indicator:
    indicators = ctx.get("indicators", measure_number) or []
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(indicators):
        raise DataError(
            f"{where}, champ « indicator » : la mesure {measure_number} a {len(indicators)} indicateur(s), "
            f"pas de rang « {index} »."
        )
    return indicators[index]


# --- export -------------------------------------------------------------------


def _measures(plan: Plan):
    reports = (
        ProgressReport.objects.select_related("validated_by", "replaces__measure")
        .prefetch_related(
            Prefetch(
                "components",
                queryset=ComponentProgress.objects.select_related("organization").order_by("position", "pk"),
            ),
            Prefetch(
                "indicator_values",
                queryset=IndicatorProgress.objects.order_by("indicator__position", "indicator_id", "pk"),
            ),
        )
        .order_by("as_of", "version", "pk")
    )
    return (
        plan.measures.select_related("theme")
        .prefetch_related(
            Prefetch(
                "lead_links",
                queryset=MeasureLead.objects.select_related("organization").order_by("position", "pk"),
            ),
            Prefetch(
                "collaborators",
                queryset=Collaborator.objects.select_related("organization").order_by("position", "pk"),
            ),
            Prefetch("indicators", queryset=Indicator.objects.order_by(*INDICATOR_ORDER)),
            Prefetch("progress_reports", queryset=reports),
        )
        .order_by("number")
    )


def _progress_entry(ctx, measure: Measure, report: ProgressReport, index: dict[int, int]) -> dict:
    values = []
    for value in report.indicator_values.all():
        if value.indicator_id not in index:
            raise DataError(
                f"Mesure {measure.number}, état au {report.as_of:%Y-%m-%d} (version {report.version}) : "
                "une valeur renvoie à l’indicateur d’une autre mesure ; exportation impossible."
            )
        values.append(
            {
                "indicator": index[value.indicator_id],
                "actual": backup.dec(value.actual),
                "percent": value.percent,
                "note": value.note,
            }
        )
    replaces = report.replaces
    return {
        "as_of": backup.d(report.as_of),
        "version": report.version,
        "is_current": report.is_current,
        "replaces": None
        if replaces is None
        else {
            "measure": replaces.measure.number,
            "as_of": backup.d(replaces.as_of),
            "version": replaces.version,
        },
        "validated_at": backup.dt(report.validated_at),
        "validated_by": ctx.user(report.validated_by),
        "percent": report.percent,
        "status": report.status,
        "completed_in": report.completed_in,
        "narrative": report.narrative,
        "components": [
            {
                "position": c.position,
                "label": c.label,
                "organization": ctx.org(c.organization),
                "percent": c.percent,
                "narrative": c.narrative,
            }
            for c in report.components.all()
        ],
        "indicator_values": values,
    }


def _measure_entry(ctx, measure: Measure) -> dict:
    indicators = list(measure.indicators.all())
    index = {indicator.pk: i for i, indicator in enumerate(indicators)}
    return {
        "number": measure.number,
        "theme": measure.theme.number,
        "title": measure.title,
        "lead_note": measure.lead_note,
        "follow_up": measure.follow_up,
        "archived_at": backup.dt(measure.archived_at),
        "leads": [
            {"organization": ctx.org(link.organization), "position": link.position}
            for link in measure.lead_links.all()
        ],
        "collaborators": [
            {"organization": ctx.org(c.organization), "text": c.text, "note": c.note, "position": c.position}
            for c in measure.collaborators.all()
        ],
        "indicators": [
            {
                "position": i.position,
                "label": i.label,
                "target_text": i.target_text,
                "target_value": backup.dec(i.target_value),
                "target_unit": i.target_unit,
                "deadline_text": i.deadline_text,
            }
            for i in indicators
        ],
        "progress": [_progress_entry(ctx, measure, r, index) for r in measure.progress_reports.all()],
    }


def export(ctx: backup.ExportContext) -> dict:
    plan = ctx.plan = Plan.objects.select_related("owner").get(pk=ctx.plan.pk)
    measures = [_measure_entry(ctx, m) for m in _measures(plan)]
    return {
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "declared_measure_count": plan.declared_measure_count,
            "owner": ctx.org(plan.owner),
            "general_objective": plan.general_objective,
            "source": plan.source,
            "archived_at": backup.dt(plan.archived_at),
            "published_dates": [
                {
                    "as_of": backup.d(record.as_of),
                    "published_at": backup.dt(record.published_at),
                    "published_by": ctx.user(record.published_by),
                    "via": record.via,
                }
                for record in plan.published_dates.select_related("published_by").order_by("as_of")
            ],
        },
        "themes": [
            {"number": t.number, "title": t.title, "objective": t.objective}
            for t in plan.themes.order_by("number")
        ],
        "measures": measures,
    }


# --- restoration --------------------------------------------------------------


def check(ctx: backup.RestoreContext, data: dict) -> None:
    slug = require(require(data, "plan", dict, "document"), "slug", str, "plan", blank=False)
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise DataError(f"plan, champ « slug » : « {slug} » n’est pas un identifiant valide.") from exc
    if Plan.objects.filter(slug=slug).exists():
        raise DataError(
            f"Le plan « {slug} » existe déjà dans la base : une restauration ne remplace pas un plan "
            "existant. Rien n’a été écrit ; restaurez la sauvegarde dans une base qui ne contient pas ce plan."
        )


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    entry = require(data, "plan", dict, "document")
    where = ctx.where = "plan"
    plan = ctx.plan = save_valid(
        Plan(
            slug=require(entry, "slug", str, where),
            title=require(entry, "title", str, where, blank=False),
            start_year=require(entry, "start_year", int, where),
            end_year=require(entry, "end_year", int, where),
            declared_measure_count=require(entry, "declared_measure_count", int, where),
            owner=ctx.org(entry, "owner", where),
            general_objective=require(entry, "general_objective", str, where),
            source=require(entry, "source", str, where),
            archived_at=require(entry, "archived_at", datetime.datetime, where, null=True),
        ),
        where,
    )
    themes = {}
    for t in require(data, "themes", list, "document"):
        number = require(t, "number", int, "thème")
        where = ctx.where = f"thème {number}"
        if number in themes:
            raise DataError(f"{where} : numéro de thème en double.")
        themes[number] = save_valid(
            Theme(
                plan=plan,
                number=number,
                title=require(t, "title", str, where),
                objective=require(t, "objective", str, where),
            ),
            where,
        )
    measures = require(data, "measures", list, "document")
    for m in measures:
        _restore_measure(ctx, plan, themes, m)
    reports: dict[tuple, ProgressReport] = {}
    deferred = []
    for m in measures:
        deferred += _restore_progress(ctx, m, reports)
    for report, key, where in deferred:
        if key not in reports:
            raise DataError(f"{where}, champ « replaces » : l’état remplacé n’est pas dans la sauvegarde.")
        report.replaces = reports[key]
        save_valid(report, where, update_fields=["replaces"])
    _restore_published_dates(ctx, plan, entry, {as_of for _number, as_of, _version in reports})


def _restore_measure(ctx, plan, themes, entry) -> None:
    number = require(entry, "number", int, "mesure")
    where = ctx.where = f"mesure {number}"
    if ctx.has("measure", number):
        raise DataError(f"{where} : numéro de mesure en double.")
    theme_number = require(entry, "theme", int, where)
    if theme_number not in themes:
        raise DataError(f"{where}, champ « theme » : le thème {theme_number} n’est pas dans la sauvegarde.")
    measure = save_valid(
        Measure(
            plan=plan,
            theme=themes[theme_number],
            number=number,
            title=require(entry, "title", str, where, blank=False),
            lead_note=require(entry, "lead_note", str, where),
            follow_up=require(entry, "follow_up", str, where),
            archived_at=require(entry, "archived_at", datetime.datetime, where, null=True),
        ),
        where,
    )
    ctx.remember("measure", number, measure)
    for link in require(entry, "leads", list, where):
        ctx.where = f"{where}, M/O en charge"
        save_valid(
            MeasureLead(
                measure=measure,
                organization=ctx.org(link, "organization", ctx.where, null=False),
                position=require(link, "position", int, ctx.where),
            ),
            ctx.where,
        )
    for c in require(entry, "collaborators", list, where):
        ctx.where = f"{where}, collaborateur"
        save_valid(
            Collaborator(
                measure=measure,
                organization=ctx.org(c, "organization", ctx.where),
                text=require(c, "text", str, ctx.where),
                note=require(c, "note", str, ctx.where),
                position=require(c, "position", int, ctx.where),
            ),
            ctx.where,
        )
    indicators = []
    for rank, i in enumerate(require(entry, "indicators", list, where), 1):
        ctx.where = f"{where}, indicateur {rank}"
        indicator = Indicator(
            measure=measure,
            position=require(i, "position", int, ctx.where),
            label=require(i, "label", str, ctx.where, blank=False),
            target_text=require(i, "target_text", str, ctx.where),
            target_value=require(i, "target_value", Decimal, ctx.where, null=True),
            target_unit=require(i, "target_unit", str, ctx.where),
            deadline_text=require(i, "deadline_text", str, ctx.where, blank=False),
        )
        # The form of the deadline is computed from its text by save().
        indicators.append(save_valid(indicator, ctx.where, exclude=("deadline_kind", "deadline_latest")))
    ctx.remember("indicators", number, indicators)


def _restore_progress(ctx, entry, reports: dict) -> list:
    """Creates the measure's progress reports; returns the ``replaces`` links
    to reports not created yet."""
    number = entry["number"]
    measure = ctx.get("measure", number)
    deferred = []
    for r in require(entry, "progress", list, f"mesure {number}"):
        as_of = require(r, "as_of", datetime.date, f"mesure {number}, état")
        version = require(r, "version", int, f"mesure {number}, état au {as_of}")
        where = ctx.where = f"mesure {number}, état au {as_of} (version {version})"
        if (number, as_of, version) in reports:
            raise DataError(f"{where} : état en double.")
        replaces = require(r, "replaces", dict, where, null=True)
        replaces_key = None
        if replaces is not None:
            replaces_where = f"{where}, champ « replaces »"
            replaces_key = (
                require(replaces, "measure", int, replaces_where),
                require(replaces, "as_of", datetime.date, replaces_where),
                require(replaces, "version", int, replaces_where),
            )
        report = save_valid(
            ProgressReport(
                measure=measure,
                as_of=as_of,
                version=version,
                is_current=require(r, "is_current", bool, where),
                replaces=reports.get(replaces_key),
                validated_at=require(r, "validated_at", datetime.datetime, where, null=True),
                validated_by=ctx.user(r, "validated_by", where),
                percent=require(r, "percent", int, where, null=True),
                status=require(r, "status", str, where),
                completed_in=require(r, "completed_in", str, where),
                narrative=require(r, "narrative", str, where),
            ),
            where,
        )
        reports[(number, as_of, version)] = report
        if replaces_key is not None and report.replaces is None:
            deferred.append((report, replaces_key, where))
        for c in require(r, "components", list, where):
            ctx.where = f"{where}, composante"
            save_valid(
                ComponentProgress(
                    report=report,
                    position=require(c, "position", int, ctx.where),
                    label=require(c, "label", str, ctx.where, blank=False),
                    organization=ctx.org(c, "organization", ctx.where),
                    percent=require(c, "percent", int, ctx.where, null=True),
                    narrative=require(c, "narrative", str, ctx.where),
                ),
                ctx.where,
            )
        for v in require(r, "indicator_values", list, where):
            ctx.where = f"{where}, valeur d’indicateur"
            index = require(v, "indicator", int, ctx.where)
            save_valid(
                IndicatorProgress(
                    report=report,
                    indicator=restored_indicator(ctx, number, index, ctx.where),
                    actual=require(v, "actual", Decimal, ctx.where, null=True),
                    percent=require(v, "percent", int, ctx.where, null=True),
                    note=require(v, "note", str, ctx.where),
                ),
                ctx.where,
            )
    return deferred


def _restore_published_dates(ctx, plan: Plan, entry: dict, reported: set) -> None:
    if "published_dates" not in entry:
        # Written before dates were published one by one: the public then saw every date.
        for as_of in sorted(reported):
            PublishedDate.objects.create(plan=plan, as_of=as_of, via=PublishedDate.Via.RESTORE)
        return
    for record in require(entry, "published_dates", list, "plan"):
        where = ctx.where = "plan, état publié"
        via = require(record, "via", str, where)
        if via not in PublishedDate.Via.values:
            raise DataError(f"{where}, champ « via » : valeur inconnue « {via} ».")
        save_valid(
            PublishedDate(
                plan=plan,
                as_of=require(record, "as_of", datetime.date, where),
                published_at=require(record, "published_at", datetime.datetime, where),
                published_by=ctx.user(record, "published_by", where),
                via=via,
            ),
            where,
        )


def summary(data: dict) -> list[str]:
    measures = data.get("measures", [])
    reports = sum(len(m.get("progress", [])) for m in measures)
    return [f"{len(measures)} mesure(s)", f"{reports} état(s) d’avancement (toutes versions)"]


backup.register(
    backup.Section(
        name="plans",
        keys=("plan", "themes", "measures"),
        export=export,
        restore=restore,
        check=check,
        summary=summary,
    )
)
