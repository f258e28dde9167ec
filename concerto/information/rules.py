"""Who may do what with the CIQ's public information.

- **CIQ staff** (the coordination of the CIQ, ``ciq.rules.ciq_coordinated``,
  or a superuser): create, edit, publish and unpublish documents, see the
  drafts, write the content pages.
- **Everyone else** (anonymous, the orders' staff and respondents, the
  Office's staff): published documents, published opinions, the orders'
  directory and the content pages. A draft document does not exist for them
  (404).
"""

from __future__ import annotations

from django.db.models import QuerySet

from concerto.accounts.rules import coordinates, is_signed_in
from concerto.ciq.rules import ciq_coordinated

from .models import Document, Page


def is_ciq_staff(user) -> bool:
    """The CIQ's coordination (the owner of the library and the pages)."""
    if not is_signed_in(user):
        return False
    return user.is_superuser or ciq_coordinated(user).exists()


def can_manage(user, obj: Document | Page) -> bool:
    """The coordination of the body that owns the document or the page."""
    return coordinates(user, obj.owner_id)


def readable_documents(user) -> QuerySet[Document]:
    """Published documents for everyone; drafts too for the CIQ's staff."""
    documents = Document.objects.all()
    if is_ciq_staff(user):
        return documents
    return documents.published()


def can_read(user, document: Document) -> bool:
    return document.is_published or can_manage(user, document)
