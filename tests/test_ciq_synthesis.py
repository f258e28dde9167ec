"""The synthesis loader, its exports (JSON, Excel, Word, ``export_consultation``),
the reminders, the « Mes tâches » sources and the demonstration data."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from concerto.ciq import exports, inbox, services
from concerto.ciq.models import Consultation, Dossier, OrderGroup
from concerto.ciq.reminders import send_due_consultation_reminders
from concerto.ciq.synthesis import load_synthesis, positions_svg
from tests.support.ciq import answer_data, build_world

pytestmark = pytest.mark.django_db

BEFORE = timezone.make_aware(datetime.datetime(2025, 5, 20, 10))
AFTER = timezone.make_aware(datetime.datetime(2025, 6, 4, 10))


@pytest.fixture
def world():
    return build_world()


def submit(world, org, *, now=BEFORE, position="favourable", **articles):
    user = world.respondent_a if org is world.order_a else world.respondent_b
    answer = services.answer_for(consultation=world.consultation, organization=org)
    services.save_answer(
        answer=answer,
        user=user,
        data=answer_data(world, position=position, version=answer.version, **articles),
        expected_version=answer.version,
        submit=True,
        now=now,
    )
    return answer


# --- synthesis -----------------------------------------------------------------------


def test_synthesis_counts_participation_and_lateness(world):
    submit(world, world.order_a)
    submit(world, world.order_b, now=AFTER, position="unfavourable")
    synthesis = load_synthesis(world.consultation)
    assert (synthesis.invited, len(synthesis.answered), synthesis.on_time, synthesis.late) == (2, 2, 1, 1)
    assert {v: n for v, _l, n in synthesis.positions} == {
        "favourable": 1,
        "with_reservations": 0,
        "unfavourable": 1,
        "no_position": 0,
    }


def test_synthesis_reads_the_last_submitted_version_not_the_draft(world):
    answer = submit(world, world.order_a, a1="Soumis")
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, position="unfavourable", version=answer.version, a1="Brouillon"),
        expected_version=answer.version,
        now=BEFORE,
    )
    synthesis = load_synthesis(world.consultation)
    assert synthesis.answered[0].position == "favourable"
    assert synthesis.articles[0].comments == [(world.order_a, "Soumis")]


def test_synthesis_lists_who_has_not_answered(world):
    submit(world, world.order_a)
    assert [o.organization for o in load_synthesis(world.consultation).not_answered] == [world.order_b]


def test_synthesis_filters_articles_by_position(world):
    submit(world, world.order_a, a1="A favorable")
    submit(world, world.order_b, position="unfavourable", a1="B défavorable")
    synthesis = load_synthesis(world.consultation, position="unfavourable")
    assert synthesis.articles[0].comments == [(world.order_b, "B défavorable")]


def test_synthesis_filters_by_group(world):
    group = OrderGroup.objects.create(owner=world.ciq, name="Groupe B")
    group.organizations.add(world.order_b)
    synthesis = load_synthesis(world.consultation, group_id=group.pk)
    assert [o.organization for o in synthesis.orders] == [world.order_b]


def test_synthesis_queries_do_not_grow(world, django_assert_num_queries):
    submit(world, world.order_a, a1="x", a2="y")
    submit(world, world.order_b, a3="z")
    consultation = Consultation.objects.select_related("dossier").get(pk=world.consultation.pk)
    with django_assert_num_queries(5):
        load_synthesis(consultation)


def test_chart_is_escaped_svg(world):
    svg = positions_svg(load_synthesis(world.consultation), title="<script>")
    assert svg.startswith("<svg") and "<script>" not in svg


# --- exports --------------------------------------------------------------------------


def test_json_export_has_every_submitted_answer(world):
    submit(world, world.order_a, a2="Deux")
    data = json.loads(exports.as_json(load_synthesis(world.consultation)))
    assert data["participation"]["answered"] == 1
    assert data["answers"][0]["article_comments"][0]["text"] == "Deux"
    assert data["participation"]["not_answered"] == ["Ordre B"]


def test_excel_export_never_writes_formulas(world):
    from openpyxl import load_workbook

    submit(world, world.order_a, a1='=HYPERLINK("http://x")')
    workbook = load_workbook(io.BytesIO(exports.as_xlsx(load_synthesis(world.consultation))))
    sheet = workbook["Commentaires par article"]
    cell = sheet.cell(row=2, column=4)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s" and cell.quotePrefix


def test_word_export_has_articles_and_orders(world):
    import docx

    submit(world, world.order_a, a1="Commentaire Word")
    document = docx.Document(io.BytesIO(exports.as_docx(load_synthesis(world.consultation))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Ordre A : Commentaire Word" in text
    assert "Article 1" in text


@pytest.mark.parametrize("fmt", ["json", "xlsx", "docx"])
def test_export_command_writes_the_file(world, tmp_path, fmt):
    submit(world, world.order_a)
    target = tmp_path / f"synthese.{fmt}"
    call_command(
        "export_consultation",
        world.dossier.reference,
        "--format",
        fmt,
        "-o",
        str(target),
        stdout=io.StringIO(),
    )
    assert target.stat().st_size > 0


def test_export_command_unknown_reference_is_explained(tmp_path):
    with pytest.raises(CommandError, match="Aucun dossier"):
        call_command(
            "export_consultation", "CIQ-0000-000", "--format", "json", "-o", str(tmp_path / "x.json")
        )


# --- reminders ------------------------------------------------------------------------


def test_reminder_before_deadline_goes_only_to_orders_that_have_not_submitted(world, mailoutbox):
    submit(world, world.order_a)
    lines = send_due_consultation_reminders(today=datetime.date(2025, 5, 29))
    assert [m.to for m in mailoutbox] == [[world.respondent_b.email]]
    assert [line.status for line in lines] == ["sent"]


def test_reminders_are_never_sent_twice(world, mailoutbox):
    send_due_consultation_reminders(today=datetime.date(2025, 5, 28))
    send_due_consultation_reminders(today=datetime.date(2025, 5, 30))
    assert len(mailoutbox) == 2
    send_due_consultation_reminders(today=datetime.date(2025, 6, 2))
    send_due_consultation_reminders(today=datetime.date(2025, 6, 2))
    assert len(mailoutbox) == 4
    assert "aujourd’hui" in mailoutbox[-1].subject


def test_no_reminder_long_before_the_deadline(world, mailoutbox):
    assert send_due_consultation_reminders(today=datetime.date(2025, 5, 1)) == []
    assert not mailoutbox


def test_dry_run_sends_and_records_nothing(world, mailoutbox):
    lines = send_due_consultation_reminders(today=datetime.date(2025, 6, 2), dry_run=True)
    assert {line.status for line in lines} == {"would_send"}
    send_due_consultation_reminders(today=datetime.date(2025, 6, 2))
    assert len(mailoutbox) == 2


def test_closed_consultation_sends_no_reminder(world, mailoutbox):
    Consultation.objects.filter(pk=world.consultation.pk).update(state="closed", closed_at=timezone.now())
    send_due_consultation_reminders(today=datetime.date(2025, 6, 2))
    assert not mailoutbox


def test_reminders_are_registered():
    from concerto.notifications.reminders import registered_reminders

    assert "ciq" in registered_reminders()


# --- « Mes tâches » ------------------------------------------------------------------


def test_respondent_task_until_submitted(world):
    tasks = inbox.respondent_tasks(world.respondent_a, today=datetime.date(2025, 5, 20))
    assert [t.due for t in tasks] == [datetime.date(2025, 6, 2)]
    assert tasks[0].detail == '<span lang="fr">Ordre A</span>'
    submit(world, world.order_a)
    assert inbox.respondent_tasks(world.respondent_a, today=datetime.date(2025, 5, 20)) == []


@pytest.mark.parametrize("role", ["staff", "office_coordinator", "reader"])
def test_no_respondent_task_for_other_roles(world, role):
    assert inbox.respondent_tasks(getattr(world, role), today=datetime.date(2025, 5, 20)) == []


def test_staff_task_reports_answers_then_asks_to_close(world):
    submit(world, world.order_a)
    [task] = inbox.staff_tasks(world.staff, today=datetime.date(2025, 5, 20))
    assert task.kind == "info" and "1 réponse(s) reçue(s) sur 2" in task.status
    [task] = inbox.staff_tasks(world.staff, today=datetime.date(2025, 6, 3))
    assert task.status == "À clôturer"


def test_office_coordinator_has_no_ciq_staff_task(world):
    assert inbox.staff_tasks(world.office_coordinator, today=datetime.date(2025, 5, 20)) == []


def test_task_sources_use_constant_queries(world, django_assert_num_queries):
    with django_assert_num_queries(3):
        inbox.respondent_tasks(world.respondent_a, today=datetime.date(2025, 5, 20))


# --- demonstration ------------------------------------------------------------------


def test_demo_loads_one_labelled_file_with_answers_and_is_idempotent(organizations, settings):
    settings.CONCERTO_DEMO_DATA = True
    call_command("load_demo", "--only", "ciq", stdout=io.StringIO())
    dossier = Dossier.objects.get(is_demo=True)
    assert dossier.title.startswith("Démonstration")
    consultation = dossier.consultations.get()
    assert consultation.title.startswith("Démonstration")
    assert consultation.audience.count() == 46
    synthesis = load_synthesis(consultation)
    assert len(synthesis.answered) == 40 and synthesis.late == 3
    assert sum(view.count for view in synthesis.articles) > 0
    assert dossier.authority_deadline == datetime.date(2025, 4, 22)
    call_command("load_demo", "--only", "ciq", stdout=io.StringIO())
    assert Dossier.objects.count() == 1 and consultation.answers.count() == 40
