"""Backup of the CIQ's opinions on the files linked to a plan (see ``concerto.core.backup``).

An opinion goes with the plan when its file (``ciq.Dossier``) is linked to
one of the plan's measures, or to a recommendation linked to them, or when
the ciq section selected the file (``ctx.scope["dossiers"]``). Everything
that hangs on it is written: versions with their paragraphs and citations,
adoption, sending and its letter, publications with their frozen files and
SHA-256 (checked on restore), the answers published with an order's
agreement, the follow-up.

The CIQ's objects an opinion names (its file, consultation, the answers and
article comments cited) are named by natural keys: a file by its reference,
a consultation by its file and creation instant, an answer by its
consultation and order, an article comment by its answer and article
position. On restore they are taken from the ciq section when it restored
them (``ctx.remember("dossier", …)`` etc.), otherwise from the database.
"""

import datetime
import io

from django.core.files.base import ContentFile
from django.db.models import F, Prefetch, Q

from concerto.ciq.models import Answer, ArticleComment, Consultation, Dossier, PublicationConsent
from concerto.core import backup
from concerto.core.backup import DataError, require, save_valid
from concerto.core.uploads import detect_content_type, generated_name

from .models import (
    Citation,
    LegislativeEvent,
    Opinion,
    OpinionVersion,
    Paragraph,
    PointOutcome,
    Publication,
    PublishedAnswer,
    PublishedDocument,
)

# --- natural keys ---------------------------------------------------------------


def consultation_ref(consultation) -> dict:
    return {"dossier": consultation.dossier.reference, "created_at": backup.dt(consultation.created_at)}


def answer_ref(ctx, answer) -> dict:
    return {
        "consultation": consultation_ref(answer.consultation),
        "order": ctx.org(answer.organization),
    }


def _dossier(ctx, reference, where: str):
    found = ctx.get("dossier", reference) or Dossier.objects.filter(reference=reference).first()
    if found is None:
        raise DataError(
            f"{where}, champ « dossier » : le dossier « {reference} » n’est ni dans la sauvegarde ni dans la base."
        )
    return found


def _consultation(ctx, ref, where: str):
    if not ctx.has("consultation", ref):
        dossier = _dossier(ctx, require(ref, "dossier", str, where, blank=False), where)
        created_at = require(ref, "created_at", datetime.datetime, where)
        found = Consultation.objects.filter(dossier=dossier, created_at=created_at).first()
        if found is None:
            raise DataError(
                f"{where} : consultation du dossier « {dossier.reference} » créée le {created_at} "
                "ni dans la sauvegarde ni dans la base."
            )
        ctx.remember("consultation", ref, found)
    return ctx.get("consultation", ref)


def _answer(ctx, ref, where: str):
    if not ctx.has("ciq-answer", ref):
        consultation = _consultation(ctx, require(ref, "consultation", dict, where), where)
        order = ctx.org(ref, "order", where, null=False)
        found = Answer.objects.filter(consultation=consultation, organization=order).first()
        if found is None:
            raise DataError(
                f"{where} : réponse de l’ordre « {order.code} » ni dans la sauvegarde ni dans la base."
            )
        ctx.remember("ciq-answer", ref, found)
    return ctx.get("ciq-answer", ref)


# --- export ---------------------------------------------------------------------


def linked_dossier_ids(ctx) -> set[int]:
    plan = ctx.plan
    ids = set(
        Dossier.objects.filter(Q(measures__plan=plan) | Q(recommendations__measures__plan=plan)).values_list(
            "pk", flat=True
        )
    )
    return ids | set(ctx.scope.get("dossiers", set()))


def _letter(opinion) -> dict | None:
    if not opinion.letter:
        return None
    try:
        with opinion.letter.open("rb") as handle:
            content = handle.read()
    except (OSError, ValueError):
        content = None  # missing from the storage: said in the document
    return {
        "name": opinion.letter_name,
        "content_type": opinion.letter_content_type,
        **backup.file_entry(content),
    }


