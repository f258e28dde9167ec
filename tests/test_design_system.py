"""Staff screens in the design system: the shared form rendering (labels,
required markers, errors linked to their field, error summary), alerts for
messages, searchable checkbox lists, "not available to you" explanations,
the navigation, the footer pages, the consistency checks in French, the
organization page's states, the admin in French, and the campaign dashboard
(measure titles, reminding one organization now, exporting the late items)."""

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from concerto.accounts.models import Role
from concerto.campaigns import services
from concerto.campaigns.models import Draft
from concerto.notifications.models import SentNotification
from concerto.plans.checks import LABELS, WARNING, Finding
from concerto.plans.models import Plan

from .factories import (
    CollaboratorFactory,
    MeasureFactory,
    MeasureLeadFactory,
    OrganizationFactory,
    ProgressReportFactory,
    ThemeFactory,
    UserFactory,
)
from .support.campaigns import draft_form

AS_OF = datetime.date(2024, 3, 31)


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def site(db):
    """A plan owned by a coordinating body, two measures led by a ministry (one
    with a collaborator), an open campaign, and one person per role."""
    office = OrganizationFactory(code="office", name="Office des professions", kind="public_body")
    plan = Plan.objects.create(
        slug="plan-test",
        title="Plan d’action test",
        start_year=2019,
        end_year=2024,
        declared_measure_count=2,
        owner=office,
    )
    lead = OrganizationFactory(code="ministere", name="Ministère responsable")
    partner = OrganizationFactory(code="partenaire", name="Organisme partenaire")
    theme = ThemeFactory(plan=plan, number=1)
    first = MeasureFactory(plan=plan, theme=theme, number=1, title="Accélérer les équivalences")
    second = MeasureFactory(plan=plan, theme=theme, number=2, title="Ouvrir des stages")
    for measure in (first, second):
        MeasureLeadFactory(measure=measure, organization=lead)
    CollaboratorFactory(measure=first, organization=partner)
    ProgressReportFactory(measure=first, as_of=datetime.date(2023, 3, 31), percent=40, status="in_progress")
    people = {
        "coordinator": UserFactory(username="coordo", coordinator_of=office),
        "editor": UserFactory(username="redac", member_of=(lead, Role.EDITOR)),
        "collaborator_of_lead": UserFactory(username="collegue", member_of=(lead, Role.COLLABORATOR)),
        "collaborator": UserFactory(username="collab", member_of=(partner, Role.COLLABORATOR)),
        "nobody": UserFactory(username="personne"),
    }
    campaign = services.open_campaign(
        plan=plan,
        as_of=AS_OF,
        deadline=timezone.localdate() + datetime.timedelta(days=10),
        opened_by=people["coordinator"],
    )
    return {"plan": plan, "lead": lead, "partner": partner, "campaign": campaign, **people}


def _draft_url(number, name="draft-detail"):
    return reverse(name, args=["plan-test", AS_OF.isoformat(), number])


def _dashboard_url():
    return reverse("campaign-dashboard", args=["plan-test", AS_OF.isoformat()])


# --- Shared form rendering -------------------------------------------------------


def test_form_labels_sit_above_their_fields_with_required_markers(site):
    html = _as(site["coordinator"]).get(reverse("recommendation-create")).content.decode()
    label = re.search(r'<label class="qc-label" for="id_title">(.*?)</label>', html, re.S)
    assert label and "Titre" in label.group(1) and 'class="qc-required"' in label.group(1)
    assert html.index('for="id_title"') < html.index('id="id_title"')
    assert "Les champs marqués d’un astérisque (*) sont obligatoires." in html
    assert 'class="qc-textfield concerto-field field-size-' in html


