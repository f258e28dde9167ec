"""Accessibility (SGQRI 008, i.e. WCAG 2.1 AA) in a real browser.

Every public page and every staff page type is scanned with axe-core, in
French and in English, under its real Content-Security-Policy: axe is
evaluated through the DevTools protocol, never added as an inline script.
No serious or critical violation is allowed. The main paths are then walked
with the keyboard only, and the text alternatives of charts and statuses are
checked.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from .browser_support import BLOCKING_IMPACTS, axe_source, describe_violations, run_axe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = "pole-2019-2024"
OFFICE = "office-des-professions-du-quebec"
MESS = "ministere-de-l-emploi-et-de-la-solidarite-sociale"
MIFI = "ministere-de-l-immigration-de-la-francisation-et-de-l-integration"
AS_OF = datetime.date(2024, 3, 31)
CAMPAIGN = AS_OF.isoformat()
CASE = "CAS-2021-001"
PUBLISHED = "REC-2024-001"  # published, answered, answer published
DRAFT = "REC-2024-002"  # a coordinator's draft
RECEIVED = "REC-2024-003"  # addressed to the editor's organization, awaiting its answer


@dataclass(frozen=True)
class Page:
    id: str
    role: str | None  # who is signed in (a key of ``site["users"]``), None for the public
    path: Callable[[dict], str]  # built with reverse() in the language under test
    status: int = 200


def _url(name, *args, query=""):
    return lambda site: reverse(name, args=args) + query


PAGES = [
    # Public pages.
    Page("home", None, _url("home")),
    Page("plan-filtered", None, _url("plan-detail", PLAN, query="?theme=4&status=in_progress")),
    Page("measure-detail", None, _url("measure-detail", PLAN, 13)),
    Page("organization-list", None, _url("organization-list")),
    Page("organization-detail", None, _url("organization-detail", MESS)),
    Page("recommendation-register", None, _url("recommendation-list")),
    Page("recommendation-register-filtered", None, _url("recommendation-list", query="?etat=answered")),
    Page("recommendation-detail", None, _url("recommendation-detail", PUBLISHED)),
    Page("recommendation-search", None, _url("recommendation-search", query="?q=acquis")),
    Page("case-list", None, _url("case-list")),
    Page("case-summary", None, _url("case-summary", CASE)),
    Page("api-documentation", None, _url("api-docs")),
    Page("login", None, _url("login")),
    Page("password-reset", None, _url("password_reset")),
    Page("password-reset-done", None, _url("password_reset_done")),
    Page("password-reset-confirm", None, lambda site: site["reset_path"]()),
    Page("password-reset-complete", None, _url("password_reset_complete")),
    Page("invitation-accept", None, lambda site: reverse("invitation-accept", args=[site["token"]])),
    Page("not-found", None, _url("plan-detail", "inexistant"), status=404),
    Page("accessibility", None, _url("accessibility")),
    Page("privacy", None, _url("privacy")),
    Page("contact", None, _url("contact")),
    Page("ciq-home", None, _url("ciq-home")),
    Page("opinion-library", None, _url("opinion-library")),
    Page("groups-public-list", None, _url("groups-public-list")),
    Page("activity-list", None, _url("activity-list")),
    Page("information-documents", None, _url("information-documents", query="?q=etude")),
    Page("information-orders", None, _url("information-orders")),
    Page("information-order", None, _url("information-order", "barreau-du-quebec")),
    Page("information-pages", None, _url("information-pages")),
    Page("pathway-dictionary", None, _url("pathway-dictionary")),
    Page("pathway-public", None, _url("pathway-public")),
    # The coordinator of the Office, which owns the plan.
    Page("plan-coordinator", "coordinator", _url("plan-detail", PLAN)),
    Page("report", "coordinator", _url("report-page", PLAN)),
    Page("campaign-list", "coordinator", _url("campaign-list", PLAN)),
    Page("campaign-dashboard", "coordinator", _url("campaign-dashboard", PLAN, CAMPAIGN)),
    Page("draft-review", "coordinator", _url("draft-detail", PLAN, CAMPAIGN, 14)),
    Page("measure-history", "coordinator", _url("measure-history", PLAN, 13)),
    Page("recommendation-create", "coordinator", _url("recommendation-create")),
    Page("recommendation-edit", "coordinator", _url("recommendation-edit", DRAFT)),
    Page("recommendation-staff-detail", "coordinator", _url("recommendation-detail", RECEIVED)),
    Page("case-list-staff", "coordinator", _url("case-list")),
    Page("case-detail", "coordinator", _url("case-detail", CASE)),
    Page("invitation-create", "coordinator", _url("invitation-create")),
    Page("my-tasks-coordinator", "coordinator", _url("my-tasks")),
    Page("publish-date", "coordinator", _url("plan-publish-date", PLAN, "2023-03-31")),
    Page("plan-checks", "coordinator", _url("plan-checks", PLAN)),
    # The editor of a lead organization (MESS leads measure 13).
    Page("campaign-dashboard-editor", "editor", _url("campaign-dashboard", PLAN, CAMPAIGN)),
    Page("draft-edit", "editor", _url("draft-detail", PLAN, CAMPAIGN, 13)),
    Page("my-recommendations", "editor", _url("recommendation-mine")),
    Page("recommendation-answer", "editor", _url("recommendation-answer", RECEIVED)),
    Page("my-tasks-editor", "editor", _url("my-tasks")),
    # A collaborator (MIFI collaborates on measure 14).
    Page("draft-comment", "collaborator", _url("draft-detail", PLAN, CAMPAIGN, 14)),
    Page("forbidden", "collaborator", _url("report-page", PLAN), status=403),
]


def _user(django_user_model, username, code=None, role=None, **extra):
    from concerto.accounts.models import Membership
    from concerto.organizations.models import Organization

    user = django_user_model.objects.create_user(
        username, email=f"{username}@example.org", password="Mot-de-passe-2024!", **extra
    )
    if code:
        Membership.objects.create(user=user, organization=Organization.objects.get(code=code), role=role)
    return user


@pytest.fixture
def site(real_plan, django_user_model, settings, tmp_path):
    """The real plan and cases, an open campaign, recommendations in several
    states, and one person per role."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from concerto.accounts.models import Role
    from concerto.accounts.services import invite
    from concerto.campaigns.models import Draft
    from concerto.campaigns.services import add_comment, open_campaign
    from concerto.cases.importer import import_cases
    from concerto.cases.models import Case
    from concerto.cases.services import publish_summary
    from concerto.organizations.models import Organization
    from concerto.recommendations.models import Answer, Recommendation, State

    from .conftest import ROOT

    settings.MEDIA_ROOT = tmp_path
    users = {
        "coordinator": _user(django_user_model, "coordo", OFFICE, Role.COORDINATOR),
        "editor": _user(django_user_model, "mess", MESS, Role.EDITOR),
        "collaborator": _user(django_user_model, "mifi", MIFI, Role.COLLABORATOR),
    }
    coordinator = users["coordinator"]
    campaign = open_campaign(
        plan=real_plan,
        as_of=AS_OF,
        deadline=timezone.localdate() + datetime.timedelta(days=10),
        opened_by=coordinator,
    )
    Draft.objects.filter(campaign=campaign, measure__number=14).update(
        state=Draft.State.SUBMITTED, percent=100, submitted_at=timezone.now()
    )
    add_comment(
        draft=campaign.drafts.get(measure__number=14), user=users["collaborator"], text="Chiffres vérifiés."
    )

    import_cases(path=ROOT / "data" / "cases" / "cellule-2022-2023.yaml")
    publish_summary(
        case=Case.objects.get(reference=CASE),
        summary="La coordination du groupe de travail a été **transférée** au MIFI.",
        user=coordinator,
    )

    office = Organization.objects.get(code=OFFICE)
    mess = Organization.objects.get(code=MESS)
    published = Recommendation.objects.create(
        number=PUBLISHED,
        title="Reconnaissance des acquis",
        text="L’Office recommande une équivalence.",
        owner=office,
        addressee=mess,
        state=State.ANSWERED,
        sent_on=datetime.date(2024, 4, 20),
        received_on=datetime.date(2024, 4, 25),
        published=True,
    )
    published.measures.set(real_plan.measures.filter(number=13))
    published.cases.set(Case.objects.filter(reference=CASE))
    Answer.objects.create(
        recommendation=published,
        kind=Answer.Kind.FOLLOW_UP,
        text="Nous donnerons suite.",
        answered_on=datetime.date(2024, 6, 1),
        published=True,
    )
    Recommendation.objects.create(
        number=DRAFT,
        title="Stages en milieu de travail",
        text="Brouillon.",
        owner=office,
        addressee=office,
        state=State.DRAFT,
        created_by=coordinator,
    )
    Recommendation.objects.create(
        number=RECEIVED,
        title="Prêts aux personnes formées à l’étranger",
        text="À l’étude.",
        owner=office,
        addressee=mess,
        state=State.RECEIVED,
        sent_on=datetime.date(2024, 1, 10),
        received_on=datetime.date(2024, 1, 15),
    )

    _invitation, token = invite(
        email="nouvelle@example.org", organization=mess, role=Role.EDITOR, invited_by=coordinator
    )
    reader = _user(django_user_model, "oubli")

    def reset_path():
        # A valid link: Django stores the token in the session and shows the form.
        uid = urlsafe_base64_encode(force_bytes(reader.pk))
        return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(reader)])

    return {"plan": real_plan, "campaign": campaign, "users": users, "token": token, "reset_path": reset_path}


