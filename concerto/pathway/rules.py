"""Who may see what of the admission-pathway data (measure 2).

The data belong to the Office, which runs the diagnosis (C-26, a. 16.24):

- **analysts** (role ``ANALYST`` in the Office) are the only people who see
  record-level, pseudonymized data;
- the **privacy officer** (role ``PRIVACY_OFFICER`` in the Office) keeps the
  agreement, the registers and the destruction schedule, and approves each
  release; they see aggregates and registers, not records;
- an order's **data submitters** (role ``DATA_SUBMITTER`` in that order) send
  its files and see its own submissions and indicators, nothing of others';
- the public sees released, protected tables only.

A superuser administers the installation but is not an analyst: seeing
records takes the role. Every check reads the person's memberships once
(``concerto.accounts.rules``).
"""

from __future__ import annotations

from django.db.models import Exists, Q

from concerto.accounts.models import Role
from concerto.accounts.rules import is_signed_in, memberships_by_org
from concerto.organizations.models import Organization

OWNER_CODE = "office-des-professions-du-quebec"
"""The body that owns the admission-pathway data."""


def pathway_owner() -> Organization | None:
    return Organization.objects.filter(code=OWNER_CODE).first()


def _has_role_in_owner(user, role: str) -> bool:
    if not is_signed_in(user):
        return False
    return any(
        m.role == role and m.organization.code == OWNER_CODE for m in memberships_by_org(user).values()
    )


def is_analyst(user) -> bool:
    """May see record-level (pseudonymized) data and run the diagnosis."""
    return _has_role_in_owner(user, Role.ANALYST)


def is_privacy_officer(user) -> bool:
    """Keeps the registers and approves releases."""
    return _has_role_in_owner(user, Role.PRIVACY_OFFICER)


def submitter_order_ids(user) -> set[int]:
    """Ids of the orders for which the person sends admission-pathway data."""
    if not is_signed_in(user):
        return set()
    return {
        org_id
        for org_id, m in memberships_by_org(user).items()
        if m.role == Role.DATA_SUBMITTER and m.organization.kind == Organization.Kind.PROFESSIONAL_ORDER
    }


def may_submit_for(user, order) -> bool:
    order_id = order.pk if isinstance(order, Organization) else order
    return order_id in submitter_order_ids(user)


def may_keep_registers(user) -> bool:
    """The CAI agreement, the incidents and the destruction register: the privacy officer only."""
    return is_privacy_officer(user)


# --- for ``accounts.participation``: who the Office's coordination may invite ----------------------


def owners():
    """The body that owns the pathway data."""
    return Organization.objects.filter(code=OWNER_CODE).values("pk")


def _owner_among(owner_ids: set[int]) -> Q:
    return Q(Exists(Organization.objects.filter(code=OWNER_CODE, pk__in=owner_ids)))


def participants(owner_ids: set[int]) -> Q:
    """Every professional order sends its admission-pathway data to the Office."""
    return Q(kind=Organization.Kind.PROFESSIONAL_ORDER) & _owner_among(owner_ids)


def office_roles_scope(owner_ids: set[int]) -> Q:
    """Analysts and the privacy officer: in the Office only, granted by its own coordination."""
    return Q(code=OWNER_CODE, pk__in=owner_ids)


def submitter_scope(owner_ids: set[int]) -> Q:
    """Data submitters: in a professional order, invited by the Office's coordination."""
    return participants(owner_ids)
