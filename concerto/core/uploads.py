"""Uploaded documents: checked by their content, stored outside the web root.

``validate_upload`` looks at the first bytes of a file (its "magic bytes"),
never at the name the browser sent: a text file renamed ``rapport.pdf`` is
refused. Accepted: PDF, DOCX, XLSX, PNG and JPEG, up to
``settings.CONCERTO_UPLOAD_MAX_BYTES``. The name must also agree with the
content (a PNG called ``x.pdf`` is refused), so that a downloaded file opens
with the right program.

Files are stored by ``private_storage`` under ``settings.MEDIA_ROOT`` (which
must not be served by the web server) with a generated name; the original
name is only kept, sanitized, for the ``Content-Disposition`` of the download
view, which checks who may read the file.
"""

from __future__ import annotations

import os
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"

EXTENSIONS = {
    PDF: (".pdf",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
}

_HEAD = 16


class PrivateStorage(FileSystemStorage):
    """``settings.MEDIA_ROOT``, read when used (tests change it), without URL:
    files are only served by views that check permissions."""

    def url(self, name):
        raise NotImplementedError("Les documents ne sont servis que par une vue qui vérifie les droits.")


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    return private_storage


def generated_name(content_type: str, prefix: str = "documents") -> str:
    """A name that says nothing of the original: ``<prefix>/<year>/<uuid><ext>``."""
    extension = EXTENSIONS.get(content_type, (".bin",))[0]
    return f"{prefix}/{timezone.localdate():%Y}/{uuid.uuid4().hex}{extension}"


def sanitized_name(name: str) -> str:
    """The original name, without path and without characters unsafe in a header."""
    base = os.path.basename(str(name or "").replace("\\", "/"))
    try:
        cleaned = get_valid_filename(base)
    except Exception:  # SuspiciousFileOperation for "", "." or ".."
        cleaned = ""
    return cleaned[:200] or "document"


def _read_head(file, size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _office_kind(file) -> str | None:
    """DOCX or XLSX if ``file`` is an Office Open XML package, else None.

    Only the zip's directory is read: nothing is decompressed."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def detect_content_type(file) -> str | None:
    """The content type of ``file`` from its first bytes, or None if not accepted."""
    head = _read_head(file, _HEAD)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(file)
    return None


def validate_upload(file) -> str:
    """Check an uploaded file; return its content type detected from its content.

    Raises ValidationError with a French message naming the file and the
    reason: too large, empty, a type that is not accepted, or a name whose
    extension does not match the content.
    """
    name = sanitized_name(getattr(file, "name", ""))
    limit = settings.CONCERTO_UPLOAD_MAX_BYTES
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(0)
    if size > limit:
        raise ValidationError(
            _("Le fichier « %(name)s » est refusé : il pèse %(size)s Mio, la limite est de %(limit)s Mio.")
            % {"name": name, "size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:g}"},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(
            _("Le fichier « %(name)s » est refusé : il est vide.") % {"name": name}, code="empty"
        )
    content_type = detect_content_type(file)
    if content_type is None:
        raise ValidationError(
            _(
                "Le fichier « %(name)s » est refusé : son contenu n’est pas celui d’un document accepté "
                "(PDF, Word .docx, Excel .xlsx, PNG ou JPEG), quelle que soit son extension."
            )
            % {"name": name},
            code="bad_type",
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            _(
                "Le fichier « %(name)s » est refusé : son extension ne correspond pas à son contenu "
                "(%(expected)s attendu)."
            )
            % {"name": name, "expected": " ou ".join(EXTENSIONS[content_type])},
            code="extension_mismatch",
        )
    return content_type
