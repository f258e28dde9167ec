"""Objects with a history are archived, never deleted.

A plan, a measure or an organization that something else refers to (a
progress report, a campaign draft, a membership, a case…) carries history:
deleting it would erase or orphan that history. ``HistoryGuard.delete()``
refuses with a French explanation, and ``archive`` / ``unarchive`` set the
``archived_at`` date that the public pages use to hide the object from
lists, while its own page stays reachable.

What counts as history is found from the model's reverse relations, so that
the kernel does not have to know the apps that refer to a plan or an
organization: every reverse relation is history, except the object's own
parts (a measure's leads, collaborators and indicators, which are deleted
with it), the audit trail's historical tables and the automatic tables of
many-to-many relations (the relation itself is counted once).

``DeletionRefused`` is a ``ValidationError``: the refusal is a business rule
with a message for people and a code (``has_history``), like the services'
other refusals that views show as messages, not a database failure.
(``ProtectedError`` is an ``IntegrityError``: code that catches integrity
errors to handle a race, as ``open_campaign`` does, would misread it; and it
carries the protected rows, not an explanation.)
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalChanges


class DeletionRefused(ValidationError):
    """Deleting this object would erase history: archive it instead."""

    def __init__(self, message, *, instance=None, history: dict | None = None):
        # ``message``: the explanation, or a list of refusals (one per object).
        super().__init__(message, code="has_history")
        self.instance = instance
        self.history = history or {}


def history_relations(model, *, parts: tuple[str, ...] = ()) -> list:
    """The reverse relations of ``model`` whose rows are history.

    ``parts`` names relations that are parts of the object, as
    ``"app_label.Model.field"`` (e.g. ``"plans.Indicator.measure"``).
    """
    relations = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.is_relation):
            continue  # forward fields
        related = rel.related_model
        if issubclass(related, HistoricalChanges):
            continue  # the audit trail records deletions itself
        if related._meta.auto_created:
            continue  # a many-to-many table: counted through its relation
        if rel.many_to_many and not rel.through._meta.auto_created:
            continue  # counted through its explicit intermediate model (MeasureLead)
        if f"{related._meta.label}.{rel.field.name}" in parts:
            continue
        relations.append(rel)
    return relations


def _references(rel, targets) -> models.QuerySet:
    """(referring object's pk, target's pk) pairs of one reverse relation."""
    if rel.many_to_many:
        source = rel.field.m2m_field_name()
        target = rel.field.m2m_reverse_field_name()
        return rel.through._base_manager.filter(**{f"{target}__in": targets}).values_list(
            f"{source}_id", f"{target}_id"
        )
    return rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": targets}).values_list(
        "pk", rel.field.attname
    )


def collect_history(model, targets, *, parts: tuple[str, ...] = ()) -> dict:
    """{target pk: {referring model: set of its pks}} for the ``targets`` queryset."""
    result: dict = {}
    for rel in history_relations(model, parts=parts):
        for source_pk, target_pk in _references(rel, targets):
            result.setdefault(target_pk, {}).setdefault(rel.related_model, set()).add(source_pk)
    return result


def describe(history: dict) -> str:
    """« 3 états d’avancement, 1 mise à jour de mesure ».

    A key is a model (named by its verbose names) or a function giving the
    name for a count (``ngettext``)."""
    parts = []
    for key, pks in history.items():
        count = len(pks)
        if isinstance(key, type) and issubclass(key, models.Model):
            name = key._meta.verbose_name_plural if count > 1 else key._meta.verbose_name
        else:
            name = key(count)
        parts.append(f"{count} {name}")
    return ", ".join(parts)


class HistoryGuard:
    """Mixin of a model with ``archived_at``: ``delete()`` refuses when there is history.

    Subclasses set ``history_parts`` and implement ``deletion_refused_message``.
    ``QuerySet.delete()`` does not call ``delete()``: code that deletes in
    bulk (the admin's action) deletes object by object.
    """

    history_parts: tuple[str, ...] = ()

    def history_references(self) -> dict:
        """{referring model: set of pks} of what refers to this object."""
        targets = type(self)._base_manager.filter(pk=self.pk)
        return collect_history(type(self), targets, parts=self.history_parts).get(self.pk, {})

    def deletion_refused_message(self, description: str) -> str:
        raise NotImplementedError

    def deletion_refusal(self) -> DeletionRefused | None:
        """The refusal to raise if this object may not be deleted, else None."""
        if self.pk is None:
            return None
        history = self.history_references()
        if not history:
            return None
        return DeletionRefused(
            self.deletion_refused_message(describe(history)), instance=self, history=history
        )

    def delete(self, *args, **kwargs):
        refusal = self.deletion_refusal()
        if refusal is not None:
            raise refusal
        return super().delete(*args, **kwargs)


def archive(*, instances, when=None) -> int:
    """Archive the objects not archived yet; returns how many changed."""
    when = when or timezone.now()
    changed = 0
    with transaction.atomic():
        for instance in instances:
            if instance.archived_at is None:
                instance.archived_at = when
                instance.save(update_fields=["archived_at"])
                changed += 1
    return changed


def unarchive(*, instances) -> int:
    """Bring archived objects back; returns how many changed."""
    changed = 0
    with transaction.atomic():
        for instance in instances:
            if instance.archived_at is not None:
                instance.archived_at = None
                instance.save(update_fields=["archived_at"])
                changed += 1
    return changed


def delete_one_by_one(queryset) -> int:
    """Delete through each object's ``delete()``, all or nothing: any refusal
    raises ``DeletionRefused`` and nothing is deleted."""
    refusals = [r for r in (obj.deletion_refusal() for obj in queryset) if r is not None]
    if refusals:
        raise refusals[0] if len(refusals) == 1 else DeletionRefused(refusals)
    with transaction.atomic():
        count = 0
        for obj in queryset:
            obj.delete()
            count += 1
    return count
