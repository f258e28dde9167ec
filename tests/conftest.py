"""Strict test defaults: unknown template variables fail (see pyproject),
unordered querysets come back shuffled, and the real data files are at hand."""

import os
import random
from pathlib import Path

import pytest
from django.db.models import QuerySet

ROOT = Path(__file__).resolve().parent.parent
ORGANIZATIONS_FILE = ROOT / "data" / "organizations.yaml"
REAL_PLAN_FILE = ROOT / "data" / "plans" / "pole-2019-2024.yaml"


@pytest.fixture(autouse=True)
def _shuffle_unordered_querysets(monkeypatch):
    """A queryset without an explicit order_by is returned in random order,
    so that code relying on the database's natural order fails in tests."""
    original = QuerySet._fetch_all

    def fetch_all(self):
        already = self._result_cache is not None
        original(self)
        if not already and not self.ordered and isinstance(self._result_cache, list):
            random.shuffle(self._result_cache)

    monkeypatch.setattr(QuerySet, "_fetch_all", fetch_all)


@pytest.fixture(autouse=True)
def _settings_for_tests(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CONCERTO_HOME_PLAN = ""
    # Public pages kept rendered follow every change at once (see test_production).
    settings.CONCERTO_PAGE_FRESHNESS = 0
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Background jobs run at once, inside the request (tests/test_jobs.py
    # also runs them through the database queue and its worker).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CONCERTO_JOB_RETRY_DELAY = 0


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no rendered page kept: a rolled-back test may
    leave the next one the same primary keys and audit-trail fingerprint."""
    from django.core.cache import caches

    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _french_by_default():
    """Each test starts in French: a request to /en/ leaves English active in
    the thread, which would make the next test's reverse() return /en/ URLs."""
    from django.utils import translation

    with translation.override("fr"):
        yield


@pytest.fixture
def organizations(db):
    from concerto.organizations.domain import import_organizations

    import_organizations(path=ORGANIZATIONS_FILE)


@pytest.fixture
def real_plan(organizations):
    from concerto.plans.importer import import_plan

    return import_plan(path=REAL_PLAN_FILE).subject


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded documents under a temporary ``MEDIA_ROOT`` (use it with
    ``pytestmark = pytest.mark.usefixtures("media")`` in modules that upload)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_client(db, django_user_model):
    """A client of its own, signed in as Office staff (the ``client`` fixture stays anonymous)."""
    from django.test import Client

    client = Client()
    user = django_user_model.objects.create_user("coordo", password="x", is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, for the browser tests of one module (see
    browser_support); module-scoped so that its event loop ends with the module."""
    from playwright.sync_api import sync_playwright

    from .browser_support import launch_chromium

    # Playwright's sync API runs an event loop in this thread; the Django ORM
    # calls made by fixtures in the same thread are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()
