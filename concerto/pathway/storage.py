"""Storing an accepted submission, all or nothing, replacing the previous one.

``store_submission`` writes in one transaction: the previous submission of
the same order, period and kind (real or synthetic) is deleted with its
rows, then the new rows are written. On PostgreSQL the rows go through
``COPY … FROM STDIN`` in CSV, fed by Polars' CSV writer in chunks (a million
rows in a few seconds, little memory); elsewhere (SQLite) through
``executemany`` in chunks. A failure anywhere rolls everything back: the
previous submission is then still there.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from pathlib import Path

import polars as pl
from django.db import connection, transaction

from .dictionary import CATEGORY_COLUMNS
from .ingest import Submission as Accepted
from .models import FIELD_OF_COLUMN, Application, Submission

CHUNK = 100_000


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _rows_frame(accepted: Accepted, submission_id: int) -> pl.DataFrame:
    return accepted.frame.select(
        pl.lit(submission_id, dtype=pl.Int64).alias("submission_id"),
        pl.col("ligne").alias("line"),
        *(pl.col(c).cast(pl.String) if c in CATEGORY_COLUMNS else pl.col(c) for c in FIELD_OF_COLUMN),
    ).rename(FIELD_OF_COLUMN)


def _quality(accepted: Accepted) -> dict:
    quality = accepted.quality
    return {
        "completeness": quality.completeness,
        "sequences": {
            c.code: {"label": c.label, "count": c.count, "lines": list(c.lines)} for c in quality.sequences
        },
        "duplicates": quality.duplicates,
        "duplicate_lines": list(quality.duplicate_lines),
    }


def _copy_postgresql(frame: pl.DataFrame) -> None:
    from psycopg.copy import QueuedLibpqWriter  # PostgreSQL only

    table = Application._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        # The queued writer sends each chunk from a thread while the next one is written as
        # CSV: the client's work overlaps the server's instead of alternating with it.
        sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"  # noqa: S608 - names from the model
        with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
            for start in range(0, frame.height, CHUNK):
                buffer = io.BytesIO()
                frame.slice(start, CHUNK).write_csv(buffer, include_header=False, null_value="")
                copy.write(buffer.getvalue())


def _insert_rows(frame: pl.DataFrame) -> None:
    """Rows through the driver's own ``executemany`` (SQLite): Django's wrapper rewrites
    the parameters of every row, which doubles the time over a million rows."""
    table = connection.ops.quote_name(Application._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    placeholders = ", ".join(["?"] * frame.width)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    # Dates as the ISO text Django's SQLite backend stores.
    frame = frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
    connection.ensure_connection()
    for start in range(0, frame.height, CHUNK):
        connection.connection.executemany(sql, frame.slice(start, CHUNK).iter_rows())


def store_submission(
    *, accepted: Accepted, order, period: str, sha256: str, received_at: datetime.datetime | None = None
) -> Submission:
    """Replace the order's submission for ``period`` (of the same kind) by ``accepted``."""
    with transaction.atomic():
        previous = (
            Submission.objects.select_for_update()
            .filter(order=order, period=period, synthetic=accepted.synthetic)
            .first()
        )
        if previous is not None:
            # The rows go in one statement, without loading a million objects.
            Application.objects.filter(submission=previous)._raw_delete(connection.alias)
            previous.delete()
        submission = Submission.objects.create(
            order=order,
            period=period,
            synthetic=accepted.synthetic,
            row_count=accepted.frame.height,
            file_format=accepted.file_format,
            file_sha256=sha256,
            quality=_quality(accepted),
            **({"received_at": received_at} if received_at else {}),
        )
        frame = _rows_frame(accepted, submission.pk)
        if connection.vendor == "postgresql":
            _copy_postgresql(frame)
        elif connection.vendor == "sqlite":
            _insert_rows(frame)
        else:
            raise NotImplementedError(f"base de données non prise en charge : {connection.vendor}")
    return submission


def stored_frame(submission: Submission) -> pl.DataFrame:
    """A stored submission back in the dictionary's column names (for the estimators and tables)."""
    fields = ["line", *FIELD_OF_COLUMN.values()]
    rows = list(Application.objects.filter(submission=submission).order_by("line").values_list(*fields))
    columns = {"ligne": [r[0] for r in rows]}
    for index, (column, _field) in enumerate(FIELD_OF_COLUMN.items(), start=1):
        columns[column] = [r[index] for r in rows]
    frame = pl.DataFrame(columns)
    return frame.with_columns(
        pl.lit(submission.order.code).alias("ordre"),
        pl.lit(submission.synthetic).alias("donnees_synthetiques"),
    )
