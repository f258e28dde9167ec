"""Who may do what with reports. Used by views and templates alike."""


def can_generate_reports(user) -> bool:
    """Office staff and coordinators may generate working reports of any date."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    from concerto.accounts.models import Membership, Role

    return Membership.objects.filter(user=user, role=Role.COORDINATOR).exists()


def can_publish_reports(user) -> bool:
    """Coordinators (staff) publish; publishing freezes the documents."""
    return can_generate_reports(user)


def get_abilities(user) -> dict[str, bool]:
    return {"generate": can_generate_reports(user), "publish": can_publish_reports(user)}
