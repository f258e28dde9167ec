"""Pages of the CIQ's trainings and activities (``/ciq/activites/``).

Public: the upcoming sessions of public activities with the seats left, an
activity's page, the public iCalendar feed and the list's JSON twin
(``/api/ciq/activities``). Never a registrant's name. Signed-in orders'
staff: one-click registration (POST), cancellation, their registrations and
certificates. CIQ staff: activities and sessions, registrations and
attendance per session and per order, exports.

Every view fetches its object through one helper that also checks access:
an activity or session someone may not see is a 404; anonymous people are
sent to sign in for personal pages.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.accounts.rules import is_signed_in
from concerto.api.responses import ApiError, api_response, api_view
from concerto.core import ical
from concerto.organizations.models import Organization

from . import exports, notifications, rules, services
from .certificates import render_certificate
from .forms import ActivityForm, SessionForm
from .models import Activity, Registration, Session

STAFF_ONLY = _("Cette page est réservée à la coordination du CIQ.")
EXPORT_FORMATS = ("csv", "xlsx")


def _confirmed_count():
    return Count(
        "registrations", filter=Q(registrations__status=Registration.Status.REGISTERED), distinct=True
    )


def _waiting_count():
    return Count(
        "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED), distinct=True
    )


def _with_counts(sessions):
    return sessions.annotate(confirmed=_confirmed_count(), waiting=_waiting_count())


def _seats_left(session) -> int:
    return max(session.capacity - session.confirmed, 0)


def upcoming_public_sessions(now=None):
    """Upcoming scheduled sessions of public activities, soonest first, with their counts."""
    now = now or timezone.now()
    return _with_counts(
        Session.objects.filter(
            activity__is_public=True, status=Session.Status.SCHEDULED, ends_at__gte=now
        ).select_related("activity")
    ).order_by("starts_at", "pk")


def _rank_subquery():
    """A waiting registration's place in its session's waiting list (1 = next)."""
    ahead = (
        Registration.objects.filter(
            session=OuterRef("session"),
            status=Registration.Status.WAITLISTED,
            position__lt=OuterRef("position"),
        )
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(ahead)


def _activity_for_staff(request, slug) -> Activity:
    activity = get_object_or_404(Activity.objects.select_related("owner"), slug=slug)
    if not rules.can_manage(request.user, activity):
        raise Http404(_("Aucune activité ne porte cette adresse."))
    return activity


def _session_for_staff(request, pk) -> Session:
    session = get_object_or_404(Session.objects.select_related("activity", "activity__owner"), pk=pk)
    if not rules.can_manage(request.user, session.activity):
        raise Http404(_("Séance introuvable."))
    return session


def _require_staff_home(request):
    if not rules.can_create(request.user):
        raise PermissionDenied(STAFF_ONLY)


def _errors(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- public ------------------------------------------------------------------------------


@require_safe
def activity_list(request):
    """Upcoming sessions: of public activities for everyone; also those an order's person may join,
    and every session for the CIQ's staff."""
    now = timezone.now()
    sessions = list(
        _with_counts(
            rules.visible_sessions(request.user)
            .filter(status=Session.Status.SCHEDULED, ends_at__gte=now)
            .select_related("activity")
        ).order_by("starts_at", "pk")
    )
    for session in sessions:
        session.seats_left = _seats_left(session)
    return render(
        request,
        "activities/list.html",
        {
            "sessions": sessions,
            "staff": rules.can_create(request.user),
            "signed_in": is_signed_in(request.user),
        },
    )


