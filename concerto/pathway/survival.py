"""Time to permit: Kaplan–Meier and Aalen–Johansen estimates, with lifelines.

Each application starts on ``date_reception`` and ends in one of three
outcomes, or is still in the pathway at the reference date (censored):

- ``PERMIT`` on ``date_permis``;
- ``WITHDRAWAL`` on ``date_fermeture`` (withdrawn by the person or closed by
  the order), when no permit was issued;
- ``REFUSAL`` on ``date_decision`` when the decision is a refusal and no
  review is pending or changed it.

``kaplan_meier`` estimates the share not yet permitted over time, treating
refusals and withdrawals as censored (the usual figure, which overstates
the chance of a permit when others leave the pathway). ``cumulative_incidence``
is the Aalen–Johansen estimate of each outcome with the other two competing,
which does not.

Why lifelines: a kept library whose Kaplan–Meier (Greenwood variance,
log(-log) confidence intervals, median and its interval) and Aalen–Johansen
estimators are tested against R's ``survival``; its cost is an import of
about 1.3 s, paid only when an estimate is computed (it is imported inside
the functions, never at Django start-up).

Ties between outcomes of different kinds on the same day: lifelines'
Aalen–Johansen fitter would jitter them at random. We instead move each
outcome a fixed fraction of a day *earlier* (permit, then refusal, then
withdrawal), before anyone censored that day leaves the risk set. This gives
exactly the tied estimate: with ``n`` at risk, ``d1`` and ``d2`` outcomes
of two kinds on one day, processing them in turn adds ``S·d1/n`` and
``S(1-d1/n)·d2/(n-d1) = S·d2/n`` to the two incidences, as the simultaneous
formula does, and leaves ``S(n-d1-d2)/n``. Times are reported rounded back
to whole days.
"""

from __future__ import annotations

import datetime
import math
import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl

CENSORED, PERMIT, REFUSAL, WITHDRAWAL = 0, 1, 2, 3
OUTCOME_LABELS = {
    CENSORED: "Toujours dans le parcours",
    PERMIT: "Permis délivré",
    REFUSAL: "Refus",
    WITHDRAWAL: "Désistement ou fermeture",
}
_TIE_STEP = 1e-3  # days; far below the one-day resolution of the data
DEFAULT_AT_RISK_TIMES = (0, 90, 180, 365, 730, 1095)


@dataclass(frozen=True)
class Outcomes:
    durations: np.ndarray  # days from application, float
    events: np.ndarray  # CENSORED, PERMIT, REFUSAL or WITHDRAWAL
    excluded: int  # rows whose end precedes their start (impossible sequences)


def outcomes(frame: pl.DataFrame, *, as_of: datetime.date) -> Outcomes:
    """Duration and outcome of each application of a validated submission frame."""
    c = pl.col
    refusal_final = (c("decision") == "refusal") & (
        ~c("revision_demandee").fill_null(False) | (c("resultat_revision") == "maintained")
    ).fill_null(False)
    derived = frame.select(
        start=c("date_reception"),
        end=pl.when(c("date_permis").is_not_null())
        .then(c("date_permis"))
        .when(c("date_fermeture").is_not_null())
        .then(c("date_fermeture"))
        .when(refusal_final)
        .then(c("date_decision"))
        .otherwise(pl.lit(as_of)),
        event=pl.when(c("date_permis").is_not_null())
        .then(PERMIT)
        .when(c("date_fermeture").is_not_null())
        .then(WITHDRAWAL)
        .when(refusal_final)
        .then(REFUSAL)
        .otherwise(CENSORED),
    ).with_columns(days=(c("end") - c("start")).dt.total_days())
    valid = derived.filter(c("days") >= 0)
    return Outcomes(
        durations=valid.get_column("days").to_numpy().astype(float),
        events=valid.get_column("event").to_numpy().astype(int),
        excluded=derived.height - valid.height,
    )


@dataclass(frozen=True)
class AtRisk:
    time: float
    at_risk: int
    events: int  # cumulated up to and including ``time``
    censored: int  # cumulated up to and including ``time``


@dataclass(frozen=True)
class Curve:
    """A step function with its pointwise 95 % confidence interval."""

    timeline: np.ndarray
    estimate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    median: float  # math.inf when the curve never crosses one half
    median_lower: float
    median_upper: float
    at_risk: tuple[AtRisk, ...]


