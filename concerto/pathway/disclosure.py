"""Protected two-way tables: primary and secondary suppression, audited by linear programming.

A table is a count of applications by two dimensions, with a « Total »
column, a « Total » row and the grand total. Every cell of that grid, the
totals included, is a published number unless suppressed (written ``x``).

1. **Primary suppression**: every count from 1 to ``threshold - 1`` (5 by
   default, recorded with each release), totals included. Zeros are
   published (a zero is not a person).
2. **Secondary (complementary) suppression**, so that no suppressed cell can
   be computed back from what is published. Method: a greedy heuristic
   driven by the audit below. First, while a row or column relation (inner
   cells and its total) has exactly one suppressed cell, the cheapest other
   cell of that relation is suppressed. Then, while the audit finds a
   suppressed cell whose feasible interval is narrower than the threshold,
   the cheapest unsuppressed cell sharing a relation with it is suppressed
   (anywhere in the table if none is left there). "Cheapest" is: inner cells
   before totals, non-zero counts before zeros (a zero may be structurally
   known, so it protects less), then the smallest count. Each step only adds
   suppressions, which only widens the intervals; with everything
   suppressed every interval is unbounded, so the loop always ends with a
   table that passes. It is not optimal (τ-ARGUS's mixed-integer models
   suppress less), but it is simple, deterministic and always audited.
3. **Audit** (``audit``): for each suppressed cell, the minimum and maximum
   of its value by linear programming (``scipy.optimize.linprog``, HiGHS),
   subject to every row and column relation, published cells fixed at their
   values and suppressed cells ≥ 0. Every interval must be at least the
   threshold wide; ``release_rows`` refuses a table that fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from . import dictionary as d

SUPPRESSED = "x"
TOTAL = "Total"
DEFAULT_THRESHOLD = 5
_TOLERANCE = 1e-6

# Publishable dimensions: name -> (column of the validated frame, French title).
DIMENSIONS = {
    "order": ("ordre", "Ordre"),
    "profession": ("profession", "Profession"),
    "country": ("pays_formation", "Pays de formation"),
    "route": ("voie", "Voie d’admission"),
    "decision": ("decision", "Décision"),
    "year": ("annee", "Année de la demande"),
}
MISSING_LABELS = {"decision": "Sans décision"}


class DisclosureRefused(Exception):
    """The table fails the audit and must not be released."""


@dataclass(frozen=True)
class Table:
    """Inner counts (rows × columns) with their labels; totals are computed."""

    row_title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    counts: np.ndarray
    synthetic: bool = False

    def grid(self) -> np.ndarray:
        """(rows + 1) × (columns + 1): the inner counts, the row totals in the last
        column, the column totals in the last row, the grand total in the corner."""
        counts = np.asarray(self.counts, dtype=np.int64)
        rows, columns = counts.shape
        grid = np.zeros((rows + 1, columns + 1), dtype=np.int64)
        grid[:rows, :columns] = counts
        grid[:rows, columns] = counts.sum(axis=1)
        grid[rows, :columns] = counts.sum(axis=0)
        grid[rows, columns] = counts.sum()
        return grid


@dataclass(frozen=True)
class Interval:
    row: int
    column: int
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass
class Audit:
    threshold: int
    intervals: list[Interval] = field(default_factory=list)

    @property
    def failing(self) -> list[Interval]:
        return [i for i in self.intervals if i.width < self.threshold - _TOLERANCE]

    @property
    def passed(self) -> bool:
        return not self.failing


@dataclass
class ProtectedTable:
    table: Table
    threshold: int
    primary: np.ndarray  # bool, shape of the grid
    suppressed: np.ndarray  # bool, shape of the grid (primary included)
    audit: Audit | None = None

    def to_rows(self) -> list[list]:
        """Header, one row per category, then « Total »; suppressed cells are ``x``."""
        grid = self.table.grid()
        title = self.table.row_title
        if self.table.synthetic:
            title = f"{title} (Données synthétiques)"
        rows: list[list] = [[title, *self.table.column_labels, TOTAL]]
        labels = [*self.table.row_labels, TOTAL]
        for i, label in enumerate(labels):
            rows.append(
                [
                    label,
                    *(SUPPRESSED if self.suppressed[i, j] else int(grid[i, j]) for j in range(grid.shape[1])),
                ]
            )
        return rows


# --- Building a table ---------------------------------------------------------------------------


def crosstab(frame: pl.DataFrame, *, rows: str, columns: str, synthetic: bool = False) -> Table:
    """Counts of a validated submission frame by two dimensions (names of ``DIMENSIONS``).

    Categories of the dictionary are all shown, in its order, with their French
    labels (zeros included); other dimensions show the values present, sorted.
    """
    for name in (rows, columns):
        if name not in DIMENSIONS:
            raise ValueError(f"dimension inconnue « {name} » (attendu : {', '.join(DIMENSIONS)})")
    if rows == columns:
        raise ValueError("les deux dimensions doivent différer")
    data = frame.with_columns(pl.col("date_reception").dt.year().cast(pl.String).alias("annee"))
    row_column, column_column = DIMENSIONS[rows][0], DIMENSIONS[columns][0]
    data = data.select(
        pl.col(row_column).cast(pl.String).fill_null("").alias("r"),
        pl.col(column_column).cast(pl.String).fill_null("").alias("c"),
    )
    row_codes = _categories(data.get_column("r"), row_column)
    column_codes = _categories(data.get_column("c"), column_column)
    counts = np.zeros((len(row_codes), len(column_codes)), dtype=np.int64)
    row_index = {code: i for i, code in enumerate(row_codes)}
    column_index = {code: j for j, code in enumerate(column_codes)}
    for r, c, n in data.group_by("r", "c").len().iter_rows():
        counts[row_index[r], column_index[c]] = n
    return Table(
        row_title=DIMENSIONS[rows][1],
        row_labels=tuple(_label(rows, row_column, code) for code in row_codes),
        column_labels=tuple(_label(columns, column_column, code) for code in column_codes),
        counts=counts,
        synthetic=synthetic,
    )


def _categories(values: pl.Series, column: str) -> list[str]:
    present = set(values.unique().to_list())
    f = d.FIELDS_BY_NAME.get(column)
    if f is not None and f.categories:
        codes = list(f.codes)
        return codes + ([""] if "" in present else [])
    return sorted(present, key=lambda v: (v == "", v))


def _label(dimension: str, column: str, code: str) -> str:
    if code == "":
        return MISSING_LABELS.get(dimension, "Non précisé")
    return d.label(column, code) if column in d.FIELDS_BY_NAME else code


# --- Relations and audit ------------------------------------------------------------------------


def _relations(shape: tuple[int, int]) -> list[tuple[list[int], int]]:
    """Each additive relation of the grid as (flat indexes of the parts, flat index of the total)."""
    rows, columns = shape[0] - 1, shape[1] - 1
    width = shape[1]
    relations = []
    for i in range(rows + 1):  # each row, the « Total » row included, sums to its last column
        relations.append(([i * width + j for j in range(columns)], i * width + columns))
    for j in range(columns + 1):  # each column, the « Total » column included, sums to its last row
        relations.append(([i * width + j for i in range(rows)], rows * width + j))
    return relations


def audit(protected: ProtectedTable, *, cells=None) -> Audit:
    """The feasible interval of every suppressed cell (or of ``cells``, flat indexes of
    suppressed cells) given all that is published.

    The relations that involve suppressed cells split into independent groups
    (suppressed cells linked through shared relations); each cell's two linear
    programs are solved over its own group only, which keeps them small.
    """
    from scipy.optimize import linprog

    grid = protected.table.grid()
    values = grid.ravel().astype(float)
    hidden = np.flatnonzero(protected.suppressed.ravel())
    result = Audit(threshold=protected.threshold)
    if hidden.size == 0:
        return result
    position = {int(cell): k for k, cell in enumerate(hidden)}
    parent = list(range(hidden.size))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    equations = []  # (variables, coefficients, constant)
    for parts, total in _relations(grid.shape):
        variables, coefficients, constant = [], [], 0.0
        for cell, coefficient in [(cell, 1.0) for cell in parts] + [(total, -1.0)]:
            if cell in position:
                variables.append(position[cell])
                coefficients.append(coefficient)
            else:
                constant -= coefficient * values[cell]
        if variables:
            equations.append((variables, coefficients, constant))
            for k in variables[1:]:
                parent[find(k)] = find(variables[0])
    groups: dict[int, list[int]] = {}
    for k in range(hidden.size):
        groups.setdefault(find(k), []).append(k)
    systems = {}
    for root, members in groups.items():
        local = {k: i for i, k in enumerate(members)}
        rows = [eq for eq in equations if find(eq[0][0]) == root]
        a_eq = np.zeros((len(rows), len(members)))
        for r, (variables, coefficients, _constant) in enumerate(rows):
            for k, coefficient in zip(variables, coefficients, strict=True):
                a_eq[r, local[k]] += coefficient
        systems[root] = (local, a_eq, np.array([eq[2] for eq in rows]))
    wanted = hidden if cells is None else [c for c in hidden if int(c) in set(map(int, cells))]
    width = grid.shape[1]
    for cell in wanted:
        local, a_eq, b_eq = systems[find(position[int(cell)])]
        objective = np.zeros(len(local))
        objective[local[position[int(cell)]]] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if low.status != 0 or high.status not in (0, 3):
            raise DisclosureRefused(f"audit impossible ({low.message}; {high.message})")
        upper = math.inf if high.status == 3 else -high.fun
        result.intervals.append(Interval(int(cell // width), int(cell % width), float(low.fun), float(upper)))
    return result
    position = {cell: k for k, cell in enumerate(hidden)}
    equations, rhs = [], []
    for parts, total in _relations(grid.shape):
        coefficients = [(cell, 1.0) for cell in parts] + [(total, -1.0)]
        if not any(cell in position for cell, _ in coefficients):
            continue
        row = np.zeros(hidden.size)
        constant = 0.0
        for cell, coefficient in coefficients:
            if cell in position:
                row[position[cell]] += coefficient
            else:
                constant -= coefficient * values[cell]
        equations.append(row)
        rhs.append(constant)
    a_eq, b_eq = np.array(equations), np.array(rhs)
    width = grid.shape[1]
    for k, cell in enumerate(hidden):
        objective = np.zeros(hidden.size)
        objective[k] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if low.status != 0 or high.status not in (0, 3):
            raise DisclosureRefused(f"audit impossible ({low.message}; {high.message})")
        upper = math.inf if high.status == 3 else -high.fun
        result.intervals.append(Interval(int(cell // width), int(cell % width), float(low.fun), float(upper)))
    return result


# --- Suppression --------------------------------------------------------------------------------


def primary_suppression(table: Table, *, threshold: int = DEFAULT_THRESHOLD) -> ProtectedTable:
    """Counts from 1 to ``threshold - 1`` hidden, and nothing else (leaks when totals are published)."""
    if threshold < 1:
        raise ValueError("le seuil doit être au moins 1")
    grid = table.grid()
    primary = (grid >= 1) & (grid < threshold)
    return ProtectedTable(table=table, threshold=threshold, primary=primary, suppressed=primary.copy())


def _cost(grid: np.ndarray, cell: int) -> tuple[bool, bool, int, int]:
    rows, columns = grid.shape
    i, j = divmod(cell, columns)
    value = int(grid[i, j])
    return (i == rows - 1 or j == columns - 1, value == 0, value, cell)


def protect(table: Table, *, threshold: int = DEFAULT_THRESHOLD) -> ProtectedTable:
    """Primary then secondary suppression (see the module's docstring), audited."""
    protected = primary_suppression(table, threshold=threshold)
    grid = table.grid()
    flat = protected.suppressed.ravel()  # a view: marking it marks ``suppressed``
    relations = [parts + [total] for parts, total in _relations(grid.shape)]
    sharing: dict[int, set[int]] = {}
    for cells in relations:
        for cell in cells:
            sharing.setdefault(cell, set()).update(cells)

    def cheapest(candidates) -> int | None:
        open_cells = [c for c in candidates if not flat[c]]
        return min(open_cells, key=lambda c: _cost(grid, c)) if open_cells else None

    changed = True
    while changed:  # no relation may hide exactly one of its cells
        changed = False
        for cells in relations:
            if sum(bool(flat[c]) for c in cells) == 1:
                choice = cheapest(cells)
                if choice is not None:
                    flat[choice] = True
                    changed = True
    # Hiding more only widens intervals: a cell that passed keeps passing, so each round
    # audits only the cells that failed and those just hidden.
    pending = None
    while True:
        result = audit(protected, cells=pending)
        if result.passed:
            protected.audit = audit(protected)
            return protected
        pending = set()
        added = False
        for interval in result.failing:
            cell = interval.row * grid.shape[1] + interval.column
            pending.add(cell)
            choice = cheapest(sharing[cell])
            if choice is None:
                choice = cheapest(range(flat.size))
            if choice is not None and not flat[choice]:
                flat[choice] = True
                pending.add(choice)
                added = True
        if not added:  # cannot happen: with every cell hidden, every interval is unbounded
            raise DisclosureRefused("aucune suppression complémentaire ne protège ce tableau")


def release_rows(protected: ProtectedTable) -> list[list]:
    """The table's rows, after an audit of exactly what would be published; refused if it fails."""
    result = audit(protected)
    protected.audit = result
    if not result.passed:
        cells = ", ".join(f"({i.row + 1}, {i.column + 1})" for i in result.failing[:10])
        raise DisclosureRefused(
            f"tableau refusé : {len(result.failing)} cellule(s) supprimée(s) recalculable(s) à moins de "
            f"{protected.threshold} près à partir des totaux publiés ({cells})."
        )
    return protected.to_rows()


def protected_table(
    frame: pl.DataFrame,
    *,
    rows: str,
    columns: str,
    threshold: int = DEFAULT_THRESHOLD,
    synthetic: bool = False,
) -> list[list]:
    """Cross-tabulate, protect, audit: the rows ready for the safe CSV/XLSX writer."""
    return release_rows(
        protect(crosstab(frame, rows=rows, columns=columns, synthetic=synthetic), threshold=threshold)
    )
