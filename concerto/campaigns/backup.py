"""Backup of a plan's update campaigns (drafts, comments) (see
``concerto.core.backup``; the e-mails sent about them are the outbox's).

A campaign is named by its reporting date, a draft by its campaign and its
measure's number; inside a draft's values, an indicator by its rank in its
measure (``plans.backup.INDICATOR_ORDER``).
"""

import datetime

from django.db.models import Prefetch

from concerto.core import backup
from concerto.core.backup import DataError, require, save_valid
from concerto.plans.backup import INDICATOR_ORDER, restored_indicator
from concerto.plans.models import Indicator

from .models import Campaign, Draft, DraftComment

# --- campaigns ----------------------------------------------------------------


def _values_out(values, index: dict[int, int]):
    """A draft's indicator values, the indicator id replaced by its rank in the measure."""
    if not isinstance(values, list):
        return values
    result = []
    for row in values:
        if isinstance(row, dict) and "indicator" in row:
            row = {**row, "indicator": index.get(row["indicator"])}
        result.append(row)
    return result


def _draft_entry(ctx, campaign: Campaign, draft: Draft) -> dict:
    if draft.measure.plan_id != ctx.plan.pk:
        raise DataError(
            f"Campagne de l’état au {campaign.as_of:%Y-%m-%d} : une mise à jour porte sur une mesure "
            "d’un autre plan ; exportation impossible."
        )
    index = {indicator.pk: i for i, indicator in enumerate(draft.measure.indicators.all())}
    if isinstance(draft.components, list):
        for component in draft.components:
            if isinstance(component, dict):
                ctx.org_code(component.get("organization"))
    return {
        "measure": draft.measure.number,
        "state": draft.state,
        "version": draft.version,
        "percent": draft.percent,
        "status": draft.status,
        "completed_in": draft.completed_in,
        "narrative": draft.narrative,
        "components": draft.components,
        "values": _values_out(draft.values, index),
        "updated_at": backup.dt(draft.updated_at),
        "updated_by": ctx.user(draft.updated_by),
        "submitted_at": backup.dt(draft.submitted_at),
        "validated_at": backup.dt(draft.validated_at),
        "validated_by": ctx.user(draft.validated_by),
        "return_comment": draft.return_comment,
        "comments": [
            {"author": ctx.user(c.author), "text": c.text, "created_at": backup.dt(c.created_at)}
            for c in draft.comments.all()
        ],
    }


def export(ctx: backup.ExportContext) -> dict:
    drafts = (
        Draft.objects.select_related("measure", "updated_by", "validated_by")
        .prefetch_related(
            Prefetch("measure__indicators", queryset=Indicator.objects.order_by(*INDICATOR_ORDER)),
            Prefetch(
                "comments",
                queryset=DraftComment.objects.select_related("author").order_by("created_at", "pk"),
            ),
        )
        .order_by("measure__number", "pk")
    )
    campaigns = (
        Campaign.objects.filter(plan=ctx.plan)
        .select_related("opened_by")
        .prefetch_related(Prefetch("drafts", queryset=drafts))
        .order_by("as_of")
    )
    result = []
    for campaign in campaigns:
        as_of = backup.d(campaign.as_of)
        ctx.remember("campaign", campaign.pk, as_of)
        ctx.email_prefixes.add(f"campaign:{campaign.pk}:")
        entries = []
        for draft in campaign.drafts.all():
            ctx.remember("draft", draft.pk, {"campaign": as_of, "measure": draft.measure.number})
            ctx.email_prefixes.add(f"draft:{draft.pk}:")
            entries.append(_draft_entry(ctx, campaign, draft))
        result.append(
            {
                "as_of": as_of,
                "deadline": backup.d(campaign.deadline),
                "reminder_days": campaign.reminder_days,
                "opened_at": backup.dt(campaign.opened_at),
                "opened_by": ctx.user(campaign.opened_by),
                "closed_at": backup.dt(campaign.closed_at),
                "drafts": entries,
            }
        )
    return {"campaigns": result}


