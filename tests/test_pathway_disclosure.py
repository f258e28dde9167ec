"""Protected tables: primary suppression leaks, secondary suppression fixes it, the LP audit decides."""

import datetime

import numpy as np
import polars as pl
import pytest

from concerto.pathway.disclosure import (
    DisclosureRefused,
    Table,
    audit,
    crosstab,
    primary_suppression,
    protect,
    protected_table,
    release_rows,
)


def table(counts, rows=None, columns=None):
    counts = np.array(counts)
    rows = rows or tuple(f"r{i}" for i in range(counts.shape[0]))
    columns = columns or tuple(f"c{j}" for j in range(counts.shape[1]))
    return Table("Ligne", tuple(rows), tuple(columns), counts)


LEAKY = [
    [2, 10, 12],
    [8, 9, 15],
    [20, 30, 40],
]


def test_primary_suppression_hides_counts_from_one_to_threshold_minus_one():
    protected = primary_suppression(table([[0, 1, 4, 5]]), threshold=5)
    assert protected.to_rows()[1] == ["r0", 0, "x", "x", 5, 10]


def test_naive_primary_suppression_leaks_and_the_audit_catches_it():
    # Only the 2 is hidden; its row total 24 and the other cells 10 and 12 give it back: 24 - 10 - 12 = 2.
    protected = primary_suppression(table(LEAKY))
    result = audit(protected)
    assert not result.passed
    (interval,) = result.failing
    assert (interval.row, interval.column, interval.low, interval.high) == (0, 0, 2, 2)
    with pytest.raises(DisclosureRefused, match="recalculable"):
        release_rows(protected)


def test_secondary_suppression_fixes_the_leak():
    protected = protect(table(LEAKY))
    assert protected.audit.passed
    rows = release_rows(protected)
    # The 2 is hidden with three complements forming a rectangle: 10 (same row), 8 (same column), 9.
    # Its interval given the totals is [0, 10]: 2 can lose min(2, 9) = 2 and gain min(10, 8) = 8.
    assert rows[1] == ["r0", "x", "x", 12, 24]
    assert rows[2] == ["r1", "x", "x", 15, 32]
    intervals = {(i.row, i.column): (i.low, i.high) for i in protected.audit.intervals}
    assert intervals[(0, 0)] == (0, 10)
    assert all(i.width >= 5 for i in protected.audit.intervals)


def test_the_output_format_has_labels_categories_and_totals():
    rows = release_rows(protect(table([[10, 20], [30, 40]], rows=("A", "B"), columns=("U", "V"))))
    assert rows == [
        ["Ligne", "U", "V", "Total"],
        ["A", 10, 20, 30],
        ["B", 30, 40, 70],
        ["Total", 40, 60, 100],
    ]


def test_zero_cells_are_published_and_not_used_as_first_complements():
    # Row 0: 0, 3, 20. The 3 is hidden; the complement in its row is the 20, not the zero.
    protected = protect(table([[0, 3, 20], [7, 9, 11], [6, 8, 30]]))
    rows = protected.to_rows()
    assert rows[1][1] == 0
    assert rows[1][2] == "x"
    assert protected.audit.passed


def test_a_zero_table_needs_no_suppression():
    protected = protect(table([[0, 0], [0, 0]]))
    assert not protected.suppressed.any()
    assert release_rows(protected)[-1] == ["Total", 0, 0, 0]


def test_a_single_row_table_hides_column_totals_that_equal_small_cells():
    # One row: each column total equals its only cell, so the 3 is also a column total and must be hidden
    # there too; a complement column is needed, or the grand total gives the 3 back.
    protected = protect(table([[3, 10, 12]]))
    rows = release_rows(protected)
    assert rows[1][1] == "x" and rows[2][1] == "x"
    assert rows[1][2] == "x" and rows[2][2] == "x"
    assert protected.audit.passed


def test_a_table_with_all_cells_small_is_protected():
    protected = protect(table([[1, 2], [3, 1]]))
    rows = release_rows(protected)
    # Every inner cell and every total is below 5; only the grand total, 7, may be published.
    assert rows == [
        ["Ligne", "c0", "c1", "Total"],
        ["r0", "x", "x", "x"],
        ["r1", "x", "x", "x"],
        ["Total", "x", "x", 7],
    ]
    assert protected.audit.passed


def test_the_threshold_is_a_parameter():
    low = protect(table(LEAKY), threshold=2)
    assert not low.suppressed.any()
    high = protect(table(LEAKY), threshold=10)
    assert high.primary[1, 0] and high.primary[1, 1]
    assert all(i.width >= 10 for i in high.audit.intervals)


def test_a_larger_table_passes_its_audit():
    rng = np.random.default_rng(3)
    counts = rng.poisson(6, (12, 6))
    protected = protect(table(counts))
    assert protected.audit.passed
    assert protected.suppressed[: counts.shape[0], : counts.shape[1]][(counts >= 1) & (counts < 5)].all()


def test_crosstab_of_a_submission_uses_french_labels_and_every_category():
    frame = pl.DataFrame(
        {
            "date_reception": [datetime.date(2023, 5, 1)] * 3 + [datetime.date(2024, 5, 1)] * 2,
            "decision": ["full_recognition", "refusal", None, "full_recognition", "full_recognition"],
            "voie": ["diploma_equivalence"] * 5,
        }
    )
    result = crosstab(frame, rows="year", columns="decision")
    assert result.row_labels == ("2023", "2024")
    assert result.column_labels == (
        "Reconnaissance complète",
        "Reconnaissance partielle avec prescriptions",
        "Refus",
        "Sans décision",
    )
    assert result.counts.tolist() == [[1, 0, 1, 1], [2, 0, 0, 0]]


def test_protected_table_of_a_synthetic_submission_says_so():
    frame = pl.DataFrame(
        {
            "date_reception": [datetime.date(2024, 1, 1)] * 12,
            "voie": ["mutual_recognition"] * 12,
            "decision": ["refusal"] * 12,
        }
    )
    rows = protected_table(frame, rows="route", columns="year", synthetic=True)
    assert rows[0][0] == "Voie d’admission (Données synthétiques)"


def test_an_unknown_dimension_is_refused():
    with pytest.raises(ValueError, match="dimension inconnue"):
        crosstab(pl.DataFrame({"date_reception": []}), rows="name", columns="year")