def _weights(durations: np.ndarray, weights) -> np.ndarray:
    """Whole-number weights (how many applications each row stands for); 1 each when None."""
    if weights is None:
        return np.ones(durations.shape, dtype=np.int64)
    return np.asarray(weights, dtype=np.int64)


def number_at_risk(
    durations, events, times=DEFAULT_AT_RISK_TIMES, *, event_of_interest=None, weights=None
) -> tuple[AtRisk, ...]:
    """At each time: how many are still followed (duration ≥ time), and how many
    had the event of interest (any outcome when None) or were censored by then."""
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events)
    w = _weights(durations, weights)
    happened = events != CENSORED if event_of_interest is None else events == event_of_interest
    rows = []
    for t in times:
        rows.append(
            AtRisk(
                time=float(t),
                at_risk=int(w[durations >= t].sum()),
                events=int(w[happened & (durations <= t)].sum()),
                censored=int(w[~happened & (durations <= t)].sum()),
            )
        )
    return tuple(rows)


def _bounds(interval) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) of a lifelines interval frame, whatever the order of its two columns."""
    bounds = interval.to_numpy(dtype=float)
    return np.fmin(bounds[:, 0], bounds[:, 1]), np.fmax(bounds[:, 0], bounds[:, 1])


def _crossing(timeline: np.ndarray, values: np.ndarray, level: float, *, rising: bool) -> float:
    """First time a step function reaches ``level`` (≤ for a falling curve), else inf."""
    reached = values >= level if rising else values <= level
    reached &= ~np.isnan(values)
    index = np.flatnonzero(reached)
    return float(timeline[index[0]]) if index.size else math.inf


def kaplan_meier(
    durations, events, *, times=DEFAULT_AT_RISK_TIMES, alpha: float = 0.05, weights=None
) -> Curve:
    """Share of applications not yet permitted over time (other outcomes censored).

    ``weights``: how many applications each (duration, outcome) row stands for. Durations
    are whole days, so a million applications fold into a few thousand weighted rows, which
    give exactly the estimate (and Greenwood interval) of the unfolded data, much faster."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events)
    permitted = events == PERMIT
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # log(0) at the curve's flat ends: NaN bounds
        fitter = KaplanMeierFitter(alpha=alpha).fit(
            durations,
            event_observed=permitted,
            weights=None if weights is None else _weights(durations, weights),
        )
        interval = median_survival_times(fitter.confidence_interval_)
    timeline = fitter.survival_function_.index.to_numpy(dtype=float)
    lower, upper = _bounds(fitter.confidence_interval_)
    return Curve(
        timeline=timeline + 0.0,
        estimate=fitter.survival_function_.iloc[:, 0].to_numpy(dtype=float),
        lower=lower,
        upper=upper,
        median=float(fitter.median_survival_time_),
        median_lower=float(interval.iloc[0, 0]),
        median_upper=float(interval.iloc[0, 1]),
        at_risk=number_at_risk(durations, events, times, event_of_interest=PERMIT, weights=weights),
    )