def test_invalid_field_is_marked_and_described_by_its_error_and_summarized(site):
    response = _as(site["coordinator"]).post(reverse("recommendation-create"), {"title": "Sans numéro"})
    html = response.content.decode()
    field = re.search(r"<input[^>]*\bid=\"id_number\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in field
    assert "id_number_error" in re.search(r'aria-describedby="([^"]*)"', field).group(1)
    assert re.search(r'<div class="qc-form-error" id="id_number_error">', html)
    summary = re.search(
        r'<div class="qc-alert qc-alert-error error-summary" role="alert".*?</div>', html, re.S
    )
    assert summary and 'href="#id_number"' in summary.group(0)
    valid = re.search(r"<input[^>]*\bid=\"id_title\"[^>]*>", html).group(0)
    assert "aria-invalid" not in valid


def test_related_measures_are_a_searchable_checkbox_list_not_a_multiple_select(site):
    html = _as(site["coordinator"]).get(reverse("recommendation-create")).content.decode()
    assert "<select" not in html.split('id="id_measures"')[1].split("</fieldset>")[0]
    assert "data-checkbox-filter" in html
    assert re.search(r'<div class="checkbox-list-search" hidden>', html)  # shown by the script only
    boxes = re.findall(r'<input type="checkbox" name="measures"[^>]*>', html)
    assert len(boxes) == 2
    assert "checkbox-filter.js" in html


def test_ticked_measures_are_saved_without_javascript(site):
    measure = site["plan"].measures.get(number=2)
    response = _as(site["coordinator"]).post(
        reverse("recommendation-create"),
        {
            "number": "REC-2024-010",
            "title": "Stages",
            "text": "Texte.",
            "addressee": site["lead"].pk,
            "measures": [measure.pk],
        },
    )
    assert response.status_code == 302
    from concerto.recommendations.models import Recommendation

    assert list(Recommendation.objects.get(number="REC-2024-010").measures.all()) == [measure]


# --- Messages as alerts ------------------------------------------------------------


def test_success_message_is_a_success_alert(site):
    draft = site["campaign"].drafts.get(measure__number=1)
    client = _as(site["editor"])
    response = client.post(_draft_url(1, "draft-save"), draft_form(draft, percent="50"), follow=True)
    html = response.content.decode()
    assert re.search(
        r'<div class="qc-alert qc-alert-success" role="status"><p><span class="qc-sr-only">Succès : </span>Brouillon enregistré\.',
        html,
    )


def test_error_message_is_an_error_alert(site):
    response = _as(site["coordinator"]).post(
        reverse("campaign-remind", args=["plan-test", AS_OF.isoformat()]),
        {"organization": "inconnue"},
        follow=True,
    )
    assert re.search(
        r'<div class="qc-alert qc-alert-error" role="alert">.*Organisation inconnue',
        response.content.decode(),
    )


# --- The draft form: errors on their fields, and why there is no form --------------


def test_invalid_percentage_marks_its_field_and_the_summary_links_to_it(site):
    draft = site["campaign"].drafts.get(measure__number=1)
    response = _as(site["editor"]).post(_draft_url(1, "draft-save"), draft_form(draft, percent="150"))
    assert response.status_code == 400
    html = response.content.decode()
    field = re.search(r'<input type="number" id="percent"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and "percent_error" in field
    assert re.search(r'<div class="qc-form-error" id="percent_error">.*nombre entier de 0 à 100', html, re.S)
    assert re.search(r'<a href="#percent">Pourcentage d’avancement : Le pourcentage doit être', html)


def test_invalid_indicator_value_marks_its_field(site):
    from .factories import IndicatorFactory

    indicator = IndicatorFactory(measure=site["plan"].measures.get(number=2))
    draft = site["campaign"].drafts.get(measure__number=2)
    form = draft_form(draft) | {
        f"values-{indicator.pk}-actual": "beaucoup",
        f"values-{indicator.pk}-percent": "",
    }
    html = _as(site["editor"]).post(_draft_url(2, "draft-save"), form).content.decode()
    field = re.search(rf'<input [^>]*id="values-{indicator.pk}-actual"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert f'href="#values-{indicator.pk}-actual"' in html


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("coordinator", "La saisie revient à l’organisation responsable de la mesure."),
        ("collaborator", "Votre organisation collabore à cette mesure"),
        ("collaborator_of_lead", "votre rôle permet de la lire et de la commenter"),
    ],
)
def test_person_without_the_form_is_told_why(site, who, expected):
    html = _as(site[who]).get(_draft_url(1)).content.decode()
    assert 'action="' + _draft_url(1, "draft-save") not in html
    assert "Pourquoi aucun formulaire de saisie ?" in html
    assert expected in html


def test_editor_sees_the_form_and_no_explanation(site):
    html = _as(site["editor"]).get(_draft_url(1)).content.decode()
    assert _draft_url(1, "draft-save") in html
    assert "Pourquoi aucun formulaire de saisie ?" not in html


def test_coordinator_is_told_to_decide_on_a_submitted_draft(site):
    Draft.objects.filter(campaign=site["campaign"], measure__number=1).update(state=Draft.State.SUBMITTED)
    html = _as(site["coordinator"]).get(_draft_url(1)).content.decode()
    assert "à vous de la valider ou de la retourner" in html


# --- Navigation -------------------------------------------------------------------------


def _nav(html):
    return re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)


