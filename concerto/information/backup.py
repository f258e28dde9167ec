"""Backup of the CIQ's public information (see ``concerto.core.backup``).

The library's documents and the content pages belong to no plan: like the
pathway's registers, every backup carries them whole — each document with
its file (base64 and SHA-256, checked on restore) and its state (draft or
published), each page with every version. A document is named by its owner,
kind, date and title; a page by its address (``slug``).

On restore, a document or a page that exists already is kept as it is (the
CIQ's staff may have changed it since); what the backup holds beside it is
said in the notes.
"""

import datetime
import io

from django.core.files.base import ContentFile
from django.db.models import Prefetch

from concerto.core import backup
from concerto.core.backup import DataError, require, save_valid
from concerto.core.markdown import render_markdown
from concerto.core.uploads import detect_content_type, generated_name

from .models import Document, Page, PageVersion

KEYS = ("information",)

# --- export -------------------------------------------------------------------------


def _document_entry(ctx, document) -> dict:
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except (OSError, ValueError):
        content = None  # missing from the storage: said in the document
    return {
        "owner": ctx.org(document.owner),
        "kind": document.kind,
        "date": backup.d(document.date),
        "title": document.title,
        "summary": document.summary,
        "original_name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "published_at": backup.dt(document.published_at),
        "is_demo": document.is_demo,
        "created_by": ctx.user(document.created_by),
        "created_at": backup.dt(document.created_at),
        "updated_at": backup.dt(document.updated_at),
        **backup.file_entry(content),
    }


def _page_entry(ctx, page) -> dict:
    return {
        "owner": ctx.org(page.owner),
        "slug": page.slug,
        "title": page.title,
        "body": page.body,
        "version": page.version,
        "updated_at": backup.dt(page.updated_at),
        "updated_by": ctx.user(page.updated_by),
        "versions": [
            {
                "number": v.number,
                "title": v.title,
                "body": v.body,
                "note": v.note,
                "created_by": ctx.user(v.created_by),
                "created_at": backup.dt(v.created_at),
            }
            for v in page.versions.all()
        ],
    }


def export(ctx: backup.ExportContext) -> dict:
    documents = Document.objects.select_related("owner", "created_by").order_by("date", "kind", "title", "pk")
    pages = (
        Page.objects.select_related("owner", "updated_by")
        .prefetch_related(
            Prefetch("versions", queryset=PageVersion.objects.select_related("created_by").order_by("number"))
        )
        .order_by("slug")
    )
    return {
        "information": {
            "documents": [_document_entry(ctx, d) for d in documents],
            "pages": [_page_entry(ctx, p) for p in pages],
        }
    }


def summary(data: dict) -> list[str]:
    part = data.get("information") or {}
    documents, pages = part.get("documents", []), part.get("pages", [])
    if not documents and not pages:
        return []
    return [f"{len(documents)} document(s) d’information du CIQ", f"{len(pages)} page(s) de contenu"]


def warnings(data: dict) -> list[str]:
    return [
        f"information, document « {d.get('title')} » : fichier introuvable dans le stockage, "
        "sauvegardé sans contenu."
        for d in (data.get("information") or {}).get("documents", [])
        if isinstance(d, dict) and d.get("content") is None
    ]


# --- restoration --------------------------------------------------------------------


def _restore_document(ctx, entry, where: str) -> None:
    owner = ctx.org(entry, "owner", where, null=False)
    title = require(entry, "title", str, where, blank=False)
    where = ctx.where = f"{where} « {title} »"
    kind = require(entry, "kind", str, where)
    date = require(entry, "date", datetime.date, where)
    if Document.objects.filter(owner=owner, kind=kind, date=date, title=title).exists():
        ctx.notes.append(f"{where} : déjà présent, gardé tel quel.")
        return
    content_type = require(entry, "content_type", str, where, blank=False)
    size = require(entry, "size", int, where)
    if require(entry, "content", str, where, null=True) is None:
        ctx.notes.append(f"{where} : sauvegardé sans son fichier, non restauré.")
        return
    content = backup.read_file(entry, where, size=size)
    if detect_content_type(io.BytesIO(content)) != content_type:
        raise DataError(f"{where} : le contenu n’est pas celui d’un document « {content_type} ».")
    document = Document(
        owner=owner,
        kind=kind,
        date=date,
        title=title,
        summary=require(entry, "summary", str, where),
        original_name=require(entry, "original_name", str, where, blank=False),
        content_type=content_type,
        size=size,
        published_at=require(entry, "published_at", datetime.datetime, where, null=True),
        is_demo=require(entry, "is_demo", bool, where),
        created_by=ctx.user(entry, "created_by", where),
        created_at=require(entry, "created_at", datetime.datetime, where),
        updated_at=require(entry, "updated_at", datetime.datetime, where),
    )
    storage = document.file.storage
    saved = storage.save(generated_name(content_type, prefix="information"), ContentFile(content))
    ctx.written.append((storage, saved))
    document.file.name = saved
    save_valid(document, where)


def _restore_page(ctx, entry, where: str) -> None:
    slug = require(entry, "slug", str, where, blank=False)
    where = ctx.where = f"{where} « {slug} »"
    if Page.objects.filter(slug=slug).exists():
        ctx.notes.append(f"{where} : page déjà présente, gardée telle quelle.")
        return
    body = require(entry, "body", str, where, blank=False)
    page = save_valid(
        Page(
            owner=ctx.org(entry, "owner", where, null=False),
            slug=slug,
            title=require(entry, "title", str, where, blank=False),
            body=body,
            body_html=render_markdown(body),
            version=require(entry, "version", int, where),
            updated_at=require(entry, "updated_at", datetime.datetime, where),
            updated_by=ctx.user(entry, "updated_by", where),
        ),
        where,
    )
    for i, version in enumerate(require(entry, "versions", list, where), start=1):
        at = f"{where}, version {i}"
        save_valid(
            PageVersion(
                page=page,
                number=require(version, "number", int, at),
                title=require(version, "title", str, at, blank=False),
                body=require(version, "body", str, at, blank=False),
                note=require(version, "note", str, at),
                created_by=ctx.user(version, "created_by", at),
                created_at=require(version, "created_at", datetime.datetime, at),
            ),
            at,
        )


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    # A backup written before this section has no « information » key.
    part = require(data, "information", dict, "document") if "information" in data else {}
    for i, entry in enumerate(require(part, "documents", list, "information") if part else [], start=1):
        _restore_document(ctx, entry, f"information, document {i}")
    for i, entry in enumerate(require(part, "pages", list, "information") if part else [], start=1):
        _restore_page(ctx, entry, f"information, page {i}")


backup.register(
    backup.Section(
        name="information",
        keys=KEYS,
        export=export,
        restore=restore,
        summary=summary,
        warnings=warnings,
    )
)
