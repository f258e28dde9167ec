"""Operations on the CIQ's documents and content pages: keyword-only, the
permission checked first, one transaction each.

A document's file is checked by its content (``concerto.core.uploads``)
before anything is stored. A page is saved as a new version, never
overwritten; a save based on a version that is no longer the latest is
refused, and the person's text comes back in the form.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.markdown import render_markdown
from concerto.core.uploads import validate_upload

from . import rules
from .models import Document, Page, PageVersion

logger = logging.getLogger(__name__)

STAFF_ONLY = _("Cette action est réservée à la coordination du CIQ.")


def _require_coordination(user, owner) -> None:
    if not rules.coordinates(user, owner):
        raise PermissionDenied(STAFF_ONLY)


def _user(user):
    return user if getattr(user, "pk", None) else None


def _store_file(document: Document, upload) -> None:
    try:
        content_type = validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    document.file = upload
    document.original_name = (upload.name or "document")[:255]
    document.content_type = content_type
    document.size = upload.size


# --- documents ------------------------------------------------------------------------


def create_document(
    *, owner, title: str, kind: str, date, summary: str, upload, user, is_demo: bool = False
) -> Document:
    """Add a document to the library, as a draft (the CIQ's staff)."""
    _require_coordination(user, owner)
    document = Document(
        owner=owner,
        title=title,
        kind=kind,
        date=date,
        summary=summary,
        created_by=_user(user),
        is_demo=is_demo,
    )
    if upload is None:
        raise ValidationError({"file": _("Fichier : joignez le document.")})
    _store_file(document, upload)
    document.full_clean(exclude=["file"])
    with transaction.atomic():
        document.save()
    logger.info("Document d’information ajouté : %s", document.pk)
    return document


def update_document(*, document: Document, user, upload=None, **fields) -> Document:
    """Change a document's description (title, kind, date, summary) and, if given, its file."""
    _require_coordination(user, document.owner_id)
    unknown = set(fields) - {"title", "kind", "date", "summary"}
    if unknown:
        raise ValueError(f"Champs inconnus : {sorted(unknown)}")
    for name, value in fields.items():
        setattr(document, name, value)
    if upload is not None:
        _store_file(document, upload)
    document.updated_at = timezone.now()
    document.full_clean(exclude=["file"])
    with transaction.atomic():
        document.save()
    logger.info("Document d’information modifié : %s", document.pk)
    return document


def publish_document(*, document: Document, user) -> Document:
    """Put the document in the public library (its date of publication is kept)."""
    _require_coordination(user, document.owner_id)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.published_at is None:
            locked.published_at = timezone.now()
            locked.save(update_fields=["published_at"])
    logger.info("Document d’information publié : %s", document.pk)
    return locked


def unpublish_document(*, document: Document, user) -> Document:
    """Take the document out of the public library: a draft again, seen only by the CIQ's staff."""
    _require_coordination(user, document.owner_id)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.published_at is not None:
            locked.published_at = None
            locked.save(update_fields=["published_at"])
    logger.info("Document d’information retiré : %s", document.pk)
    return locked


# --- pages ----------------------------------------------------------------------------


def save_page(
    *,
    owner,
    slug: str,
    title: str,
    body: str,
    user,
    based_on: int | None,
    note: str = "",
    page: Page | None = None,
) -> Page:
    """Create the page (``page`` None) or save its next version.

    ``based_on`` is the version the person was editing (None for a new
    page): if someone saved another one meanwhile, the save is refused and
    nothing is lost.
    """
    _require_coordination(user, page.owner_id if page else owner)
    if not (body or "").strip():
        raise ValidationError({"body": _("Le texte de la page est vide.")})
    with transaction.atomic():
        if page is None:
            page = Page(owner=owner, slug=slug, title=title, body=body)
            page.full_clean(exclude=["body_html"])
        else:
            page = Page.objects.select_for_update().get(pk=page.pk)
            if based_on != page.version:
                raise ValidationError(
                    {
                        "body": _(
                            "La version %(number)s a été enregistrée par une autre personne pendant votre "
                            "modification : votre texte n’a pas été enregistré. Copiez-le, rechargez la page "
                            "et reportez vos changements."
                        )
                        % {"number": page.version}
                    }
                )
            page.title = title
            page.body = body
            page.full_clean(exclude=["body_html", "slug"])
        page.body_html = render_markdown(body)
        page.version += 1
        page.updated_at = timezone.now()
        page.updated_by = _user(user)
        page.save()
        PageVersion.objects.create(
            page=page, number=page.version, title=title, body=body, note=note, created_by=_user(user)
        )
    logger.info("Page %s : version %s enregistrée", page.slug, page.version)
    return page
