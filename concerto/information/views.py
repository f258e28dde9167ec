"""Pages of the CIQ's public information.

Public: the library of documents and studies with the published opinions
(``/ciq/documents/``), a published document's file, the directory of the
orders (``/ciq/ordres/``) and each order's page, the content pages. CIQ staff: adding, editing, publishing and unpublishing documents
(drafts are theirs only: 404 for anyone else), writing the content pages and reading their history (versions name their
authors: not public).

Every view fetches its object through one helper that also checks access.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.ciq.rules import ciq_coordinated
from concerto.ciq.sections import organization_sections
from concerto.core.textdiff import compared_number, diff_versions
from concerto.organizations.models import Organization

from . import library, rules, services
from .directory import orders
from .forms import DocumentForm, LibraryFilterForm, PageForm
from .models import Document, Page, PageVersion

STAFF_ONLY = _("Cette page est réservée à la coordination du CIQ.")


def _document_for_staff(request, pk: int) -> Document:
    """The document, for the coordination of its owner; 404 for anyone else (a draft is not revealed)."""
    document = get_object_or_404(Document, pk=pk)
    if not rules.can_manage(request.user, document):
        raise Http404(_("Aucun document ne porte ce numéro."))
    return document


def _readable_document(request, pk: int) -> Document:
    document = get_object_or_404(Document, pk=pk)
    if not rules.can_read(request.user, document):
        raise Http404(_("Aucun document ne porte ce numéro."))
    return document


def _ciq_for_staff(request):
    """The CIQ, for its coordination (the owner of a new document or page); refused otherwise."""
    ciq = ciq_coordinated(request.user).first()
    if ciq is None:
        raise PermissionDenied(STAFF_ONLY)
    return ciq


def _page_for_staff(request, slug: str) -> Page:
    page = get_object_or_404(Page, slug=slug)
    if not rules.can_manage(request.user, page):
        raise PermissionDenied(STAFF_ONLY)
    return page


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = "upload" if field == "file" else field
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- the library ----------------------------------------------------------------------


@require_safe
def document_library(request):
    """Published documents and opinions, merged by date; filters by kind and year; accent-insensitive search."""
    form = LibraryFilterForm(request.GET or None, years=library.years())
    filters = form.cleaned_data if form.is_valid() else {}
    entries = library.load_entries(
        kind=filters.get("nature") or "", year=filters.get("annee"), query=filters.get("q") or ""
    )
    staff = rules.is_ciq_staff(request.user)
    drafts = (
        list(rules.readable_documents(request.user).drafts().defer("search_text").order_by("-date", "-pk"))
        if staff
        else []
    )
    return render(
        request,
        "information/library.html",
        {
            "entries": entries,
            "form": form,
            "filtered": bool(filters and any(filters.values())),
            "staff": staff,
            "drafts": drafts,
            "demo": any(e.is_demo for e in entries),
        },
    )


@require_safe
def document_file(request, pk):
    """A document's file: published, for everyone; a draft, for the CIQ's staff only."""
    document = _readable_document(request, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Document introuvable.")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600" if document.is_published else "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def document_create(request):
    ciq = _ciq_for_staff(request)
    form = DocumentForm(request.POST or None, request.FILES or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_document(
                owner=ciq,
                upload=form.cleaned_data["upload"],
                user=request.user,
                **{name: form.cleaned_data[name] for name in ("title", "kind", "date", "summary")},
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Document ajouté comme brouillon : publiez-le quand il est prêt."))
            return redirect("information-documents")
    return render(request, "information/document_form.html", {"form": form, "document": None})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def document_edit(request, pk):
    document = _document_for_staff(request, pk)
    form = DocumentForm(request.POST or None, request.FILES or None, instance=document, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_document(
                document=document,
                upload=form.cleaned_data["upload"],
                user=request.user,
                **{name: form.cleaned_data[name] for name in ("title", "kind", "date", "summary")},
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Document enregistré."))
            return redirect("information-documents")
    return render(request, "information/document_form.html", {"form": form, "document": document})


@require_POST
@login_required
def document_publish(request, pk):
    document = _document_for_staff(request, pk)
    services.publish_document(document=document, user=request.user)
    messages.success(request, _("Document publié dans la bibliothèque."))
    return redirect("information-documents")


@require_POST
@login_required
def document_unpublish(request, pk):
    document = _document_for_staff(request, pk)
    services.unpublish_document(document=document, user=request.user)
    messages.success(request, _("Document retiré de la bibliothèque publique : il redevient un brouillon."))
    return redirect("information-documents")


def latest_documents_for_home(request) -> dict:
    """The CIQ's public home's section: the five latest published documents (opinions have their own)."""
    documents = Document.objects.published().defer("search_text").order_by("-date", "-pk")[:5]
    return {"entries": [library.document_entry(d) for d in documents]}


# --- the orders -----------------------------------------------------------------------


@require_safe
def order_directory(request):
    """The professional orders of our data: name, acronym, type of practice."""
    return render(request, "information/order_directory.html", {"orders": list(orders())})


@require_safe
def order_page(request, code):
    """An order: what our data says of it, then the sections other apps register (groups, opinions)."""
    organization = get_object_or_404(Organization, code=code, kind=Organization.Kind.PROFESSIONAL_ORDER)
    return render(
        request,
        "information/order_page.html",
        {"organization": organization, "sections": organization_sections(request, organization)},
    )


# --- content pages --------------------------------------------------------------------


@require_safe
def page_list(request):
    pages = Page.objects.only("slug", "title", "updated_at").order_by("title", "pk")
    return render(
        request, "information/page_list.html", {"pages": pages, "staff": rules.is_ciq_staff(request.user)}
    )


@require_safe
def page_detail(request, slug):
    page = get_object_or_404(Page, slug=slug)
    return render(
        request, "information/page_detail.html", {"page": page, "staff": rules.can_manage(request.user, page)}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def page_create(request):
    ciq = _ciq_for_staff(request)
    form = PageForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.save_page(
                owner=ciq,
                slug=form.cleaned_data["slug"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                note=form.cleaned_data["note"],
                based_on=None,
                user=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Page créée (version 1)."))
            return redirect(page)
    return render(request, "information/page_form.html", {"form": form, "page": None})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def page_edit(request, slug):
    page = _page_for_staff(request, slug)
    if request.method == "POST":
        form = PageForm(request.POST, creating=False)
        if form.is_valid():
            try:
                page = services.save_page(
                    owner=page.owner,
                    page=page,
                    slug=page.slug,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    note=form.cleaned_data["note"],
                    based_on=form.cleaned_data["based_on"],
                    user=request.user,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Version %(number)s enregistrée.") % {"number": page.version})
                return redirect(page)
    else:
        form = PageForm(
            initial={"title": page.title, "body": page.body, "based_on": page.version}, creating=False
        )
    return render(request, "information/page_form.html", {"form": form, "page": page})


@require_safe
@login_required
def page_history(request, slug):
    """Every version of the page, with its author and date (the CIQ's staff: authors are not public)."""
    page = _page_for_staff(request, slug)
    versions = page.versions.select_related("created_by").order_by("-number")
    return render(request, "information/page_history.html", {"page": page, "versions": versions})


@require_safe
@login_required
def page_diff(request, slug, number):
    """What changed between two versions of the page (by default, from the one before)."""
    page = _page_for_staff(request, slug)
    new = get_object_or_404(PageVersion, page=page, number=number)
    since = compared_number(request, number)
    old = PageVersion.objects.filter(page=page, number=since).first()
    old_text = f"# {old.title}\n\n{old.body}" if old else ""
    rows = diff_versions(old_text, f"# {new.title}\n\n{new.body}")
    return render(
        request,
        "information/page_diff.html",
        {
            "page": page,
            "old": old,
            "new": new,
            "rows": rows,
            "versions": page.versions.order_by("-number").only("number", "created_at"),
            "changed": sum(1 for r in rows if r.kind != "equal"),
        },
    )