def _browser_page(browser, live_server, site, role, language, expected_status=200):
    context = browser.new_context(base_url=live_server.url, locale="fr-CA" if language == "fr" else "en-CA")
    if role:
        sign_in(context, live_server, site["users"][role])
    page = context.new_page()
    errors = []

    def on_console(message):
        # The browser reports the error status of the page itself; that is expected.
        if message.type == "error" and not (
            expected_status != 200 and f"status of {expected_status}" in message.text
        ):
            errors.append(message.text)

    page.on("console", on_console)
    return context, page, errors


@pytest.fixture(scope="module")
def axe():
    return axe_source()


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("target", PAGES, ids=[p.id for p in PAGES])
def test_page_has_no_serious_accessibility_violation(browser, live_server, site, axe, target, language):
    with translation.override(language):
        path = target.path(site)
    context, page, errors = _browser_page(browser, live_server, site, target.role, language, target.status)
    try:
        response = page.goto(path)
        assert response.status == target.status, f"{path} answered {response.status}"
        assert page.locator("html").get_attribute("lang") == language
        violations = run_axe(page, axe)
    finally:
        context.close()
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{path} ({language}): serious or critical violations:\n" + describe_violations(
        blocking
    )
    assert errors == [], f"browser console errors: {errors}"


def test_admin_index_has_no_serious_accessibility_violation(
    browser, live_server, site, axe, django_user_model
):
    """Django's own admin, scanned once: it is outside i18n_patterns, so always in French."""
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    context = browser.new_context(base_url=live_server.url, locale="fr-CA")
    sign_in(context, live_server, admin)
    page = context.new_page()
    try:
        assert page.goto(reverse("admin:index")).status == 200
        assert page.locator("html").get_attribute("lang") == "fr"
        violations = run_axe(page, axe)
    finally:
        context.close()
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, "admin index: serious or critical violations:\n" + describe_violations(blocking)


