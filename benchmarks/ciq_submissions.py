"""The last hour before a CIQ consultation's deadline: the 46 orders answer, 150 article comments each.

Run by hand (PostgreSQL must be running, role with CREATEDB):

    .venv/bin/python benchmarks/ciq_submissions.py
    .venv/bin/python benchmarks/ciq_submissions.py --think-time 0      # closed loop, nobody pauses
    .venv/bin/python benchmarks/ciq_submissions.py --articles 10 --synthesis-renders 3   # quick smoke run

What it does:

1. (Re)creates the database named in --database-url (its name must contain
   "bench": it is dropped first), migrates, imports the organizations of
   data/organizations.yaml, and builds through the ORM one CIQ file with an
   open consultation of the 46 orders (deadline today) on a draft of
   --articles articles, one respondent per order and one CIQ coordinator.
   Sessions are minted in the database (the password hasher is not measured).
2. Serves the app with gunicorn on 127.0.0.1 (DEBUG off), as
   ``campaign_load.py`` does (its helpers are reused).
3. One client per order, all started together; each GETs its answer page,
   POSTs a draft with every article commented, GETs the page again (the new
   version), then POSTs it with "submit". Paced by default: the orders
   arrive spread over --spread seconds (their last hour squeezed into one
   minute), with a person's pause of --think-time seconds (0.5 to 1.5 ×)
   between requests; --spread 0 --think-time 0 is the closed-loop worst case
   (all 46 at the same instant, nobody pausing).
4. Checks in the database that every order's answer is stored exactly once:
   one answer, submitted, one kept version, every article comment.
5. Renders the synthesis page (46 answers × articles comments) as the CIQ's
   coordinator --synthesis-renders times, uncached, and prints its timings.

Targets (2-core machine): zero errors, every answer stored once, paced p95 <
300 ms; synthesis < 500 ms.
"""

from __future__ import annotations

import argparse
import datetime
import re
import secrets
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import campaign_load as base  # noqa: E402  (the shared setup, server and client helpers)

DEFAULT_DATABASE_URL = "postgres://concerto:concerto@127.0.0.1:5432/concerto_ciq_bench"
REFERENCE = "CIQ-BENCH-001"
P95_TARGET_MS = 300
SYNTHESIS_TARGET_MS = 500
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
ARTICLE = re.compile(r'name="(article-\d+)"')


@dataclass
class Scenario:
    consultation_id: int
    clients: list[tuple[str, str]]  # (order code, session key)
    coordinator_session: str
    articles: int


def build_data(articles: int) -> Scenario:
    import os

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from concerto.accounts.models import Membership, Role
    from concerto.ciq.models import CIQ_CODE, Article, Consultation, Dossier
    from concerto.organizations.models import Organization

    with open(os.devnull, "w") as quiet:
        call_command("import_organizations", str(base.ROOT / "data" / "organizations.yaml"), stdout=quiet)
    ciq = Organization.objects.get(code=CIQ_CODE)
    orders = list(
        Organization.objects.filter(kind=Organization.Kind.PROFESSIONAL_ORDER).order_by("order_number")
    )
    User = get_user_model()
    with transaction.atomic():
        dossier = Dossier.objects.create(
            reference=REFERENCE,
            title="Projet de règlement de charge",
            subject="bill_or_regulation",
            owner=ciq,
            authority="office",
            deadline_basis="typed",
            authority_deadline=timezone.localdate() + datetime.timedelta(days=30),
            authority_deadline_source="Charge",
        )
        consultation = Consultation.objects.create(
            dossier=dossier,
            title="Consultation de charge",
            internal_deadline=timezone.localdate(),
            state="open",
            opened_at=timezone.now(),
        )
        consultation.audience.set(orders)
        Article.objects.bulk_create(
            Article(consultation=consultation, position=n, heading=f"Article {n}", text=base.LOREM)
            for n in range(1, articles + 1)
        )
        coordinator = User.objects.create_user("coordination-ciq", "ciq@example.org", None)
        Membership.objects.create(user=coordinator, organization=ciq, role=Role.COORDINATOR)
        respondents = {}
        for order in orders:
            user = User.objects.create_user(
                f"repondant-{order.code}"[:150], f"r-{order.pk}@example.org", None
            )
            Membership.objects.create(user=user, organization=order, role=Role.RESPONDENT)
            respondents[order.code] = user

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")

    def mint(user) -> str:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    return Scenario(
        consultation_id=consultation.pk,
        clients=[(code, mint(user)) for code, user in respondents.items()],
        coordinator_session=mint(coordinator),
        articles=articles,
    )


