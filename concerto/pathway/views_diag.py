"""Diagnosis pages (analysts), an order's own indicators, releases and the public tables.

Every view starts by checking who may use it (``_require``): analysts of the
Office for the diagnosis and the preparation of releases, the privacy
officer for the approval, an order's data submitters for its own
indicators; the public only reads approved public releases, served from the
frozen rows (no computation from records at request time). No page reads a
pseudonym: the diagnosis loads aggregates' inputs only (``diagnosis``).
"""

from __future__ import annotations

from functools import wraps
from itertools import combinations

import numpy as np
from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.core.pagecache import serve_cached
from concerto.organizations.models import Organization

from . import charts, diagnosis, rules
from . import releases as services
from .release_models import Release, ReleaseFile, ReleaseTable
from .survival import PERMIT, REFUSAL, WITHDRAWAL


def _lazy_title(dimension: str):
    """A dimension's French title, translated when shown."""
    titles = {name: title for name, (_column, title) in diagnosis.DIMENSIONS.items()}
    titles |= services.DIMENSION_TITLES
    return gettext_lazy(titles[dimension])


DATA_KINDS = {"reelles": False, "synthetiques": True}
ORDER_DIMENSIONS = ("route", "profession", "country", "region", "decision")


def _require(predicate, message):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _is_release_staff(user) -> bool:
    return rules.is_analyst(user) or rules.is_privacy_officer(user)


analyst_only = _require(
    rules.is_analyst, gettext_lazy("Le diagnostic est réservé aux analystes de l’Office.")
)
release_staff_only = _require(
    _is_release_staff,
    gettext_lazy("Le registre des diffusions est réservé aux analystes et au responsable de la protection."),
)
privacy_officer_only = _require(
    rules.is_privacy_officer,
    gettext_lazy(
        "Seul le responsable de la protection des renseignements personnels approuve une diffusion."
    ),
)


# --- Diagnosis ----------------------------------------------------------------------------------


class DiagnosisFilter(forms.Form):
    donnees = forms.ChoiceField(
        label=gettext_lazy("Données"),
        choices=[
            ("reelles", gettext_lazy("Données déposées")),
            ("synthetiques", gettext_lazy("Données synthétiques")),
        ],
        required=False,
    )
    par = forms.ChoiceField(
        label=gettext_lazy("Regrouper par"),
        choices=[(k, _lazy_title(k)) for k in diagnosis.DIMENSIONS],
        required=False,
    )
    cohorte = forms.IntegerField(
        label=gettext_lazy("Cohorte (année de la demande)"), required=False, min_value=1900
    )


def _default_kind() -> bool:
    """Real data when any is stored, else synthetic."""
    present = diagnosis.kinds_present()
    return not present[False] and present[True] > 0


def _charts(result: diagnosis.Diagnosis, prefix: str) -> dict:
    synthetic = result.synthetic
    out = {}
    total = result.survival_total
    if total.km is not None:
        out["km"] = charts.step_chart(
            [(total.label, total.km.timeline, 1 - total.km.estimate)]
            + [
                (g.label, g.km.timeline, 1 - g.km.estimate)
                for g in result.survival_groups[: diagnosis.MAX_CURVES]
                if g.km is not None and len(g.km.timeline)
            ],
            title=_("Part des demandes ayant mené à un permis (1 − Kaplan–Meier)"),
            ident=f"{prefix}-km",
            y_label=_("Part ayant obtenu un permis"),
            synthetic=synthetic,
        )
    if total.competing:
        names = {PERMIT: _("Permis"), REFUSAL: _("Refus"), WITHDRAWAL: _("Désistement ou fermeture")}
        out["aj"] = charts.step_chart(
            [(names[k], c.timeline, c.estimate) for k, c in total.competing.items()],
            title=_("Issues concurrentes : incidence cumulée (Aalen–Johansen)"),
            ident=f"{prefix}-aj",
            y_label=_("Incidence cumulée"),
            synthetic=synthetic,
        )
    f = result.total
    out["funnel"] = charts.bar_chart(
        [
            (_("Demandes"), f.applications),
            (_("Décisions"), f.decided),
            (_("Reconnaissances partielles (prescriptions)"), f.with_prescriptions),
            (_("Prescriptions complétées"), f.prescriptions_completed),
            (_("Permis délivrés"), f.permits),
            (_("Désistements ou fermetures"), f.withdrawals),
        ],
        title=_("Entonnoir du parcours"),
        ident=f"{prefix}-funnel",
        synthetic=synthetic,
    )
    if result.steps:
        out["steps"] = charts.stacked_steps_chart(
            result.steps,
            diagnosis.STEPS,
            title=_("Durée moyenne de chaque étape"),
            ident=f"{prefix}-steps",
            synthetic=synthetic,
        )
    return out


def _at_risk(result: diagnosis.Diagnosis):
    km = result.survival_total.km
    return km.at_risk if km is not None else ()


