"""The campaigns' items of « Mes tâches » (registered in ``apps.py``).

- a partner's editor: the drafts of their organizations' measures still to
  update (not started, draft) or to correct (returned), in open campaigns,
  with the campaign's deadline;
- the plan's coordination: the submitted drafts to validate, the
  organizations late with their updates (deadline passed, drafts not
  submitted), and the reporting dates with validated states not yet public.

Three queries for a coordinator and two for an editor, whatever the number
of items.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.accounts.models import Role
from concerto.accounts.rules import coordinated_owner_ids, organizations_with_role
from concerto.core.inbox import Task, compose, french
from concerto.plans.models import MeasureLead, PublishedDate

from .models import Campaign, Draft
from .reminders import PENDING_STATES


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "j F Y")


def _draft_url(draft: Draft) -> str:
    return reverse(
        "draft-detail",
        kwargs={
            "slug": draft.campaign.plan.slug,
            "as_of": draft.campaign.as_of.isoformat(),
            "number": draft.measure.number,
        },
    )


def _drafts():
    return Draft.objects.filter(campaign__closed_at__isnull=True).select_related("campaign__plan", "measure")


def editor_tasks(user, *, today: datetime.date) -> list[Task]:
    organizations = organizations_with_role(user, Role.EDITOR)
    if not organizations:
        return []
    drafts = (
        _drafts()
        .filter(state__in=PENDING_STATES, measure__lead_links__organization__in=organizations)
        .prefetch_related(
            Prefetch(
                "measure__lead_links",
                queryset=MeasureLead.objects.filter(organization__in=organizations)
                .select_related("organization")
                .order_by("position"),
                to_attr="own_leads",
            )
        )
        .distinct()
        .order_by("campaign__deadline", "campaign__plan__slug", "measure__number")
    )
    tasks = []
    for draft in drafts:
        campaign = draft.campaign
        if draft.state == Draft.State.RETURNED:
            title = _("Corriger la mise à jour de la mesure %(number)s") % {"number": draft.measure.number}
        else:
            title = _("Mettre à jour la mesure %(number)s") % {"number": draft.measure.number}
        tasks.append(
            Task(
                title=title,
                url=_draft_url(draft),
                due=campaign.deadline,
                status=Draft.State(draft.state).label,
                detail=compose(
                    _("%(plan)s — état au %(date)s — %(organizations)s"),
                    plan=french(campaign.plan.title),
                    date=_day(campaign.as_of),
                    organizations=french(
                        ", ".join(link.organization.label for link in draft.measure.own_leads)
                    ),
                ),
            )
        )
    return tasks


def coordinator_tasks(user, *, today: datetime.date) -> list[Task]:
    owners = coordinated_owner_ids(user)
    if not owners:
        return []
    tasks = []
    submitted = (
        _drafts()
        .filter(state=Draft.State.SUBMITTED, campaign__plan__owner__in=owners)
        .order_by("campaign__deadline", "campaign__plan__slug", "measure__number")
    )
    for draft in submitted:
        tasks.append(
            Task(
                title=_("Valider ou retourner la mise à jour de la mesure %(number)s")
                % {"number": draft.measure.number},
                url=_draft_url(draft),
                status=Draft.State(draft.state).label,
                detail=compose(
                    _("%(plan)s — état au %(date)s"),
                    plan=french(draft.campaign.plan.title),
                    date=_day(draft.campaign.as_of),
                ),
            )
        )

    # Organizations late: open campaigns past their deadline, drafts not submitted.
    late: dict[tuple[int, int], list] = defaultdict(list)
    campaigns: dict[int, tuple] = {}
    rows = (
        Draft.objects.filter(
            campaign__closed_at__isnull=True,
            campaign__deadline__lt=today,
            campaign__plan__owner__in=owners,
            state__in=PENDING_STATES,
            measure__lead_links__isnull=False,
        )
        .values_list(
            "campaign",
            "measure__lead_links__organization",
            "measure__lead_links__organization__name",
            "campaign__as_of",
            "campaign__deadline",
            "campaign__plan__slug",
            "campaign__plan__title",
            "measure__number",
        )
        .order_by("campaign__deadline", "measure__lead_links__organization__name", "measure__number")
    )
    for campaign_id, organization_id, name, as_of, deadline, slug, plan_title, number in rows:
        campaigns[campaign_id] = (as_of, deadline, slug, plan_title)
        late[(campaign_id, organization_id)].append((name, number))
    for (campaign_id, _organization_id), measures in late.items():
        as_of, deadline, slug, plan_title = campaigns[campaign_id]
        name = measures[0][0]
        numbers = ", ".join(str(number) for _name, number in measures)
        tasks.append(
            Task(
                title=compose(_("Relancer %(organization)s"), organization=french(name)),
                url=reverse("campaign-dashboard", kwargs={"slug": slug, "as_of": as_of.isoformat()}),
                due=deadline,
                status=_("En retard"),
                detail=compose(
                    ngettext(
                        "%(plan)s — état au %(date)s — mesure non soumise : %(numbers)s",
                        "%(plan)s — état au %(date)s — mesures non soumises : %(numbers)s",
                        len(measures),
                    ),
                    plan=french(plan_title),
                    date=_day(as_of),
                    numbers=numbers,
                ),
            )
        )

    # Reporting dates with validated updates that the public does not see yet.
    unpublished = (
        Campaign.objects.filter(plan__owner__in=owners, drafts__state=Draft.State.VALIDATED)
        .exclude(Exists(PublishedDate.objects.filter(plan=OuterRef("plan"), as_of=OuterRef("as_of"))))
        .select_related("plan")
        .distinct()
        .order_by("as_of", "plan__slug")
    )
    for campaign in unpublished:
        tasks.append(
            Task(
                title=_("Publier l’état au %(date)s") % {"date": _day(campaign.as_of)},
                url=reverse(
                    "plan-publish-date",
                    kwargs={"slug": campaign.plan.slug, "as_of": campaign.as_of.isoformat()},
                ),
                status=_("Non publié"),
                detail=compose(
                    _("%(plan)s — des mises à jour validées ne sont pas encore publiques"),
                    plan=french(campaign.plan.title),
                ),
            )
        )
    return tasks


def tasks_for_user(user, *, today: datetime.date) -> list[Task]:
    return editor_tasks(user, today=today) + coordinator_tasks(user, today=today)