def export(ctx: backup.ExportContext) -> dict:
    citations = Citation.objects.select_related(
        "answer__consultation__dossier", "answer__organization", "article_comment__article"
    ).order_by(
        "answer__consultation__dossier__reference",
        "answer__consultation__created_at",
        "answer__organization__code",
        F("article_comment__article__position").asc(nulls_first=True),
    )
    versions = OpinionVersion.objects.select_related("created_by").prefetch_related(
        Prefetch(
            "paragraphs",
            queryset=Paragraph.objects.order_by("position").prefetch_related(
                Prefetch("citations", queryset=citations)
            ),
        )
    )
    publications = Publication.objects.select_related(
        "text_version", "published_by", "superseded_by"
    ).prefetch_related(Prefetch("documents", queryset=PublishedDocument.objects.order_by("format", "pk")))
    opinions = (
        Opinion.objects.filter(dossier__in=linked_dossier_ids(ctx))
        .select_related("dossier", "consultation__dossier", "created_by", "adopted_version")
        .prefetch_related(
            Prefetch("versions", queryset=versions.order_by("number")),
            Prefetch("publications", queryset=publications.order_by("number")),
            Prefetch(
                "published_answers",
                queryset=PublishedAnswer.objects.select_related(
                    "published_by",
                    "consent__answer__consultation__dossier",
                    "consent__answer__organization",
                ).order_by("consent__answer__organization__code", "pk"),
            ),
            Prefetch("events", queryset=LegislativeEvent.objects.order_by("happened_on", "kind", "pk")),
            Prefetch("point_outcomes", queryset=PointOutcome.objects.order_by("paragraph_key")),
        )
        .order_by("reference")
    )
    result = []
    for o in opinions:
        result.append(
            {
                "reference": o.reference,
                "dossier": o.dossier.reference,
                "consultation": None if o.consultation is None else consultation_ref(o.consultation),
                "title": o.title,
                "summary": o.summary,
                "is_demo": o.is_demo,
                "created_by": ctx.user(o.created_by),
                "created_at": backup.dt(o.created_at),
                "adopted_on": backup.d(o.adopted_on),
                "deciding_body": o.deciding_body,
                "resolution_number": o.resolution_number,
                "votes_for": o.votes_for,
                "votes_against": o.votes_against,
                "votes_abstaining": o.votes_abstaining,
                "adopted_version": None if o.adopted_version is None else o.adopted_version.number,
                "sent_on": backup.d(o.sent_on),
                "authority_deadline": backup.d(o.authority_deadline),
                "deadline_met": o.deadline_met,
                "letter": _letter(o),
                "outcome_note": o.outcome_note,
                "versions": [
                    {
                        "number": v.number,
                        "text": v.text,
                        "note": v.note,
                        "created_by": ctx.user(v.created_by),
                        "created_at": backup.dt(v.created_at),
                        "paragraphs": [
                            {
                                "position": p.position,
                                "key": p.key,
                                "section": p.section,
                                "text": p.text,
                                "citations": [
                                    {
                                        "answer": answer_ref(ctx, c.answer),
                                        "article": None
                                        if c.article_comment is None
                                        else c.article_comment.article.position,
                                    }
                                    for c in p.citations.all()
                                ],
                            }
                            for p in v.paragraphs.all()
                        ],
                    }
                    for v in o.versions.all()
                ],
                "publications": [
                    {
                        "number": p.number,
                        "text_version": p.text_version.number,
                        "published_at": backup.dt(p.published_at),
                        "published_by": ctx.user(p.published_by),
                        "superseded_by": None if p.superseded_by is None else p.superseded_by.number,
                        "documents": [
                            {"format": d.format, "size": d.size, **backup.file_entry(bytes(d.content))}
                            for d in p.documents.all()
                        ],
                    }
                    for p in o.publications.all()
                ],
                "published_answers": [
                    {
                        "answer": answer_ref(ctx, pa.consent.answer),
                        "published_at": backup.dt(pa.published_at),
                        "published_by": ctx.user(pa.published_by),
                    }
                    for pa in o.published_answers.all()
                ],
                "events": [
                    {
                        "kind": e.kind,
                        "happened_on": backup.d(e.happened_on),
                        "reference": e.reference,
                        "note": e.note,
                    }
                    for e in o.events.all()
                ],
                "point_outcomes": [
                    {
                        "paragraph_key": po.paragraph_key,
                        "outcome": po.outcome,
                        "note": po.note,
                        "recorded_on": backup.d(po.recorded_on),
                    }
                    for po in o.point_outcomes.all()
                ],
            }
        )
    return {"opinions": result}


def warnings(data: dict) -> list[str]:
    return [
        f"avis {o.get('reference')} : la lettre transmise « {o['letter'].get('name')} » est introuvable "
        "dans le stockage ; elle est sauvegardée sans contenu."
        for o in data.get("opinions", [])
        if isinstance(o, dict) and isinstance(o.get("letter"), dict) and o["letter"].get("content") is None
    ]


