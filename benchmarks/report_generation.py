"""Time and peak memory to produce each report format.

Run by hand:  .venv/bin/python benchmarks/report_generation.py [--repeat 3]

It builds a throw-away SQLite database in a temporary folder, loads the real
plan from data/ and a generated plan of 300 measures with 3 components each,
then renders every format of each plan in a fresh child process, so that the
peak resident memory (ru_maxrss) of one rendering is measured on its own.
Targets: real plan PDF < 3 s and DOCX < 1 s; 300-measure PDF < 30 s and < 500 MiB.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2023-03-31"
FORMATS = ["pdf", "docx", "xlsx", "csv", "json"]
LOREM = (
    "Les travaux se sont poursuivis avec les partenaires du Pôle afin de préciser les besoins "
    "de formation d’appoint et de stages ; un groupe de travail réunit les ordres concernés, "
    "les établissements d’enseignement et les ministères. "
)


def setup_django(database: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "true")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_database(database: Path, measures: int, components: int) -> None:
    setup_django(database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("import_organizations", str(ROOT / "data" / "organizations.yaml"), stdout=quiet)
        call_command("import_plan", str(ROOT / "data" / "plans" / "pole-2019-2024.yaml"), stdout=quiet)
    generate_plan(measures, components)


def generate_plan(count: int, components: int, slug: str = "plan-genere-300") -> None:
    from django.db import transaction

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
        PublishedDate,
        Status,
        Theme,
    )
    from concerto.plans.publication import publish_reporting_date

    as_of = datetime.date.fromisoformat(AS_OF)
    organizations = list(Organization.objects.order_by("code"))
    with transaction.atomic():
        plan = Plan.objects.create(
            slug=slug,
            title=f"Plan d’action généré de {count} mesures",
            start_year=2020,
            end_year=2025,
            declared_measure_count=count,
            owner=Organization.objects.get(code="office-des-professions-du-quebec"),
        )
        themes = [
            Theme.objects.create(plan=plan, number=n, title=f"Thème {n}", objective="Objectif du thème")
            for n in range(5)
        ]
        for number in range(1, count + 1):
            measure = Measure.objects.create(
                plan=plan,
                theme=themes[number % 5],
                number=number,
                title=f"Mesure générée n° {number} : {LOREM[:90]}",
            )
            MeasureLead.objects.create(
                measure=measure, organization=organizations[number % len(organizations)]
            )
            Collaborator.objects.create(
                measure=measure, organization=organizations[(number + 7) % len(organizations)]
            )
            Collaborator.objects.create(measure=measure, text="ordres concernés", position=1)
            indicator = Indicator.objects.create(
                measure=measure,
                label="Octroyer 60 garanties de prêts par année",
                target_text="60 garanties de prêts",
                target_value=60,
                target_unit="garanties de prêts",
                deadline_text="31 mars 2024",
            )
            Indicator.objects.create(
                measure=measure, position=1, label="Outil de collecte", deadline_text="Hiver 2023"
            )
            report = ProgressReport.objects.create(
                measure=measure,
                as_of=as_of,
                percent=number % 101,
                status=Status.IN_PROGRESS,
                narrative=LOREM * 3 + "\n\n- premier livrable\n- deuxième livrable\n- troisième livrable",
            )
            IndicatorProgress.objects.create(report=report, indicator=indicator, actual=number % 61)
            for position in range(components):
                ComponentProgress.objects.create(
                    report=report,
                    position=position,
                    label=f"Composante {position + 1}",
                    organization=organizations[(number + position) % len(organizations)],
                    percent=(number * (position + 1)) % 101,
                    narrative=LOREM * 2,
                )
        # Published, as the real plan's states are: the public pages then show them.
        publish_reporting_date(plan=plan, as_of=as_of, user=None, via=PublishedDate.Via.IMPORT)


def render_child(database: Path, slug: str, fmt: str) -> None:
    """In a child process: render once, print seconds and peak RSS as JSON."""
    setup_django(database)
    from concerto.plans.models import Plan
    from concerto.reports.formats import render_one

    plan = Plan.objects.get(slug=slug)
    as_of = datetime.date.fromisoformat(AS_OF)
    started = time.perf_counter()
    document = render_one(plan, as_of, fmt)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib, "bytes": len(document.content)}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="renderings per plan and format (best time kept)"
    )
    parser.add_argument("--measures", type=int, default=300)
    parser.add_argument("--components", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("DB", "SLUG", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        render_child(Path(args.child[0]), args.child[1], args.child[2])
        return

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        build_database(database, args.measures, args.components)
        print(f"{'plan':<22}{'format':<8}{'best s':>9}{'median s':>10}{'peak MiB':>10}{'size KiB':>10}")
        for slug in ("pole-2019-2024", "plan-genere-300"):
            for fmt in FORMATS:
                runs = []
                for _ in range(args.repeat):
                    out = subprocess.run(
                        [sys.executable, __file__, "--child", str(database), slug, fmt],
                        check=True,
                        capture_output=True,
                        text=True,
                        env={**os.environ, "PYTHONWARNINGS": "ignore"},
                    ).stdout
                    runs.append(json.loads(out.strip().splitlines()[-1]))
                times = sorted(r["seconds"] for r in runs)
                print(
                    f"{slug:<22}{fmt:<8}{times[0]:>9.2f}{times[len(times) // 2]:>10.2f}"
                    f"{max(r['peak_mib'] for r in runs):>10.0f}{runs[0]['bytes'] / 1024:>10.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