def _aalen_johansen_fitter(**kwargs):
    """lifelines' Aalen–Johansen fitter, with its variance computed by array prefix sums.

    lifelines (0.30) computes the variance of the cumulative incidence (Collett's
    delta-method formula, its ``_bounds``) in a Python loop over the rows of the event
    table, through pandas' ``iterrows``: most of the time of a diagnosis over a million
    applications. The loop keeps three running sums (its ``QuadraticAccumulator`` and
    ``LinearAccumulator``); ``numpy.cumsum`` adds the same terms in the same order, so
    the variance and bounds are the same numbers (``test_pathway_survival`` compares
    them with lifelines' own on the same data). The estimate itself is lifelines'.
    """
    import pandas as pd
    from lifelines import AalenJohansenFitter
    from lifelines.utils import inv_normal_cdf

    class Fitter(AalenJohansenFitter):
        def _bounds(self, lagged_survival, alpha, ci_labels):
            table = self.event_table
            ft = self.cumulative_density_.iloc[:, 0].to_numpy(dtype=float)
            lag = lagged_survival.fillna(1).to_numpy(dtype=float)
            observed = table["observed"].to_numpy(dtype=float)
            at_risk = table["at_risk"].to_numpy(dtype=float)
            of_interest = table[self.label_cmprisk].to_numpy(dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                a = observed / at_risk / (at_risk - observed)
                first = np.cumsum(a * ft**2) + np.cumsum(-(2 * a * ft)) * ft + np.cumsum(a) * ft**2
                second = np.cumsum(lag**2 * of_interest * (at_risk - of_interest) / at_risk**3)
                c = lag * of_interest / at_risk**2
                third = np.cumsum(-(c * ft)) + np.cumsum(c) * ft
                variance = first + second - 2 * third
                transformed = np.log(-np.log(ft))
                se = np.sqrt(variance) / (ft * np.absolute(np.log(ft)))
            ci = 1 - alpha
            if ci_labels is None:
                ci_labels = [f"{self._label}_upper_{ci:g}", f"{self._label}_lower_{ci:g}"]
            z = inv_normal_cdf(1 - alpha / 2)
            with np.errstate(over="ignore", invalid="ignore"):
                bounds = pd.DataFrame(
                    {
                        ci_labels[0]: np.exp(-np.exp(transformed + z * se)),
                        ci_labels[1]: np.exp(-np.exp(transformed - z * se)),
                    },
                    index=table.index,
                )
            return pd.Series(variance, index=table.index, name="variance"), bounds

    return Fitter(**kwargs)


def cumulative_incidence(
    durations,
    events,
    *,
    event_of_interest: int = PERMIT,
    times=DEFAULT_AT_RISK_TIMES,
    alpha: float = 0.05,
    weights=None,
) -> Curve:
    """Aalen–Johansen cumulative incidence of one outcome, the two others competing.

    The median is the first time the incidence reaches one half (inf if never);
    its interval is read from the pointwise bounds, as lifelines does for Kaplan–Meier.
    """
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=int)
    shifted = durations - np.where(events == CENSORED, 0.0, (WITHDRAWAL + 1 - events) * _TIE_STEP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fitter = _aalen_johansen_fitter(alpha=alpha, calculate_variance=True).fit(
            shifted,
            events,
            event_of_interest=event_of_interest,
            weights=None if weights is None else _weights(durations, weights),
        )
    incidence = fitter.cumulative_density_.iloc[:, 0].to_numpy(dtype=float)
    lower, upper = _bounds(fitter.confidence_interval_)
    raw_times = fitter.cumulative_density_.index.to_numpy(dtype=float)
    # Several shifted points fall on one day: keep the last value of each day.
    days = np.ceil(raw_times - 1e-9)
    last_of_day = np.r_[days[1:] != days[:-1], True]
    timeline, incidence = days[last_of_day] + 0.0, incidence[last_of_day]
    lower, upper = lower[last_of_day], upper[last_of_day]
    return Curve(
        timeline=timeline,
        estimate=incidence,
        lower=lower,
        upper=upper,
        median=_crossing(timeline, incidence, 0.5, rising=True),
        median_lower=_crossing(timeline, upper, 0.5, rising=True),
        median_upper=_crossing(timeline, lower, 0.5, rising=True),
        at_risk=number_at_risk(
            durations, events, times, event_of_interest=event_of_interest, weights=weights
        ),
    )


def competing_outcomes(durations, events, **kwargs) -> dict[int, Curve]:
    """The Aalen–Johansen curve of each outcome: permit, refusal, withdrawal."""
    return {
        kind: cumulative_incidence(durations, events, event_of_interest=kind, **kwargs)
        for kind in (PERMIT, REFUSAL, WITHDRAWAL)
    }


def publishable(curve: Curve, durations, *, threshold: int = 5, weights=None) -> Curve:
    """The curve cut where fewer than ``threshold`` applications remain at risk
    (a protected publication never shows a point computed from a small group)."""
    durations = np.asarray(durations, dtype=float)
    order = np.argsort(durations, kind="stable")
    durations = durations[order]
    w = _weights(durations, weights)[order] if weights is not None else np.ones(durations.size, np.int64)
    remaining = np.r_[np.cumsum(w[::-1])[::-1], 0]  # weight at or after each sorted position
    at_risk = remaining[np.searchsorted(durations, curve.timeline, side="left")]
    keep = at_risk >= threshold
    last = float(curve.timeline[keep][-1]) if keep.any() else -math.inf

    def shown(time: float) -> float:
        return time if time <= last else math.inf

    return Curve(
        timeline=curve.timeline[keep],
        estimate=curve.estimate[keep],
        lower=curve.lower[keep],
        upper=curve.upper[keep],
        median=shown(curve.median),
        median_lower=shown(curve.median_lower),
        median_upper=shown(curve.median_upper),
        at_risk=tuple(r for r in curve.at_risk if r.at_risk >= threshold),
    )