def _competing_rows(result: diagnosis.Diagnosis):
    names = {PERMIT: _("Permis"), REFUSAL: _("Refus"), WITHDRAWAL: _("Désistement ou fermeture")}
    rows = []
    for kind, curve in result.survival_total.competing.items():
        values = []
        for t in (180, 365, 730):
            index = np.searchsorted(curve.timeline, t, side="right") - 1
            values.append(float(curve.estimate[index]) if index >= 0 and len(curve.timeline) else None)
        rows.append(
            {"label": names[kind], "values": values, "median": result.survival_total.competing_medians[kind]}
        )
    return rows


def _context(result, prefix):
    return {
        "result": result,
        "charts": _charts(result, prefix),
        "at_risk": _at_risk(result),
        "competing": _competing_rows(result),
        "steps": diagnosis.STEPS,
        "decision_columns": [
            ("full_recognition", _("Reconnaissance complète")),
            ("partial_recognition", _("Reconnaissance partielle")),
            ("refusal", _("Refus")),
            ("", _("Sans décision")),
        ],
    }


@require_safe
@analyst_only
def diagnosis_page(request):
    form = DiagnosisFilter(request.GET or None)
    synthetic = _default_kind()
    dimension, cohort = "order", None
    if form.is_bound and form.is_valid():
        if form.cleaned_data["donnees"]:
            synthetic = DATA_KINDS[form.cleaned_data["donnees"]]
        dimension = form.cleaned_data["par"] or dimension
        cohort = form.cleaned_data["cohorte"]
    result = diagnosis.cached_diagnosis(
        synthetic=synthetic, dimension=dimension, cohort=cohort, order_names=services.order_names()
    )
    context = {"form": form, "synthetic": synthetic, "empty": result is None}
    if result is not None:
        context["figures"] = _context(result, "diag")
    return render(request, "pathway/diag/diagnosis.html", context)


def _order_for_submitter(user, code: str) -> Organization:
    """The order, if ``user`` sends its data; PermissionDenied otherwise (404 for an unknown code)."""
    order = get_object_or_404(Organization, code=code, kind=Organization.Kind.PROFESSIONAL_ORDER)
    if not rules.may_submit_for(user, order):
        raise PermissionDenied(_("Ces indicateurs sont réservés aux responsables des dépôts de cet ordre."))
    return order


class OrderFilter(forms.Form):
    par = forms.ChoiceField(
        label=gettext_lazy("Regrouper par"),
        choices=[(k, _lazy_title(k)) for k in ORDER_DIMENSIONS],
        required=False,
    )


@require_safe
def order_indicators(request, code):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    order = _order_for_submitter(request.user, code)
    form = OrderFilter(request.GET or None)
    dimension = "route"
    if form.is_bound and form.is_valid() and form.cleaned_data["par"]:
        dimension = form.cleaned_data["par"]
    # Real figures when the order has sent real data; synthetic ones otherwise — never mixed.
    synthetic = not order.pathway_submissions.filter(synthetic=False).exists()
    names = services.order_names()
    mine = diagnosis.cached_diagnosis(
        synthetic=synthetic, order_ids=[order.pk], dimension=dimension, protected=True, order_names=names
    )
    context = {"order": order, "form": form, "synthetic": synthetic, "empty": mine is None}
    if mine is not None:
        system = diagnosis.cached_diagnosis(
            synthetic=synthetic, dimension=dimension, protected=True, order_names=names
        )
        context |= {"mine": _context(mine, "own"), "system": _context(system, "all")}
    return render(request, "pathway/diag/order.html", context)


# --- Releases -----------------------------------------------------------------------------------

PAIRS = [(a, b) for a, b in combinations(services.TABLE_DIMENSIONS, 2)]


class ReleaseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Titre"), max_length=200)
    donnees = forms.ChoiceField(
        label=gettext_lazy("Données"),
        choices=[
            ("reelles", gettext_lazy("Données déposées")),
            ("synthetiques", gettext_lazy("Données synthétiques")),
        ],
    )
    threshold = forms.IntegerField(
        label=gettext_lazy("Seuil de suppression"), min_value=2, max_value=100, initial=5
    )
    audience = forms.CharField(
        label=gettext_lazy("Destinataire"),
        max_length=200,
        initial=Release.PUBLIC,
        help_text=gettext_lazy("« public » pour la page publique, sinon le nom du destinataire."),
    )
    tables = forms.MultipleChoiceField(
        label=gettext_lazy("Tableaux (lignes × colonnes)"),
        choices=[(f"{a}:{b}", format_lazy("{} × {}", _lazy_title(a), _lazy_title(b))) for a, b in PAIRS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    curve = forms.BooleanField(label=gettext_lazy("Courbe de délai jusqu’au permis"), required=False)


@require_http_methods(["GET", "POST"])
@analyst_only
def release_prepare(request):
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            release = services.prepare_release(
                user=request.user,
                title=data["title"],
                synthetic=DATA_KINDS[data["donnees"]],
                threshold=data["threshold"],
                audience=data["audience"].strip(),
                tables=[tuple(pair.split(":")) for pair in data["tables"]],
                curve=data["curve"],
            )
        except services.ReleaseRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Diffusion préparée : elle attend l’approbation du responsable de la protection.")
            )
            return redirect("pathway-release-detail", pk=release.pk)
    return render(request, "pathway/diag/prepare.html", {"form": form})


@require_safe
@release_staff_only
def release_register(request):
    releases = list(Release.objects.select_related("prepared_by", "decided_by").prefetch_related("tables"))
    return render(
        request,
        "pathway/diag/register.html",
        {"releases": releases, "can_prepare": rules.is_analyst(request.user)},
    )


def _tables_context(release: Release) -> list[dict]:
    tables = list(release.tables.prefetch_related("files"))
    shown = []
    for table in tables:
        item = {
            "table": table,
            "header": table.rows[0],
            "body": table.rows[1:],
            "files": list(table.files.all()),
        }
        if table.kind == ReleaseTable.Kind.CURVE and len(table.rows) > 1:
            body = table.rows[1:]
            item["chart"] = charts.step_chart(
                [
                    (
                        _("Ensemble"),
                        np.array([r[0] for r in body], float),
                        1 - np.array([r[1] for r in body], float),
                    )
                ],
                title=table.title,
                ident=f"rel-{table.pk}",
                y_label=_("Part ayant obtenu un permis"),
                synthetic=release.synthetic,
            )
            marks = (0, 90, 180, 365, 730, 1095)
            item["body"] = [
                next((r for r in reversed(body) if r[0] <= m), None)
                for m in marks
                if body and body[-1][0] >= m
            ]
            item["body"] = [r for r in item["body"] if r is not None]
        shown.append(item)
    return shown


@require_safe
@release_staff_only
def release_detail(request, pk):
    release = get_object_or_404(Release.objects.select_related("prepared_by", "decided_by"), pk=pk)
    return render(
        request,
        "pathway/diag/release_detail.html",
        {
            "release": release,
            "tables": _tables_context(release),
            "can_decide": rules.is_privacy_officer(request.user)
            and release.state == Release.State.AWAITING
            and release.prepared_by_id != request.user.pk,
        },
    )


@require_POST
@privacy_officer_only
def release_decide(request, pk):
    release = get_object_or_404(Release, pk=pk)
    try:
        if request.POST.get("decision") == "approve":
            services.approve_release(user=request.user, release=release)
            messages.success(request, _("Diffusion approuvée."))
        elif request.POST.get("decision") == "return":
            services.return_release(user=request.user, release=release, note=request.POST.get("note", ""))
            messages.success(request, _("Diffusion retournée à l’analyste."))
        else:
            messages.error(request, _("Décision : choisissez « Approuver » ou « Retourner »."))
    except services.ReleaseRefused as exc:
        messages.error(request, str(exc))
    return redirect("pathway-release-detail", pk=release.pk)


# --- Public -------------------------------------------------------------------------------------


def released_fingerprint() -> str:
    """Changes whenever a release is approved (one query); the public pages are kept until then."""
    state = Release.objects.filter(state=Release.State.APPROVED).aggregate(
        n=Count("pk"), last=Max("decided_at")
    )
    return f"{state['n']}:{state['last']}"


@require_safe
def public_list(request):
    return serve_cached(
        request,
        ("pathway-public",),
        released_fingerprint,
        lambda: render(
            request, "pathway/diag/public_list.html", {"releases": list(services.public_releases())}
        ),
    )


@require_safe
def public_release(request, pk):
    def page():
        release = get_object_or_404(Release, pk=pk, state=Release.State.APPROVED, audience=Release.PUBLIC)
        return render(
            request,
            "pathway/diag/public_release.html",
            {"release": release, "tables": _tables_context(release)},
        )

    return serve_cached(request, ("pathway-public-release", pk), released_fingerprint, page)


@require_safe
def release_file(request, pk, number, fmt):
    """A frozen file: anyone for an approved public release; analysts and the privacy officer otherwise."""
    file = (
        ReleaseFile.objects.select_related("table__release")
        .filter(table__release_id=pk, table__position=number, format=fmt)
        .first()
    )
    if file is None:
        raise Http404
    release = file.table.release
    public = release.state == Release.State.APPROVED and release.is_public
    if not public and not _is_release_staff(request.user):
        raise Http404
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == ReleaseFile.Format.CSV
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(bytes(file.content), content_type=content_type)
    stem = "donnees-synthetiques_" if release.synthetic else ""
    response["Content-Disposition"] = (
        f'attachment; filename="{stem}parcours-diffusion-{pk}-tableau-{number}.{fmt}"'
    )
    response["ETag"] = f'"{file.sha256}"'
    return response


def public_url(release: Release) -> str:
    return reverse("pathway-public-release", args=[release.pk])
