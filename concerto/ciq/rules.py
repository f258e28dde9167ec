"""Who may do what with the CIQ's files, consultations and answers.

- CIQ staff: the coordination of the body that owns the file
  (``Dossier.owner``, the CIQ; ``accounts.rules.coordinates``), or a
  superuser: every file, consultation, answer and synthesis of that owner.
  A coordinator of another body (the Office) has no access at all: the
  orders' answers belong to the CIQ and the orders.
- an order's respondents: members of an order with the role RESPONDENT
  (``RESPONDENT_ROLES``), for the open or closed consultations whose audience
  includes that order (never those still in preparation). They see and
  write their own order's answer and nothing of the others'.
- everyone else: the public home only (published opinions are the opinions
  app's).

Memberships come from ``accounts.rules``, read once per request.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from concerto.accounts.models import Role
from concerto.accounts.rules import coordinated_owner_ids, coordinates, is_signed_in, organizations_with_role
from concerto.organizations.models import Organization

from .models import CIQ_CODE, Answer, Consultation, Dossier

RESPONDENT_ROLES = (Role.RESPONDENT,)


def owners() -> QuerySet:
    """For ``accounts.participation``: the CIQ owns its files, even before the first one."""
    return Organization.objects.filter(code=CIQ_CODE).values("pk")


def participants(owner_ids: set[int]) -> Q:
    """For ``accounts.participation``: the orders in the audience of the owners' consultations."""
    through = Consultation.audience.through.objects.filter(consultation__dossier__owner__in=owner_ids)
    return Q(pk__in=through.values("organization_id"))


# --- CIQ staff ------------------------------------------------------------------------


def staff_dossiers(user) -> QuerySet[Dossier]:
    """The files whose owner ``user`` coordinates (every file for a superuser)."""
    if not is_signed_in(user):
        return Dossier.objects.none()
    if user.is_superuser:
        return Dossier.objects.all()
    return Dossier.objects.filter(owner__in=coordinated_owner_ids(user))


def is_staff_of(user, dossier: Dossier) -> bool:
    return coordinates(user, dossier.owner_id)


def can_open_files(user) -> bool:
    """Creates a file: the coordination of the CIQ (the only owner of files)."""
    return bool(ciq_coordinated(user))


def ciq_coordinated(user) -> QuerySet[Organization]:
    """The CIQ, if ``user`` coordinates it (for the owner of a new file)."""
    if not is_signed_in(user):
        return Organization.objects.none()
    ids = coordinated_owner_ids(user)
    return Organization.objects.filter(code=CIQ_CODE, pk__in=ids)


# --- respondents ----------------------------------------------------------------------


def respondent_organization_ids(user) -> set[int]:
    """Orders for which ``user`` answers the CIQ's consultations."""
    return organizations_with_role(user, *RESPONDENT_ROLES)


def answerable_consultations(user) -> QuerySet[Consultation]:
    """Consultations (open or closed) whose audience includes one of ``user``'s orders."""
    orgs = respondent_organization_ids(user)
    if not orgs:
        return Consultation.objects.none()
    return Consultation.objects.filter(audience__in=orgs).exclude(state=Consultation.State.DRAFT).distinct()


def may_answer_for(user, consultation: Consultation, organization_id: int) -> bool:
    """``user`` answers for that order, and the order is in the consultation's audience (checked by the caller
    with ``in_audience``)."""
    return (
        organization_id in respondent_organization_ids(user)
        and consultation.state != Consultation.State.DRAFT
    )


def can_edit_answer(user, answer: Answer, *, today) -> bool:
    """The order's respondent, while the consultation is open; a submitted answer only until the deadline
    (a late first answer stays possible, marked late)."""
    consultation = answer.consultation
    if answer.organization_id not in respondent_organization_ids(user):
        return False
    if consultation.state != Consultation.State.OPEN:
        return False
    return not (answer.state == Answer.State.SUBMITTED and today > consultation.internal_deadline)