def test_coordinator_navigation_shows_campaigns_report_and_checks(site):
    nav = _nav(_as(site["coordinator"]).get(reverse("organization-list")).content.decode())
    for name in ("campaign-list", "report-page", "plan-checks"):
        assert f'href="{reverse(name, args=["plan-test"])}"' in nav


@pytest.mark.parametrize("who", ["editor", "collaborator", "nobody", None])
def test_navigation_shows_no_coordination_section_to_others(site, client, who):
    browser = _as(site[who]) if who else client
    nav = _nav(browser.get(reverse("organization-list")).content.decode())
    assert reverse("plan-checks", args=["plan-test"]) not in nav
    assert reverse("campaign-list", args=["plan-test"]) not in nav


def test_navigation_has_no_my_tasks_link_while_the_page_does_not_exist(site):
    from django.urls import NoReverseMatch

    try:
        reverse("my-tasks")
    except NoReverseMatch:
        nav = _nav(_as(site["editor"]).get(reverse("organization-list")).content.decode())
        assert "Mes tâches" not in nav
    else:
        pytest.skip("the « Mes tâches » page exists: see the next test")


@override_settings(ROOT_URLCONF="tests.urls_with_tasks")
def test_navigation_links_to_my_tasks_when_signed_in(site, client):
    nav = _nav(_as(site["editor"]).get(reverse("organization-list")).content.decode())
    assert f'<a href="{reverse("my-tasks")}">Mes tâches</a>' in nav
    assert "Mes tâches" not in _nav(client.get(reverse("organization-list")).content.decode())


# --- Footer pages ---------------------------------------------------------------------


def test_footer_links_to_accessibility_privacy_and_contact(db, client):
    html = client.get(reverse("accessibility")).content.decode()
    footer = re.search(r"<footer.*?</footer>", html, re.S).group(0)
    for name in ("accessibility", "privacy", "contact"):
        assert f'href="{reverse(name)}"' in footer


def test_accessibility_statement_says_what_is_tested_against_which_standard(db, client):
    html = client.get(reverse("accessibility")).content.decode()
    for words in ("SGQRI 008 2.0", "axe-core", "clavier", "390 pixels"):
        assert words in html


def test_privacy_notice_says_what_is_recorded_about_people_and_why(db, client):
    html = client.get(reverse("privacy")).content.decode()
    for words in (
        "Compte",
        "Appartenances",
        "Historique des modifications",
        "Courriels envoyés",
        "Tentatives de connexion",
        "pseudonymisées",
        "analystes",
        "agrégés protégés",
    ):
        assert words in html


@override_settings(CONCERTO_CONTACT_EMAIL="concerto@example.org")
def test_contact_page_gives_the_address(db, client):
    assert 'href="mailto:concerto@example.org"' in client.get(reverse("contact")).content.decode()


@pytest.mark.parametrize("name", ["accessibility", "privacy", "contact"])
def test_footer_pages_exist_in_english(db, client, name):
    with translation.override("en"):
        url = reverse(name)
    response = client.get(url)
    assert response.status_code == 200 and '<html lang="en">' in response.content.decode()


@pytest.mark.parametrize("name", ["accessibility", "privacy", "contact"])
def test_footer_pages_refuse_post(db, client, name):
    assert client.post(reverse(name)).status_code == 405


# --- Consistency checks: French labels, measures linked ------------------------------


def test_every_check_code_has_a_french_label():
    import inspect

    from concerto.plans import checks

    codes = set(re.findall(r'Finding\(\s*"([a-z_]+)"', inspect.getsource(checks)))
    assert codes and codes <= set(LABELS)


def test_checks_page_shows_french_labels_and_links_measures(site):
    site["plan"].declared_measure_count = 3
    site["plan"].save()
    html = _as(site["coordinator"]).get(reverse("plan-checks", args=["plan-test"])).content.decode()
    table = re.search(r'<table class="qc-table">.*?</table>', html, re.S).group(0)
    assert ">measure_missing<" not in table and "<code>" not in table
    assert "Mesure absente" in table
    measure_url = reverse("measure-detail", args=["plan-test", 2])
    assert f'<a href="{measure_url}' in table  # a present measure is linked
    missing = re.search(r'data-code="measure_missing".*?</tr>', table, re.S).group(0)
    assert "<a " not in missing  # measure 3 has no page to link to


