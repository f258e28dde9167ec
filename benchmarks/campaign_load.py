"""Load of the last hour before a campaign deadline: every partner submits at once.

Run by hand (PostgreSQL must be running, role with CREATEDB):

    .venv/bin/python benchmarks/campaign_load.py
    .venv/bin/python benchmarks/campaign_load.py --database-url postgres://concerto:concerto@127.0.0.1:5432/concerto_bench
    .venv/bin/python benchmarks/campaign_load.py --clients 5 --measures-per-org 2   # quick smoke run
    .venv/bin/python benchmarks/campaign_load.py --think-time 5   # people read between requests

What it does:

1. (Re)creates the database named in --database-url (its name must contain
   "bench": it is dropped first), runs ``manage.py migrate`` and builds, with
   the ORM, a plan of the Office with clients × measures-per-org measures
   (5 themes, one indicator with a numeric target each, a validated state at
   the previous date), the 46 professional orders of data/organizations.yaml
   each leading 10 measures, one editor per order and one coordinator, then
   opens a campaign (deadline tomorrow). Sessions are minted directly in the
   database, so the password hasher is not measured.
2. Serves the app as in production (DEBUG off, WhiteNoise serving the files
   of ``collectstatic``, run into a temporary folder) with gunicorn on
   127.0.0.1 (a free port); its output goes to /tmp/campaign_load_gunicorn.log.
   Plain HTTP on the loopback: the HTTPS redirect is turned off by its
   setting (SECURE_SSL_REDIRECT=false, BEHIND_TLS_PROXY=false), as
   deploy/serve-prod does; nothing else differs from production.
3. Starts one client thread per organization together; each, for each of its
   measures, GETs the draft page, reads the form (CSRF token, version…) and
   POSTs it changed, with "submit" (302 = success), then GETs the dashboard.
   Two phases, each on its own half of the drafts (--phases to run one):

   - closed loop: nobody pauses, each client sends its next request as soon
     as the previous one is answered. The worst case: with 46 clients and 4
     workers, a request mostly waits for a free worker, so its latency is
     about clients / throughput (Little's law), not the work it needs; the
     report prints that estimate beside the p95.
   - paced: each person pauses between requests (--think-time, 0.5 to 1.5
     times 2 s by default: reading the page, typing), as in the real last
     hour; latency then measures the work of a request and short queues.

   Bounded: a fixed number of requests and --timeout seconds per phase.
4. Prints requests/s, p50/p95/p99 latency (all and per kind), errors, and
   checks in the database that every draft was submitted exactly once
   (state "submitted", version 2, the content that was sent).

Targets (2-core machine): zero errors, paced p95 < 300 ms, every submission
stored once; the closed-loop p95 is reported and explained, not a target.
Only loopback addresses are used: the server binds 127.0.0.1, and the
database host must be local.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import logging
import math
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://concerto:concerto@127.0.0.1:5432/concerto_bench"
GUNICORN_LOG = Path("/tmp/campaign_load_gunicorn.log")
HOST = "127.0.0.1"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
PREVIOUS_AS_OF = datetime.date(2023, 3, 31)
CAMPAIGN_AS_OF = datetime.date(2024, 3, 31)
PLAN_SLUG = "plan-charge-campagne"
REQUEST_TIMEOUT = 30  # seconds, per request (as gunicorn's worker timeout)
P95_TARGET_MS = 300
LOREM = (
    "Les travaux se sont poursuivis avec les partenaires du Pôle afin de préciser les besoins "
    "de formation d’appoint et de stages ; un groupe de travail réunit les ordres concernés, "
    "les établissements d’enseignement et les ministères. "
)


# --------------------------------------------------------------------------- setup


def check_loopback_url(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit(f"--database-url must be a postgres:// URL, not {parts.scheme}://")
    host = parts.hostname or ""
    if host not in LOOPBACK_HOSTS and not host.startswith("/"):
        sys.exit(f"--database-url must point to a local server (loopback or socket), not {host!r}")
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"The database {name!r} is dropped and recreated: its name must contain 'bench'.")
    return parts


def maintenance_connection(parts: urllib.parse.SplitResult):
    import psycopg

    return psycopg.connect(
        host=parts.hostname or None,
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "") or None,
        password=urllib.parse.unquote(parts.password or "") or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    )


def drop_database(parts: urllib.parse.SplitResult) -> None:
    from psycopg import sql

    name = parts.path.lstrip("/")
    with maintenance_connection(parts) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def create_database(parts: urllib.parse.SplitResult) -> None:
    from psycopg import sql

    drop_database(parts)
    with maintenance_connection(parts) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parts.path.lstrip("/"))))


def app_environment(database_url: str, secret_key: str, static_root: Path) -> dict[str, str]:
    """The environment of both the setup and the server: the production settings,
    over plain HTTP on the loopback (the redirect to HTTPS off, by its setting)."""
    return {
        "DJANGO_SETTINGS_MODULE": "concerto.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "BEHIND_TLS_PROXY": "false",
        "STATIC_ROOT": str(static_root),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONWARNINGS": "ignore",
    }


def migrate(env: dict[str, str]) -> None:
    """The database schema, and the static files WhiteNoise serves (with their manifest)."""
    for command in (["migrate"], ["collectstatic", "--no-input"]):
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command, "--verbosity", "0"],
            check=True,
            cwd=ROOT,
            env={**os.environ, **env},
            timeout=600,
        )


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # One "e-mail sent" line per organization when the campaign opens: not wanted here.
    logging.getLogger("concerto.notifications.outbox").setLevel(logging.WARNING)


def expected_submission(number: int, code: str) -> dict:
    """What the client of ``code`` sends for measure ``number`` (checked afterwards)."""
    return {
        "percent": (number * 7) % 101,
        "narrative": f"Soumission de la dernière heure : mesure {number}, {code}.",
        "actual": str(number % 61 + 1),
    }


@dataclass
class Scenario:
    slug: str
    as_of: str
    campaign_id: int
    # per client: (organization code, session cookie, [measure numbers])
    clients: list[tuple[str, str, list[int]]]
    coordinator_session: str
    editors: dict[str, int]  # organization code -> user id


def build_data(clients: int, measures_per_org: int) -> Scenario:
    """Organizations, plan, users, sessions and the open campaign, through the ORM."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from concerto.accounts.models import Membership, Role
    from concerto.campaigns import services
    from concerto.core.deadlines import parse_deadline
    from concerto.organizations.models import Organization
    from concerto.plans.models import (
        Collaborator,
        ComponentProgress,
        Indicator,
        IndicatorProgress,
        Measure,
        MeasureLead,
        Plan,
        ProgressReport,
        Status,
        Theme,
    )

    with open(os.devnull, "w") as quiet:
        call_command("import_organizations", str(ROOT / "data" / "organizations.yaml"), stdout=quiet)
    office = Organization.objects.get(code="office-des-professions-du-quebec")
    orders = list(
        Organization.objects.filter(kind=Organization.Kind.PROFESSIONAL_ORDER).order_by(
            "order_number", "code"
        )
    )
    for n in range(len(orders), clients):  # more clients than the 46 orders: synthetic ones
        orders.append(
            Organization.objects.create(
                code=f"organisation-charge-{n + 1}",
                name=f"Organisation de charge {n + 1}",
                kind=Organization.Kind.OTHER,
            )
        )
    leads = orders[:clients]
    total = clients * measures_per_org
    deadline_text = "31 mars 2025"
    deadline = parse_deadline(deadline_text)

    with transaction.atomic():
        plan = Plan.objects.create(
            slug=PLAN_SLUG,
            title=f"Plan d’action de charge ({total} mesures)",
            start_year=2020,
            end_year=2025,
            declared_measure_count=total,
            owner=office,
        )
        themes = [
            Theme.objects.create(plan=plan, number=n + 1, title=f"Thème {n + 1}", objective="Objectif")
            for n in range(5)
        ]
        measures = Measure.objects.bulk_create(
            [
                Measure(
                    plan=plan,
                    theme=themes[(number - 1) * 5 // total],
                    number=number,
                    title=f"Mesure de charge n° {number} : {LOREM[:90]}",
                    follow_up=Measure.FollowUp.OFFICE,
                )
                for number in range(1, total + 1)
            ]
        )
        # Measure n is led by organization (n - 1) % clients: each leads measures_per_org.
        MeasureLead.objects.bulk_create(
            [MeasureLead(measure=m, organization=leads[(m.number - 1) % clients]) for m in measures]
        )
        Collaborator.objects.bulk_create(
            [Collaborator(measure=m, organization=leads[m.number % clients]) for m in measures]
            + [Collaborator(measure=m, text="ordres concernés", position=1) for m in measures]
        )
        indicators = Indicator.objects.bulk_create(
            [
                Indicator(
                    measure=m,
                    label="Octroyer 60 garanties de prêts par année",
                    target_text="60 garanties de prêts",
                    target_value=60,
                    target_unit="garanties de prêts",
                    deadline_text=deadline_text,
                    deadline_kind=deadline.kind,
                    deadline_latest=deadline.latest,
                )
                for m in measures
            ]
        )
        now = timezone.now()
        reports = ProgressReport.objects.bulk_create(
            [
                ProgressReport(
                    measure=m,
                    as_of=PREVIOUS_AS_OF,
                    percent=m.number % 90,
                    status=Status.IN_PROGRESS,
                    narrative=LOREM * 2 + "\n\n- premier livrable\n- deuxième livrable",
                    validated_at=now,
                ).render_narrative()  # as record_progress stores it
                for m in measures
            ]
        )
        IndicatorProgress.objects.bulk_create(
            [
                IndicatorProgress(report=r, indicator=i, actual=r.measure.number % 61)
                for r, i in zip(reports, indicators, strict=True)
            ]
        )
        ComponentProgress.objects.bulk_create(
            [
                ComponentProgress(
                    report=r,
                    label="Composante 1",
                    organization=leads[(r.measure.number - 1) % clients],
                    percent=50,
                    narrative=LOREM,
                ).render_narrative()
                for r in reports
            ]
        )

        User = get_user_model()
        coordinator = User.objects.create_user(
            "coordination", "coordination@example.org", None, first_name="Coordination"
        )
        Membership.objects.create(user=coordinator, organization=office, role=Role.COORDINATOR)
        editors = {}
        for organization in leads:
            user = User.objects.create_user(
                f"editeur-{organization.code}"[:150], f"editeur-{organization.code}@example.org", None
            )
            Membership.objects.create(user=user, organization=organization, role=Role.EDITOR)
            editors[organization.code] = user

    campaign = services.open_campaign(
        plan=plan,
        as_of=CAMPAIGN_AS_OF,
        deadline=timezone.localdate() + datetime.timedelta(days=1),
        opened_by=coordinator,
    )

    session_store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    backend = "django.contrib.auth.backends.ModelBackend"

    def mint_session(user) -> str:
        session = session_store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    by_org: dict[str, list[int]] = {o.code: [] for o in leads}
    for m in measures:
        by_org[leads[(m.number - 1) % clients].code].append(m.number)
    return Scenario(
        slug=plan.slug,
        as_of=CAMPAIGN_AS_OF.isoformat(),
        campaign_id=campaign.pk,
        clients=[(o.code, mint_session(editors[o.code]), by_org[o.code]) for o in leads],
        coordinator_session=mint_session(coordinator),
        editors={code: user.pk for code, user in editors.items()},
    )


# --------------------------------------------------------------------------- server


def cpu_seconds(master_pid: int) -> float:
    """User and system CPU of gunicorn's master, its live workers and the workers it reaped."""
    ticks = os.sysconf("SC_CLK_TCK")

    def stat(pid: int) -> list[str]:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()

    fields = stat(master_pid)
    # After the command name: utime, stime, cutime, cstime are fields 12 to 15 (0-based 11..14).
    total = sum(int(x) for x in fields[11:15])
    with open(f"/proc/{master_pid}/task/{master_pid}/children") as f:
        children = [int(pid) for pid in f.read().split()]
    for child in children:
        # A worker replaced meanwhile is counted in the master's cutime once reaped.
        with contextlib.suppress(FileNotFoundError):
            total += sum(int(x) for x in stat(child)[11:13])
    return total / ticks


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, log) -> subprocess.Popen:
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    command += [
        "concerto.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "1",
        "--timeout",
        "30",
        "--access-logfile",
        "/dev/null",
        # gunicorn 27 otherwise opens a control socket under ~/.gunicorn.
        "--no-control-socket",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )


def wait_until_ready(process: subprocess.Popen, port: int, limit: float = 180) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}; see {GUNICORN_LOG}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {limit:.0f} s; see {GUNICORN_LOG}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --------------------------------------------------------------------------- clients


class DraftForm(HTMLParser):
    """The fields of the draft edit form (class "draft-form"), as a browser would send them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and "draft-form" in a.get("class", "").split():
            self._in_form = True
            self.action = a.get("action")
        elif not self._in_form:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if not self._in_form:
            return
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected] or [
                value for value, _ in self._options[:1]
            ]
            if chosen:
                self.fields.append((self._select, chosen[0]))
            self._select = None


@dataclass
class Sample:
    kind: str
    status: int | None  # None: exception
    seconds: float
    error: str = ""


@dataclass
class ClientResult:
    samples: list[Sample] = field(default_factory=list)
    not_sent: int = 0  # time limit reached
    skipped: int = 0  # submissions not attempted because their page failed


class Browser:
    """One person's browser: cookies, one connection per request (gunicorn sync closes them)."""

    def __init__(self, port: int, session_key: str):
        self.port = port
        self.cookies = {"sessionid": session_key}

    def request(self, method: str, path: str, body: str | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{HOST}:{self.port}"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(
                method, path, body=body.encode() if body is not None else None, headers=headers
            )
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, content.decode("utf-8", "replace")


