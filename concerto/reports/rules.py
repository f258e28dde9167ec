"""Who may do what with reports. Used by views and templates alike."""

from concerto.accounts.models import Role
from concerto.accounts.rules import coordinates, organizations_with_role


def can_generate_reports(user, plan) -> bool:
    """Working reports: the plan's coordination, and staff accounts that are
    nobody's coordinator (a staff coordinator of another body, even one that
    owns nothing yet, is not the plan's staff)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if coordinates(user, plan.owner_id):
        return True
    return bool(user.is_staff) and not organizations_with_role(user, Role.COORDINATOR)


def can_publish_reports(user, plan) -> bool:
    """Publishing freezes the official report: the plan's coordination only."""
    return coordinates(user, plan.owner_id)


def get_abilities(user, plan) -> dict[str, bool]:
    return {"generate": can_generate_reports(user, plan), "publish": can_publish_reports(user, plan)}