# --- Narrow screens ------------------------------------------------------------

_TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const e of document.querySelectorAll("body *")) {
    const box = e.getBoundingClientRect();
    // Inside a scrolling box (a wide table) is fine: the page itself does not move.
    if (box.width > 0 && box.right > width + 1 && !e.closest(".table-scroll, .checkbox-list-options, .qc-sr-only")) {
      wide.push(`<${e.tagName.toLowerCase()} class="${e.className}"> ${Math.round(box.right)}px`);
    }
  }
  return {page: document.documentElement.scrollWidth, viewport: width, wide: wide.slice(0, 5)};
}"""


def test_no_page_scrolls_sideways_on_a_390_px_screen(browser, live_server, site):
    """Every page of PAGES, public and staff, at 390 px wide (one test that
    loops, for CI time); the main navigation's links stay on the screen."""
    problems = {}
    for target in PAGES:
        path = target.path(site)
        context, page, _errors = _browser_page(browser, live_server, site, target.role, "fr", target.status)
        try:
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(path)
            found = page.evaluate(_TOO_WIDE)
            nav_links = page.locator(".site-nav a")
            for index in range(nav_links.count()):
                box = nav_links.nth(index).bounding_box()
                if box is None or box["x"] < 0 or box["x"] + box["width"] > 390:
                    found["wide"].append(f"navigation link {nav_links.nth(index).inner_text()!r} off-screen")
        finally:
            context.close()
        if found["page"] > found["viewport"] or found["wide"]:
            problems[path] = found
    assert not problems, problems