def run_client(
    port: int,
    scenario: Scenario,
    code: str,
    session_key: str,
    numbers: list[int],
    start: threading.Event,
    stop_at: float,
    result: ClientResult,
    think: float = 0.0,
) -> None:
    browser = Browser(port, session_key)
    base = f"/plans/{scenario.slug}/campagnes/{scenario.as_of}"
    rng = random.Random(code)  # reproducible pauses, different for each client
    first = True

    def may_send() -> bool:
        """After a person's pause (0.5 to 1.5 × think, not before the first request): time left?"""
        nonlocal first
        if think and not first:
            time.sleep(max(0.0, min(think * rng.uniform(0.5, 1.5), stop_at - time.monotonic())))
        first = False
        return time.monotonic() <= stop_at

    def timed(kind: str, method: str, path: str, body: str | None = None, expect: int = 200):
        started = time.perf_counter()
        try:
            status, text = browser.request(method, path, body)
        except Exception as exc:  # every failure is a sample
            result.samples.append(Sample(kind, None, time.perf_counter() - started, repr(exc)))
            return None
        elapsed = time.perf_counter() - started
        error = "" if status == expect else f"HTTP {status} (expected {expect}) {method} {path}"
        result.samples.append(Sample(kind, status, elapsed, error))
        return None if error else text

    start.wait()
    for number in numbers:
        if not may_send():
            result.not_sent += 2
            continue
        page = timed("GET draft", "GET", f"{base}/mesures/{number}/")
        form = DraftForm()
        form.feed(page or "")
        if page is not None and not (form.action and form.fields):
            result.samples[-1].error = f"no edit form on {base}/mesures/{number}/"
        if result.samples[-1].error:
            result.skipped += 1  # no form, no submission
            continue
        wanted = expected_submission(number, code)
        fields = []
        for name, value in form.fields:
            if name == "percent":
                value = str(wanted["percent"])
            elif name == "narrative":
                value = wanted["narrative"]
            elif name.startswith("values-") and name.endswith("-actual"):
                value = wanted["actual"]
            fields.append((name, value))
        fields.append(("submit", ""))
        if not may_send():
            result.not_sent += 1
            continue
        timed("POST submit", "POST", form.action, urllib.parse.urlencode(fields), expect=302)
    if may_send():
        timed("GET dashboard", "GET", f"{base}/")
    else:
        result.not_sent += 1


