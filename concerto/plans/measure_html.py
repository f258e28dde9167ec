"""One measure's block on the plan page, written in Python.

The plan page repeats this block once per measure (hundreds on a large
plan); through the template language each block cost about a millisecond of
variable lookups and filter calls. This function writes exactly the HTML the
template wrote (``tests/test_plan_measure_html.py`` compares both, byte for
byte): every value goes through ``escape`` as ``{{ value }}`` would, after
the same localization; HTML already sanitized (the narratives) is kept as is.
"""

from __future__ import annotations

import html

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from concerto.core.templatetags.concerto import NBSP
from concerto.core.templatetags.concerto import percent as format_percent

LABELS = (
    "t_measure",
    "t_leads",
    "t_collaborators",
    "t_indicators",
    "t_state",
    "t_no_percent",
    "t_components",
    "t_read",
    "t_target",
    "t_deadline",
    "t_passed",
    "t_actual",
)
"""The labels the page translates once (``{% translate … as t_… %}``), by name."""


def _e(value) -> str:
    """``{{ value }}`` in an autoescaped template: localized, then escaped unless safe.

    Plain text and whole numbers, most of what the block prints, take a
    shorter path with the same result: ``localize`` leaves text as is and
    writes a whole number as ``str`` does unless thousands are grouped.
    """
    kind = type(value)
    if kind is str:
        return html.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return conditional_escape(localize(value))


def _percent(value) -> str:
    """``{{ value|percent }}``."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return f"{value}{NBSP}%"
    return _e(format_percent(value))


def measure_article(
    m, *, measure_url: str, organization_url: str, as_of_query: str, labels: dict
) -> SafeString:
    """The ``<article>`` of one ``MeasureState`` (see ``state.load_plan_state``).

    ``measure_url`` and ``organization_url`` end with a slash and take the
    measure number or organization code; ``labels`` maps the names of
    ``LABELS`` to their text, already escaped.
    """
    t = labels
    measure = m.measure
    number = _e(measure.number)
    org_url = _e(organization_url)
    out = []
    w = out.append
    w(f'<article class="measure" id="mesure-{number}" aria-labelledby="measure-title-{number}">\n')
    w(
        f'    <h3 id="measure-title-{number}"><span class="measure-number">{t["t_measure"]} {number}</span> '
        f'<a href="{_e(measure_url)}{number}/{_e(as_of_query)}" lang="fr">{_e(measure.title)}</a></h3>\n'
    )
    w('    <div class="measure-grid">\n      <div>\n        <dl class="people">\n')
    w(f'          <dt>{t["t_leads"]}</dt>\n          <dd lang="fr">')
    leads = m.leads
    last = len(leads) - 1
    for index, o in enumerate(leads):
        w(f'<a href="{org_url}{_e(o.code)}/"')
        if o.acronym:
            w(f' title="{_e(o.name)}"')
        w(f">{_e(o.label)}</a>")
        if index != last:
            w(", ")
    if measure.lead_note:
        w(f" ({_e(measure.lead_note)})")
    w("</dd>\n          ")
    if m.collaborators:
        w(f'\n          <dt>{t["t_collaborators"]}</dt>\n          <dd lang="fr">')
        last = len(m.collaborators) - 1
        for index, c in enumerate(m.collaborators):
            organization = c.organization
            if organization:
                w(f'<a href="{org_url}{_e(organization.code)}/"')
                if organization.acronym:
                    w(f' title="{_e(organization.name)}"')
                w(f">{_e(organization.label)}</a>")
            else:
                w(_e(c.text))
            if c.note:
                w(f" ({_e(c.note)})")
            if index != last:
                w(", ")
        w("</dd>\n          ")
    w(f'\n        </dl>\n        <h4>{t["t_indicators"]}</h4>\n        <ul class="indicators">\n          ')
    for i in m.indicators:
        d = i.indicator
        w(
            f'\n          <li>\n            <span class="indicator-label" lang="fr">{_e(d.label)}</span>\n            '
        )
        if d.target_value is not None and d.target_text != d.label:
            w(f'<span class="target" lang="fr">{t["t_target"]} {_e(d.target_text)}</span>')
        passed = i.deadline_passed
        w(
            f'\n            <span class="deadline{" deadline-passed" if passed else ""}">{t["t_deadline"]} '
            f'<span lang="fr">{_e(d.deadline_text)}</span>'
        )
        if passed:
            w(f' <span class="flag">({t["t_passed"]})</span>')
        w("</span>\n            ")
        value = i.value
        actual = value.actual if value else None
        percent = value.effective_percent if value else None
        if actual is not None:
            w(f'<span class="actual">{t["t_actual"]} {_e(floatformat(actual, "-2"))}')
            if d.target_value is not None:
                w(f" / {_e(floatformat(d.target_value, '-2'))}")
            if percent is not None:
                w(f" ({_percent(percent)})")
            w("</span>")
        elif percent is not None:
            w(f'<span class="actual">{_percent(percent)}')
            if value.note:
                w(f' — <span lang="fr">{_e(value.note)}</span>')
            w("</span>")
        w("\n          </li>\n          ")
    w(
        f'\n        </ul>\n      </div>\n      <div class="measure-progress">\n        <h4>{t["t_state"]}</h4>\n        <p>'
    )
    if m.percent is not None:
        shown = _percent(m.percent)
        w(
            f'<span class="percent">{shown}</span> <progress max="100" value="{_e(m.percent)}" '
            f'aria-hidden="true">{shown}</progress>'
        )
    else:
        w(f'<span class="percent percent-none">{t["t_no_percent"]}</span>')
    report = m.report
    w(f' <span class="status status-{_e(m.status)}">{_e(m.status_label)}</span>')
    if report and report.completed_in:
        year = gettext("en %(year)s") % {"year": _e(report.completed_in)}
        w(f' <span class="completed-in">({year})</span>')
    w("</p>\n        ")
    components = m.components
    if components:
        w(f'\n        <ul class="components" aria-label="{t["t_components"]}">\n          ')
        for c in components:
            w('<li><span class="component-label" lang="fr">')
            organization = c.organization
            if organization:
                w(
                    f'<a href="{org_url}{_e(organization.code)}/" title="{_e(organization.name)}">{_e(c.label)}</a>'
                )
            else:
                w(_e(c.label))
            w("</span> ")
            if c.percent is not None:
                shown = _percent(c.percent)
                w(
                    f'<span class="percent">{shown}</span> <progress max="100" value="{_e(c.percent)}" '
                    f'aria-hidden="true">{shown}</progress>'
                )
            else:
                w(f'<span class="percent percent-none">{t["t_no_percent"]}</span>')
            w("</li>")
        w("\n        </ul>\n        ")
    w("\n        ")
    if m.narrative or components:
        w(
            f"\n        <details>\n          <summary>{t['t_read']}</summary>\n"
            f'          <div class="narrative" lang="fr">{_e(m.narrative_html)}</div>\n          '
        )
        for c in components:
            if c.narrative:
                w(
                    f'<h5 class="component-label" lang="fr">{_e(c.label)}</h5>'
                    f'<div class="narrative" lang="fr">{_e(c.narrative_as_html)}</div>'
                )
        w("\n        </details>\n        ")
    w("\n      </div>\n    </div>\n  </article>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or already sanitized