def test_related_measures_list_is_short_and_searchable(browser, live_server, site):
    """The new-recommendation form no longer stretches the page: the measures
    are a box of checkboxes, and typing filters them (accents aside)."""
    context, page, errors = _browser_page(browser, live_server, site, "coordinator", "fr")
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(reverse("recommendation-create"))
        box = page.locator("#id_measures_options").bounding_box()
        assert box["height"] < 320
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        search = page.get_by_label("Rechercher dans la liste").first
        search.fill("prets")  # « Octroyer des prêts… » (measure 13)
        visible = page.locator("#id_measures_options > li:visible")
        assert visible.count() == 1
        assert "prêts" in visible.first.inner_text()
        visible.first.locator("input").check()
        search.fill("")
        assert page.locator("#id_measures_options > li:visible").count() == 15
        assert page.locator("#id_measures_options input:checked").count() == 1
    finally:
        context.close()
    assert errors == []


_ID_PROBLEMS = """() => {
  const problems = [];
  const seen = new Set();
  for (const e of document.querySelectorAll("[id]")) {
    if (seen.has(e.id)) problems.push(`duplicate id "${e.id}"`);
    seen.add(e.id);
  }
  for (const e of document.querySelectorAll("label[for]")) {
    if (!document.getElementById(e.htmlFor)) problems.push(`label for="${e.htmlFor}" points nowhere`);
  }
  for (const attribute of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
    for (const e of document.querySelectorAll(`[${attribute}]`)) {
      for (const id of e.getAttribute(attribute).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) problems.push(`${attribute}="${id}" on <${e.tagName.toLowerCase()}> points nowhere`);
      }
    }
  }
  return problems;
}"""


def test_ids_are_unique_and_every_id_reference_resolves(browser, live_server, site):
    """What axe only reports as "to review": two fields with one id, a label or
    a description pointing at nothing (ids do not depend on the language)."""
    problems = {}
    for target in PAGES:
        path = target.path(site)
        context, page, _errors = _browser_page(browser, live_server, site, target.role, "fr", target.status)
        try:
            page.goto(path)
            found = page.evaluate(_ID_PROBLEMS)
        finally:
            context.close()
        if found:
            problems[path] = found
    assert not problems, problems


# --- French data on English pages ------------------------------------------

# Text nodes of the page that are, in full or in part, one of the given French
# strings while the nearest lang attribute says something else.
_UNMARKED_FRENCH = r"""(strings) => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const text = node.textContent.replace(/\s+/g, " ").trim();
    if (!text) continue;
    const element = node.parentElement;
    const lang = element.closest("[lang]").getAttribute("lang");
    if (lang === "fr") continue;
    const hit = strings.find((s) => text.includes(s));
    if (hit) found.push(`<${element.tagName.toLowerCase()} class="${element.className}"> ${text.slice(0, 90)}`);
  }
  return found;
}"""

# The measure history shows old and new values of every field side by side,
# French data and translated choices alike (see the report).
_FRENCH_DATA_EXEMPT = {"measure-history"}


def _french_data_strings(site) -> list[str]:
    from concerto.cases.models import Case
    from concerto.organizations.models import Organization
    from concerto.plans.models import Indicator, Measure, Theme
    from concerto.recommendations.models import Recommendation

    plan = site["plan"]
    strings = {plan.title}
    strings |= set(Organization.objects.values_list("name", flat=True))
    strings |= set(Theme.objects.filter(plan=plan).values_list("title", flat=True))
    strings |= set(Measure.objects.filter(plan=plan).values_list("title", flat=True))
    strings |= set(Indicator.objects.filter(measure__plan=plan).values_list("label", flat=True))
    strings |= set(Case.objects.values_list("title", flat=True))
    strings |= set(Recommendation.objects.values_list("title", flat=True))
    return sorted(s for s in strings if s)