@require_safe
def activity_detail(request, slug):
    activity = get_object_or_404(Activity, slug=slug)
    sessions = list(
        _with_counts(activity.sessions.filter(ends_at__gte=timezone.now())).order_by("starts_at", "pk")
    )
    if not rules.can_see_activity(request.user, activity, sessions):
        raise Http404(_("Aucune activité ne porte cette adresse."))
    mine = {}
    if is_signed_in(request.user):
        mine = {
            r.session_id: r
            for r in Registration.objects.filter(
                user=request.user, session__in=[s.pk for s in sessions], status__in=Registration.ACTIVE
            )
            .annotate(ahead=_rank_subquery())
            .order_by("pk")
        }
    now = timezone.now()
    for session in sessions:
        session.seats_left = _seats_left(session)
        session.mine = mine.get(session.pk)
        if session.mine is not None and session.mine.status == Registration.Status.WAITLISTED:
            session.mine.rank = (session.mine.ahead or 0) + 1
        session.eligible = rules.eligible_organizations(request.user, session)
        session.open = (
            not session.is_cancelled and now <= session.registration_deadline and now < session.starts_at
        )
        session.can_cancel = session.mine is not None and now <= session.cancellation_cutoff
    return render(
        request,
        "activities/detail.html",
        {"activity": activity, "sessions": sessions, "manager": rules.can_manage(request.user, activity)},
    )


@require_safe
def calendar_feed(request):
    """The public iCalendar feed of upcoming public sessions."""
    sessions = (
        Session.objects.filter(
            activity__is_public=True, status=Session.Status.SCHEDULED, ends_at__gte=timezone.now()
        )
        .select_related("activity")
        .order_by("starts_at", "pk")
    )
    content = ical.calendar([notifications.event(s) for s in sessions], name="CIQ — Activités et formations")
    return ical.response(content, filename="activites-ciq.ics")


def session_item(request, session) -> dict:
    activity = session.activity
    return {
        "id": session.pk,
        "title": activity.title,
        "kind": activity.kind,
        "kind_label": str(activity.get_kind_display()),
        "starts_at": timezone.localtime(session.starts_at).isoformat(),
        "ends_at": timezone.localtime(session.ends_at).isoformat(),
        "place": session.place or None,
        "online": session.online,
        "capacity": session.capacity,
        "seats_left": _seats_left(session),
        "waiting_list": session.waiting,
        "registration_deadline": timezone.localtime(session.registration_deadline).isoformat(),
        "hours": float(activity.hours) if activity.hours is not None else None,
        "demonstration": activity.is_demo,
        "url": request.build_absolute_uri(reverse("activity-detail", args=[activity.slug])),
    }


@api_view
def api_sessions(request):
    """The JSON twin of the public list: upcoming sessions of public activities."""
    kind = request.GET.get("kind", "")
    sessions = upcoming_public_sessions()
    if kind:
        if kind not in Activity.Kind.values:
            raise ApiError.invalid(
                _("Paramètre « kind » invalide : « %(value)s » (valeurs permises : %(allowed)s).")
                % {"value": kind, "allowed": ", ".join(Activity.Kind.values)}
            )
        sessions = sessions.filter(activity__kind=kind)
    items = [session_item(request, s) for s in sessions]
    return api_response({"schema": "concerto.ciq.activity-sessions/1", "count": len(items), "items": items})


# --- an order's staff ------------------------------------------------------------------------


@require_POST
@login_required
def register(request, pk):
    session = get_object_or_404(Session.objects.select_related("activity"), pk=pk)
    eligible = rules.eligible_organizations(request.user, session)
    if not eligible and not (session.activity.is_public or rules.can_manage(request.user, session.activity)):
        raise Http404(_("Séance introuvable."))
    organization = None
    code = request.POST.get("ordre", "")
    if code:
        organization = next((o for o in eligible if o.code == code), None)
        if organization is None:
            raise PermissionDenied(_("Vous ne pouvez pas vous inscrire au nom de cet ordre."))
    try:
        outcome = services.register(user=request.user, session=session, organization=organization)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if outcome.waitlisted:
            messages.success(
                request,
                _(
                    "La séance est complète : vous êtes en liste d’attente (rang %(rank)d). Un courriel vous le confirme."
                )
                % {"rank": notifications.waitlist_rank(outcome.registration)},
            )
        else:
            messages.success(
                request, _("Votre inscription est confirmée. L’invitation vous est envoyée par courriel.")
            )
    return redirect(reverse("activity-detail", args=[session.activity.slug]) + f"#seance-{session.pk}")


