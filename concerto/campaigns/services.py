"""Business operations of the update campaign: keyword-only, one transaction
each, then notifications (sent once the transaction has committed)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from concerto.core.audit import record_update
from concerto.organizations.models import Organization
from concerto.plans.models import Plan, ProgressReport
from concerto.plans.progress import ComponentInput, ProgressInput, ValueInput, record_progress

from . import notifications, rules
from .models import Campaign, Draft, DraftComment

EDITABLE_FIELDS = ("percent", "status", "completed_in", "narrative", "components", "values")


class ConflictError(Exception):
    """Someone else saved the draft since it was opened."""

    def __init__(self, current: Draft):
        super().__init__(_("Cette mise à jour a été modifiée entre-temps par une autre personne."))
        self.current = current


def _prefill(measure, as_of: datetime.date) -> dict:
    """The last validated state at or before ``as_of``, as draft fields."""
    report = (
        ProgressReport.objects.filter(measure=measure, is_current=True, as_of__lte=as_of)
        .order_by("-as_of")
        .prefetch_related("components__organization", "indicator_values")
        .first()
    )
    if report is None:
        return {}
    return {
        "percent": report.percent,
        "status": report.status,
        "completed_in": report.completed_in,
        "narrative": report.narrative,
        "components": [
            {
                "label": c.label,
                "organization": c.organization.code if c.organization_id else None,
                "percent": c.percent,
                "narrative": c.narrative,
            }
            for c in report.components.all()
        ],
        "values": [
            {
                "indicator": v.indicator_id,
                "actual": None if v.actual is None else format(v.actual.normalize(), "f"),
                "percent": v.percent,
                "note": v.note,
            }
            for v in report.indicator_values.all()
        ],
    }


def open_campaign(*, plan: Plan, as_of: datetime.date, deadline: datetime.date, opened_by) -> Campaign:
    """Open the update of ``plan`` for ``as_of``: one draft per measure not
    archived, prefilled from its last validated state; the lead organizations'
    editors are told by e-mail."""
    if not rules.coordinates(opened_by, plan.owner_id):
        raise PermissionDenied(_("Seule la coordination du plan peut ouvrir une campagne."))
    if Campaign.objects.filter(plan=plan, as_of=as_of).exists():
        raise ValidationError(
            _("Une campagne existe déjà pour l’état au %(date)s.") % {"date": as_of.isoformat()}
        )
    if deadline < as_of:
        raise ValidationError(
            _("La date limite %(deadline)s précède la date de l’état (%(as_of)s).")
            % {"deadline": deadline.isoformat(), "as_of": as_of.isoformat()}
        )
    if deadline < timezone.localdate():
        raise ValidationError(_("La date limite %(date)s est déjà passée.") % {"date": deadline.isoformat()})
    with transaction.atomic():
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    plan=plan, as_of=as_of, deadline=deadline, opened_by=opened_by
                )
        except IntegrityError as exc:  # opened at the same moment by someone else
            raise ValidationError(
                _("Une campagne existe déjà pour l’état au %(date)s.") % {"date": as_of.isoformat()}
            ) from exc
        bulk_create_with_history(
            [
                Draft(campaign=campaign, measure=measure, **_prefill(measure, as_of))
                # An archived measure stays in reports, but is no longer updated.
                for measure in plan.measures.filter(archived_at__isnull=True).order_by("number")
            ],
            Draft,
            default_user=opened_by,
        )
        # robust: a mail failure never turns an opened campaign into an error page.
        transaction.on_commit(lambda: notifications.notify_campaign_opened(campaign), robust=True)
    return campaign


def clean_draft_data(data: dict, *, draft: Draft) -> dict:
    """Validate what an editor typed; French errors naming the field."""
    errors = {}
    cleaned = {}
    percent = data.get("percent")
    if percent in ("", None):
        cleaned["percent"] = None
    else:
        try:
            cleaned["percent"] = int(percent)
            if not 0 <= cleaned["percent"] <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors["percent"] = _("Le pourcentage doit être un nombre entier de 0 à 100.")
    cleaned["status"] = data.get("status") or "unknown"
    from concerto.plans.models import Status

    if cleaned["status"] not in Status.values:
        errors["status"] = _("État inconnu.")
    cleaned["completed_in"] = (data.get("completed_in") or "").strip()
    if len(cleaned["completed_in"]) > 20:
        errors["completed_in"] = _("« Réalisée en » : 20 caractères au plus (ex. 2023-2024).")
    cleaned["narrative"] = (data.get("narrative") or "").strip()
    components = []
    codes = set(Organization.objects.values_list("code", flat=True))
    for index, row in enumerate(data.get("components") or [], start=1):
        label = (row.get("label") or "").strip()
        if not label and not row.get("narrative") and row.get("percent") in ("", None):
            continue  # an empty extra row
        if not label:
            errors[f"components-{index}"] = _("Composante %(n)s : le libellé est obligatoire.") % {"n": index}
        elif len(label) > 200:
            errors[f"components-{index}"] = _("Composante %(n)s : libellé de 200 caractères au plus.") % {
                "n": index
            }
        value = row.get("percent")
        component_percent = None
        if value not in ("", None):
            try:
                component_percent = int(value)
                if not 0 <= component_percent <= 100:
                    raise ValueError
            except (TypeError, ValueError):
                errors[f"components-{index}"] = _("Composante %(n)s : pourcentage de 0 à 100 attendu.") % {
                    "n": index
                }
        organization = row.get("organization") or None
        if organization and organization not in codes:
            errors[f"components-{index}"] = _("Composante %(n)s : organisation inconnue.") % {"n": index}
        components.append(
            {
                "label": label,
                "organization": organization,
                "percent": component_percent,
                "narrative": (row.get("narrative") or "").strip(),
            }
        )
    cleaned["components"] = components
    indicator_ids = {i.pk for i in draft.measure.indicators.all()}
    values = []
    for row in data.get("values") or []:
        try:
            indicator = int(row["indicator"])
        except (TypeError, ValueError):
            errors["values"] = _("Indicateur inconnu pour cette mesure.")
            continue
        if indicator not in indicator_ids:
            errors["values"] = _("Indicateur inconnu pour cette mesure.")
            continue
        actual = row.get("actual")
        if actual in ("", None):
            actual = None
        else:
            try:
                number = Decimal(str(actual).replace(",", ".").replace("\u00a0", "").replace(" ", ""))
                if not number.is_finite() or number < 0 or number >= 10**12:
                    raise InvalidOperation
                actual = format(number.quantize(Decimal("0.01")).normalize(), "f")
            except InvalidOperation:
                errors[f"values-{indicator}"] = _("Valeur atteinte « %(v)s » : nombre positif attendu.") % {
                    "v": actual
                }
        value_percent = row.get("percent")
        if value_percent in ("", None):
            value_percent = None
        else:
            try:
                value_percent = int(value_percent)
                if not 0 <= value_percent <= 100:
                    raise ValueError
            except (TypeError, ValueError):
                errors[f"values-{indicator}"] = _("Pourcentage de l’indicateur : nombre de 0 à 100 attendu.")
        note = (row.get("note") or "").strip()
        if actual is not None or value_percent is not None or note:
            values.append({"indicator": indicator, "actual": actual, "percent": value_percent, "note": note})
    cleaned["values"] = values
    if errors:
        raise ValidationError(errors)
    return cleaned


def save_draft(*, draft: Draft, user, data: dict, expected_version: int, submit: bool = False) -> Draft:
    """Save (and optionally submit) a draft, if nobody saved it in between.

    Optimistic locking: the update only applies if the draft still has
    ``expected_version``; otherwise ConflictError carries the current draft,
    so that the view can show what changed without losing what was typed.
    """
    if not rules.can_edit_draft(user, draft):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette mise à jour."))
    cleaned = clean_draft_data(data, draft=draft)
    now = timezone.now()
    changes = {
        **cleaned,
        "state": Draft.State.SUBMITTED if submit else Draft.State.DRAFT,
        "updated_at": now,
        "updated_by": user,
        "version": F("version") + 1,
    }
    if submit:
        changes["submitted_at"] = now
    with transaction.atomic():
        updated = Draft.objects.filter(
            pk=draft.pk,
            version=expected_version,
            state__in=[Draft.State.NOT_STARTED, Draft.State.DRAFT, Draft.State.RETURNED],
        ).update(**changes)
        if not updated:
            raise ConflictError(Draft.objects.get(pk=draft.pk))
        draft.refresh_from_db()
        record_update(draft, user=user)  # .update() sends no signal: record it for the audit trail
    return draft


def _progress_input(draft: Draft) -> ProgressInput:
    organizations = {
        o.code: o
        for o in Organization.objects.filter(
            code__in=[c["organization"] for c in draft.components if c.get("organization")]
        )
    }
    indicators = {i.pk: i for i in draft.measure.indicators.all()}
    return ProgressInput(
        percent=draft.percent,
        status=draft.status,
        completed_in=draft.completed_in,
        narrative=draft.narrative,
        components=[
            ComponentInput(
                label=c["label"],
                organization=organizations.get(c.get("organization")),
                percent=c.get("percent"),
                narrative=c.get("narrative", ""),
            )
            for c in draft.components
        ],
        values=[
            ValueInput(
                indicator=indicators[v["indicator"]],
                actual=None if v.get("actual") is None else Decimal(v["actual"]),
                percent=v.get("percent"),
                note=v.get("note", ""),
            )
            for v in draft.values
            if v["indicator"] in indicators
        ],
    )


def validate_draft(*, draft: Draft, user, expected_version: int) -> ProgressReport:
    """The coordination validates a submitted draft: it becomes the measure's
    progress at the campaign's date (a new version if one existed)."""
    if not rules.can_review(user, draft):
        raise PermissionDenied(_("Seule la coordination peut valider une mise à jour soumise."))
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        if locked.version != expected_version or locked.state != Draft.State.SUBMITTED:
            raise ConflictError(locked)
        report, _changed = record_progress(
            measure=locked.measure,
            as_of=locked.campaign.as_of,
            data=_progress_input(locked),
            validated_by=user,
        )
        now = timezone.now()
        Draft.objects.filter(pk=locked.pk).update(
            state=Draft.State.VALIDATED, validated_at=now, validated_by=user, version=F("version") + 1
        )
        locked.refresh_from_db()
        record_update(locked, user=user)
        transaction.on_commit(
            lambda: notifications.notify_draft_reviewed(locked, "draft_validated"), robust=True
        )
    draft.refresh_from_db()
    return report


