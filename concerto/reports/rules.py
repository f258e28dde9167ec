"""Who may do what with reports. Used by views and templates alike."""


def can_generate_reports(user) -> bool:
    """Signed-in Office staff may generate draft reports of any date."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_publish_reports(user) -> bool:
    """Coordinators (staff) publish; publishing freezes the documents."""
    return can_generate_reports(user)


def get_abilities(user) -> dict[str, bool]:
    return {"generate": can_generate_reports(user), "publish": can_publish_reports(user)}