def _own_registration(request, pk) -> Registration:
    registration = get_object_or_404(
        Registration.objects.select_related("session", "session__activity", "user", "organization"), pk=pk
    )
    if registration.user_id != request.user.pk and not rules.can_manage(
        request.user, registration.session.activity
    ):
        raise Http404(_("Inscription introuvable."))
    return registration


@require_POST
@login_required
def cancel(request, pk):
    registration = _own_registration(request, pk)
    try:
        services.cancel(user=request.user, registration=registration)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Inscription annulée."))
    if registration.user_id != request.user.pk:
        return redirect("activity-session-registrations", registration.session_id)
    return redirect("activity-my-registrations")


@require_safe
@login_required
def my_registrations(request):
    registrations = list(
        Registration.objects.filter(user=request.user)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("session", "session__activity", "organization")
        .annotate(ahead=_rank_subquery())
        .order_by("-session__starts_at", "pk")
    )
    now = timezone.now()
    for r in registrations:
        r.rank = (r.ahead or 0) + 1 if r.status == Registration.Status.WAITLISTED else None
        r.can_cancel = now <= r.session.cancellation_cutoff and now < r.session.starts_at
        r.certificate = (
            r.attendance == Registration.Attendance.ATTENDED and r.status == Registration.Status.REGISTERED
        )
    return render(request, "activities/my_registrations.html", {"registrations": registrations})


@require_safe
@login_required
def certificate(request, pk):
    registration = get_object_or_404(
        Registration.objects.select_related(
            "session", "session__activity", "session__activity__owner", "user", "organization"
        ),
        pk=pk,
    )
    if not rules.can_read_certificate(request.user, registration):
        raise Http404(_("Aucune attestation de participation n’est disponible à cette adresse."))
    if registration.attendance != Registration.Attendance.ATTENDED:
        raise Http404(_("Cette personne n’est pas inscrite comme présente : aucune attestation."))
    pdf = render_certificate(registration)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestation-{registration.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- CIQ staff -----------------------------------------------------------------------------


@require_safe
@login_required
def staff_list(request):
    _require_staff_home(request)
    activities = list(rules.managed_activities(request.user).order_by("-created_at", "-pk"))
    sessions = defaultdict(list)
    for session in _with_counts(Session.objects.filter(activity__in=[a.pk for a in activities])).order_by(
        "starts_at", "pk"
    ):
        sessions[session.activity_id].append(session)
    for activity in activities:
        activity.session_rows = sessions[activity.pk]
    return render(request, "activities/staff_list.html", {"activities": activities})


@require_http_methods(["GET", "POST"])
@login_required
def activity_create(request):
    _require_staff_home(request)
    return _activity_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def activity_edit(request, slug):
    return _activity_form(request, _activity_for_staff(request, slug))


def _activity_form(request, activity):
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_activity(user=request.user, activity=form.save(commit=False))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Activité enregistrée."))
            return redirect(saved)
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity})


@require_http_methods(["GET", "POST"])
@login_required
def session_create(request, slug):
    activity = _activity_for_staff(request, slug)
    return _session_form(request, activity, None)


@require_http_methods(["GET", "POST"])
@login_required
def session_edit(request, pk):
    session = _session_for_staff(request, pk)
    return _session_form(request, session.activity, session)


def _session_form(request, activity, session):
    form = SessionForm(request.POST or None, instance=session or Session(activity=activity))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_session(user=request.user, session=form.save(commit=False))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Séance enregistrée."))
            return redirect("activity-session-registrations", saved.pk)
    return render(
        request, "activities/session_form.html", {"form": form, "activity": activity, "session": session}
    )


