"""Backup of a plan's published reports and their frozen files (see
``concerto.core.backup``). A publication is named by its date and version;
each file is written whole (base64) with its SHA-256, checked on restore."""

import datetime

from django.db.models import Prefetch

from concerto.core import backup
from concerto.core.backup import DataError, require, save_valid

from .models import Publication, PublishedDocument


def export(ctx: backup.ExportContext) -> dict:
    publications = (
        Publication.objects.filter(plan=ctx.plan)
        .select_related("published_by", "superseded_by")
        .prefetch_related(Prefetch("documents", queryset=PublishedDocument.objects.order_by("format", "pk")))
        .order_by("as_of", "version")
    )
    return {
        "publications": [
            {
                "as_of": backup.d(p.as_of),
                "version": p.version,
                "published_at": backup.dt(p.published_at),
                "published_by": ctx.user(p.published_by),
                "superseded_by": None
                if p.superseded_by is None
                else {"as_of": backup.d(p.superseded_by.as_of), "version": p.superseded_by.version},
                "documents": [
                    {"format": d.format, "size": d.size, **backup.file_entry(bytes(d.content))}
                    for d in p.documents.all()
                ],
            }
            for p in publications
        ]
    }


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    created = {}
    links = []
    for entry in require(data, "publications", list, "document"):
        as_of = require(entry, "as_of", datetime.date, "rapport publié")
        version = require(entry, "version", int, f"rapport publié au {as_of}")
        where = ctx.where = f"rapport publié au {as_of} (version {version})"
        publication = save_valid(
            Publication(
                plan=ctx.plan,
                as_of=as_of,
                version=version,
                published_at=require(entry, "published_at", datetime.datetime, where),
                published_by=ctx.user(entry, "published_by", where),
            ),
            where,
        )
        created[(as_of, version)] = publication
        superseded = require(entry, "superseded_by", dict, where, null=True)
        if superseded is not None:
            s_where = f"{where}, champ « superseded_by »"
            key = (
                require(superseded, "as_of", datetime.date, s_where),
                require(superseded, "version", int, s_where),
            )
            links.append((publication, key, where))
        for doc in require(entry, "documents", list, where):
            fmt = require(doc, "format", str, where)
            d_where = ctx.where = f"{where}, document {fmt}"
            document = PublishedDocument(
                publication=publication, format=fmt, content=backup.read_file(doc, d_where)
            )
            save_valid(document, d_where, exclude=("sha256", "size"))  # computed by save()
    for publication, key, where in links:
        ctx.where = where
        if key not in created:
            raise DataError(f"{where}, champ « superseded_by » : version absente de la sauvegarde.")
        publication.superseded_by = created[key]
        save_valid(publication, where, update_fields=["superseded_by"])


backup.register(
    backup.Section(
        name="reports",
        keys=("publications",),
        export=export,
        restore=restore,
        summary=lambda data: [f"{len(data.get('publications', []))} rapport(s) publié(s)"],
    )
)
