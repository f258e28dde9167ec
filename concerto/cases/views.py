from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from concerto.organizations.models import Organization

from . import rules, services
from .models import Case


def get_case_for_user(user, reference: str) -> Case:
    """The full case, if ``user`` may read it; PermissionDenied otherwise."""
    case = get_object_or_404(
        Case.objects.select_related("raised_by", "transferred_to").prefetch_related(
            "orders",
            "organizations",
            "measures__plan",
            "working_group__organization",
            "meetings",
            "solutions",
        ),
        reference=reference,
    )
    if not rules.can_read_case(user, case):
        raise PermissionDenied(_("Ce cas est réservé à la coordination et aux organisations concernées."))
    return case


def _editable_case(request, reference: str) -> Case:
    case = get_object_or_404(Case, reference=reference)
    if not rules.can_edit_case(request.user, case):
        raise PermissionDenied(_("Seule la coordination peut modifier un cas."))
    return case


def _listing(queryset):
    return queryset.prefetch_related("orders").order_by("reference")


@require_safe
def case_list(request):
    """The user's readable cases (if any) and, for everyone, the published summaries."""
    cases = list(_listing(rules.readable_cases(request.user)))
    summaries = list(rules.published_summaries())
    return render(request, "cases/case_list.html", {"cases": cases, "summaries": summaries})


@require_safe
def case_detail(request, reference):
    case = get_object_or_404(
        Case.objects.only("pk", "reference", "summary_published", "owner"), reference=reference
    )
    if not rules.can_read_case(request.user, case):
        if case.summary_published:
            return redirect("case-summary", reference=reference)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
    case = get_case_for_user(request.user, reference)
    can_edit = rules.can_edit_case(request.user, case)
    component = services.feeds_component(case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "can_edit": can_edit,
            "component": component,
            "next_states": [
                (value, label)
                for value, label in case._meta.get_field("state").choices
                if value in services.allowed_transitions(case)
            ]
            if can_edit
            else [],
            "transfer_targets": Organization.objects.order_by("name", "code") if can_edit else [],
        },
    )


@require_safe
def case_summary(request, reference):
    """The public face of a case: its published summary, never the minutes."""
    case = get_object_or_404(
        Case.objects.prefetch_related("orders"), reference=reference, summary_published=True
    )
    return render(
        request,
        "cases/case_summary.html",
        {"case": case, "can_read": rules.can_read_case(request.user, case)},
    )


@require_POST
@login_required
def case_state(request, reference):
    case = _editable_case(request, reference)
    to = request.POST.get("to", "")
    target = None
    code = request.POST.get("transferred_to", "")
    if code:
        target = Organization.objects.filter(code=code).first()
        if target is None:
            messages.error(request, _("Organisation inconnue."))
            return redirect("case-detail", reference=reference)
    try:
        services.change_state(
            case=case,
            to=to,
            user=request.user,
            transferred_to=target,
            reason=request.POST.get("reason", ""),
            when_text=request.POST.get("when_text", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("L’état du cas a été modifié."))
    return redirect("case-detail", reference=reference)


@require_POST
@login_required
def case_publish(request, reference):
    case = _editable_case(request, reference)
    try:
        services.publish_summary(case=case, summary=request.POST.get("summary", ""), user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Le résumé public a été publié."))
    return redirect("case-detail", reference=reference)