def comment(code: str, field: str, round_: str) -> str:
    return f"{round_} — {code} sur {field} : " + base.LOREM[:200]


def run_client(port, scenario, code, session, start, result, think, delay=0.0):
    import random

    rng = random.Random(code)
    browser = base.Browser(port, session)
    path = f"/ciq/consultations/{scenario.consultation_id}/reponse/"
    first = True

    def pause():
        nonlocal first
        if think and not first:
            time.sleep(think * rng.uniform(0.5, 1.5))
        first = False

    def timed(kind, method, body=None, expect=200):
        started = time.perf_counter()
        try:
            status, text = browser.request(method, path, body)
        except Exception as exc:
            result.samples.append(base.Sample(kind, None, time.perf_counter() - started, repr(exc)))
            return None
        error = "" if status == expect else f"HTTP {status} (expected {expect}) {method} {path}"
        result.samples.append(base.Sample(kind, status, time.perf_counter() - started, error))
        return None if error else text

    def post(page, kind, round_, submit):
        token, version = TOKEN.search(page), VERSION.search(page)
        fields = ARTICLE.findall(page)
        if not (token and version and len(fields) == scenario.articles):
            result.samples[-1].error = f"no answer form for {code}"
            return False
        body = [
            ("csrfmiddlewaretoken", token.group(1)),
            ("version", version.group(1)),
            ("position", "with_reservations"),
            ("comments", f"{round_} — commentaires généraux de {code}."),
        ]
        body += [(field, comment(code, field, round_)) for field in fields]
        body.append(("submit" if submit else "save", "1"))
        pause()
        return timed(kind, "POST", urllib.parse.urlencode(body), expect=302) is not None

    start.wait()
    time.sleep(delay)
    pause()
    page = timed("GET answer", "GET")
    if page is None or not post(page, "POST draft", "Brouillon", submit=False):
        return
    pause()
    page = timed("GET answer", "GET")
    if page is not None:
        post(page, "POST submit", "Réponse", submit=True)


def check_database(scenario: Scenario) -> list[str]:
    from concerto.ciq.models import Answer, AnswerVersion, ArticleComment

    problems = []
    answers = list(
        Answer.objects.filter(consultation_id=scenario.consultation_id).select_related("organization")
    )
    if len(answers) != len(scenario.clients):
        problems.append(f"{len(answers)} answers stored for {len(scenario.clients)} orders")
    for answer in answers:
        code = answer.organization.code
        versions = list(AnswerVersion.objects.filter(answer=answer))
        comments = ArticleComment.objects.filter(answer=answer).count()
        if answer.state != "submitted" or len(versions) != 1 or comments != scenario.articles:
            problems.append(f"{code}: state {answer.state}, {len(versions)} version(s), {comments} comments")
        elif len(versions[0].article_comments) != scenario.articles or not all(
            c["text"].startswith("Réponse — ") for c in versions[0].article_comments
        ):
            problems.append(f"{code}: the kept version is not what was submitted")
    return problems


def render_synthesis(port: int, scenario: Scenario, count: int) -> list[float]:
    browser = base.Browser(port, scenario.coordinator_session)
    path = f"/ciq/consultations/{scenario.consultation_id}/"
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        status, text = browser.request("GET", path)
        timings.append(time.perf_counter() - started)
        if status != 200 or "Réponses transmises : 46 sur 46" not in text:
            raise RuntimeError(f"synthesis page: HTTP {status}, or not every answer shown")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--think-time", type=float, default=2.0, help="seconds a person pauses between requests"
    )
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which the orders arrive")
    parser.add_argument("--synthesis-renders", type=int, default=10)
    args = parser.parse_args()
    parts = base.check_loopback_url(args.database_url)
    base.create_database(parts)
    # Plain HTTP on the loopback and collected static files: the shared helper sets both.
    env = base.app_environment(
        args.database_url, secrets.token_urlsafe(50), Path("/tmp/ciq_submissions_static")
    )
    base.GUNICORN_LOG = Path("/tmp/ciq_submissions_gunicorn.log")
    try:
        run(args, env)
    finally:
        from django.db import connections

        connections.close_all()
        base.drop_database(parts)


