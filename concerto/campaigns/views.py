from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook

from concerto.core.dates import InvalidDate, parse_reporting_date
from concerto.core.spreadsheets import XLSX_CONTENT_TYPE, append_row, csv_writer, workbook_bytes
from concerto.notifications.outbox import sent_keys
from concerto.organizations.models import Organization
from concerto.plans.models import Plan, PublishedDate, Status
from concerto.plans.publication import date_label

from . import rules, services
from .models import Campaign, Draft
from .reminders import PENDING_STATES


def _parse_date(value: str):
    """The date in the address: an address with a bad date names no campaign."""
    try:
        return parse_reporting_date(value)
    except InvalidDate as exc:
        raise Http404(exc.message) from exc


def get_campaign_for_user(user, slug: str, as_of: str) -> Campaign:
    """The campaign, if the user coordinates the plan or works on one of its measures."""
    campaign = get_object_or_404(
        Campaign.objects.select_related("plan"), plan__slug=slug, as_of=_parse_date(as_of)
    )
    if rules.coordinates(user, campaign.plan.owner_id) or rules.organizations_with_role(
        user, "editor", "collaborator"
    ):
        return campaign
    raise PermissionDenied(
        _("Cette campagne est réservée à la coordination et aux organisations partenaires.")
    )


def get_draft_for_user(user, slug: str, as_of: str, number: int) -> Draft:
    """The draft, if the user may read it (never to the public)."""
    draft = get_object_or_404(
        Draft.objects.select_related("campaign__plan", "measure__theme", "updated_by").prefetch_related(
            "measure__lead_links__organization", "measure__collaborators__organization", "measure__indicators"
        ),
        campaign__plan__slug=slug,
        campaign__as_of=_parse_date(as_of),
        measure__number=number,
    )
    if not rules.can_read_draft(user, draft):
        raise PermissionDenied(_("Vous ne pouvez pas consulter cette mise à jour."))
    return draft


