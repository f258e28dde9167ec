"""Stored admission-pathway submissions for the diagnosis and release tests."""

from __future__ import annotations

from pathlib import Path

from concerto.pathway import synthetic
from concerto.pathway.ingest import read_submission
from concerto.pathway.storage import store_submission

KEY = b"cle-de-concerto-gardee-hors-de-la-base-0123456789"
MARKER = "ef" * 32
"""A pseudonym that must never appear in any page, file, e-mail or log."""
HEADER = "pseudonyme,ordre,profession,pays_formation,voie,date_reception,date_decision,decision,date_permis"


def store_synthetic(order, tmp_path: Path, *, applications: int = 80, seed: int = 1):
    path = tmp_path / f"{order.code}-synthetique.csv"
    synthetic.write_csv(path, synthetic.generate(order=order.code, applications=applications, seed=seed))
    accepted = read_submission(path, key=KEY, order=order.code, today=synthetic.AS_OF)
    return store_submission(accepted=accepted, order=order, period="2024-2025", sha256="0" * 64)


def store_real(order, tmp_path: Path, lines: list[str]):
    """A real submission of ``order``: ``lines`` are rows after the pseudonym and order columns."""
    path = tmp_path / f"{order.code}-reel.csv"
    body = [f"{MARKER if i == 0 else format(i, '064x')},{order.code},{line}" for i, line in enumerate(lines)]
    path.write_text("\n".join([HEADER, *body]) + "\n", encoding="utf-8")
    accepted = read_submission(path, key=KEY, order=order.code, today=synthetic.AS_OF, allow_synthetic=False)
    return store_submission(accepted=accepted, order=order, period="2024-2025", sha256="1" * 64)
