"""Who may do what in a campaign: small predicates, shared by views and templates.

- coordinator: the coordination of the body that owns the plan
  (``accounts.rules.coordinates(user, plan.owner_id)``), or a superuser:
  everything on that plan;
- partner editor: a member with the editor role of an organization that leads
  the measure: edits and submits its draft;
- collaborator: a member of an organization that collaborates on the measure
  (or leads it): reads the draft and comments;
- reader: any signed-in person: reads everything that is not a draft.

Memberships come from ``accounts.rules``, read once per request.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from concerto.accounts.models import Role
from concerto.accounts.rules import coordinates, organizations_with_role


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
    if coordinates(user, draft.campaign.plan.owner_id):
        return True
    involved = _lead_ids(draft.measure) | _collaborator_ids(draft.measure)
    return bool(involved & organizations_with_role(user, Role.EDITOR, Role.COLLABORATOR))


def can_comment(user, draft) -> bool:
    return draft.campaign.is_open and can_read_draft(user, draft)


def can_review(user, draft) -> bool:
    """Validate or return a submitted draft: the plan's coordination only."""
    return (
        draft.campaign.is_open
        and draft.state == draft.State.SUBMITTED
        and coordinates(user, draft.campaign.plan.owner_id)
    )


def why_not_editable(user, draft) -> str:
    """Why this person sees no form to edit the draft, in French ("" if they may edit it):
    the page says it rather than leaving them looking for a button."""
    if can_edit_draft(user, draft):
        return ""
    if not draft.campaign.is_open:
        return _("Cette campagne est fermée : ses mises à jour ne peuvent plus être modifiées.")
    coordinator = coordinates(user, draft.campaign.plan.owner_id)
    if draft.state == draft.State.VALIDATED:
        return _(
            "Cette mise à jour a été validée par la coordination : elle est publique et ne se modifie plus."
        )
    if draft.state == draft.State.SUBMITTED:
        if coordinator:
            return _(
                "L’organisation responsable a soumis cette mise à jour : à vous de la valider ou de la "
                "retourner avec un motif (plus bas). Elle ne se modifie pas ici."
            )
        return _(
            "Cette mise à jour est soumise à la coordination : elle ne peut plus être modifiée, "
            "sauf si la coordination la retourne avec un motif."
        )
    leads = _lead_ids(draft.measure)
    if leads & organizations_with_role(user):
        return _(
            "Seules les personnes « Responsable de la mise à jour » de l’organisation responsable "
            "de la mesure la saisissent ; votre rôle permet de la lire et de la commenter. "
            "La coordination peut vous donner ce rôle."
        )
    if coordinator:
        return _(
            "La saisie revient à l’organisation responsable de la mesure. La coordination la valide "
            "ou la retourne une fois soumise ; en attendant, vous pouvez la lire et la commenter."
        )
    return _(
        "Votre organisation collabore à cette mesure : vous pouvez lire la mise à jour et la "
        "commenter ; seule l’organisation responsable la modifie."
    )


def get_abilities(user, draft) -> dict[str, bool]:
    return {
        "read": can_read_draft(user, draft),
        "edit": can_edit_draft(user, draft),
        "comment": can_comment(user, draft),
        "review": can_review(user, draft),
        "coordinate": coordinates(user, draft.campaign.plan.owner_id),
    }
