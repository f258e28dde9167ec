"""A measure's HTML, written in Python: its block on the plan page and the parts
of its own page.

The plan page repeats its block once per measure (hundreds on a large
plan); through the template language each block cost about a millisecond of
variable lookups and filter calls, and the measure page's partial templates
were most of its rendering time. ``measure_article`` writes exactly the HTML
the plan page's template wrote; the measure page's parts write what its
partial templates wrote, but for layout whitespace
(``tests/test_plan_measure_html.py`` compares them). Every value goes through
``escape`` as ``{{ value }}`` would, after the same localization; HTML already
sanitized (the narratives) is kept as is.
"""

from __future__ import annotations

import html

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from concerto.core.templatetags.concerto import NBSP
from concerto.core.templatetags.concerto import percent as format_percent

LABEL_TEXTS = {
    "t_measure": gettext_noop("Mesure"),
    "t_leads": gettext_noop("M/O en charge"),
    "t_collaborators": gettext_noop("M/O collaborateurs"),
    "t_indicators": gettext_noop("Indicateurs, cibles et échéances"),
    "t_state": gettext_noop("État d’avancement"),
    "t_no_percent": gettext_noop("Non chiffré"),
    "t_components": gettext_noop("Avancement par composante"),
    "t_read": gettext_noop("Lire l’état d’avancement"),
    "t_target": gettext_noop("Cible :"),
    "t_deadline": gettext_noop("Échéance :"),
    "t_passed": gettext_noop("dépassée"),
    "t_actual": gettext_noop("Atteint :"),
}
"""The labels of a measure, by name: the plan page translates them once
(``{% translate … as t_… %}``), the measure page through ``labels``."""

LABELS = tuple(LABEL_TEXTS)


def labels(*names: str) -> dict[str, str]:
    """The labels ``names`` in the active language, escaped."""
    return {name: conditional_escape(gettext(LABEL_TEXTS[name])) for name in names}


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


def progress_meter(percent, no_percent: str) -> SafeString:
    """A percentage written out and drawn as a bar, or ``no_percent`` (already escaped)
    when there is none: on the plan page and the measure page."""
    if percent is None:
        return mark_safe(f'<span class="percent percent-none">{no_percent}</span>')  # noqa: S308 - escaped
    shown = _percent(percent)
    return mark_safe(  # noqa: S308 - every value escaped
        f'<span class="percent">{shown}</span> <progress max="100" value="{_e(percent)}" '
        f'aria-hidden="true">{shown}</progress>'
    )


def measure_status(m) -> SafeString:
    """The state's status badge, and the year it was completed in if said."""
    html_ = f'<span class="status status-{_e(m.status)}">{_e(m.status_label)}</span>'
    report = m.report
    if report and report.completed_in:
        year = gettext("en %(year)s") % {"year": _e(report.completed_in)}
        html_ += f' <span class="completed-in">({year})</span>'
    return mark_safe(html_)  # noqa: S308 - every value escaped


def _organization_link(o, org_url: str, *, lang: bool = False, title: bool = False) -> str:
    """A link to an organization's page (``org_url`` escaped, ending with a slash), its
    full name as title when ``title`` or when the label is an acronym."""
    attributes = ' lang="fr"' if lang else ""
    if title or o.acronym:
        attributes += f' title="{_e(o.name)}"'
    return f'<a href="{org_url}{_e(o.code)}/"{attributes}>{_e(o.label)}</a>'


def _leads(m, org_url: str, *, lang: bool = False) -> str:
    """The organizations in charge, then the note on them."""
    text = ", ".join(_organization_link(o, org_url, lang=lang) for o in m.leads)
    if m.measure.lead_note:
        text += f" ({_e(m.measure.lead_note)})"
    return text


def _collaborators(m, org_url: str) -> str:
    items = []
    for c in m.collaborators:
        item = _organization_link(c.organization, org_url) if c.organization else _e(c.text)
        if c.note:
            item += f" ({_e(c.note)})"
        items.append(item)
    return ", ".join(items)


def _indicator_target(d, t: dict) -> str:
    if d.target_value is not None and d.target_text != d.label:
        return f'<span class="target" lang="fr">{t["t_target"]} {_e(d.target_text)}</span>'
    return ""


def _indicator_deadline(i, t: dict) -> str:
    d = i.indicator
    passed = i.deadline_passed
    flag = f' <span class="flag">({t["t_passed"]})</span>' if passed else ""
    return (
        f'<span class="deadline{" deadline-passed" if passed else ""}">{t["t_deadline"]} '
        f'<span lang="fr">{_e(d.deadline_text)}</span>{flag}</span>'
    )


