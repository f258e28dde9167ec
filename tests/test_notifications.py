"""The shared outbox (concerto.notifications): each e-mail sent once, the
reminder registry, the send_reminders command and the move of the sent e-mails
out of the campaigns app."""

import datetime
import io
import re
import smtplib
import threading
import time
from pathlib import Path

import icalendar
import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation

from concerto.accounts.models import Role
from concerto.accounts.services import invite
from concerto.campaigns.models import Campaign, Draft
from concerto.core import ical
from concerto.notifications import reminders
from concerto.notifications.models import SentNotification
from concerto.notifications.outbox import send_once, sent_keys
from concerto.notifications.reminders import ReminderLine, registered_reminders

from .factories import MeasureFactory, OrganizationFactory, PlanFactory, UserFactory

CONCERTO = Path(__file__).resolve().parent.parent / "concerto"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def hello(settings, tmp_path):
    """A template ``outbox/hello`` (subject, text, HTML) that says one translated word."""
    folder = tmp_path / "outbox"
    folder.mkdir()
    (folder / "hello_subject.txt").write_text("Bonjour {{ name }}\n", encoding="utf-8")
    (folder / "hello.txt").write_text(
        '{% load i18n %}Bonjour {{ name }} — {% translate "Courriels" %}', encoding="utf-8"
    )
    (folder / "hello.html").write_text("<p>Bonjour {{ name }}</p>", encoding="utf-8")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}, *settings.TEMPLATES[1:]]
    return "outbox/hello"


def send_hello(template, key="test:1:hello", recipients=("a@example.org",), **extra):
    return send_once(
        key=key, template=template, recipients=list(recipients), context={"name": "Anne"}, **extra
    )


# --- send_once -------------------------------------------------------------------


def test_send_once_sends_a_key_only_once(db, hello):
    assert send_hello(hello) is True
    assert send_hello(hello) is False

    (message,) = mail.outbox
    assert message.to == ["a@example.org"]
    assert message.subject == "Bonjour Anne"
    assert message.alternatives == [("<p>Bonjour Anne</p>", "text/html")]
    row = SentNotification.objects.get()
    assert (row.key, row.kind, row.recipients) == ("test:1:hello", "hello", "a@example.org")


def test_an_invitation_leaves_with_its_calendar_file_attached(db, hello):
    start = datetime.datetime(2026, 12, 3, 14, 30, tzinfo=datetime.UTC)
    event = ical.Event(
        uid="meeting-7",
        start=start,
        end=start + datetime.timedelta(hours=1),
        summary="Réunion",
        organizer_email="ciq@example.org",
        attendees=("a@example.org",),
    )
    send_hello(hello, attachments=[ical.attachment([event], name="Réunion")])

    ((filename, content, mimetype),) = mail.outbox[0].attachments
    assert filename == "invitation.ics"
    assert mimetype == "text/calendar; charset=utf-8; method=REQUEST"
    calendar = icalendar.Calendar.from_ical(content)
    assert str(calendar["METHOD"]) == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["ATTENDEE"]) == "mailto:a@example.org"


def test_send_once_records_the_kind_and_organization_given(db, hello):
    organization = OrganizationFactory()
    send_hello(hello, kind="salutation", organization=organization, subject="Objet donné")

    assert mail.outbox[0].subject == "Objet donné"
    assert SentNotification.objects.values_list("kind", "organization").get() == (
        "salutation",
        organization.pk,
    )


def test_send_once_without_recipients_sends_and_records_nothing(db, hello):
    assert send_hello(hello, recipients=()) is False
    assert mail.outbox == [] and not SentNotification.objects.exists()


def test_messages_are_rendered_in_french_whatever_the_active_language(db, hello):
    with translation.override("en"):
        send_hello(hello)

    assert mail.outbox[0].body == "Bonjour Anne — Courriels"
    assert mail.outbox[0].extra_headers["Content-Language"] == "fr"


class BrokenSMTPBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connexion SMTP perdue")


def test_a_failed_send_releases_the_claim_so_that_a_later_attempt_sends(db, hello, settings):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenSMTPBackend"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_hello(hello)
    assert not SentNotification.objects.exists()

    settings.EMAIL_BACKEND = LOCMEM
    assert send_hello(hello) is True
    assert len(mail.outbox) == 1


def test_a_template_error_releases_the_claim(db):
    with pytest.raises(Exception, match="missing"):
        send_once(key="test:2", template="outbox/missing", recipients=["a@example.org"], context={})
    assert sent_keys(["test:2"]) == set()


