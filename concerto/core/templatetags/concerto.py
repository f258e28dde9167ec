from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from concerto.core.markdown import render_markdown

register = template.Library()

NBSP = "\u00a0"


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def percent(value):
    """50 -> "50 %" with the non-breaking space French typography wants."""
    if value is None or value == "":
        return ""
    return f"{number_format(value)}{NBSP}%"


@register.filter
def french(text):
    """Data kept in French (names, titles), marked as such on English pages
    (WCAG 3.1.2); safe to pass into a ``blocktranslate`` variable."""
    if text is None or text == "":
        return ""
    return format_html('<span lang="fr">{}</span>', text)


@register.filter
def french_within(text, data):
    """``text`` (escaped) with the French ``data`` it quotes marked ``lang="fr"``."""
    if not data or data not in (text or ""):
        return conditional_escape(text)
    return mark_safe(  # noqa: S308 -- both parts are escaped just above
        format_html('<span lang="fr">{}</span>', data).join(
            conditional_escape(part) for part in text.split(data)
        )
    )


@register.filter
def field_size(bound_field):
    """The design system's width of a form field (see ``concerto.core.forms``)."""
    from concerto.core.forms import field_size as size

    return size(bound_field)


@register.filter
def has_required_field(form):
    return any(field.field.required for field in form.visible_fields())


@register.simple_tag
def form_error_items(form):
    """The form's errors for the error summary: each names its field and
    links to it (``anchor``); errors of the whole form come first, unlinked."""
    if form is None or not getattr(form, "errors", None):
        return []
    items = [{"anchor": "", "label": "", "message": error} for error in form.non_field_errors()]
    for field in form:
        if field.is_hidden:
            items += [{"anchor": "", "label": field.label, "message": error} for error in field.errors]
            continue
        anchor = field.id_for_label or field.auto_id
        items += [{"anchor": anchor, "label": field.label, "message": error} for error in field.errors]
    return items
