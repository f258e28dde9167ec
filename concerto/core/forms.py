"""One way to render a form in the Québec design system, for every app.

``FORM_RENDERER`` points here: ``{{ form }}`` gives the error summary (each
error a link to its field), the note on required fields, and every field
through ``core/forms/field.html`` (label above the field, required marker,
help text, the field's own error linked by ``aria-describedby`` and the
field marked ``aria-invalid``, which Django adds). A template that lays out
its fields itself uses ``{{ field.as_field_group }}`` and
``{% include "core/forms/error_summary.html" %}`` for the same result.
"""

from django.forms.renderers import DjangoTemplates

# Field widths of the design system (rem, root font size 10px); the width
# says how much is expected: a date or a number is short, a title long.
SIZES = ("xs", "sm", "md", "lg", "xl")


def field_size(bound_field) -> str:
    """The design system's width for this field: ``field.size`` when the form
    sets one, else guessed from the widget and the maximum length."""
    size = getattr(bound_field.field, "size", None)
    if size in SIZES:
        return size
    widget = bound_field.widget_type
    if widget in ("textarea", "clearablefile", "file", "checkboxselectmultiple", "searchablecheckboxlist"):
        return "xl"
    if widget in ("date", "number", "time"):
        return "sm"
    if widget in ("select", "email", "password", "url"):
        return "lg"
    max_length = getattr(bound_field.field, "max_length", None)
    if max_length is not None and max_length <= 12:
        return "sm"
    if max_length is not None and max_length <= 40:
        return "md"
    return "lg"


class FormRenderer(DjangoTemplates):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"
