"""Operations on the CIQ's groups: keyword-only, permission first, one
transaction each, then the e-mails (``send_once`` runs outside transactions).

Errors are French ``ValidationError``s naming the field.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notifications, rules
from .models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    Attendance,
    CalendarToken,
    Decision,
    Group,
    Meeting,
    Membership,
    Minutes,
    new_token,
)


def _require_staff(user, group: Group) -> None:
    if not rules.is_staff_of(user, group):
        raise PermissionDenied(_("Réservé à la coordination du CIQ."))


def save_group(*, user, group: Group, consultations=None, opinions=None) -> Group:
    """Create or update a group (its owner is set by the caller: the CIQ)."""
    _require_staff(user, group)
    group.full_clean()
    with transaction.atomic():
        group.save()
        if consultations is not None:
            group.consultations.set(consultations)
        if opinions is not None:
            group.opinions.set(opinions)
    return group


def add_member(*, user, membership: Membership) -> Membership:
    _require_staff(user, membership.group)
    membership.full_clean()
    membership.save()
    return membership


def end_term(*, user, membership: Membership, on: datetime.date) -> Membership:
    """End a member's term on ``on``; the row stays in the group's history."""
    _require_staff(user, membership.group)
    if on < membership.term_start:
        raise ValidationError(
            {
                "term_end": _("Fin du mandat : la date ne peut précéder le début du mandat (%(start)s).")
                % {"start": membership.term_start.isoformat()}
            }
        )
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        locked.term_end = on
        locked.save(update_fields=["term_end"])
    return locked


def _check_times(meeting: Meeting) -> None:
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": _("Fin : la réunion doit finir après son début.")})


def save_meeting(*, user, meeting: Meeting) -> int:
    """Create or change a meeting; invite the current members when it is new or
    its time or place changed (a new invitation version). Returns e-mails sent."""
    _require_staff(user, meeting.group)
    _check_times(meeting)
    with transaction.atomic():
        if meeting.pk is None:
            changed = True
            meeting.save()
        else:
            before = Meeting.objects.select_for_update().get(pk=meeting.pk)
            if before.status == Meeting.Status.CANCELLED:
                raise ValidationError(_("Cette réunion est annulée : elle ne peut plus être modifiée."))
            changed = any(
                getattr(before, f) != getattr(meeting, f)
                for f in ("starts_at", "ends_at", "place", "video_link")
            )
            if changed:
                meeting.sequence = before.sequence + 1
            meeting.save()
    if changed and meeting.status == Meeting.Status.SCHEDULED:
        return notifications.send_invitations(meeting)
    return 0


def cancel_meeting(*, user, meeting: Meeting) -> int:
    _require_staff(user, meeting.group)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == Meeting.Status.CANCELLED:
            raise ValidationError(_("Cette réunion est déjà annulée."))
        if locked.status == Meeting.Status.HELD:
            raise ValidationError(_("Une réunion tenue ne peut être annulée."))
        locked.status = Meeting.Status.CANCELLED
        locked.sequence += 1
        locked.save(update_fields=["status", "sequence"])
    return notifications.send_cancellations(locked)


def add_agenda_item(*, user, meeting: Meeting, title: str) -> AgendaItem:
    _require_staff(user, meeting.group)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
        return AgendaItem.objects.create(meeting=meeting, position=last + 1, title=title)


def add_document(*, user, item: AgendaItem, upload, content_type: str, title: str = "") -> AgendaDocument:
    _require_staff(user, item.meeting.group)
    return AgendaDocument.objects.create(
        item=item,
        title=title,
        file=upload,
        original_name=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )


def record_attendance(*, user, meeting: Meeting, statuses: dict[int, str]) -> None:
    """``statuses``: membership id -> present / excused / absent (an empty value leaves the row out)."""
    _require_staff(user, meeting.group)
    valid = set(Attendance.Status.values)
    allowed = set(meeting.group.members.values_list("pk", flat=True))
    with transaction.atomic():
        for membership_id, status in statuses.items():
            if membership_id not in allowed:
                raise ValidationError(_("Présences : cette personne n’est pas membre du groupe."))
            if not status:
                Attendance.objects.filter(meeting=meeting, membership_id=membership_id).delete()
                continue
            if status not in valid:
                raise ValidationError(_("Présences : valeur inconnue « %(value)s ».") % {"value": status})
            Attendance.objects.update_or_create(
                meeting=meeting, membership_id=membership_id, defaults={"status": status}
            )
        if meeting.status == Meeting.Status.SCHEDULED and meeting.starts_at <= timezone.now():
            meeting.status = Meeting.Status.HELD
            meeting.save(update_fields=["status"])


def save_minutes(*, user, meeting: Meeting, body: str) -> Minutes:
    """Write the draft minutes; adopted minutes are frozen."""
    _require_staff(user, meeting.group)
    if not body.strip():
        raise ValidationError({"body": _("Procès-verbal : le texte est vide.")})
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
        if minutes is None:
            return Minutes.objects.create(meeting=meeting, body=body)
        if minutes.is_adopted:
            raise ValidationError(_("Ce procès-verbal est adopté : son texte ne peut plus être modifié."))
        minutes.body = body
        minutes.updated_at = timezone.now()
        minutes.save(update_fields=["body", "updated_at"])
        return minutes


def adopt_minutes(*, user, minutes: Minutes, at: Meeting) -> Minutes:
    """Adopt ``minutes`` at a later meeting ``at`` of the same group."""
    _require_staff(user, minutes.meeting.group)
    if at.group_id != minutes.meeting.group_id:
        raise ValidationError({"at": _("Réunion d’adoption : elle doit être une réunion du même groupe.")})
    if at.starts_at <= minutes.meeting.starts_at:
        raise ValidationError(
            {
                "at": _(
                    "Réunion d’adoption : un procès-verbal est adopté à une réunion ultérieure à celle qu’il relate."
                )
            }
        )
    if at.status == Meeting.Status.CANCELLED:
        raise ValidationError({"at": _("Réunion d’adoption : cette réunion est annulée.")})
    if at.starts_at > timezone.now():
        raise ValidationError({"at": _("Réunion d’adoption : cette réunion n’a pas encore eu lieu.")})
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if locked.is_adopted:
            raise ValidationError(_("Ce procès-verbal est déjà adopté."))
        locked.state = Minutes.State.ADOPTED
        locked.adopted_at = at
        locked.adopted_on = timezone.now()
        locked.save(update_fields=["state", "adopted_at", "adopted_on"])
    return locked


def add_decision(*, user, meeting: Meeting, text: str) -> Decision:
    _require_staff(user, meeting.group)
    if not text.strip():
        raise ValidationError({"text": _("Décision : le texte est vide.")})
    return Decision.objects.create(meeting=meeting, text=text)


def add_action_item(*, user, item: ActionItem) -> ActionItem:
    _require_staff(user, item.meeting.group)
    if item.owner_membership_id and item.owner_membership.group_id != item.meeting.group_id:
        raise ValidationError(
            {"owner_membership": _("Responsable : cette personne n’est pas membre du groupe.")}
        )
    if not item.owner_membership_id and not item.owner_user_id:
        raise ValidationError({"owner_membership": _("Responsable : choisissez un membre ou un compte.")})
    item.full_clean()
    item.save()
    return item


def mark_done(*, user, item: ActionItem) -> ActionItem:
    if not rules.can_mark_done(user, item):
        raise PermissionDenied(
            _("Seule la personne responsable ou la coordination du CIQ peut marquer ce suivi fait.")
        )
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(pk=item.pk)
        if locked.done_at is None:
            locked.done_at = timezone.now()
            locked.done_by = user
            locked.save(update_fields=["done_at", "done_by"])
    return locked


def calendar_token(*, user) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


def regenerate_token(*, user) -> CalendarToken:
    """A new secret: the old feed address stops working."""
    with transaction.atomic():
        token, created = CalendarToken.objects.select_for_update().get_or_create(user=user)
        if not created:
            token.token = new_token()
            token.created_at = timezone.now()
            token.save(update_fields=["token", "created_at"])
    return token