# --- restoration ----------------------------------------------------------------


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    if "opinions" not in data:  # written before opinions were backed up
        return
    for entry in require(data, "opinions", list, "document"):
        _restore_opinion(ctx, entry)


def _restore_opinion(ctx, entry) -> None:
    reference = require(entry, "reference", str, "avis", blank=False)
    where = ctx.where = f"avis {reference}"
    if Opinion.objects.filter(reference=reference).exists():
        raise DataError(f"{where} : un avis de cette référence existe déjà dans la base. Rien n’a été écrit.")
    dossier = _dossier(ctx, require(entry, "dossier", str, where, blank=False), where)
    consultation_entry = require(entry, "consultation", dict, where, null=True)
    opinion = Opinion(
        reference=reference,
        dossier=dossier,
        consultation=None
        if consultation_entry is None
        else _consultation(ctx, consultation_entry, f"{where}, champ « consultation »"),
        title=require(entry, "title", str, where, blank=False),
        summary=require(entry, "summary", str, where),
        is_demo=require(entry, "is_demo", bool, where),
        created_by=ctx.user(entry, "created_by", where),
        created_at=require(entry, "created_at", datetime.datetime, where),
        adopted_on=require(entry, "adopted_on", datetime.date, where, null=True),
        deciding_body=require(entry, "deciding_body", str, where),
        resolution_number=require(entry, "resolution_number", str, where),
        votes_for=require(entry, "votes_for", int, where, null=True),
        votes_against=require(entry, "votes_against", int, where, null=True),
        votes_abstaining=require(entry, "votes_abstaining", int, where, null=True),
        sent_on=require(entry, "sent_on", datetime.date, where, null=True),
        authority_deadline=require(entry, "authority_deadline", datetime.date, where, null=True),
        deadline_met=require(entry, "deadline_met", bool, where, null=True),
        outcome_note=require(entry, "outcome_note", str, where),
    )
    letter = require(entry, "letter", dict, where, null=True)
    save_valid(opinion, where, exclude=("letter",))
    if letter is not None:
        _restore_letter(ctx, opinion, letter, f"{where}, lettre transmise")
    ctx.remember("opinion", reference, opinion)

    versions = {}
    for v in require(entry, "versions", list, where):
        number = require(v, "number", int, f"{where}, version")
        v_where = ctx.where = f"{where}, version {number}"
        version = save_valid(
            OpinionVersion(
                opinion=opinion,
                number=number,
                text=require(v, "text", str, v_where),
                note=require(v, "note", str, v_where),
                created_by=ctx.user(v, "created_by", v_where),
                created_at=require(v, "created_at", datetime.datetime, v_where),
            ),
            v_where,
        )
        versions[number] = version
        for p in require(v, "paragraphs", list, v_where):
            position = require(p, "position", int, f"{v_where}, paragraphe")
            p_where = ctx.where = f"{v_where}, paragraphe {position}"
            paragraph = save_valid(
                Paragraph(
                    version=version,
                    position=position,
                    key=require(p, "key", str, p_where, blank=False),
                    section=require(p, "section", str, p_where),
                    text=require(p, "text", str, p_where),
                ),
                p_where,
            )
            for c in require(p, "citations", list, p_where):
                c_where = ctx.where = f"{p_where}, citation"
                answer = _answer(ctx, require(c, "answer", dict, c_where), c_where)
                article = require(c, "article", int, c_where, null=True)
                comment = None
                if article is not None:
                    comment = ArticleComment.objects.filter(answer=answer, article__position=article).first()
                    if comment is None:
                        raise DataError(
                            f"{c_where} : commentaire de l’ordre « {answer.organization.code} » sur "
                            f"l’article {article} ni dans la sauvegarde ni dans la base."
                        )
                save_valid(Citation(paragraph=paragraph, answer=answer, article_comment=comment), c_where)

    adopted = require(entry, "adopted_version", int, where, null=True)
    if adopted is not None:
        ctx.where = where
        if adopted not in versions:
            raise DataError(
                f"{where}, champ « adopted_version » : version {adopted} absente de la sauvegarde."
            )
        opinion.adopted_version = versions[adopted]
        save_valid(opinion, where, exclude=("letter",), update_fields=["adopted_version"])

    _restore_publications(ctx, opinion, entry, versions, where)

    for pa in require(entry, "published_answers", list, where):
        pa_where = ctx.where = f"{where}, réponse publiée"
        answer = _answer(ctx, require(pa, "answer", dict, pa_where), pa_where)
        consent = PublicationConsent.objects.filter(answer=answer).first()
        if consent is None:
            raise DataError(
                f"{pa_where} : l’accord de l’ordre « {answer.organization.code} » n’est ni dans la "
                "sauvegarde ni dans la base : sa réponse ne peut pas être publiée."
            )
        save_valid(
            PublishedAnswer(
                opinion=opinion,
                consent=consent,
                published_at=require(pa, "published_at", datetime.datetime, pa_where),
                published_by=ctx.user(pa, "published_by", pa_where),
            ),
            pa_where,
        )
    for e in require(entry, "events", list, where):
        e_where = ctx.where = f"{where}, étape du suivi"
        save_valid(
            LegislativeEvent(
                opinion=opinion,
                kind=require(e, "kind", str, e_where, blank=False),
                happened_on=require(e, "happened_on", datetime.date, e_where),
                reference=require(e, "reference", str, e_where),
                note=require(e, "note", str, e_where),
            ),
            e_where,
        )
    for po in require(entry, "point_outcomes", list, where):
        key = require(po, "paragraph_key", str, f"{where}, suite d’un point", blank=False)
        po_where = ctx.where = f"{where}, suite du point {key}"
        save_valid(
            PointOutcome(
                opinion=opinion,
                paragraph_key=key,
                outcome=require(po, "outcome", str, po_where, blank=False),
                note=require(po, "note", str, po_where),
                recorded_on=require(po, "recorded_on", datetime.date, po_where),
            ),
            po_where,
        )
    # The public search reads the text of the current publication, restored just now.
    opinion.save(update_fields=["search_text"])


