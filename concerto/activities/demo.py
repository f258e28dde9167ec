"""The activities' part of ``load_demo``: three labelled activities, one of them full with a waiting list.

Everything is fictitious and says so: each title starts with « Démonstration »,
each activity is flagged ``is_demo`` (its pages show the banner), and the
people registered are inactive demonstration accounts that cannot sign in
(« Personne de démonstration N »). Sessions are placed relative to the day
of loading so that they are upcoming; a second run finds the activities by
their address and changes nothing. No e-mail is sent.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from concerto.accounts.models import Membership, Role
from concerto.ciq.models import CIQ_CODE
from concerto.core.demo import demo_title
from concerto.organizations.models import Organization

from .models import Activity, Registration, Session

SLUGS = ("demo-formation-reconnaissance", "demo-webinaire-portail", "demo-reflexion-avenir")
PEOPLE = 12


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _people(orders) -> list[tuple]:
    User = get_user_model()
    people = []
    for n in range(1, PEOPLE + 1):
        order = orders[n % len(orders)]
        user, created = User.objects.get_or_create(
            username=f"demo-activites-{n:02d}",
            defaults={
                "first_name": "Personne de démonstration",
                "last_name": str(n),
                "email": "",
                "is_active": False,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            Membership.objects.create(user=user, organization=order, role=Role.READER)
        people.append((user, order))
    return people


def load_activities_demo(*, out) -> str:
    ciq = Organization.objects.filter(code=CIQ_CODE).first()
    orders = list(
        Organization.objects.filter(kind=Organization.Kind.PROFESSIONAL_ORDER).order_by(
            "order_number", "name", "pk"
        )
    )
    if ciq is None or not orders:
        return "rien chargé : importez d’abord les organisations (make load)"
    if Activity.objects.filter(slug__in=SLUGS).exists():
        return "activités de démonstration déjà présentes, rien de changé"
    people = _people(orders)

    training = Activity.objects.create(
        owner=ciq,
        kind=Activity.Kind.TRAINING,
        title=demo_title("La reconnaissance des compétences des personnes formées hors du Québec"),
        slug=SLUGS[0],
        description=(
            "Démonstration — Formation fictive.\n\n"
            "Une demi-journée pour le personnel des ordres qui traite les demandes d’équivalence : "
            "les étapes, les délais, les **mesures de compensation**."
        ),
        hours=Decimal("3.5"),
        is_demo=True,
    )
    full = Session.objects.create(
        activity=training,
        starts_at=_at(14, 9),
        ends_at=_at(14, 12),
        place="Démonstration — Montréal, salle du CIQ",
        capacity=6,
        registration_deadline=_at(10, 17),
        cancellation_cutoff=_at(12, 17),
    )
    past = Session.objects.create(
        activity=training,
        starts_at=_at(-20, 9),
        ends_at=_at(-20, 12),
        place="Démonstration — Québec",
        capacity=20,
        registration_deadline=_at(-25, 17),
        cancellation_cutoff=_at(-22, 17),
        attendance_recorded_at=_at(-19, 10),
    )
    webinar = Activity.objects.create(
        owner=ciq,
        kind=Activity.Kind.WEBINAR,
        title=demo_title("Le système professionnel en une heure"),
        slug=SLUGS[1],
        description="Démonstration — Webinaire fictif d’introduction au système professionnel québécois.",
        is_demo=True,
    )
    online = Session.objects.create(
        activity=webinar,
        starts_at=_at(30, 12),
        ends_at=_at(30, 13),
        online_url="https://example.org/demonstration-webinaire",
        capacity=100,
        registration_deadline=_at(29, 12),
        cancellation_cutoff=_at(29, 12),
    )
    reflection = Activity.objects.create(
        owner=ciq,
        kind=Activity.Kind.REFLECTION,
        title=demo_title("Journée de réflexion des coordinations des ordres"),
        slug=SLUGS[2],
        description="Démonstration — Activité fictive réservée aux coordinations des ordres.",
        is_public=False,
        is_demo=True,
    )
    Session.objects.create(
        activity=reflection,
        starts_at=_at(45, 9),
        ends_at=_at(45, 16),
        place="Démonstration — Trois-Rivières",
        capacity=40,
        registration_deadline=_at(38, 17),
        cancellation_cutoff=_at(40, 17),
        audience=[Role.COORDINATOR],
        per_order_cap=2,
    )

    rows = []
    base = timezone.now() - datetime.timedelta(days=3)
    for n, (user, order) in enumerate(people[:9]):
        waiting = n >= full.capacity
        rows.append(
            Registration(
                session=full,
                user=user,
                organization=order,
                status=Registration.Status.WAITLISTED if waiting else Registration.Status.REGISTERED,
                position=n - full.capacity + 1 if waiting else None,
                created_at=base + datetime.timedelta(minutes=n),
            )
        )
    for n, (user, order) in enumerate(people[:5]):
        rows.append(
            Registration(
                session=past,
                user=user,
                organization=order,
                status=Registration.Status.REGISTERED,
                created_at=base - datetime.timedelta(days=30, minutes=-n),
                attendance=Registration.Attendance.ABSENT if n == 4 else Registration.Attendance.ATTENDED,
            )
        )
    for n, (user, order) in enumerate(people[6:]):
        rows.append(
            Registration(
                session=online,
                user=user,
                organization=order,
                status=Registration.Status.REGISTERED,
                created_at=base + datetime.timedelta(hours=1, minutes=n),
            )
        )
    for row in rows:
        row.save()  # one by one: each registration has its audit trail
    out(
        f"Activités : 3 activités, 4 séances, {len(rows)} inscriptions (une séance complète avec liste d’attente)."
    )
    return f"3 activités, 4 séances, {len(rows)} inscriptions"