def warm_up(port: int, scenario: Scenario, count: int) -> None:
    """Read-only requests as the coordinator, so that every worker has loaded Django."""
    browser = Browser(port, scenario.coordinator_session)
    base = f"/plans/{scenario.slug}/campagnes/{scenario.as_of}"
    numbers = [n for _, _, ns in scenario.clients for n in ns]
    for i in range(count):
        path = f"{base}/" if i % 4 == 0 else f"{base}/mesures/{numbers[i % len(numbers)]}/"
        browser.request("GET", path)


# --------------------------------------------------------------------------- report


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(q / 100 * len(sorted_values)) - 1)]


def latency_line(label: str, samples: list[Sample]) -> str:
    ms = sorted(s.seconds * 1000 for s in samples)
    return (
        f"  {label:<15}{len(ms):>7}{percentile(ms, 50):>9.0f}{percentile(ms, 95):>9.0f}"
        f"{percentile(ms, 99):>9.0f}{(ms[-1] if ms else float('nan')):>9.0f}"
        f"{sum(1 for s in samples if s.error):>8}"
    )


def check_database(scenario: Scenario) -> tuple[int, list[str]]:
    """(drafts stored exactly as submitted once, problems); no problem when all were."""
    from concerto.campaigns.models import Draft

    problems = []
    good = 0
    drafts = {
        d.measure.number: d
        for d in Draft.objects.filter(campaign_id=scenario.campaign_id).select_related("measure")
    }
    expected_numbers = {n for _, _, numbers in scenario.clients for n in numbers}
    if len(drafts) != len(expected_numbers):
        problems.append(f"{len(drafts)} drafts in the campaign, {len(expected_numbers)} expected")
    for code, _, numbers in scenario.clients:
        for number in numbers:
            draft = drafts.get(number)
            if draft is None:
                problems.append(f"measure {number}: no draft")
                continue
            wanted = expected_submission(number, code)
            actual = [v.get("actual") for v in draft.values]
            issues = []
            if draft.state != Draft.State.SUBMITTED:
                issues.append(f"state {draft.state}")
            if draft.version != 2:
                issues.append(f"version {draft.version} (2 = saved exactly once)")
            if draft.percent != wanted["percent"] or draft.narrative != wanted["narrative"]:
                issues.append("content differs from what was sent")
            if actual != [wanted["actual"]]:
                issues.append(f"indicator values {actual}")
            if draft.updated_by_id != scenario.editors[code] or draft.submitted_at is None:
                issues.append("not submitted by the organization's editor")
            if issues:
                problems.append(f"measure {number} ({code}): " + ", ".join(issues))
            else:
                good += 1
    return good, problems


