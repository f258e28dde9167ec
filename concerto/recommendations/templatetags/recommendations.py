"""``{% load recommendations %}``: the recommendations about a measure or
addressed to an organization, for the measure and organization pages.

Published ones for everybody; all of them (except drafts, unless a
coordinator) for coordinators and the addressee's members. One query per tag
(plus, once per request, the user's memberships), whatever the number shown.
"""

from django import template

from concerto.recommendations import rules

register = template.Library()


def _rows(queryset, user):
    return list(rules.visible_to(user, queryset).select_related("addressee").order_by("-number"))


@register.inclusion_tag("recommendations/_tag_list.html")
def measure_recommendations(measure, user):
    return {
        "recommendations": _rows(measure.recommendations.all(), user),
        "show_addressee": True,
    }


@register.inclusion_tag("recommendations/_tag_list.html")
def organization_recommendations(organization, user):
    return {
        "recommendations": _rows(organization.recommendations.all(), user),
        "show_addressee": False,
    }
