"""The diagnosis on small hand-computed cases, and the loader (one kind at a time, no pseudonym)."""

import datetime

import numpy as np
import polars as pl
import pytest

from concerto.organizations.models import Organization
from concerto.pathway import diagnosis
from concerto.pathway.survival import (
    CENSORED,
    PERMIT,
    REFUSAL,
    WITHDRAWAL,
    cumulative_incidence,
    kaplan_meier,
)
from tests.factories import OrganizationFactory
from tests.support.pathway_stored import store_real, store_synthetic

AS_OF = datetime.date(2025, 3, 31)
D = datetime.date


def frame(rows):
    """Rows as (order, route, received, complete, decided, decision, prescriptions done, permit, closed)."""
    columns = [
        "ordre",
        "voie",
        "date_reception",
        "date_dossier_complet",
        "date_decision",
        "decision",
        "date_prescriptions_completees",
        "date_permis",
        "date_fermeture",
    ]
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    out = pl.DataFrame(data, schema_overrides={c: pl.Date for c in columns if c.startswith("date_")})
    return out.with_columns(
        pl.lit("chimiste").alias("profession"),
        pl.lit("FR").alias("pays_formation"),
        pl.lit(None, dtype=pl.Boolean).alias("revision_demandee"),
        pl.lit(None, dtype=pl.String).alias("resultat_revision"),
    )


FULL, PARTIAL, REFUSED = "full_recognition", "partial_recognition", "refusal"
DIPLOMA, MRA = "diploma_equivalence", "mutual_recognition"
ROWS = [
    # a: 10 days to complete, 20 to decision, permit 30 after: steps 10 / 20 / - / 30
    ("a", DIPLOMA, D(2023, 1, 1), D(2023, 1, 11), D(2023, 1, 31), FULL, None, D(2023, 3, 2), None),
    # a: partial, prescriptions done 100 days after the decision, permit 10 days later
    (
        "a",
        DIPLOMA,
        D(2023, 1, 1),
        D(2023, 1, 21),
        D(2023, 2, 10),
        PARTIAL,
        D(2023, 5, 21),
        D(2023, 5, 31),
        None,
    ),
    # a: refused (no review): a final refusal
    ("a", MRA, D(2024, 1, 1), D(2024, 1, 11), D(2024, 2, 10), REFUSED, None, None, None),
    # b: withdrew before any decision
    ("b", MRA, D(2024, 1, 1), None, None, None, None, None, D(2024, 6, 1)),
    # b: still in the pathway (censored at the reference date)
    ("b", DIPLOMA, D(2024, 6, 1), D(2024, 7, 1), None, None, None, None, None),
]


def test_funnel_counts_each_stage_and_outcome():
    result = diagnosis.diagnose(frame(ROWS), synthetic=False, as_of=AS_OF)
    total = result.total
    assert total.applications == 5
    assert total.decisions == {FULL: 1, PARTIAL: 1, REFUSED: 1, "": 2}
    assert total.decided == 3
    assert (total.with_prescriptions, total.prescriptions_completed) == (1, 1)
    assert (total.permits, total.refusals_final, total.withdrawals, total.in_pathway) == (2, 1, 1, 1)
    assert [(f.label, f.applications) for f in result.funnels] == [("a", 3), ("b", 2)]


def test_step_durations_and_the_bottleneck_by_order():
    result = diagnosis.diagnose(frame(ROWS), synthetic=False, as_of=AS_OF)
    a = next(s for s in result.steps if s.label == "a")
    # complete: 10, 20, 10 -> mean 13.3; decision: 20, 20, 30 -> 23.3; prescriptions: 100; permit: 30, 10 -> 20.
    assert a.means["complete"] == pytest.approx(40 / 3)
    assert a.means["decision"] == pytest.approx(70 / 3)
    assert a.means["prescriptions"] == pytest.approx(100)
    assert a.medians["permit"] == pytest.approx(20)
    assert a.bottleneck == "prescriptions"


def test_year_over_year_change_by_cohort():
    result = diagnosis.diagnose(frame(ROWS), synthetic=False, as_of=AS_OF)
    assert [(y.cohort, y.applications, y.permits, y.change) for y in result.years] == [
        (2023, 2, 2, None),
        (2024, 3, 0, 50.0),
    ]


def test_a_cohort_restricts_the_funnel_but_not_the_years():
    result = diagnosis.diagnose(frame(ROWS), synthetic=False, as_of=AS_OF, cohort=2024)
    assert result.total.applications == 3
    assert len(result.years) == 2
    assert result.cohorts == [2023, 2024]


def test_time_to_permit_matches_the_unfolded_estimators():
    # Folding by (days, outcome) with weights gives exactly the estimate on the raw rows.
    result = diagnosis.diagnose(frame(ROWS), synthetic=False, as_of=AS_OF)
    durations = [60, 150, 40, 152, 303]
    events = [PERMIT, PERMIT, REFUSAL, WITHDRAWAL, CENSORED]
    raw = kaplan_meier(durations, events)
    assert result.survival_total.km.estimate.tolist() == pytest.approx(raw.estimate.tolist())
    assert result.survival_total.km_median.value == raw.median
    raw_refusal = cumulative_incidence(durations, events, event_of_interest=REFUSAL)
    assert result.survival_total.competing[REFUSAL].estimate.tolist() == pytest.approx(
        raw_refusal.estimate.tolist()
    )