def test_french_data_on_english_pages_is_marked_lang_fr(browser, live_server, site):
    strings = _french_data_strings(site)
    unmarked = {}
    for target in PAGES:
        if target.id in _FRENCH_DATA_EXEMPT:
            continue
        with translation.override("en"):
            path = target.path(site)
        context, page, _errors = _browser_page(browser, live_server, site, target.role, "en", target.status)
        try:
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == "en"
            found = page.evaluate(_UNMARKED_FRENCH, strings)
        finally:
            context.close()
        if found:
            unmarked[path] = found
    assert not unmarked, 'French data without lang="fr" on English pages:\n' + "\n".join(
        f"{path}:\n  " + "\n  ".join(found) for path, found in unmarked.items()
    )


# --- Keyboard only ---------------------------------------------------------

_FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(),
    id: e.id,
    name: e.getAttribute("name") || "",
    href: e.getAttribute("href") || "",
    text: (e.innerText || e.value || "").trim().slice(0, 80),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
    visible: box.width > 1 && box.height > 1,
  };
}"""


def _focused(page) -> dict:
    return page.evaluate(_FOCUSED)


def _tab_to(page, predicate, *, limit=250, backwards=False) -> dict:
    """Press Tab until ``predicate(focused element)``; every stop on the way
    must show a focus indicator (an outline or a box shadow)."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        element = _focused(page)
        assert element["tag"] != "body", "the Tab key left the page before reaching the target"
        assert element["visible"] and (element["outline"] or element["shadow"]), (
            f"no visible focus indicator on {element}"
        )
        if predicate(element):
            return element
    pytest.fail(f"not reached with {limit} presses of Tab")


def _skip_to_content(page) -> None:
    """The first Tab stop is the skip link; Enter moves the focus to <main>."""
    page.keyboard.press("Tab")
    skip = _focused(page)
    assert skip["href"] == "#main", skip
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def _keyboard_page(browser, live_server, site, role=None):
    return _browser_page(browser, live_server, site, role, "fr")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_skip_link_is_the_first_tab_stop_visible_and_leads_to_main(browser, live_server, site, language):
    context, page, errors = _browser_page(browser, live_server, site, None, language)
    try:
        with translation.override(language):
            page.goto(reverse("home"))
        page.keyboard.press("Tab")
        skip = _focused(page)
        assert skip["href"] == "#main"
        assert skip["text"] == {"fr": "Passer au contenu", "en": "Skip to content"}[language]
        assert skip["visible"] and (skip["outline"] or skip["shadow"])
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
        # The next Tab stop is inside the main content, past the header and menus.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    finally:
        context.close()
    assert errors == []


def test_keyboard_only_filter_the_plan_then_open_a_measure(browser, live_server, site):
    context, page, errors = _keyboard_page(browser, live_server, site)
    try:
        page.goto("/")
        _skip_to_content(page)
        _tab_to(page, lambda e: e["id"] == "id_theme")
        for _ in range(10):
            if page.evaluate("() => document.activeElement.value") == "4":
                break
            page.keyboard.press("ArrowDown")
        assert page.evaluate("() => document.activeElement.value") == "4"
        _tab_to(page, lambda e: e["tag"] == "button" and e["text"] == "Filtrer")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"theme=4"))
        numbers = page.locator("article.measure .measure-number").all_inner_texts()
        assert [n.strip().upper() for n in numbers] == [f"MESURE {n}" for n in (11, 12, 13, 14, 15, 16)]

        _skip_to_content(page)
        _tab_to(page, lambda e: "/mesures/13/" in e["href"])
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/mesures/13/"))
        assert "93\u00a0%" in page.locator(".measure-state").inner_text()
    finally:
        context.close()
    assert errors == []


