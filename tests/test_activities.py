"""The CIQ's trainings and activities: seats, waiting list, cut-offs, caps, attendance, e-mails, exports."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concerto.accounts.models import Role
from concerto.activities import notifications, services
from concerto.activities.models import Activity, Registration
from concerto.notifications.reminders import run_reminders
from tests.factories import ActivityFactory, RegistrationFactory, SessionFactory
from tests.support.activities import build_world, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world(capacity=2)


def _register(person, session, **kwargs):
    return services.register(user=person, session=session, **kwargs).registration


# --- seats and the waiting list -----------------------------------------------------------


def test_registration_confirms_a_seat_while_seats_remain(world):
    registration = _register(world.person_a, world.session)
    assert registration.status == Registration.Status.REGISTERED
    assert registration.organization == world.order_a
    assert registration.position is None


def test_a_full_session_puts_people_on_the_waiting_list_in_arrival_order(world):
    extra = people(3, world.order_b)
    for person in [world.person_a, world.person_b, *extra]:
        _register(person, world.session)
    rows = list(world.session.registrations.order_by("created_at", "pk"))
    assert [r.status for r in rows] == ["registered", "registered", "waitlisted", "waitlisted", "waitlisted"]
    assert [r.position for r in rows] == [None, None, 1, 2, 3]
    assert world.session.registrations.filter(status="registered").count() == world.session.capacity


def test_cancelling_promotes_the_first_waiting_person_and_tells_them(world):
    first = _register(world.person_a, world.session)
    _register(world.person_b, world.session)
    waiting = people(2, world.order_b)
    for person in waiting:
        _register(person, world.session)
    mail.outbox.clear()

    promoted = services.cancel(user=world.person_a, registration=first)

    assert promoted.user == waiting[0]
    promoted.refresh_from_db()
    assert promoted.status == Registration.Status.REGISTERED and promoted.promoted_at is not None
    first.refresh_from_db()
    assert first.status == Registration.Status.CANCELLED and first.cancelled_at is not None
    (message,) = mail.outbox
    assert message.to == [waiting[0].email]
    assert "Une place s’est libérée" in message.subject
    assert message.attachments[0][0] == "invitation.ics"
    assert world.session.registrations.get(user=waiting[1]).status == Registration.Status.WAITLISTED
    assert notifications.waitlist_rank(world.session.registrations.get(user=waiting[1])) == 1


def test_cancelling_a_waiting_registration_promotes_nobody(world):
    _register(world.person_a, world.session)
    _register(world.person_b, world.session)
    (late,) = people(1, world.order_a)
    waiting = _register(late, world.session)
    assert services.cancel(user=late, registration=waiting) is None
    assert world.session.registrations.filter(status="registered").count() == 2


def test_registering_again_after_cancelling_goes_to_the_end_of_the_list(world):
    _register(world.person_b, world.session)
    _register(world.person_a, world.session)
    a, b = people(2, world.order_a)
    first = _register(a, world.session)
    _register(b, world.session)
    services.cancel(user=a, registration=first)
    again = _register(a, world.session)
    assert (again.status, again.position) == ("waitlisted", 3)
    assert notifications.waitlist_rank(again) == 2


def test_raising_the_capacity_promotes_waiting_people(world):
    for person in [world.person_a, world.person_b, *people(2, world.order_a)]:
        _register(person, world.session)
    world.session.capacity = 3
    services.save_session(user=world.staff, session=world.session)
    assert world.session.registrations.filter(status="registered").count() == 3
    assert world.session.registrations.get(position=1).status == "registered"


def test_capacity_cannot_drop_below_the_confirmed_registrations(world):
    _register(world.person_a, world.session)
    _register(world.person_b, world.session)
    world.session.capacity = 1
    with pytest.raises(ValidationError) as refused:
        services.save_session(user=world.staff, session=world.session)
    assert "2 personnes sont déjà inscrites" in str(refused.value)


# --- refusals ---------------------------------------------------------------------------------


def test_registering_after_the_deadline_is_refused_in_french(world):
    after = world.session.registration_deadline + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="Les inscriptions à cette séance sont fermées depuis le"):
        services.register(user=world.person_a, session=world.session, now=after)
    assert not world.session.registrations.exists()


def test_cancelling_after_the_cutoff_is_refused_in_french(world):
    registration = _register(world.person_a, world.session)
    after = world.session.cancellation_cutoff + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="L’annulation n’est plus possible depuis le"):
        services.cancel(user=world.person_a, registration=registration, now=after)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED


def test_ciq_staff_may_cancel_a_registration_after_the_cutoff(world):
    registration = _register(world.person_a, world.session)
    after = world.session.cancellation_cutoff + datetime.timedelta(minutes=1)
    services.cancel(user=world.staff, registration=registration, now=after)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_a_person_beyond_the_order_cap_is_refused_in_french(world):
    world.session.per_order_cap = 2
    world.session.capacity = 10
    world.session.save()
    a1, a2 = people(2, world.order_a)
    _register(world.person_a, world.session)
    _register(a1, world.session)
    with pytest.raises(ValidationError, match="Ordre A a atteint le maximum de 2 inscription"):
        _register(a2, world.session)
    _register(world.person_b, world.session)  # another order is not held back


def test_waiting_registrations_count_against_the_order_cap(world):
    world.session.per_order_cap = 2
    world.session.save()
    _register(world.person_b, world.session)
    _register(people(1, world.order_b)[0], world.session)
    a1, a2 = people(2, world.order_a)
    _register(world.person_a, world.session)  # waiting
    _register(a1, world.session)  # waiting
    with pytest.raises(ValidationError, match="maximum de 2"):
        _register(a2, world.session)


def test_a_person_outside_the_audience_cannot_register(world):
    with pytest.raises(PermissionDenied, match="réservée au personnel des ordres visé"):
        _register(world.outsider, world.session)


def test_an_empty_audience_admits_every_role_of_the_orders(world):
    world.session.audience = []
    world.session.save()
    assert _register(world.outsider, world.session).status == "registered"


def test_ciq_and_office_staff_are_not_orders_staff(world):
    for person in (world.staff, world.office_coordinator):
        with pytest.raises(PermissionDenied):
            _register(person, world.session)


def test_registering_twice_is_refused(world):
    _register(world.person_a, world.session)
    with pytest.raises(ValidationError, match="déjà inscrite ou inscrit"):
        _register(world.person_a, world.session)


def test_a_cancelled_session_takes_no_registration(world):
    world.session.status = "cancelled"
    world.session.save()
    with pytest.raises(ValidationError, match="Cette séance est annulée"):
        _register(world.person_a, world.session)


def test_a_training_needs_its_hours_and_other_kinds_have_none():
    with pytest.raises(ValidationError) as refused:
        ActivityFactory.build(hours=None).clean()
    assert "hours" in refused.value.message_dict
    with pytest.raises(ValidationError):
        ActivityFactory.build(kind=Activity.Kind.WEBINAR, hours=2).clean()


def test_the_description_is_sanitized_markdown(db):
    activity = ActivityFactory(description="**Gras** <script>alert(1)</script>")
    assert "<strong>Gras</strong>" in activity.description_html
    assert "<script>" not in activity.description_html


# --- attendance ------------------------------------------------------------------------------


def test_attendance_is_recorded_once_the_session_has_started(world):
    registration = _register(world.person_a, world.session)
    with pytest.raises(ValidationError, match="une fois la séance commencée"):
        services.record_attendance(
            user=world.staff, session=world.session, attendance={registration.pk: "attended"}
        )
    after = world.session.ends_at + datetime.timedelta(hours=1)
    changed = services.record_attendance(
        user=world.staff, session=world.session, attendance={registration.pk: "attended"}, now=after
    )
    registration.refresh_from_db()
    assert (changed, registration.attendance) == (1, "attended")
    world.session.refresh_from_db()
    assert world.session.attendance_recorded_at == after


def test_only_ciq_staff_record_attendance(world):
    registration = _register(world.person_a, world.session)
    after = world.session.ends_at + datetime.timedelta(hours=1)
    for person in (world.person_a, world.office_coordinator):
        with pytest.raises(PermissionDenied):
            services.record_attendance(
                user=person, session=world.session, attendance={registration.pk: "attended"}, now=after
            )


# --- e-mails -------------------------------------------------------------------------------


def test_confirmation_carries_the_session_invitation_and_is_sent_once(world):
    registration = _register(world.person_a, world.session)
    (message,) = mail.outbox
    assert message.to == [world.person_a.email]
    assert "Inscription confirmée" in message.subject
    name, content, mimetype = message.attachments[0]
    assert name == "invitation.ics" and "method=REQUEST" in mimetype
    text = content if isinstance(content, str) else content.decode()
    assert f"activity-session-{world.session.pk}@" in text
    assert notifications.send_confirmation(registration) is False
    assert len(mail.outbox) == 1


def test_the_waiting_list_email_gives_the_rank_and_names_nobody_else(world):
    _register(world.person_a, world.session)
    _register(world.person_b, world.session)
    (late,) = people(1, world.order_a)
    registration = _register(late, world.session)
    message = mail.outbox[-1]
    assert message.to == [late.email]
    assert "liste d’attente, au rang 1" in message.body
    for other in (world.person_a, world.person_b):
        assert other.last_name not in message.body and other.email not in message.body
    assert notifications.send_waitlisted(registration) is False


def test_the_reminder_the_day_before_is_sent_once_by_the_reminder_command(world):
    registration = _register(world.person_a, world.session)
    mail.outbox.clear()
    eve = timezone.localtime(world.session.starts_at).date() - datetime.timedelta(days=1)
    lines = run_reminders(today=eve)
    assert [line.status for line in lines if "inscription" in line] == ["sent"]
    assert mail.outbox[0].to == [world.person_a.email] and "Rappel" in mail.outbox[0].subject
    again = run_reminders(today=eve)
    assert [line.status for line in again if "inscription" in line] == ["already_sent"]
    assert len(mail.outbox) == 1
    assert registration.pk


def test_no_reminder_two_days_before_nor_for_waiting_people(world):
    _register(world.person_a, world.session)
    _register(world.person_b, world.session)
    _register(people(1, world.order_a)[0], world.session)
    mail.outbox.clear()
    start = timezone.localtime(world.session.starts_at).date()
    run_reminders(today=start - datetime.timedelta(days=2))
    assert mail.outbox == []
    run_reminders(today=start - datetime.timedelta(days=1))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.person_a.email, world.person_b.email])


def test_a_dry_run_of_the_reminders_sends_nothing(world):
    _register(world.person_a, world.session)
    mail.outbox.clear()
    eve = timezone.localtime(world.session.starts_at).date() - datetime.timedelta(days=1)
    lines = run_reminders(today=eve, dry_run=True)
    assert "would_send" in [line.status for line in lines]
    assert mail.outbox == []


def test_registration_history_is_recorded(world):
    registration = _register(world.person_a, world.session)
    services.cancel(user=world.person_a, registration=registration)
    assert [h.status for h in registration.history.order_by("history_date", "history_id")] == [
        "registered",
        "cancelled",
    ]


def test_session_factory_defaults_are_consistent(db):
    session = SessionFactory()
    session.full_clean()
    assert RegistrationFactory(session=session).status == "registered"
    assert Role.READER in dict(Role.choices)


def test_moving_a_session_tells_the_registered_and_waiting_people_once(world):
    import icalendar

    first = _register(world.person_a, world.session)
    _register(world.person_b, world.session)
    (waiting,) = people(1, world.order_a)
    _register(waiting, world.session)
    mail.outbox.clear()

    world.session.place = "Salle 200, Québec"
    services.save_session(user=world.staff, session=world.session)
    services.save_session(user=world.staff, session=world.session)  # nothing changed: nothing sent

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.person_a.email, world.person_b.email, waiting.email]
    )
    to_first = next(m for m in mail.outbox if m.to == [first.user.email])
    assert "Salle 200, Québec" in to_first.body and "Changement d’horaire" in to_first.subject
    ((_, content, mimetype),) = to_first.attachments
    assert "method=REQUEST" in mimetype
    (vevent,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert vevent["SEQUENCE"] == world.session.sequence and str(vevent["LOCATION"]).startswith("Salle 200")
    to_waiting = next(m for m in mail.outbox if m.to == [waiting.email])
    assert to_waiting.attachments == [] and "liste d’attente" in to_waiting.body


def test_cancelling_a_session_withdraws_it_from_the_registered_peoples_calendars(world):
    registration = _register(world.person_a, world.session)
    mail.outbox.clear()

    world.session.status = world.session.Status.CANCELLED
    services.save_session(user=world.staff, session=world.session)

    (message,) = mail.outbox
    assert message.to == [registration.user.email] and "annulée" in message.subject
    ((_, content, mimetype),) = message.attachments
    text = content if isinstance(content, str) else content.decode()
    assert "method=CANCEL" in mimetype and "STATUS:CANCELLED" in text
