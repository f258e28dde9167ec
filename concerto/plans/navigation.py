"""What the main navigation shows a signed-in person, for ``base.html``.

The coordination's sections of a plan (update campaigns, report,
consistency checks) appear only to a person who coordinates the body owning
that plan (``accounts.rules``); every page checks again. « Mes tâches »
appears for every signed-in person once its page exists.

Evaluated lazily: a page that does not show the navigation, or an anonymous
visitor, costs no query.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from concerto.accounts.rules import coordinated_owner_ids, is_signed_in

from .models import Plan


def coordinated_plan(user) -> Plan | None:
    """The plan whose coordination sections the person sees: the home plan if
    they coordinate its owner, else the most recent plan in use of a body they
    coordinate (an archived one only if all are archived)."""
    owners = coordinated_owner_ids(user)
    if not owners:
        return None
    plans = Plan.objects.filter(owner__in=owners)
    if settings.CONCERTO_HOME_PLAN:
        home = plans.filter(slug=settings.CONCERTO_HOME_PLAN).first()
        if home is not None:
            return home
    return plans.filter(archived_at__isnull=True).first() or plans.first()


def my_tasks_url() -> str | None:
    """The « Mes tâches » page, when this installation has one."""
    try:
        return reverse("my-tasks")
    except NoReverseMatch:
        return None


class Navigation:
    def __init__(self, user):
        self.user = user

    @property
    def signed_in(self) -> bool:
        return is_signed_in(self.user)

    @property
    def my_tasks(self) -> str | None:
        return my_tasks_url() if self.signed_in else None

    @property
    def staff_plan(self) -> Plan | None:
        if not hasattr(self, "_plan"):
            self._plan = coordinated_plan(self.user) if self.signed_in else None
        return self._plan


def navigation(request):
    """Context processor: ``nav.my_tasks``, ``nav.staff_plan``."""
    return {"nav": SimpleLazyObject(lambda: Navigation(getattr(request, "user", None)))}
