"""Links printed and e-mailed follow the address actually served: `make run
HOST=… PORT=…` passes them to the settings, which build CONCERTO_BASE_URL."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from concerto.core.env import served_base_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("localhost", 8101, "http://localhost:8101"),
        ("0.0.0.0", 8101, "http://127.0.0.1:8101"),
        ("::", 8000, "http://[::1]:8000"),
        ("::1", 8000, "http://[::1]:8000"),
    ],
)
def test_served_base_url_is_what_a_browser_on_this_machine_opens(host, port, url):
    assert served_base_url(host, port) == url


def test_served_base_url_refuses_a_port_out_of_range():
    with pytest.raises(ImproperlyConfigured):
        served_base_url("127.0.0.1", 70000)


def test_make_run_passes_its_host_and_port_to_the_settings():
    # PY is replaced by printenv: each command of the recipe prints what it would see.
    result = subprocess.run(
        [
            "make",
            "-s",
            "-o",
            "load",
            "run",
            "HOST=0.0.0.0",
            "PORT=8101",
            "PY=printenv CONCERTO_SERVE_HOST CONCERTO_SERVE_PORT #",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("CONCERTO_")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0.0.0.0", "8101"] * 3


def _base_url_in_a_fresh_process(**environment) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCERTO_")} | environment
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.CONCERTO_BASE_URL)"],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "concerto.settings", "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_base_url_defaults_to_the_served_host_and_port():
    assert _base_url_in_a_fresh_process(CONCERTO_SERVE_HOST="0.0.0.0", CONCERTO_SERVE_PORT="8101") == (
        "http://127.0.0.1:8101"
    )
    assert _base_url_in_a_fresh_process() == "http://127.0.0.1:8000"


def test_an_explicit_base_url_wins_over_the_served_address():
    assert (
        _base_url_in_a_fresh_process(
            CONCERTO_BASE_URL="https://concerto.example.org", CONCERTO_SERVE_PORT="8101"
        )
        == "https://concerto.example.org"
    )


def test_demo_coordinator_command_prints_the_login_link_on_the_served_address(db, settings):
    settings.CONCERTO_BASE_URL = "http://127.0.0.1:8101"
    out = io.StringIO()
    call_command("ensure_demo_coordinator", stdout=out)
    assert "connexion : http://127.0.0.1:8101/compte/connexion/" in out.getvalue()


def test_emailed_links_use_the_served_address(db, settings):
    from concerto.notifications.outbox import absolute_url

    settings.CONCERTO_BASE_URL = "http://localhost:8101"
    assert absolute_url("/mes-taches/") == "http://localhost:8101/mes-taches/"
