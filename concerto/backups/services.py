"""Backup and restoration of a plan, with everything that hangs on it.

``export_plan`` writes a plan as one JSON document (format
``concerto.plan-export/1``): the plan, its themes, measures (leads,
collaborators, indicators), every version of every progress report (the
non-current ones too, with the ``replaces`` chain, components and indicator
values), the update campaigns (drafts, comments, sent e-mails), the
published reports (their frozen files, base64, with SHA-256), the
recommendations and the intervention cell's cases linked to its measures
(answers, attached documents with their bytes, working groups, meetings,
solutions), and the organizations (by ``code``) and people (by username)
they name. Never a password hash.

Nothing in the document depends on database ids: objects are named by their
natural keys (a measure by its number, a progress report by its date and
version, an indicator by its rank in its measure, a recommendation by its
number…), including inside the JSON fields of drafts and the keys of sent
e-mails. Every list has a fixed order, so two exports of the same data are
identical except ``exported_at``.

``restore_plan`` writes such a document back, in one transaction: all or
nothing, and a French ``DataError`` naming the place and the reason. The
plan must not exist. Organizations and people that exist already (same code,
same username) are used as they are; the others are created, people
inactive and without a usable password. A recommendation or a case that
exists already (restored with another plan that shares it) is kept as it is
and linked to the restored measures. What is written is attributed to the
restoration in the audit trail (``RESTORE``); the audit trail itself is not
part of the backup.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.utils import validate_file_name
from django.core.validators import validate_slug
from django.db import DatabaseError, connection, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from concerto.campaigns.models import Campaign, Draft, DraftComment, SentNotification
from concerto.cases.models import Case, CaseState, Meeting, ProblemKind, Solution, WorkingGroupMember
from concerto.core.audit import RESTORE, recorded_as
from concerto.core.dataload import DataError
from concerto.core.deadlines import DeadlineError
from concerto.core.uploads import detect_content_type
from concerto.organizations.models import Organization
from concerto.plans.models import (
    Collaborator,
    ComponentProgress,
    Indicator,
    IndicatorProgress,
    Measure,
    MeasureLead,
    Plan,
    ProgressReport,
    Status,
    Theme,
)
from concerto.recommendations.models import Answer, Attachment, Recommendation
from concerto.recommendations.models import State as RecommendationState
from concerto.reports.models import Format, Publication, PublishedDocument

FORMAT_NAME = "concerto.plan-export"
FORMAT_VERSION = 1
FORMAT = f"{FORMAT_NAME}/{FORMAT_VERSION}"

# Parts of the keys of sent e-mails that are database ids (see
# campaigns.notifications and recommendations.reminders): written as
# placeholders, with the natural key of the object in ``key_refs``.
KEY_PARTS = {
    "campaign": "<campaign>",
    "org": "<org>",
    "draft": "<draft>",
    "recommendation": "<recommendation>",
}


# --- values ---------------------------------------------------------------


def _dt(value: datetime.datetime | None) -> str | None:
    """UTC, with microseconds: restored to the same instant."""
    return None if value is None else value.astimezone(datetime.UTC).isoformat()


def _d(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def _measure_ref(measure: Measure) -> dict:
    return {"plan": measure.plan.slug, "number": measure.number}


# --- export ---------------------------------------------------------------


class _Names:
    """The organizations and people the document names, to list them once."""

    def __init__(self):
        self.organizations: dict[str, Organization] = {}
        self.users: dict[str, object] = {}

    def org(self, organization: Organization | None) -> str | None:
        if organization is None:
            return None
        self.organizations[organization.code] = organization
        return organization.code

    def org_code(self, code) -> None:
        """A code found inside a JSON field (a draft's components)."""
        if isinstance(code, str) and code and code not in self.organizations:
            found = Organization.objects.filter(code=code).first()
            if found is not None:
                self.organizations[code] = found

    def user(self, user) -> str | None:
        if user is None:
            return None
        username = user.get_username()
        self.users[username] = user
        return username


def _organization_entry(o: Organization) -> dict:
    return {
        "code": o.code,
        "name": o.name,
        "acronym": o.acronym,
        "short_name": o.short_name,
        "kind": o.kind,
        "order_number": o.order_number,
        "practice": o.practice,
        "archived_at": _dt(o.archived_at),
    }


def _user_entry(user) -> dict:
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
    }


def _export_measure(measure: Measure, names: _Names) -> dict:
    indicators = list(measure.indicators.all())
    index = {indicator.pk: i for i, indicator in enumerate(indicators)}
    progress = []
    for report in measure.progress_reports.all():
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
                    "actual": _dec(value.actual),
                    "percent": value.percent,
                    "note": value.note,
                }
            )
        replaces = report.replaces
        progress.append(
            {
                "as_of": _d(report.as_of),
                "version": report.version,
                "is_current": report.is_current,
                "replaces": None
                if replaces is None
                else {
                    "measure": replaces.measure.number,
                    "as_of": _d(replaces.as_of),
                    "version": replaces.version,
                },
                "validated_at": _dt(report.validated_at),
                "validated_by": names.user(report.validated_by),
                "percent": report.percent,
                "status": report.status,
                "completed_in": report.completed_in,
                "narrative": report.narrative,
                "components": [
                    {
                        "position": c.position,
                        "label": c.label,
                        "organization": names.org(c.organization),
                        "percent": c.percent,
                        "narrative": c.narrative,
                    }
                    for c in report.components.all()
                ],
                "indicator_values": values,
            }
        )
    return {
        "number": measure.number,
        "theme": measure.theme.number,
        "title": measure.title,
        "lead_note": measure.lead_note,
        "follow_up": measure.follow_up,
        "archived_at": _dt(measure.archived_at),
        "leads": [
            {"organization": names.org(link.organization), "position": link.position}
            for link in measure.lead_links.all()
        ],
        "collaborators": [
            {
                "organization": names.org(c.organization),
                "text": c.text,
                "note": c.note,
                "position": c.position,
            }
            for c in measure.collaborators.all()
        ],
        "indicators": [
            {
                "position": i.position,
                "label": i.label,
                "target_text": i.target_text,
                "target_value": _dec(i.target_value),
                "target_unit": i.target_unit,
                "deadline_text": i.deadline_text,
            }
            for i in indicators
        ],
        "progress": progress,
    }


def _measures_queryset(plan: Plan):
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
            Prefetch("indicators", queryset=Indicator.objects.order_by("position", "pk")),
            Prefetch("progress_reports", queryset=reports),
        )
        .order_by("number")
    )


