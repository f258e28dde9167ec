"""Capacity is never exceeded when many people register at the same second (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection

from concerto.activities import services
from concerto.activities.models import Registration
from tests.support.activities import build_world, people

PEOPLE = 16
SEATS = 5


def _run_together(targets) -> list[BaseException]:
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait(timeout=20)
            target()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_capacity_and_queue_in_acceptance_order():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes writers")
    world = build_world(capacity=SEATS)
    crowd = people(PEOPLE, world.order_a) + people(PEOPLE, world.order_b)
    errors = _run_together(
        [lambda person=person: services.register(user=person, session=world.session) for person in crowd]
    )

    assert errors == []
    rows = list(Registration.objects.filter(session=world.session).order_by("created_at", "pk"))
    assert len(rows) == len(crowd)
    assert sum(r.status == "registered" for r in rows) == SEATS
    waiting = [r for r in rows if r.status == "waitlisted"]
    assert [r.position for r in waiting] == list(range(1, len(crowd) - SEATS + 1))
    # The confirmed seats went to the first accepted requests.
    assert all(r.status == "registered" for r in rows[:SEATS])


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_promote_each_waiting_person_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes writers")
    world = build_world(capacity=SEATS)
    crowd = people(SEATS + 4, world.order_a)
    for person in crowd:
        services.register(user=person, session=world.session)
    confirmed = list(Registration.objects.filter(session=world.session, status="registered").order_by("pk"))
    errors = _run_together(
        [lambda r=r: services.cancel(user=r.user, registration=r) for r in confirmed[:4]]
        + [lambda: services.register(user=world.person_b, session=world.session)]
    )

    assert errors == []
    active = Registration.objects.filter(session=world.session, status="registered")
    assert active.count() == SEATS
    assert set(active.values_list("user_id", flat=True)) >= {p.pk for p in crowd[SEATS:]} - {
        r.user_id for r in Registration.objects.filter(session=world.session, status="waitlisted")
    }
    assert Registration.objects.filter(session=world.session, promoted_at__isnull=False).count() == 4