def _order_summary(registrations) -> list[dict]:
    rows: dict[int, dict] = {}
    for r in registrations:
        row = rows.setdefault(
            r.organization_id,
            {
                "organization": r.organization,
                "registered": 0,
                "waitlisted": 0,
                "cancelled": 0,
                "attended": 0,
                "absent": 0,
            },
        )
        row[r.status] += 1
        if r.status == Registration.Status.REGISTERED and r.attendance in ("attended", "absent"):
            row[r.attendance] += 1
    return sorted(rows.values(), key=lambda row: (row["organization"].name, row["organization"].pk))


@require_safe
@login_required
def session_registrations(request, pk):
    session = _session_for_staff(request, pk)
    registrations = list(
        session.registrations.select_related("user", "organization")
        .annotate(ahead=_rank_subquery())
        .order_by("status", "position", "created_at", "pk")
    )
    confirmed = [r for r in registrations if r.status == Registration.Status.REGISTERED]
    waiting = sorted(
        (r for r in registrations if r.status == Registration.Status.WAITLISTED), key=lambda r: r.position
    )
    for rank, r in enumerate(waiting, start=1):
        r.rank = rank
    cancelled = [r for r in registrations if r.status == Registration.Status.CANCELLED]
    return render(
        request,
        "activities/session_registrations.html",
        {
            "session": session,
            "activity": session.activity,
            "confirmed": confirmed,
            "waiting": waiting,
            "cancelled": cancelled,
            "orders": _order_summary(registrations),
            "seats_left": max(session.capacity - len(confirmed), 0),
            "attendance_open": timezone.now() >= session.starts_at,
            "attendance_choices": Registration.Attendance.choices,
        },
    )


@require_POST
@login_required
def session_attendance(request, pk):
    session = _session_for_staff(request, pk)
    attendance = {}
    for key, value in request.POST.items():
        if key.startswith("presence-"):
            try:
                attendance[int(key.removeprefix("presence-"))] = value
            except ValueError:
                continue
    try:
        changed = services.record_attendance(user=request.user, session=session, attendance=attendance)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("Présences enregistrées (%(count)d modification(s)).") % {"count": changed}
        )
    return redirect("activity-session-registrations", session.pk)


@require_safe
@login_required
def session_export(request, pk, fmt):
    session = _session_for_staff(request, pk)
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("Format inconnu."))
    registrations = session.registrations.select_related(
        "user", "organization", "session", "session__activity"
    )
    return exports.response(registrations, fmt=fmt, stem=f"inscriptions-seance-{session.pk}")


@require_safe
@login_required
def by_order(request):
    """Registrations and attendance per order, across the sessions of the activities the person manages."""
    _require_staff_home(request)
    registrations = list(
        Registration.objects.filter(session__activity__in=rules.managed_activities(request.user))
        .select_related("organization")
        .only("status", "attendance", "organization")
        .order_by("pk")
    )
    return render(request, "activities/by_order.html", {"orders": _order_summary(registrations)})


@require_safe
@login_required
def order_registrations(request, code):
    _require_staff_home(request)
    organization = get_object_or_404(Organization, code=code)
    registrations = list(
        Registration.objects.filter(
            session__activity__in=rules.managed_activities(request.user), organization=organization
        )
        .select_related("user", "session", "session__activity")
        .order_by("-session__starts_at", "status", "created_at", "pk")
    )
    return render(
        request,
        "activities/order_registrations.html",
        {"organization": organization, "registrations": registrations},
    )


@require_safe
@login_required
def all_export(request, fmt):
    _require_staff_home(request)
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("Format inconnu."))
    registrations = Registration.objects.filter(
        session__activity__in=rules.managed_activities(request.user)
    ).select_related("user", "organization", "session", "session__activity")
    code = request.GET.get("ordre", "")
    if code:
        registrations = registrations.filter(organization__code=code)
    return exports.response(registrations, fmt=fmt, stem="inscriptions-activites-ciq")


def latest_for_home(request):
    """The CIQ home's section: the next public sessions."""
    sessions = list(upcoming_public_sessions()[:5])
    for session in sessions:
        session.seats_left = _seats_left(session)
    return {"sessions": sessions}
