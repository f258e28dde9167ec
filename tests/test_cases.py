"""The intervention cell's case register: import, transitions, permissions, public summaries."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerto.accounts.models import Role
from concerto.cases import rules, services
from concerto.cases.importer import import_cases
from concerto.cases.models import Case, CaseState, Meeting, Solution
from concerto.core.dataload import DataError
from concerto.organizations.models import Organization
from concerto.plans.models import Measure

from .conftest import ROOT
from .factories import CaseFactory, UserFactory

CASES_FILE = ROOT / "data" / "cases" / "cellule-2022-2023.yaml"
OPTMQ = "ordre-professionnel-des-technologistes-medicaux-du-quebec"
OIIAQ = "ordre-des-infirmieres-et-infirmiers-auxiliaires-du-quebec"
MIFI = "ministere-de-l-immigration-de-la-francisation-et-de-l-integration"
OFFICE = "office-des-professions-du-quebec"
CIQ = "conseil-interprofessionnel-du-quebec"


@pytest.fixture
def cases(real_plan):
    import_cases(path=CASES_FILE)
    return {c.reference: c for c in Case.objects.all()}


@pytest.fixture
def optmq(cases):
    return cases["CAS-2021-001"]


def _org(code):
    return Organization.objects.get(code=code)


@pytest.fixture
def users(cases):
    return {
        "coordinator": UserFactory(username="coordo", coordinator_of=_org(OFFICE)),
        "member": UserFactory(username="optmq", member_of=(_org(OPTMQ), Role.READER)),
        "receiver": UserFactory(username="mifi", member_of=(_org(MIFI), Role.EDITOR)),
        "outsider": UserFactory(username="ciq", member_of=(_org(CIQ), Role.EDITOR)),
        "nobody": UserFactory(username="sans-organisation"),
    }


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- import ---------------------------------------------------------------


def test_import_reproduces_the_two_cases_of_the_seed(optmq, cases):
    assert set(cases) == {"CAS-2021-001", "CAS-2022-001"}
    assert [o.code for o in optmq.orders.all()] == [OPTMQ]
    assert optmq.profession == "Technologiste médical"
    assert optmq.problem_kind == "bridging_training"
    assert optmq.state == CaseState.TRANSFERRED
    assert optmq.transferred_to.code == MIFI
    assert optmq.transferred_on_text == "Hiver 2023"
    assert optmq.transferred_on is None  # the source gives a season, never a date
    assert "transférer la coordination du groupe de travail au MIFI" in optmq.transfer_reason
    assert optmq.raised_on is None and "automne 2021" in optmq.raised_on_text
    assert optmq.percent == 50
    assert optmq.component_label == "OPTMQ"
    assert sorted(optmq.measures.values_list("number", flat=True)) == [1, 7]
    meeting = optmq.meetings.get()
    assert meeting.date == datetime.date(2022, 5, 30)
    assert "trois solutions envisagées" in meeting.minutes
    assert "non précisé dans la source" in meeting.minutes

    oiiaq = cases["CAS-2022-001"]
    assert [o.code for o in oiiaq.orders.all()] == [OIIAQ]
    assert oiiaq.percent == 100
    assert oiiaq.state == CaseState.IN_IMPLEMENTATION
    assert oiiaq.component_label == "OIIAQ"
    assert sorted(oiiaq.measures.values_list("number", flat=True)) == [1, 9]
    assert not oiiaq.meetings.exists()
    solutions = list(oiiaq.solutions.order_by("position"))
    assert len(solutions) == 4
    assert {s.state for s in solutions} == {Solution.State.RETAINED}
    assert "Règle budgétaire 2022-2023" in solutions[2].text
    member_codes = {m.organization.code for m in oiiaq.working_group.all() if m.organization}
    assert member_codes == {OIIAQ, "ministere-de-l-education"}
    assert not any(m.person_name for m in Case.objects.get(pk=oiiaq.pk).working_group.all())


def test_import_is_idempotent(cases):
    before = {
        c.reference: (c.state, c.percent, list(c.meetings.order_by("pk").values_list("pk", flat=True)))
        for c in Case.objects.order_by("reference")
    }
    result = import_cases(path=CASES_FILE)
    assert not result.changed, result.details
    after = {
        c.reference: (c.state, c.percent, list(c.meetings.order_by("pk").values_list("pk", flat=True)))
        for c in Case.objects.order_by("reference")
    }
    assert before == after


def test_import_command_reports_nothing_changed_the_second_time(real_plan, capsys):
    call_command("import_cases", str(CASES_FILE))
    call_command("import_cases", str(CASES_FILE))
    assert "déjà à jour" in capsys.readouterr().out
    assert Case.objects.count() == 2


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = CASES_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "cases.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_import_is_all_or_nothing_with_an_unknown_organization(cases, tmp_path):
    text = CASES_FILE.read_text(encoding="utf-8")
    text = text.replace("Accès à la formation d’appoint des technologistes médicaux", "Titre modifié", 1)
    # The second case gets a bad code: the first case's change must not be written.
    text = text.replace("      - ministere-de-l-education\n", "      - ordre-inexistant\n", 1)
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"ligne \d+.*organisation inconnue « ordre-inexistant »"):
        import_cases(path=path)
    assert Case.objects.get(reference="CAS-2021-001").title != "Titre modifié"


def test_import_into_an_empty_database_writes_nothing_on_error(real_plan, tmp_path):
    path = _broken_copy(tmp_path, f"      - {OIIAQ}\n", "      - inconnu\n")
    with pytest.raises(DataError, match="organisation inconnue « inconnu »"):
        import_cases(path=path)
    assert not Case.objects.exists()
    assert not Meeting.objects.exists()


def test_import_rejects_an_unknown_measure_naming_the_line(real_plan, tmp_path):
    path = _broken_copy(tmp_path, "measures: [1, 9]", "measures: [1, 6]")
    with pytest.raises(DataError, match=r"CAS-2022-001 \(ligne \d+\).*la mesure « 6 » n’existe pas"):
        import_cases(path=path)
    assert not Case.objects.exists()


def test_import_rejects_an_unknown_plan(organizations, tmp_path):
    path = _broken_copy(tmp_path, "plan: pole-2019-2024", "plan: inconnu")
    with pytest.raises(DataError, match="plan « inconnu » introuvable"):
        import_cases(path=path)


def test_imported_cases_belong_to_the_owner_of_their_measures_plan(cases, real_plan):
    assert {case.owner for case in cases.values()} == {real_plan.owner}
    assert real_plan.owner.code == OFFICE


def test_an_explicit_owner_in_the_file_is_kept(real_plan, tmp_path):
    path = _broken_copy(
        tmp_path, "  - reference: CAS-2022-001\n", f"  - reference: CAS-2022-001\n    owner: {CIQ}\n"
    )
    import_cases(path=path)
    assert Case.objects.get(reference="CAS-2022-001").owner.code == CIQ
    assert Case.objects.get(reference="CAS-2021-001").owner.code == OFFICE


def test_an_unknown_owner_is_refused_naming_the_case(real_plan, tmp_path):
    path = _broken_copy(
        tmp_path, "  - reference: CAS-2022-001\n", "  - reference: CAS-2022-001\n    owner: inconnu\n"
    )
    with pytest.raises(DataError, match=r"CAS-2022-001.*champ « owner ».*organisation inconnue « inconnu »"):
        import_cases(path=path)
    assert not Case.objects.exists()


# --- state transitions ----------------------------------------------------


@pytest.fixture
def fresh_case(cases):
    return CaseFactory(
        reference="CAS-2023-001",
        title="Stage",
        owner=Organization.objects.get(code=OFFICE),
        measures=[Measure.objects.get(plan__slug="pole-2019-2024", number=1)],
        orders=[Organization.objects.get(code=OIIAQ)],
    )


def test_allowed_transitions_through_the_cycle(fresh_case, users):
    coordinator = users["coordinator"]
    for state in ("analysis", "solutions_proposed", "in_implementation", "resolved"):
        fresh_case = services.change_state(case=fresh_case, to=state, user=coordinator)
        assert fresh_case.state == state
    assert fresh_case.state_changed_by == coordinator
    assert services.allowed_transitions(fresh_case) == []


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("opened", "resolved"),
        ("opened", "in_implementation"),
        ("analysis", "resolved"),
        ("resolved", "analysis"),
    ],
)
def test_forbidden_transitions_name_the_transition(fresh_case, users, start, to):
    Case.objects.filter(pk=fresh_case.pk).update(state=start)
    fresh_case.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        services.change_state(case=fresh_case, to=to, user=users["coordinator"])
    message = info.value.messages[0]
    assert message.startswith("Transition interdite")
    assert str(CaseState(start).label) in message and str(CaseState(to).label) in message
    fresh_case.refresh_from_db()
    assert fresh_case.state == start


def test_transfer_needs_a_recipient_and_a_reason(fresh_case, users):
    coordinator = users["coordinator"]
    with pytest.raises(ValidationError, match="organisation"):
        services.change_state(case=fresh_case, to="transferred", user=coordinator, reason="x")
    mifi = Organization.objects.get(code=MIFI)
    with pytest.raises(ValidationError, match="motif"):
        services.change_state(case=fresh_case, to="transferred", user=coordinator, transferred_to=mifi)
    case = services.change_state(
        case=fresh_case,
        to="transferred",
        user=coordinator,
        transferred_to=mifi,
        reason="Leviers du MIFI",
        when_text="Hiver 2024",
    )
    assert (case.state, case.transferred_to, case.transferred_on_text) == ("transferred", mifi, "Hiver 2024")


def test_only_coordinators_change_state(fresh_case, users):
    with pytest.raises(PermissionDenied):
        services.change_state(case=fresh_case, to="analysis", user=users["member"])


# --- rules and views ------------------------------------------------------


def test_readers_of_a_case(optmq, users):
    assert rules.can_read_case(users["coordinator"], optmq)
    assert rules.can_read_case(users["member"], optmq)  # the order concerned
    assert rules.can_read_case(users["receiver"], optmq)  # the MIFI took it over
    assert not rules.can_read_case(users["outsider"], optmq)
    assert not rules.can_read_case(users["nobody"], optmq)
    assert rules.can_edit_case(users["coordinator"], optmq)
    assert not rules.can_edit_case(users["member"], optmq)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("nobody", 403),
        ("outsider", 403),
        ("member", 200),
        ("receiver", 200),
        ("coordinator", 200),
    ],
)
def test_case_detail_permissions(client, optmq, users, who, expected):
    response = client_for(client, users.get(who)).get(reverse("case-detail", args=[optmq.reference]))
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        assert "30 mai 2022" in body
        assert "Hiver 2023" in body
        assert ("Changer l’état" in body) == (who == "coordinator")


def test_case_detail_of_an_unknown_reference_is_404(client, users):
    client.force_login(users["coordinator"])
    assert client.get(reverse("case-detail", args=["CAS-0000-000"])).status_code == 404


@pytest.mark.parametrize(
    ("who", "refs"),
    [
        ("anonymous", []),
        ("nobody", []),
        ("outsider", []),
        ("member", ["CAS-2021-001"]),
        ("coordinator", ["CAS-2021-001", "CAS-2022-001"]),
    ],
)
def test_case_list_shows_the_readable_cases(client, users, who, refs):
    response = client_for(client, users.get(who)).get(reverse("case-list"))
    assert response.status_code == 200
    shown = re.findall(r'href="/cellule/(CAS-[\d-]+)/"', response.content.decode())
    assert shown == refs


def test_the_component_link_shows_50_percent_from_the_real_plan(client, optmq, users):
    component = services.feeds_component(optmq)
    assert (component.label, component.percent, component.report.measure.number) == ("OPTMQ", 50, 1)
    client.force_login(users["coordinator"])
    body = client.get(reverse("case-detail", args=[optmq.reference])).content.decode()
    assert "Composante de la mesure 1&nbsp;: 50\u00a0%" in body
    assert "Composante alimentée (OPTMQ)" in body


@pytest.mark.parametrize("name", ["case-state", "case-publish"])
@pytest.mark.parametrize(("who", "expected"), [("nobody", 403), ("member", 403), ("receiver", 403)])
def test_posts_are_for_coordinators(client, optmq, users, name, who, expected):
    client.force_login(users[who])
    response = client.post(reverse(name, args=[optmq.reference]), {"to": "analysis", "summary": "x"})
    assert response.status_code == expected
    optmq.refresh_from_db()
    assert not optmq.summary_published


@pytest.mark.parametrize("name", ["case-state", "case-publish"])
def test_posts_send_the_anonymous_to_login(client, optmq, name):
    response = client.post(reverse(name, args=[optmq.reference]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_coordinator_changes_state_through_the_view(client, fresh_case, users):
    client.force_login(users["coordinator"])
    url = reverse("case-state", args=[fresh_case.reference])
    response = client.post(url, {"to": "analysis"})
    assert response.status_code == 302
    fresh_case.refresh_from_db()
    assert fresh_case.state == "analysis"
    response = client.post(url, {"to": "resolved"}, follow=True)
    assert "Transition interdite" in response.content.decode()
    fresh_case.refresh_from_db()
    assert fresh_case.state == "analysis"


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("case-list", "post"),
        ("case-detail", "post"),
        ("case-summary", "post"),
        ("case-state", "get"),
        ("case-publish", "get"),
    ],
)
def test_wrong_method_is_405(client, optmq, users, name, method):
    client.force_login(users["coordinator"])
    args = [] if name == "case-list" else [optmq.reference]
    assert getattr(client, method)(reverse(name, args=args)).status_code == 405


# --- public summaries -----------------------------------------------------


def test_public_sees_only_the_published_summary(client, optmq, users):
    summary_url = reverse("case-summary", args=[optmq.reference])
    assert client.get(summary_url).status_code == 404  # nothing published yet
    assert "CAS-2021-001" not in client.get(reverse("case-list")).content.decode()

    staff = client_for(type(client)(), users["coordinator"])
    response = staff.post(
        reverse("case-publish", args=[optmq.reference]),
        {"summary": "La coordination du groupe de travail a été **transférée** au MIFI."},
    )
    assert response.status_code == 302
    optmq.refresh_from_db()
    assert optmq.summary_published and optmq.published_by == users["coordinator"]

    detail = client.get(reverse("case-detail", args=[optmq.reference]))
    assert detail.status_code == 302 and detail["Location"] == summary_url
    # A signed-in person without access is also sent to the public summary.
    outsider = client_for(type(client)(), users["outsider"])
    assert outsider.get(reverse("case-detail", args=[optmq.reference]))["Location"] == summary_url

    body = client.get(summary_url).content.decode()
    assert "<strong>transférée</strong>" in body
    assert "30 mai 2022" not in body and "trois solutions" not in body  # never the minutes
    assert "Leviers" not in body and "Rappelons que" not in body  # nor the internal reasons
    listing = client.get(reverse("case-list")).content.decode()
    assert f'href="{summary_url}"' in listing
    assert 'href="/cellule/CAS-2021-001/"' not in listing


def test_publishing_an_empty_summary_is_refused(client, optmq, users):
    client.force_login(users["coordinator"])
    response = client.post(reverse("case-publish", args=[optmq.reference]), {"summary": "  "}, follow=True)
    assert "ne peut pas être vide" in response.content.decode()
    optmq.refresh_from_db()
    assert not optmq.summary_published


def test_the_summary_never_shows_raw_html(client, optmq, users):
    services.publish_summary(case=optmq, summary="<script>alert(1)</script>", user=users["coordinator"])
    body = client.get(reverse("case-summary", args=[optmq.reference])).content.decode()
    assert "<script>alert" not in body


# --- measure page tag and query counts ------------------------------------


def _render_tag(measure, user):
    return Template("{% load cases %}{% measure_cases measure user %}").render(
        Context({"measure": measure, "user": user})
    )


def test_measure_cases_tag(optmq, users):
    from django.contrib.auth.models import AnonymousUser

    measure = Measure.objects.get(plan__slug="pole-2019-2024", number=1)
    html = _render_tag(measure, users["coordinator"])
    assert "CAS-2021-001" in html and "CAS-2022-001" in html
    html = _render_tag(measure, users["member"])
    assert "CAS-2021-001" in html and "CAS-2022-001" not in html
    assert "CAS-" not in _render_tag(measure, AnonymousUser())
    services.publish_summary(case=optmq, summary="Résumé", user=users["coordinator"])
    html = _render_tag(measure, AnonymousUser())
    assert reverse("case-summary", args=[optmq.reference]) in html


def _add_cases(count, measure, orders):
    for i in range(count):
        CaseFactory(
            reference=f"CAS-2099-{i:03d}",
            title=f"Cas {i}",
            problem_kind="other",
            owner=measure.plan.owner,
            measures=[measure],
            orders=orders,
        )


def test_list_and_tag_query_counts_do_not_grow_with_cases(client, users):
    measure = Measure.objects.get(plan__slug="pole-2019-2024", number=1)
    orders = list(Organization.objects.filter(code__in=[OPTMQ, OIIAQ]).order_by("code"))
    user = users["coordinator"]
    client.force_login(user)

    def count():
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("case-list")).status_code == 200
        fresh = type(user).objects.get(pk=user.pk)  # memberships are cached per user object, as per request
        with CaptureQueriesContext(connection) as tag:
            _render_tag(measure, fresh)
        return len(page), len(tag)

    Case.objects.exclude(reference__in=["CAS-2021-001", "CAS-2022-001"]).delete()
    small = count()
    _add_cases(18, measure, orders)
    assert Case.objects.count() == 20
    assert count() == small


def test_english_interface(client, optmq, users):
    client.force_login(users["coordinator"])
    body = client.get("/en/cellule/").content.decode()
    assert "Intervention cell" in body and "Case register" in body
    body = client.get(f"/en/cellule/{optmq.reference}/").content.decode()
    assert "Component of measure 1: 50\u00a0%" in body
