from django import template

from concerto.cases import rules

register = template.Library()


@register.inclusion_tag("cases/_measure_cases.html")
def measure_cases(measure, user):
    """The cases linked to ``measure`` that ``user`` may read in full, and the
    published summaries of the others. A constant number of queries."""
    readable = list(
        rules.readable_cases(user).filter(measures=measure).prefetch_related("orders").order_by("reference")
    )
    seen = {case.pk for case in readable}
    summaries = [case for case in rules.published_summaries().filter(measures=measure) if case.pk not in seen]
    return {"cases": readable, "summaries": summaries, "measure": measure}