def return_draft(*, draft: Draft, user, comment: str, expected_version: int) -> Draft:
    """The coordination sends a submitted draft back to the partner, with a comment."""
    if not rules.can_review(user, draft):
        raise PermissionDenied(_("Seule la coordination peut retourner une mise à jour soumise."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Indiquez le motif du retour.")})
    with transaction.atomic():
        updated = Draft.objects.filter(
            pk=draft.pk, version=expected_version, state=Draft.State.SUBMITTED
        ).update(state=Draft.State.RETURNED, return_comment=comment, version=F("version") + 1)
        if not updated:
            raise ConflictError(Draft.objects.get(pk=draft.pk))
        draft.refresh_from_db()
        record_update(draft, user=user)
        DraftComment.objects.create(draft=draft, author=user, text=comment)
        transaction.on_commit(
            lambda: notifications.notify_draft_reviewed(draft, "draft_returned"), robust=True
        )
    return draft


def add_comment(*, draft: Draft, user, text: str) -> DraftComment:
    """A collaborator or the coordination comments on a draft."""
    if not rules.can_comment(user, draft):
        raise PermissionDenied(_("Vous ne pouvez pas commenter cette mise à jour."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Le commentaire est vide.")})
    return DraftComment.objects.create(draft=draft, author=user, text=text)


def lateness(campaign: Campaign, draft: Draft, today: datetime.date | None = None) -> int:
    """Days past the deadline for a draft not yet submitted (0 when on time)."""
    today = today or timezone.localdate()
    if draft.state in (Draft.State.SUBMITTED, Draft.State.VALIDATED) or today <= campaign.deadline:
        return 0
    return (today - campaign.deadline).days


def manual_reminder_key(campaign: Campaign, organization, day: datetime.date) -> str:
    """The outbox key of the coordination's reminder to ``organization`` on ``day``:
    one a day per organization, whoever clicks and however often."""
    return f"campaign:{campaign.pk}:manual-reminder:org:{organization.pk}:{day.isoformat()}"


def remind_organization_now(
    *, campaign: Campaign, organization, user, today: datetime.date | None = None
) -> bool:
    """The coordination reminds one lead organization, now, of its measures not
    yet submitted: the usual reminder (or the deadline notice, once the
    deadline has passed) to its editors, at most once a day (the outbox key
    names the day). True if sent now, False if it was already sent today.
    ValidationError (in French) when there is nothing to remind or nobody to tell."""
    from .reminders import PENDING_STATES

    if not rules.coordinates(user, campaign.plan.owner_id):
        raise PermissionDenied(_("Seule la coordination du plan peut envoyer un rappel."))
    if not campaign.is_open:
        raise ValidationError(_("Cette campagne est fermée : aucun rappel n’est envoyé."))
    today = today or timezone.localdate()
    drafts = sorted(
        (
            draft
            for draft in notifications.lead_organizations(campaign).get(organization, [])
            if draft.state in PENDING_STATES
        ),
        key=lambda d: d.measure.number,
    )
    if not drafts:
        raise ValidationError(
            _("%(organization)s n’a aucune mesure en attente dans cette campagne : aucun rappel à envoyer.")
            % {"organization": organization.name}
        )
    recipients = notifications.editors_of([organization.pk])
    if not recipients:
        raise ValidationError(
            _(
                "%(organization)s n’a aucune personne « Responsable de la mise à jour » avec une adresse "
                "courriel : invitez-en une avant d’envoyer un rappel."
            )
            % {"organization": organization.name}
        )
    days_left = (campaign.deadline - today).days
    return notifications.send_campaign_email(
        key=manual_reminder_key(campaign, organization, today),
        kind="reminder" if days_left >= 0 else "deadline_passed",
        recipients=recipients,
        context=notifications.campaign_context(campaign, organization, days=days_left, drafts=drafts),
        organization=organization,
    )


def late_items(campaign: Campaign, today: datetime.date | None = None) -> list[dict]:
    """The measures still not submitted after the deadline, one row per lead
    organization and measure, by organization then measure number."""
    today = today or timezone.localdate()
    rows = []
    for organization, drafts in notifications.lead_organizations(campaign).items():
        for draft in drafts:
            days = lateness(campaign, draft, today)
            if days:
                rows.append({"organization": organization, "draft": draft, "days_late": days})
    rows.sort(key=lambda r: (r["organization"].name, r["organization"].pk, r["draft"].measure.number))
    return rows