def _indicator_actual(i, t: dict) -> str:
    d = i.indicator
    value = i.value
    actual = value.actual if value else None
    percent = value.effective_percent if value else None
    if actual is not None:
        text = f'<span class="actual">{t["t_actual"]} {_e(floatformat(actual, "-2"))}'
        if d.target_value is not None:
            text += f" / {_e(floatformat(d.target_value, '-2'))}"
        if percent is not None:
            text += f" ({_percent(percent)})"
        return text + "</span>"
    if percent is not None:
        text = f'<span class="actual">{_percent(percent)}'
        if value.note:
            text += f' — <span lang="fr">{_e(value.note)}</span>'
        return text + "</span>"
    return ""


def _component_label(c, org_url: str) -> str:
    if c.organization:
        return f'<a href="{org_url}{_e(c.organization.code)}/" title="{_e(c.organization.name)}">{_e(c.label)}</a>'
    return _e(c.label)


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
    w(f'          <dt>{t["t_leads"]}</dt>\n          <dd lang="fr">{_leads(m, org_url)}</dd>\n          ')
    if m.collaborators:
        w(
            f'\n          <dt>{t["t_collaborators"]}</dt>\n          <dd lang="fr">{_collaborators(m, org_url)}</dd>'
            "\n          "
        )
    w(f'\n        </dl>\n        <h4>{t["t_indicators"]}</h4>\n        <ul class="indicators">\n          ')
    for i in m.indicators:
        w(
            f'\n          <li>\n            <span class="indicator-label" lang="fr">{_e(i.indicator.label)}</span>'
            f"\n            {_indicator_target(i.indicator, t)}\n            {_indicator_deadline(i, t)}"
            f"\n            {_indicator_actual(i, t)}\n          </li>\n          "
        )
    w(
        f'\n        </ul>\n      </div>\n      <div class="measure-progress">\n        <h4>{t["t_state"]}</h4>\n        <p>'
    )
    w(f"{progress_meter(m.percent, t['t_no_percent'])} {measure_status(m)}</p>\n        ")
    components = m.components
    if components:
        w(f'\n        <ul class="components" aria-label="{t["t_components"]}">\n          ')
        for c in components:
            w(
                f'<li><span class="component-label" lang="fr">{_component_label(c, org_url)}</span> '
                f"{progress_meter(c.percent, t['t_no_percent'])}</li>"
            )
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


# The measure page's parts (``measure_detail.html``, through the tags of
# ``templatetags/plan_page.py``): the same pieces as the article above, laid out
# for a page of their own (lead organizations marked as French, components'
# narratives under each component).


def measure_people(m, organization_url: str) -> SafeString:
    """Who is in charge of the measure and who collaborates, as a ``<dl>``."""
    t = labels("t_leads", "t_collaborators")
    org_url = _e(organization_url)
    out = [
        f'<dl class="people">\n  <dt>{t["t_leads"]}</dt>\n  <dd lang="fr">{_leads(m, org_url, lang=True)}</dd>\n'
    ]
    if m.collaborators:
        out.append(f'  <dt>{t["t_collaborators"]}</dt>\n  <dd lang="fr">{_collaborators(m, org_url)}</dd>\n')
    out.append("</dl>")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped


def measure_indicators(m) -> SafeString:
    """The measure's indicators, targets, deadlines and values reached, as a ``<ul>``."""
    t = labels("t_target", "t_deadline", "t_passed", "t_actual")
    out = ['<ul class="indicators">\n']
    for i in m.indicators:
        out.append(
            f'  <li>\n    <span class="indicator-label" lang="fr">{_e(i.indicator.label)}</span>\n'
            f"    {_indicator_target(i.indicator, t)}\n    {_indicator_deadline(i, t)}\n"
            f"    {_indicator_actual(i, t)}\n  </li>\n"
        )
    out.append("</ul>")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped


def measure_components(m, organization_url: str) -> SafeString:
    """The progress of each component, with its narrative; nothing without components."""
    if not m.components:
        return mark_safe("")
    t = labels("t_components", "t_no_percent")
    org_url = _e(organization_url)
    out = [f'<ul class="components" aria-label="{t["t_components"]}">\n']
    for c in m.components:
        out.append(
            f'  <li>\n    <span class="component-label" lang="fr">{_component_label(c, org_url)}</span>\n'
            f"    {progress_meter(c.percent, t['t_no_percent'])}\n"
        )
        if c.narrative:
            out.append(f'    <div class="narrative" lang="fr">{_e(c.narrative_as_html)}</div>\n')
        out.append("  </li>\n")
    out.append("</ul>")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped or already sanitized
