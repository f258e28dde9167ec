"""Time and peak memory to validate and re-key a large admission-pathway submission.

Run by hand:  .venv/bin/python benchmarks/pathway_ingest.py [--rows 1000000] [--keep FILE]

Writes a synthetic submission (``pathway_synthetic``'s generator, in one child
process), then reads, validates and re-keys it with ``read_submission`` in a
fresh child process, so that the peak resident memory (ru_maxrss) is the
ingest's own; then computes the Kaplan–Meier and Aalen–Johansen estimates and
a protected year × decision table on the result. Storage in the database is
not written yet, so this measures the part before the ``COPY``.
Targets (issue 14, with storage): 1,000,000 rows in ≤ 20 s and ≤ 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = "ordre-des-infirmieres-et-infirmiers-du-quebec"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    os.environ.setdefault("DEBUG", "true")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(path: Path, rows: int) -> None:
    setup_django()
    from concerto.pathway.synthetic import generate, write_csv

    write_csv(path, generate(order=ORDER, applications=rows, seed=1))


def measure(path: Path) -> dict:
    setup_django()
    from concerto.pathway.disclosure import protected_table
    from concerto.pathway.ingest import read_submission
    from concerto.pathway.survival import cumulative_incidence, kaplan_meier, outcomes
    from concerto.pathway.synthetic import AS_OF

    started = time.perf_counter()
    submission = read_submission(path, key=b"benchmark-key-of-at-least-32-bytes!!", order=ORDER, today=AS_OF)
    ingest_seconds = time.perf_counter() - started
    ingest_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    result = outcomes(submission.frame, as_of=AS_OF)
    kaplan_meier(result.durations, result.events)
    cumulative_incidence(result.durations, result.events)
    estimate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    protected_table(submission.frame, rows="year", columns="decision", synthetic=True)
    table_seconds = time.perf_counter() - started
    return {
        "rows": submission.frame.height,
        "ingest_seconds": round(ingest_seconds, 2),
        "ingest_peak_mib": round(ingest_rss),
        "estimates_seconds": round(estimate_seconds, 2),
        "table_seconds": round(table_seconds, 2),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="reuse (or keep) the generated file here")
    parser.add_argument("--child", choices=["generate", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "generate":
        generate(args.file, args.rows)
        return
    if args.child == "measure":
        print(json.dumps(measure(args.file)))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "depot-synthetique.csv"
        if not path.exists():
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "generate",
                    "--rows",
                    str(args.rows),
                    "--file",
                    str(path),
                ],
                check=True,
            )
            print(
                f"generated {args.rows} rows in {time.perf_counter() - started:.1f} s "
                f"({path.stat().st_size / 2**20:.0f} MiB)"
            )
        output = subprocess.run(
            [sys.executable, __file__, "--child", "measure", "--file", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        print(json.dumps(json.loads(output.strip().splitlines()[-1]), indent=2))


if __name__ == "__main__":
    main()
