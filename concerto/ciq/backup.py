"""Backup of the CIQ's files linked to a plan (see ``concerto.core.backup``).

The files (dossiers) linked to the plan's measures or to a backed-up
recommendation, with everything that hangs on them: source documents
(written whole with their SHA-256, as the recommendations' documents),
consultations with their audience and articles, the orders' answers with
every submitted version, their article comments, attachments and
publication consents; and the groups of orders of the bodies owning those
files. A file is named by its reference, a consultation by its file and its
rank in it (``{"dossier": …, "rank": 1}``), an article by its rank, an
answer by its order's code, a version by its number. The article ids kept
inside a version's ``article_comments`` are written as article ranks.

On restore, a file or a group that exists already is kept as it is (a file
is then linked to the restored measures); the Gazette deadline is computed
again and a difference is noted.
"""

import datetime
import hashlib
import io

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.utils import validate_file_name
from django.db.models import Prefetch, Q

from concerto.core import backup
from concerto.core.backup import DataError, require, save_valid
from concerto.core.uploads import detect_content_type
from concerto.plans.backup import measure_refs, restored_measures
from concerto.plans.models import Measure
from concerto.recommendations.models import Recommendation

from .models import (
    Answer,
    AnswerAttachment,
    AnswerVersion,
    Article,
    ArticleComment,
    Consultation,
    DeadlineBasis,
    Dossier,
    OrderGroup,
    PublicationConsent,
    SourceDocument,
)

KEYS = ("ciq_order_groups", "ciq_files")

# --- export -------------------------------------------------------------------


def _file_entry(ctx, document) -> dict:
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except (OSError, ValueError):
        content = None  # missing from the storage: said in the document
    return {
        "original_name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "uploaded_by": ctx.user(document.uploaded_by),
        "uploaded_at": backup.dt(document.uploaded_at),
        "file": document.file.name,
        **backup.file_entry(content),
    }


def _files(plan, recommendation_ids) -> list[Dossier]:
    return list(
        Dossier.objects.filter(Q(measures__plan=plan) | Q(recommendations__in=recommendation_ids))
        .distinct()
        .select_related("owner", "authority_organization", "created_by")
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("plan")),
            "recommendations",
            Prefetch("documents", queryset=SourceDocument.objects.select_related("uploaded_by")),
            Prefetch(
                "consultations",
                queryset=Consultation.objects.select_related("created_by")
                .prefetch_related(
                    "audience",
                    Prefetch("articles", queryset=Article.objects.order_by("position")),
                    Prefetch(
                        "answers",
                        queryset=Answer.objects.select_related(
                            "organization",
                            "submitted_by",
                            "updated_by",
                            "publication_consent__recorded_by",
                            "publication_consent__version",
                        ).prefetch_related(
                            Prefetch(
                                "versions", queryset=AnswerVersion.objects.select_related("submitted_by")
                            ),
                            Prefetch(
                                "article_comments",
                                queryset=ArticleComment.objects.select_related("article"),
                            ),
                            Prefetch(
                                "attachments", queryset=AnswerAttachment.objects.select_related("uploaded_by")
                            ),
                        ),
                    ),
                )
                .order_by("created_at", "pk"),
            ),
        )
        .order_by("reference")
    )


def _version_entry(ctx, version: AnswerVersion, ranks: dict[int, int]) -> dict:
    return {
        "number": version.number,
        "position": version.position,
        "comments": version.comments,
        # The article's id as its rank (None when the article is gone since).
        "article_comments": [
            {**row, "article": ranks.get(row.get("article"))} if isinstance(row, dict) else row
            for row in version.article_comments
        ],
        "submitted_at": backup.dt(version.submitted_at),
        "submitted_by": ctx.user(version.submitted_by),
        "late": version.late,
    }


