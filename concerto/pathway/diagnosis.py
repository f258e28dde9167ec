"""The diagnosis of the admission pathway, computed from the stored applications.

One loader (``load_frame``) reads the stored rows of one kind — real or
synthetic, never both — in a fixed number of queries: on PostgreSQL one
``COPY (SELECT …) TO STDOUT`` read by Polars (a million rows in about two
seconds), elsewhere one cursor. The pseudonym is never read: the diagnosis
counts applications and durations, it needs no person.

``diagnose`` then computes, for the cohorts asked (year of application) and
grouped by one dimension (order, profession, route, country, region, decision):

- the funnel: applications → decisions by kind → prescriptions → completed
  → permit, and withdrawals, and who is still in the pathway;
- time to permit: Kaplan–Meier (refusals, withdrawals and people still in
  the pathway censored) and Aalen–Johansen (refusal and withdrawal
  competing), medians with their 95 % intervals, number-at-risk tables
  (``survival``). Durations are whole days, so the rows are folded into
  (days, outcome, count) before fitting: the same estimates, in milliseconds;
- the duration of each step, by group, and the step that weighs most in the
  total (the bottleneck: the largest share of the mean total duration);
- year-over-year change by cohort.

``protected=True`` (an order's view, beside the system-wide figures) applies
the publication rules: counts from 1 to the threshold minus one are
suppressed, with complementary suppression inside each partition
(``disclosure.protect``), curves stop where fewer than the threshold are at
risk, and no duration is shown from fewer than the threshold applications.
"""

from __future__ import annotations

import datetime
import io
import math
from dataclasses import dataclass, field

import polars as pl
from django.db import connection
from django.db.models import Sum
from django.utils.translation import gettext_noop

from . import dictionary as d
from . import disclosure, survival
from .models import Application, Submission

# Column of the diagnosis frame -> SQL expression (the dictionary's names, no pseudonym).
_SELECT = (
    ("ordre", "o.code"),
    ("profession", "a.profession"),
    ("pays_formation", "a.country"),
    ("voie", "a.route"),
    ("date_reception", "a.received_on"),
    ("date_dossier_complet", "a.complete_on"),
    ("date_decision", "a.decided_on"),
    ("decision", "a.decision"),
    ("date_prescriptions_completees", "a.prescriptions_completed_on"),
    ("revision_demandee", "a.review_requested"),
    ("resultat_revision", "a.review_outcome"),
    ("date_permis", "a.permit_on"),
    ("date_fermeture", "a.closed_on"),
)
_DATES = [name for name, _sql in _SELECT if name.startswith("date_")]
_STRINGS = ["ordre", "profession", "pays_formation", "voie", "decision", "resultat_revision"]

# Titles marked for the catalogue (the pages translate them); data labels stay French.
DIMENSIONS = {
    "order": ("ordre", gettext_noop("Ordre")),
    "profession": ("profession", gettext_noop("Profession")),
    "route": ("voie", gettext_noop("Voie d’admission")),
    "country": ("pays_formation", gettext_noop("Pays de formation")),
    "region": ("region", gettext_noop("Région de formation")),
    "decision": ("decision", gettext_noop("Décision")),
}
gettext_noop("Année de la demande")  # the release tables' « year » dimension
REGION_LABELS = {"canada": "Canada hors Québec", "abroad": "Hors Canada"}
SYNTHETIC_LABEL = "Données synthétiques"
MAX_CURVES = 8  # groups drawn on one chart; the others stay in the tables