def test_send_once_refuses_to_claim_inside_a_transaction(db, hello):
    """Rolled back with the caller's transaction, the claim would not protect anything."""
    with pytest.raises(RuntimeError), transaction.atomic():
        send_hello(hello)
    assert mail.outbox == []


def test_sent_keys_names_those_already_sent(db, hello):
    send_hello(hello, key="test:1")
    assert sent_keys(["test:1", "test:2"]) == {"test:1"}


class SlowBackend(LocmemBackend):
    """Takes its time, so that both senders would be sending at once if both had claimed the key."""

    def send_messages(self, messages):
        time.sleep(0.3)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_senders_racing_for_one_key_send_one_email(hello, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes writers")
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(send_hello(hello, key="test:race"))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
    assert SentNotification.objects.filter(key="test:race").count() == 1


def test_the_invitation_email_goes_through_the_outbox_in_french_and_english(db):
    organization = OrganizationFactory()
    PlanFactory(owner=organization)  # a body that owns a plan: its coordination invites
    coordinator = UserFactory(coordinator_of=organization)
    invitation, _token = invite(
        email="marie@example.org", organization=organization, role=Role.EDITOR, invited_by=coordinator
    )

    (message,) = mail.outbox
    assert message.extra_headers["Content-Language"] == "fr, en"
    row = SentNotification.objects.get()
    assert (row.key, row.kind, row.organization, row.recipients) == (
        f"invitation:{invitation.pk}",
        "invitation",
        organization,
        "marie@example.org",
    )


# --- the reminder registry and send_reminders -------------------------------------


def test_campaigns_recommendations_ciq_groups_and_activities_register_their_reminders_in_app_order():
    assert list(registered_reminders()) == ["campaigns", "recommendations", "ciq", "groups", "activities"]


@pytest.fixture
def only_reminder(monkeypatch):
    """Replace the apps' reminders by those a test registers."""
    registry = {}
    monkeypatch.setattr(reminders, "_reminders", registry)
    return registry


def test_a_reminder_registered_by_an_app_is_run_by_the_command(db, only_reminder):
    calls = []

    def send_due(*, today, dry_run):
        calls.append((today, dry_run))
        return [ReminderLine("Rappel de l’application envoyé : à Anne.", "sent")]

    reminders.register_reminder("essai", send_due)
    out = io.StringIO()
    call_command("send_reminders", "--today", "2025-03-31", stdout=out)

    assert calls == [(datetime.date(2025, 3, 31), False)]
    assert "Rappel de l’application envoyé : à Anne." in out.getvalue()
    assert "Résumé : 1 courriel(s) envoyé(s), 0 à envoyer" in out.getvalue()


def test_without_today_every_reminder_gets_the_local_date(db, only_reminder):
    days = []
    reminders.register_reminder("a", lambda *, today, dry_run: days.append(today) or [])
    reminders.register_reminder("b", lambda *, today, dry_run: days.append(today) or [])

    call_command("send_reminders", stdout=io.StringIO())

    assert days == [timezone.localdate()] * 2


def test_dry_run_is_passed_to_every_reminder_and_says_so(db, only_reminder):
    seen = []

    def send_due(*, today, dry_run):
        seen.append(dry_run)
        return [ReminderLine("Rappel à envoyer (simulation).", "would_send")]

    reminders.register_reminder("essai", send_due)
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)

    assert seen == [True]
    assert "Simulation — Résumé : 0 courriel(s) envoyé(s), 1 à envoyer" in out.getvalue()


def test_dry_run_of_the_apps_reminders_sends_and_writes_nothing(db, django_user_model):
    """With a campaign whose reminder is due: nothing leaves, nothing is recorded."""
    from concerto.accounts.models import Membership
    from concerto.plans.models import MeasureLead

    organization = OrganizationFactory()
    measure = MeasureFactory()
    MeasureLead.objects.create(measure=measure, organization=organization)
    editor = django_user_model.objects.create_user("edith", email="edith@example.org", password="x")
    Membership.objects.create(user=editor, organization=organization, role=Role.EDITOR)
    campaign = Campaign.objects.create(
        plan=measure.plan,
        as_of=datetime.date(2025, 3, 31),
        deadline=datetime.date(2030, 6, 30),
        reminder_days=[14],
        opened_at=timezone.make_aware(datetime.datetime(2030, 1, 1, 9)),
    )
    Draft.objects.create(campaign=campaign, measure=measure)
    out = io.StringIO()

    call_command("send_reminders", "--dry-run", "--today", "2030-06-16", stdout=out)

    assert "Rappel J-14 à envoyer (simulation)" in out.getvalue()
    assert mail.outbox == [] and not SentNotification.objects.exists()