def _answer_entry(ctx, answer: Answer, ranks: dict[int, int]) -> dict:
    try:
        consent = answer.publication_consent
    except PublicationConsent.DoesNotExist:
        consent = None
    versions = {v.pk: v for v in answer.versions.all()}
    return {
        "organization": ctx.org(answer.organization),
        "state": answer.state,
        "position": answer.position,
        "comments": answer.comments,
        "version": answer.version,
        "submitted_at": backup.dt(answer.submitted_at),
        "submitted_by": ctx.user(answer.submitted_by),
        "late": answer.late,
        "updated_at": backup.dt(answer.updated_at),
        "updated_by": ctx.user(answer.updated_by),
        "versions": [
            _version_entry(ctx, v, ranks) for v in sorted(versions.values(), key=lambda v: v.number)
        ],
        "article_comments": sorted(
            ({"article": c.article.position, "text": c.text} for c in answer.article_comments.all()),
            key=lambda row: row["article"],
        ),
        "attachments": [
            _file_entry(ctx, a) for a in sorted(answer.attachments.all(), key=lambda a: (a.uploaded_at, a.pk))
        ],
        "publication_consent": None
        if consent is None
        else {
            "version": consent.version.number,
            "agreed_on": backup.d(consent.agreed_on),
            "agreed_by": consent.agreed_by,
            "note": consent.note,
            "recorded_by": ctx.user(consent.recorded_by),
            "recorded_at": backup.dt(consent.recorded_at),
            "withdrawn_at": backup.dt(consent.withdrawn_at),
        },
    }


def _consultation_entry(ctx, dossier: Dossier, rank: int, c: Consultation) -> dict:
    ref = {"dossier": dossier.reference, "rank": rank}
    ctx.remember("consultation", c.pk, ref)
    ctx.email_prefixes.add(f"ciq:consultation:{c.pk}:")
    articles = list(c.articles.all())
    ranks = {a.pk: a.position for a in articles}
    answers = sorted(c.answers.all(), key=lambda a: a.organization.code)
    return {
        "rank": rank,
        "kind": c.kind,
        "title": c.title,
        "instructions": c.instructions,
        "audience": sorted(ctx.org(o) for o in c.audience.all()),
        "internal_deadline": backup.d(c.internal_deadline),
        "state": c.state,
        "opened_at": backup.dt(c.opened_at),
        "closed_at": backup.dt(c.closed_at),
        "created_by": ctx.user(c.created_by),
        "created_at": backup.dt(c.created_at),
        "articles": [{"position": a.position, "heading": a.heading, "text": a.text} for a in articles],
        "answers": [_answer_entry(ctx, a, ranks) for a in answers],
    }


def _dossier_entry(ctx, dossier: Dossier) -> dict:
    documents = sorted(dossier.documents.all(), key=lambda d: (d.uploaded_at, d.pk))
    return {
        "reference": dossier.reference,
        "title": dossier.title,
        "subject": dossier.subject,
        "summary": dossier.summary,
        "owner": ctx.org(dossier.owner),
        "authority": dossier.authority,
        "authority_name": dossier.authority_name,
        "authority_organization": ctx.org(dossier.authority_organization),
        "deadline_basis": dossier.deadline_basis,
        "gazette_published_on": backup.d(dossier.gazette_published_on),
        "gazette_days": dossier.gazette_days,
        "gazette_days_source": dossier.gazette_days_source,
        "authority_deadline": backup.d(dossier.authority_deadline),
        "authority_deadline_source": dossier.authority_deadline_source,
        "measures": measure_refs(dossier.measures.all()),
        "recommendations": sorted(r.number for r in dossier.recommendations.all()),
        "is_demo": dossier.is_demo,
        "created_by": ctx.user(dossier.created_by),
        "created_at": backup.dt(dossier.created_at),
        "documents": [{"kind": d.kind, "title": d.title, **_file_entry(ctx, d)} for d in documents],
        "consultations": [
            _consultation_entry(ctx, dossier, rank, c)
            for rank, c in enumerate(dossier.consultations.all(), start=1)
        ],
    }


def export(ctx: backup.ExportContext) -> dict:
    dossiers = _files(ctx.plan, list(ctx.refs.get("recommendation", {})))
    owners = {d.owner_id for d in dossiers}
    groups = (
        OrderGroup.objects.filter(owner__in=owners)
        .select_related("owner")
        .prefetch_related("organizations")
        .order_by("owner__code", "name")
    )
    return {
        "ciq_order_groups": [
            {
                "owner": ctx.org(g.owner),
                "name": g.name,
                "organizations": sorted(ctx.org(o) for o in g.organizations.all()),
                "is_demo": g.is_demo,
            }
            for g in groups
        ],
        "ciq_files": [_dossier_entry(ctx, d) for d in dossiers],
    }


