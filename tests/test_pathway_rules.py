"""Who reaches the admission-pathway data: analysts of the Office only for records."""

import pytest

from concerto.accounts.models import Role
from concerto.organizations.models import Organization
from concerto.pathway import rules
from tests.factories import UserFactory


@pytest.fixture
def office(db):
    return Organization.objects.create(
        code=rules.OWNER_CODE, name="Office des professions du Québec", kind=Organization.Kind.PUBLIC_BODY
    )


@pytest.fixture
def order(db):
    return Organization.objects.create(
        code="ordre-des-chimistes-du-quebec",
        name="Ordre des chimistes du Québec",
        kind=Organization.Kind.PROFESSIONAL_ORDER,
    )


def _member(org, role):
    user = UserFactory()
    user.memberships.create(organization=org, role=role)
    return user


def test_only_an_analyst_of_the_office_is_an_analyst(office, order):
    assert rules.is_analyst(_member(office, Role.ANALYST))
    assert not rules.is_analyst(_member(order, Role.ANALYST))
    assert not rules.is_analyst(_member(office, Role.COORDINATOR))
    assert not rules.is_analyst(UserFactory(is_superuser=True))


def test_privacy_officer_is_not_an_analyst(office):
    officer = _member(office, Role.PRIVACY_OFFICER)
    assert rules.is_privacy_officer(officer)
    assert not rules.is_analyst(officer)


def test_a_submitter_submits_only_for_their_order(office, order):
    submitter = _member(order, Role.DATA_SUBMITTER)
    assert rules.submitter_order_ids(submitter) == {order.pk}
    assert rules.may_submit_for(submitter, order)
    assert not rules.may_submit_for(submitter, office)
    assert rules.submitter_order_ids(_member(office, Role.DATA_SUBMITTER)) == set()