def test_checks_page_labels_are_translated_in_english(site):
    site["plan"].declared_measure_count = 3
    site["plan"].save()
    with translation.override("en"):
        url = reverse("plan-checks", args=["plan-test"])
    html = _as(site["coordinator"]).get(url).content.decode()
    assert "Missing measure" in html


@pytest.mark.parametrize("who", ["editor", "collaborator", "nobody"])
def test_checks_page_is_refused_to_people_who_do_not_coordinate_the_plan(site, who):
    assert _as(site[who]).get(reverse("plan-checks", args=["plan-test"])).status_code == 403


def test_checks_page_sends_anonymous_visitors_to_login(site, client):
    response = client.get(reverse("plan-checks", args=["plan-test"]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_checks_page_refuses_post(site):
    assert _as(site["coordinator"]).post(reverse("plan-checks", args=["plan-test"])).status_code == 405


def test_finding_label_follows_the_language():
    finding = Finding("deadline_passed", WARNING, "Mesure 1 : échéance dépassée.", 1)
    assert finding.label == "Échéance dépassée"
    with translation.override("en"):
        assert finding.label == "Deadline passed"


# --- Organization page: each measure's state and progress -------------------------------


def test_organization_page_shows_each_measure_state_and_progress(site, client):
    html = client.get(reverse("organization-detail", args=["ministere"])).content.decode()
    first = re.search(r"Accélérer les équivalences.*?</li>", html, re.S).group(0)
    assert "En cours" in first and "40\u00a0%" in first
    second = re.search(r"Ouvrir des stages.*?</li>", html, re.S).group(0)
    assert "Aucun état d’avancement publié." in second


def test_organization_page_queries_do_not_grow_with_its_measures(site, client, django_assert_max_num_queries):
    url = reverse("organization-detail", args=["ministere"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    theme = site["plan"].themes.get()
    for number in range(3, 13):
        measure = MeasureFactory(plan=site["plan"], theme=theme, number=number)
        MeasureLeadFactory(measure=measure, organization=site["lead"])
        ProgressReportFactory(measure=measure, as_of=datetime.date(2023, 3, 31))
    with django_assert_max_num_queries(len(few)):
        client.get(url)


# --- Admin in French -----------------------------------------------------------------


def test_admin_index_names_every_section_in_french(db):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    html = _as(admin).get(reverse("admin:index")).content.decode()
    for english in ("Axes", "AXES", "Tasks Database Backend", "Task Results", "Access attempts"):
        assert f">{english}<" not in html
    assert "Verrouillage des connexions" in html


# --- Campaign dashboard --------------------------------------------------------------


def test_dashboard_shows_measure_titles(site):
    html = _as(site["coordinator"]).get(_dashboard_url()).content.decode()
    assert "Accélérer les équivalences" in html and "Ouvrir des stages" in html


def test_coordinator_reminds_one_organization_now(site):
    client = _as(site["coordinator"])
    response = client.post(
        reverse("campaign-remind", args=["plan-test", AS_OF.isoformat()]),
        {"organization": "ministere"},
        follow=True,
    )
    assert (
        "Rappel envoyé aux responsables de la mise à jour de Ministère responsable."
        in response.content.decode()
    )
    assert [m.to for m in mail.outbox] == [["redac@example.org"]]
    assert "Mesure 1" in mail.outbox[0].body and "Mesure 2" in mail.outbox[0].body
    key = services.manual_reminder_key(site["campaign"], site["lead"], timezone.localdate())
    assert SentNotification.objects.filter(key=key).exists()
    assert "Rappel envoyé aujourd’hui" in client.get(_dashboard_url()).content.decode()


def test_second_reminder_the_same_day_is_not_sent_and_the_user_is_told(site):
    client = _as(site["coordinator"])
    url = reverse("campaign-remind", args=["plan-test", AS_OF.isoformat()])
    client.post(url, {"organization": "ministere"})
    response = client.post(url, {"organization": "ministere"}, follow=True)
    assert len(mail.outbox) == 1
    assert "Un rappel a déjà été envoyé aujourd’hui à Ministère responsable" in response.content.decode()


def test_reminder_goes_again_the_next_day(site):
    today = timezone.localdate()
    kwargs = {"campaign": site["campaign"], "organization": site["lead"], "user": site["coordinator"]}
    assert services.remind_organization_now(**kwargs, today=today) is True
    assert services.remind_organization_now(**kwargs, today=today) is False
    assert services.remind_organization_now(**kwargs, today=today + datetime.timedelta(days=1)) is True
    assert len(mail.outbox) == 2


def test_reminder_after_the_deadline_is_the_deadline_notice(site):
    site["campaign"].__class__.objects.filter(pk=site["campaign"].pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=2)
    )
    site["campaign"].refresh_from_db()
    services.remind_organization_now(
        campaign=site["campaign"], organization=site["lead"], user=site["coordinator"]
    )
    assert "Date limite dépassée" in mail.outbox[0].subject


def test_reminder_to_an_organization_with_nothing_pending_is_refused(site):
    Draft.objects.filter(campaign=site["campaign"]).update(state=Draft.State.SUBMITTED)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="aucune mesure en attente"):
        services.remind_organization_now(
            campaign=site["campaign"], organization=site["lead"], user=site["coordinator"]
        )
    assert mail.outbox == []


def test_reminder_without_any_editor_says_so(site):
    site["editor"].memberships.all().delete()
    response = _as(site["coordinator"]).post(
        reverse("campaign-remind", args=["plan-test", AS_OF.isoformat()]),
        {"organization": "ministere"},
        follow=True,
    )
    assert "invitez-en une avant d’envoyer un rappel" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["editor", "collaborator"])
def test_reminder_is_refused_to_partners(site, who):
    response = _as(site[who]).post(
        reverse("campaign-remind", args=["plan-test", AS_OF.isoformat()]), {"organization": "ministere"}
    )
    assert response.status_code == 403 and mail.outbox == []


def test_reminder_refuses_get(site):
    assert (
        _as(site["coordinator"])
        .get(reverse("campaign-remind", args=["plan-test", AS_OF.isoformat()]))
        .status_code
        == 405
    )


def test_partner_dashboard_offers_no_reminder_nor_export(site):
    html = _as(site["editor"]).get(_dashboard_url()).content.decode()
    assert "Rappeler maintenant" not in html
    assert reverse("campaign-late-export", args=["plan-test", AS_OF.isoformat(), "csv"]) not in html


def _make_late(site, days=3):
    site["campaign"].__class__.objects.filter(pk=site["campaign"].pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=days)
    )
    Draft.objects.filter(campaign=site["campaign"], measure__number=2).update(state=Draft.State.SUBMITTED)


