"""Scheduled reminders of the update campaigns (concerto.campaigns.reminders)."""

import datetime
import io
import logging
import smtplib
import threading
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from concerto.accounts.models import Membership, Role
from concerto.campaigns import services
from concerto.campaigns.models import Campaign, Draft
from concerto.campaigns.reminders import send_due_reminders
from concerto.notifications.models import SentNotification

from .factories import MeasureFactory, MeasureLeadFactory, OrganizationFactory, PlanFactory, ThemeFactory

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
AS_OF = datetime.date(2023, 3, 31)


def _member(django_user_model, organization, role, username, email):
    user = django_user_model.objects.create_user(username, email=email, password="x")
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def _build(django_user_model):
    """A plan of three measures: Ordre des ingénieurs leads 1 and 2, the Ministère leads 3."""
    plan = PlanFactory(title="Plan d’action pour l’accès aux professions")
    theme = ThemeFactory(plan=plan, number=1)
    order = OrganizationFactory(code="ordre-ingenieurs", name="Ordre des ingénieurs du Québec")
    ministry = OrganizationFactory(code="mifi", name="Ministère de l’Immigration")
    titles = {
        1: "Reconnaître les acquis",
        2: "Simplifier les stages",
        3: "Informer les personnes immigrantes",
    }
    measures = {n: MeasureFactory(plan=plan, theme=theme, number=n, title=t) for n, t in titles.items()}
    MeasureLeadFactory(measure=measures[1], organization=order)
    MeasureLeadFactory(measure=measures[2], organization=order)
    MeasureLeadFactory(measure=measures[3], organization=ministry)
    _member(django_user_model, order, Role.EDITOR, "edith", "edith@oiq.example")
    _member(django_user_model, order, Role.EDITOR, "emile", "emile@oiq.example")
    _member(django_user_model, order, Role.COLLABORATOR, "colette", "colette@oiq.example")
    _member(django_user_model, ministry, Role.EDITOR, "marc", "marc@mifi.example")
    superuser = django_user_model.objects.create_superuser("office", email="office@opq.example", password="x")
    return SimpleNamespace(plan=plan, order=order, ministry=ministry, measures=measures, superuser=superuser)


def _campaign_due_30_june_2030(data):
    """A campaign with one not-started draft per measure, written directly (no e-mail)."""
    campaign = Campaign.objects.create(
        plan=data.plan,
        as_of=AS_OF,
        deadline=datetime.date(2030, 6, 30),
        opened_by=data.superuser,
        opened_at=timezone.make_aware(datetime.datetime(2030, 1, 1, 9)),
    )
    Draft.objects.bulk_create([Draft(campaign=campaign, measure=m) for m in data.measures.values()])
    return campaign


@pytest.fixture
def world(db, django_user_model):
    """An open campaign (through services.open_campaign) due in 60 days."""
    data = _build(django_user_model)
    data.deadline = timezone.localdate() + datetime.timedelta(days=60)
    data.campaign = services.open_campaign(
        plan=data.plan, as_of=AS_OF, deadline=data.deadline, opened_by=data.superuser
    )
    mail.outbox.clear()
    return data


def days_before(world, n):
    return world.deadline - datetime.timedelta(days=n)


def set_state(world, number, state):
    Draft.objects.filter(campaign=world.campaign, measure=world.measures[number]).update(state=state)


def sent_to(address):
    return [m for m in mail.outbox if address in m.to]


def keys():
    return set(SentNotification.objects.values_list("key", flat=True))


def reminder_key(world, n, organization):
    return f"campaign:{world.campaign.pk}:reminder:{n}:org:{organization.pk}"


# The 14-day reminder


