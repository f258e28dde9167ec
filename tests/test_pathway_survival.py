"""Time-to-permit estimators on small cases computed by hand (expected values in the comments)."""

import datetime
import math

import numpy as np
import polars as pl
import pytest

from concerto.pathway.survival import (
    CENSORED,
    PERMIT,
    REFUSAL,
    WITHDRAWAL,
    competing_outcomes,
    cumulative_incidence,
    kaplan_meier,
    number_at_risk,
    outcomes,
    publishable,
)

C, P, R, W = CENSORED, PERMIT, REFUSAL, WITHDRAWAL


def at(curve, t):
    """Value of the step function at time t (last step at or before t)."""
    index = np.searchsorted(curve.timeline, t, side="right") - 1
    return curve.estimate[index]


def test_kaplan_meier_without_censoring_is_the_empirical_share():
    # 4 permits at 10, 20, 30, 40: S = 3/4, 2/4, 1/4, 0; median: first S <= 0.5, at 20.
    curve = kaplan_meier([10, 20, 30, 40], [P, P, P, P])
    assert [at(curve, t) for t in (0, 10, 20, 30, 40)] == pytest.approx([1, 0.75, 0.5, 0.25, 0])
    assert curve.median == 20


def test_kaplan_meier_treats_people_still_in_the_pathway_as_censored():
    # Times 1, 2, 2+, 3, 4+, 5 (+ = censored).
    # t=1: 6 at risk, 1 permit: S = 5/6 = 0.8333
    # t=2: 5 at risk (the one censored at 2 still counts), 1 permit: S = 5/6 * 4/5 = 0.6667
    # t=3: 3 at risk, 1 permit: S = 0.6667 * 2/3 = 0.4444  -> median 3
    # t=4: censored, S unchanged; t=5: 1 at risk, 1 permit: S = 0
    curve = kaplan_meier([1, 2, 2, 3, 4, 5], [P, P, C, P, C, P])
    assert [at(curve, t) for t in (1, 2, 3, 4, 5)] == pytest.approx([5 / 6, 2 / 3, 4 / 9, 4 / 9, 0])
    assert curve.median == 3
    assert curve.median_lower <= 3 <= curve.median_upper


def test_kaplan_meier_with_tied_permits():
    # Times 5, 5, 5, 8+, 10: t=5: 5 at risk, 3 permits: S = 2/5 = 0.4 (median 5);
    # t=10: 1 at risk, 1 permit: S = 0.
    curve = kaplan_meier([5, 5, 5, 8, 10], [P, P, P, C, P])
    assert at(curve, 5) == pytest.approx(0.4)
    assert at(curve, 9) == pytest.approx(0.4)
    assert at(curve, 10) == pytest.approx(0)
    assert curve.median == 5


def test_kaplan_meier_censors_refusals_and_withdrawals():
    # Only permits are events: times 1 (R), 2 (P), 3 (W), 4 (P).
    # t=2: 3 at risk, S = 2/3; t=4: 1 at risk, S = 0.
    curve = kaplan_meier([1, 2, 3, 4], [R, P, W, P])
    assert at(curve, 2) == pytest.approx(2 / 3)
    assert at(curve, 4) == pytest.approx(0)


def test_kaplan_meier_median_is_infinite_when_half_are_never_permitted():
    curve = kaplan_meier([1, 2, 3, 4], [P, C, C, C])
    assert curve.median == math.inf


def test_confidence_interval_surrounds_the_estimate():
    rng = np.random.default_rng(0)
    durations = rng.integers(1, 400, 300)
    events = np.where(rng.random(300) < 0.8, P, C)
    curve = kaplan_meier(durations, events)
    inside = ~np.isnan(curve.lower)
    assert np.all(curve.lower[inside] <= curve.estimate[inside] + 1e-12)
    assert np.all(curve.estimate[inside] <= curve.upper[inside] + 1e-12)
    assert curve.median_lower <= curve.median <= curve.median_upper


def test_aalen_johansen_with_competing_outcomes_and_ties_across_kinds():
    # Times/outcomes: 1 P, 1 R, 2 P, 2 C, 3 W, 4 P.  S is the all-cause survival just before t.
    # t=1: n=6, one permit and one refusal: CIF_P = 1/6, CIF_R = 1/6, S = 4/6
    # t=2: n=4, one permit (one censored at 2 still at risk): CIF_P += 4/6 * 1/4 = 1/6 -> 1/3; S = 4/6 * 3/4 = 1/2
    # t=3: n=2, one withdrawal: CIF_W = 1/2 * 1/2 = 1/4; S = 1/4
    # t=4: n=1, one permit: CIF_P += 1/4 -> 7/12 = 0.5833 (median 4)
    durations = [1, 1, 2, 2, 3, 4]
    events = [P, R, P, C, W, P]
    permit = cumulative_incidence(durations, events, event_of_interest=P)
    assert list(permit.timeline) == [0, 1, 2, 3, 4]
    assert [at(permit, t) for t in (0, 1, 2, 3, 4)] == pytest.approx([0, 1 / 6, 1 / 3, 1 / 3, 7 / 12])
    assert permit.median == 4
    refusal = cumulative_incidence(durations, events, event_of_interest=R)
    assert at(refusal, 4) == pytest.approx(1 / 6)
    withdrawal = cumulative_incidence(durations, events, event_of_interest=W)
    assert at(withdrawal, 4) == pytest.approx(1 / 4)
    # The three incidences and the survival add up to one: 7/12 + 1/6 + 1/4 + 0 = 1.
    assert at(permit, 4) + at(refusal, 4) + at(withdrawal, 4) == pytest.approx(1)