def verdict(ok: bool, text: str) -> str:
    return f"{'PASS' if ok else 'FAIL'}  {text}"


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="dropped and recreated")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--clients", type=int, default=46, help="organizations submitting at once")
    parser.add_argument("--measures-per-org", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=300, help="limit of each load phase, in seconds")
    parser.add_argument(
        "--phases",
        choices=["both", "closed", "paced"],
        default="both",
        help="closed loop (no pause), paced (people pause), or both one after the other (default)",
    )
    parser.add_argument(
        "--think-time",
        type=float,
        default=2.0,
        help="paced phase: mean pause of a person between two requests, in seconds (default 2)",
    )
    parser.add_argument("--warmup", type=int, default=16, help="read-only requests before measuring")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.measures_per_org <= 50 or not 1 <= args.workers <= 16:
        sys.exit("--clients 1-200, --measures-per-org 1-50 and --workers 1-16, please.")

    parts = check_loopback_url(args.database_url)
    static_root = Path(tempfile.mkdtemp(prefix="concerto-campaign-load-static-"))
    env = app_environment(args.database_url, secrets.token_urlsafe(50), static_root)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    create_database(parts)
    try:
        run(args, env)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep_db:
            print(f"database kept: {args.database_url}")
        else:
            drop_database(parts)


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    started = time.perf_counter()
    migrate(env)
    setup_django(env)
    phases = ["closed", "paced"] if args.phases == "both" else [args.phases]
    scenario = build_data(args.clients, args.measures_per_org * len(phases))
    from django.db import connections

    connections.close_all()
    total_measures = sum(len(numbers) for _, _, numbers in scenario.clients)
    print(
        f"setup: {len(scenario.clients)} organizations × {args.measures_per_org} measures × "
        f"{len(phases)} phase(s) = {total_measures} drafts, in {time.perf_counter() - started:.1f} s"
    )

    port = free_port()
    outcomes = []
    with GUNICORN_LOG.open("w") as log:
        process = start_gunicorn(env, port, args.workers, log)
        try:
            wait_until_ready(process, port)
            warm_up(port, scenario, args.warmup)
            for index, phase in enumerate(phases):
                think = 0.0 if phase == "closed" else args.think_time
                # Each phase submits its own slice of every organization's drafts.
                clients = [
                    (
                        code,
                        session,
                        numbers[index * args.measures_per_org : (index + 1) * args.measures_per_org],
                    )
                    for code, session, numbers in scenario.clients
                ]
                outcomes.append(run_phase(args, port, scenario, clients, phase, think, process.pid))
        finally:
            stop_gunicorn(process)

    log_text = GUNICORN_LOG.read_text(errors="replace")
    tracebacks = log_text.count("Traceback")
    print(f"\ngunicorn log: {GUNICORN_LOG} ({tracebacks} tracebacks)")
    good, problems = check_database(scenario)
    for problem in problems[:10]:
        print(f"  database: {problem}")
    if len(problems) > 10:
        print(f"  … and {len(problems) - 10} more")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    for phase, errors, p95 in outcomes:
        print(verdict(errors == 0, f"{phase}: zero errors ({errors})"))
        if phase == "paced":
            print(
                verdict(
                    p95 < P95_TARGET_MS, f"paced: p95 < {P95_TARGET_MS} ms (p95 = {p95:.0f} ms, all requests)"
                )
            )
        else:
            print(
                f"INFO  closed loop: p95 = {p95:.0f} ms (no target: mostly waiting for a free worker, see above)"
            )
    print(
        verdict(
            not problems,
            f"every submission stored exactly once ({good} of {total_measures} drafts "
            "submitted, version 2, content as sent)",
        )
    )


