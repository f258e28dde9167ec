"""The CIQ groups' operations: invitations (once per version, .ics attached),
cancellation, minutes adopted at a later meeting only, the private calendar
feed, « Mes tâches », reminders of action items, the demonstration data."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerto.core.inbox import tasks_for
from concerto.groups import services
from concerto.groups.models import CalendarToken, Group, Meeting, Minutes
from concerto.groups.reminders import send_due_action_reminders
from tests.factories import (
    ActionItemFactory,
    GroupFactory,
    GroupMembershipFactory,
    MeetingFactory,
    UserFactory,
)
from tests.support.groups import PRIVATE, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def world():
    return build_world()


def _ics(message) -> str:
    (attachment,) = message.attachments
    name, content, mimetype = attachment
    assert name == "invitation.ics"
    return content.decode() if isinstance(content, bytes) else content


def _new_meeting(world, **changes):
    start = timezone.now() + datetime.timedelta(days=10)
    meeting = Meeting(
        group=world.group,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="Salle A",
        **changes,
    )
    services.save_meeting(user=world.ciq_staff, meeting=meeting)
    return meeting


# --- invitations ---------------------------------------------------------------------------


def test_a_new_meeting_invites_each_current_member_once_with_a_calendar_request(world):
    GroupMembershipFactory(group=world.group, email="ancien@example.org", term_end=datetime.date(2024, 6, 30))
    GroupMembershipFactory(group=world.group, email="", user=None)  # no address: nobody to write to
    mail.outbox.clear()
    meeting = _new_meeting(world)
    assert [m.to for m in mail.outbox] == [["camille.prive@example.org"]]
    ics = _ics(mail.outbox[0])
    assert "METHOD:REQUEST" in ics and "SEQUENCE:0" in ics and f"UID:groups-meeting-{meeting.pk}@" in ics
    assert "Comité de la formation" in mail.outbox[0].subject


def test_saving_a_meeting_unchanged_sends_nothing_and_a_new_time_sends_the_next_version_once(world):
    meeting = _new_meeting(world)
    mail.outbox.clear()
    services.save_meeting(user=world.ciq_staff, meeting=meeting)
    assert mail.outbox == []
    meeting.starts_at += datetime.timedelta(hours=1)
    meeting.ends_at += datetime.timedelta(hours=1)
    services.save_meeting(user=world.ciq_staff, meeting=meeting)
    assert meeting.sequence == 1
    assert len(mail.outbox) == 1
    assert "SEQUENCE:1" in _ics(mail.outbox[0]) and "Mise à jour" in mail.outbox[0].subject
    from concerto.groups.notifications import send_invitations

    assert send_invitations(meeting) == 0  # this version was already sent
    assert len(mail.outbox) == 1


def test_a_new_place_is_a_new_version(world):
    meeting = _new_meeting(world)
    mail.outbox.clear()
    meeting.place = "Salle B"
    services.save_meeting(user=world.ciq_staff, meeting=meeting)
    assert "SEQUENCE:1" in _ics(mail.outbox[0]) and "Salle B" in _ics(mail.outbox[0])


def test_a_cancelled_meeting_sends_a_calendar_cancel_once(world):
    meeting = _new_meeting(world)
    mail.outbox.clear()
    services.cancel_meeting(user=world.ciq_staff, meeting=meeting)
    assert len(mail.outbox) == 1
    ics = _ics(mail.outbox[0])
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics
    with pytest.raises(ValidationError, match="déjà annulée"):
        services.cancel_meeting(user=world.ciq_staff, meeting=Meeting.objects.get(pk=meeting.pk))
    assert len(mail.outbox) == 1


def test_an_invitation_never_carries_the_minutes_or_documents(world):
    _new_meeting(world)
    message = mail.outbox[-1]
    body = message.body + message.alternatives[0][0] + _ics(message)
    assert [
        t for t in PRIVATE if t in body and t not in ("Camille Membre-Privé", "camille.prive@example.org")
    ] == []


def test_the_meeting_form_creates_the_meeting_and_sends_invitations(world):
    client = Client()
    client.force_login(world.ciq_staff)
    response = client.post(
        reverse("groups-meeting-create", args=[world.group.slug]),
        {
            "title": "Réunion",
            "starts_at": "2030-05-01T09:00",
            "ends_at": "2030-05-01T11:00",
            "place": "Salle",
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_a_meeting_without_place_or_link_is_refused_naming_the_field(world):
    client = Client()
    client.force_login(world.ciq_staff)
    response = client.post(
        reverse("groups-meeting-create", args=[world.group.slug]),
        {"starts_at": "2030-05-01T09:00", "ends_at": "2030-05-01T11:00"},
    )
    assert "Lieu : indiquez un lieu ou un lien de visioconférence." in response.content.decode()
    assert mail.outbox == []


# --- minutes -------------------------------------------------------------------------------


def test_minutes_are_adopted_at_a_later_meeting_and_record_it(world):
    minutes = services.adopt_minutes(user=world.ciq_staff, minutes=world.minutes, at=world.later)
    assert minutes.state == Minutes.State.ADOPTED and minutes.adopted_at == world.later


@pytest.mark.parametrize("when", ["same", "earlier"])
def test_minutes_cannot_be_adopted_at_the_same_or_an_earlier_meeting(world, when):
    at = world.meeting
    if when == "earlier":
        at = MeetingFactory(
            group=world.group,
            starts_at=world.meeting.starts_at - datetime.timedelta(days=7),
            ends_at=world.meeting.starts_at - datetime.timedelta(days=7, hours=-1),
        )
    with pytest.raises(ValidationError) as refused:
        services.adopt_minutes(user=world.ciq_staff, minutes=world.minutes, at=at)
    assert "Réunion d’adoption : un procès-verbal est adopté à une réunion ultérieure" in str(refused.value)
    assert Minutes.objects.get(pk=world.minutes.pk).state == Minutes.State.DRAFT


def test_the_adoption_page_refuses_an_earlier_meeting_with_a_french_message(world):
    client = Client()
    client.force_login(world.ciq_staff)
    earlier = MeetingFactory(
        group=world.group,
        starts_at=world.meeting.starts_at - datetime.timedelta(days=7),
        ends_at=world.meeting.starts_at - datetime.timedelta(days=7, hours=-1),
    )
    response = client.post(
        reverse("groups-minutes-adopt", args=[world.meeting.pk]), {"at": earlier.pk}, follow=True
    )
    assert "une réunion ultérieure à celle qu’il relate" in response.content.decode()


def test_minutes_cannot_be_adopted_at_a_meeting_still_to_come(world):
    upcoming = MeetingFactory(
        group=world.group,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        ends_at=timezone.now() + datetime.timedelta(days=3, hours=2),
    )
    with pytest.raises(ValidationError, match="n’a pas encore eu lieu"):
        services.adopt_minutes(user=world.ciq_staff, minutes=world.minutes, at=upcoming)


def test_minutes_cannot_be_adopted_at_another_groups_meeting(world):
    elsewhere = MeetingFactory(
        group=world.other_group, starts_at=world.later.starts_at, ends_at=world.later.ends_at
    )
    with pytest.raises(ValidationError, match="même groupe"):
        services.adopt_minutes(user=world.ciq_staff, minutes=world.minutes, at=elsewhere)


def test_adopted_minutes_cannot_be_edited(world):
    services.adopt_minutes(user=world.ciq_staff, minutes=world.minutes, at=world.later)
    with pytest.raises(ValidationError, match="adopté"):
        services.save_minutes(user=world.ciq_staff, meeting=world.meeting, body="Autre texte")
    assert Minutes.objects.get(pk=world.minutes.pk).body == world.minutes.body


def test_minutes_changes_are_in_the_audit_trail(world):
    services.save_minutes(user=world.ciq_staff, meeting=world.meeting, body="Texte révisé")
    assert [h.body for h in world.minutes.history.order_by("history_id")][-1] == "Texte révisé"


# --- the private calendar feed ----------------------------------------------------------------


def test_the_feed_shows_only_the_meetings_of_the_persons_current_groups(world):
    MeetingFactory(group=world.other_group, title="Réunion du forum")
    token = services.calendar_token(user=world.member)
    response = Client().get(reverse("groups-calendar-feed", args=[token.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert f"groups-meeting-{world.meeting.pk}@" in text and f"groups-meeting-{world.later.pk}@" in text
    assert "Réunion du forum" not in text
    assert [t for t in PRIVATE if t in text] == []


def test_an_unknown_token_is_404(db):
    assert Client().get(reverse("groups-calendar-feed", args=["inconnu"])).status_code == 404


def test_a_regenerated_token_retires_the_old_address(world):
    old = services.calendar_token(user=world.member).token
    client = Client()
    client.force_login(world.member)
    assert client.post(reverse("groups-calendar-token")).status_code == 302
    new = CalendarToken.objects.get(user=world.member).token
    assert new != old
    assert Client().get(reverse("groups-calendar-feed", args=[old])).status_code == 404
    assert Client().get(reverse("groups-calendar-feed", args=[new])).status_code == 200


def test_a_past_members_feed_no_longer_lists_the_group(world):
    token = services.calendar_token(user=world.member)
    world.membership.term_end = timezone.localdate() - datetime.timedelta(days=1)
    world.membership.save()
    text = Client().get(reverse("groups-calendar-feed", args=[token.token])).content.decode()
    assert "BEGIN:VEVENT" not in text


# --- Mes tâches and reminders -----------------------------------------------------------------


def _titles(user, today):
    return [t.title for group in tasks_for(user, today=today) for t in group.tasks]


def test_an_open_action_item_is_on_its_owners_tasks_until_done(world):
    today = timezone.localdate()
    assert any("Suivi confidentiel à faire" in t for t in _titles(world.member, today))
    assert not any("Suivi confidentiel" in t for t in _titles(world.other_member, today))
    services.mark_done(user=world.member, item=world.action)
    assert not any("Suivi confidentiel" in t for t in _titles(world.member, today))


def test_a_past_members_action_item_leaves_their_tasks(world):
    world.membership.term_end = timezone.localdate() - datetime.timedelta(days=1)
    world.membership.save()
    assert not any("Suivi confidentiel" in t for t in _titles(world.member, timezone.localdate()))


def test_ciq_staff_see_minutes_awaiting_adoption(world):
    today = timezone.localdate()
    assert any("procès-verbal" in t for t in _titles(world.ciq_staff, today))
    assert not any("procès-verbal" in t for t in _titles(world.office_staff, today))
    services.adopt_minutes(user=world.ciq_staff, minutes=world.minutes, at=world.later)
    assert not any("procès-verbal" in t for t in _titles(world.ciq_staff, today))


def test_an_action_item_is_reminded_before_its_due_date_and_when_overdue_never_twice(world):
    due = world.action.due_on
    mail.outbox.clear()
    send_due_action_reminders(today=due - datetime.timedelta(days=10))
    assert mail.outbox == []
    lines = send_due_action_reminders(today=due - datetime.timedelta(days=2))
    assert [line.status for line in lines] == ["sent"]
    send_due_action_reminders(today=due - datetime.timedelta(days=1))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["camille.prive@example.org"]
    send_due_action_reminders(today=due + datetime.timedelta(days=1))
    send_due_action_reminders(today=due + datetime.timedelta(days=2))
    assert len(mail.outbox) == 2 and "en retard" in mail.outbox[1].subject


def test_a_done_action_item_is_not_reminded(world):
    services.mark_done(user=world.member, item=world.action)
    assert send_due_action_reminders(today=world.action.due_on) == []


def test_a_dry_run_sends_nothing(world):
    lines = send_due_action_reminders(today=world.action.due_on, dry_run=True)
    assert [line.status for line in lines] == ["would_send"]
    assert mail.outbox == []


def test_an_action_item_owned_by_an_account_reaches_that_account(world):
    user = UserFactory()
    item = ActionItemFactory(meeting=world.meeting, owner_membership=None, owner_user=user)
    send_due_action_reminders(today=item.due_on)
    assert [user.email] in [m.to for m in mail.outbox]


# --- demonstration data ----------------------------------------------------------------------


def test_the_demonstration_groups_are_labelled_and_loaded_once(organizations, settings):
    from concerto.groups.demo import load_groups_demo

    lines = []
    load_groups_demo(out=lines.append)
    groups = list(Group.objects.order_by("slug"))
    assert len(groups) == 3
    assert all(g.is_demo and g.name.startswith("Démonstration — ") for g in groups)
    assert Minutes.objects.filter(state="adopted").count() == 3
    assert Minutes.objects.filter(state="draft").count() == 3
    assert Meeting.objects.filter(starts_at__gt=timezone.now()).count() == 3
    assert "déjà présents" in load_groups_demo(out=lines.append)
    assert Group.objects.count() == 3
    assert mail.outbox == []
    assert all(not m.email for g in groups for m in g.members.all())


def test_a_group_of_another_body_is_not_managed_by_the_ciq(world):
    foreign = GroupFactory(owner=world.office)
    with pytest.raises(Exception, match="Réservé"):
        services.save_meeting(
            user=world.ciq_staff,
            meeting=Meeting(
                group=foreign, starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(hours=1)
            ),
        )


def test_the_demonstration_working_group_shows_the_demonstration_opinion_it_prepared(organizations, settings):
    from io import StringIO

    from django.core.management import call_command

    from concerto.opinions.models import Opinion

    settings.CONCERTO_DEMO_DATA = True
    call_command("load_demo", stdout=StringIO())
    opinion = Opinion.objects.get()
    group = Group.objects.get(slug="demo-gt-admission")
    assert list(group.opinions.all()) == [opinion] and group.consultations.exists()
    page = Client().get(reverse("groups-public", args=[group.slug])).content.decode()
    assert opinion.title in page and "Données de démonstration" in page