def _restore_publications(ctx, opinion, entry, versions, where) -> None:
    created = {}
    links = []
    for p in require(entry, "publications", list, where):
        number = require(p, "number", int, f"{where}, publication")
        p_where = ctx.where = f"{where}, publication {number}"
        text_version = require(p, "text_version", int, p_where)
        if text_version not in versions:
            raise DataError(
                f"{p_where}, champ « text_version » : version {text_version} absente de la sauvegarde."
            )
        publication = save_valid(
            Publication(
                opinion=opinion,
                number=number,
                text_version=versions[text_version],
                published_at=require(p, "published_at", datetime.datetime, p_where),
                published_by=ctx.user(p, "published_by", p_where),
            ),
            p_where,
        )
        created[number] = publication
        superseded = require(p, "superseded_by", int, p_where, null=True)
        if superseded is not None:
            links.append((publication, superseded, p_where))
        for doc in require(p, "documents", list, p_where):
            fmt = require(doc, "format", str, p_where)
            d_where = ctx.where = f"{p_where}, document {fmt}"
            content = backup.read_file(doc, d_where, size=require(doc, "size", int, d_where))
            document = PublishedDocument(publication=publication, format=fmt, content=content)
            save_valid(document, d_where, exclude=("sha256", "size"))  # computed by save()
    for publication, number, p_where in links:
        ctx.where = p_where
        if number not in created:
            raise DataError(
                f"{p_where}, champ « superseded_by » : publication {number} absente de la sauvegarde."
            )
        publication.superseded_by = created[number]
        save_valid(publication, p_where, update_fields=["superseded_by"])


def _restore_letter(ctx, opinion, entry, where) -> None:
    ctx.where = where
    name = require(entry, "name", str, where, blank=False)
    content_type = require(entry, "content_type", str, where, blank=False)
    opinion.letter_name = name
    opinion.letter_content_type = content_type
    if require(entry, "content", str, where, null=True) is None:
        ctx.notes.append(
            f"{where} « {name} » : sauvegardée sans contenu (fichier déjà absent lors de la sauvegarde)."
        )
        opinion.save(update_fields=["letter_name", "letter_content_type"])
        return
    content = backup.read_file(entry, where)
    if detect_content_type(io.BytesIO(content)) != content_type:
        raise DataError(f"{where} : le contenu n’est pas celui d’un document « {content_type} ».")
    # A new name in the storage: never overwrite nor trust a file found under the old one.
    storage = opinion.letter.storage
    saved = storage.save(generated_name(content_type, prefix="opinions"), ContentFile(content))
    ctx.written.append((storage, saved))
    opinion.letter.name = saved
    opinion.save(update_fields=["letter", "letter_name", "letter_content_type"])


def summary(data: dict) -> list[str]:
    return [f"{len(data.get('opinions', []))} avis du CIQ"] if data.get("opinions") else []


backup.register(
    backup.Section(
        name="opinions",
        keys=("opinions",),
        export=export,
        restore=restore,
        summary=summary,
        warnings=warnings,
    )
)
