"""Pages of the CIQ's groups.

Public: the list of groups and each group's page (kind, mandate, dates, the
orders its members represent and their roles, the published opinions it
prepared), their JSON twin, the CIQ home's and an order's page's sections.
Never a name's contact details, the meetings' documents, minutes or action
items. Members (a current membership linked to their account): their groups'
meetings, agenda documents and minutes (read-only), their own action items,
their private calendar feed. CIQ staff: everything.

Every private view fetches its object through one helper that also checks
access: someone signed in who may not see it gets a 404 (its existence is not
revealed); anonymous people are sent to sign in.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.accounts.rules import is_signed_in
from concerto.accounts.signin import login_redirect, require_signed_in
from concerto.api.responses import api_response, api_view
from concerto.ciq.rules import ciq_coordinated
from concerto.core import ical
from concerto.opinions.models import Opinion

from . import rules, services
from .forms import (
    ActionItemForm,
    AdoptForm,
    AgendaItemForm,
    DecisionForm,
    DocumentForm,
    EndTermForm,
    GroupForm,
    MeetingForm,
    MembershipForm,
    MinutesForm,
)
from .models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    Attendance,
    CalendarToken,
    Group,
    Meeting,
    Membership,
    Minutes,
    current_q,
)

_signed_in = require_signed_in
_login_redirect = login_redirect


def _group_for_staff(request, slug) -> Group:
    _signed_in(request)
    group = get_object_or_404(Group.objects.select_related("owner"), slug=slug)
    if not rules.is_staff_of(request.user, group):
        raise Http404(_("Groupe introuvable."))
    return group


def _group_for_reader(request, slug) -> tuple[Group, bool]:
    _signed_in(request)
    group = get_object_or_404(Group.objects.select_related("owner"), slug=slug)
    staff = rules.is_staff_of(request.user, group)
    if not staff and group.pk not in rules.member_group_ids(request.user):
        raise Http404(_("Groupe introuvable."))
    return group, staff


def _meeting_for_reader(request, pk) -> tuple[Meeting, bool]:
    _signed_in(request)
    meeting = get_object_or_404(Meeting.objects.select_related("group__owner"), pk=pk)
    staff = rules.is_staff_of(request.user, meeting.group)
    if not staff and meeting.group_id not in rules.member_group_ids(request.user):
        raise Http404(_("Réunion introuvable."))
    return meeting, staff


def _meeting_for_staff(request, pk) -> Meeting:
    _signed_in(request)
    meeting = get_object_or_404(Meeting.objects.select_related("group__owner"), pk=pk)
    if not rules.is_staff_of(request.user, meeting.group):
        raise Http404(_("Réunion introuvable."))
    return meeting


def _errors_to_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors_to_messages(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# --- public ------------------------------------------------------------------------------


def _public_groups():
    today = timezone.localdate()
    current = (
        Membership.objects.filter(current_q(today))
        .select_related("organization")
        .order_by("role", "organization__name", "affiliation", "pk")
    )
    return Group.objects.prefetch_related(
        Prefetch("members", queryset=current, to_attr="current_members")
    ).order_by("kind", "name", "pk")


def _public_member(m: Membership) -> dict:
    """What the public knows of a member: the order (or the expert's affiliation) and the role. Never a name or an address."""
    return {
        "organization": m.organization,
        "affiliation": m.affiliation,
        "role": m.role,
        "role_label": m.get_role_display(),
    }


@require_safe
def public_list(request):
    groups = list(_public_groups())
    for group in groups:
        group.public_members = [_public_member(m) for m in group.current_members]
    return render(
        request,
        "groups/public_list.html",
        {"groups": groups, "kinds": Group.Kind.choices, "staff": rules.can_create_groups(request.user)},
    )


@require_safe
def public_page(request, slug):
    group = get_object_or_404(Group.objects.select_related("owner"), slug=slug)
    today = timezone.localdate()
    members = list(
        group.members.select_related("organization").order_by(
            "role", "organization__name", "term_start", "pk"
        )
    )
    current = [_public_member(m) for m in members if m.is_current_on(today)]
    past = [
        {**_public_member(m), "term_start": m.term_start, "term_end": m.term_end}
        for m in members
        if m.term_end is not None and m.term_end < today
    ]
    opinions = Opinion.objects.published().filter(groups=group).order_by("-adopted_on", "-pk")
    return render(
        request,
        "groups/public_page.html",
        {
            "group": group,
            "current": current,
            "past": past,
            "opinions": list(opinions),
            "reader": is_signed_in(request.user) and rules.can_read(request.user, group),
        },
    )


@api_view
def api_groups(request):
    """The JSON twin of the public list: the same public facts."""
    items = []
    for group in _public_groups():
        items.append(
            {
                "slug": group.slug,
                "kind": group.kind,
                "kind_label": group.get_kind_display(),
                "name": group.name,
                "mandate": group.mandate,
                "started_on": group.started_on.isoformat(),
                "ended_on": group.ended_on.isoformat() if group.ended_on else None,
                "members": [
                    {
                        "organization": (
                            {
                                "code": m.organization.code,
                                "acronym": m.organization.acronym or None,
                                "name": m.organization.name,
                            }
                            if m.organization_id
                            else None
                        ),
                        "affiliation": m.affiliation or None,
                        "role": m.role,
                        "role_label": m.get_role_display(),
                    }
                    for m in group.current_members
                ],
                "url": request.build_absolute_uri(reverse("groups-public", args=[group.slug])),
            }
        )
    return api_response({"schema": "concerto.ciq-groups/1", "count": len(items), "items": items})


def home_section(request) -> dict | None:
    """The CIQ home's section: the groups by kind."""
    groups = list(Group.objects.order_by("kind", "name", "pk"))
    if not groups:
        return None
    by_kind = [(label, [g for g in groups if g.kind == value]) for value, label in Group.Kind.choices]
    return {"by_kind": [(label, items) for label, items in by_kind if items]}


def organization_section(request, organization) -> dict | None:
    """An order's page: the groups it sits on through a current member (public facts only)."""
    today = timezone.localdate()
    memberships = list(
        Membership.objects.filter(current_q(today), organization=organization)
        .select_related("group")
        .order_by("group__name", "role", "pk")
    )
    if not memberships:
        return None
    seen, rows = set(), []
    for m in memberships:
        if m.group_id in seen:
            continue
        seen.add(m.group_id)
        rows.append({"group": m.group, "role_label": m.get_role_display()})
    return {"rows": rows}


# --- CIQ staff: groups and members ---------------------------------------------------------


@require_safe
@_login_redirect
def staff_list(request):
    _signed_in(request)
    if not rules.can_create_groups(request.user):
        raise Http404(_("Page introuvable."))
    today = timezone.localdate()
    groups = list(
        rules.staff_groups(request.user)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Membership.objects.filter(current_q(today)).order_by("pk"),
                to_attr="current_members",
            ),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.filter(starts_at__gte=timezone.now())
                .exclude(status=Meeting.Status.CANCELLED)
                .order_by("starts_at", "pk"),
                to_attr="upcoming",
            ),
        )
        .order_by("kind", "name", "pk")
    )
    return render(request, "groups/staff_list.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
@_login_redirect
def group_create(request):
    _signed_in(request)
    owner = ciq_coordinated(request.user).first()
    if owner is None:
        raise Http404(_("Page introuvable."))
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = form.save(commit=False)
        group.owner = owner
        try:
            services.save_group(
                user=request.user,
                group=group,
                consultations=form.cleaned_data["consultations"],
                opinions=form.cleaned_data["opinions"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Groupe créé."))
            return redirect("groups-workspace", slug=group.slug)
    return render(request, "groups/group_form.html", {"form": form, "group": None})


@require_http_methods(["GET", "POST"])
@_login_redirect
def group_edit(request, slug):
    group = _group_for_staff(request, slug)
    form = GroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        group = form.save(commit=False)
        try:
            services.save_group(
                user=request.user,
                group=group,
                consultations=form.cleaned_data["consultations"],
                opinions=form.cleaned_data["opinions"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Groupe enregistré."))
            return redirect("groups-workspace", slug=group.slug)
    return render(request, "groups/group_form.html", {"form": form, "group": group})


@require_safe
@_login_redirect
def workspace(request, slug):
    """The group's private page: members (current and past), meetings; forms for the CIQ's staff."""
    group, staff = _group_for_reader(request, slug)
    today = timezone.localdate()
    members = list(group.members.select_related("organization", "user").order_by("role", "name", "pk"))
    meetings = list(group.meetings.order_by("-starts_at", "-pk").select_related("minutes"))
    return render(
        request,
        "groups/workspace.html",
        {
            "group": group,
            "staff": staff,
            "current": [m for m in members if m.is_current_on(today)],
            "past": [m for m in members if not m.is_current_on(today)],
            "meetings": meetings,
            "member_form": MembershipForm(initial={"term_start": today}) if staff else None,
            "consultations": list(group.consultations.select_related("dossier").order_by("pk"))
            if staff
            else [],
            "opinions": list(group.opinions.order_by("reference")),
        },
    )


@require_POST
@_login_redirect
def member_add(request, slug):
    group = _group_for_staff(request, slug)
    form = MembershipForm(request.POST)
    if form.is_valid():
        membership = form.save(commit=False)
        membership.group = group
        try:
            services.add_member(user=request.user, membership=membership)
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Membre ajouté."))
    else:
        _form_errors_to_messages(request, form)
    return redirect("groups-workspace", slug=group.slug)


@require_POST
@_login_redirect
def member_end(request, pk):
    _signed_in(request)
    membership = get_object_or_404(Membership.objects.select_related("group"), pk=pk)
    if not rules.is_staff_of(request.user, membership.group):
        raise Http404(_("Membre introuvable."))
    form = EndTermForm(request.POST)
    if form.is_valid():
        try:
            services.end_term(user=request.user, membership=membership, on=form.cleaned_data["term_end"])
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Mandat terminé ; la personne reste dans l’historique du groupe."))
    else:
        _form_errors_to_messages(request, form)
    return redirect("groups-workspace", slug=membership.group.slug)


# --- meetings ------------------------------------------------------------------------------


def _save_meeting(request, form, meeting) -> bool:
    if not form.is_valid():
        return False
    try:
        sent = services.save_meeting(user=request.user, meeting=form.save(commit=False))
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    messages.success(
        request, _("Réunion enregistrée ; %(count)d invitation(s) envoyée(s).") % {"count": sent}
    )
    return True


@require_http_methods(["GET", "POST"])
@_login_redirect
def meeting_create(request, slug):
    group = _group_for_staff(request, slug)
    meeting = Meeting(group=group)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and _save_meeting(request, form, meeting):
        return redirect("groups-meeting", pk=form.instance.pk)
    return render(request, "groups/meeting_form.html", {"form": form, "group": group, "meeting": None})


@require_http_methods(["GET", "POST"])
@_login_redirect
def meeting_edit(request, pk):
    meeting = _meeting_for_staff(request, pk)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and _save_meeting(request, form, meeting):
        return redirect("groups-meeting", pk=meeting.pk)
    return render(
        request, "groups/meeting_form.html", {"form": form, "group": meeting.group, "meeting": meeting}
    )


@require_POST
@_login_redirect
def meeting_cancel(request, pk):
    meeting = _meeting_for_staff(request, pk)
    try:
        sent = services.cancel_meeting(user=request.user, meeting=meeting)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(
            request, _("Réunion annulée ; %(count)d avis d’annulation envoyé(s).") % {"count": sent}
        )
    return redirect("groups-meeting", pk=meeting.pk)


@require_safe
@_login_redirect
def meeting_detail(request, pk):
    meeting, staff = _meeting_for_reader(request, pk)
    group = meeting.group
    items = list(
        meeting.agenda_items.prefetch_related(
            Prefetch("documents", queryset=AgendaDocument.objects.order_by("uploaded_at", "pk"))
        ).order_by("position", "pk")
    )
    minutes = Minutes.objects.filter(meeting=meeting).select_related("adopted_at").first()
    today = timezone.localdate()
    members = list(group.members.select_related("organization").order_by("role", "name", "pk"))
    attendance = {a.membership_id: a.status for a in meeting.attendances.order_by("pk")}
    actions = list(
        meeting.action_items.select_related("owner_membership", "owner_user").order_by("due_on", "pk")
    )
    for action in actions:
        action.may_mark = not action.is_done and (staff or rules.owns_action(request.user, action))
    context = {
        "meeting": meeting,
        "group": group,
        "staff": staff,
        "items": items,
        "minutes": minutes,
        "decisions": list(meeting.decisions.order_by("created_at", "pk")),
        "actions": actions,
        "attendance_rows": [
            (m, attendance.get(m.pk, ""))
            for m in members
            if m.is_current_on(timezone.localdate(meeting.starts_at)) or m.pk in attendance
        ],
        "attendance_choices": Attendance.Status.choices,
        "adopted_here": list(
            meeting.adopted_minutes.select_related("meeting").order_by("meeting__starts_at")
        ),
        "cancelled": meeting.status == Meeting.Status.CANCELLED,
        "today": today,
    }
    if staff:
        context |= {
            "agenda_form": AgendaItemForm(),
            "document_form": DocumentForm(),
            "minutes_form": MinutesForm(initial={"body": minutes.body if minutes else ""}),
            "adopt_form": AdoptForm(meeting=meeting),
            "decision_form": DecisionForm(),
            "action_form": ActionItemForm(meeting=meeting),
        }
    return render(request, "groups/meeting_detail.html", context)


@require_POST
@_login_redirect
def agenda_add(request, pk):
    meeting = _meeting_for_staff(request, pk)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        services.add_agenda_item(user=request.user, meeting=meeting, title=form.cleaned_data["title"])
        messages.success(request, _("Point ajouté à l’ordre du jour."))
    else:
        _form_errors_to_messages(request, form)
    return redirect("groups-meeting", pk=meeting.pk)


@require_POST
@_login_redirect
def document_add(request, pk):
    _signed_in(request)
    item = get_object_or_404(AgendaItem.objects.select_related("meeting__group"), pk=pk)
    if not rules.is_staff_of(request.user, item.meeting.group):
        raise Http404(_("Point introuvable."))
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        services.add_document(
            user=request.user,
            item=item,
            upload=upload,
            content_type=form.content_type,
            title=form.cleaned_data["title"],
        )
        messages.success(request, _("Document ajouté."))
    else:
        _form_errors_to_messages(request, form)
    return redirect("groups-meeting", pk=item.meeting_id)


@require_safe
@_login_redirect
def document_download(request, pk):
    _signed_in(request)
    document = get_object_or_404(AgendaDocument.objects.select_related("item__meeting__group"), pk=pk)
    group = document.item.meeting.group
    if not rules.can_read(request.user, group):
        raise Http404(_("Document introuvable."))
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Document introuvable.")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@_login_redirect
def attendance(request, pk):
    meeting = _meeting_for_staff(request, pk)
    statuses = {}
    for key, value in request.POST.items():
        if key.startswith("member-"):
            try:
                statuses[int(key.removeprefix("member-"))] = value
            except ValueError:
                continue
    try:
        services.record_attendance(user=request.user, meeting=meeting, statuses=statuses)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Présences enregistrées."))
    return redirect("groups-meeting", pk=meeting.pk)


@require_POST
@_login_redirect
def minutes_save(request, pk):
    meeting = _meeting_for_staff(request, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.save_minutes(user=request.user, meeting=meeting, body=form.cleaned_data["body"])
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Projet de procès-verbal enregistré."))
    else:
        _form_errors_to_messages(request, form)
    return redirect("groups-meeting", pk=meeting.pk)


@require_POST
@_login_redirect
def minutes_adopt(request, pk):
    meeting = _meeting_for_staff(request, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        messages.error(request, _("Aucun projet de procès-verbal à adopter pour cette réunion."))
        return redirect("groups-meeting", pk=meeting.pk)
    form = AdoptForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.adopt_minutes(user=request.user, minutes=minutes, at=form.cleaned_data["at"])
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Procès-verbal adopté."))
    else:
        _form_errors_to_messages(request, form)
    return redirect("groups-meeting", pk=meeting.pk)


@require_POST
@_login_redirect
def decision_add(request, pk):
    meeting = _meeting_for_staff(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        services.add_decision(user=request.user, meeting=meeting, text=form.cleaned_data["text"])
        messages.success(request, _("Décision consignée."))
    else:
        _form_errors_to_messages(request, form)
    return redirect("groups-meeting", pk=meeting.pk)


@require_POST
@_login_redirect
def action_add(request, pk):
    meeting = _meeting_for_staff(request, pk)
    form = ActionItemForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.add_action_item(user=request.user, item=form.save(commit=False))
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Suivi ajouté."))
    else:
        _form_errors_to_messages(request, form)
    return redirect("groups-meeting", pk=meeting.pk)


@require_POST
@_login_redirect
def action_done(request, pk):
    _signed_in(request)
    item = get_object_or_404(ActionItem.objects.select_related("meeting__group", "owner_membership"), pk=pk)
    if not rules.can_read(request.user, item.meeting.group):
        raise Http404(_("Suivi introuvable."))
    try:
        services.mark_done(user=request.user, item=item)
    except PermissionDenied:
        raise Http404(_("Suivi introuvable.")) from None
    messages.success(request, _("Suivi marqué fait."))
    target = request.POST.get("next")
    if target == "mine":
        return redirect("groups-mine")
    return redirect("groups-meeting", pk=item.meeting_id)


# --- a member's own page and calendar -----------------------------------------------------


@require_safe
@_login_redirect
def mine(request):
    _signed_in(request)
    today = timezone.localdate()
    memberships = list(
        rules.current_memberships(request.user, today=today)
        .select_related("group", "organization")
        .order_by("group__name", "pk")
    )
    group_ids = {m.group_id for m in memberships}
    upcoming = list(
        Meeting.objects.filter(group__in=group_ids, ends_at__gte=timezone.now())
        .select_related("group")
        .order_by("starts_at", "pk")
    )
    actions = list(
        ActionItem.objects.filter(done_at__isnull=True, meeting__group__in=group_ids)
        .filter(owner_membership__user=request.user)
        .select_related("meeting__group")
        .order_by("due_on", "pk")
    ) + list(
        ActionItem.objects.filter(done_at__isnull=True, meeting__group__in=group_ids, owner_user=request.user)
        .exclude(owner_membership__user=request.user)
        .select_related("meeting__group")
        .order_by("due_on", "pk")
    )
    token = CalendarToken.objects.filter(user=request.user).first() if memberships else None
    return render(
        request,
        "groups/mine.html",
        {
            "memberships": memberships,
            "upcoming": upcoming,
            "actions": actions,
            "token": token,
            "feed_url": request.build_absolute_uri(reverse("groups-calendar-feed", args=[token.token]))
            if token
            else "",
        },
    )


@require_POST
@_login_redirect
def calendar_token(request):
    _signed_in(request)
    if not rules.member_group_ids(request.user):
        raise Http404(_("Page introuvable."))
    services.regenerate_token(user=request.user)
    messages.success(request, _("Nouvelle adresse de calendrier créée ; l’ancienne ne fonctionne plus."))
    return redirect("groups-mine")


@require_safe
def calendar_feed(request, token):
    """A person's private feed: the meetings of the groups where they have a current membership."""
    entry = CalendarToken.objects.filter(token=token).select_related("user").first()
    if entry is None or not entry.user.is_active:
        raise Http404(_("Calendrier introuvable."))
    from .notifications import event

    group_ids = rules.member_group_ids(entry.user)
    meetings = Meeting.objects.filter(group__in=group_ids).select_related("group").order_by("starts_at", "pk")
    events = [event(m, cancelled=m.status == Meeting.Status.CANCELLED) for m in meetings]
    response = ical.response(
        ical.calendar(events, name=_("Mes réunions — groupes du CIQ")), filename="reunions.ics"
    )
    response["Cache-Control"] = "private, no-store"
    return response
