"""Tags of the plan page and the measure page."""

from django import template

from concerto.plans import measure_html
from concerto.plans.measure_html import LABELS, measure_article

register = template.Library()


@register.simple_tag(takes_context=True)
def measure_block(context, m):
    """One measure's ``<article>``, written by ``measure_html.measure_article``."""
    return measure_article(
        m,
        measure_url=context["measure_url"],
        organization_url=context["organization_url"],
        as_of_query=context["as_of_query"],
        labels={name: context[name] for name in LABELS},
    )


@register.simple_tag
def progress_meter(percent):
    """A percentage and its bar (``measure_html.progress_meter``), or « Non chiffré »."""
    return measure_html.progress_meter(percent, measure_html.labels("t_no_percent")["t_no_percent"])


# The measure page's parts, written in Python: ``{% measure_people m organization_url %}``,
# ``{% measure_indicators m %}``, ``{% measure_status m %}``, ``{% measure_components m organization_url %}``.
for part in (
    measure_html.measure_people,
    measure_html.measure_indicators,
    measure_html.measure_status,
    measure_html.measure_components,
):
    register.simple_tag(part)
