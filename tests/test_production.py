"""The production setup: deployment checks, security headers, health, rate limits, page cache.

The production settings are those of an environment without DEBUG; they are
read in a separate process, as gunicorn would read them.
"""

import datetime
import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerto.core import pagecache, ratelimit
from concerto.core import views as core_views
from concerto.plans.models import Status
from concerto.plans.progress import ProgressInput, record_progress

ROOT = Path(__file__).resolve().parent.parent
PLAN = "pole-2019-2024"


def production_environment(tmp_path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    secret = tmp_path / "secret_key"
    secret.write_text(secrets.token_urlsafe(64))
    environment.update(
        DJANGO_SETTINGS_MODULE="concerto.settings",
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="concerto.example.qc.ca,testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    return environment


def run_in_production(tmp_path, *args, **kwargs):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    result = run_in_production(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    environment = production_environment(tmp_path)
    del environment["SECRET_KEY_FILE"]
    environment.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
secure = client.get("/compte/connexion/", secure=True, headers={"host": "concerto.example.qc.ca"})
plain = client.get("/compte/connexion/", headers={"host": "concerto.example.qc.ca"})
health = client.get("/sante/vivant", headers={"host": "concerto.example.qc.ca"})
print(json.dumps({
    "status": secure.status_code,
    "headers": dict(secure.headers),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
    "csrf_cookie_httponly": bool(secure.cookies["csrftoken"]["httponly"]),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
    "health_status": health.status_code,
}))
"""


@pytest.fixture(scope="module")
def production_probe(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        result = run_in_production(tmp_path, "manage.py", *command, "--verbosity", "0")
        assert result.returncode == 0, result.stderr
    result = run_in_production(tmp_path, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_for_a_year_with_subdomains(production_probe):
    assert production_probe["status"] == 200
    assert (
        production_probe["headers"]["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )


@pytest.mark.parametrize(
    "header, value",
    [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ],
)
def test_production_sends_security_header(production_probe, header, value):
    assert production_probe["headers"][header] == value


def test_production_content_security_policy_forbids_inline_code_and_framing(production_probe):
    policy = production_probe["headers"]["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_production_cookies_are_secure_and_http_only(production_probe):
    assert production_probe["csrf_cookie_secure"]
    assert production_probe["csrf_cookie_httponly"]


def test_production_redirects_plain_http_to_https(production_probe):
    assert production_probe["plain_status"] == 301
    assert production_probe["plain_location"].startswith("https://concerto.example.qc.ca/")


def test_production_health_probe_answers_over_plain_http(production_probe):
    assert production_probe["health_status"] == 200


# ----------------------------------------------------------------- health


@pytest.fixture
def fresh_health(monkeypatch):
    monkeypatch.setattr(core_views, "_migrations_applied", False)


def test_health_reports_database_and_migrations_ok(client, db, fresh_health):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert response["Cache-Control"].startswith("max-age=0")


def test_health_names_an_unapplied_migration_with_503(client, db, fresh_health):
    MigrationRecorder.Migration.objects.filter(app="core", name="0001_rate_limit_counter").delete()
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] == "erreur"
    assert "core.0001_rate_limit_counter" in response.json()["checks"]["migrations"]


def test_liveness_probe_returns_a_constant_without_touching_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("alive"))
    assert response.content == b"ok\n"
    assert len(queries) == 0


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_health_refuses_writes(client, db, method):
    assert getattr(client, method)(reverse("health")).status_code == 405


# ----------------------------------------------------------------- rate limits


def test_api_refuses_a_client_beyond_its_limit_with_a_french_429(client, real_plan, settings):
    settings.CONCERTO_API_RATE_LIMIT = 3
    url = reverse("api-plan-status", kwargs={"slug": PLAN})
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert "Trop de requêtes" in refused.json()["error"]
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_api_limit_counts_each_client_address_apart(client, real_plan, settings):
    settings.CONCERTO_API_RATE_LIMIT = 1
    url = reverse("api-plan-status", kwargs={"slug": PLAN})
    assert client.get(url, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert client.get(url, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get(url, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_api_limit_of_zero_turns_the_limit_off(client, real_plan, settings):
    settings.CONCERTO_API_RATE_LIMIT = 0
    url = reverse("api-plan-status", kwargs={"slug": PLAN})
    assert {client.get(url).status_code for _ in range(5)} == {200}


def test_rate_limit_starts_again_in_the_next_window(db):
    now = datetime.datetime(2026, 11, 22, 12, 0, 30, tzinfo=datetime.UTC)
    assert [ratelimit.hit("api:192.0.2.1", now=now) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.hit("api:192.0.2.1", now=now + datetime.timedelta(minutes=1)) == 1


def test_rate_limit_forgets_ended_windows(db):
    from concerto.core.models import RateLimitCounter

    now = datetime.datetime(2026, 11, 22, 12, 0, 30, tzinfo=datetime.UTC)
    ratelimit.hit("api:192.0.2.1", now=now)
    ratelimit.hit("api:192.0.2.2", now=now + datetime.timedelta(minutes=5))
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["api:192.0.2.2"]


def test_client_address_behind_a_proxy_ignores_what_the_client_wrote(rf, settings):
    settings.CONCERTO_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert ratelimit.client_address(request) == "198.51.100.7"


def test_client_address_without_a_proxy_is_the_connection_address(rf, settings):
    settings.CONCERTO_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert ratelimit.client_address(request) == "10.0.0.5"


def test_password_reset_refuses_a_client_beyond_its_limit_and_sends_nothing(
    client, db, settings, django_user_model
):
    settings.CONCERTO_PASSWORD_RESET_RATE_LIMIT = 2
    django_user_model.objects.create_user("marie", email="marie@example.org", password="x")
    url = reverse("password_reset")
    for _ in range(2):
        assert client.post(url, {"email": "marie@example.org"}).status_code == 302
    refused = client.post(url, {"email": "marie@example.org"})
    assert refused.status_code == 429
    assert "Trop de demandes" in refused.content.decode()
    assert len(mail.outbox) == 2


def test_password_reset_form_display_is_not_limited(client, db, settings):
    settings.CONCERTO_PASSWORD_RESET_RATE_LIMIT = 1
    url = reverse("password_reset")
    assert {client.get(url).status_code for _ in range(3)} == {200}


# ----------------------------------------------------------------- page cache


def test_plan_page_is_served_from_the_cache_after_reading_only_the_fingerprint(client, real_plan):
    url = reverse("plan-detail", kwargs={"slug": PLAN})
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert second.content == first.content
    assert len(queries) == 1
    assert "MAX(history_id)" in queries[0]["sql"]


def test_within_the_freshness_delay_a_kept_page_costs_no_query(client, real_plan, settings, monkeypatch):
    settings.CONCERTO_PAGE_FRESHNESS = 5
    clock = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(pagecache, "_fingerprints", {})
    url = reverse("plan-detail", kwargs={"slug": PLAN})
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) == 0
    clock[0] += 5
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) == 1  # the fingerprint, read again after the delay


def test_a_change_reaches_the_kept_page_after_the_freshness_delay(client, real_plan, settings, monkeypatch):
    settings.CONCERTO_PAGE_FRESHNESS = 5
    clock = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(pagecache, "_fingerprints", {})
    url = reverse("plan-detail", kwargs={"slug": PLAN})
    client.get(url)
    lead = real_plan.measures.get(number=13).leads.first()
    lead.name = "Ministère renommé pour l’essai"
    lead.save()
    clock[0] += 5
    assert "Ministère renommé pour l’essai" in client.get(url).content.decode()


def test_an_unknown_plan_is_404_and_not_kept(client, real_plan):
    assert client.get(reverse("plan-detail", kwargs={"slug": "inconnu"})).status_code == 404
    assert client.get(reverse("plan-detail", kwargs={"slug": "inconnu"})).status_code == 404


def test_home_page_kept_rendered_follows_a_newly_loaded_plan(client, db, organizations):
    assert "Plan d’action 2019-2024" not in client.get("/").content.decode()
    from django.core.management import call_command

    call_command("import_plan", "data/plans/pole-2019-2024.yaml", stdout=io.StringIO())
    assert "Plan d’action 2019-2024" in client.get("/").content.decode()


def test_a_validated_change_is_on_the_cached_plan_page_at_once(client, real_plan, django_user_model):
    url = reverse("plan-detail", kwargs={"slug": PLAN})
    assert "Texte corrigé de la mesure 13" not in client.get(url).content.decode()
    measure = real_plan.measures.get(number=13)
    record_progress(
        measure=measure,
        as_of=datetime.date(2023, 3, 31),
        data=ProgressInput(percent=95, status=Status.IN_PROGRESS, narrative="Texte corrigé de la mesure 13"),
        validated_by=django_user_model.objects.create_user("coordo"),
    )
    assert "Texte corrigé de la mesure 13" in client.get(url).content.decode()


def test_an_organization_renamed_is_on_the_cached_plan_page_at_once(client, real_plan):
    url = reverse("plan-detail", kwargs={"slug": PLAN})
    client.get(url)
    lead = real_plan.measures.get(number=13).leads.first()
    lead.name = "Ministère renommé pour l’essai"
    lead.save()
    assert "Ministère renommé pour l’essai" in client.get(url).content.decode()


def test_signed_in_staff_never_get_the_anonymous_cached_page(client, staff_client, real_plan):
    url = reverse("plan-detail", kwargs={"slug": PLAN})
    client.get(url)
    assert "Contrôles de cohérence" in staff_client.get(url).content.decode()


def test_each_filter_has_its_own_cached_page(client, real_plan):
    url = reverse("plan-detail", kwargs={"slug": PLAN})
    client.get(url)
    filtered = client.get(url, {"theme": "4"})
    assert filtered.context is not None  # rendered, not served from the cache
    assert len(filtered.context["state"].measures) == 6


def test_english_page_is_not_served_the_french_cached_page(client, real_plan):
    client.get(reverse("plan-detail", kwargs={"slug": PLAN}))
    english = client.get(f"/en/plans/{PLAN}/")
    assert '<html lang="en"' in english.content.decode()


def test_status_api_reflects_a_validated_change_at_once(client, real_plan, django_user_model):
    url = reverse("api-plan-status", kwargs={"slug": PLAN})
    client.get(url)
    measure = real_plan.measures.get(number=13)
    record_progress(
        measure=measure,
        as_of=datetime.date(2023, 3, 31),
        data=ProgressInput(percent=97, status=Status.IN_PROGRESS, narrative="Correction"),
        validated_by=django_user_model.objects.create_user("coordo"),
    )
    document = client.get(url).json()
    percents = {m["number"]: m["progress"]["percent"] for t in document["themes"] for m in t["measures"]}
    assert percents[13] == 97


def test_home_page_and_a_plan_named_home_are_kept_apart(client, db, organizations, settings):
    from .factories import PlanFactory

    PlanFactory(slug="home", title="Plan nommé home")
    PlanFactory(slug="autre", title="Autre plan")
    settings.CONCERTO_HOME_PLAN = "autre"
    assert "Autre plan" in client.get("/").content.decode()
    assert "Plan nommé home" in client.get(reverse("plan-detail", kwargs={"slug": "home"})).content.decode()


def test_made_up_filter_values_are_not_kept(client, real_plan):
    url = reverse("plan-detail", kwargs={"slug": PLAN})
    client.get(url, {"theme": "999"})
    with CaptureQueriesContext(connection) as queries:
        client.get(url, {"theme": "999"})
    assert len(queries) > 1  # rendered again, not served from the cache


def test_client_address_behind_a_proxy_refuses_a_forged_value(rf, settings):
    settings.CONCERTO_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="pas-une-adresse, 198.51.100.7")
    assert ratelimit.client_address(request) == "10.0.0.5"


def test_login_lockout_counts_the_client_address_the_proxy_saw(rf, settings):
    from axes.helpers import get_client_ip_address

    settings.CONCERTO_PROXY_COUNT = 1
    request = rf.post("/compte/connexion/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert get_client_ip_address(request) == "198.51.100.7"