def test_weighted_estimators_equal_replicated_rows_with_ties_and_censoring():
    durations = np.array([5, 5, 8, 10, 12])
    events = np.array([PERMIT, CENSORED, WITHDRAWAL, PERMIT, REFUSAL])
    weights = np.array([3, 2, 1, 4, 2])
    replicated = (np.repeat(durations, weights), np.repeat(events, weights))
    folded, unfolded = kaplan_meier(durations, events, weights=weights), kaplan_meier(*replicated)
    assert folded.estimate.tolist() == pytest.approx(unfolded.estimate.tolist())
    assert folded.lower.tolist() == pytest.approx(unfolded.lower.tolist(), nan_ok=True)
    assert folded.at_risk == unfolded.at_risk
    for kind in (PERMIT, REFUSAL, WITHDRAWAL):
        a = cumulative_incidence(durations, events, event_of_interest=kind, weights=weights)
        b = cumulative_incidence(*replicated, event_of_interest=kind)
        assert a.estimate.tolist() == pytest.approx(b.estimate.tolist())


def test_protected_figures_suppress_small_counts_and_their_complements():
    rows = ROWS + [("a", DIPLOMA, D(2023, 2, 1), None, D(2023, 4, 1), FULL, None, None, None)] * 10
    result = diagnosis.diagnose(frame(rows), synthetic=False, as_of=AS_OF, protected=True)
    total = result.total
    assert total.applications == 15
    # 11 full, 1 partial, 1 refusal, 2 undecided: the three small ones are hidden, and the 11 too,
    # else 15 - 11 would give back their sum (3 < 5) — complementary suppression.
    assert total.decisions == {FULL: "x", PARTIAL: "x", REFUSED: "x", "": "x"}
    assert total.decided == "x"
    b = next(f for f in result.funnels if f.label == "b")
    assert b.applications == "x"
    assert all(s.count == "x" for s in result.survival_groups if s.label == "b")


def test_protected_curves_stop_below_the_threshold_at_risk():
    rows = [
        (
            "a",
            DIPLOMA,
            D(2023, 1, 1),
            None,
            None,
            None,
            None,
            D(2023, 1, 1) + datetime.timedelta(days=10 * k),
            None,
        )
        for k in range(1, 13)
    ]
    result = diagnosis.diagnose(frame(rows), synthetic=False, as_of=AS_OF, protected=True, threshold=5)
    km = result.survival_total.km
    # 12 permits at 10, 20, …, 120: 5 remain at risk up to day 80, 4 at day 90.
    assert km.timeline.max() == 80


@pytest.mark.django_db
def test_the_loader_reads_one_kind_and_never_a_pseudonym(tmp_path):
    chemists = OrganizationFactory(
        code="ordre-des-chimistes-du-quebec", kind=Organization.Kind.PROFESSIONAL_ORDER
    )
    nurses = OrganizationFactory(
        code="ordre-des-infirmieres-du-quebec", kind=Organization.Kind.PROFESSIONAL_ORDER
    )
    store_synthetic(chemists, tmp_path, applications=30)
    store_real(
        nurses, tmp_path, ["infirmiere,FR,diploma_equivalence,2024-01-10,2024-04-01,full_recognition,"] * 3
    )
    synthetic_frame = diagnosis.load_frame(synthetic=True)
    real_frame = diagnosis.load_frame(synthetic=False)
    assert synthetic_frame.height == 30 and set(synthetic_frame["ordre"]) == {chemists.code}
    assert real_frame.height == 3 and set(real_frame["ordre"]) == {nurses.code}
    assert "pseudonyme" not in real_frame.columns
    assert real_frame["date_decision"].to_list() == [D(2024, 4, 1)] * 3
    assert diagnosis.load_frame(synthetic=True, order_ids=[nurses.pk]).height == 0
    assert diagnosis.kinds_present() == {False: 3, True: 30}


@pytest.mark.django_db
def test_the_loader_reads_a_constant_number_of_queries(tmp_path, django_assert_max_num_queries):
    # One statement (on PostgreSQL a COPY through the driver, which Django does not count).
    order = OrganizationFactory(
        code="ordre-des-chimistes-du-quebec", kind=Organization.Kind.PROFESSIONAL_ORDER
    )
    store_synthetic(order, tmp_path, applications=50)
    with django_assert_max_num_queries(1):
        assert diagnosis.load_frame(synthetic=True).height == 50


def test_a_chart_is_an_image_named_with_its_values_and_marked_synthetic():
    from concerto.pathway import charts

    svg = charts.bar_chart([("Demandes", 120), ("Refus", "x")], title="Entonnoir", ident="f", synthetic=True)
    assert 'role="img" aria-labelledby="f-t f-d"' in svg
    assert '<title id="f-t">Entonnoir</title>' in svg
    assert '<desc id="f-d">Données synthétiques. Demandes : 120; Refus : x</desc>' in svg
    assert svg.count("<rect") == 1  # a suppressed count is written, never drawn


def test_a_step_chart_describes_each_curve_at_one_year():
    from concerto.pathway import charts

    svg = charts.step_chart(
        [("Ensemble", np.array([0.0, 100.0, 400.0]), np.array([0.0, 0.25, 0.5]))],
        title="Permis",
        ident="k",
        y_label="Part ayant obtenu un permis",
    )
    assert "Ensemble : 25 % à un an" in svg
    assert "Données synthétiques" not in svg
