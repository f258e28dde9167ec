"""Tags of the plan page."""

from django import template

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
