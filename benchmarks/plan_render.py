"""Uncached render time of the plan page and of a measure page, in-process.

Run by hand:

    .venv/bin/python benchmarks/plan_render.py                 # 15, 300 and 3,000 measures
    .venv/bin/python benchmarks/plan_render.py --sizes 15 300 --repeat 7

It builds a throw-away SQLite database in a temporary folder (or uses the
PostgreSQL database of --database-url, whose name must contain "bench": it is
dropped and recreated), loads the real plan of data/ and generated plans of
each size (3 components per measure, as in benchmarks/report_generation.py),
then GETs each plan page and one measure page through Django's test client
(the whole middleware stack) as an anonymous visitor with the page cache
off (``CACHES["pages"]`` is a DummyCache): every request renders.

For each plan it prints the median and best of --repeat renders (wall
time), the median CPU time of this process (with SQLite, queries included:
the figure to compare on a machine others load), the per-measure cost
(median / measures) and the number of SQL queries; then the marginal cost
per measure between the smallest and the largest plan.
Targets: the 300-measure plan page ≤ 0.4 s, ≤ 1.5 ms per measure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent
REAL = "pole-2019-2024"
TARGET_SECONDS_300 = 0.4
TARGET_MS_PER_MEASURE = 1.5


def setup(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "concerto.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "plan-render-benchmark-" + "x" * 40)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["BEHIND_TLS_PROXY"] = "false"
    os.environ["PYTHONWARNINGS"] = "ignore"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(sizes: list[int]) -> None:
    from django.core.management import call_command
    from report_generation import generate_plan

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("import_organizations", str(ROOT / "data" / "organizations.yaml"), stdout=quiet)
        call_command("import_plan", str(ROOT / "data" / "plans" / "pole-2019-2024.yaml"), stdout=quiet)
    for size in sizes:
        generate_plan(size, 3, slug=f"plan-genere-{size}")


def timed_get(client, path: str, repeat: int) -> tuple[list[float], list[float], int, int]:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)  # first request: also checks the page and counts queries
    if response.status_code != 200:
        sys.exit(f"{path} answered {response.status_code}")
    size = len(response.content)
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return times, cpu, len(queries), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[15, 300, 3000])
    parser.add_argument("--repeat", type=int, default=5, help="renders per page (median reported)")
    parser.add_argument("--database-url", help="a PostgreSQL bench database (default: SQLite)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="judge the targets on this process's CPU time rather than wall time "
        "(on a shared, loaded machine; with SQLite every query runs in the process too)",
    )
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")

    with tempfile.TemporaryDirectory(prefix="concerto-plan-render-") as folder:
        if args.database_url:
            from campaign_load import check_loopback_url, create_database

            create_database(check_loopback_url(args.database_url))
            url = args.database_url
        else:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        setup(url)
        started = time.perf_counter()
        build(args.sizes)
        print(f"setup: {time.perf_counter() - started:.1f} s ({url.split(':', 1)[0]})")

        from django.test import Client
        from django.test.utils import override_settings

        pages = [
            (f"real plan ({REAL})", f"/plans/{REAL}/", 15),
            ("real plan: measure 13", f"/plans/{REAL}/mesures/13/", 1),
        ]
        for size in args.sizes:
            pages.append((f"{size} measures: plan page", f"/plans/plan-genere-{size}/", size))
            pages.append(
                (
                    f"{size} measures: measure {size // 2}",
                    f"/plans/plan-genere-{size}/mesures/{size // 2}/",
                    1,
                )
            )

        dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        from django.conf import settings

        caches = {**settings.CACHES, "pages": dummy}
        # Static URLs without collectstatic's manifest: the same template work.
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        results = {}
        print(
            f"\n{'page':<34}{'median s':>10}{'best s':>9}{'CPU s':>9}{'ms/measure':>12}"
            f"{'CPU ms/m':>10}{'queries':>9}{'KiB':>8}"
        )
        with override_settings(CACHES=caches, STORAGES=storages):
            client = Client()
            for label, path, measures in pages:
                times, cpu, queries, size = timed_get(client, path, args.repeat)
                median, median_cpu = statistics.median(times), statistics.median(cpu)
                results[path] = median_cpu if args.cpu else median
                per = f"{median * 1000 / measures:.2f}" if measures > 1 else ""
                per_cpu = f"{median_cpu * 1000 / measures:.2f}" if measures > 1 else ""
                print(
                    f"{label:<34}{median:>10.3f}{min(times):>9.3f}{median_cpu:>9.3f}{per:>12}{per_cpu:>10}"
                    f"{queries:>9}{size / 1024:>8.0f}",
                    flush=True,
                )

        smallest, largest = min(args.sizes), max(args.sizes)
        if largest > smallest:
            slope = (
                results[f"/plans/plan-genere-{largest}/"] - results[f"/plans/plan-genere-{smallest}/"]
            ) / (largest - smallest)
            print(f"\nmarginal cost per measure ({smallest} → {largest}): {slope * 1000:.2f} ms")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if 300 in args.sizes:
            seconds = results["/plans/plan-genere-300/"]
            ok = seconds <= TARGET_SECONDS_300 and seconds * 1000 / 300 <= TARGET_MS_PER_MEASURE
            print(
                f"{'PASS' if ok else 'FAIL'}: 300-measure plan page {seconds:.3f} s, "
                f"{seconds * 1000 / 300:.2f} ms per measure (targets ≤ {TARGET_SECONDS_300} s, "
                f"≤ {TARGET_MS_PER_MEASURE} ms)"
            )


if __name__ == "__main__":
    main()