def test_one_app_failing_does_not_stop_the_others(db, only_reminder):
    def broken(*, today, dry_run):
        raise RuntimeError("base indisponible")

    reminders.register_reminder("cassé", broken)
    reminders.register_reminder("essai", lambda *, today, dry_run: [ReminderLine("Rappel envoyé.", "sent")])
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 envoi\\(s\\) en échec"):
        call_command("send_reminders", stdout=out, stderr=err)

    assert "ÉCHEC : rappels « cassé » interrompus — base indisponible" in err.getvalue()
    assert "Rappel envoyé." in out.getvalue()


@pytest.mark.parametrize("value", ["31/03/2025", "2025-02-30", "demain"])
def test_a_bad_today_gets_a_french_error(db, value):
    with pytest.raises(
        CommandError, match=f"Date invalide « {value} » : une date existante au format AAAA-MM-JJ"
    ):
        call_command("send_reminders", "--today", value)


# --- the admin -------------------------------------------------------------------


def test_staff_see_the_sent_emails_in_the_admin_and_cannot_add_one(db, hello, admin_client):
    send_hello(hello)
    url = reverse("admin:notifications_sentnotification_changelist")

    response = admin_client.get(url)
    assert response.status_code == 200
    assert "test:1:hello" in response.content.decode()
    assert "Courriels envoyés" in response.content.decode()
    assert admin_client.get(reverse("admin:notifications_sentnotification_add")).status_code == 403


# --- one outbox, depending on no specific app -------------------------------------


def test_send_once_is_defined_once_and_nothing_else_builds_an_email():
    definitions, builders = [], []
    for path in CONCERTO.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        definitions += [path] * len(re.findall(r"^def send_once\b", text, re.M))
        if re.search(r"EmailMessage|EmailMultiAlternatives|send_mail\(", text):
            builders.append(path.relative_to(CONCERTO).as_posix())
    assert [p.relative_to(CONCERTO).as_posix() for p in definitions] == ["notifications/outbox.py"]
    assert builders == ["notifications/outbox.py"]


def test_the_notifications_app_imports_no_specific_app():
    general = {"core", "organizations", "accounts", "notifications"}
    imported = set()
    for path in (CONCERTO / "notifications").rglob("*.py"):
        imported |= set(re.findall(r"concerto\.(\w+)", path.read_text(encoding="utf-8")))
    assert imported <= general


# --- the move out of the campaigns app -------------------------------------------

BEFORE_MOVE = [("campaigns", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_every_sent_email_with_its_key_and_back():
    organization = OrganizationFactory()
    measure = MeasureFactory()
    dates = {"as_of": datetime.date(2025, 3, 31), "deadline": datetime.date(2025, 6, 30)}
    campaign = Campaign.objects.create(plan=PlanFactory(), **dates)
    draft = Draft.objects.create(
        campaign=Campaign.objects.create(plan=measure.plan, **dates), measure=measure
    )
    sent_at = timezone.make_aware(datetime.datetime(2025, 6, 16, 8, 0, 0, 123456))
    rows = [
        # key, kind, campaign, organization
        (
            f"campaign:{campaign.pk}:reminder:14:org:{organization.pk}",
            "reminder",
            campaign.pk,
            organization.pk,
        ),
        (f"draft:{draft.pk}:draft_validated:v3", "draft_validated", draft.campaign_id, None),
        ("recommendation:7:very_late", "recommendation_very_late", None, organization.pk),
    ]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        Old = _migrate(BEFORE_MOVE).get_model("campaigns", "SentNotification")
        for key, kind, campaign_id, organization_id in rows:
            Old.objects.create(
                key=key,
                kind=kind,
                campaign_id=campaign_id,
                organization_id=organization_id,
                recipients="edith@example.org, emile@example.org",
                sent_at=sent_at,
            )

        _migrate(latest)
        moved = SentNotification.objects.order_by("key").values_list(
            "key", "kind", "organization_id", "recipients", "sent_at"
        )
        assert list(moved) == sorted(
            (key, kind, organization_id, "edith@example.org, emile@example.org", sent_at)
            for key, kind, _campaign, organization_id in rows
        )
        assert "campaigns_sentnotification" not in connection.introspection.table_names()

        Old = _migrate(BEFORE_MOVE).get_model("campaigns", "SentNotification")
        back = Old.objects.order_by("key").values_list("key", "kind", "campaign_id", "organization_id")
        assert list(back) == sorted(rows)
        assert SentNotification.objects.count() == 0
    finally:
        _migrate(latest)