def test_aalen_johansen_is_deterministic_with_ties():
    durations = [3, 3, 3, 3, 5, 5, 5, 7]
    events = [P, R, W, C, P, R, C, P]
    first = cumulative_incidence(durations, events).estimate
    second = cumulative_incidence(durations, events).estimate
    assert np.array_equal(first, second)
    # t=3: n=8, one of each kind: CIF_P = 1/8, S = 5/8; t=5: n=4: CIF_P += 5/8 * 1/4 = 5/32 -> 9/32.
    assert first[-2] == pytest.approx(9 / 32)


def test_aalen_johansen_is_below_one_minus_kaplan_meier_with_competing_outcomes():
    rng = np.random.default_rng(1)
    durations = rng.integers(1, 500, 400)
    events = rng.choice([C, P, R, W], 400, p=[0.2, 0.6, 0.1, 0.1])
    km = kaplan_meier(durations, events)
    aj = cumulative_incidence(durations, events)
    assert aj.estimate[-1] <= 1 - km.estimate[-1] + 1e-9


def test_competing_outcomes_gives_one_curve_per_outcome():
    curves = competing_outcomes([1, 2, 3], [P, R, W])
    assert set(curves) == {P, R, W}


def test_number_at_risk_table():
    # Durations 0, 10+, 20, 30+, 40: at 0: 5 at risk; at 20: 3 (20, 30, 40), 1 permit and 1 censored by then.
    rows = number_at_risk([0, 10, 20, 30, 40], [P, C, P, C, P], times=(0, 20, 50), event_of_interest=P)
    assert [(r.time, r.at_risk, r.events, r.censored) for r in rows] == [
        (0, 5, 1, 0),
        (20, 3, 2, 1),
        (50, 0, 3, 2),
    ]


def test_publishable_curve_stops_where_fewer_than_the_threshold_are_at_risk():
    durations = list(range(1, 11))
    curve = kaplan_meier(durations, [P] * 10)
    cut = publishable(curve, durations, threshold=5)
    # At t=6, durations 6..10 remain: 5 at risk; at t=7 only 4.
    assert cut.timeline[-1] == 6
    assert all(r.at_risk >= 5 for r in cut.at_risk)
    assert cut.median == 5


def _frame(rows):
    columns = {
        "date_reception": pl.Date,
        "date_decision": pl.Date,
        "decision": pl.String,
        "revision_demandee": pl.Boolean,
        "resultat_revision": pl.String,
        "date_permis": pl.Date,
        "date_fermeture": pl.Date,
    }
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema=columns)


def test_outcomes_of_a_submission():
    day = datetime.date
    start = day(2024, 1, 1)
    frame = _frame(
        [
            {"date_reception": start, "date_permis": day(2024, 4, 10)},  # permit, 100 days
            {"date_reception": start, "date_fermeture": day(2024, 1, 31)},  # withdrawal, 30 days
            {"date_reception": start, "decision": "refusal", "date_decision": day(2024, 3, 1)},  # refusal, 60
            {
                "date_reception": start,
                "decision": "refusal",
                "date_decision": day(2024, 3, 1),
                "revision_demandee": True,
            },  # review pending: still in the pathway
            {"date_reception": start},  # still in the pathway at the reference date
            {"date_reception": start, "date_permis": day(2023, 12, 1)},  # impossible: excluded
        ]
    )
    result = outcomes(frame, as_of=day(2024, 12, 31))
    assert list(result.events) == [P, W, R, C, C]
    assert list(result.durations) == [100, 30, 60, 365, 365]
    assert result.excluded == 1


@pytest.mark.parametrize("event_of_interest", [PERMIT, REFUSAL, WITHDRAWAL])
def test_aalen_johansen_variance_is_lifelines_own(event_of_interest):
    """The prefix-sum variance gives lifelines' loop's numbers on weighted data with ties."""
    import warnings

    from lifelines import AalenJohansenFitter

    from concerto.pathway.survival import _aalen_johansen_fitter

    rng = np.random.default_rng(7)
    events = rng.integers(0, 4, 400)
    durations = rng.integers(0, 300, 400) - np.where(events == C, 0.0, (W + 1 - events) * 1e-3)
    weights = rng.integers(1, 20, 400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        theirs = AalenJohansenFitter(calculate_variance=True).fit(
            durations, events, event_of_interest=event_of_interest, weights=weights
        )
        ours = _aalen_johansen_fitter(calculate_variance=True).fit(
            durations, events, event_of_interest=event_of_interest, weights=weights
        )
    assert list(ours.confidence_interval_.columns) == list(theirs.confidence_interval_.columns)
    np.testing.assert_allclose(ours.variance_.to_numpy(), theirs.variance_.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        ours.confidence_interval_.to_numpy(), theirs.confidence_interval_.to_numpy(), rtol=1e-12, atol=1e-15
    )
