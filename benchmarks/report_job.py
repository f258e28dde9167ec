"""Is the site responsive while a worker renders a 300-measure report PDF?

Run by hand:  .venv/bin/python benchmarks/report_job.py [--seconds 10] [--database-url postgres://…]

1. Builds a throw-away SQLite database in a temporary folder (or migrates
   and empties the database of --database-url, whose name must contain
   "bench" or "jobs"), loads the real data and the generated plan of 300
   measures with 3 components each (benchmarks/report_generation.py).
2. Starts gunicorn (deploy/gunicorn.conf.py, --workers web processes, DEBUG
   off) and one background worker (``manage.py db_worker``), as on a node.
3. Measures, from one client at a time, the latency of the plan's report
   page (signed in as the Office's coordination) and of its plan page as
   the public sees it (anonymous: kept rendered while the data are
   unchanged), first with the worker idle, then while the worker renders
   the PDF asked for through the report page. --signed-in-plan adds the plan
   page signed in as staff (rendered for every request, with the
   consistency-checks panel: seconds for 300 measures, jobs or not).
4. Prints p50/p95/max per page and phase, how long asking took, how long the
   worker took, and how long downloading the ready document takes.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import report_generation  # noqa: E402  (the same data as the rendering benchmark)

PLAN = "plan-genere-300"
AS_OF = report_generation.AS_OF


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port: int, session: str = ""):
        self.port = port
        self.cookies = {"sessionid": session} if session else {}

    def request(self, method: str, path: str, body: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        connection.close()
        return response.status, response.headers, content, elapsed


def sign_in_session() -> str:
    """A session of the Office's coordination, written as the login view would."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    from concerto.accounts.models import Membership, Role
    from concerto.plans.models import Plan

    plan = Plan.objects.get(slug=PLAN)
    user = get_user_model().objects.create_user("banc-essai", password="banc-essai-2026!", is_staff=True)
    Membership.objects.create(user=user, organization=plan.owner, role=Role.COORDINATOR)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def wait_until_up(port: int) -> None:
    for _ in range(300):
        try:
            if Client(port).request("GET", "/sante/vivant")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("le serveur ne répond pas")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(pages: dict[str, tuple[Client, str]], until) -> dict[str, list[float]]:
    """Ask each page in turn until ``until()`` is true; latencies in ms."""
    latencies: dict[str, list[float]] = {name: [] for name in pages}
    while not until():
        for name, (client, path) in pages.items():
            status, _headers, _content, elapsed = client.request("GET", path)
            if status != 200:
                raise SystemExit(f"{name} : statut {status}")
            latencies[name].append(elapsed * 1000)
    return latencies


def show(phase: str, latencies: dict[str, list[float]]) -> None:
    for name, values in latencies.items():
        print(
            f"{phase:<18}{name:<28}{len(values):>6}{statistics.median(values):>9.0f}"
            f"{percentile(values, 95):>9.0f}{max(values):>9.0f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10, help="length of the idle phase")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn web processes")
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--signed-in-plan",
        action="store_true",
        help="also the plan page signed in as staff (its consistency-checks panel takes seconds)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        # One secret for this process (which writes the session) and the servers.
        secret = Path(folder) / "secret"
        secret.write_text("banc-d-essai-" + "x" * 50)
        os.environ["SECRET_KEY_FILE"] = str(secret)
        if args.database_url:
            name = urllib.parse.urlparse(args.database_url).path.lstrip("/")
            if "bench" not in name and "jobs" not in name:
                raise SystemExit("--database-url : une base dont le nom contient « bench » ou « jobs »")
            os.environ["DATABASE_URL"] = args.database_url
            os.environ.setdefault("DEBUG", "true")
            sys.path.insert(0, str(ROOT))
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            call_command("flush", interactive=False, verbosity=0)
            with open(os.devnull, "w") as quiet:
                call_command("import_organizations", str(ROOT / "data" / "organizations.yaml"), stdout=quiet)
                call_command(
                    "import_plan", str(ROOT / "data" / "plans" / "pole-2019-2024.yaml"), stdout=quiet
                )
            report_generation.generate_plan(300, 3)
        else:
            report_generation.build_database(Path(folder) / "bench.sqlite3", 300, 3)
        session = sign_in_session()
        from concerto.jobs.models import Job

        port = free_port()
        env = {  # as in production (see benchmarks/http_load.py), over plain HTTP on the loopback
            **{key: value for key, value in os.environ.items() if key != "DEBUG"},
            "DEBUG": "false",
            "SECRET_KEY_FILE": str(secret),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "BEHIND_TLS_PROXY": "false",
            "STATIC_ROOT": str(Path(folder) / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(args.workers),
            "GUNICORN_ACCESSLOG": "/dev/null",
            "PYTHONWARNINGS": "ignore",
        }
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
        )
        gunicorn = Path(python).with_name("gunicorn")
        log = open(Path(folder) / "processes.log", "w")  # noqa: SIM115  (closed in the finally below)
        server = subprocess.Popen(
            [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "concerto.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        worker = subprocess.Popen(
            [python, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            wait_until_up(port)
            signed_in, public = Client(port, session), Client(port)
            report_path, plan_path = f"/plans/{PLAN}/rapport/", f"/plans/{PLAN}/"
            pages = {"rapport (connecté)": (signed_in, report_path), "plan (public)": (public, plan_path)}
            if args.signed_in_plan:
                pages["plan (connecté)"] = (signed_in, plan_path)
            for _ in range(2 * args.workers):  # warm-up: every web process has rendered each page
                for client, path in pages.values():
                    client.request("GET", path)

            print(f"{'phase':<18}{'page':<28}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
            idle_until = time.monotonic() + args.seconds
            show("travailleur libre", measure(pages, lambda: time.monotonic() > idle_until))

            page = signed_in.request("GET", report_path)[2].decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            status, headers, _content, asked = signed_in.request(
                "POST",
                f"/plans/{PLAN}/rapport/preparer/",
                {"csrfmiddlewaretoken": token, "as_of": AS_OF, "format": "pdf"},
            )
            if status != 302 or not headers["Location"].endswith(report_path):
                raise SystemExit(f"demande du PDF : statut {status}, {headers.get('Location')}")
            asked_at = time.monotonic()

            def job_finished() -> bool:
                job = Job.objects.order_by("-pk").first()
                return job is not None and job.state in (Job.State.DONE, Job.State.FAILED)

            show("PDF en cours", measure(pages, job_finished))
            waited = time.monotonic() - asked_at
            job = Job.objects.order_by("-pk").first()
            if job.state != Job.State.DONE:
                raise SystemExit(f"le travail a échoué : {job.error}")
            status, headers, content, download = signed_in.request(
                "GET", f"/plans/{PLAN}/rapport/telecharger/?as_of={AS_OF}&format=pdf"
            )
            assert status == 200 and content.startswith(b"%PDF"), status
            print()
            print(f"demande du PDF (POST, réponse)        {asked * 1000:8.0f} ms")
            print(
                f"rendu par le travailleur              {(job.finished_at - job.started_at).total_seconds():8.1f} s"
            )
            print(f"de la demande au document prêt (vu)   {waited:8.1f} s")
            print(
                f"téléchargement du document prêt      {download * 1000:8.0f} ms ({len(content) / 1024:.0f} Kio)"
            )
        finally:
            for process in (worker, server):
                process.terminate()
            for process in (worker, server):
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            log.close()


if __name__ == "__main__":
    main()
