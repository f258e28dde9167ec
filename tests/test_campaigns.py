"""The yearly update campaign: roles, drafts, submission, validation, locking."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerto.accounts.models import Role
from concerto.campaigns import services
from concerto.campaigns.models import Campaign, Draft
from concerto.organizations.models import Organization
from concerto.plans.models import ProgressReport
from concerto.plans.publication import publish_reporting_date

from .factories import UserFactory, build_clean_plan
from .support.campaigns import AS_OF, PLAN
from .support.campaigns import draft_data as _data
from .support.campaigns import draft_form as _form

OFFICE = "office-des-professions-du-quebec"
MESS = "ministere-de-l-emploi-et-de-la-solidarite-sociale"
MSSS = "ministere-de-la-sante-et-des-services-sociaux"
CIQ = "conseil-interprofessionnel-du-quebec"


def _member(django_user_model, username, code, role):
    return UserFactory(username=username, member_of=(Organization.objects.get(code=code), role))


@pytest.fixture
def people(real_plan, django_user_model):
    return {
        "coordinator": _member(django_user_model, "coordo", OFFICE, Role.COORDINATOR),
        "editor": _member(django_user_model, "mess", MESS, Role.EDITOR),
        "editor2": _member(django_user_model, "mess2", MESS, Role.EDITOR),
        "other_editor": _member(django_user_model, "msss", MSSS, Role.EDITOR),
        "collaborator": _member(django_user_model, "ciq", CIQ, Role.COLLABORATOR),
        "reader": UserFactory(username="lecteur"),
    }


@pytest.fixture
def campaign(people, real_plan):
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    with_capture = services.open_campaign(
        plan=real_plan, as_of=AS_OF, deadline=deadline, opened_by=people["coordinator"]
    )
    return with_capture


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _draft_url(number, name="draft-detail"):
    return reverse(name, args=[PLAN, AS_OF.isoformat(), number])


def test_opening_prefills_each_measure_from_its_last_validated_state(campaign):
    assert campaign.drafts.count() == 15
    draft = campaign.drafts.get(measure__number=13)
    assert (draft.state, draft.percent, draft.status) == (Draft.State.NOT_STARTED, 93, "in_progress")
    assert [v["actual"] for v in draft.values] == ["56"]
    components = campaign.drafts.get(measure__number=1).components
    assert [(c["label"], c["percent"]) for c in components] == [("OPTMQ", 50), ("OIIAQ", 100)]


def test_opening_tells_the_lead_organizations_editors_by_email(
    django_capture_on_commit_callbacks, people, real_plan
):
    with django_capture_on_commit_callbacks(execute=True):
        services.open_campaign(
            plan=real_plan,
            as_of=AS_OF,
            deadline=timezone.localdate() + datetime.timedelta(days=30),
            opened_by=people["coordinator"],
        )
    to_mess = [m for m in mail.outbox if "mess@example.org" in m.to]
    assert len(to_mess) == 1
    body = to_mess[0].body
    assert "Mesure 13" in body and "Mesure 11" in body and "Mesure 4 " not in body
    assert to_mess[0].alternatives[0][1] == "text/html"


def test_only_the_coordination_opens_a_campaign(people, real_plan):
    url = reverse("campaign-open", args=[PLAN])
    data = {
        "as_of": "2024-03-31",
        "deadline": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
    }
    assert Client().post(url, data).status_code == 302  # to login
    assert _as(people["editor"]).post(url, data).status_code == 403
    assert Campaign.objects.count() == 0
    response = _as(people["coordinator"]).post(url, data)
    assert response.status_code == 302 and Campaign.objects.count() == 1


def test_opening_with_a_past_deadline_is_refused_in_french(people, real_plan):
    response = _as(people["coordinator"]).post(
        reverse("campaign-open", args=[PLAN]), {"as_of": "2019-03-31", "deadline": "2020-01-01"}, follow=True
    )
    assert "La date limite 2020-01-01 est déjà passée." in response.content.decode()
    assert Campaign.objects.count() == 0


def test_opening_with_a_bad_date_names_the_field_and_the_value(people, real_plan):
    response = _as(people["coordinator"]).post(
        reverse("campaign-open", args=[PLAN]), {"as_of": "2025-02-30", "deadline": "2099-01-01"}, follow=True
    )
    assert (
        "État au : Date invalide « 2025-02-30 » : une date existante au format AAAA-MM-JJ est attendue"
        in response.content.decode()
    )
    assert Campaign.objects.count() == 0


def test_editor_saves_then_submits_a_measure_of_their_organization(people, campaign):
    client = _as(people["editor"])
    draft = campaign.drafts.get(measure__number=13)
    response = client.post(
        _draft_url(13, "draft-save"), _form(draft, percent=97, narrative="Cinquante-huit prêts.")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.percent, draft.version, draft.updated_by) == ("draft", 97, 2, people["editor"])
    client.post(_draft_url(13, "draft-save"), _form(draft, submit="1"))
    draft.refresh_from_db()
    assert draft.state == Draft.State.SUBMITTED and draft.submitted_at is not None


def test_editor_cannot_edit_another_organizations_measure(people, campaign):
    draft = campaign.drafts.get(measure__number=4)  # led by the MSSS
    client = _as(people["editor"])
    assert client.get(_draft_url(4)).status_code == 403
    assert client.post(_draft_url(4, "draft-save"), _form(draft, percent=1)).status_code == 403
    draft.refresh_from_db()
    assert draft.percent == 100


def test_collaborator_reads_and_comments_but_cannot_edit(people, campaign):
    client = _as(people["collaborator"])  # CIQ collaborates on measure 16
    draft = campaign.drafts.get(measure__number=16)
    assert client.get(_draft_url(16)).status_code == 200
    assert client.post(_draft_url(16, "draft-save"), _form(draft, percent=5)).status_code == 403
    client.post(_draft_url(16, "draft-comment"), {"text": "Préciser le nombre de fiches."})
    assert draft.comments.get().text == "Préciser le nombre de fiches."
    assert client.get(_draft_url(13)).status_code == 403  # the CIQ is not involved in measure 13


@pytest.mark.parametrize("who", ["reader", "anonymous"])
def test_drafts_are_hidden_from_readers_and_the_public(people, campaign, who):
    client = Client() if who == "anonymous" else _as(people["reader"])
    response = client.get(_draft_url(13))
    assert response.status_code == (302 if who == "anonymous" else 403)
    dashboard = client.get(reverse("campaign-dashboard", args=[PLAN, AS_OF.isoformat()]))
    assert dashboard.status_code == (302 if who == "anonymous" else 403)


def test_public_pages_show_only_validated_progress(client, people, campaign):
    draft = campaign.drafts.get(measure__number=13)
    _as(people["editor"]).post(
        _draft_url(13, "draft-save"), _form(draft, narrative="BROUILLON-CONFIDENTIEL", submit="1")
    )
    for url in ["/", f"/plans/{PLAN}/mesures/13/", f"/api/plans/{PLAN}/status?as_of=2024-03-31"]:
        assert "BROUILLON-CONFIDENTIEL" not in client.get(url).content.decode()
    draft.refresh_from_db()
    services.validate_draft(draft=draft, user=people["coordinator"], expected_version=draft.version)
    # Validated, its date is not public yet: the public sees it once the coordination publishes the date.
    url = f"/plans/{PLAN}/mesures/13/?as_of=2024-03-31"
    assert "BROUILLON-CONFIDENTIEL" not in client.get(url).content.decode()
    publish_reporting_date(plan=campaign.plan, as_of=AS_OF, user=people["coordinator"])
    assert "BROUILLON-CONFIDENTIEL" in client.get(url).content.decode()


def test_validation_makes_the_draft_the_progress_and_keeps_history(
    django_capture_on_commit_callbacks, people, campaign
):
    draft = campaign.drafts.get(measure__number=13)
    services.save_draft(
        draft=draft, user=people["editor"], data=_data(draft, percent=97), expected_version=1, submit=True
    )
    client = _as(people["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_draft_url(13, "draft-review"), {"action": "validate", "version": draft.version})
    draft.refresh_from_db()
    assert draft.state == Draft.State.VALIDATED and draft.validated_by == people["coordinator"]
    report = ProgressReport.objects.get(measure=draft.measure, as_of=AS_OF, is_current=True)
    assert (report.percent, report.validated_by) == (97, people["coordinator"])
    assert [v.actual for v in report.indicator_values.all()] == [56]
    assert any("validée" in m.subject for m in mail.outbox if "mess@example.org" in m.to)


def test_correcting_a_validated_state_creates_a_new_version(people, real_plan):
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    campaign = services.open_campaign(
        plan=real_plan, as_of=datetime.date(2023, 3, 31), deadline=deadline, opened_by=people["coordinator"]
    )
    draft = campaign.drafts.get(measure__number=13)
    services.save_draft(
        draft=draft, user=people["editor"], data=_data(draft, percent=95), expected_version=1, submit=True
    )
    services.validate_draft(draft=draft, user=people["coordinator"], expected_version=draft.version)
    versions = ProgressReport.objects.filter(
        measure=draft.measure, as_of=datetime.date(2023, 3, 31)
    ).order_by("version")
    assert [(r.version, r.percent, r.is_current) for r in versions] == [(1, 93, False), (2, 95, True)]
    assert versions[1].replaces == versions[0]


def test_returned_draft_goes_back_to_the_partner_with_the_comment(
    django_capture_on_commit_callbacks, people, campaign
):
    draft = campaign.drafts.get(measure__number=13)
    services.save_draft(
        draft=draft, user=people["editor"], data=_data(draft), expected_version=1, submit=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        _as(people["coordinator"]).post(
            _draft_url(13, "draft-review"),
            {"action": "return", "version": draft.version, "comment": "Chiffre à confirmer."},
        )
    draft.refresh_from_db()
    assert draft.state == Draft.State.RETURNED and draft.return_comment == "Chiffre à confirmer."
    returned = [m for m in mail.outbox if "retournée" in m.subject]
    assert returned and "Chiffre à confirmer." in returned[0].body
    assert (
        _as(people["editor"]).post(_draft_url(13, "draft-save"), _form(draft, percent=96)).status_code == 302
    )


def test_returning_without_a_reason_is_refused(people, campaign):
    draft = campaign.drafts.get(measure__number=13)
    services.save_draft(
        draft=draft, user=people["editor"], data=_data(draft), expected_version=1, submit=True
    )
    response = _as(people["coordinator"]).post(
        _draft_url(13, "draft-review"),
        {"action": "return", "version": draft.version, "comment": " "},
        follow=True,
    )
    assert "Indiquez le motif du retour." in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == Draft.State.SUBMITTED


def test_editor_cannot_validate_their_own_submission(people, campaign):
    draft = campaign.drafts.get(measure__number=13)
    services.save_draft(
        draft=draft, user=people["editor"], data=_data(draft), expected_version=1, submit=True
    )
    response = _as(people["editor"]).post(
        _draft_url(13, "draft-review"), {"action": "validate", "version": draft.version}
    )
    assert response.status_code == 403
    assert not ProgressReport.objects.filter(as_of=AS_OF).exists()


def test_second_concurrent_save_is_refused_and_keeps_what_was_typed(people, campaign):
    draft = campaign.drafts.get(measure__number=13)
    first, second = _as(people["editor"]), _as(people["editor2"])
    assert (
        first.post(_draft_url(13, "draft-save"), _form(draft, percent=94, narrative="Version A")).status_code
        == 302
    )
    response = second.post(
        _draft_url(13, "draft-save"), _form(draft, percent=99, narrative="Version B tapée")
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "quelqu’un d’autre a modifié cette mise à jour" in html
    assert "Version B tapée" in html  # nothing typed is lost
    assert "Version A" in html  # what the other person saved is shown
    draft.refresh_from_db()
    assert (draft.percent, draft.narrative, draft.version) == (94, "Version A", 2)


def test_invalid_percentage_is_refused_with_a_french_message(people, campaign):
    draft = campaign.drafts.get(measure__number=13)
    response = _as(people["editor"]).post(_draft_url(13, "draft-save"), _form(draft, percent=150))
    assert response.status_code == 400
    assert "Le pourcentage doit être un nombre entier de 0 à 100." in response.content.decode()
    draft.refresh_from_db()
    assert draft.version == 1


def test_script_in_a_narrative_never_executes(client, people, campaign):
    draft = campaign.drafts.get(measure__number=13)
    payload = "<script>alert(1)</script> et [lien](javascript:alert(2))"
    _as(people["editor"]).post(_draft_url(13, "draft-save"), _form(draft, narrative=payload, submit="1"))
    draft.refresh_from_db()
    coordinator_view = _as(people["coordinator"]).get(_draft_url(13)).content.decode()
    assert (
        "<script>alert(1)" not in coordinator_view
        and "javascript:" not in coordinator_view.split("<textarea")[0]
    )
    services.validate_draft(draft=draft, user=people["coordinator"], expected_version=draft.version)
    public = client.get(f"/plans/{PLAN}/mesures/13/?as_of=2024-03-31").content.decode()
    assert "<script>alert(1)" not in public and 'href="javascript:' not in public


def test_dashboard_shows_states_and_lateness(people, real_plan):
    campaign = Campaign.objects.create(
        plan=real_plan, as_of=AS_OF, deadline=timezone.localdate() - datetime.timedelta(days=3)
    )
    for measure in real_plan.measures.all():
        Draft.objects.create(
            campaign=campaign,
            measure=measure,
            state=Draft.State.SUBMITTED if measure.number == 12 else Draft.State.DRAFT,
        )
    response = _as(people["coordinator"]).get(reverse("campaign-dashboard", args=[PLAN, AS_OF.isoformat()]))
    rows = {(r["organization"].code, r["draft"].measure.number): r for r in response.context["rows"]}
    assert rows[(MESS, 13)]["late"] == 3
    assert rows[(MESS, 12)]["late"] == 0
    assert "3 jours" in response.content.decode()


def test_editor_dashboard_lists_only_measures_involving_their_organization(people, campaign):
    response = _as(people["editor"]).get(reverse("campaign-dashboard", args=[PLAN, AS_OF.isoformat()]))
    assert sorted({r["draft"].measure.number for r in response.context["rows"]}) == [8, 11, 12, 13, 14, 16]


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("post", "campaign-list", [PLAN]),
        ("get", "campaign-open", [PLAN]),
        ("post", "campaign-dashboard", [PLAN, "2024-03-31"]),
        ("post", "draft-detail", [PLAN, "2024-03-31", 13]),
        ("get", "draft-save", [PLAN, "2024-03-31", 13]),
        ("get", "draft-review", [PLAN, "2024-03-31", 13]),
        ("get", "draft-comment", [PLAN, "2024-03-31", 13]),
    ],
)
def test_campaign_views_refuse_the_wrong_method(people, campaign, method, name, args):
    assert getattr(_as(people["coordinator"]), method)(reverse(name, args=args)).status_code == 405


def test_campaign_list_is_for_coordination_and_partners(people, campaign):
    url = reverse("campaign-list", args=[PLAN])
    assert Client().get(url).status_code == 302
    assert _as(people["reader"]).get(url).status_code == 403
    assert _as(people["editor"]).get(url).status_code == 200
    assert "Ouvrir la campagne" in _as(people["coordinator"]).get(url).content.decode()


def test_dashboard_queries_do_not_grow_with_measures(db, django_user_model):
    def count(plan):
        office = Organization.objects.get_or_create(
            code="office", defaults={"name": "Office", "kind": "public_body"}
        )[0]
        plan.owner = office
        plan.save()
        user = UserFactory(username=f"c{plan.pk}", coordinator_of=office)
        campaign = Campaign.objects.create(plan=plan, as_of=AS_OF, deadline=AS_OF)
        Draft.objects.bulk_create([Draft(campaign=campaign, measure=m) for m in plan.measures.all()])
        client = _as(user)
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("campaign-dashboard", args=[plan.slug, AS_OF.isoformat()])).status_code
                == 200
            )
        return len(queries)

    assert count(build_clean_plan(5)) == count(build_clean_plan(50))


def test_absurdly_large_actual_value_is_refused(people, campaign):
    draft = campaign.drafts.get(measure__number=13)
    indicator = draft.measure.indicators.get()
    response = _as(people["editor"]).post(
        _draft_url(13, "draft-save"), _form(draft, **{f"values-{indicator.pk}-actual": "1e30"})
    )
    assert response.status_code == 400
    assert "nombre positif attendu" in response.content.decode()


def test_an_invalid_save_does_not_adopt_someone_elses_newer_version(people, campaign):
    draft = campaign.drafts.get(measure__number=13)
    first, second = _as(people["editor"]), _as(people["editor2"])
    first.post(_draft_url(13, "draft-save"), _form(draft, narrative="Version A"))
    invalid = second.post(_draft_url(13, "draft-save"), _form(draft, percent=150, narrative="Version B"))
    assert 'name="version" value="1"' in invalid.content.decode()
    retry = second.post(_draft_url(13, "draft-save"), _form(draft, percent=99, narrative="Version B"))
    assert retry.status_code == 409
    draft.refresh_from_db()
    assert draft.narrative == "Version A"


def test_typed_text_is_kept_when_the_draft_was_submitted_meanwhile(people, campaign):
    draft = campaign.drafts.get(measure__number=13)
    services.save_draft(
        draft=draft, user=people["editor"], data=_data(draft), expected_version=1, submit=True
    )
    response = _as(people["editor2"]).post(
        _draft_url(13, "draft-save"), _form(draft, narrative="Texte tapé à garder")
    )
    assert response.status_code == 409
    assert "Texte tapé à garder" in response.content.decode()


def test_deadline_before_the_reporting_date_is_refused(people, real_plan):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="précède"):
        services.open_campaign(
            plan=real_plan,
            as_of=datetime.date(2030, 3, 31),
            deadline=timezone.localdate() + datetime.timedelta(days=1),
            opened_by=people["coordinator"],
        )


def test_refusal_pages_are_in_french_and_say_why(people, campaign):
    response = _as(people["reader"]).get(_draft_url(13))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_malformed_form_counts_never_cause_a_server_error(people, campaign):
    draft = campaign.drafts.get(measure__number=13)
    response = _as(people["editor"]).post(
        _draft_url(13, "draft-save"), {**_form(draft), "components-count": "abc", "values-²-actual": "3"}
    )
    assert response.status_code in (302, 400)