def _sql(*, synthetic: bool, order_ids) -> str:
    app = Application._meta.db_table
    sub = Submission._meta.db_table
    org = Submission._meta.get_field("order").related_model._meta.db_table
    columns = ", ".join(sql for _name, sql in _SELECT)
    where = f"s.synthetic = {'TRUE' if synthetic else 'FALSE'}"
    if connection.vendor == "sqlite":
        where = f"s.synthetic = {1 if synthetic else 0}"
    if order_ids is not None:
        ids = ",".join(str(int(i)) for i in order_ids) or "NULL"
        where += f" AND s.order_id IN ({ids})"
    # Names from the models, values are integers and booleans written above.
    return (
        f"SELECT {columns} FROM {app} a JOIN {sub} s ON s.id = a.submission_id "  # noqa: S608
        f"JOIN {org} o ON o.id = s.order_id WHERE {where}"
    )


def _empty_frame() -> pl.DataFrame:
    schema = {
        name: (pl.Date if name in _DATES else pl.Boolean if name == "revision_demandee" else pl.String)
        for name, _sql in _SELECT
    }
    return pl.DataFrame(schema=schema)


def load_frame(*, synthetic: bool, order_ids=None) -> pl.DataFrame:
    """Every stored application of one kind (of ``order_ids`` only, if given), without pseudonyms."""
    sql = _sql(synthetic=synthetic, order_ids=order_ids)
    names = [name for name, _sql in _SELECT]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
        if buffer.tell() == 0:
            return _empty_frame()
        buffer.seek(0)
        frame = pl.read_csv(
            buffer,
            has_header=False,
            new_columns=names,
            schema_overrides=dict.fromkeys(names, pl.String),
        )
        return frame.with_columns(
            *(pl.col(n).str.to_date("%Y-%m-%d") for n in _DATES),
            (pl.col("revision_demandee") == "t").alias("revision_demandee"),
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    if not rows:
        return _empty_frame()
    frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    return frame.with_columns(
        *(pl.col(n).cast(pl.String).str.to_date("%Y-%m-%d") for n in _DATES),
        pl.col("revision_demandee").cast(pl.Boolean),
        *(pl.col(n).cast(pl.String) for n in _STRINGS),
    )


def kinds_present() -> dict[bool, int]:
    """Stored applications by kind: {False: real, True: synthetic} (one query)."""
    found = {False: 0, True: 0}
    for synthetic, count in Submission.objects.values_list("synthetic").annotate(n=Sum("row_count")):
        found[bool(synthetic)] = count or 0
    return found


# --- Labels -------------------------------------------------------------------------------------


def with_derived(frame: pl.DataFrame) -> pl.DataFrame:
    """The cohort (year of application) and the region of training."""
    return frame.with_columns(
        pl.col("date_reception").dt.year().alias("cohorte"),
        pl.when(pl.col("pays_formation") == "CA")
        .then(pl.lit("canada"))
        .otherwise(pl.lit("abroad"))
        .alias("region"),
    )


def label(dimension: str, code, order_names: dict[str, str] | None = None) -> str:
    if code is None or code == "":
        return disclosure.MISSING_LABELS.get(dimension, "Non précisé")
    if dimension == "order":
        return (order_names or {}).get(code, code)
    if dimension == "region":
        return REGION_LABELS.get(code, code)
    column = DIMENSIONS[dimension][0]
    return d.label(column, code) if column in d.FIELDS_BY_NAME else str(code)


# --- Results ------------------------------------------------------------------------------------

SUPPRESSED = disclosure.SUPPRESSED


@dataclass
class Funnel:
    label: str
    applications: int | str
    decisions: dict[str, int | str]  # decision code (and "" for none yet) -> count
    with_prescriptions: int | str
    prescriptions_completed: int | str
    permits: int | str
    refusals_final: int | str
    withdrawals: int | str
    in_pathway: int | str
    decided: int | str = 0


@dataclass
class Median:
    value: float  # days; inf: not reached
    lower: float
    upper: float
    shown: bool = True  # False: too few applications to publish


@dataclass
class SurvivalResult:
    label: str
    count: int | str
    km: survival.Curve | None
    km_median: Median | None
    competing: dict[int, survival.Curve] = field(default_factory=dict)
    competing_medians: dict[int, Median] = field(default_factory=dict)


@dataclass
class StepRow:
    label: str
    count: int | str
    means: dict[str, float | None]  # step -> mean days
    medians: dict[str, float | None]
    bottleneck: str | None


@dataclass
class YearRow:
    cohort: int
    applications: int | str
    decisions: int | str
    permits: int | str
    km_median: Median | None
    change: float | None  # % change of applications from the previous cohort


@dataclass
class Diagnosis:
    synthetic: bool
    as_of: datetime.date
    dimension: str
    cohorts: list[int]
    cohort: int | None
    protected: bool
    threshold: int
    total: Funnel
    funnels: list[Funnel]
    survival_total: SurvivalResult
    survival_groups: list[SurvivalResult]
    steps: list[StepRow]
    years: list[YearRow]
    excluded: int  # rows whose outcome precedes the application (impossible sequences)

    @property
    def data_label(self) -> str:
        return SYNTHETIC_LABEL if self.synthetic else "Données déposées par les ordres"


STEPS = (
    ("complete", gettext_noop("Réception → dossier complet")),
    ("decision", gettext_noop("Dossier complet → décision")),
    ("prescriptions", gettext_noop("Décision → prescriptions complétées")),
    ("permit", gettext_noop("Fin des conditions → permis")),
)
STEP_LABELS = dict(STEPS)


# --- Computation --------------------------------------------------------------------------------


def _refusal_final() -> pl.Expr:
    c = pl.col
    # As ``survival.outcomes``; null (no decision) counts as not refused.
    return (
        (c("decision") == "refusal")
        & (~c("revision_demandee").fill_null(False) | (c("resultat_revision") == "maintained")).fill_null(
            False
        )
    ).fill_null(False)


def _funnel_aggregates() -> list[pl.Expr]:
    c = pl.col
    permitted = c("date_permis").is_not_null()
    withdrawn = ~permitted & c("date_fermeture").is_not_null()
    refused = ~permitted & ~withdrawn & _refusal_final()
    return [
        pl.len().alias("applications"),
        (c("decision") == "full_recognition").sum().alias("full_recognition"),
        (c("decision") == "partial_recognition").sum().alias("partial_recognition"),
        (c("decision") == "refusal").sum().alias("refusal"),
        c("decision").is_null().sum().alias("undecided"),
        ((c("decision") == "partial_recognition") & c("date_prescriptions_completees").is_not_null())
        .sum()
        .alias("completed"),
        permitted.sum().alias("permits"),
        refused.sum().alias("refusals_final"),
        withdrawn.sum().alias("withdrawals"),
        (~permitted & ~withdrawn & ~refused).sum().alias("in_pathway"),
    ]


def _protect_partition(counts: list[int], threshold: int) -> tuple[list, object]:
    """Parts of a published total: the protected parts and the protected total.

    One additive relation (parts sum to the total) is what ``disclosure.audit``
    solves by linear programming, in closed form: with the total published,
    the hidden parts are known to sum to S (the total minus the shown parts),
    so each hidden part's feasible interval is [0, S] — exact when only one is
    hidden. Counts from 1 to threshold − 1 are hidden; then, while S is below
    the threshold or a single part is hidden, the smallest shown non-zero
    part is hidden too (zeros last). A total below the threshold hides it all.
    """
    total = sum(counts)
    if 0 < total < threshold:
        return [SUPPRESSED if c else 0 for c in counts], SUPPRESSED
    hidden = [0 < c < threshold for c in counts]

    def exposed() -> bool:
        n = sum(hidden)
        return n > 0 and (n == 1 or sum(c for c, h in zip(counts, hidden, strict=True) if h) < threshold)

    while exposed():
        candidates = [i for i, h in enumerate(hidden) if not h]
        if not candidates:
            break
        hidden[min(candidates, key=lambda i: (counts[i] == 0, counts[i]))] = True
    return [SUPPRESSED if h else c for c, h in zip(counts, hidden, strict=True)], total


def _funnel(row: dict, label_text: str, *, protected: bool, threshold: int) -> Funnel:
    decisions = {
        "full_recognition": row["full_recognition"],
        "partial_recognition": row["partial_recognition"],
        "refusal": row["refusal"],
        "": row["undecided"],
    }
    outcomes = [row["permits"], row["refusals_final"], row["withdrawals"], row["in_pathway"]]
    prescriptions = [row["completed"], row["partial_recognition"] - row["completed"]]
    applications = row["applications"]
    partial = row["partial_recognition"]
    if protected:
        parts, applications = _protect_partition(list(decisions.values()), threshold)
        decisions = dict(zip(decisions, parts, strict=True))
        outcomes, _total = _protect_partition(outcomes, threshold)
        partial = decisions["partial_recognition"]
        if partial == SUPPRESSED:  # the table's total is hidden elsewhere: hide the whole split
            prescriptions = [SUPPRESSED, SUPPRESSED]
        else:
            prescriptions, _total = _protect_partition(prescriptions, threshold)
    undecided = decisions[""]
    decided = SUPPRESSED if SUPPRESSED in (applications, undecided) else applications - undecided
    return Funnel(
        label=label_text,
        decided=decided,
        applications=applications,
        decisions=decisions,
        with_prescriptions=partial,
        prescriptions_completed=prescriptions[0],
        permits=outcomes[0],
        refusals_final=outcomes[1],
        withdrawals=outcomes[2],
        in_pathway=outcomes[3],
    )


def _folded(frame: pl.DataFrame, as_of: datetime.date) -> pl.DataFrame:
    """(group, days, event, count): the outcomes of ``survival.outcomes`` folded by whole day."""
    c = pl.col
    refusal_final = _refusal_final()
    return (
        frame.select(
            c("group"),
            start=c("date_reception"),
            end=pl.when(c("date_permis").is_not_null())
            .then(c("date_permis"))
            .when(c("date_fermeture").is_not_null())
            .then(c("date_fermeture"))
            .when(refusal_final)
            .then(c("date_decision"))
            .otherwise(pl.lit(as_of)),
            event=pl.when(c("date_permis").is_not_null())
            .then(survival.PERMIT)
            .when(c("date_fermeture").is_not_null())
            .then(survival.WITHDRAWAL)
            .when(refusal_final)
            .then(survival.REFUSAL)
            .otherwise(survival.CENSORED),
        )
        .with_columns(days=(c("end") - c("start")).dt.total_days())
        .group_by("group", "days", "event")
        .len("count")
    )


def _median(curve: survival.Curve) -> Median:
    return Median(curve.median, curve.median_lower, curve.median_upper)


def _survival(folded: pl.DataFrame, label_text: str, *, competing: bool, protected: bool, threshold: int):
    valid = folded.filter(pl.col("days") >= 0)
    count = int(valid.get_column("count").sum()) if valid.height else 0
    if count == 0 or (protected and count < threshold):
        return SurvivalResult(
            label=label_text, count=SUPPRESSED if protected and count else count, km=None, km_median=None
        )
    durations = valid.get_column("days").to_numpy().astype(float)
    events = valid.get_column("event").to_numpy().astype(int)
    weights = valid.get_column("count").to_numpy()
    km = survival.kaplan_meier(durations, events, weights=weights)
    curves = survival.competing_outcomes(durations, events, weights=weights) if competing else {}
    if protected:
        km = survival.publishable(km, durations, threshold=threshold, weights=weights)
        curves = {
            k: survival.publishable(v, durations, threshold=threshold, weights=weights)
            for k, v in curves.items()
        }
    return SurvivalResult(
        label=label_text,
        count=count,
        km=km,
        km_median=_median(km),
        competing=curves,
        competing_medians={k: _median(v) for k, v in curves.items()},
    )


def _steps(frame: pl.DataFrame, labels: dict, *, protected: bool, threshold: int) -> list[StepRow]:
    c = pl.col
    ready = (
        pl.when(c("decision") == "partial_recognition")
        .then(c("date_prescriptions_completees"))
        .otherwise(c("date_decision"))
    )
    durations = frame.select(
        c("group"),
        complete=(c("date_dossier_complet") - c("date_reception")).dt.total_days(),
        decision=(
            c("date_decision") - pl.coalesce(c("date_dossier_complet"), c("date_reception"))
        ).dt.total_days(),
        prescriptions=pl.when(c("decision") == "partial_recognition").then(
            (c("date_prescriptions_completees") - c("date_decision")).dt.total_days()
        ),
        permit=(c("date_permis") - ready).dt.total_days(),
    )
    names = [s for s, _label in STEPS]
    aggregates = []
    for name in names:
        valid = c(name).filter(c(name) >= 0)
        aggregates += [
            valid.mean().alias(f"{name}_mean"),
            valid.median().alias(f"{name}_median"),
            valid.len().alias(f"{name}_n"),
        ]
    table = durations.group_by("group").agg(pl.len().alias("count"), *aggregates).sort("group")
    rows = []
    for record in table.iter_rows(named=True):
        means, medians = {}, {}
        for name in names:
            enough = record[f"{name}_n"] >= (threshold if protected else 1)
            means[name] = record[f"{name}_mean"] if enough else None
            medians[name] = record[f"{name}_median"] if enough else None
        known = {k: v for k, v in means.items() if v is not None}
        count = record["count"]
        if protected and count < threshold:
            count = SUPPRESSED
        rows.append(
            StepRow(
                label=labels.get(record["group"], record["group"]),
                count=count,
                means=means,
                medians=medians,
                bottleneck=max(known, key=known.get) if known else None,
            )
        )
    return rows


def diagnose(
    frame: pl.DataFrame,
    *,
    synthetic: bool,
    as_of: datetime.date | None = None,
    dimension: str = "order",
    cohort: int | None = None,
    protected: bool = False,
    threshold: int = disclosure.DEFAULT_THRESHOLD,
    order_names: dict[str, str] | None = None,
    curves: bool = True,
) -> Diagnosis:
    """The whole diagnosis of ``frame`` (from ``load_frame``), grouped by ``dimension``."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension inconnue « {dimension} » (attendu : {', '.join(DIMENSIONS)})")
    as_of = as_of or datetime.date.today()
    frame = with_derived(frame)
    cohorts = sorted(frame.get_column("cohorte").unique().drop_nulls().to_list())
    by_year = frame
    if cohort is not None:
        frame = frame.filter(pl.col("cohorte") == cohort)
    column = DIMENSIONS[dimension][0]
    frame = frame.with_columns(pl.col(column).cast(pl.String).fill_null("").alias("group"))
    codes = sorted(frame.get_column("group").unique().to_list())
    labels = {code: label(dimension, code, order_names) for code in codes}

    totals = frame.select(_funnel_aggregates()).row(0, named=True)
    total = _funnel(totals, "Ensemble", protected=protected, threshold=threshold)
    grouped = frame.group_by("group").agg(_funnel_aggregates())
    funnels = [
        _funnel(row, labels[row["group"]], protected=protected, threshold=threshold)
        for row in sorted(grouped.iter_rows(named=True), key=lambda r: labels[r["group"]])
    ]

    folded = _folded(frame, as_of)
    excluded = int(folded.filter(pl.col("days") < 0).get_column("count").sum() or 0)
    survival_total = _survival(folded, "Ensemble", competing=curves, protected=protected, threshold=threshold)
    survival_groups = []
    if curves:
        for code in codes:
            survival_groups.append(
                _survival(
                    folded.filter(pl.col("group") == code),
                    labels[code],
                    competing=False,
                    protected=protected,
                    threshold=threshold,
                )
            )
        survival_groups.sort(key=lambda s: s.label)

    steps = _steps(frame, labels, protected=protected, threshold=threshold)
    years = _years(by_year, as_of, protected=protected, threshold=threshold)
    return Diagnosis(
        synthetic=synthetic,
        as_of=as_of,
        dimension=dimension,
        cohorts=cohorts,
        cohort=cohort,
        protected=protected,
        threshold=threshold,
        total=total,
        funnels=funnels,
        survival_total=survival_total,
        survival_groups=survival_groups,
        steps=steps,
        years=years,
        excluded=excluded,
    )


def _years(frame: pl.DataFrame, as_of, *, protected: bool, threshold: int) -> list[YearRow]:
    frame = frame.with_columns(pl.col("cohorte").cast(pl.String).alias("group"))
    table = (
        frame.group_by("cohorte")
        .agg(
            pl.len().alias("applications"),
            pl.col("decision").is_not_null().sum().alias("decisions"),
            pl.col("date_permis").is_not_null().sum().alias("permits"),
        )
        .sort("cohorte")
    )
    folded = _folded(frame, as_of)
    records = list(table.iter_rows(named=True))
    # Each column sums, over the cohorts, to a figure of the funnel: protected as a partition.
    shown = {name: [r[name] for r in records] for name in ("applications", "decisions", "permits")}
    if protected and records:
        shown = {name: _protect_partition(values, threshold)[0] for name, values in shown.items()}
    rows, previous = [], None
    for index, record in enumerate(records):
        km = _survival(
            folded.filter(pl.col("group") == str(record["cohorte"])),
            str(record["cohorte"]),
            competing=False,
            protected=protected,
            threshold=threshold,
        )
        value = shown["applications"][index]
        change = None
        if previous not in (None, SUPPRESSED, 0) and value != SUPPRESSED:
            change = round(100 * (value - previous) / previous, 1)
        decisions, permits = shown["decisions"][index], shown["permits"][index]
        rows.append(
            YearRow(
                cohort=record["cohorte"],
                applications=value,
                decisions=decisions,
                permits=permits,
                km_median=km.km_median,
                change=change,
            )
        )
        previous = value
    return rows


def days(value) -> str:
    """A duration in days as shown (« non atteinte » when a median is never reached)."""
    if value is None:
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "non atteinte"
    return f"{round(value):d}\u00a0j"


def fingerprint(*, synthetic: bool, order_ids=None) -> str:
    """What the stored data of one kind look like (one query): any new, replaced or
    destroyed submission changes it."""
    from django.db.models import Count, Max

    queryset = Submission.objects.filter(synthetic=synthetic)
    if order_ids is not None:
        queryset = queryset.filter(order_id__in=list(order_ids))
    state = queryset.aggregate(
        n=Count("pk"), last=Max("pk"), rows=Sum("row_count"), received=Max("received_at")
    )
    return f"{state['n']}:{state['last']}:{state['rows']}:{state['received']}"


def _digest(value) -> str:
    import hashlib

    return hashlib.sha256(repr(value).encode()).hexdigest()


def cached_diagnosis(*, synthetic: bool, order_ids=None, **options) -> Diagnosis | None:
    """``diagnose(load_frame(…))``, kept in the cache while the stored data are unchanged
    (the computation takes seconds over a million rows; the data change only at ingest).
    None when no application of that kind is stored."""
    from django.core.cache import cache

    as_of = options.setdefault("as_of", datetime.date.today())
    key = "pathway-diagnosis:" + _digest(
        (
            synthetic,
            sorted(order_ids) if order_ids is not None else None,
            sorted((k, v) for k, v in options.items() if k not in ("order_names", "as_of")),
            as_of.isoformat(),
            fingerprint(synthetic=synthetic, order_ids=order_ids),
        )
    )
    found = cache.get(key)
    if found is not None:
        return found or None
    frame = load_frame(synthetic=synthetic, order_ids=order_ids)
    result = diagnose(frame, synthetic=synthetic, **options) if frame.height else False
    cache.set(key, result, 3600)
    return result or None
