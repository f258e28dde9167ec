"""Backup of the admission pathway's registers and releases (see ``concerto.core.backup``).

What the section saves, under the document's ``pathway`` key:

- the agreements with the Commission d'accès à l'information (CAI), with
  their privacy impact assessment reference;
- the register of confidentiality incidents;
- the register of destructions (what ``pathway_destroy`` destroyed);
- the releases of protected tables: the register's entry (threshold, rules,
  audience, who prepared and who decided), the tables as published and
  their frozen CSV and Excel files, each written whole with its SHA-256 and
  refused on restore when the bytes no longer match it.

What it deliberately does **not** save: the record-level data — the orders'
submissions, their pseudonymized applications and the uploads (whose error
reports quote values). The general backup is a file handled by operators
who are not analysts, and only analysts may see pseudonyms; the
applications are keyed again with a secret held outside the database, so a
copy of them in a backup would outlive the destruction of that key; and a
backup restored after ``pathway_destroy`` must not bring back what the
retention schedule destroyed. The orders send their files again when
needed; destruction stays final. The section's summary says so, so that no
one believes the submissions are saved.

Objects are named by natural keys (an agreement by its reference and date,
an incident by its dates and recording time, a destruction by its order,
period and time, a release by its title and preparation time). An entry
already in the database is kept as it is (and noted): the registers are
shared by every plan, so restoring a second plan does not write them twice.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch

from concerto.core import backup
from concerto.core.backup import require, save_valid

from .models_collect import Agreement, Destruction, Incident
from .release_models import Release, ReleaseFile, ReleaseTable

KEY = "pathway"
NOT_SAVED = (
    "dépôts des ordres (données individuelles pseudonymisées) non sauvegardés : "
    "à transmettre de nouveau par les ordres"
)


# --- export -------------------------------------------------------------------


def _agreement_key(agreement: Agreement) -> dict:
    return {"reference": agreement.reference, "signed_on": backup.d(agreement.signed_on)}


def _agreements(ctx) -> list[dict]:
    return [
        {
            **_agreement_key(a),
            "ends_on": backup.d(a.ends_on),
            "parties": a.parties,
            "purposes": a.purposes,
            "data_elements": list(a.data_elements),
            "retention_months": a.retention_months,
            "security_measures": a.security_measures,
            "impact_assessment_reference": a.impact_assessment_reference,
            "impact_assessment_on": backup.d(a.impact_assessment_on),
            "recorded_at": backup.dt(a.recorded_at),
            "recorded_by": ctx.user(a.recorded_by),
        }
        for a in Agreement.objects.select_related("recorded_by").order_by("signed_on", "reference", "pk")
    ]


def _incidents(ctx) -> list[dict]:
    return [
        {
            "occurred_on": backup.d(i.occurred_on),
            "discovered_on": backup.d(i.discovered_on),
            "recorded_at": backup.dt(i.recorded_at),
            "description": i.description,
            "information_concerned": i.information_concerned,
            "people_concerned": i.people_concerned,
            "serious_risk": i.serious_risk,
            "risk_assessment": i.risk_assessment,
            "cai_notified_on": backup.d(i.cai_notified_on),
            "people_notified_on": backup.d(i.people_notified_on),
            "measures": i.measures,
            "closed_on": backup.d(i.closed_on),
            "recorded_by": ctx.user(i.recorded_by),
        }
        for i in Incident.objects.select_related("recorded_by").order_by(
            "occurred_on", "discovered_on", "recorded_at", "pk"
        )
    ]


def _destructions(ctx) -> list[dict]:
    return [
        {
            "order": ctx.org(x.order),
            "period": x.period,
            "destroyed_at": backup.dt(x.destroyed_at),
            "received_at": backup.dt(x.received_at),
            "retention_end": backup.d(x.retention_end),
            "row_count": x.row_count,
            "uploads": x.uploads,
            "file_sha256": x.file_sha256,
            "agreement": _agreement_key(x.agreement),
            "source": x.source,
        }
        for x in Destruction.objects.select_related("order", "agreement").order_by(
            "destroyed_at", "order__code", "period", "pk"
        )
    ]


def _releases(ctx) -> list[dict]:
    releases = (
        Release.objects.select_related("prepared_by", "decided_by")
        .prefetch_related(
            Prefetch(
                "tables",
                queryset=ReleaseTable.objects.order_by("position").prefetch_related(
                    Prefetch("files", queryset=ReleaseFile.objects.order_by("format", "pk"))
                ),
            )
        )
        .order_by("prepared_at", "title", "pk")
    )
    return [
        {
            "title": r.title,
            "prepared_at": backup.dt(r.prepared_at),
            "prepared_by": ctx.user(r.prepared_by),
            "synthetic": r.synthetic,
            "threshold": r.threshold,
            "audience": r.audience,
            "rules": r.rules,
            "data_as_of": backup.d(r.data_as_of),
            "state": r.state,
            "decided_by": ctx.user(r.decided_by),
            "decided_at": backup.dt(r.decided_at),
            "decision_note": r.decision_note,
            "tables": [
                {
                    "position": t.position,
                    "kind": t.kind,
                    "title": t.title,
                    "rows_dimension": t.rows_dimension,
                    "columns_dimension": t.columns_dimension,
                    "rows": t.rows,
                    "suppressed": t.suppressed,
                    "audit": t.audit,
                    "files": [
                        {"format": f.format, "size": f.size, **backup.file_entry(bytes(f.content))}
                        for f in t.files.all()
                    ],
                }
                for t in r.tables.all()
            ],
        }
        for r in releases
    ]


def export(ctx: backup.ExportContext) -> dict:
    return {
        KEY: {
            "agreements": _agreements(ctx),
            "incidents": _incidents(ctx),
            "destructions": _destructions(ctx),
            "releases": _releases(ctx),
            "records": "not-saved",
        }
    }


# --- restore ------------------------------------------------------------------


def _kept(ctx, where: str) -> None:
    ctx.notes.append(f"{where} : déjà présent(e) dans la base, gardé(e) tel(le) quel(le).")


def _restore_agreements(ctx, entries) -> None:
    for entry in entries:
        reference = require(entry, "reference", str, "entente CAI", blank=False)
        signed_on = require(entry, "signed_on", datetime.date, f"entente CAI « {reference} »")
        where = ctx.where = f"entente CAI « {reference} » du {signed_on}"
        key = {"reference": reference, "signed_on": signed_on.isoformat()}
        existing = Agreement.objects.filter(reference=reference, signed_on=signed_on).first()
        if existing is not None:
            _kept(ctx, where)
            ctx.remember("pathway-agreement", key, existing)
            continue
        agreement = save_valid(
            Agreement(
                reference=reference,
                signed_on=signed_on,
                ends_on=require(entry, "ends_on", datetime.date, where, null=True),
                parties=require(entry, "parties", str, where),
                purposes=require(entry, "purposes", str, where),
                data_elements=require(entry, "data_elements", list, where),
                retention_months=require(entry, "retention_months", int, where),
                security_measures=require(entry, "security_measures", str, where),
                impact_assessment_reference=require(entry, "impact_assessment_reference", str, where),
                impact_assessment_on=require(entry, "impact_assessment_on", datetime.date, where, null=True),
                recorded_at=require(entry, "recorded_at", datetime.datetime, where),
                recorded_by=ctx.user(entry, "recorded_by", where),
            ),
            where,
        )
        ctx.remember("pathway-agreement", key, agreement)


def _restore_incidents(ctx, entries) -> None:
    for entry in entries:
        occurred_on = require(entry, "occurred_on", datetime.date, "incident de confidentialité")
        where = ctx.where = f"incident de confidentialité du {occurred_on}"
        discovered_on = require(entry, "discovered_on", datetime.date, where)
        recorded_at = require(entry, "recorded_at", datetime.datetime, where)
        if Incident.objects.filter(
            occurred_on=occurred_on, discovered_on=discovered_on, recorded_at=recorded_at
        ).exists():
            _kept(ctx, where)
            continue
        save_valid(
            Incident(
                occurred_on=occurred_on,
                discovered_on=discovered_on,
                recorded_at=recorded_at,
                description=require(entry, "description", str, where),
                information_concerned=require(entry, "information_concerned", str, where),
                people_concerned=require(entry, "people_concerned", int, where, null=True),
                serious_risk=require(entry, "serious_risk", bool, where),
                risk_assessment=require(entry, "risk_assessment", str, where),
                cai_notified_on=require(entry, "cai_notified_on", datetime.date, where, null=True),
                people_notified_on=require(entry, "people_notified_on", datetime.date, where, null=True),
                measures=require(entry, "measures", str, where),
                closed_on=require(entry, "closed_on", datetime.date, where, null=True),
                recorded_by=ctx.user(entry, "recorded_by", where),
            ),
            where,
        )


def _restore_destructions(ctx, entries) -> None:
    for entry in entries:
        period = require(entry, "period", str, "destruction")
        order = ctx.org(entry, "order", f"destruction de la période {period}", null=False)
        where = ctx.where = f"destruction {order.code} {period}"
        destroyed_at = require(entry, "destroyed_at", datetime.datetime, where)
        if Destruction.objects.filter(order=order, period=period, destroyed_at=destroyed_at).exists():
            _kept(ctx, where)
            continue
        reference = require(entry, "agreement", dict, where)
        a_where = f"{where}, champ « agreement »"
        key = {
            "reference": require(reference, "reference", str, a_where),
            "signed_on": require(reference, "signed_on", datetime.date, a_where).isoformat(),
        }
        save_valid(
            Destruction(
                order=order,
                period=period,
                destroyed_at=destroyed_at,
                received_at=require(entry, "received_at", datetime.datetime, where),
                retention_end=require(entry, "retention_end", datetime.date, where),
                row_count=require(entry, "row_count", int, where),
                uploads=require(entry, "uploads", int, where),
                file_sha256=require(entry, "file_sha256", str, where),
                agreement=ctx.restored("pathway-agreement", key, a_where),
                source=require(entry, "source", str, where),
            ),
            where,
        )


def _restore_releases(ctx, entries) -> None:
    for entry in entries:
        title = require(entry, "title", str, "diffusion", blank=False)
        where = ctx.where = f"diffusion « {title} »"
        prepared_at = require(entry, "prepared_at", datetime.datetime, where)
        if Release.objects.filter(title=title, prepared_at=prepared_at).exists():
            _kept(ctx, where)
            continue
        release = save_valid(
            Release(
                title=title,
                prepared_at=prepared_at,
                prepared_by=ctx.user(entry, "prepared_by", where, null=False),
                synthetic=require(entry, "synthetic", bool, where),
                threshold=require(entry, "threshold", int, where),
                audience=require(entry, "audience", str, where),
                rules=require(entry, "rules", dict, where),
                data_as_of=require(entry, "data_as_of", datetime.date, where),
                state=require(entry, "state", str, where),
                decided_by=ctx.user(entry, "decided_by", where),
                decided_at=require(entry, "decided_at", datetime.datetime, where, null=True),
                decision_note=require(entry, "decision_note", str, where),
            ),
            where,
        )
        for t_entry in require(entry, "tables", list, where):
            position = require(t_entry, "position", int, f"{where}, tableau")
            t_where = ctx.where = f"{where}, tableau {position}"
            table = save_valid(
                ReleaseTable(
                    release=release,
                    position=position,
                    kind=require(t_entry, "kind", str, t_where),
                    title=require(t_entry, "title", str, t_where),
                    rows_dimension=require(t_entry, "rows_dimension", str, t_where),
                    columns_dimension=require(t_entry, "columns_dimension", str, t_where),
                    rows=require(t_entry, "rows", list, t_where),
                    suppressed=require(t_entry, "suppressed", int, t_where),
                    audit=require(t_entry, "audit", dict, t_where),
                ),
                t_where,
            )
            for f_entry in require(t_entry, "files", list, t_where):
                fmt = require(f_entry, "format", str, f"{t_where}, fichier")
                f_where = ctx.where = f"{t_where}, fichier {fmt}"
                content = backup.read_file(f_entry, f_where, size=require(f_entry, "size", int, f_where))
                save_valid(
                    ReleaseFile(table=table, format=fmt, content=content),
                    f_where,
                    exclude=("sha256", "size"),  # computed by save()
                )


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    if KEY not in data:  # a document written before the pathway had a section
        return
    ctx.where = "parcours d’admission"
    part = require(data, KEY, dict, "document")
    _restore_agreements(ctx, require(part, "agreements", list, "parcours d’admission"))
    _restore_incidents(ctx, require(part, "incidents", list, "parcours d’admission"))
    _restore_destructions(ctx, require(part, "destructions", list, "parcours d’admission"))
    _restore_releases(ctx, require(part, "releases", list, "parcours d’admission"))


def summary(data: dict) -> list[str]:
    part = data.get(KEY)
    if not isinstance(part, dict):
        return []
    return [
        f"{len(part.get('agreements', []))} entente(s) avec la CAI",
        f"{len(part.get('incidents', []))} incident(s) de confidentialité",
        f"{len(part.get('destructions', []))} destruction(s)",
        f"{len(part.get('releases', []))} diffusion(s) de tableaux protégés",
        NOT_SAVED,
    ]


backup.register(
    backup.Section(
        name="pathway",
        keys=(KEY,),
        export=export,
        restore=restore,
        summary=summary,
    )
)
