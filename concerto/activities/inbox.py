"""The activities' items of « Mes tâches » (``concerto.core.inbox``).

- a registrant: each upcoming session they are registered for or waiting
  for (for information, with their place in the waiting list), and each
  certificate of attendance of the last ``CERTIFICATE_DAYS`` days;
- CIQ staff: each past session of the CIQ's activities whose attendance is
  not recorded yet.

One query for a registrant, one for staff, whatever the number of sessions
and registrations; nothing names another person.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.accounts.rules import coordinated_owner_ids, is_signed_in
from concerto.core.inbox import Task, french

from .models import Registration, Session

CERTIFICATE_DAYS = 90


def registrant_tasks(user, *, today):
    if not is_signed_in(user):
        return []
    now = timezone.now()
    ahead = (
        Registration.objects.filter(
            session=OuterRef("session"),
            status=Registration.Status.WAITLISTED,
            position__lt=OuterRef("position"),
        )
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    since = now - datetime.timedelta(days=CERTIFICATE_DAYS)
    rows = list(
        Registration.objects.filter(user=user)
        .filter(
            Q(
                status__in=Registration.ACTIVE,
                session__ends_at__gte=now,
                session__status=Session.Status.SCHEDULED,
            )
            | Q(
                status=Registration.Status.REGISTERED,
                attendance=Registration.Attendance.ATTENDED,
                session__ends_at__gte=since,
            )
        )
        .select_related("session", "session__activity", "organization")
        .annotate(ahead=Subquery(ahead))
        .order_by("session__starts_at", "pk")
    )
    tasks = []
    for r in rows:
        session = r.session
        title = session.activity.title
        day = timezone.localtime(session.starts_at).date()
        if r.attendance == Registration.Attendance.ATTENDED and session.ends_at < now:
            tasks.append(
                Task(
                    title=_("Télécharger votre attestation de participation à « %(title)s »")
                    % {"title": title},
                    url=reverse("activity-certificate", args=[r.pk]),
                    status=_("Attestation disponible"),
                    detail=french(r.organization.name),
                    kind="info",
                )
            )
            continue
        if r.status == Registration.Status.WAITLISTED:
            status = _("En liste d’attente (rang %(rank)d)") % {"rank": (r.ahead or 0) + 1}
        else:
            status = _("Inscription confirmée")
        tasks.append(
            Task(
                title=_("Participer à « %(title)s »") % {"title": title},
                url=reverse("activity-detail", args=[session.activity.slug]) + f"#seance-{session.pk}",
                due=day,
                status=status,
                detail=timezone.localtime(session.starts_at).strftime("%H:%M"),
                kind="info",
            )
        )
    return tasks


def staff_tasks(user, *, today):
    owners = coordinated_owner_ids(user)
    if not owners:
        return []
    sessions = list(
        Session.objects.filter(
            activity__owner__in=owners,
            status=Session.Status.SCHEDULED,
            ends_at__lt=timezone.now(),
            attendance_recorded_at__isnull=True,
        )
        .filter(registrations__status=Registration.Status.REGISTERED)
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.REGISTERED))
        )
        .select_related("activity")
        .order_by("starts_at", "pk")
    )
    return [
        Task(
            title=_("Saisir les présences : « %(title)s »") % {"title": s.activity.title},
            url=reverse("activity-session-registrations", args=[s.pk]),
            due=timezone.localtime(s.ends_at).date(),
            status=_("%(count)d personne(s) inscrite(s)") % {"count": s.confirmed},
            detail=timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M"),
        )
        for s in sessions
    ]