def test_keyboard_only_editor_signs_in_and_submits_a_draft(browser, live_server, site):
    from concerto.campaigns.models import Draft

    context, page, errors = _keyboard_page(browser, live_server, site)
    try:
        page.goto(reverse("login"))
        # The login page's only purpose is the form: its first field has the focus.
        assert _focused(page)["name"] == "username"
        page.keyboard.type("mess")
        _tab_to(page, lambda e: e["name"] == "password")
        page.keyboard.type("Mot-de-passe-2024!")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == live_server.url + reverse("my-tasks")

        page.goto(reverse("campaign-dashboard", args=[PLAN, CAMPAIGN]))
        _skip_to_content(page)
        _tab_to(page, lambda e: e["href"].endswith("/mesures/13/") and "campagnes" in e["href"])
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(reverse("draft-detail", args=[PLAN, CAMPAIGN, 13]))

        _skip_to_content(page)
        _tab_to(page, lambda e: e["id"] == "percent")
        page.keyboard.press("Control+A")
        page.keyboard.type("97")
        _tab_to(page, lambda e: e["tag"] == "button" and e["name"] == "submit")
        with page.expect_navigation():
            page.keyboard.press("Space")
        assert page.url.endswith(reverse("draft-detail", args=[PLAN, CAMPAIGN, 13]))
        assert "Mise à jour soumise à la coordination." in page.locator("main").inner_text()
    finally:
        context.close()
    assert errors == []
    draft = Draft.objects.get(campaign=site["campaign"], measure__number=13)
    assert (draft.state, draft.percent) == (Draft.State.SUBMITTED, 97)


# --- Charts and colours ----------------------------------------------------


def test_report_chart_is_an_image_named_with_every_value(browser, site):
    """The SVG bar chart (in the PDF report; no web page shows one) is, as a
    browser reads it, an image whose name gives every value, alone and as
    placed in the report."""
    from concerto.reports.chart import theme_chart_svg
    from concerto.reports.content import build_report
    from concerto.reports.pdf import render_html

    report = build_report(site["plan"], datetime.date(2023, 3, 31))
    values = [
        f"thème {t.number}, {t.title} : "
        + (f"{t.average_percent}\u00a0%" if t.average_percent is not None else "non chiffré")
        for t in report.themes
    ]
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content(f'<!DOCTYPE html><html lang="fr"><body>{theme_chart_svg(report)}</body></html>')
        alone = page.locator("body").aria_snapshot()
        page.set_content(render_html(report))
        in_report = page.locator(".summary").aria_snapshot()
    finally:
        context.close()
    for snapshot in (alone, in_report):
        names = re.findall(r'\bimg "([^"]*)"', snapshot)
        assert len(names) == 1, snapshot
        for value in values:
            assert value.replace("\u00a0", " ") in names[0].replace("\u00a0", " ")


_COLOUR_ONLY = """() => {
  const problems = [];
  const stateful = document.querySelectorAll(
    '.status, .badge, .late, .flag, [class*="severity-"] td:first-child, .diff-del, .diff-ins'
  );
  for (const e of stateful) {
    if (!e.innerText.trim()) problems.push(`${e.outerHTML.slice(0, 120)} has no text`);
  }
  for (const e of document.querySelectorAll('.deadline-passed')) {
    const flag = e.querySelector('.flag');
    if (!flag || !flag.innerText.trim()) problems.push(`${e.outerHTML.slice(0, 120)}: passed deadline not said in words`);
  }
  return {problems, count: stateful.length};
}"""

_STATUS_PAGES = [
    ("home", None, _url("home")),
    ("plan-coordinator", "coordinator", _url("plan-detail", PLAN)),
    ("campaign-dashboard", "coordinator", _url("campaign-dashboard", PLAN, CAMPAIGN)),
    ("recommendation-register", "coordinator", _url("recommendation-list")),
    ("draft-review", "coordinator", _url("draft-detail", PLAN, CAMPAIGN, 14)),
    ("recommendation-late", "coordinator", _url("recommendation-detail", RECEIVED)),
]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_states_are_said_in_words_not_only_in_colour(browser, live_server, site, language):
    problems = {}
    for page_id, role, url in _STATUS_PAGES:
        with translation.override(language):
            path = url(site)
        context, page, _errors = _browser_page(browser, live_server, site, role, language)
        try:
            page.goto(path)
            result = page.evaluate(_COLOUR_ONLY)
        finally:
            context.close()
        assert result["count"] > 0, f"{page_id}: no state shown, the check checks nothing"
        if result["problems"]:
            problems[page_id] = result["problems"]
    assert not problems, problems
