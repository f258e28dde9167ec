"""Scale-out: two app processes (gunicorn, production settings) on one PostgreSQL.

Both serve the same sessions and the same data, a draft saved through both
at once is stored once, and the scheduled command run from both nodes at once
sends each e-mail once. PostgreSQL only: SQLite is the single-machine
development database.
"""

import concurrent.futures
import datetime
import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from concerto.campaigns import services
from concerto.campaigns.models import Draft
from concerto.notifications.models import SentNotification

from .test_campaigns import AS_OF, MESS, OFFICE, PLAN, _form, _member
from .test_reminders import _build, _campaign_due_30_june_2030

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _passwords_the_nodes_can_check(settings):
    """The nodes run the production password hashers, not the tests' fast one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def _database_url() -> str:
    database = django_settings.DATABASES["default"]
    user = urllib.parse.quote(database["USER"] or "")
    password = urllib.parse.quote(database["PASSWORD"] or "")
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{database['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def node_environment(django_db_setup, tmp_path_factory):
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("scale-out runs on PostgreSQL (CI's second run); SQLite is single-machine")
    tmp_path = tmp_path_factory.mktemp("nodes")
    secret = tmp_path / "secret_key"
    secret.write_text(secrets.token_urlsafe(64))
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="concerto.settings",
        DATABASE_URL=_database_url(),
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        BEHIND_TLS_PROXY="false",
        STATIC_ROOT=str(tmp_path / "static"),
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        GUNICORN_WORKERS="2",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=300,
    )
    return environment


def _get(port, path, cookies=None):
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())}
    connection_.request("GET", path, headers=headers)
    response = connection_.getresponse()
    return response.status, response.read().decode(), response.getheaders()


def _post(port, path, fields, cookies):
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urllib.parse.urlencode(fields)
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    connection_.request("POST", path, body=body, headers=headers)
    response = connection_.getresponse()
    return response.status, response.read().decode(), response.getheaders()


def _set_cookies(headers) -> dict[str, str]:
    cookies = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";", 1)[0]
    return cookies


def _csrf(port, path, cookies):
    """The CSRF cookie and the form's token, from a GET of ``path``."""
    status, html, headers = _get(port, path, cookies)
    assert status == 200, html
    cookies.update(_set_cookies(headers))
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _login(port, username) -> dict[str, str]:
    """Sign in through a node's login form, as a browser would; return its cookies."""
    cookies = {}
    token = _csrf(port, "/compte/connexion/", cookies)
    fields = {"username": username, "password": "x", "csrfmiddlewaretoken": token}
    status, body, headers = _post(port, "/compte/connexion/", fields, cookies)
    assert status == 302, body
    cookies.update(_set_cookies(headers))
    assert "sessionid" in cookies
    return cookies


@pytest.fixture(scope="module")
def nodes(node_environment, tmp_path_factory):
    """Two gunicorn masters, as on two servers, with the production configuration."""
    logs = tmp_path_factory.mktemp("logs")
    ports = [_free_port(), _free_port()]
    processes, log_files = [], []
    for n, port in enumerate(ports):
        log_files.append(open(logs / f"node-{n}.log", "w"))  # noqa: SIM115 (closed below)
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "deploy/gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "concerto.wsgi",
                ],
                cwd=ROOT,
                env=node_environment,
                stdout=log_files[-1],
                stderr=subprocess.STDOUT,
            )
        )
    try:
        for port, process in zip(ports, processes, strict=True):
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, (logs / f"node-{ports.index(port)}.log").read_text()
                try:
                    if _get(port, "/sante/vivant")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "gunicorn did not start in 60 s"
                time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        for log_file in log_files:
            log_file.close()


def test_both_nodes_report_database_and_migrations_ok(nodes):
    for port in nodes:
        status, body, _ = _get(port, "/sante/")
        assert status == 200, body
        assert '"migrations": "ok"' in body


def test_both_nodes_serve_the_static_files_with_hashed_names_and_long_cache(nodes, real_plan):
    for port in nodes:
        status, html, _ = _get(port, "/")
        assert status == 200
        stylesheet = re.search(r'href="(/static/concerto/concerto\.[0-9a-f]{12}\.css)"', html).group(1)
        status, _, headers = _get(port, stylesheet)
        assert status == 200
        assert "immutable" in dict(headers)["Cache-Control"]


def test_a_session_opened_on_one_node_is_valid_on_the_other(nodes, real_plan, django_user_model):
    _member(django_user_model, "coordo", OFFICE, "coordinator")
    cookies = _login(nodes[0], "coordo")
    for port in reversed(nodes):
        status, html, _ = _get(port, f"/plans/{PLAN}/rapport/", cookies)
        assert status == 200
        assert "Rapport" in html


def test_one_draft_saved_through_both_nodes_at_once_is_stored_once(nodes, real_plan, django_user_model):
    coordinator = _member(django_user_model, "coordo", OFFICE, "coordinator")
    editor = _member(django_user_model, "mess", MESS, "editor")
    services.open_campaign(
        plan=real_plan,
        as_of=AS_OF,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        opened_by=coordinator,
    )
    draft = Draft.objects.get(campaign__plan=real_plan, measure__number=13)
    cookies = _login(nodes[0], editor.username)
    path = f"/plans/{PLAN}/campagnes/{AS_OF.isoformat()}/mesures/13/"
    token = _csrf(nodes[1], path, cookies)

    def save(port, text):
        fields = {**_form(draft, narrative=text), "csrfmiddlewaretoken": token}
        return _post(port, path + "enregistrer/", fields, cookies)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(save, nodes, ["Texte du nœud 1", "Texte du nœud 2"]))

    statuses = sorted(status for status, _, _ in results)
    assert statuses == [302, 409], results
    draft.refresh_from_db()
    assert draft.version == 2
    assert draft.narrative in ("Texte du nœud 1", "Texte du nœud 2")


def test_reminders_run_from_both_nodes_at_once_send_each_email_once(node_environment, django_user_model):
    data = _build(django_user_model)
    campaign = _campaign_due_30_june_2030(data)
    deadline = campaign.deadline
    connection.close()
    today = (deadline - datetime.timedelta(days=14)).isoformat()
    command = [sys.executable, "manage.py", "send_reminders", "--today", today]
    runs = [
        subprocess.Popen(
            command, cwd=ROOT, env=node_environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    sent = sum(stdout.count("Message-ID:") for stdout, _ in outputs)
    assert sent == 2  # the order's two editors in one e-mail, the ministry's editor in another
    assert SentNotification.objects.filter(key__startswith=f"campaign:{campaign.pk}:").count() == 2
