"""The audit trail: every change of what matters is recorded by one mechanism,
and each measure has a 'Historique' page for the plan's coordination."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.middleware import HistoryRequestMiddleware
from simple_history.utils import bulk_create_with_history

from concerto.accounts.models import Membership, Role
from concerto.audit.history import measure_history, text_diff, word_diff
from concerto.campaigns.models import Campaign, Draft
from concerto.core.audit import IMPORT, record_update, recorded_as
from concerto.organizations.models import Organization
from concerto.plans.importer import import_plan
from concerto.plans.models import (
    ComponentProgress,
    IndicatorProgress,
    Measure,
    MeasureLead,
    ProgressReport,
    Status,
)
from concerto.plans.progress import ComponentInput, ProgressInput, ValueInput, record_progress

from .conftest import REAL_PLAN_FILE
from .factories import ComponentProgressFactory, MeasureFactory, OrganizationFactory, ProgressReportFactory

AS_OF = datetime.date(2023, 3, 31)
PLAN = "pole-2019-2024"
NBSP = "\u00a0"


def history_url(number=13, slug=PLAN):
    return reverse("measure-history", kwargs={"slug": slug, "number": number})


@pytest.fixture
def coordinator(real_plan, django_user_model):
    user = django_user_model.objects.create_user(
        "coordo", password="x", first_name="Camille", last_name="Coordo"
    )
    Membership.objects.create(user=user, organization=real_plan.owner, role=Role.COORDINATOR)
    return user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _progress_of(report: ProgressReport, **changes) -> ProgressInput:
    """The state of ``report`` as record_progress input, with ``changes``."""
    data = ProgressInput(
        percent=report.percent,
        status=report.status,
        completed_in=report.completed_in,
        narrative=report.narrative,
        components=[
            ComponentInput(
                label=c.label, organization=c.organization, percent=c.percent, narrative=c.narrative
            )
            for c in report.components.order_by("position")
        ],
        values=[
            ValueInput(indicator=v.indicator, actual=v.actual, percent=v.percent, note=v.note)
            for v in report.indicator_values.order_by("indicator__position")
        ],
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def _correct(measure: Measure, user, **changes) -> ProgressReport:
    current = ProgressReport.objects.get(measure=measure, as_of=AS_OF, is_current=True)
    with recorded_as(user=user):
        report, changed = record_progress(
            measure=measure, as_of=AS_OF, data=_progress_of(current, **changes), validated_by=user
        )
    assert changed
    return report


# --- recording ----------------------------------------------------------------


def test_importing_the_real_plan_records_the_creation_of_every_measure_and_progress(real_plan):
    measures = Measure.objects.filter(plan=real_plan)
    assert Measure.history.filter(history_type="+").count() == measures.count() > 0
    assert ProgressReport.history.filter(history_type="+").count() == ProgressReport.objects.count() > 0
    # Written with bulk_create: recorded too.
    assert MeasureLead.history.filter(history_type="+").count() == MeasureLead.objects.count() > 0
    assert ComponentProgress.history.filter(history_type="+").count() == ComponentProgress.objects.count() > 0
    assert IndicatorProgress.history.filter(history_type="+").count() == IndicatorProgress.objects.count() > 0


def test_reimporting_an_unchanged_plan_records_nothing(real_plan):
    before = (Measure.history.count(), ProgressReport.history.count(), MeasureLead.history.count())
    import_plan(path=REAL_PLAN_FILE)
    assert (Measure.history.count(), ProgressReport.history.count(), MeasureLead.history.count()) == before


def test_an_import_run_as_such_is_attributed_to_importation(organizations, django_user_model):
    with recorded_as(source=IMPORT):
        import_plan(path=REAL_PLAN_FILE)
    assert set(Measure.history.values_list("history_change_reason", flat=True)) == {IMPORT}
    assert set(ComponentProgress.history.values_list("history_change_reason", flat=True)) == {IMPORT}
    measure = Measure.objects.get(number=13)
    assert {entry.who for entry in measure_history(measure)} == {"Importation"}


def test_changes_outside_any_import_or_request_are_attributed_to_the_system(real_plan):
    measure = Measure.objects.get(number=13)
    measure.lead_note = "Précision"
    measure.save()
    latest = measure_history(measure)[0]
    assert (latest.action, latest.who, latest.automatic) == ("~", "Système", True)


def test_recorded_as_keeps_what_an_enclosing_block_gave(real_plan, coordinator):
    measure = Measure.objects.get(number=13)
    with recorded_as(source=IMPORT), recorded_as(user=coordinator):
        measure.lead_note = "Précision"
        measure.save()
    latest = measure.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (coordinator, IMPORT)
    assert measure_history(measure)[0].who == "Camille Coordo"


def test_record_progress_records_who_changed_the_percent(real_plan, coordinator):
    measure = Measure.objects.get(plan=real_plan, number=13)
    old = ProgressReport.objects.get(measure=measure, as_of=AS_OF)
    new = _correct(measure, coordinator, percent=60)
    created = new.history.get()
    assert created.history_type == "+" and created.history_user == coordinator
    superseded = old.history.order_by("history_date").last()
    assert superseded.history_user == coordinator
    assert superseded.is_current is False and superseded.prev_record.is_current is True


def test_a_change_during_a_request_is_attributed_to_the_signed_in_user(real_plan, coordinator):
    request = RequestFactory().post("/")
    request.user = coordinator
    measure = Measure.objects.get(number=13)

    def change(request):
        measure.title = "Un titre corrigé"
        measure.save()

    HistoryRequestMiddleware(change)(request)
    assert measure.history.latest().history_user == coordinator


def test_record_update_records_changes_made_with_queryset_update(real_plan, coordinator):
    measure = Measure.objects.get(number=13)
    Measure.objects.filter(pk=measure.pk).update(lead_note="Précision ajoutée")
    assert measure.history.count() == 1  # update() sends no signal
    measure.refresh_from_db()
    record_update(measure, user=coordinator)
    latest = measure.history.latest()
    assert latest.history_type == "~" and latest.lead_note == "Précision ajoutée"
    assert latest.history_user == coordinator


# --- the readable diff ------------------------------------------------------------


def test_history_page_shows_the_old_and_new_percent_and_who_changed_it(coordinator_client, coordinator):
    _correct(Measure.objects.get(number=13), coordinator, percent=60)
    html = coordinator_client.get(history_url()).content.decode()
    assert f"93{NBSP}%</del>" in html
    assert f"60{NBSP}%</ins>" in html
    assert "Camille Coordo" in html
    assert "Nouvelle version" in html


def test_a_correction_is_a_new_version_and_the_old_version_still_shows(coordinator_client, coordinator):
    measure = Measure.objects.get(number=13)
    old = ProgressReport.objects.get(measure=measure, as_of=AS_OF)
    _correct(measure, coordinator, percent=60)
    old.refresh_from_db()
    assert old.percent == 93 and old.is_current is False  # never edited in place
    entries = measure_history(measure)
    subjects = [entry.subject for entry in entries if entry.subject.startswith("État d’avancement au 31")]
    assert "État d’avancement au 31 mars 2023, version 1" in subjects
    assert "État d’avancement au 31 mars 2023, version 2" in subjects
    html = coordinator_client.get(history_url()).content.decode()
    assert "version 1" in html and "version 2" in html


def test_unchanged_components_of_a_new_version_are_not_listed_again(real_plan, coordinator):
    measure = Measure.objects.get(number=1)
    before = len(measure_history(measure))
    _correct(measure, coordinator, percent=10)
    entries = measure_history(measure)
    # The new version, and the old one no longer current: nothing for unchanged components.
    assert len(entries) == before + 2
    assert {entry.action for entry in entries[:2]} == {"new_version", "~"}


def test_a_changed_component_of_a_new_version_is_compared_with_the_replaced_one(real_plan, coordinator):
    measure = Measure.objects.get(number=1)
    current = ProgressReport.objects.get(measure=measure, as_of=AS_OF)
    data = _progress_of(current)
    data.components[0].percent = 75
    dropped = data.components.pop()
    with recorded_as(user=coordinator):
        record_progress(measure=measure, as_of=AS_OF, data=data, validated_by=coordinator)
    entries = measure_history(measure)
    changed = [e for e in entries if e.subject.startswith("Composante") and e.action == "~"]
    assert len(changed) == 1
    assert [(c.label, c.new) for c in changed[0].changes] == [("pourcentage", f"75{NBSP}%")]
    removed = [e for e in entries if e.action == "removed"]
    assert [e.subject.split("»")[0] for e in removed] == [f"Composante « {dropped.label} "]


def test_a_multiline_text_change_is_shown_as_a_line_diff(coordinator_client, coordinator):
    measure = Measure.objects.get(number=14)
    current = ProgressReport.objects.get(measure=measure, as_of=AS_OF)
    narrative = current.narrative.replace("totalité", "partie")
    _correct(measure, coordinator, narrative=narrative)
    html = coordinator_client.get(history_url(14)).content.decode()
    assert "<del>− Mesure réalisée en totalité en 2021-2022.</del>" in html
    assert "<ins>+ Mesure réalisée en partie en 2021-2022.</ins>" in html


def test_text_diff_keeps_changed_lines_and_shortens_unchanged_ones():
    old = "un\ndeux\ntrois\nquatre\ncinq"
    new = "un\ndeux\nTROIS\nquatre\ncinq"
    assert [(line.kind, line.text) for line in text_diff(old, new)] == [
        ("gap", "…"),
        ("same", "deux"),
        ("del", "trois"),
        ("ins", "TROIS"),
        ("same", "quatre"),
        ("gap", "…"),
    ]


def test_word_diff_marks_only_the_changed_words():
    diff = word_diff("56 prêts ont été octroyés.", "58 prêts ont été octroyés.")
    assert [(part.kind, part.text) for part in diff] == [
        ("del", "56 "),
        ("ins", "58 "),
        ("same", "prêts ont été octroyés."),
    ]


def test_a_measure_change_shows_field_labels_and_values(coordinator_client, coordinator):
    measure = Measure.objects.get(number=13)
    measure.title = "Octroyer des prêts aux PFÉ."
    measure._history_user = coordinator
    measure.save()
    entry = measure_history(measure)[0]
    assert (entry.action, entry.subject, entry.who) == ("~", "Mesure 13", "Camille Coordo")
    assert [(c.label, c.new) for c in entry.changes] == [("nom de la mesure", "Octroyer des prêts aux PFÉ.")]


def test_creation_and_deletion_of_a_lead_are_shown_as_such(real_plan, coordinator):
    measure = Measure.objects.get(number=13)
    organization = Organization.objects.get(code="office-des-professions-du-quebec")
    lead = MeasureLead.objects.create(measure=measure, organization=organization, position=1)
    lead.delete()
    deleted, created = measure_history(measure)[:2]
    assert (created.action, created.subject) == ("+", "M/O en charge")
    assert (deleted.action, deleted.subject) == ("-", "M/O en charge")
    assert created.changes[0].new == deleted.changes[0].old == organization.label


def test_campaign_drafts_of_the_measure_are_in_its_history(real_plan, coordinator):
    measure = Measure.objects.get(number=13)
    campaign = Campaign.objects.create(
        plan=real_plan, as_of=datetime.date(2024, 3, 31), deadline=datetime.date(2099, 5, 1)
    )
    bulk_create_with_history(
        [Draft(campaign=campaign, measure=measure, percent=93, status=Status.IN_PROGRESS)], Draft
    )
    Draft.objects.filter(measure=measure).update(state=Draft.State.SUBMITTED, percent=100)
    draft = Draft.objects.get(measure=measure)
    record_update(draft, user=coordinator)
    latest, created = measure_history(measure)[:2]
    assert created.subject == latest.subject == "Mise à jour de la campagne de l’état au 31 mars 2024"
    assert created.action == "+"
    assert [(c.label, c.old, c.new) for c in latest.changes] == [
        ("état de la mise à jour", "Non commencée", "Soumise"),
        ("pourcentage", f"93{NBSP}%", f"100{NBSP}%"),
    ]


def test_history_of_a_measure_leaves_out_the_changes_of_other_measures(real_plan, coordinator):
    other = Measure.objects.get(number=14)
    before = measure_history(other)
    _correct(Measure.objects.get(number=13), coordinator, percent=60)
    assert measure_history(other) == before


# --- the page: coordinators only ------------------------------------------------------


def test_history_page_sends_anonymous_users_to_login(client, real_plan):
    response = client.get(history_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_history_page_refuses_signed_in_non_coordinators(client, real_plan, django_user_model):
    user = django_user_model.objects.create_user("partenaire", password="x", is_staff=True)
    lead = MeasureLead.objects.filter(measure__number=13).first().organization
    Membership.objects.create(user=user, organization=lead, role=Role.EDITOR)
    client.force_login(user)
    assert client.get(history_url()).status_code == 403


def test_history_page_refuses_a_coordinator_of_another_organization(client, real_plan, django_user_model):
    user = django_user_model.objects.create_user("autre", password="x")
    Membership.objects.create(user=user, organization=OrganizationFactory(), role=Role.COORDINATOR)
    client.force_login(user)
    assert client.get(history_url()).status_code == 403


def test_history_page_opens_for_a_coordinator_of_the_plan(coordinator_client):
    response = coordinator_client.get(history_url())
    assert response.status_code == 200
    assert "Historique de la mesure 13" in response.content.decode()


def test_history_page_opens_for_a_superuser(client, real_plan, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", password="x"))
    assert client.get(history_url()).status_code == 200


def test_history_page_refuses_post(coordinator_client):
    assert coordinator_client.post(history_url()).status_code == 405


def test_history_page_of_an_unknown_measure_is_404(coordinator_client):
    assert coordinator_client.get(history_url(999)).status_code == 404


def test_history_page_is_translated_into_english(coordinator_client):
    html = coordinator_client.get(f"/en{history_url()}").content.decode()
    assert "History of measure 13" in html
    assert "Created" in html


def test_history_page_queries_do_not_grow_with_the_number_of_changes(client, db, django_user_model):
    user = django_user_model.objects.create_superuser("admin", password="x")
    client.force_login(user)
    counts = []
    for changes in (2, 20):
        measure = MeasureFactory()
        report = ProgressReportFactory(measure=measure, as_of=AS_OF)
        ComponentProgressFactory(report=report, organization=OrganizationFactory())
        for percent in range(changes):
            _correct(measure, user, percent=percent)
        url = history_url(measure.number, measure.plan.slug)
        client.get(url)  # warm up (session, translations)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(measure_history(measure)) >= 2 * changes
        counts.append(len(queries))
    assert counts[0] == counts[1]
