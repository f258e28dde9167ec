"""Backup of the CIQ's groups (see ``concerto.core.backup``).

Under the document's ``ciq_groups`` key, every group (they belong to no plan:
like the pathway's registers, they are shared by every plan's backup), with
its members (current and past), meetings, agenda items and their documents
(written whole with their SHA-256, as the CIQ's documents), attendance,
minutes, decisions and action items. The calendar feeds' secret tokens are
not saved: each person creates a new address after a restoration.

A group is named by its slug, a meeting by its start, an agenda item by its
rank, a member by their rank in the group's list (the document is read
whole). The consultations and opinions a group prepares are named as the
opinions' backup names them (a file's reference and a consultation's
creation time; an opinion's reference) and looked up once the CIQ's and the
opinions' sections are restored; a link to something in neither the backup
nor the database is left out and noted. A group already in the database is
kept as it is (and noted), so restoring a second plan writes nothing twice.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch

from concerto.ciq.backup import _file_entry, _restore_file
from concerto.ciq.models import Consultation
from concerto.core import backup
from concerto.core.backup import require, save_valid
from concerto.opinions.models import Opinion

from .models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    Attendance,
    Decision,
    Group,
    Meeting,
    Membership,
    Minutes,
)

KEY = "ciq_groups"


# --- export -------------------------------------------------------------------


def _groups():
    return (
        Group.objects.select_related("owner")
        .prefetch_related(
            Prefetch("consultations", queryset=Consultation.objects.select_related("dossier").order_by("pk")),
            Prefetch("opinions", queryset=Opinion.objects.order_by("reference")),
            Prefetch(
                "members",
                queryset=Membership.objects.select_related("user", "organization").order_by("pk"),
            ),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("minutes__adopted_at")
                .prefetch_related(
                    Prefetch(
                        "agenda_items",
                        queryset=AgendaItem.objects.order_by("position").prefetch_related(
                            Prefetch(
                                "documents",
                                queryset=AgendaDocument.objects.select_related("uploaded_by").order_by("pk"),
                            )
                        ),
                    ),
                    Prefetch("attendances", queryset=Attendance.objects.order_by("pk")),
                    Prefetch("decisions", queryset=Decision.objects.order_by("pk")),
                    Prefetch(
                        "action_items",
                        queryset=ActionItem.objects.select_related("owner_user", "done_by").order_by("pk"),
                    ),
                )
                .order_by("starts_at", "pk"),
            ),
        )
        .order_by("slug")
    )


def _minutes(meeting) -> dict | None:
    try:
        minutes = meeting.minutes
    except Minutes.DoesNotExist:
        return None
    return {
        "body": minutes.body,
        "state": minutes.state,
        "adopted_at": backup.dt(minutes.adopted_at.starts_at) if minutes.adopted_at_id else None,
        "adopted_on": backup.dt(minutes.adopted_on),
        "updated_at": backup.dt(minutes.updated_at),
    }


def _meeting(ctx, meeting, ranks: dict[int, int]) -> dict:
    return {
        "title": meeting.title,
        "starts_at": backup.dt(meeting.starts_at),
        "ends_at": backup.dt(meeting.ends_at),
        "place": meeting.place,
        "video_link": meeting.video_link,
        "status": meeting.status,
        "sequence": meeting.sequence,
        "agenda": [
            {
                "position": item.position,
                "title": item.title,
                "documents": [{"title": d.title, **_file_entry(ctx, d)} for d in item.documents.all()],
            }
            for item in meeting.agenda_items.all()
        ],
        "attendance": [
            {"member": ranks[a.membership_id], "status": a.status} for a in meeting.attendances.all()
        ],
        "minutes": _minutes(meeting),
        "decisions": [
            {"text": d.text, "created_at": backup.dt(d.created_at)} for d in meeting.decisions.all()
        ],
        "action_items": [
            {
                "text": a.text,
                "owner_member": ranks.get(a.owner_membership_id),
                "owner_user": ctx.user(a.owner_user),
                "due_on": backup.d(a.due_on),
                "done_at": backup.dt(a.done_at),
                "done_by": ctx.user(a.done_by),
            }
            for a in meeting.action_items.all()
        ],
    }


def export(ctx: backup.ExportContext) -> dict:
    entries = []
    for group in _groups():
        members = list(group.members.all())
        ranks = {m.pk: rank for rank, m in enumerate(members, start=1)}
        entries.append(
            {
                "slug": group.slug,
                "owner": ctx.org(group.owner),
                "kind": group.kind,
                "name": group.name,
                "mandate": group.mandate,
                "started_on": backup.d(group.started_on),
                "ended_on": backup.d(group.ended_on),
                "is_demo": group.is_demo,
                "created_at": backup.dt(group.created_at),
                "consultations": [
                    {"dossier": c.dossier.reference, "created_at": backup.dt(c.created_at)}
                    for c in group.consultations.all()
                ],
                "opinions": [o.reference for o in group.opinions.all()],
                "members": [
                    {
                        "rank": ranks[m.pk],
                        "name": m.name,
                        "email": m.email,
                        "user": ctx.user(m.user),
                        "organization": ctx.org(m.organization),
                        "affiliation": m.affiliation,
                        "role": m.role,
                        "term_start": backup.d(m.term_start),
                        "term_end": backup.d(m.term_end),
                    }
                    for m in members
                ],
                "meetings": [_meeting(ctx, meeting, ranks) for meeting in group.meetings.all()],
            }
        )
    return {KEY: entries}


# --- restore ------------------------------------------------------------------


def _links(ctx, group, entry, where: str) -> None:
    consultations = []
    for ref in require(entry, "consultations", list, where):
        reference = require(ref, "dossier", str, f"{where}, consultation", blank=False)
        created_at = require(ref, "created_at", datetime.datetime, f"{where}, consultation")
        found = Consultation.objects.filter(dossier__reference=reference, created_at=created_at).first()
        if found is None:
            ctx.notes.append(f"{where} : consultation du dossier « {reference} » absente, lien non rétabli.")
        else:
            consultations.append(found)
    group.consultations.set(consultations)
    opinions = []
    for reference in require(entry, "opinions", list, where):
        found = Opinion.objects.filter(reference=reference).first() if isinstance(reference, str) else None
        if found is None:
            ctx.notes.append(f"{where} : avis « {reference} » absent, lien non rétabli.")
        else:
            opinions.append(found)
    group.opinions.set(opinions)


def _member(members: dict, entry, field: str, where: str, *, null: bool = False):
    rank = require(entry, field, int, where, null=null)
    if rank is None:
        return None
    if rank not in members:
        raise backup.DataError(f"{where}, champ « {field} » : membre {rank} absent de « members ».")
    return members[rank]


def _restore_meeting(ctx, group, members: dict, entry, g_where: str, meetings: dict) -> Meeting:
    starts_at = require(entry, "starts_at", datetime.datetime, f"{g_where}, réunion")
    where = ctx.where = f"{g_where}, réunion du {starts_at}"
    meeting = save_valid(
        Meeting(
            group=group,
            title=require(entry, "title", str, where),
            starts_at=starts_at,
            ends_at=require(entry, "ends_at", datetime.datetime, where),
            place=require(entry, "place", str, where),
            video_link=require(entry, "video_link", str, where),
            status=require(entry, "status", str, where),
            sequence=require(entry, "sequence", int, where),
        ),
        where,
    )
    meetings[backup.dt(starts_at)] = meeting
    for i_entry in require(entry, "agenda", list, where):
        position = require(i_entry, "position", int, f"{where}, point")
        i_where = ctx.where = f"{where}, point {position}"
        item = save_valid(
            AgendaItem(meeting=meeting, position=position, title=require(i_entry, "title", str, i_where)),
            i_where,
        )
        for d_entry in require(i_entry, "documents", list, i_where):
            _restore_file(
                ctx,
                d_entry,
                f"{i_where}, document",
                AgendaDocument(item=item, title=require(d_entry, "title", str, i_where)),
            )
    for a_entry in require(entry, "attendance", list, where):
        save_valid(
            Attendance(
                meeting=meeting,
                membership=_member(members, a_entry, "member", f"{where}, présence"),
                status=require(a_entry, "status", str, f"{where}, présence"),
            ),
            f"{where}, présence",
        )
    for d_entry in require(entry, "decisions", list, where):
        save_valid(
            Decision(
                meeting=meeting,
                text=require(d_entry, "text", str, f"{where}, décision"),
                created_at=require(d_entry, "created_at", datetime.datetime, f"{where}, décision"),
            ),
            f"{where}, décision",
        )
    for a_entry in require(entry, "action_items", list, where):
        a_where = f"{where}, suivi"
        save_valid(
            ActionItem(
                meeting=meeting,
                text=require(a_entry, "text", str, a_where),
                owner_membership=_member(members, a_entry, "owner_member", a_where, null=True),
                owner_user=ctx.user(a_entry, "owner_user", a_where),
                due_on=require(a_entry, "due_on", datetime.date, a_where),
                done_at=require(a_entry, "done_at", datetime.datetime, a_where, null=True),
                done_by=ctx.user(a_entry, "done_by", a_where),
            ),
            a_where,
        )
    return meeting


def _restore_minutes(ctx, meetings: dict, entries, g_where: str) -> None:
    """After every meeting of the group: minutes name the later meeting that adopted them."""
    for entry in entries:
        data = require(entry, "minutes", dict, g_where, null=True)
        if data is None:
            continue
        meeting = meetings[backup.dt(require(entry, "starts_at", datetime.datetime, g_where))]
        where = ctx.where = f"{g_where}, procès-verbal de la réunion du {meeting.starts_at}"
        adopted = require(data, "adopted_at", datetime.datetime, where, null=True)
        if adopted is not None and backup.dt(adopted) not in meetings:
            raise backup.DataError(f"{where}, champ « adopted_at » : réunion du {adopted} absente du groupe.")
        save_valid(
            Minutes(
                meeting=meeting,
                body=require(data, "body", str, where),
                state=require(data, "state", str, where),
                adopted_at=meetings[backup.dt(adopted)] if adopted is not None else None,
                adopted_on=require(data, "adopted_on", datetime.datetime, where, null=True),
                updated_at=require(data, "updated_at", datetime.datetime, where),
            ),
            where,
        )


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    if KEY not in data:  # a document written before the groups had a section
        return
    for entry in require(data, KEY, list, "document"):
        slug = require(entry, "slug", str, "groupe du CIQ", blank=False)
        where = ctx.where = f"groupe du CIQ « {slug} »"
        if Group.objects.filter(slug=slug).exists():
            ctx.notes.append(f"{where} : déjà présent dans la base, gardé tel quel.")
            continue
        group = save_valid(
            Group(
                slug=slug,
                owner=ctx.org(entry, "owner", where, null=False),
                kind=require(entry, "kind", str, where),
                name=require(entry, "name", str, where, blank=False),
                mandate=require(entry, "mandate", str, where),
                started_on=require(entry, "started_on", datetime.date, where),
                ended_on=require(entry, "ended_on", datetime.date, where, null=True),
                is_demo=require(entry, "is_demo", bool, where),
                created_at=require(entry, "created_at", datetime.datetime, where),
            ),
            where,
        )
        _links(ctx, group, entry, where)
        members = {}
        for m_entry in require(entry, "members", list, where):
            rank = require(m_entry, "rank", int, f"{where}, membre")
            m_where = ctx.where = f"{where}, membre {rank}"
            members[rank] = save_valid(
                Membership(
                    group=group,
                    name=require(m_entry, "name", str, m_where, blank=False),
                    email=require(m_entry, "email", str, m_where),
                    user=ctx.user(m_entry, "user", m_where),
                    organization=ctx.org(m_entry, "organization", m_where),
                    affiliation=require(m_entry, "affiliation", str, m_where),
                    role=require(m_entry, "role", str, m_where),
                    term_start=require(m_entry, "term_start", datetime.date, m_where),
                    term_end=require(m_entry, "term_end", datetime.date, m_where, null=True),
                ),
                m_where,
            )
        meetings: dict = {}
        meeting_entries = require(entry, "meetings", list, where)
        for m_entry in meeting_entries:
            _restore_meeting(ctx, group, members, m_entry, where, meetings)
        _restore_minutes(ctx, meetings, meeting_entries, where)


def summary(data: dict) -> list[str]:
    part = data.get(KEY)
    if not isinstance(part, list):
        return []
    meetings = sum(len(g.get("meetings", [])) for g in part if isinstance(g, dict))
    return [f"{len(part)} groupe(s) du CIQ, {meetings} réunion(s)"]


backup.register(backup.Section(name="groups", keys=(KEY,), export=export, restore=restore, summary=summary))