def _documents(data: dict):
    """(place, entry) of every stored document a document lists."""
    for f in data.get("ciq_files", []):
        for d in f.get("documents", []):
            yield f"dossier {f.get('reference')}", d
        for c in f.get("consultations", []):
            for a in c.get("answers", []):
                for d in a.get("attachments", []):
                    yield f"dossier {f.get('reference')}, réponse de « {a.get('organization')} »", d


def warnings(data: dict) -> list[str]:
    """The documents a backup lists without their content, in French."""
    return [
        f"{where} : le document « {d.get('original_name')} » ({d.get('file')}) est introuvable "
        "dans le stockage ; il est sauvegardé sans contenu."
        for where, d in _documents(data)
        if isinstance(d, dict) and d.get("content") is None
    ]


def summary(data: dict) -> list[str]:
    files = data.get("ciq_files", [])
    if not files:
        return []  # a plan without CIQ files: nothing to say
    consultations = sum(len(f.get("consultations", [])) for f in files)
    return [f"{len(files)} dossier(s) du CIQ", f"{consultations} consultation(s) du CIQ"]


# --- restoration --------------------------------------------------------------


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    # A backup written before the CIQ's section has neither key.
    for entry in require(data, "ciq_order_groups", list, "document") if "ciq_order_groups" in data else []:
        _restore_group(ctx, entry)
    for entry in require(data, "ciq_files", list, "document") if "ciq_files" in data else []:
        _restore_dossier(ctx, entry)


def _restore_group(ctx, entry) -> None:
    name = require(entry, "name", str, "groupe d’ordres du CIQ", blank=False)
    where = ctx.where = f"groupe d’ordres « {name} »"
    owner = ctx.org(entry, "owner", where, null=False)
    organizations = [
        ctx.org_code(code, f"{where}, champ « organizations »")
        for code in require(entry, "organizations", list, where)
    ]
    if OrderGroup.objects.filter(owner=owner, name=name).exists():
        ctx.notes.append(f"{where} : déjà dans la base, conservé tel quel.")
        return
    group = save_valid(
        OrderGroup(owner=owner, name=name, is_demo=require(entry, "is_demo", bool, where)), where
    )
    group.organizations.set(organizations)


def _restored_recommendations(ctx, entry, where: str) -> list[Recommendation]:
    found = []
    for number in require(entry, "recommendations", list, where):
        recommendation = ctx.get("recommendation", number)
        if recommendation is None:
            recommendation = Recommendation.objects.filter(number=number).first()
        if recommendation is None:
            ctx.notes.append(
                f"{where} : lien vers la recommandation « {number} » non rétabli (absente de la base)."
            )
        else:
            found.append(recommendation)
    return found


def _restore_dossier(ctx, entry) -> None:
    reference = require(entry, "reference", str, "dossier du CIQ", blank=False)
    where = ctx.where = f"dossier {reference}"
    measures = restored_measures(ctx, entry, where)
    recommendations = _restored_recommendations(ctx, entry, where)
    existing = Dossier.objects.filter(reference=reference).first()
    if existing is not None:
        existing.measures.add(*measures)
        existing.recommendations.add(*recommendations)
        ctx.notes.append(f"{where} : déjà dans la base, conservé tel quel et relié aux mesures restaurées.")
        return
    dossier = Dossier(
        reference=reference,
        title=require(entry, "title", str, where, blank=False),
        subject=require(entry, "subject", str, where),
        summary=require(entry, "summary", str, where),
        owner=ctx.org(entry, "owner", where, null=False),
        authority=require(entry, "authority", str, where),
        authority_name=require(entry, "authority_name", str, where),
        authority_organization=ctx.org(entry, "authority_organization", where),
        deadline_basis=require(entry, "deadline_basis", str, where),
        gazette_published_on=require(entry, "gazette_published_on", datetime.date, where, null=True),
        gazette_days=require(entry, "gazette_days", int, where, null=True),
        gazette_days_source=require(entry, "gazette_days_source", str, where),
        authority_deadline=require(entry, "authority_deadline", datetime.date, where, null=True),
        authority_deadline_source=require(entry, "authority_deadline_source", str, where),
        is_demo=require(entry, "is_demo", bool, where),
        created_by=ctx.user(entry, "created_by", where),
        created_at=require(entry, "created_at", datetime.datetime, where),
    )
    written = dossier.authority_deadline
    if (
        dossier.deadline_basis == DeadlineBasis.GAZETTE
        and dossier.gazette_published_on
        and dossier.gazette_days
    ):
        # Computed from the publication, never read (save() does it too).
        dossier.authority_deadline = dossier.compute_authority_deadline()
        if dossier.authority_deadline != written:
            ctx.notes.append(
                f"{where} : échéance de l’autorité recalculée au {dossier.authority_deadline} "
                f"(la sauvegarde indiquait {written}) selon le calendrier des jours fériés en vigueur."
            )
    save_valid(dossier, where)
    dossier.measures.set(measures)
    dossier.recommendations.set(recommendations)
    ctx.remember("dossier", reference, dossier)
    for d in require(entry, "documents", list, where):
        _restore_file(
            ctx,
            d,
            f"{where}, document",
            SourceDocument(
                dossier=dossier,
                kind=require(d, "kind", str, f"{where}, document"),
                title=require(d, "title", str, f"{where}, document"),
            ),
        )
    consultations = require(entry, "consultations", list, where)
    for rank, c in enumerate(consultations, start=1):
        _restore_consultation(ctx, c, dossier, rank, f"{where}, consultation {rank}")


