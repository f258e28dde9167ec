"""The CIQ's activities: two orders, a person in each role the tests need, one session."""

from dataclasses import dataclass

from concerto.accounts.models import Role
from tests.factories import (
    OrderFactory,
    OwningBodyFactory,
    SessionFactory,
    UserFactory,
    ciq_organization,
)


@dataclass
class World:
    ciq: object
    office: object
    order_a: object
    order_b: object
    session: object  # audience: readers and respondents of the orders
    staff: object  # the CIQ's coordination
    person_a: object  # a reader of order A: in the audience
    person_b: object  # a reader of order B: in the audience
    outsider: object  # a data submitter of order A: outside the audience
    office_coordinator: object

    @property
    def people(self) -> dict:
        return {
            "anonymous": None,
            "audience": self.person_a,
            "outside": self.outsider,
            "ciq": self.staff,
            "office": self.office_coordinator,
        }


def build_world(**session) -> World:
    ciq = ciq_organization()
    office = OwningBodyFactory(
        code="office-des-professions-du-quebec", name="Office des professions du Québec"
    )
    order_a, order_b = OrderFactory(name="Ordre A"), OrderFactory(name="Ordre B")
    session.setdefault("audience", [Role.READER, Role.RESPONDENT])
    return World(
        ciq=ciq,
        office=office,
        order_a=order_a,
        order_b=order_b,
        session=SessionFactory(activity__owner=ciq, **session),
        staff=UserFactory(coordinator_of=ciq, first_name="Claude", last_name="Coordination"),
        person_a=UserFactory(member_of=(order_a, Role.READER), first_name="Alice", last_name="Lavoie"),
        person_b=UserFactory(member_of=(order_b, Role.READER), first_name="Bruno", last_name="Bélanger"),
        outsider=UserFactory(
            member_of=(order_a, Role.DATA_SUBMITTER), first_name="Olga", last_name="Ouellet"
        ),
        office_coordinator=UserFactory(coordinator_of=office),
    )


def people(n: int, order, role=Role.READER) -> list:
    return [UserFactory(member_of=(order, role), first_name="Personne", last_name=str(i)) for i in range(n)]
