"""The groups' part of ``load_demo``: three clearly labelled demonstration groups.

Everything is fictitious and says so: each group's name starts with
« Démonstration » (``demo_title``), the groups are flagged ``is_demo`` (their
pages show the banner), the people are « Personne fictive … » with no e-mail
address, so that nothing is ever sent to them. Members represent real orders
of data/organizations.yaml. Each group is looked up by its slug before
anything is created: a second run changes nothing. Meetings are placed
around the day of the first load (past ones with adopted or draft minutes,
an upcoming one), and the working group is linked to the CIQ's
demonstration consultation and opinion when they are loaded.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from concerto.ciq.models import CIQ_CODE, Consultation
from concerto.core.demo import demo_title
from concerto.opinions.models import Opinion
from concerto.organizations.models import Organization

from .models import ActionItem, AgendaItem, Attendance, Decision, Group, Meeting, Membership, Minutes

GROUPS = [
    {
        "slug": "demo-comite-formation",
        "kind": Group.Kind.COMMITTEE,
        "name": "Comité de la formation des ordres",
        "mandate": "Démonstration — Conseiller le CIQ sur la formation continue et la formation d’appoint "
        "offertes par les ordres.",
        "started_on": datetime.date(2023, 9, 1),
        "ended_on": None,
        "orders": 5,
    },
    {
        "slug": "demo-gt-admission",
        "kind": Group.Kind.WORKING_GROUP,
        "name": "Groupe de travail sur l’admission des personnes formées hors du Québec",
        "mandate": "Démonstration — Préparer l’avis du CIQ sur le projet de règlement relatif à la délivrance "
        "des permis aux personnes formées hors du Québec.",
        "started_on": datetime.date(2025, 2, 1),
        "ended_on": datetime.date(2026, 12, 31),
        "orders": 4,
    },
    {
        "slug": "demo-forum-presidences",
        "kind": Group.Kind.FORUM,
        "name": "Forum des présidences",
        "mandate": "Démonstration — Échanger sur les enjeux communs du système professionnel.",
        "started_on": datetime.date(2024, 1, 15),
        "ended_on": None,
        "orders": 6,
    },
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def load_groups_demo(*, out) -> str:
    ciq = Organization.objects.filter(code=CIQ_CODE).first()
    orders = list(
        Organization.objects.filter(kind=Organization.Kind.PROFESSIONAL_ORDER).order_by(
            "order_number", "name", "pk"
        )
    )
    if ciq is None or not orders:
        return "rien chargé : importez d’abord les organisations (make load)"
    today = timezone.localdate()
    created = 0
    offset = 0
    for spec in GROUPS:
        if Group.objects.filter(slug=spec["slug"]).exists():
            continue
        group = Group.objects.create(
            owner=ciq,
            kind=spec["kind"],
            name=demo_title(spec["name"]),
            slug=spec["slug"],
            mandate=spec["mandate"],
            started_on=spec["started_on"],
            ended_on=spec["ended_on"],
            is_demo=True,
        )
        members = _members(group, orders[offset : offset + spec["orders"]], spec["started_on"])
        offset += spec["orders"]
        _meetings(group, members, today)
        if spec["kind"] == Group.Kind.WORKING_GROUP:
            group.consultations.set(Consultation.objects.filter(dossier__is_demo=True))
            group.opinions.set(Opinion.objects.filter(dossier__is_demo=True))
        created += 1
        out(f"Groupe {group.slug} : {len(members)} membres.")
    if not created:
        return "groupes de démonstration déjà présents, rien de changé"
    return f"{created} groupe(s) de démonstration, avec réunions, procès-verbaux et suivis"


def _members(group: Group, orders, start: datetime.date) -> list[Membership]:
    rows = []
    for index, order in enumerate(orders):
        role = Membership.Role.CHAIR if index == 0 else Membership.Role.MEMBER
        rows.append(
            Membership.objects.create(
                group=group,
                name=f"Personne fictive {index + 1}",
                organization=order,
                role=role,
                term_start=start,
            )
        )
    rows.append(
        Membership.objects.create(
            group=group,
            name="Personne fictive (secrétariat)",
            affiliation="Démonstration — Secrétariat du CIQ",
            role=Membership.Role.SECRETARY,
            term_start=start,
        )
    )
    # A past member: the history the group's pages keep.
    rows.append(
        Membership.objects.create(
            group=group,
            name="Personne fictive (ancien membre)",
            affiliation="Démonstration — Université fictive",
            role=Membership.Role.MEMBER,
            term_start=start,
            term_end=start + datetime.timedelta(days=120),
        )
    )
    return rows


def _meetings(group: Group, members: list[Membership], today: datetime.date) -> None:
    current = [m for m in members if m.term_end is None]
    first = Meeting.objects.create(
        group=group,
        title="Démonstration — Réunion de travail",
        starts_at=_at(today - datetime.timedelta(days=60), 9),
        ends_at=_at(today - datetime.timedelta(days=60), 11),
        place="Démonstration — Bureaux du CIQ, Montréal",
        status=Meeting.Status.HELD,
    )
    second = Meeting.objects.create(
        group=group,
        title="Démonstration — Suivi des travaux",
        starts_at=_at(today - datetime.timedelta(days=20), 13),
        ends_at=_at(today - datetime.timedelta(days=20), 15),
        video_link="https://visio.example.org/demonstration",
        status=Meeting.Status.HELD,
    )
    Meeting.objects.create(
        group=group,
        title="Démonstration — Prochaine réunion",
        starts_at=_at(today + datetime.timedelta(days=14), 9),
        ends_at=_at(today + datetime.timedelta(days=14), 11),
        place="Démonstration — Bureaux du CIQ, Montréal",
    )
    for meeting in (first, second):
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, position=n, title=title)
            for n, title in enumerate(
                [
                    "Démonstration — Adoption de l’ordre du jour",
                    "Démonstration — État des travaux",
                    "Démonstration — Varia",
                ],
                start=1,
            )
        )
        Attendance.objects.bulk_create(
            Attendance(
                meeting=meeting,
                membership=m,
                status=Attendance.Status.EXCUSED if i == 2 else Attendance.Status.PRESENT,
            )
            for i, m in enumerate(current)
        )
    Minutes.objects.create(
        meeting=first,
        body="Démonstration — **Procès-verbal fictif.**\n\n1. L’ordre du jour est adopté.\n2. Les membres font le point sur les travaux.",
        state=Minutes.State.ADOPTED,
        adopted_at=second,
        adopted_on=second.starts_at,
    )
    Minutes.objects.create(
        meeting=second,
        body="Démonstration — Projet de procès-verbal, à adopter à la prochaine réunion.",
    )
    Decision.objects.create(meeting=first, text="Démonstration — Le groupe adopte son plan de travail.")
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                meeting=first,
                text="Démonstration — Transmettre le plan de travail aux ordres.",
                owner_membership=current[0],
                due_on=today - datetime.timedelta(days=40),
                done_at=_at(today - datetime.timedelta(days=45), 10),
            ),
            ActionItem(
                meeting=second,
                text="Démonstration — Rassembler les commentaires des ordres.",
                owner_membership=current[1],
                due_on=today + datetime.timedelta(days=7),
            ),
            ActionItem(
                meeting=second,
                text="Démonstration — Préparer une note de synthèse.",
                owner_membership=current[-1],
                due_on=today - datetime.timedelta(days=5),
            ),
        ]
    )
