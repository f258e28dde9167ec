"""Which organizations own what a coordination manages, and which take part in it.

Each app that holds owned objects registers, from its ``AppConfig.ready()``:

- ``owners()``: the ids of the organizations that own its objects (the
  Office for the Pôle's plan, its recommendations and the cell's cases);
- ``participants(owner_ids)``: a condition (``Q``) on ``Organization``
  selecting the organizations that take part in what those owners
  coordinate (partners of a plan's measures, addressees of recommendations,
  organizations involved in cases; later the CIQ's member orders).

Every contribution is combined into one query. ``accounts`` never imports the apps: the arrows keep pointing
from the specific domains to the general one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class Contribution:
    app: str
    owners: Callable[[], QuerySet]
    participants: Callable[[set[int]], Q]


_contributions: dict[str, Contribution] = {}


def register(app: str, *, owners: Callable[[], QuerySet], participants: Callable[[set[int]], Q]) -> None:
    """Add (or replace, when an app is reloaded) ``app``'s contribution."""
    _contributions[app] = Contribution(app, owners, participants)


def contributions() -> list[Contribution]:
    return [_contributions[app] for app in sorted(_contributions)]


def participants_of(app: str, owner_ids: set[int]) -> Q | None:
    """``app``'s condition on the organizations taking part in what ``owner_ids`` own (None if no such app)."""
    contribution = _contributions.get(app)
    if contribution is None or not owner_ids:
        return None
    return contribution.participants(set(owner_ids))


def owning_condition(field: str = "pk") -> Q:
    """A condition on an organization (``field`` names its id): it owns something coordinated."""
    conditions = [Q(**{f"{field}__in": contribution.owners()}) for contribution in contributions()]
    if not conditions:
        return Q(**{f"{field}__in": []})
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return condition


def participating_condition(owner_ids: set[int]) -> Q:
    """A condition on an organization's id: the owners themselves and everyone taking part."""
    condition = Q(pk__in=set(owner_ids))
    if owner_ids:
        for contribution in contributions():
            condition |= contribution.participants(set(owner_ids))
    return condition


# --- roles held only in some organizations -----------------------------------------------------
#
# An app may say where one of its roles may be granted, as a condition on
# ``Organization`` given the owning bodies the inviter coordinates (the pathway:
# analysts only in the Office, data submitters only in a professional order).
# A role nobody registers keeps the general rule of ``rules.can_grant_role``.


@dataclass(frozen=True)
class RoleScope:
    role: str
    where: Callable[[set[int]], Q]
    explanation: object  # a French message (lazy) shown when the role is refused


_role_scopes: dict[str, RoleScope] = {}


def register_role(role: str, *, where: Callable[[set[int]], Q], explanation) -> None:
    """Allow ``role`` only in the organizations ``where(coordinated owner ids)`` selects."""
    _role_scopes[role] = RoleScope(role, where, explanation)


def role_scope(role: str) -> RoleScope | None:
    return _role_scopes.get(role)