def run(args, env) -> None:
    started = time.perf_counter()
    base.migrate(env)
    import os
    import subprocess

    subprocess.run(
        [sys.executable, str(base.ROOT / "manage.py"), "collectstatic", "--no-input", "-v0"],
        check=True,
        cwd=base.ROOT,
        env={**os.environ, **env},
        timeout=600,
    )
    base.setup_django(env)
    scenario = build_data(args.articles)
    from django.db import connections

    connections.close_all()
    print(f"setup: 46 orders × {args.articles} articles, in {time.perf_counter() - started:.1f} s")
    port = base.free_port()
    results = [base.ClientResult() for _ in scenario.clients]
    with base.GUNICORN_LOG.open("w") as log:
        process = base.start_gunicorn(env, port, args.workers, log)
        try:
            base.wait_until_ready(process, port)
            render_synthesis_warm = base.Browser(port, scenario.coordinator_session)
            for _ in range(args.workers * 2):
                render_synthesis_warm.request("GET", f"/ciq/consultations/{scenario.consultation_id}/")
            start = threading.Event()
            threads = [
                threading.Thread(
                    target=run_client,
                    args=(
                        port,
                        scenario,
                        code,
                        session,
                        start,
                        result,
                        args.think_time,
                        i * args.spread / 46,
                    ),
                    daemon=True,
                )
                for i, ((code, session), result) in enumerate(zip(scenario.clients, results, strict=True))
            ]
            for thread in threads:
                thread.start()
            load_started = time.perf_counter()
            start.set()
            for thread in threads:
                thread.join(timeout=600)
            duration = time.perf_counter() - load_started
            synthesis = render_synthesis(port, scenario, args.synthesis_renders)
        finally:
            base.stop_gunicorn(process)

    samples = [s for r in results for s in r.samples]
    errors = [s for s in samples if s.error]
    print(
        f"\nload: 46 clients arriving over {args.spread:g} s, gunicorn {args.workers} workers × 1 thread, "
        f"think time {args.think_time:g} s; "
        f"{len(samples)} requests in {duration:.1f} s"
    )
    print(f"\n  {'kind':<15}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    for kind in ("GET answer", "POST draft", "POST submit"):
        print(base.latency_line(kind, [s for s in samples if s.kind == kind]))
    print(base.latency_line("all", samples))
    for sample in errors[:10]:
        print(f"  error: {sample.kind}: {sample.error}")
    problems = check_database(scenario)
    for problem in problems[:10]:
        print(f"  stored: {problem}")
    ms = sorted(t * 1000 for t in synthesis)
    p95 = base.percentile(sorted(s.seconds * 1000 for s in samples), 95)
    print(
        f"\nsynthesis page (46 answers × {args.articles} comments, uncached, through gunicorn): "
        f"{len(ms)} renders, p50 {base.percentile(ms, 50):.0f} ms, max {ms[-1]:.0f} ms"
    )
    print(base.verdict(not errors, f"errors: {len(errors)}"))
    print(base.verdict(not problems, f"every answer stored exactly once: {46 - len(problems)}/46"))
    print(base.verdict(p95 < P95_TARGET_MS, f"p95 {p95:.0f} ms (target < {P95_TARGET_MS} ms)"))
    print(
        base.verdict(
            base.percentile(ms, 50) < SYNTHESIS_TARGET_MS,
            f"synthesis p50 {base.percentile(ms, 50):.0f} ms (target < {SYNTHESIS_TARGET_MS} ms)",
        )
    )


if __name__ == "__main__":
    main()