def _draft_values_out(values, index: dict[int, int]):
    """A draft's indicator values, the indicator id replaced by its rank in the measure."""
    if not isinstance(values, list):
        return values
    result = []
    for row in values:
        if isinstance(row, dict) and "indicator" in row:
            row = {**row, "indicator": index.get(row["indicator"])}
        result.append(row)
    return result


def _export_campaigns(plan: Plan, names: _Names) -> list[dict]:
    campaigns = (
        plan.campaigns.select_related("opened_by")
        .prefetch_related(
            Prefetch(
                "drafts",
                queryset=Draft.objects.select_related("measure", "updated_by", "validated_by")
                .prefetch_related(
                    Prefetch("measure__indicators", queryset=Indicator.objects.order_by("position", "pk")),
                    Prefetch(
                        "comments",
                        queryset=DraftComment.objects.select_related("author").order_by("created_at", "pk"),
                    ),
                )
                .order_by("measure__number", "pk"),
            )
        )
        .order_by("as_of")
    )
    result = []
    for campaign in campaigns:
        drafts = []
        for draft in campaign.drafts.all():
            if draft.measure.plan_id != plan.pk:
                raise DataError(
                    f"Campagne de l’état au {campaign.as_of:%Y-%m-%d} : une mise à jour porte sur une mesure "
                    "d’un autre plan ; exportation impossible."
                )
            index = {indicator.pk: i for i, indicator in enumerate(draft.measure.indicators.all())}
            if isinstance(draft.components, list):
                for component in draft.components:
                    if isinstance(component, dict):
                        names.org_code(component.get("organization"))
            drafts.append(
                {
                    "measure": draft.measure.number,
                    "state": draft.state,
                    "version": draft.version,
                    "percent": draft.percent,
                    "status": draft.status,
                    "completed_in": draft.completed_in,
                    "narrative": draft.narrative,
                    "components": draft.components,
                    "values": _draft_values_out(draft.values, index),
                    "updated_at": _dt(draft.updated_at),
                    "updated_by": names.user(draft.updated_by),
                    "submitted_at": _dt(draft.submitted_at),
                    "validated_at": _dt(draft.validated_at),
                    "validated_by": names.user(draft.validated_by),
                    "return_comment": draft.return_comment,
                    "comments": [
                        {"author": names.user(c.author), "text": c.text, "created_at": _dt(c.created_at)}
                        for c in draft.comments.all()
                    ],
                }
            )
        result.append(
            {
                "as_of": _d(campaign.as_of),
                "deadline": _d(campaign.deadline),
                "reminder_days": campaign.reminder_days,
                "opened_at": _dt(campaign.opened_at),
                "opened_by": names.user(campaign.opened_by),
                "closed_at": _dt(campaign.closed_at),
                "drafts": drafts,
            }
        )
    return result


def _export_publications(plan: Plan, names: _Names) -> list[dict]:
    publications = (
        plan.publications.select_related("published_by", "superseded_by")
        .prefetch_related(Prefetch("documents", queryset=PublishedDocument.objects.order_by("format", "pk")))
        .order_by("as_of", "version")
    )
    return [
        {
            "as_of": _d(p.as_of),
            "version": p.version,
            "published_at": _dt(p.published_at),
            "published_by": names.user(p.published_by),
            "superseded_by": None
            if p.superseded_by is None
            else {"as_of": _d(p.superseded_by.as_of), "version": p.superseded_by.version},
            "documents": [
                {"format": d.format, "size": d.size, "sha256": d.sha256, "content": _b64(bytes(d.content))}
                for d in p.documents.all()
            ],
        }
        for p in publications
    ]


def _linked_ids(plan: Plan) -> tuple[set[int], set[int]]:
    """(case ids, recommendation ids) linked to the plan's measures, and to each other."""
    measures = plan.measures.all()
    cases = set(Case.objects.filter(measures__in=measures).values_list("pk", flat=True))
    recommendations = set(
        Recommendation.objects.filter(Q(measures__in=measures) | Q(cases__in=cases)).values_list(
            "pk", flat=True
        )
    )
    while True:
        more_cases = set(
            Case.objects.filter(recommendations__in=recommendations).values_list("pk", flat=True)
        )
        more_recommendations = set(
            Recommendation.objects.filter(cases__in=more_cases | cases).values_list("pk", flat=True)
        )
        if more_cases <= cases and more_recommendations <= recommendations:
            return cases, recommendations
        cases |= more_cases
        recommendations |= more_recommendations


def _attachment_entry(attachment: Attachment, names: _Names) -> dict:
    try:
        with attachment.file.open("rb") as handle:
            content = handle.read()
    except (OSError, ValueError):
        content = None  # the file is missing from the storage: said in the document
    return {
        "original_name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "uploaded_by": names.user(attachment.uploaded_by),
        "uploaded_at": _dt(attachment.uploaded_at),
        "file": attachment.file.name,
        "sha256": None if content is None else hashlib.sha256(content).hexdigest(),
        "content": None if content is None else _b64(content),
    }


def _export_recommendations(ids: set[int], names: _Names) -> list[dict]:
    attachments = Attachment.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")
    recommendations = (
        Recommendation.objects.filter(pk__in=ids)
        .select_related("owner", "addressee", "created_by", "answer__filed_by")
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("plan")),
            "cases",
            Prefetch("attachments", queryset=attachments),
            Prefetch("answer__attachments", queryset=attachments),
        )
        .order_by("number")
    )
    result = []
    for r in recommendations:
        try:
            answer = r.answer
        except Answer.DoesNotExist:
            answer = None
        result.append(
            {
                "number": r.number,
                "title": r.title,
                "text": r.text,
                "owner": names.org(r.owner),
                "addressee": names.org(r.addressee),
                "state": r.state,
                "sent_on": _d(r.sent_on),
                "received_on": _d(r.received_on),
                "due_on": _d(r.due_on),
                "published": r.published,
                "published_at": _dt(r.published_at),
                "created_by": names.user(r.created_by),
                "created_at": _dt(r.created_at),
                "closed_at": _dt(r.closed_at),
                "measures": sorted(
                    (_measure_ref(m) for m in r.measures.all()), key=lambda ref: (ref["plan"], ref["number"])
                ),
                "cases": sorted(c.reference for c in r.cases.all()),
                "attachments": [_attachment_entry(a, names) for a in r.attachments.all()],
                "answer": None
                if answer is None
                else {
                    "kind": answer.kind,
                    "text": answer.text,
                    "answered_on": _d(answer.answered_on),
                    "filed_by": names.user(answer.filed_by),
                    "filed_at": _dt(answer.filed_at),
                    "published": answer.published,
                    "published_at": _dt(answer.published_at),
                    "attachments": [_attachment_entry(a, names) for a in answer.attachments.all()],
                },
            }
        )
    return result