def run_phase(
    args, port: int, scenario: Scenario, clients, phase: str, think: float, server_pid: int
) -> tuple[str, int, float]:
    """One load phase: every client together; prints its figures; returns (phase, errors, p95 ms)."""
    results = [ClientResult() for _ in clients]
    start = threading.Event()
    stop_at = time.monotonic() + args.timeout
    threads = [
        threading.Thread(
            target=run_client,
            args=(port, scenario, code, session, numbers, start, stop_at, result, think),
            daemon=True,
        )
        for (code, session, numbers), result in zip(clients, results, strict=True)
    ]
    for thread in threads:
        thread.start()
    load_started = time.perf_counter()
    cpu_before = cpu_seconds(server_pid)
    start.set()
    for thread in threads:
        thread.join(timeout=max(0.0, stop_at - time.monotonic()) + REQUEST_TIMEOUT + 5)
    duration = time.perf_counter() - load_started
    cpu = cpu_seconds(server_pid) - cpu_before
    stuck = sum(thread.is_alive() for thread in threads)

    samples = [s for r in results for s in r.samples]
    not_sent = sum(r.not_sent for r in results)
    skipped = sum(r.skipped for r in results)
    errors = [s for s in samples if s.error]
    all_ms = sorted(s.seconds * 1000 for s in samples)
    p95 = percentile(all_ms, 95)
    rate = len(samples) / duration if duration else 0.0
    title = "closed loop (no pause)" if phase == "closed" else f"paced (think time {think:g} s)"
    print(
        f"\n{title}: {len(clients)} clients, gunicorn {args.workers} workers × 1 thread "
        f"on {HOST}:{port}, after {args.warmup} warm-up requests"
    )
    print(f"requests: {len(samples)} in {duration:.1f} s = {rate:.1f} requests/s")
    print(f"submissions: {sum(1 for s in samples if s.kind == 'POST submit' and not s.error)}")
    if samples and duration:
        # The app's own work, whatever else the machine runs: if the CPU it needed is a small
        # share of the machine, long latencies come from others' load, not from the pages.
        print(
            f"app CPU: {cpu * 1000 / len(samples):.1f} ms per request, {cpu / duration:.2f} of "
            f"{os.cpu_count()} CPUs over the phase; load average {os.getloadavg()[0]:.2f}"
        )
    print(f"\n  {'kind':<15}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    for kind in ("GET draft", "POST submit", "GET dashboard"):
        print(latency_line(kind, [s for s in samples if s.kind == kind]))
    print(latency_line("all", samples))
    if phase == "closed" and rate:
        # Little's law: N clients always in the system -> mean time in it = N / throughput.
        busy = sum(s.seconds for s in samples) / len(samples) * 1000
        print(
            f"  explained: {len(clients)} clients never pause, {args.workers} workers serve them, so a "
            f"request waits its turn: clients / throughput = {len(clients) / rate * 1000:.0f} ms expected "
            f"mean latency (measured {busy:.0f} ms); the work itself is the paced phase's figure"
        )
    if not_sent or stuck or skipped:
        print(
            f"\nnot sent (time limit of {args.timeout:.0f} s): {not_sent}; clients still running: {stuck}; "
            f"submissions skipped after a failed page: {skipped}"
        )
    for sample in errors[:10]:
        print(f"  error: {sample.kind}: {sample.error}")
    if len(errors) > 10:
        print(f"  … and {len(errors) - 10} more errors")
    return phase, len(errors) + not_sent + skipped + stuck, p95


if __name__ == "__main__":
    main()
