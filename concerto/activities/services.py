"""Operations on the CIQ's activities: keyword-only, permission first, one transaction each, e-mails after.

The seat decision (``register``, ``cancel``) is taken holding the session's
row lock (``select_for_update``): two people registering at the same second
are served one after the other, so a session never has more confirmed
registrations than seats and the waiting list keeps the order in which the
requests were accepted. (SQLite serializes writers by itself.) E-mails leave
through the outbox once the transaction has committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.accounts.rules import is_signed_in

from . import notifications, rules
from .models import Activity, Registration, Session


def _require_manager(user, activity: Activity) -> None:
    if not rules.can_manage(user, activity):
        raise PermissionDenied(_("Cette action est réservée à la coordination du CIQ."))


# --- activities and sessions (CIQ staff) ---------------------------------------------------


def save_activity(*, user, activity: Activity) -> Activity:
    """Create or update an activity; a new one belongs to the CIQ the person coordinates."""
    if activity.pk is None and activity.owner_id is None:
        owner = rules.ciq_owner(user)
        if owner is None:
            raise PermissionDenied(_("Cette action est réservée à la coordination du CIQ."))
        activity.owner = owner
    _require_manager(user, activity)
    activity.full_clean()
    with transaction.atomic():
        activity.save()
    return activity


def save_session(*, user, session: Session) -> Session:
    """Create or update a session. Its capacity cannot drop below the confirmed registrations."""
    _require_manager(user, session.activity)
    session.full_clean()
    with transaction.atomic():
        if session.pk:
            locked = Session.objects.select_for_update().get(pk=session.pk)
            confirmed = locked.registrations.filter(status=Registration.Status.REGISTERED).count()
            if session.capacity < confirmed:
                raise ValidationError(
                    {
                        "capacity": _(
                            "%(count)d personnes sont déjà inscrites : le nombre de places ne peut pas "
                            "descendre en dessous."
                        )
                        % {"count": confirmed}
                    }
                )
            moved = (locked.starts_at, locked.ends_at, locked.place, locked.online_url) != (
                session.starts_at,
                session.ends_at,
                session.place,
                session.online_url,
            )
            changed = moved or locked.status != session.status
            if changed:
                session.sequence = locked.sequence + 1
        else:
            changed = False
        session.save()
        promoted = _fill_seats(session) if session.pk and not session.is_cancelled else []
    for registration in promoted:
        notifications.send_promotion(registration)
    if changed:
        # After the commit: the people registered or waiting learn of the new time, place or cancellation.
        notifications.send_session_update(session)
    return session


# --- registration (an order's staff) ------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    registration: Registration
    waitlisted: bool


def _refuse(message) -> None:
    raise ValidationError(message)


def register(*, user, session: Session, organization=None, now=None) -> Outcome:
    """Register ``user`` for ``session`` on behalf of one of their orders in its audience.

    A confirmed seat while one is left, otherwise the end of the waiting list.
    Refused, with a French message, after the registration deadline, for a
    cancelled or started session, twice for the same person, and beyond the
    order's cap (confirmed and waiting registrations of that order count).
    """
    if not is_signed_in(user):
        raise PermissionDenied(_("Connectez-vous pour vous inscrire."))
    eligible = rules.eligible_organizations(user, session)
    if organization is None and len(eligible) == 1:
        organization = eligible[0]
    if organization is None or organization.pk not in {o.pk for o in eligible}:
        raise PermissionDenied(
            _(
                "Cette séance est réservée au personnel des ordres visé ; votre rôle ne permet pas de vous y inscrire."
            )
        )
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        # The moment the request is accepted, once the lock is held: the waiting list's order.
        now = now or timezone.now()
        if locked.is_cancelled:
            _refuse(_("Cette séance est annulée : les inscriptions sont fermées."))
        if now > locked.registration_deadline or now >= locked.starts_at:
            _refuse(
                _("Les inscriptions à cette séance sont fermées depuis le %(deadline)s.")
                % {"deadline": _moment(locked.registration_deadline)}
            )
        active = locked.registrations.filter(status__in=Registration.ACTIVE)
        if active.filter(user=user).exists():
            _refuse(_("Vous êtes déjà inscrite ou inscrit à cette séance (ou en liste d’attente)."))
        if locked.per_order_cap is not None:
            taken = active.filter(organization=organization).count()
            if taken >= locked.per_order_cap:
                _refuse(
                    _(
                        "%(order)s a atteint le maximum de %(cap)d inscription(s) par ordre fixé par le CIQ "
                        "pour cette séance."
                    )
                    % {"order": organization.name, "cap": locked.per_order_cap}
                )
        confirmed = active.filter(status=Registration.Status.REGISTERED).count()
        registration = Registration(session=locked, user=user, organization=organization, created_at=now)
        if confirmed < locked.capacity:
            registration.status = Registration.Status.REGISTERED
        else:
            last = locked.registrations.aggregate(last=Max("position"))["last"] or 0
            registration.status = Registration.Status.WAITLISTED
            registration.position = last + 1
        registration.save()
    registration.session = locked
    if registration.status == Registration.Status.REGISTERED:
        notifications.send_confirmation(registration)
    else:
        notifications.send_waitlisted(registration)
    return Outcome(registration, registration.status == Registration.Status.WAITLISTED)


def cancel(*, user, registration: Registration, now=None) -> Registration | None:
    """Cancel one's own registration until the session's cut-off; returns the person promoted, if any.

    The CIQ's staff may cancel anyone's at any time before the session starts.
    """
    now = now or timezone.now()
    session = registration.session
    staff = rules.can_manage(user, session.activity)
    if not staff and registration.user_id != getattr(user, "pk", None):
        raise PermissionDenied(_("Vous ne pouvez annuler que votre propre inscription."))
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        current = Registration.objects.get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            _refuse(_("Cette inscription est déjà annulée."))
        if now >= locked.starts_at:
            _refuse(_("La séance a commencé : l’inscription ne peut plus être annulée."))
        if not staff and now > locked.cancellation_cutoff:
            _refuse(
                _(
                    "L’annulation n’est plus possible depuis le %(cutoff)s ; écrivez au CIQ si vous ne "
                    "pouvez pas participer."
                )
                % {"cutoff": _moment(locked.cancellation_cutoff)}
            )
        current.status = Registration.Status.CANCELLED
        current.cancelled_at = now
        current.save()
        promoted = [] if locked.is_cancelled else _fill_seats(locked, now=now)
    registration.refresh_from_db()
    for person in promoted:
        notifications.send_promotion(person)
    return promoted[0] if promoted else None


def _fill_seats(session: Session, *, now=None) -> list[Registration]:
    """Promote waiting people, first arrived first, while seats are free. Caller holds the session's lock."""
    now = now or timezone.now()
    if now >= session.starts_at:
        return []
    confirmed = session.registrations.filter(status=Registration.Status.REGISTERED).count()
    free = session.capacity - confirmed
    if free <= 0:
        return []
    promoted = list(
        session.registrations.filter(status=Registration.Status.WAITLISTED)
        .select_related("user", "organization")
        .order_by("position")[:free]
    )
    for registration in promoted:
        registration.status = Registration.Status.REGISTERED
        registration.promoted_at = now
        registration.save()
        registration.session = session
    return promoted