@require_safe
@login_required
def campaign_list(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    coordinator = rules.coordinates(request.user, plan.owner_id)
    if not coordinator and not rules.organizations_with_role(request.user, "editor", "collaborator"):
        raise PermissionDenied(
            _("Les campagnes sont réservées à la coordination et aux organisations partenaires.")
        )
    campaigns = plan.campaigns.order_by("-as_of")
    return render(
        request,
        "campaigns/campaign_list.html",
        {"plan": plan, "campaigns": campaigns, "coordinator": coordinator, "today": timezone.localdate()},
    )


@require_POST
@login_required
def campaign_open(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    if not rules.coordinates(request.user, plan.owner_id):
        raise PermissionDenied(_("Seule la coordination du plan peut ouvrir une campagne."))
    dates = {}
    for name, label in (("as_of", _("État au")), ("deadline", _("Date limite"))):
        try:
            dates[name] = parse_reporting_date(request.POST.get(name, ""))
        except InvalidDate as exc:
            messages.error(request, f"{label} : {exc.message}")
    if len(dates) < 2:
        return redirect("campaign-list", slug=slug)
    as_of, deadline = dates["as_of"], dates["deadline"]
    try:
        campaign = services.open_campaign(plan=plan, as_of=as_of, deadline=deadline, opened_by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("campaign-list", slug=slug)
    messages.success(request, _("Campagne ouverte : une mise à jour par mesure a été préparée."))
    return redirect("campaign-dashboard", slug=slug, as_of=campaign.as_of.isoformat())


@require_safe
@login_required
def campaign_dashboard(request, slug, as_of):
    campaign = get_campaign_for_user(request.user, slug, as_of)
    coordinator = rules.coordinates(request.user, campaign.plan.owner_id)
    mine = rules.organizations_with_role(request.user, "editor", "collaborator")
    drafts = campaign.drafts.select_related("measure", "updated_by").prefetch_related(
        "measure__lead_links__organization"
    )
    if not coordinator:
        # Only the measures that involve the user's organizations, filtered in the database.
        drafts = drafts.filter(
            Q(measure__lead_links__organization__in=mine) | Q(measure__collaborators__organization__in=mine)
        ).distinct()
    today = timezone.localdate()
    rows = []
    for draft in drafts.order_by("measure__number"):
        for link in draft.measure.lead_links.all():
            rows.append(
                {
                    "organization": link.organization,
                    "draft": draft,
                    "late": services.lateness(campaign, draft, today),
                }
            )
    rows.sort(key=lambda r: (r["organization"].name, r["draft"].measure.number))
    counts = (
        dict(campaign.drafts.values_list("state").annotate(n=Count("pk")).order_by()) if coordinator else {}
    )
    to_remind = _organizations_to_remind(campaign, rows, today) if coordinator and campaign.is_open else []
    return render(
        request,
        "campaigns/dashboard.html",
        {
            "campaign": campaign,
            "plan": campaign.plan,
            "rows": rows,
            "counts": [(state.label, counts.get(state.value, 0)) for state in Draft.State],
            "coordinator": coordinator,
            "days_left": (campaign.deadline - today).days,
            "days_late": max(0, (today - campaign.deadline).days),
            "to_remind": to_remind,
            "late_count": sum(1 for row in rows if row["late"]),
        },
    )


def _organizations_to_remind(campaign, rows, today) -> list[dict]:
    """Each lead organization with measures not yet submitted, and whether the
    coordination already reminded it today (one query for all)."""
    pending: dict = {}
    for row in rows:
        if row["draft"].state in PENDING_STATES:
            pending.setdefault(row["organization"], []).append(row["draft"])
    keys = {org.pk: services.manual_reminder_key(campaign, org, today) for org in pending}
    sent = sent_keys(keys.values())
    return [
        {"organization": org, "pending": len(drafts), "reminded_today": keys[org.pk] in sent}
        for org, drafts in sorted(pending.items(), key=lambda item: (item[0].name, item[0].pk))
    ]


@require_POST
@login_required
def campaign_remind(request, slug, as_of):
    """The coordination reminds one organization now (at most once a day)."""
    campaign = get_campaign_for_user(request.user, slug, as_of)
    if not rules.coordinates(request.user, campaign.plan.owner_id):
        raise PermissionDenied(_("Seule la coordination du plan peut envoyer un rappel."))
    organization = Organization.objects.filter(code=request.POST.get("organization", "")).first()
    if organization is None:
        messages.error(request, _("Organisation inconnue : aucun rappel n’a été envoyé."))
    else:
        try:
            sent = services.remind_organization_now(
                campaign=campaign, organization=organization, user=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if sent:
                messages.success(
                    request,
                    _("Rappel envoyé aux responsables de la mise à jour de %(organization)s.")
                    % {"organization": organization.name},
                )
            else:
                messages.warning(
                    request,
                    _(
                        "Un rappel a déjà été envoyé aujourd’hui à %(organization)s : un seul rappel par "
                        "jour et par organisation. Rien n’a été envoyé de nouveau."
                    )
                    % {"organization": organization.name},
                )
    return redirect("campaign-dashboard", slug=slug, as_of=as_of)


LATE_FORMATS = ("csv", "xlsx")


@require_safe
@login_required
def campaign_late_export(request, slug, as_of, fmt):
    """The late items of the campaign as CSV or Excel, for the coordination."""
    campaign = get_campaign_for_user(request.user, slug, as_of)
    if not rules.coordinates(request.user, campaign.plan.owner_id):
        raise PermissionDenied(_("L’export des retards est réservé à la coordination du plan."))
    if fmt not in LATE_FORMATS:
        raise Http404(_("Format inconnu : csv ou xlsx."))
    today = timezone.localdate()
    header = [
        _("Organisation responsable"),
        _("Mesure"),
        _("Titre de la mesure"),
        _("État de la mise à jour"),
        _("Date limite"),
        _("Jours de retard"),
    ]
    rows = [
        [
            item["organization"].name,
            item["draft"].measure.number,
            item["draft"].measure.title,
            str(item["draft"].get_state_display()),
            campaign.deadline,
            item["days_late"],
        ]
        for item in services.late_items(campaign, today)
    ]
    filename = f"retards-{campaign.plan.slug}-{campaign.as_of.isoformat()}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # so that Excel reads the file as UTF-8
        writer = csv_writer(response)
        writer.writerow(header)
        writer.writerows([[*row[:4], row[4].isoformat(), row[5]] for row in rows])
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Retards")[:31]
        append_row(sheet, header)
        for row in rows:
            append_row(sheet, row)
            sheet.cell(row=sheet.max_row, column=5).number_format = "yyyy-mm-dd"
        response = HttpResponse(workbook_bytes(workbook, day=today), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _posted_version(request) -> int:
    """The draft version the form was based on (-1 if missing: always a conflict)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _is_blank_component(row: dict) -> bool:
    return (
        not str(row.get("label") or "").strip()
        and not str(row.get("narrative") or "").strip()
        and row.get("percent") in ("", None)
    )


def _posted_data(post) -> dict:
    try:
        count = int(post.get("components-count") or 0)
    except ValueError:
        count = 0
    components = [
        {
            "label": post.get(f"components-{i}-label", ""),
            "organization": post.get(f"components-{i}-organization", ""),
            "percent": post.get(f"components-{i}-percent", ""),
            "narrative": post.get(f"components-{i}-narrative", ""),
        }
        for i in range(min(count, 50))
    ]
    # Rows left empty are not components; dropping them here numbers the
    # others as the form shows them again (errors name "Composante <n>").
    components = [c for c in components if not _is_blank_component(c)]
    values = [
        {
            "indicator": key.split("-")[1],
            "actual": post.get(f"values-{key.split('-')[1]}-actual", ""),
            "percent": post.get(f"values-{key.split('-')[1]}-percent", ""),
            "note": post.get(f"values-{key.split('-')[1]}-note", ""),
        }
        for key in post
        if key.startswith("values-")
        and key.endswith("-actual")
        and key.split("-")[1].isascii()
        and key.split("-")[1].isdecimal()
    ]
    return {
        "percent": post.get("percent", ""),
        "status": post.get("status", ""),
        "completed_in": post.get("completed_in", ""),
        "narrative": post.get("narrative", ""),
        "components": components,
        "values": values,
    }


# Where each error of ``services.clean_draft_data`` is shown: the id of its field.
FIELD_LABELS = {
    "percent": _lazy("Pourcentage d’avancement"),
    "status": _lazy("État de la mesure"),
    "completed_in": _lazy("Réalisée en"),
    "narrative": _lazy("État d’avancement"),
}


def _field_errors(errors: dict) -> tuple[dict, list[dict]]:
    """The errors by field id (``percent``, ``values-<id>-actual``,
    ``components-<n>-label``), and the list for the error summary, each
    linked to its field."""
    by_id: dict[str, list[str]] = {}
    items = []
    for key, texts in (errors or {}).items():
        if key in FIELD_LABELS:
            anchor, label = key, str(FIELD_LABELS[key])
        elif key.startswith("values-") and key[7:].isdecimal():
            anchor, label = f"{key}-actual", ""
        elif key.startswith("components-") and key[11:].isdecimal():
            anchor, label = f"components-{int(key[11:]) - 1}-label", ""
        else:
            anchor, label = "", ""
        if anchor:
            by_id.setdefault(anchor, []).extend(texts)
        items += [{"anchor": anchor, "label": label, "message": text} for text in texts]
    return by_id, items


def _form_rows(draft: Draft, data: dict | None = None, field_errors: dict | None = None):
    """What the form shows: the draft's values, or what the user typed (with
    the errors of each row)."""
    field_errors = field_errors or {}
    source = (
        data
        if data is not None
        else {
            "percent": "" if draft.percent is None else draft.percent,
            "status": draft.status,
            "completed_in": draft.completed_in,
            "narrative": draft.narrative,
            "components": draft.components,
            "values": draft.values,
        }
    )
    values = {str(v.get("indicator")): v for v in source.get("values") or []}
    indicators = [
        {
            "indicator": i,
            "value": values.get(str(i.pk), {}),
            "errors": field_errors.get(f"values-{i.pk}-actual", []),
        }
        for i in sorted(draft.measure.indicators.all(), key=lambda i: i.position)
    ]
    components = [
        {**c, "errors": field_errors.get(f"components-{index}-label", [])}
        for index, c in enumerate(c for c in source.get("components") or [] if not _is_blank_component(c))
    ]
    components.append({"label": "", "organization": "", "percent": "", "narrative": "", "errors": []})
    return source, indicators, components


def _differences(current: Draft, typed: dict) -> list[dict]:
    """Fields that the other person's save changed, compared with what this user typed."""
    labels = {
        "percent": _("Pourcentage"),
        "status": _("État de la mesure"),
        "completed_in": _("Réalisée en"),
        "narrative": _("État d’avancement"),
        "components": _("Composantes"),
        "values": _("Valeurs des indicateurs"),
    }
    saved = {
        "percent": "" if current.percent is None else str(current.percent),
        "status": current.status,
        "completed_in": current.completed_in,
        "narrative": current.narrative,
    }
    result = []
    for field, saved_value in saved.items():
        mine = str(typed.get(field) or "").strip()
        if mine != str(saved_value or "").strip():
            result.append({"label": labels[field], "saved": saved_value, "mine": mine})
    return result


def _render_draft(request, draft, *, data=None, errors=None, conflict=None, status=200, version=None):
    field_errors, error_items = _field_errors(errors)
    source, indicators, components = _form_rows(draft, data, field_errors)
    return render(
        request,
        "campaigns/draft_detail.html",
        {
            "draft": draft,
            "campaign": draft.campaign,
            "plan": draft.campaign.plan,
            "measure": draft.measure,
            "abilities": rules.get_abilities(request.user, draft),
            "source": source,
            "indicators": indicators,
            "components": components,
            "statuses": Status.choices,
            "organizations": Organization.objects.order_by("name").only("code", "name"),
            "errors": errors or {},
            "error_items": error_items,
            "field_errors": {name: field_errors.get(name, []) for name in FIELD_LABELS},
            "why_not_editable": rules.why_not_editable(request.user, draft),
            "conflict": conflict,
            "comments": draft.comments.select_related("author").order_by("created_at", "pk"),
            "late": services.lateness(draft.campaign, draft),
            # The version the user's form was based on: an invalid save must not
            # silently adopt someone else's newer version.
            "form_version": draft.version if version is None else version,
            "typed_but_locked": data
            if (data is not None and not rules.can_edit_draft(request.user, draft))
            else None,
        },
        status=status,
    )


@require_safe
@login_required
def draft_detail(request, slug, as_of, number):
    draft = get_draft_for_user(request.user, slug, as_of, number)
    return _render_draft(request, draft)


@require_POST
@login_required
def draft_save(request, slug, as_of, number):
    draft = get_draft_for_user(request.user, slug, as_of, number)
    typed = _posted_data(request.POST)
    version = _posted_version(request)
    if not rules.can_edit_draft(request.user, draft):
        if draft.state in (Draft.State.SUBMITTED, Draft.State.VALIDATED) or not draft.campaign.is_open:
            # It was submitted, validated or closed in the meantime: show what was typed.
            messages.error(
                request,
                _(
                    "Cette mise à jour ne peut plus être modifiée : elle a été soumise, validée ou la campagne est fermée. Votre saisie est reproduite ci-dessous."
                ),
            )
            return _render_draft(request, draft, data=typed, status=409)
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette mise à jour."))
    try:
        services.save_draft(
            draft=draft,
            user=request.user,
            data=typed,
            expected_version=version,
            submit="submit" in request.POST,
        )
    except ValidationError as exc:
        return _render_draft(request, draft, data=typed, errors=exc.message_dict, status=400, version=version)
    except services.ConflictError as conflict:
        current = conflict.current
        return _render_draft(
            request,
            current,
            data=typed,
            conflict={
                "by": current.updated_by,
                "at": current.updated_at,
                "differences": _differences(current, typed),
            },
            status=409,
        )
    messages.success(
        request,
        _("Mise à jour soumise à la coordination.")
        if "submit" in request.POST
        else _("Brouillon enregistré."),
    )
    return redirect("draft-detail", slug=slug, as_of=as_of, number=number)


@require_POST
@login_required
def draft_review(request, slug, as_of, number):
    draft = get_draft_for_user(request.user, slug, as_of, number)
    if not rules.can_review(request.user, draft):
        raise PermissionDenied(_("Seule la coordination peut valider ou retourner une mise à jour soumise."))
    version = _posted_version(request)
    try:
        if request.POST.get("action") == "validate":
            services.validate_draft(draft=draft, user=request.user, expected_version=version)
            campaign = draft.campaign
            if PublishedDate.objects.filter(plan=campaign.plan, as_of=campaign.as_of).exists():
                messages.success(request, _("Mise à jour validée : elle est maintenant publique."))
            else:
                messages.success(
                    request,
                    _(
                        "Mise à jour validée. Le public la verra quand la coordination publiera l’état au %(date)s."
                    )
                    % {"date": date_label(campaign.as_of)},
                )
        elif request.POST.get("action") == "return":
            services.return_draft(
                draft=draft,
                user=request.user,
                comment=request.POST.get("comment", ""),
                expected_version=version,
            )
            messages.success(request, _("Mise à jour retournée au partenaire."))
        else:
            messages.error(request, _("Action inconnue."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except services.ConflictError:
        messages.error(
            request, _("Cette mise à jour a changé depuis son affichage : relisez-la avant de décider.")
        )
    return redirect("draft-detail", slug=slug, as_of=as_of, number=number)


@require_POST
@login_required
def draft_comment(request, slug, as_of, number):
    draft = get_draft_for_user(request.user, slug, as_of, number)
    if not rules.can_comment(request.user, draft):
        raise PermissionDenied(_("Vous ne pouvez pas commenter cette mise à jour."))
    try:
        services.add_comment(draft=draft, user=request.user, text=request.POST.get("text", ""))
        messages.success(request, _("Commentaire ajouté."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("draft-detail", slug=slug, as_of=as_of, number=number)
