"""The history of a measure as a readable list of changes.

Gathers the historical records (see ``apps.py``) of a measure, its leads,
collaborators and indicators, all versions of its progress reports with their
components and indicator values, and its campaign drafts. Each record is
compared with the previous record of the same object (``diff_against``);
a new version of a validated state is compared with the version it replaces,
so that a correction reads as "50 % → 60 %" while both versions stay listed.

The number of queries does not depend on the number of records: one per
historical model, plus one each for the organizations, users, themes and
campaigns that the records name.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.campaigns.models import Campaign, Draft
from concerto.core.audit import SOURCE_LABELS
from concerto.organizations.models import Organization
from concerto.plans.models import (
    Collaborator,
    ComponentProgress,
    Indicator,
    IndicatorProgress,
    Measure,
    MeasureLead,
    ProgressReport,
    Theme,
)

NBSP = "\u00a0"
CONTEXT_LINES = 1  # unchanged lines kept around a change in a text diff
LONG_TEXT = 60  # one-line texts longer than this get a word-level diff
# Components and values written this soon after their new version are part of
# it (record_progress writes them in the same transaction), and are compared
# with those of the version it replaces.
NEW_VERSION_WINDOW = datetime.timedelta(minutes=1)

CREATED, CHANGED, DELETED = "+", "~", "-"
NEW_VERSION = "new_version"  # a validated state replaced by a corrected one
REMOVED = "removed"  # a component or value the new version no longer has

ACTION_LABELS = {
    CREATED: gettext_lazy("Création"),
    CHANGED: gettext_lazy("Modification"),
    DELETED: gettext_lazy("Suppression"),
    NEW_VERSION: gettext_lazy("Nouvelle version"),
    REMOVED: gettext_lazy("Retrait dans la nouvelle version"),
}


@dataclass
class Line:
    """One line of a text diff: ``kind`` is "same", "del", "ins" or "gap"."""

    kind: str
    text: str


@dataclass
class Change:
    label: str
    old: str
    new: str
    lines: list[Line] | None = None  # a line-level diff, for multi-line texts
    words: list[Line] | None = None  # a word-level diff, for long one-line texts


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    automatic: bool  # no person: an import or the system
    action: str
    subject: str
    changes: list[Change] = field(default_factory=list)
    order: tuple = ()

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


# --- what each model shows ------------------------------------------------


@dataclass(frozen=True)
class Spec:
    model: type[models.Model]
    fields: tuple[str, ...]  # shown, in this order
    rank: int  # orders records of one instant: parents before children
    labels: tuple[tuple[str, object], ...] = ()  # label overrides (fields without verbose_name)
    hidden_on_create: tuple[str, ...] = ()

    def label(self, name: str) -> str:
        overrides = dict(self.labels)
        if name in overrides:
            return str(overrides[name])
        return str(self.model._meta.get_field(name).verbose_name)


ORGANIZATION_LABEL = (("organization", gettext_lazy("organisation")),)
SPECS = {
    Measure: Spec(
        Measure, ("theme", "title", "lead_note", "follow_up"), 0, (("theme", gettext_lazy("thème")),)
    ),
    MeasureLead: Spec(MeasureLead, ("organization",), 1, ORGANIZATION_LABEL),
    Collaborator: Spec(Collaborator, ("organization", "text", "note"), 2),
    Indicator: Spec(Indicator, ("label", "target_text", "target_value", "target_unit", "deadline_text"), 3),
    ProgressReport: Spec(
        ProgressReport,
        ("is_current", "percent", "status", "completed_in", "narrative", "validated_by"),
        4,
        hidden_on_create=("is_current",),
    ),
    ComponentProgress: Spec(ComponentProgress, ("label", "organization", "percent", "narrative"), 5),
    IndicatorProgress: Spec(IndicatorProgress, ("actual", "percent", "note"), 6),
    Draft: Spec(
        Draft,
        ("state", "percent", "status", "completed_in", "narrative", "components", "values", "return_comment"),
        7,
    ),
}
# Compared between a validated state and the version that replaces it.
VERSION_FIELDS = ("percent", "status", "completed_in", "narrative")


# --- gathering -------------------------------------------------------------


def _records(model, **filters) -> list:
    return list(
        model.history.filter(**filters).select_related("history_user").order_by("history_date", "history_id")
    )


@dataclass
class _Lookup:
    """Everything the records name, fetched once."""

    organizations: dict[int, Organization]
    organizations_by_code: dict[str, Organization]
    users: dict[int, object]
    themes: dict[int, Theme]
    campaigns: dict[int, Campaign]
    indicators: dict[int, object]  # latest historical record of each indicator
    reports: dict[int, object]  # first historical record of each progress report

    def user(self, pk) -> str:
        user = self.users.get(pk)
        return _user_name(user) if user is not None else f"#{pk}"

    def organization(self, pk) -> str:
        organization = self.organizations.get(pk)
        return organization.label if organization is not None else f"#{pk}"

    def organization_code(self, code) -> str:
        organization = self.organizations_by_code.get(code)
        return organization.label if organization is not None else str(code)

    def indicator(self, pk) -> str:
        record = self.indicators.get(pk)
        if record is None:
            return f"#{pk}"
        return _("Indicateur %(number)s") % {"number": record.position + 1}

    def report(self, pk) -> str:
        record = self.reports.get(pk)
        if record is None:
            return f"#{pk}"
        return _("version %(version)s") % {"version": record.version}


def _user_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _fetch_lookup(groups: dict) -> _Lookup:
    organization_ids, organization_codes, user_ids, theme_ids, campaign_ids = (
        set(),
        set(),
        set(),
        set(),
        set(),
    )
    for model in (MeasureLead, Collaborator, ComponentProgress):
        organization_ids |= {r.organization_id for r in groups[model] if r.organization_id}
    for record in groups[Draft]:
        organization_codes |= {
            c.get("organization") for c in _rows(record.components) if c.get("organization")
        }
        campaign_ids.add(record.campaign_id)
    user_ids |= {r.validated_by_id for r in groups[ProgressReport] if r.validated_by_id}
    theme_ids |= {r.theme_id for r in groups[Measure] if r.theme_id}

    organizations = (
        list(Organization.objects.filter(Q(pk__in=organization_ids) | Q(code__in=organization_codes)))
        if organization_ids or organization_codes
        else []
    )
    users = get_user_model().objects.filter(pk__in=user_ids) if user_ids else []
    themes = Theme.objects.filter(pk__in=theme_ids) if theme_ids else []
    campaigns = Campaign.objects.filter(pk__in=campaign_ids) if campaign_ids else []
    reports = {}
    for record in groups[ProgressReport]:
        reports.setdefault(record.id, record)
    return _Lookup(
        organizations={o.pk: o for o in organizations},
        organizations_by_code={o.code: o for o in organizations},
        users={u.pk: u for u in users},
        themes={t.pk: t for t in themes},
        campaigns={c.pk: c for c in campaigns},
        indicators={r.id: r for r in groups[Indicator]},  # chronological: the latest wins
        reports=reports,
    )


def _rows(value) -> list[dict]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


# --- display of values -----------------------------------------------------


def _number(value) -> str:
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return formats.number_format(value)


def _percent(value) -> str:
    return f"{_number(value)}{NBSP}%"


def _draft_lines(name: str, value, lookup: _Lookup) -> list[str]:
    lines = []
    for row in _rows(value):
        if name == "components":
            text = row.get("label") or "—"
            if row.get("organization"):
                text += f" ({lookup.organization_code(row['organization'])})"
            if row.get("percent") is not None:
                text += f" : {_percent(row['percent'])}"
            if row.get("narrative"):
                text += f" — {row['narrative']}"
        else:
            text = lookup.indicator(row.get("indicator"))
            parts = []
            if row.get("actual") not in (None, ""):
                parts.append(str(row["actual"]))
            if row.get("percent") is not None:
                parts.append(_percent(row["percent"]))
            text += " : " + (", ".join(parts) or "—")
            if row.get("note"):
                text += f" — {row['note']}"
        lines.append(text)
    return lines


def _display(model, name: str, value, lookup: _Lookup) -> str:
    """A value as a coordinator reads it; empty string for nothing."""
    if value is None or value == "" or value == []:
        return ""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.JSONField):
        return "\n".join(_draft_lines(name, value, lookup))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("Oui") if value else _("Non")
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model
        if related is Organization:
            return lookup.organization(value)
        if related is Theme:
            theme = lookup.themes.get(value)
            return str(theme) if theme is not None else f"#{value}"
        if related is ProgressReport:
            return lookup.report(value)
        if related is get_user_model():
            return lookup.user(value)
        return f"#{value}"
    if name == "percent":
        return _percent(value)
    if isinstance(model_field, models.DecimalField):
        return _number(value)
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def text_diff(old: str, new: str) -> list[Line]:
    """Line-level diff; runs of unchanged lines are shortened to a gap.

    Blank lines (between paragraphs) are left out: they carry no content.
    """
    old_lines = [line for line in old.splitlines() if line.strip()]
    new_lines = [line for line in new.splitlines() if line.strip()]
    result = []
    shown_until = 0  # old lines up to here are shown or elided by a gap already
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        if group[0][1] > shown_until:
            result.append(Line("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result.extend(Line("same", line) for line in old_lines[i1:i2])
            else:
                result.extend(Line("del", line) for line in old_lines[i1:i2])
                result.extend(Line("ins", line) for line in new_lines[j1:j2])
        shown_until = group[-1][2]
    if result and shown_until < len(old_lines):
        result.append(Line("gap", "…"))
    return result


def word_diff(old: str, new: str) -> list[Line]:
    """Word-level diff of two one-line texts (spaces kept with the words)."""
    old_words, new_words = re.findall(r"\S+\s*", old), re.findall(r"\S+\s*", new)
    result = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.append(Line("same", "".join(old_words[i1:i2])))
            continue
        if i2 > i1:
            result.append(Line("del", "".join(old_words[i1:i2])))
        if j2 > j1:
            result.append(Line("ins", "".join(new_words[j1:j2])))
    return result


def _change(spec: Spec, name: str, old, new, lookup: _Lookup) -> Change:
    old_text = _display(spec.model, name, old, lookup)
    new_text = _display(spec.model, name, new, lookup)
    change = Change(spec.label(name), old_text, new_text)
    if "\n" in old_text or "\n" in new_text:
        change.lines = text_diff(old_text, new_text)
    elif old_text and new_text and max(len(old_text), len(new_text)) > LONG_TEXT:
        change.words = word_diff(old_text, new_text)
    return change


def _changes(spec: Spec, record, previous, lookup: _Lookup, fields=None) -> list[Change]:
    fields = fields or spec.fields
    delta = record.diff_against(previous, included_fields=fields)
    by_name = {change.field: change for change in delta.changes}
    return [
        _change(spec, name, by_name[name].old, by_name[name].new, lookup)
        for name in fields
        if name in by_name
    ]


def _values(spec: Spec, record, lookup: _Lookup) -> list[tuple[str, str]]:
    values = []
    for name in spec.fields:
        if name in spec.hidden_on_create:
            continue
        text = _display(spec.model, name, getattr(record, spec.model._meta.get_field(name).attname), lookup)
        if text:
            values.append((spec.label(name), text))
    return values


def _initial_values(spec: Spec, record, lookup: _Lookup) -> list[Change]:
    """What a created object holds: new values only."""
    return [Change(label, "", text) for label, text in _values(spec, record, lookup)]


def _final_values(spec: Spec, record, lookup: _Lookup) -> list[Change]:
    """What a deleted object held: old values only."""
    return [Change(label, text, "") for label, text in _values(spec, record, lookup)]


# --- subjects ----------------------------------------------------------------


def _report_subject(report) -> str:
    if report is None:
        return _("État d’avancement")
    return _("État d’avancement au %(date)s, version %(version)s") % {
        "date": formats.date_format(report.as_of, "DATE_FORMAT"),
        "version": report.version,
    }


def _subject(model, record, lookup: _Lookup) -> str:
    if model is Measure:
        return _("Mesure %(number)s") % {"number": record.number}
    if model is MeasureLead:
        return _("M/O en charge")
    if model is Collaborator:
        return _("M/O collaborateur")
    if model is Indicator:
        return _("Indicateur %(number)s") % {"number": record.position + 1}
    if model is ProgressReport:
        return _report_subject(record)
    report = _report_subject(lookup.reports.get(getattr(record, "report_id", None)))
    if model is ComponentProgress:
        return _("Composante « %(label)s » — %(report)s") % {"label": record.label, "report": report}
    if model is IndicatorProgress:
        indicator = lookup.indicators.get(record.indicator_id)
        return _("Valeur de l’indicateur %(number)s — %(report)s") % {
            "number": indicator.position + 1 if indicator is not None else f"#{record.indicator_id}",
            "report": report,
        }
    campaign = lookup.campaigns.get(record.campaign_id)
    if campaign is None:
        return _("Mise à jour de campagne")
    return _("Mise à jour de la campagne de l’état au %(date)s") % {
        "date": formats.date_format(campaign.as_of, "DATE_FORMAT")
    }


# --- entries -----------------------------------------------------------------


def _who(record) -> tuple[str, bool]:
    if record.history_user_id is not None and record.history_user is not None:
        return _user_name(record.history_user), False
    if record.history_change_reason in SOURCE_LABELS:
        return str(SOURCE_LABELS[record.history_change_reason]), True
    return _("Système"), True


def _entry(spec: Spec, record, action: str, subject: str, changes: list[Change]) -> Entry:
    who, automatic = _who(record)
    return Entry(
        when=record.history_date,
        who=who,
        automatic=automatic,
        action=action,
        subject=subject,
        changes=changes,
        order=(record.history_date, spec.rank, record.history_id),
    )


def _child_key(model, record):
    return record.position if model is ComponentProgress else record.indicator_id


def _version_children(model, groups) -> dict:
    """For children of reports: the latest record of each child, by report."""
    latest = {}
    for record in groups[model]:
        latest[record.id] = record
    by_report = defaultdict(dict)
    for record in latest.values():
        if record.history_type != DELETED:
            by_report[record.report_id][_child_key(model, record)] = record
    return by_report


def measure_history(measure: Measure) -> list[Entry]:
    """Every recorded change of ``measure`` and what hangs on it, newest first."""
    groups = {
        Measure: _records(Measure, id=measure.pk),
        MeasureLead: _records(MeasureLead, measure_id=measure.pk),
        Collaborator: _records(Collaborator, measure_id=measure.pk),
        Indicator: _records(Indicator, measure_id=measure.pk),
        ProgressReport: _records(ProgressReport, measure_id=measure.pk),
        Draft: _records(Draft, measure_id=measure.pk),
    }
    report_ids = {record.id for record in groups[ProgressReport]}
    groups[ComponentProgress] = _records(ComponentProgress, report_id__in=report_ids) if report_ids else []
    groups[IndicatorProgress] = _records(IndicatorProgress, report_id__in=report_ids) if report_ids else []
    lookup = _fetch_lookup(groups)

    children = {model: _version_children(model, groups) for model in (ComponentProgress, IndicatorProgress)}
    report_history = defaultdict(list)
    for record in groups[ProgressReport]:
        report_history[record.id].append(record)

    entries = []
    for model, records in groups.items():
        spec = SPECS[model]
        previous_by_object = {}
        for record in records:
            previous = previous_by_object.get(record.id)
            previous_by_object[record.id] = record
            subject = _subject(model, record, lookup)
            if record.history_type == DELETED:
                entries.append(_entry(spec, record, DELETED, subject, _final_values(spec, record, lookup)))
            elif record.history_type == CHANGED:
                if previous is None:  # recorded before the trail began: the state is all we know
                    changes = _initial_values(spec, record, lookup)
                else:
                    changes = _changes(spec, record, previous, lookup)
                if changes:
                    entries.append(_entry(spec, record, CHANGED, subject, changes))
            elif model is ProgressReport and record.replaces_id in report_history:
                replaced = [
                    r for r in report_history[record.replaces_id] if r.history_date <= record.history_date
                ]
                base = replaced[-1] if replaced else report_history[record.replaces_id][0]
                changes = _changes(spec, record, base, lookup, VERSION_FIELDS)
                entries.append(_entry(spec, record, NEW_VERSION, subject, changes))
            elif model in children:
                entries.extend(_new_version_child(spec, record, subject, lookup, children[model]))
            else:
                entries.append(_entry(spec, record, CREATED, subject, _initial_values(spec, record, lookup)))

    for model in children:
        entries.extend(_removed_children(SPECS[model], lookup, children[model]))
    entries.sort(key=lambda entry: entry.order, reverse=True)
    return entries


def _replaced_report(record, lookup: _Lookup):
    report = lookup.reports.get(record.report_id)
    if report is None or report.replaces_id is None:
        return None
    return lookup.reports.get(report.replaces_id)


def _new_version_child(spec: Spec, record, subject: str, lookup: _Lookup, children) -> list[Entry]:
    """A component or value of a new version, compared with the one it replaces."""
    replaced = _replaced_report(record, lookup)
    report = lookup.reports.get(record.report_id)
    if replaced is None or record.history_date - report.history_date > NEW_VERSION_WINDOW:
        # Not written with the new version (added later, e.g. in the admin): a plain creation.
        return [_entry(spec, record, CREATED, subject, _initial_values(spec, record, lookup))]
    counterpart = children.get(replaced.id, {}).get(_child_key(spec.model, record))
    if counterpart is None:
        return [_entry(spec, record, CREATED, subject, _initial_values(spec, record, lookup))]
    changes = _changes(spec, record, counterpart, lookup)
    return [_entry(spec, record, CHANGED, subject, changes)] if changes else []


def _removed_children(spec: Spec, lookup: _Lookup, children) -> list[Entry]:
    """Components and values of a replaced version that the new version dropped."""
    entries = []
    for report in lookup.reports.values():
        if report.replaces_id is None or report.replaces_id not in lookup.reports:
            continue
        kept = set(children.get(report.id, {}))
        for key, old in children.get(report.replaces_id, {}).items():
            if key in kept:
                continue
            entry = _entry(spec, report, REMOVED, _subject(spec.model, old, lookup), [])
            entry.order = (report.history_date, spec.rank, old.history_id)
            entries.append(entry)
    return entries