def _export_cases(ids: set[int], names: _Names) -> list[dict]:
    cases = (
        Case.objects.filter(pk__in=ids)
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
    return [
        {
            "reference": c.reference,
            "title": c.title,
            "owner": names.org(c.owner),
            "orders": sorted(names.org(o) for o in c.orders.all()),
            "profession": c.profession,
            "raised_by": names.org(c.raised_by),
            "raised_by_text": c.raised_by_text,
            "raised_on": _d(c.raised_on),
            "raised_on_text": c.raised_on_text,
            "problem_kind": c.problem_kind,
            "description": c.description,
            "organizations": sorted(names.org(o) for o in c.organizations.all()),
            "state": c.state,
            "state_changed_at": _dt(c.state_changed_at),
            "state_changed_by": names.user(c.state_changed_by),
            "transferred_to": names.org(c.transferred_to),
            "transferred_on": _d(c.transferred_on),
            "transferred_on_text": c.transferred_on_text,
            "transfer_reason": c.transfer_reason,
            "percent": c.percent,
            "measures": sorted(
                (_measure_ref(m) for m in c.measures.all()), key=lambda ref: (ref["plan"], ref["number"])
            ),
            "component_label": c.component_label,
            "source": c.source,
            "public_summary": c.public_summary,
            "summary_published": c.summary_published,
            "published_at": _dt(c.published_at),
            "published_by": names.user(c.published_by),
            "working_group": [
                {
                    "position": w.position,
                    "organization": names.org(w.organization),
                    "person_name": w.person_name,
                    "role": w.role,
                }
                for w in c.working_group.all()
            ],
            "meetings": [
                {"date": _d(m.date), "participants": m.participants, "minutes": m.minutes}
                for m in c.meetings.all()
            ],
            "solutions": [
                {"position": s.position, "text": s.text, "state": s.state} for s in c.solutions.all()
            ],
        }
        for c in cases
    ]


def _symbolic_key(key: str, known: dict[str, dict[int, object]], names: _Names) -> tuple[str, dict]:
    """``campaign:12:opened:org:7`` → ``campaign:<campaign>:opened:org:<org>`` and the
    natural keys of campaign 12 and organization 7. Ids of objects outside the
    backup are left as they are."""
    parts = key.split(":")
    refs = {}
    for i in range(len(parts) - 1):
        kind, value = parts[i], parts[i + 1]
        if kind not in KEY_PARTS or not value.isdigit() or kind in refs:
            continue
        pk = int(value)
        if kind == "org":
            organization = Organization.objects.filter(pk=pk).first()
            ref = names.org(organization)
        else:
            ref = known[kind].get(pk)
        if ref is not None:
            refs[kind] = ref
            parts[i + 1] = KEY_PARTS[kind]
    return ":".join(parts), refs


def _export_notifications(plan: Plan, recommendation_ids: set[int], names: _Names) -> list[dict]:
    campaigns = {c.pk: _d(c.as_of) for c in plan.campaigns.all()}
    drafts = {
        d.pk: {"campaign": _d(d.campaign.as_of), "measure": d.measure.number}
        for d in Draft.objects.filter(campaign__plan=plan).select_related("campaign", "measure")
    }
    recommendations = dict(
        Recommendation.objects.filter(pk__in=recommendation_ids).values_list("pk", "number")
    )
    known = {"campaign": campaigns, "draft": drafts, "recommendation": recommendations}
    prefixes = tuple(f"recommendation:{pk}:" for pk in recommendations)
    rows = []
    notifications = SentNotification.objects.filter(
        Q(campaign__plan=plan) | Q(campaign__isnull=True, key__startswith="recommendation:")
    ).select_related("campaign", "organization")
    for n in notifications:
        if n.campaign_id is None and not n.key.startswith(prefixes):
            continue  # a reminder about a recommendation of another plan
        key, refs = _symbolic_key(n.key, known, names)
        rows.append(
            {
                "key": key,
                "key_refs": refs,
                "kind": n.kind,
                "campaign": None if n.campaign is None else _d(n.campaign.as_of),
                "organization": names.org(n.organization),
                "recipients": n.recipients,
                "sent_at": _dt(n.sent_at),
            }
        )
    rows.sort(key=lambda row: (row["key"], repr(sorted(row["key_refs"].items())), row["sent_at"] or ""))
    return rows


def export_plan(*, plan: Plan) -> dict:
    """The whole plan as a JSON-ready dict (format ``concerto.plan-export/1``).

    Raises ``DataError`` when the data breaks an invariant the format relies
    on (a value of an indicator of another measure).
    """
    names = _Names()
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and own_transaction:
            # One snapshot for every query: a validation committed during the
            # export must not leave half of it in the file.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        plan = Plan.objects.select_related("owner").get(pk=plan.pk)
        measures = [_export_measure(m, names) for m in _measures_queryset(plan)]
        campaigns = _export_campaigns(plan, names)
        publications = _export_publications(plan, names)
        case_ids, recommendation_ids = _linked_ids(plan)
        recommendations = _export_recommendations(recommendation_ids, names)
        cases = _export_cases(case_ids, names)
        notifications = _export_notifications(plan, recommendation_ids, names)
        plan_entry = {
            "slug": plan.slug,
            "title": plan.title,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "declared_measure_count": plan.declared_measure_count,
            "owner": names.org(plan.owner),
            "general_objective": plan.general_objective,
            "source": plan.source,
            "archived_at": _dt(plan.archived_at),
        }
        themes = [
            {"number": t.number, "title": t.title, "objective": t.objective}
            for t in plan.themes.order_by("number")
        ]
    return {
        "format": FORMAT,
        "exported_at": _dt(timezone.now()),
        "plan": plan_entry,
        "organizations": [
            _organization_entry(names.organizations[code]) for code in sorted(names.organizations)
        ],
        "users": [_user_entry(names.users[username]) for username in sorted(names.users)],
        "themes": themes,
        "measures": measures,
        "campaigns": campaigns,
        "notifications": notifications,
        "publications": publications,
        "recommendations": recommendations,
        "cases": cases,
    }


def missing_files(data: dict) -> list[str]:
    """The attached documents a document lists without their content, in French."""
    missing = []
    for r in data.get("recommendations", []):
        documents = list(r.get("attachments", []))
        if r.get("answer"):
            documents += r["answer"].get("attachments", [])
        for a in documents:
            if a.get("content") is None:
                missing.append(
                    f"recommandation {r.get('number')} : le document « {a.get('original_name')} » "
                    f"({a.get('file')}) est introuvable dans le stockage ; il est sauvegardé sans contenu."
                )
    return missing


# --- restoration: reading -------------------------------------------------

_MISSING = object()


def _value(entry, name: str, where: str):
    if not isinstance(entry, dict):
        raise DataError(f"{where} : objet JSON attendu.")
    value = entry.get(name, _MISSING)
    if value is _MISSING:
        raise DataError(f"{where} : champ « {name} » manquant.")
    return value


def _typed(entry, name: str, where: str, kinds, label: str, *, null: bool = False):
    value = _value(entry, name, where)
    if value is None and null:
        return None
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        raise DataError(f"{where}, champ « {name} » : {label} attendu, pas « {value} ».")
    return value


def _str(entry, name, where, *, null=False, required=False) -> str:
    value = _typed(entry, name, where, (str,), "texte", null=null)
    if required and not value:
        raise DataError(f"{where}, champ « {name} » : valeur obligatoire vide.")
    return value


def _int(entry, name, where, *, null=False) -> int | None:
    return _typed(entry, name, where, (int,), "nombre entier", null=null)


def _bool(entry, name, where) -> bool:
    return _typed(entry, name, where, (bool,), "booléen (true ou false)")


def _list(entry, name, where) -> list:
    return _typed(entry, name, where, (list,), "liste")


def _dict(entry, name, where, *, null=False) -> dict | None:
    return _typed(entry, name, where, (dict,), "objet", null=null)


def _percent(entry, name, where) -> int | None:
    value = _int(entry, name, where, null=True)
    if value is not None and not 0 <= value <= 100:
        raise DataError(f"{where}, champ « {name} » : pourcentage de 0 à 100 attendu, pas « {value} ».")
    return value


def _choice(entry, name, where, choices, *, blank=False) -> str:
    value = _str(entry, name, where)
    if not (blank and value == "") and value not in choices:
        raise DataError(
            f"{where}, champ « {name} » : valeur « {value} » inconnue (valeurs possibles : {', '.join(choices)})."
        )
    return value


def _date(entry, name, where, *, null=False) -> datetime.date | None:
    value = _str(entry, name, where, null=null)
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise DataError(f"{where}, champ « {name} » : date AAAA-MM-JJ attendue, pas « {value} ».") from exc


def _datetime(entry, name, where, *, null=True) -> datetime.datetime | None:
    value = _str(entry, name, where, null=null)
    if value is None:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise DataError(
            f"{where}, champ « {name} » : date et heure ISO 8601 avec fuseau attendues, pas « {value} »."
        )
    return parsed


def _decimal(entry, name, where) -> Decimal | None:
    value = _str(entry, name, where, null=True)
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise DataError(f"{where}, champ « {name} » : nombre attendu, pas « {value} ».") from exc
    if not number.is_finite():
        raise DataError(f"{where}, champ « {name} » : nombre attendu, pas « {value} ».")
    return number


def _bytes(entry, name, where) -> bytes:
    value = _str(entry, name, where)
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise DataError(f"{where}, champ « {name} » : contenu base64 illisible.") from exc


def check_format(data) -> None:
    """A French ``DataError`` unless ``data`` is a document this version reads."""
    if not isinstance(data, dict):
        raise DataError("Le document doit être un objet JSON.")
    value = data.get("format", _MISSING)
    if value is _MISSING:
        raise DataError(
            f"Champ « format » manquant : ce document n’est pas une sauvegarde de plan Concerto "
            f"(format attendu « {FORMAT} »)."
        )
    if not isinstance(value, str) or not value.startswith(f"{FORMAT_NAME}/"):
        raise DataError(
            f"Format « {value} » inconnu : une sauvegarde de plan Concerto a le format « {FORMAT} »."
        )
    if value != FORMAT:
        raise DataError(
            f"Version « {value.removeprefix(FORMAT_NAME + '/')} » du format non prise en charge : "
            f"cette version de Concerto lit le format « {FORMAT} »."
        )


# --- restoration: writing -------------------------------------------------


class _Restoration:
    def __init__(self, data: dict, written: list, notes: list[str]):
        self.data = data
        self.written = written  # (storage, name) of files written, removed if anything fails
        self.notes = notes
        self.organizations: dict[str, Organization] = {}
        self.users: dict[str, object] = {}
        self.themes: dict[int, Theme] = {}
        self.measures: dict[int, Measure] = {}
        self.indicators: dict[int, list[Indicator]] = {}
        self.reports: dict[tuple, ProgressReport] = {}
        self.campaigns: dict[str, Campaign] = {}
        self.drafts: dict[tuple, Draft] = {}
        self.recommendations: dict[str, Recommendation] = {}
        self.cases: dict[str, Case] = {}
        self.where = "document"

    def run(self) -> Plan:
        data = self.data
        plan_entry = _dict(data, "plan", "document")
        slug = _str(plan_entry, "slug", "plan", required=True)
        try:
            validate_slug(slug)
        except ValidationError as exc:
            raise DataError(f"plan, champ « slug » : « {slug} » n’est pas un identifiant valide.") from exc
        if Plan.objects.filter(slug=slug).exists():
            raise DataError(
                f"Le plan « {slug} » existe déjà dans la base : une restauration ne remplace pas un plan "
                "existant. Rien n’a été écrit ; restaurez la sauvegarde dans une base qui ne contient pas ce plan."
            )
        self.slug = slug
        try:
            self._organizations(_list(data, "organizations", "document"))
            self._users(_list(data, "users", "document"))
            plan = self.plan = self._plan(plan_entry)
            for entry in _list(data, "themes", "document"):
                self._theme(plan, entry)
            measures = _list(data, "measures", "document")
            for entry in measures:
                self._measure(plan, entry)
            deferred = []
            for entry in measures:
                deferred += self._progress(entry)
            for report, key, where in deferred:
                if key not in self.reports:
                    raise DataError(
                        f"{where}, champ « replaces » : l’état remplacé n’est pas dans la sauvegarde."
                    )
                report.replaces = self.reports[key]
                report.save(update_fields=["replaces"])
            for entry in _list(data, "campaigns", "document"):
                self._campaign(plan, entry)
            self._publications(plan, _list(data, "publications", "document"))
            cases = _list(data, "cases", "document")
            for entry in cases:
                self._case(entry)
            for entry in _list(data, "recommendations", "document"):
                self._recommendation(entry)
            for entry in _list(data, "notifications", "document"):
                self._notification(entry)
        except DataError:
            raise
        except (DatabaseError, ValidationError, DeadlineError, ValueError) as exc:
            detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise DataError(
                f"{self.where} : valeur refusée par la base ({detail}). Rien n’a été écrit."
            ) from exc
        return plan

    # references

    def _org(self, entry, name, where, *, null=True) -> Organization | None:
        code = _str(entry, name, where, null=null)
        if code is None:
            return None
        if code not in self.organizations:
            raise DataError(
                f"{where}, champ « {name} » : organisation « {code} » absente de « organizations »."
            )
        return self.organizations[code]

    def _org_code(self, code, where: str) -> Organization:
        if not isinstance(code, str) or code not in self.organizations:
            raise DataError(f"{where} : organisation « {code} » absente de « organizations ».")
        return self.organizations[code]

    def _user(self, entry, name, where):
        username = _str(entry, name, where, null=True)
        if username is None:
            return None
        if username not in self.users:
            raise DataError(f"{where}, champ « {name} » : personne « {username} » absente de « users ».")
        return self.users[username]

    def _measure_refs(self, entry, where: str) -> list[Measure]:
        found = []
        for ref in _list(entry, "measures", where):
            plan = _str(ref, "plan", f"{where}, mesure liée")
            number = _int(ref, "number", f"{where}, mesure liée")
            if plan == self.slug:
                if number not in self.measures:
                    raise DataError(f"{where} : la mesure liée {number} n’est pas dans la sauvegarde.")
                found.append(self.measures[number])
                continue
            measure = Measure.objects.filter(plan__slug=plan, number=number).first()
            if measure is None:
                self.notes.append(
                    f"{where} : lien vers la mesure {number} du plan « {plan} » non rétabli "
                    "(ce plan n’est pas dans la base ; il le sera en restaurant ce plan)."
                )
            else:
                found.append(measure)
        return found

    # writing

    def _organizations(self, entries):
        fields = ("name", "acronym", "short_name", "practice")
        for position, entry in enumerate(entries, 1):
            where = self.where = f"organisation n° {position} de « organizations »"
            code = _str(entry, "code", where, required=True)
            where = self.where = f"organisation « {code} »"
            existing = Organization.objects.filter(code=code).first()
            if existing is not None:
                self.organizations[code] = existing
                continue
            values = {name: _str(entry, name, where) for name in fields}
            if values["practice"] and values["practice"] not in Organization.Practice.values:
                raise DataError(f"{where}, champ « practice » : valeur « {values['practice']} » inconnue.")
            order_number = _int(entry, "order_number", where, null=True)
            if order_number is not None and Organization.objects.filter(order_number=order_number).exists():
                raise DataError(
                    f"{where} : le numéro d’ordre {order_number} est déjà celui d’une autre organisation de la base."
                )
            self.organizations[code] = Organization.objects.create(
                code=code,
                kind=_choice(entry, "kind", where, Organization.Kind.values),
                order_number=order_number,
                archived_at=_datetime(entry, "archived_at", where),
                **values,
            )

    def _users(self, entries):
        model = get_user_model()
        created = []
        for position, entry in enumerate(entries, 1):
            where = self.where = f"personne n° {position} de « users »"
            username = _str(entry, "username", where, required=True)
            where = self.where = f"personne « {username} »"
            user = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
            if user is None:
                user = model(
                    **{model.USERNAME_FIELD: username},
                    first_name=_str(entry, "first_name", where),
                    last_name=_str(entry, "last_name", where),
                    email=_str(entry, "email", where),
                    is_active=False,
                )
                user.set_unusable_password()
                user.save()
                created.append(username)
            self.users[username] = user
        if created:
            self.notes.append(
                f"{len(created)} personne(s) créée(s), inactive(s) et sans mot de passe utilisable "
                f"(à réactiver par l’administration) : {', '.join(created)}."
            )

    def _plan(self, entry) -> Plan:
        where = self.where = "plan"
        return Plan.objects.create(
            slug=self.slug,
            title=_str(entry, "title", where, required=True),
            start_year=_int(entry, "start_year", where),
            end_year=_int(entry, "end_year", where),
            declared_measure_count=_int(entry, "declared_measure_count", where),
            owner=self._org(entry, "owner", where),
            general_objective=_str(entry, "general_objective", where),
            source=_str(entry, "source", where),
            archived_at=_datetime(entry, "archived_at", where),
        )

    def _theme(self, plan, entry):
        number = _int(entry, "number", "thème")
        where = self.where = f"thème {number}"
        if number in self.themes:
            raise DataError(f"{where} : numéro de thème en double.")
        self.themes[number] = Theme.objects.create(
            plan=plan,
            number=number,
            title=_str(entry, "title", where),
            objective=_str(entry, "objective", where),
        )

    def _measure(self, plan, entry):
        number = _int(entry, "number", "mesure")
        where = self.where = f"mesure {number}"
        if number in self.measures:
            raise DataError(f"{where} : numéro de mesure en double.")
        theme_number = _int(entry, "theme", where)
        if theme_number not in self.themes:
            raise DataError(
                f"{where}, champ « theme » : le thème {theme_number} n’est pas dans la sauvegarde."
            )
        follow_up = _str(entry, "follow_up", where)
        if follow_up and follow_up not in Measure.FollowUp.values:
            raise DataError(f"{where}, champ « follow_up » : valeur « {follow_up} » inconnue.")
        measure = Measure.objects.create(
            plan=plan,
            theme=self.themes[theme_number],
            number=number,
            title=_str(entry, "title", where, required=True),
            lead_note=_str(entry, "lead_note", where),
            follow_up=follow_up,
            archived_at=_datetime(entry, "archived_at", where),
        )
        self.measures[number] = measure
        for link in _list(entry, "leads", where):
            self.where = f"{where}, M/O en charge"
            MeasureLead.objects.create(
                measure=measure,
                organization=self._org(link, "organization", self.where, null=False),
                position=_int(link, "position", self.where),
            )
        for c in _list(entry, "collaborators", where):
            self.where = f"{where}, collaborateur"
            Collaborator.objects.create(
                measure=measure,
                organization=self._org(c, "organization", self.where),
                text=_str(c, "text", self.where),
                note=_str(c, "note", self.where),
                position=_int(c, "position", self.where),
            )
        indicators = []
        for rank, i in enumerate(_list(entry, "indicators", where), 1):
            self.where = f"{where}, indicateur {rank}"
            indicators.append(
                Indicator.objects.create(
                    measure=measure,
                    position=_int(i, "position", self.where),
                    label=_str(i, "label", self.where, required=True),
                    target_text=_str(i, "target_text", self.where),
                    target_value=_decimal(i, "target_value", self.where),
                    target_unit=_str(i, "target_unit", self.where),
                    deadline_text=_str(i, "deadline_text", self.where, required=True),
                )
            )
        self.indicators[number] = indicators

    def _indicator(self, measure_number: int, index, where: str) -> Indicator:
        indicators = self.indicators[measure_number]
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(indicators):
            raise DataError(
                f"{where}, champ « indicator » : la mesure {measure_number} a {len(indicators)} indicateur(s), "
                f"pas de rang « {index} »."
            )
        return indicators[index]

    def _progress(self, entry) -> list:
        """Creates the measure's progress reports; returns the ``replaces`` links
        to reports not created yet."""
        number = entry["number"]
        measure = self.measures[number]
        deferred = []
        for r in _list(entry, "progress", f"mesure {number}"):
            as_of = _date(r, "as_of", f"mesure {number}, état")
            version = _int(r, "version", f"mesure {number}, état au {as_of}")
            where = self.where = f"mesure {number}, état au {as_of} (version {version})"
            if (number, as_of, version) in self.reports:
                raise DataError(f"{where} : état en double.")
            replaces = _dict(r, "replaces", where, null=True)
            replaces_key = None
            if replaces is not None:
                replaces_key = (
                    _int(replaces, "measure", f"{where}, champ « replaces »"),
                    _date(replaces, "as_of", f"{where}, champ « replaces »"),
                    _int(replaces, "version", f"{where}, champ « replaces »"),
                )
            report = ProgressReport.objects.create(
                measure=measure,
                as_of=as_of,
                version=version,
                is_current=_bool(r, "is_current", where),
                replaces=self.reports.get(replaces_key),
                validated_at=_datetime(r, "validated_at", where),
                validated_by=self._user(r, "validated_by", where),
                percent=_percent(r, "percent", where),
                status=_choice(r, "status", where, Status.values),
                completed_in=_str(r, "completed_in", where),
                narrative=_str(r, "narrative", where),
            )
            self.reports[(number, as_of, version)] = report
            if replaces_key is not None and report.replaces is None:
                deferred.append((report, replaces_key, where))
            for c in _list(r, "components", where):
                self.where = f"{where}, composante"
                ComponentProgress.objects.create(
                    report=report,
                    position=_int(c, "position", self.where),
                    label=_str(c, "label", self.where, required=True),
                    organization=self._org(c, "organization", self.where),
                    percent=_percent(c, "percent", self.where),
                    narrative=_str(c, "narrative", self.where),
                )
            for v in _list(r, "indicator_values", where):
                self.where = f"{where}, valeur d’indicateur"
                IndicatorProgress.objects.create(
                    report=report,
                    indicator=self._indicator(number, _value(v, "indicator", self.where), self.where),
                    actual=_decimal(v, "actual", self.where),
                    percent=_percent(v, "percent", self.where),
                    note=_str(v, "note", self.where),
                )
        return deferred

    def _draft_values_in(self, values, measure_number: int, where: str):
        if not isinstance(values, list):
            raise DataError(f"{where}, champ « values » : liste attendue.")
        result = []
        for row in values:
            if isinstance(row, dict) and "indicator" in row:
                index = row["indicator"]
                indicator = None if index is None else self._indicator(measure_number, index, where)
                row = {**row, "indicator": None if indicator is None else indicator.pk}
            result.append(row)
        return result

    def _campaign(self, plan, entry):
        as_of = _date(entry, "as_of", "campagne")
        where = self.where = f"campagne de l’état au {as_of}"
        if str(as_of) in self.campaigns:
            raise DataError(f"{where} : campagne en double.")
        reminder_days = _value(entry, "reminder_days", where)
        if not isinstance(reminder_days, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in reminder_days
        ):
            raise DataError(f"{where}, champ « reminder_days » : liste de nombres entiers attendue.")
        campaign = Campaign.objects.create(
            plan=plan,
            as_of=as_of,
            deadline=_date(entry, "deadline", where),
            reminder_days=reminder_days,
            opened_at=_datetime(entry, "opened_at", where, null=False),
            opened_by=self._user(entry, "opened_by", where),
            closed_at=_datetime(entry, "closed_at", where),
        )
        self.campaigns[str(as_of)] = campaign
        for d in _list(entry, "drafts", where):
            number = _int(d, "measure", f"{where}, mise à jour")
            d_where = self.where = f"{where}, mise à jour de la mesure {number}"
            if number not in self.measures:
                raise DataError(f"{d_where} : la mesure {number} n’est pas dans la sauvegarde.")
            components = _list(d, "components", d_where)
            for component in components:
                code = component.get("organization") if isinstance(component, dict) else None
                if code:
                    self._org_code(code, f"{d_where}, composante")
            draft = Draft.objects.create(
                campaign=campaign,
                measure=self.measures[number],
                state=_choice(d, "state", d_where, Draft.State.values),
                version=_int(d, "version", d_where),
                percent=_percent(d, "percent", d_where),
                status=_choice(d, "status", d_where, Status.values),
                completed_in=_str(d, "completed_in", d_where),
                narrative=_str(d, "narrative", d_where),
                components=components,
                values=self._draft_values_in(_value(d, "values", d_where), number, d_where),
                updated_at=_datetime(d, "updated_at", d_where),
                updated_by=self._user(d, "updated_by", d_where),
                submitted_at=_datetime(d, "submitted_at", d_where),
                validated_at=_datetime(d, "validated_at", d_where),
                validated_by=self._user(d, "validated_by", d_where),
                return_comment=_str(d, "return_comment", d_where),
            )
            self.drafts[(str(as_of), number)] = draft
            for c in _list(d, "comments", d_where):
                self.where = f"{d_where}, commentaire"
                author = self._user(c, "author", self.where)
                if author is None:
                    raise DataError(f"{self.where}, champ « author » : valeur obligatoire.")
                DraftComment.objects.create(
                    draft=draft,
                    author=author,
                    text=_str(c, "text", self.where),
                    created_at=_datetime(c, "created_at", self.where, null=False),
                )

    def _publications(self, plan, entries):
        created = {}
        links = []
        for entry in entries:
            as_of = _date(entry, "as_of", "rapport publié")
            version = _int(entry, "version", f"rapport publié au {as_of}")
            where = self.where = f"rapport publié au {as_of} (version {version})"
            publication = Publication.objects.create(
                plan=plan,
                as_of=as_of,
                version=version,
                published_at=_datetime(entry, "published_at", where, null=False),
                published_by=self._user(entry, "published_by", where),
            )
            created[(as_of, version)] = publication
            superseded = _dict(entry, "superseded_by", where, null=True)
            if superseded is not None:
                key = (
                    _date(superseded, "as_of", f"{where}, champ « superseded_by »"),
                    _int(superseded, "version", f"{where}, champ « superseded_by »"),
                )
                links.append((publication, key, where))
            for doc in _list(entry, "documents", where):
                fmt = _choice(doc, "format", where, Format.values)
                d_where = self.where = f"{where}, document {fmt}"
                content = _bytes(doc, "content", d_where)
                if hashlib.sha256(content).hexdigest() != _str(doc, "sha256", d_where):
                    raise DataError(
                        f"{d_where} : l’empreinte SHA-256 ne correspond pas au contenu (fichier altéré)."
                    )
                PublishedDocument(publication=publication, format=fmt, content=content).save()
        for publication, key, where in links:
            if key not in created:
                raise DataError(f"{where}, champ « superseded_by » : version absente de la sauvegarde.")
            publication.superseded_by = created[key]
            publication.save(update_fields=["superseded_by"])

    def _case(self, entry):
        reference = _str(entry, "reference", "cas", required=True)
        where = self.where = f"cas {reference}"
        measures = self._measure_refs(entry, where)
        existing = Case.objects.filter(reference=reference).first()
        if existing is not None:
            existing.measures.add(*measures)
            self.cases[reference] = existing
            self.notes.append(
                f"{where} : déjà dans la base, conservé tel quel et relié aux mesures restaurées."
            )
            return
        case = Case.objects.create(
            reference=reference,
            title=_str(entry, "title", where, required=True),
            # Files written before owners existed: the Office, owner of the plan.
            owner=self._org(entry, "owner", where, null=False) if "owner" in entry else self.plan.owner,
            profession=_str(entry, "profession", where),
            raised_by=self._org(entry, "raised_by", where),
            raised_by_text=_str(entry, "raised_by_text", where),
            raised_on=_date(entry, "raised_on", where, null=True),
            raised_on_text=_str(entry, "raised_on_text", where),
            problem_kind=_choice(entry, "problem_kind", where, ProblemKind.values),
            description=_str(entry, "description", where),
            state=_choice(entry, "state", where, CaseState.values),
            state_changed_at=_datetime(entry, "state_changed_at", where),
            state_changed_by=self._user(entry, "state_changed_by", where),
            transferred_to=self._org(entry, "transferred_to", where),
            transferred_on=_date(entry, "transferred_on", where, null=True),
            transferred_on_text=_str(entry, "transferred_on_text", where),
            transfer_reason=_str(entry, "transfer_reason", where),
            percent=_percent(entry, "percent", where),
            component_label=_str(entry, "component_label", where),
            source=_str(entry, "source", where),
            public_summary=_str(entry, "public_summary", where),
            summary_published=_bool(entry, "summary_published", where),
            published_at=_datetime(entry, "published_at", where),
            published_by=self._user(entry, "published_by", where),
        )
        case.orders.set(
            [self._org_code(code, f"{where}, champ « orders »") for code in _list(entry, "orders", where)]
        )
        case.organizations.set(
            [
                self._org_code(code, f"{where}, champ « organizations »")
                for code in _list(entry, "organizations", where)
            ]
        )
        case.measures.set(measures)
        for w in _list(entry, "working_group", where):
            self.where = f"{where}, groupe de travail"
            WorkingGroupMember.objects.create(
                case=case,
                position=_int(w, "position", self.where),
                organization=self._org(w, "organization", self.where),
                person_name=_str(w, "person_name", self.where),
                role=_str(w, "role", self.where),
            )
        for m in _list(entry, "meetings", where):
            self.where = f"{where}, rencontre"
            Meeting.objects.create(
                case=case,
                date=_date(m, "date", self.where),
                participants=_str(m, "participants", self.where),
                minutes=_str(m, "minutes", self.where),
            )
        for s in _list(entry, "solutions", where):
            self.where = f"{where}, solution"
            Solution.objects.create(
                case=case,
                position=_int(s, "position", self.where),
                text=_str(s, "text", self.where, required=True),
                state=_choice(s, "state", self.where, Solution.State.values),
            )
        self.cases[reference] = case

    def _case_refs(self, entry, where) -> list[Case]:
        found = []
        for reference in _list(entry, "cases", where):
            if reference not in self.cases:
                raise DataError(
                    f"{where}, champ « cases » : le cas « {reference} » n’est pas dans la sauvegarde."
                )
            found.append(self.cases[reference])
        return found

    def _recommendation(self, entry):
        number = _str(entry, "number", "recommandation", required=True)
        where = self.where = f"recommandation {number}"
        measures = self._measure_refs(entry, where)
        cases = self._case_refs(entry, where)
        existing = Recommendation.objects.filter(number=number).first()
        if existing is not None:
            existing.measures.add(*measures)
            existing.cases.add(*cases)
            self.recommendations[number] = existing
            self.notes.append(
                f"{where} : déjà dans la base, conservée telle quelle et reliée aux mesures restaurées."
            )
            return
        recommendation = Recommendation(
            number=number,
            title=_str(entry, "title", where, required=True),
            text=_str(entry, "text", where),
            owner=self._org(entry, "owner", where, null=False) if "owner" in entry else self.plan.owner,
            addressee=self._org(entry, "addressee", where, null=False),
            state=_choice(entry, "state", where, RecommendationState.values),
            sent_on=_date(entry, "sent_on", where, null=True),
            received_on=_date(entry, "received_on", where, null=True),
            published=_bool(entry, "published", where),
            published_at=_datetime(entry, "published_at", where),
            created_by=self._user(entry, "created_by", where),
            created_at=_datetime(entry, "created_at", where, null=False),
            closed_at=_datetime(entry, "closed_at", where),
        )
        recommendation.save()  # computes the due date from the date of receipt
        due_on = _date(entry, "due_on", where, null=True)
        if recommendation.due_on != due_on:
            self.notes.append(
                f"{where} : échéance recalculée au {recommendation.due_on} (la sauvegarde indiquait {due_on}) "
                "selon le calendrier des jours fériés en vigueur."
            )
        recommendation.measures.set(measures)
        recommendation.cases.set(cases)
        self.recommendations[number] = recommendation
        for a in _list(entry, "attachments", where):
            self._attachment(a, f"{where}, document joint", recommendation=recommendation)
        answer_entry = _dict(entry, "answer", where, null=True)
        if answer_entry is not None:
            a_where = self.where = f"{where}, réponse"
            answer = Answer.objects.create(
                recommendation=recommendation,
                kind=_choice(answer_entry, "kind", a_where, Answer.Kind.values),
                text=_str(answer_entry, "text", a_where),
                answered_on=_date(answer_entry, "answered_on", a_where),
                filed_by=self._user(answer_entry, "filed_by", a_where),
                filed_at=_datetime(answer_entry, "filed_at", a_where, null=False),
                published=_bool(answer_entry, "published", a_where),
                published_at=_datetime(answer_entry, "published_at", a_where),
            )
            for a in _list(answer_entry, "attachments", a_where):
                self._attachment(a, f"{a_where}, document joint", answer=answer)

    def _attachment(self, entry, where, *, recommendation=None, answer=None):
        name = _str(entry, "original_name", where, required=True)
        where = self.where = f"{where} « {name} »"
        content_type = _str(entry, "content_type", where, required=True)
        size = _int(entry, "size", where)
        attachment = Attachment(
            recommendation=recommendation,
            answer=answer,
            original_name=name,
            content_type=content_type,
            size=size,
            uploaded_by=self._user(entry, "uploaded_by", where),
            uploaded_at=_datetime(entry, "uploaded_at", where, null=False),
        )
        stored_name = _str(entry, "file", where, required=True)
        try:
            validate_file_name(stored_name, allow_relative_path=True)
        except SuspiciousFileOperation as exc:
            raise DataError(f"{where}, champ « file » : nom de fichier refusé « {stored_name} ».") from exc
        encoded = _value(entry, "content", where)
        if encoded is None:
            self.notes.append(
                f"{where} : sauvegardé sans contenu (fichier déjà absent lors de la sauvegarde)."
            )
            # Still missing, as when it was saved; never pointed at a file that
            # happens to exist under that name, whose content nothing vouches for.
            attachment.file.name = "" if attachment.file.storage.exists(stored_name) else stored_name
            attachment.save()
            return
        content = _bytes(entry, "content", where)
        sha256 = hashlib.sha256(content).hexdigest()
        if sha256 != _str(entry, "sha256", where) or len(content) != size:
            raise DataError(
                f"{where} : l’empreinte SHA-256 ou la taille ne correspond pas au contenu (fichier altéré)."
            )
        if detect_content_type(io.BytesIO(content)) != content_type:
            raise DataError(f"{where} : le contenu n’est pas celui d’un document « {content_type} ».")
        storage = attachment.file.storage
        if storage.exists(stored_name):
            with storage.open(stored_name, "rb") as handle:
                same = hashlib.sha256(handle.read()).hexdigest() == sha256
            if same:  # the file survived in the storage: keep it, under its name
                attachment.file.name = stored_name
                attachment.save()
                return
        saved = storage.save(stored_name, ContentFile(content))
        self.written.append((storage, saved))
        attachment.file.name = saved
        attachment.save()

    def _notification(self, entry):
        template = _str(entry, "key", "courriel envoyé", required=True)
        where = self.where = f"courriel envoyé « {template} »"
        refs = _dict(entry, "key_refs", where)
        campaign_as_of = _str(entry, "campaign", where, null=True)
        campaign = None
        if campaign_as_of is not None:
            if campaign_as_of not in self.campaigns:
                raise DataError(
                    f"{where}, champ « campaign » : campagne {campaign_as_of} absente de la sauvegarde."
                )
            campaign = self.campaigns[campaign_as_of]
        key = template
        for kind, placeholder in KEY_PARTS.items():
            if placeholder not in key:
                continue
            if kind not in refs:
                raise DataError(f"{where}, champ « key_refs » : « {kind} » manquant.")
            key = key.replace(placeholder, str(self._key_object(kind, refs[kind], where).pk))
        if SentNotification.objects.filter(key=key).exists():
            return  # sent for a recommendation kept as it was
        SentNotification.objects.create(
            key=key,
            kind=_str(entry, "kind", where),
            campaign=campaign,
            organization=self._org(entry, "organization", where),
            recipients=_str(entry, "recipients", where),
            sent_at=_datetime(entry, "sent_at", where, null=False),
        )

    def _key_object(self, kind: str, ref, where: str):
        if kind == "org":
            return self._org_code(ref, f"{where}, champ « key_refs »")
        if kind == "campaign" and ref in self.campaigns:
            return self.campaigns[ref]
        if kind == "recommendation" and ref in self.recommendations:
            return self.recommendations[ref]
        if kind == "draft" and isinstance(ref, dict):
            draft = self.drafts.get((ref.get("campaign"), ref.get("measure")))
            if draft is not None:
                return draft
        raise DataError(f"{where}, champ « key_refs » : {kind} « {ref} » absent de la sauvegarde.")


def restore_plan(*, data: dict, notes: list[str] | None = None) -> Plan:
    """Write back a plan exported by ``export_plan``, into a database without it.

    All or nothing, in one transaction; a ``DataError`` in French names what
    is wrong (format, version, missing field, the plan already there…).
    ``notes`` receives what the restoration did not do as the document says
    (a link to a measure of a plan that is not in the database, a case kept
    as it was).
    """
    check_format(data)
    notes = [] if notes is None else notes
    written: list = []
    try:
        with recorded_as(source=RESTORE), transaction.atomic():
            return _Restoration(data, written, notes).run()
    except BaseException:
        for storage, name in written:  # the rows are rolled back: the files must go too
            storage.delete(name)
        raise
