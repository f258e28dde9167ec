"""The opinion's pages in a real browser: no serious accessibility violation (axe-core,
under the real Content-Security-Policy), and the diff says its changes in words."""

import pytest
from django.urls import reverse

from concerto.opinions import services
from tests.support.opinions import TEXT, build_world, opinion_at

from .browser_support import BLOCKING_IMPACTS, axe_source, describe_violations, run_axe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_opinion_pages_have_no_serious_accessibility_violation(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    opinion = opinion_at(world, "published")
    draft = opinion_at(world, "written", reference="AVIS-2025-02")
    services.save_version(
        opinion=draft,
        text=TEXT.replace("des réserves", "de fortes réserves"),
        based_on=1,
        user=world.people["ciq"],
    )
    pages = {
        None: [
            reverse("opinion-library"),
            reverse("opinion-public", args=[opinion.reference]),
            reverse("opinion-dossier-story", args=[world.dossier.reference]),
        ],
        "ciq": [
            reverse("opinion-workspace", args=[opinion.reference]),
            reverse("opinion-diff", args=[draft.reference, 2]),
            reverse("opinion-citations", args=[draft.reference]),
            reverse("opinion-paragraph-citations", args=[draft.reference, 1]),
            reverse("opinion-edit", args=[draft.reference]),
        ],
    }
    axe = axe_source()
    problems = {}
    for role, paths in pages.items():
        context = browser.new_context(base_url=live_server.url, locale="fr-CA")
        if role:
            sign_in(context, live_server, world.people[role])
        page = context.new_page()
        try:
            for path in paths:
                assert page.goto(path).status == 200, path
                blocking = [v for v in run_axe(page, axe) if v["impact"] in BLOCKING_IMPACTS]
                if blocking:
                    problems[path] = describe_violations(blocking)
                if "versions" in path:
                    hidden = page.locator("ins .qc-sr-only").first.text_content()
                    assert "début d’ajout" in hidden
        finally:
            context.close()
    assert not problems, problems
