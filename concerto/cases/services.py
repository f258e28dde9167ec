"""Changes to cases. Keyword-only arguments, one transaction each."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.organizations.models import Organization
from concerto.plans.models import ComponentProgress

from . import rules
from .models import Case, CaseState

S = CaseState

TRANSITIONS: dict[str, set[str]] = {
    S.OPENED: {S.ANALYSIS, S.TRANSFERRED},
    S.ANALYSIS: {S.SOLUTIONS_PROPOSED, S.TRANSFERRED},
    S.SOLUTIONS_PROPOSED: {S.ANALYSIS, S.IN_IMPLEMENTATION, S.TRANSFERRED},
    S.IN_IMPLEMENTATION: {S.SOLUTIONS_PROPOSED, S.RESOLVED, S.TRANSFERRED},
    S.RESOLVED: set(),
    S.TRANSFERRED: set(),
}
"""Allowed moves: forward along the cycle, one step back to rework, or a
transfer from any open state. Resolved and transferred cases are closed."""


def allowed_transitions(case: Case) -> list[str]:
    """The states ``case`` may move to, in the order of the choices."""
    allowed = TRANSITIONS.get(case.state, set())
    return [value for value in CaseState.values if value in allowed]


@transaction.atomic
def change_state(
    *,
    case: Case,
    to: str,
    user,
    transferred_to: Organization | None = None,
    reason: str = "",
    when_text: str = "",
) -> Case:
    """Move ``case`` to state ``to`` if the transition is allowed.

    A transfer needs the receiving organization and a reason; ``when_text``
    keeps the source's wording of when ("Hiver 2023"). Raises
    ``PermissionDenied`` if ``user`` may not edit the case and
    ``ValidationError`` (in French, naming the transition) if it is forbidden.
    """
    if not rules.can_edit_case(user, case):
        raise PermissionDenied(_("Seule la coordination peut changer l’état d’un cas."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to not in CaseState.values:
        raise ValidationError(_("État « %(to)s » inconnu.") % {"to": to})
    if to not in TRANSITIONS[case.state]:
        raise ValidationError(
            _("Transition interdite : « %(from)s » → « %(to)s ».")
            % {"from": CaseState(case.state).label, "to": CaseState(to).label}
        )
    if to == CaseState.TRANSFERRED:
        if transferred_to is None:
            raise ValidationError(_("Un transfert doit indiquer l’organisation qui reprend le cas."))
        if not reason.strip():
            raise ValidationError(_("Un transfert doit indiquer son motif."))
        now = timezone.now()
        case.transferred_to = transferred_to
        case.transfer_reason = reason.strip()
        case.transferred_on = timezone.localdate(now)
        case.transferred_on_text = when_text.strip()
    case.state = to
    case.state_changed_at = timezone.now()
    case.state_changed_by = user
    case.full_clean(exclude=["orders", "organizations", "measures"])
    case.save()
    return case


@transaction.atomic
def publish_summary(*, case: Case, summary: str, user) -> Case:
    """Publish ``summary`` as the public face of ``case`` (coordinators only)."""
    if not rules.can_edit_case(user, case):
        raise PermissionDenied(_("Seule la coordination peut publier le résumé d’un cas."))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError(_("Le résumé public ne peut pas être vide."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.public_summary = summary
    case.summary_published = True
    case.published_at = timezone.now()
    case.published_by = user
    case.save()
    return case


def feeds_component(case: Case) -> ComponentProgress | None:
    """The measure component this case feeds: the latest current progress
    component of a linked measure whose label is ``case.component_label``."""
    if not case.component_label:
        return None
    return (
        ComponentProgress.objects.filter(
            report__measure__cases=case, report__is_current=True, label=case.component_label
        )
        .select_related("report__measure")
        .order_by("-report__as_of", "report__measure__number", "position")
        .first()
    )
