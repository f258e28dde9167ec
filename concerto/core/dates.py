"""The one parser of a reporting date (« état au ») typed by a person.

Pages, the API, management commands and data files all read a date the same
way: ``AAAA-MM-JJ``, a day that exists, nothing else (no ``31/03/2023``, no
``20230331``). A bad value is refused with one French message naming it;
never replaced by a default behind the user's back. Each caller turns the
refusal into its own answer: a form error with status 400 on a page, a 400
JSON ``{"error": …}`` on the API, a ``CommandError`` in a command.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext as _

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InvalidDate(ValueError):
    """A date that is not ``AAAA-MM-JJ`` or not a real day; ``str()`` is the French message."""

    def __init__(self, value):
        self.value = value
        super().__init__(
            _(
                "Date invalide « %(value)s » : une date existante au format AAAA-MM-JJ est attendue "
                "(par exemple 2023-03-31)."
            )
            % {"value": value}
        )

    @property
    def message(self) -> str:
        return str(self)


def parse_reporting_date(value) -> datetime.date:
    """``value`` (« 2023-03-31 ») as a date, or :class:`InvalidDate`.

    A ``date`` passes through (YAML reads an unquoted date itself).
    """
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if _ISO_DATE.fullmatch(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise InvalidDate(value)


class ReportingDateField(forms.DateField):
    """A form field that reads its date with :func:`parse_reporting_date`."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_reporting_date(value)
        except InvalidDate as exc:
            raise forms.ValidationError(exc.message, code="invalid") from exc