def _restore_consultation(ctx, entry, dossier: Dossier, rank: int, where: str) -> None:
    ctx.where = where
    written_rank = require(entry, "rank", int, where)
    if written_rank != rank:
        raise DataError(
            f"{where}, champ « rank » : {rank} attendu (les consultations se suivent), {written_rank} lu."
        )
    consultation = save_valid(
        Consultation(
            dossier=dossier,
            kind=require(entry, "kind", str, where),
            title=require(entry, "title", str, where, blank=False),
            instructions=require(entry, "instructions", str, where),
            internal_deadline=require(entry, "internal_deadline", datetime.date, where),
            state=require(entry, "state", str, where),
            opened_at=require(entry, "opened_at", datetime.datetime, where, null=True),
            closed_at=require(entry, "closed_at", datetime.datetime, where, null=True),
            created_by=ctx.user(entry, "created_by", where),
            created_at=require(entry, "created_at", datetime.datetime, where),
        ),
        where,
    )
    consultation.audience.set(
        [
            ctx.org_code(code, f"{where}, champ « audience »")
            for code in require(entry, "audience", list, where)
        ]
    )
    ref = {"dossier": dossier.reference, "rank": rank}
    ctx.remember("consultation", ref, consultation)
    articles: dict[int, Article] = {}
    for a in require(entry, "articles", list, where):
        a_where = ctx.where = f"{where}, article"
        article = save_valid(
            Article(
                consultation=consultation,
                position=require(a, "position", int, a_where),
                heading=require(a, "heading", str, a_where, blank=False),
                text=require(a, "text", str, a_where),
            ),
            a_where,
        )
        articles[article.position] = article
    for a in require(entry, "answers", list, where):
        _restore_answer(ctx, a, consultation, ref, articles, where)


def _article(articles: dict[int, Article], rank, where: str) -> Article:
    if isinstance(rank, bool) or not isinstance(rank, int) or rank not in articles:
        raise DataError(f"{where}, champ « article » : article de rang « {rank} » absent de la consultation.")
    return articles[rank]


