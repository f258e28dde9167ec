"""End-to-end paths in a real browser: Debian's Chromium driven by Playwright.

Skipped only outside CI when /usr/bin/chromium is absent; in CI (CI=true)
a missing browser is a failure, never a skip (the ``browser`` fixture, in
conftest.py, and tests/browser_support.py).
"""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, real_plan):
    context = browser.new_context(base_url=live_server.url, locale="fr-CA")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


def test_home_page_shows_the_plan_in_french(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Plan d’action 2019-2024")
    assert page.locator("article.measure").count() == 15


def test_filter_by_theme_then_open_measure_13(page):
    page.goto("/")
    page.get_by_label("Thème", exact=True).select_option("4")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"theme=4"))
    numbers = page.locator("article.measure .measure-number").all_inner_texts()
    assert [n.strip().upper() for n in numbers] == [f"MESURE {n}" for n in (11, 12, 13, 14, 15, 16)]

    page.get_by_role("link", name=re.compile("Octroyer des prêts")).click()
    page.wait_for_url(re.compile(r"/mesures/13/"))
    assert "93\u00a0%" in page.locator(".measure-state").inner_text()


def test_english_is_one_click_away(page):
    page.goto("/plans/pole-2019-2024/mesures/13/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/en/plans/pole-2019-2024/mesures/13/"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert "93\u00a0%" in page.locator(".measure-state").inner_text()


def test_partner_logs_in_and_submits_an_update(page, django_user_model):
    import datetime

    from django.utils import timezone

    from concerto.accounts.models import Membership, Role
    from concerto.campaigns.models import Draft
    from concerto.campaigns.services import open_campaign
    from concerto.organizations.models import Organization
    from concerto.plans.models import Plan

    office = Organization.objects.get(code="office-des-professions-du-quebec")
    coordinator = django_user_model.objects.create_user("coordo", password="x")
    Membership.objects.create(user=coordinator, organization=office, role=Role.COORDINATOR)
    editor = django_user_model.objects.create_user(
        "mess", email="mess@example.org", password="Partenaire-2024!"
    )
    Membership.objects.create(
        user=editor,
        organization=Organization.objects.get(code="ministere-de-l-emploi-et-de-la-solidarite-sociale"),
        role=Role.EDITOR,
    )
    open_campaign(
        plan=Plan.objects.get(slug="pole-2019-2024"),
        as_of=datetime.date(2024, 3, 31),
        deadline=timezone.localdate() + datetime.timedelta(days=10),
        opened_by=coordinator,
    )

    page.goto("/compte/connexion/")
    page.get_by_label("Courriel ou nom d’utilisateur").fill("mess")
    page.get_by_label("Mot de passe").fill("Partenaire-2024!")
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/plans/pole-2019-2024/campagnes/2024-03-31/")
    page.get_by_role("link", name="Mesure 13").click()
    page.get_by_label("Pourcentage d’avancement", exact=True).fill("97")
    page.get_by_role("button", name="Soumettre à la coordination").click()
    page.wait_for_url(re.compile(r"/mesures/13/$"))
    assert "Mise à jour soumise à la coordination." in page.content()
    draft = Draft.objects.get(measure__number=13)
    assert (draft.state, draft.percent) == (Draft.State.SUBMITTED, 97)