def test_14_day_reminder_goes_to_the_editors_of_each_lead_organization(world):
    send_due_reminders(today=days_before(world, 14))

    assert sorted(sorted(m.to) for m in mail.outbox) == [
        ["edith@oiq.example", "emile@oiq.example"],
        ["marc@mifi.example"],
    ]
    assert not sent_to("colette@oiq.example")
    assert keys() == {reminder_key(world, 14, world.order), reminder_key(world, 14, world.ministry)}


def test_no_reminder_before_the_first_threshold(world):
    assert send_due_reminders(today=days_before(world, 15)) == []
    assert mail.outbox == []


def test_reminder_is_in_french_with_text_and_html_parts(world):
    send_due_reminders(today=days_before(world, 14))

    (message,) = sent_to("marc@mifi.example")
    assert message.subject.startswith("Concerto — Rappel : mise à jour attendue d’ici le ")
    assert "Rappel : la mise à jour du « Plan d’action pour l’accès aux professions »" in message.body
    assert "dans 14 jour(s)" in message.body
    assert "Mesures de Ministère de l’Immigration qui ne sont pas encore soumises" in message.body
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="fr">' in html
    assert "Mesure 3&nbsp;: Informer les personnes immigrantes (Non commencée)" in html


def test_reminder_lists_only_the_organizations_unsubmitted_measures(world):
    set_state(world, 1, Draft.State.SUBMITTED)
    set_state(world, 2, Draft.State.RETURNED)

    send_due_reminders(today=days_before(world, 14))

    (message,) = sent_to("edith@oiq.example")
    assert "Mesure 2 : Simplifier les stages (Retournée)" in message.body
    assert "Reconnaître les acquis" not in message.body
    assert "Informer les personnes immigrantes" not in message.body  # another organization's measure


def test_organization_whose_measures_are_all_submitted_or_validated_gets_no_reminder(world):
    set_state(world, 1, Draft.State.SUBMITTED)
    set_state(world, 2, Draft.State.VALIDATED)

    send_due_reminders(today=days_before(world, 14))

    assert not sent_to("edith@oiq.example")
    assert len(sent_to("marc@mifi.example")) == 1
    assert keys() == {reminder_key(world, 14, world.ministry)}


def test_each_send_is_logged(world, caplog):
    with caplog.at_level(logging.INFO):
        send_due_reminders(today=days_before(world, 14))

    assert f"Courriel reminder envoyé ({reminder_key(world, 14, world.ministry)})" in caplog.text


# Idempotence and the later thresholds


def test_running_the_command_twice_the_same_day_sends_nothing_the_second_time(world):
    day = days_before(world, 14).isoformat()
    call_command("send_reminders", "--today", day, stdout=io.StringIO())
    assert len(mail.outbox) == 2

    out = io.StringIO()
    call_command("send_reminders", "--today", day, stdout=out)

    assert len(mail.outbox) == 2
    assert SentNotification.objects.count() == 2
    assert "0 courriel(s) envoyé(s)" in out.getvalue()
    assert "2 déjà envoyé(s)" in out.getvalue()


def test_nothing_new_between_the_14_and_3_day_thresholds(world):
    send_due_reminders(today=days_before(world, 14))

    for n in (13, 10, 4):
        send_due_reminders(today=days_before(world, n))

    assert len(mail.outbox) == 2


def test_3_day_reminder_is_sent_later(world):
    send_due_reminders(today=days_before(world, 14))
    mail.outbox.clear()

    send_due_reminders(today=days_before(world, 3))

    (message,) = sent_to("marc@mifi.example")
    assert "dans 3 jour(s)" in message.body
    assert reminder_key(world, 3, world.ministry) in keys()


def test_missed_14_day_reminder_is_caught_up_before_the_3_day_one_is_due(world):
    send_due_reminders(today=days_before(world, 10))

    assert keys() == {reminder_key(world, 14, world.order), reminder_key(world, 14, world.ministry)}
    assert "dans 10 jour(s)" in sent_to("marc@mifi.example")[0].body


