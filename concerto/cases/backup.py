"""Backup of the intervention cell's cases linked to a plan (see
``concerto.core.backup``): the cases linked to its measures, and those a
backed-up recommendation names (``ctx.scope["cases"]``, filled by the
recommendations section). A case is named by its reference. On restore, a
case that exists already is kept as it is and linked to the restored
measures."""

import datetime

from django.db.models import Prefetch, Q

from concerto.core import backup
from concerto.core.backup import require, save_valid
from concerto.plans.backup import measure_refs, restored_measures
from concerto.plans.models import Measure

from .models import Case, Meeting, Solution, WorkingGroupMember

TEXT_FIELDS = (
    "profession",
    "raised_by_text",
    "raised_on_text",
    "problem_kind",
    "description",
    "state",
    "transferred_on_text",
    "transfer_reason",
    "component_label",
    "source",
    "public_summary",
)


def export(ctx: backup.ExportContext) -> dict:
    cases = (
        Case.objects.filter(Q(measures__plan=ctx.plan) | Q(pk__in=ctx.scope.get("cases", set())))
        .distinct()
        .select_related("owner", "raised_by", "transferred_to", "state_changed_by", "published_by")
        .prefetch_related(
            "orders",
            "organizations",
            Prefetch("measures", queryset=Measure.objects.select_related("plan")),
            Prefetch(
                "working_group",
                queryset=WorkingGroupMember.objects.select_related("organization").order_by("position", "pk"),
            ),
            Prefetch("meetings", queryset=Meeting.objects.order_by("date", "pk")),
            Prefetch("solutions", queryset=Solution.objects.order_by("position", "pk")),
        )
        .order_by("reference")
    )
    return {"cases": [_entry(ctx, c) for c in cases]}


def _entry(ctx, c: Case) -> dict:
    entry = {
        "reference": c.reference,
        "title": c.title,
        "orders": sorted(ctx.org(o) for o in c.orders.all()),
        "profession": c.profession,
        "raised_by": ctx.org(c.raised_by),
        "raised_by_text": c.raised_by_text,
        "raised_on": backup.d(c.raised_on),
        "raised_on_text": c.raised_on_text,
        "problem_kind": c.problem_kind,
        "description": c.description,
        "organizations": sorted(ctx.org(o) for o in c.organizations.all()),
        "state": c.state,
        "state_changed_at": backup.dt(c.state_changed_at),
        "state_changed_by": ctx.user(c.state_changed_by),
        "transferred_to": ctx.org(c.transferred_to),
        "transferred_on": backup.d(c.transferred_on),
        "transferred_on_text": c.transferred_on_text,
        "transfer_reason": c.transfer_reason,
        "percent": c.percent,
        "measures": measure_refs(c.measures.all()),
        "component_label": c.component_label,
        "source": c.source,
        "public_summary": c.public_summary,
        "summary_published": c.summary_published,
        "published_at": backup.dt(c.published_at),
        "published_by": ctx.user(c.published_by),
        "working_group": [
            {
                "position": w.position,
                "organization": ctx.org(w.organization),
                "person_name": w.person_name,
                "role": w.role,
            }
            for w in c.working_group.all()
        ],
        "meetings": [
            {"date": backup.d(m.date), "participants": m.participants, "minutes": m.minutes}
            for m in c.meetings.all()
        ],
        "solutions": [{"position": s.position, "text": s.text, "state": s.state} for s in c.solutions.all()],
    }
    entry["owner"] = ctx.org(c.owner)
    return entry


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    for entry in require(data, "cases", list, "document"):
        _restore_case(ctx, entry)


def _restore_case(ctx, entry) -> None:
    reference = require(entry, "reference", str, "cas", blank=False)
    where = ctx.where = f"cas {reference}"
    measures = restored_measures(ctx, entry, where)
    existing = Case.objects.filter(reference=reference).first()
    if existing is not None:
        existing.measures.add(*measures)
        ctx.remember("case", reference, existing)
        ctx.notes.append(f"{where} : déjà dans la base, conservé tel quel et relié aux mesures restaurées.")
        return
    case = Case(
        reference=reference,
        title=require(entry, "title", str, where, blank=False),
        raised_by=ctx.org(entry, "raised_by", where),
        raised_on=require(entry, "raised_on", datetime.date, where, null=True),
        state_changed_at=require(entry, "state_changed_at", datetime.datetime, where, null=True),
        state_changed_by=ctx.user(entry, "state_changed_by", where),
        transferred_to=ctx.org(entry, "transferred_to", where),
        transferred_on=require(entry, "transferred_on", datetime.date, where, null=True),
        percent=require(entry, "percent", int, where, null=True),
        summary_published=require(entry, "summary_published", bool, where),
        published_at=require(entry, "published_at", datetime.datetime, where, null=True),
        published_by=ctx.user(entry, "published_by", where),
        **backup.read_all(entry, TEXT_FIELDS, str, where),
    )
    case.owner = ctx.owner(entry, where)
    save_valid(case, where)
    case.orders.set(
        [ctx.org_code(code, f"{where}, champ « orders »") for code in require(entry, "orders", list, where)]
    )
    case.organizations.set(
        [
            ctx.org_code(code, f"{where}, champ « organizations »")
            for code in require(entry, "organizations", list, where)
        ]
    )
    case.measures.set(measures)
    for w in require(entry, "working_group", list, where):
        ctx.where = f"{where}, groupe de travail"
        save_valid(
            WorkingGroupMember(
                case=case,
                position=require(w, "position", int, ctx.where),
                organization=ctx.org(w, "organization", ctx.where),
                person_name=require(w, "person_name", str, ctx.where),
                role=require(w, "role", str, ctx.where),
            ),
            ctx.where,
        )
    for m in require(entry, "meetings", list, where):
        ctx.where = f"{where}, rencontre"
        save_valid(
            Meeting(
                case=case,
                date=require(m, "date", datetime.date, ctx.where),
                participants=require(m, "participants", str, ctx.where),
                minutes=require(m, "minutes", str, ctx.where),
            ),
            ctx.where,
        )
    for s in require(entry, "solutions", list, where):
        ctx.where = f"{where}, solution"
        save_valid(
            Solution(
                case=case,
                position=require(s, "position", int, ctx.where),
                text=require(s, "text", str, ctx.where, blank=False),
                state=require(s, "state", str, ctx.where),
            ),
            ctx.where,
        )
    ctx.remember("case", reference, case)


backup.register(
    backup.Section(
        name="cases",
        keys=("cases",),
        export=export,
        restore=restore,
        summary=lambda data: [f"{len(data.get('cases', []))} cas"],
    )
)