# --- attendance (CIQ staff) ------------------------------------------------------------


def record_attendance(*, user, session: Session, attendance: dict[int, str], now=None) -> int:
    """Record who attended a session that has started; ``attendance`` maps registration id -> value.

    Only confirmed registrations have an attendance. Returns how many changed.
    """
    now = now or timezone.now()
    _require_manager(user, session.activity)
    if now < session.starts_at:
        raise ValidationError(_("Les présences se saisissent une fois la séance commencée."))
    allowed = {
        Registration.Attendance.ATTENDED,
        Registration.Attendance.ABSENT,
        Registration.Attendance.UNKNOWN,
    }
    changed = 0
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        rows = list(
            locked.registrations.filter(
                status=Registration.Status.REGISTERED, pk__in=list(attendance)
            ).order_by("pk")
        )
        for registration in rows:
            value = attendance[registration.pk]
            if value not in allowed:
                raise ValidationError(_("Présence invalide : « %(value)s ».") % {"value": value})
            if registration.attendance != value:
                registration.attendance = value
                registration.save(update_fields=["attendance"])
                changed += 1
        locked.attendance_recorded_at = now
        locked.save(update_fields=["attendance_recorded_at"])
    session.attendance_recorded_at = now
    return changed


def _moment(value) -> str:
    """« 12 mars 2026 à 17:00 » (in the page's language), for the refusals."""
    from django.utils import formats

    return formats.date_format(timezone.localtime(value), "j F Y, H:i")