def test_late_items_export_as_csv_lists_only_the_late_measures(site):
    _make_late(site)
    site["plan"].measures.filter(number=1).update(title='=HYPERLINK("http://example.org")')
    response = _as(site["coordinator"]).get(
        reverse("campaign-late-export", args=["plan-test", AS_OF.isoformat(), "csv"])
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Organisation responsable",
        "Mesure",
        "Titre de la mesure",
        "État de la mise à jour",
        "Date limite",
        "Jours de retard",
    ]
    assert len(rows) == 2
    assert rows[1][0] == "Ministère responsable" and rows[1][1] == "1" and rows[1][5] == "3"
    assert rows[1][2].startswith("'=")  # a formula-like title is neutralized


def test_late_items_export_as_excel_keeps_numbers_typed(site):
    _make_late(site)
    response = _as(site["coordinator"]).get(
        reverse("campaign-late-export", args=["plan-test", AS_OF.isoformat(), "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and values[1][1] == 1 and values[1][5] == 3


@pytest.mark.parametrize("who", ["editor", "collaborator"])
def test_late_items_export_is_refused_to_partners(site, who):
    url = reverse("campaign-late-export", args=["plan-test", AS_OF.isoformat(), "csv"])
    assert _as(site[who]).get(url).status_code == 403


def test_late_items_export_of_an_unknown_format_is_not_found(site):
    url = reverse("campaign-late-export", args=["plan-test", AS_OF.isoformat(), "pdf"])
    assert _as(site["coordinator"]).get(url).status_code == 404


def test_dashboard_queries_do_not_grow_with_measures(site, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _as(site["coordinator"])
    with CaptureQueriesContext(connection) as few:
        client.get(_dashboard_url())
    theme = site["plan"].themes.get()
    for number in range(3, 13):
        measure = MeasureFactory(plan=site["plan"], theme=theme, number=number)
        MeasureLeadFactory(measure=measure, organization=OrganizationFactory())
        Draft.objects.create(campaign=site["campaign"], measure=measure)
    with django_assert_max_num_queries(len(few)):
        client.get(_dashboard_url())