def test_missed_14_day_reminder_is_dropped_once_the_3_day_one_is_due(world):
    send_due_reminders(today=days_before(world, 2))

    assert keys() == {reminder_key(world, 3, world.order), reminder_key(world, 3, world.ministry)}
    assert len(mail.outbox) == 2


def test_deadline_day_is_not_past_the_deadline(world):
    send_due_reminders(today=days_before(world, 3))
    mail.outbox.clear()

    assert [line.status for line in send_due_reminders(today=world.deadline)] == ["already_sent"] * 2
    assert mail.outbox == []


def test_reminder_days_are_configurable_per_campaign(world):
    Campaign.objects.filter(pk=world.campaign.pk).update(reminder_days=[7])

    send_due_reminders(today=days_before(world, 14))
    assert mail.outbox == []

    send_due_reminders(today=days_before(world, 7))
    assert keys() == {reminder_key(world, 7, world.order), reminder_key(world, 7, world.ministry)}


def test_threshold_reached_before_the_campaign_opened_is_not_sent(world):
    opened = timezone.make_aware(datetime.datetime.combine(days_before(world, 5), datetime.time(9)))
    Campaign.objects.filter(pk=world.campaign.pk).update(opened_at=opened)

    send_due_reminders(today=days_before(world, 5))
    assert mail.outbox == []

    send_due_reminders(today=days_before(world, 3))
    assert keys() == {reminder_key(world, 3, world.order), reminder_key(world, 3, world.ministry)}


# After the deadline


def test_deadline_passed_is_sent_once(world):
    set_state(world, 3, Draft.State.VALIDATED)
    after = world.deadline + datetime.timedelta(days=1)

    send_due_reminders(today=after)
    send_due_reminders(today=after)
    send_due_reminders(today=after + datetime.timedelta(days=5))

    (message,) = mail.outbox
    assert sorted(message.to) == ["edith@oiq.example", "emile@oiq.example"]
    assert message.subject.startswith("Concerto — Date limite dépassée pour la mise à jour au ")
    assert "Mesure 1 : Reconnaître les acquis" in message.body
    assert keys() == {f"campaign:{world.campaign.pk}:deadline_passed:org:{world.order.pk}"}


# What is never sent


def test_dry_run_sends_and_writes_nothing(world):
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--today", days_before(world, 14).isoformat(), stdout=out)

    assert mail.outbox == []
    assert SentNotification.objects.count() == 0
    assert "Rappel J-14 à envoyer (simulation)" in out.getvalue()
    assert "marc@mifi.example" in out.getvalue()


def test_dry_run_says_what_was_already_sent(world):
    send_due_reminders(today=days_before(world, 14))

    lines = send_due_reminders(today=days_before(world, 14), dry_run=True)

    assert len(lines) == 2
    assert all("Rappel J-14 déjà envoyé" in line for line in lines)


def test_closed_campaign_gets_nothing(world):
    Campaign.objects.filter(pk=world.campaign.pk).update(closed_at=timezone.now())

    assert send_due_reminders(today=days_before(world, 14)) == []
    assert send_due_reminders(today=world.deadline + datetime.timedelta(days=1)) == []
    assert mail.outbox == []
    assert SentNotification.objects.count() == 0


def test_organization_without_editors_gets_nothing_and_is_reported(world, caplog):
    Membership.objects.filter(organization=world.ministry).update(role=Role.COLLABORATOR)

    with caplog.at_level(logging.WARNING):
        lines = send_due_reminders(today=days_before(world, 14))

    assert not sent_to("marc@mifi.example")
    assert reminder_key(world, 14, world.ministry) not in keys()  # sent once an editor is added
    assert any(
        "Ministère de l’Immigration" in line and "aucun responsable de la mise à jour" in line
        for line in lines
    )
    assert "aucun responsable avec courriel" in caplog.text


# Failures


