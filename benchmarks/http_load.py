"""HTTP load on the public pages, served by the production setup on PostgreSQL.

Run by hand (PostgreSQL running with a role that may create databases, and
ApacheBench from Debian: ``apt-get install -y apache2-utils``):

    .venv/bin/python benchmarks/http_load.py
    .venv/bin/python benchmarks/http_load.py --duration 5 --concurrency 1 8   # quicker

What it does:

1. (Re)creates the database named in --database-url (its name must contain
   "bench": it is dropped first), migrates it and loads the real data of
   data/ (the 46 orders and other bodies, the 2019-2024 plan, the cell's
   cases) and a generated plan of 300 measures (3 components each, as in
   benchmarks/report_generation.py).
2. Serves Concerto as in production: ``collectstatic``, then gunicorn with
   deploy/gunicorn.conf.py (DEBUG off, WhiteNoise, access log on), on a free
   port of 127.0.0.1. Only the HTTPS redirect is off (plain HTTP on the
   loopback), and the API's rate limit is raised out of the way (its counter
   is still written on every request).
3. For each URL and each concurrency, a warm-up (at least 8 clients, so
   that every worker has rendered the page once), then ApacheBench (``ab``)
   for --duration seconds: requests per second, p50/p95/p99 latency, errors
   (failed and non-2xx responses). ``ab`` times each request on its own
   connection, as gunicorn's sync workers close every connection. Against
   this server wrk's latency figures contradicted its own counts (a mean of
   235 ms at 1 client while completing 148 requests/s), so it is not used. The
   trivial view is /sante/vivant: a constant response through the same
   stack (middleware included), the ceiling of the setup.

   It also reads the CPU time the app's processes (gunicorn's master and
   workers, including workers it replaced) spent during the run: "CPU ms/req",
   the figure to compare on a machine others load, as it counts only this
   server's work (PostgreSQL's own CPU is not in it).

The plan pages are kept rendered for anonymous visitors (the page cache,
concerto.core.pagecache): their figures are those of a kept page. The
measure pages are not kept: every request renders them.

Targets (2-core machine): plan page of the 300-measure plan p95 < 150 ms at
8 clients; the real plan page at least a third of the trivial view's
requests per second; at 1 client, a measure page at least 4 times its
throughput before it was made fast (real plan 29 req/s, 300-measure plan 23,
when the trivial view served 917), as a share of the trivial view's figure
in the same run.

    .venv/bin/python benchmarks/http_load.py --concurrency 1 --duration 8 --warmup 1 --only vivant mesures
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from campaign_load import check_loopback_url, cpu_seconds, create_database, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://concerto:concerto@127.0.0.1:5432/concerto_http_bench"
GUNICORN_LOG = Path("/tmp/http_load_gunicorn.log")
REAL = "pole-2019-2024"
GENERATED = "plan-genere-300"
TARGETS = [
    ("trivial view (/sante/vivant)", "/sante/vivant"),
    ("real plan: plan page", f"/plans/{REAL}/"),
    ("real plan: measure 13", f"/plans/{REAL}/mesures/13/"),
    ("real plan: JSON status", f"/api/plans/{REAL}/status"),
    ("300 measures: plan page", f"/plans/{GENERATED}/"),
    ("300 measures: measure 150", f"/plans/{GENERATED}/mesures/150/"),
    ("300 measures: JSON status", f"/api/plans/{GENERATED}/status"),
]
P95_TARGET_MS = 150
# Measure pages at 1 client before they were made fast, with the trivial view's figure of that run.
MEASURE_BEFORE = {"real plan: measure 13": 29, "300 measures: measure 150": 23}
TRIVIAL_BEFORE = 917


def app_environment(database_url: str, secret_file: Path, static_root: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    environment.update(
        DJANGO_SETTINGS_MODULE="concerto.settings",
        DATABASE_URL=database_url,
        SECRET_KEY_FILE=str(secret_file),
        DEBUG="false",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        BEHIND_TLS_PROXY="false",
        STATIC_ROOT=str(static_root),
        CONCERTO_API_RATE_LIMIT="1000000000",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return environment


def manage(environment: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=900,
        stdout=subprocess.DEVNULL,
    )


GENERATE = """
import sys
sys.path.insert(0, {benchmarks!r})
import django
django.setup()
from report_generation import generate_plan
generate_plan({count}, 3)
"""


def build(environment: dict[str, str], measures: int) -> None:
    manage(environment, "migrate", "--no-input")
    manage(environment, "import_organizations", "data/organizations.yaml")
    manage(environment, "import_plan", "data/plans/pole-2019-2024.yaml")
    manage(environment, "import_cases", "data/cases/cellule-2022-2023.yaml")
    script = GENERATE.format(benchmarks=str(ROOT / "benchmarks"), count=measures)
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, check=True, timeout=900)
    manage(environment, "collectstatic", "--no-input")


def start_server(environment: dict[str, str], port: int, log) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-c",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--bind",
        f"{HOST}:{port}",
        "concerto.wsgi",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}; see {GUNICORN_LOG}")
        try:
            if fetch(port, "/sante/")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {GUNICORN_LOG}")


def fetch(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def ab(port: int, path: str, connections: int, seconds: float, csv: Path) -> dict:
    """ApacheBench for ``seconds``: requests/s, errors and latency percentiles (ms)."""
    result = subprocess.run(
        [
            "ab",
            "-q",
            "-l",  # pages may differ in length (not an error)
            "-s",
            "30",
            "-c",
            str(connections),
            "-t",
            f"{seconds:g}",
            "-n",
            "10000000",
            "-e",
            str(csv),
            f"http://{HOST}:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=True,
    )

    def number(label: str) -> float:
        match = re.search(rf"^{label}:\s+([\d.]+)", result.stdout, re.M)
        return float(match.group(1)) if match else 0.0

    percentiles = dict(line.split(",") for line in csv.read_text().splitlines()[1:])
    return {
        "requests": int(number("Complete requests")),
        "rps": number("Requests per second"),
        "errors": int(number("Failed requests") + number("Non-2xx responses")),
        "p50": float(percentiles["50"]),
        "p95": float(percentiles["95"]),
        "p99": float(percentiles["99"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--measures", type=int, default=300)
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per URL and concurrency")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up before each measure")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument(
        "--only", nargs="+", metavar="TEXT", help="only the URLs whose label or path contains one of these"
    )
    arguments = parser.parse_args()
    targets = [
        (label, path)
        for label, path in TARGETS
        if not arguments.only or any(text in label or text in path for text in arguments.only)
    ]
    if shutil.which("ab") is None:
        sys.exit("ApacheBench is needed: apt-get install -y apache2-utils")
    parts = check_loopback_url(arguments.database_url)

    with tempfile.TemporaryDirectory(prefix="concerto-http-load-") as tmp:
        tmp_path = Path(tmp)
        secret = tmp_path / "secret_key"
        secret.write_text(secrets.token_urlsafe(64))
        environment = app_environment(arguments.database_url, secret, tmp_path / "static")
        print(f"Building the database {urllib.parse.unquote(parts.path.lstrip('/'))} …", flush=True)
        create_database(parts)
        build(environment, arguments.measures)
        csv = tmp_path / "percentiles.csv"
        port = free_port()
        with GUNICORN_LOG.open("w") as log:
            server = start_server(environment, port, log)
            try:
                for _, path in targets:
                    status, body = fetch(port, path)
                    if status != 200:
                        sys.exit(f"{path} answered {status}: {body[:300]!r}")
                rows = []
                for label, path in targets:
                    for connections in arguments.concurrency:
                        if arguments.warmup:
                            # Every worker keeps its own rendered pages: warm them all up.
                            ab(port, path, max(connections, 8), arguments.warmup, csv)
                        cpu_before = cpu_seconds(server.pid)
                        result = ab(port, path, connections, arguments.duration, csv)
                        cpu = cpu_seconds(server.pid) - cpu_before
                        result["cpu_ms"] = cpu * 1000 / result["requests"] if result["requests"] else 0.0
                        rows.append((label, path, connections, result))
                        print(
                            f"{label:32} c={connections:<3} {result['rps']:8.1f} req/s  "
                            f"p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms  "
                            f"p99 {result['p99']:7.1f} ms  CPU {result['cpu_ms']:5.2f} ms/req  "
                            f"errors {result['errors']}",
                            flush=True,
                        )
            finally:
                server.terminate()
                server.wait(timeout=30)
    report(rows, arguments)


def report(rows, arguments) -> None:
    print()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    print("| URL | clients | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, _, connections, r in rows:
        print(
            f"| {label} | {connections} | {r['rps']:.0f} | {r['p50']:.1f} | "
            f"{r['p95']:.1f} | {r['p99']:.1f} | {r['cpu_ms']:.2f} | {r['errors']} |"
        )
    by = {(label, c): r for label, _, c, r in rows}
    print()
    failed = False
    trivial_label = "trivial view (/sante/vivant)"
    for label, before in MEASURE_BEFORE.items():
        if (label, 1) not in by or (trivial_label, 1) not in by:
            continue
        trivial, measure = by[(trivial_label, 1)], by[(label, 1)]
        share, target = measure["rps"] / trivial["rps"], 4 * before / TRIVIAL_BEFORE
        ok = share >= target
        failed |= not ok
        print(
            f"{'PASS' if ok else 'FAIL'}: {label} at 1 client {measure['rps']:.0f} req/s = {share:.1%} of the "
            f"trivial view's {trivial['rps']:.0f} (target ≥ {target:.1%}: 4 × {before} / {TRIVIAL_BEFORE}); "
            f"CPU {measure['cpu_ms']:.2f} ms/req = {measure['cpu_ms'] / trivial['cpu_ms']:.1f} × the trivial view's"
        )
    if 8 in arguments.concurrency and ("300 measures: plan page", 8) in by:
        measured = by[("300 measures: plan page", 8)]
        p95 = measured["p95"]
        ok = measured["requests"] > 0 and p95 < P95_TARGET_MS
        failed |= not ok
        print(
            f"{'PASS' if ok else 'FAIL'}: 300-measure plan page p95 at 8 clients {p95:.1f} ms (target < {P95_TARGET_MS} ms)"
        )
    for c in arguments.concurrency:
        if (trivial_label, c) not in by or ("real plan: plan page", c) not in by:
            continue
        trivial = by[(trivial_label, c)]["rps"]
        plan = by[("real plan: plan page", c)]["rps"]
        ok = plan >= trivial / 3
        failed |= not ok
        print(
            f"{'PASS' if ok else 'FAIL'}: real plan page at {c} clients {plan:.0f} req/s = "
            f"{plan / trivial:.0%} of the trivial view's {trivial:.0f} req/s (target ≥ 33 %)"
        )
    errors = sum(r["errors"] for *_, r in rows)
    failed |= errors > 0
    for label, _, c, r in rows:
        if r["requests"] == 0:
            failed = True
            print(f"FAIL: {label} at {c} clients: no request completed in the run")
    print(f"{'PASS' if not errors else 'FAIL'}: {errors} errors")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