def _restore_answer(
    ctx, entry, consultation: Consultation, ref, articles: dict[int, Article], where: str
) -> None:
    organization = ctx.org(entry, "organization", f"{where}, réponse", null=False)
    where = ctx.where = f"{where}, réponse de « {organization.code} »"
    answer = save_valid(
        Answer(
            consultation=consultation,
            organization=organization,
            state=require(entry, "state", str, where),
            position=require(entry, "position", str, where),
            comments=require(entry, "comments", str, where),
            version=require(entry, "version", int, where),
            submitted_at=require(entry, "submitted_at", datetime.datetime, where, null=True),
            submitted_by=ctx.user(entry, "submitted_by", where),
            late=require(entry, "late", bool, where),
            updated_at=require(entry, "updated_at", datetime.datetime, where, null=True),
            updated_by=ctx.user(entry, "updated_by", where),
        ),
        where,
    )
    versions: dict[int, AnswerVersion] = {}
    for v in require(entry, "versions", list, where):
        v_where = ctx.where = f"{where}, version transmise"
        rows = []
        for row in require(v, "article_comments", list, v_where):
            rank = require(row, "article", int, f"{v_where}, commentaire par article", null=True)
            rows.append({**row, "article": None if rank is None else _article(articles, rank, v_where).pk})
        version = save_valid(
            AnswerVersion(
                answer=answer,
                number=require(v, "number", int, v_where),
                position=require(v, "position", str, v_where),
                comments=require(v, "comments", str, v_where),
                article_comments=rows,
                submitted_at=require(v, "submitted_at", datetime.datetime, v_where),
                submitted_by=ctx.user(v, "submitted_by", v_where),
                late=require(v, "late", bool, v_where),
            ),
            v_where,
        )
        versions[version.number] = version
        # For the sections after (an opinion citing answers): the version by its natural key.
        ctx.remember(
            "ciq-answer-version",
            {"consultation": ref, "organization": organization.code, "number": version.number},
            version,
        )
    for c in require(entry, "article_comments", list, where):
        c_where = ctx.where = f"{where}, commentaire par article"
        save_valid(
            ArticleComment(
                answer=answer,
                article=_article(articles, require(c, "article", int, c_where), c_where),
                text=require(c, "text", str, c_where, blank=False),
            ),
            c_where,
        )
    for a in require(entry, "attachments", list, where):
        _restore_file(ctx, a, f"{where}, pièce jointe", AnswerAttachment(answer=answer))
    consent = require(entry, "publication_consent", dict, where, null=True)
    if consent is not None:
        p_where = ctx.where = f"{where}, accord de publication"
        number = require(consent, "version", int, p_where)
        if number not in versions:
            raise DataError(
                f"{p_where}, champ « version » : version transmise {number} absente de la réponse."
            )
        save_valid(
            PublicationConsent(
                answer=answer,
                version=versions[number],
                agreed_on=require(consent, "agreed_on", datetime.date, p_where),
                agreed_by=require(consent, "agreed_by", str, p_where, blank=False),
                note=require(consent, "note", str, p_where),
                recorded_by=ctx.user(consent, "recorded_by", p_where),
                recorded_at=require(consent, "recorded_at", datetime.datetime, p_where),
                withdrawn_at=require(consent, "withdrawn_at", datetime.datetime, p_where, null=True),
            ),
            p_where,
        )


def _restore_file(ctx, entry, where: str, document) -> None:
    """A stored document as ``concerto.recommendations.backup`` restores its attachments."""
    name = require(entry, "original_name", str, where, blank=False)
    where = ctx.where = f"{where} « {name} »"
    content_type = require(entry, "content_type", str, where, blank=False)
    size = require(entry, "size", int, where)
    document.original_name = name
    document.content_type = content_type
    document.size = size
    document.uploaded_by = ctx.user(entry, "uploaded_by", where)
    document.uploaded_at = require(entry, "uploaded_at", datetime.datetime, where)
    stored_name = require(entry, "file", str, where, blank=False)
    try:
        validate_file_name(stored_name, allow_relative_path=True)
    except SuspiciousFileOperation as exc:
        raise DataError(f"{where}, champ « file » : nom de fichier refusé « {stored_name} ».") from exc
    storage = document.file.storage
    if require(entry, "content", str, where, null=True) is None:
        ctx.notes.append(f"{where} : sauvegardé sans contenu (fichier déjà absent lors de la sauvegarde).")
        # Still missing; never pointed at a file that happens to exist under that name.
        document.file.name = "" if storage.exists(stored_name) else stored_name
        save_valid(document, where, exclude=("file",))
        return
    content = backup.read_file(entry, where, size=size)
    if detect_content_type(io.BytesIO(content)) != content_type:
        raise DataError(f"{where} : le contenu n’est pas celui d’un document « {content_type} ».")
    if storage.exists(stored_name):
        with storage.open(stored_name, "rb") as handle:
            same = hashlib.sha256(handle.read()).digest() == hashlib.sha256(content).digest()
        if same:  # the file survived in the storage: keep it, under its name
            document.file.name = stored_name
            save_valid(document, where)
            return
    saved = storage.save(stored_name, ContentFile(content))
    ctx.written.append((storage, saved))
    document.file.name = saved
    save_valid(document, where)


backup.register(
    backup.Section(
        name="ciq",
        keys=KEYS,
        export=export,
        restore=restore,
        summary=summary,
        warnings=warnings,
    )
)
backup.register_key_part("consultation")