class BrokenSMTPBackend(BaseEmailBackend):
    """An SMTP server that drops the connection."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connexion SMTP perdue")


def test_failed_send_leaves_no_notification_row_and_the_next_run_retries(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenSMTPBackend"
    day = days_before(world, 14)

    lines = send_due_reminders(today=day)

    assert [line.status for line in lines] == ["failed", "failed"]
    assert SentNotification.objects.count() == 0

    settings.EMAIL_BACKEND = LOCMEM
    send_due_reminders(today=day)

    assert len(mail.outbox) == 2
    assert SentNotification.objects.count() == 2


def test_command_exits_with_an_error_when_a_send_fails(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenSMTPBackend"

    with pytest.raises(CommandError, match="2 envoi\\(s\\) en échec"):
        call_command(
            "send_reminders",
            "--today",
            days_before(world, 14).isoformat(),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_command_rejects_a_bad_date_in_french(db):
    with pytest.raises(
        CommandError, match="Date invalide « 31/03/2025 » : une date existante au format AAAA-MM-JJ"
    ):
        call_command("send_reminders", "--today", "31/03/2025")


# Several nodes at once


RUNNERS: dict[str, threading.Event] = {}


class HoldingBackend(LocmemBackend):
    """Sends only once every other runner has returned (10 s at most), so the
    campaign's lock is held while the other runner looks at the campaign."""

    def send_messages(self, messages):
        me = threading.current_thread().name
        for name, done in RUNNERS.items():
            if name != me:
                done.wait(timeout=10)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_runners_at_once_send_one_email_per_key(django_user_model, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes writers and ignores select_for_update(skip_locked)")
    settings.EMAIL_BACKEND = f"{__name__}.HoldingBackend"
    data = _build(django_user_model)
    campaign = _campaign_due_30_june_2030(data)
    deadline = campaign.deadline
    today = deadline - datetime.timedelta(days=14)
    barrier = threading.Barrier(2)
    results, errors = {}, []
    RUNNERS.clear()
    RUNNERS.update({"noeud-1": threading.Event(), "noeud-2": threading.Event()})

    def run():
        name = threading.current_thread().name
        try:
            barrier.wait(timeout=10)
            results[name] = send_due_reminders(today=today)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            RUNNERS[name].set()
            connection.close()

    threads = [threading.Thread(target=run, name=name) for name in RUNNERS]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        RUNNERS.clear()

    assert errors == []
    assert sorted(sorted(m.to) for m in mail.outbox) == [
        ["edith@oiq.example", "emile@oiq.example"],
        ["marc@mifi.example"],
    ]
    assert keys() == {
        f"campaign:{campaign.pk}:reminder:14:org:{data.order.pk}",
        f"campaign:{campaign.pk}:reminder:14:org:{data.ministry.pk}",
    }
    # Each e-mail left exactly once: the runners shared the work through the
    # lock and the unique keys, neither waited for the other's lock.
    statuses = [line.status for lines in results.values() for line in lines]
    assert statuses.count("sent") == 2
    assert set(statuses) <= {"sent", "skipped", "already_sent"}


class ClaimCheckingBackend(LocmemBackend):
    """Records whether each message's key was already claimed when it left."""

    seen: list = []

    def send_messages(self, messages):
        # Outside any transaction: the claim is committed, so a crash now cannot roll it back.
        ClaimCheckingBackend.seen.append((SentNotification.objects.count(), connection.in_atomic_block))
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_each_reminder_is_claimed_and_committed_before_it_leaves(django_user_model, settings):
    """A crash after sending can then never cause a second copy."""
    settings.EMAIL_BACKEND = f"{__name__}.ClaimCheckingBackend"
    ClaimCheckingBackend.seen = []
    data = _build(django_user_model)
    campaign = _campaign_due_30_june_2030(data)
    deadline = campaign.deadline
    send_due_reminders(today=deadline - datetime.timedelta(days=14))
    assert ClaimCheckingBackend.seen == [(1, False), (2, False)]
