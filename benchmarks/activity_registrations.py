"""500 people register for a 100-seat session of a CIQ training within one minute.

Run by hand (PostgreSQL must be running, role with CREATEDB):

    .venv/bin/python benchmarks/activity_registrations.py
    .venv/bin/python benchmarks/activity_registrations.py --people 50 --seats 10 --spread 5   # quick smoke run
    .venv/bin/python benchmarks/activity_registrations.py --spread 0 --think-time 0   # all at the same instant

What it does:

1. (Re)creates the database named in --database-url (its name must contain
   "bench": it is dropped first), migrates, collects the static files,
   imports the organizations of data/organizations.yaml and builds through the
   ORM one CIQ training with one session of --seats seats (registration open),
   and --people people, each a reader of one of the 46 orders (round robin).
   Sessions are minted in the database (the password hasher is not measured).
2. Serves the app as in production: gunicorn with deploy/gunicorn.conf.py
   (DEBUG off, WhiteNoise, the configured sync workers; --workers overrides
   GUNICORN_WORKERS) on a free port of 127.0.0.1, plain HTTP on the loopback
   (the HTTPS redirect off by its setting, as campaign_load.py does).
3. One client per person; they arrive spread uniformly at random over
   --spread seconds. Each GETs the activity's page (its CSRF token and the
   "M'inscrire" form), pauses --think-time seconds (0.5 to 1.5 ×), then POSTs
   the one-click registration (302 = success). The confirmation or
   waiting-list e-mail is rendered and sent (to the locmem backend) within
   that request, with the session's .ics, as in production.
4. Checks in the database: exactly --seats registered, every other person
   waitlisted, one registration per person, positions 1..N without gaps, in
   the order in which the server accepted the requests (``created_at``,
   stamped under the session's row lock), the confirmed seats going to the
   first accepted; and one e-mail claimed per registration in the outbox.

Targets (2-core machine): zero errors, exactly 100 registered, the 400 others
waitlisted in arrival order, p95 < 300 ms. The machine may be shared: the
report prints the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import campaign_load as base  # noqa: E402  (the shared setup, server and client helpers)

DEFAULT_DATABASE_URL = "postgres://concerto:concerto@127.0.0.1:5432/concerto_activities_bench"
SLUG = "formation-de-charge"
P95_TARGET_MS = 300
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Scenario:
    session_id: int
    clients: list[tuple[str, str]]  # (username, session key)
    seats: int


def build_data(people: int, seats: int) -> Scenario:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from concerto.accounts.models import Membership, Role
    from concerto.activities.models import Activity, Session
    from concerto.ciq.models import CIQ_CODE
    from concerto.organizations.models import Organization

    with open(os.devnull, "w") as quiet:
        call_command("import_organizations", str(base.ROOT / "data" / "organizations.yaml"), stdout=quiet)
    ciq = Organization.objects.get(code=CIQ_CODE)
    orders = list(
        Organization.objects.filter(kind=Organization.Kind.PROFESSIONAL_ORDER).order_by("order_number")
    )
    starts = timezone.now() + datetime.timedelta(days=14)
    User = get_user_model()
    with transaction.atomic():
        activity = Activity.objects.create(
            owner=ciq,
            kind=Activity.Kind.TRAINING,
            title="Formation de charge",
            slug=SLUG,
            description="Une formation très demandée.",
            hours=3,
        )
        session = Session.objects.create(
            activity=activity,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=3),
            place="Montréal",
            capacity=seats,
            registration_deadline=starts - datetime.timedelta(days=2),
            cancellation_cutoff=starts - datetime.timedelta(days=2),
        )
        users = []
        for n in range(people):
            user = User.objects.create_user(f"personne-{n:04d}", f"personne-{n:04d}@example.org", None)
            Membership.objects.create(user=user, organization=orders[n % len(orders)], role=Role.READER)
            users.append(user)

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")

    def mint(user) -> str:
        stored = store()
        stored[SESSION_KEY] = str(user.pk)
        stored[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        stored[HASH_SESSION_KEY] = user.get_session_auth_hash()
        stored.create()
        return stored.session_key

    return Scenario(session_id=session.pk, clients=[(u.username, mint(u)) for u in users], seats=seats)


def start_gunicorn(env: dict[str, str], port: int, workers: int | None, log) -> subprocess.Popen:
    """gunicorn as deployed: deploy/gunicorn.conf.py, bound to the loopback port."""
    gunicorn = base.ROOT / ".venv" / "bin" / "gunicorn"
    command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    command += ["-c", str(base.ROOT / "deploy" / "gunicorn.conf.py"), "concerto.wsgi:application"]
    server_env = {
        **os.environ,
        **env,
        "GUNICORN_BIND": f"{base.HOST}:{port}",
        "GUNICORN_ACCESSLOG": "/dev/null",
    }
    if workers:
        server_env["GUNICORN_WORKERS"] = str(workers)
    return subprocess.Popen(command, cwd=base.ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT)


def run_client(port, scenario, session_key, start, result, think, delay, rng_seed):
    rng = random.Random(rng_seed)
    browser = base.Browser(port, session_key)
    page_path = f"/ciq/activites/{SLUG}/"
    post_path = f"/ciq/activites/seances/{scenario.session_id}/inscription/"

    def timed(kind, method, path, body=None, expect=200):
        started = time.perf_counter()
        try:
            status, text = browser.request(method, path, body)
        except Exception as exc:
            result.samples.append(base.Sample(kind, None, time.perf_counter() - started, repr(exc)))
            return None
        error = "" if status == expect else f"HTTP {status} (expected {expect}) {method} {path}"
        result.samples.append(base.Sample(kind, status, time.perf_counter() - started, error))
        return None if error else text

    start.wait()
    time.sleep(delay)
    page = timed("GET activity", "GET", page_path)
    if page is None:
        return
    token = TOKEN.search(page)
    if not token or post_path not in page:
        result.samples[-1].error = "no registration form on the page"
        return
    if think:
        time.sleep(think * rng.uniform(0.5, 1.5))
    body = urllib.parse.urlencode([("csrfmiddlewaretoken", token.group(1))])
    timed("POST register", "POST", post_path, body, expect=302)


def check_database(scenario: Scenario, people: int) -> list[str]:
    from django.db.models import Count

    from concerto.activities.models import Registration
    from concerto.notifications.models import SentNotification

    problems = []
    rows = list(
        Registration.objects.filter(session_id=scenario.session_id)
        .order_by("created_at", "pk")
        .values("user_id", "status", "position", "created_at")
    )
    if len(rows) != people:
        problems.append(f"{len(rows)} registrations stored for {people} people")
    duplicates = (
        Registration.objects.filter(session_id=scenario.session_id)
        .values("user_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    if duplicates:
        problems.append(f"{duplicates} people registered more than once")
    registered = [r for r in rows if r["status"] == "registered"]
    waiting = [r for r in rows if r["status"] == "waitlisted"]
    if len(registered) != scenario.seats:
        problems.append(f"{len(registered)} registered for {scenario.seats} seats")
    if len(waiting) != len(rows) - scenario.seats:
        problems.append(f"{len(waiting)} waitlisted, expected {len(rows) - scenario.seats}")
    positions = [r["position"] for r in waiting]
    if sorted(positions) != list(range(1, len(waiting) + 1)):
        problems.append("waiting-list positions are not 1..N without gaps")
    if positions != sorted(positions):
        problems.append("waiting-list positions do not follow the order in which requests were accepted")
    if (
        registered
        and waiting
        and max(r["created_at"] for r in registered) > min(r["created_at"] for r in waiting)
    ):
        problems.append("a confirmed seat went to a request accepted after a waitlisted one")
    kinds = dict(
        SentNotification.objects.filter(key__startswith="activities:registration:")
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    if kinds.get("activity_confirmed", 0) != len(registered) or kinds.get("activity_waitlisted", 0) != len(
        waiting
    ):
        problems.append(f"e-mails claimed in the outbox: {kinds}")
    return problems


def load_average() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which people arrive")
    parser.add_argument(
        "--think-time", type=float, default=1.0, help="seconds between the page and the click"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: the deployed setting)"
    )
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if "bench" not in urllib.parse.urlsplit(args.database_url).path:
        raise SystemExit("the database name must contain « bench » (it is dropped and recreated)")
    parts = base.check_loopback_url(args.database_url)
    base.create_database(parts)
    env = base.app_environment(
        args.database_url, secrets.token_urlsafe(50), Path("/tmp/activity_registrations_static")
    )
    base.GUNICORN_LOG = Path("/tmp/activity_registrations_gunicorn.log")
    try:
        run(args, env)
    finally:
        from django.db import connections

        connections.close_all()
        base.drop_database(parts)


def run(args, env) -> None:
    started = time.perf_counter()
    base.migrate(env)
    base.setup_django(env)
    scenario = build_data(args.people, args.seats)
    from django.db import connections

    connections.close_all()
    print(
        f"setup: {args.people} people, one session of {args.seats} seats, in {time.perf_counter() - started:.1f} s"
    )
    rng = random.Random(args.seed)
    arrivals = sorted(rng.uniform(0, args.spread) for _ in scenario.clients)
    port = base.free_port()
    results = [base.ClientResult() for _ in scenario.clients]
    before = load_average()
    with base.GUNICORN_LOG.open("w") as log:
        process = start_gunicorn(env, port, args.workers, log)
        try:
            base.wait_until_ready(process, port)
            warm = base.Browser(port, scenario.clients[0][1])
            for _ in range(8):
                warm.request("GET", f"/ciq/activites/{SLUG}/")
            start = threading.Event()
            threads = [
                threading.Thread(
                    target=run_client,
                    args=(port, scenario, key, start, result, args.think_time, delay, f"{args.seed}-{i}"),
                    daemon=True,
                )
                for i, ((_name, key), result, delay) in enumerate(
                    zip(scenario.clients, results, arrivals, strict=True)
                )
            ]
            for thread in threads:
                thread.start()
            load_started = time.perf_counter()
            start.set()
            for thread in threads:
                thread.join(timeout=600)
            duration = time.perf_counter() - load_started
        finally:
            base.stop_gunicorn(process)
    after = load_average()

    samples = [s for r in results for s in r.samples]
    errors = [s for s in samples if s.error]
    print(
        f"\nload: {args.people} people arriving over {args.spread:g} s, think time {args.think_time:g} s, "
        f"gunicorn deploy/gunicorn.conf.py ({args.workers or 'configured'} workers); "
        f"{len(samples)} requests in {duration:.1f} s"
    )
    print(f"  before: {before}\n  after:  {after}")
    print(f"\n  {'kind':<15}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    for kind in ("GET activity", "POST register"):
        print(base.latency_line(kind, [s for s in samples if s.kind == kind]))
    print(base.latency_line("all", samples))
    for sample in errors[:10]:
        print(f"  error: {sample.kind}: {sample.error}")
    problems = check_database(scenario, args.people)
    for problem in problems:
        print(f"  stored: {problem}")
    p95 = base.percentile(sorted(s.seconds * 1000 for s in samples), 95)
    post_p95 = base.percentile(sorted(s.seconds * 1000 for s in samples if s.kind == "POST register"), 95)
    print(base.verdict(not errors, f"errors: {len(errors)}"))
    print(
        base.verdict(
            not problems,
            f"exactly {args.seats} registered, {args.people - args.seats} waitlisted in acceptance order "
            "(positions 1..N without gaps), one e-mail each",
        )
    )
    print(
        base.verdict(
            p95 < P95_TARGET_MS,
            f"p95 {p95:.0f} ms, registration POST p95 {post_p95:.0f} ms (target < {P95_TARGET_MS} ms)",
        )
    )


if __name__ == "__main__":
    main()