def _values_in(ctx, values, measure_number: int, where: str):
    if not isinstance(values, list):
        raise DataError(f"{where}, champ « values » : liste attendue.")
    result = []
    for row in values:
        if isinstance(row, dict) and "indicator" in row:
            index = row["indicator"]
            indicator = None if index is None else restored_indicator(ctx, measure_number, index, where)
            row = {**row, "indicator": None if indicator is None else indicator.pk}
        result.append(row)
    return result


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    for entry in require(data, "campaigns", list, "document"):
        _restore_campaign(ctx, entry)


def _restore_campaign(ctx, entry) -> None:
    as_of = require(entry, "as_of", datetime.date, "campagne")
    where = ctx.where = f"campagne de l’état au {as_of}"
    if ctx.has("campaign", str(as_of)):
        raise DataError(f"{where} : campagne en double.")
    reminder_days = require(entry, "reminder_days", list, where)
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in reminder_days):
        raise DataError(f"{where}, champ « reminder_days » : liste de nombres entiers attendue.")
    campaign = save_valid(
        Campaign(
            plan=ctx.plan,
            as_of=as_of,
            deadline=require(entry, "deadline", datetime.date, where),
            reminder_days=reminder_days,
            opened_at=require(entry, "opened_at", datetime.datetime, where),
            opened_by=ctx.user(entry, "opened_by", where),
            closed_at=require(entry, "closed_at", datetime.datetime, where, null=True),
        ),
        where,
    )
    ctx.remember("campaign", str(as_of), campaign)
    for d in require(entry, "drafts", list, where):
        number = require(d, "measure", int, f"{where}, mise à jour")
        d_where = ctx.where = f"{where}, mise à jour de la mesure {number}"
        if not ctx.has("measure", number):
            raise DataError(f"{d_where} : la mesure {number} n’est pas dans la sauvegarde.")
        components = require(d, "components", list, d_where)
        for component in components:
            code = component.get("organization") if isinstance(component, dict) else None
            if code:
                ctx.org_code(code, f"{d_where}, composante")
        draft = save_valid(
            Draft(
                campaign=campaign,
                measure=ctx.get("measure", number),
                state=require(d, "state", str, d_where),
                version=require(d, "version", int, d_where),
                percent=require(d, "percent", int, d_where, null=True),
                status=require(d, "status", str, d_where),
                completed_in=require(d, "completed_in", str, d_where),
                narrative=require(d, "narrative", str, d_where),
                components=components,
                values=_values_in(ctx, require(d, "values", list, d_where), number, d_where),
                updated_at=require(d, "updated_at", datetime.datetime, d_where, null=True),
                updated_by=ctx.user(d, "updated_by", d_where),
                submitted_at=require(d, "submitted_at", datetime.datetime, d_where, null=True),
                validated_at=require(d, "validated_at", datetime.datetime, d_where, null=True),
                validated_by=ctx.user(d, "validated_by", d_where),
                return_comment=require(d, "return_comment", str, d_where),
            ),
            d_where,
        )
        ctx.remember("draft", {"campaign": str(as_of), "measure": number}, draft)
        for c in require(d, "comments", list, d_where):
            ctx.where = f"{d_where}, commentaire"
            save_valid(
                DraftComment(
                    draft=draft,
                    author=ctx.user(c, "author", ctx.where),
                    text=require(c, "text", str, ctx.where),
                    created_at=require(c, "created_at", datetime.datetime, ctx.where),
                ),
                ctx.where,
            )


backup.register(
    backup.Section(
        name="campaigns",
        keys=("campaigns",),
        export=export,
        restore=restore,
        summary=lambda data: [f"{len(data.get('campaigns', []))} campagne(s)"],
    )
)
backup.register_key_part("campaign")
backup.register_key_part("draft")
