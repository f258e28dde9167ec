"""Who may do what in a campaign: small predicates, shared by views and templates.

- coordinator: a member with the coordinator role of the organization that
  owns the plan (the Office), or a superuser: everything on that plan;
- partner editor: a member with the editor role of an organization that leads
  the measure: edits and submits its draft;
- collaborator: a member of an organization that collaborates on the measure
  (or leads it): reads the draft and comments;
- reader: any signed-in person: reads everything that is not a draft.
"""

from __future__ import annotations

from concerto.accounts.models import Membership, Role


def _memberships(user) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_concerto_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organization"))
        user._concerto_memberships = cached
    return cached


def organizations_with_role(user, *roles: str) -> set[int]:
    return {m.organization_id for m in _memberships(user) if not roles or m.role in roles}


def is_coordinator(user, plan) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    # Same rule as accounts.rules.coordinates, from the memberships already loaded.
    return plan.owner_id is not None and plan.owner_id in organizations_with_role(user, Role.COORDINATOR)


def _lead_ids(measure) -> set[int]:
    return {link.organization_id for link in measure.lead_links.all()}


def _collaborator_ids(measure) -> set[int]:
    return {c.organization_id for c in measure.collaborators.all() if c.organization_id}


def can_edit_draft(user, draft) -> bool:
    """Editors of a lead organization, while the draft is editable and the campaign open."""
    if not draft.campaign.is_open or not draft.is_editable:
        return False
    return bool(_lead_ids(draft.measure) & organizations_with_role(user, Role.EDITOR))


def can_read_draft(user, draft) -> bool:
    if is_coordinator(user, draft.campaign.plan):
        return True
    involved = _lead_ids(draft.measure) | _collaborator_ids(draft.measure)
    return bool(involved & organizations_with_role(user, Role.EDITOR, Role.COLLABORATOR))


def can_comment(user, draft) -> bool:
    return draft.campaign.is_open and can_read_draft(user, draft)


def can_review(user, draft) -> bool:
    """Validate or return a submitted draft: the coordination only."""
    return (
        draft.campaign.is_open
        and draft.state == draft.State.SUBMITTED
        and is_coordinator(user, draft.campaign.plan)
    )


def get_abilities(user, draft) -> dict[str, bool]:
    return {
        "read": can_read_draft(user, draft),
        "edit": can_edit_draft(user, draft),
        "comment": can_comment(user, draft),
        "review": can_review(user, draft),
        "coordinate": is_coordinator(user, draft.campaign.plan),
    }
