"""Office documents (.docx, .xlsx) are zip archives: the same content gives the same bytes."""

from __future__ import annotations

import datetime
import io
import zipfile


def stable_zip(data: bytes, day: datetime.date) -> bytes:
    """The same archive with ``day`` as the timestamp of every entry.

    A zip entry carries the time it was written: without this, two renders of
    the same report would differ, and a published file could not be compared
    with a new render."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(day.year, day.month, day.day, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return output.getvalue()
