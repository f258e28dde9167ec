"""Backup of the Office's recommendations linked to a plan, with their
answers and attached documents (see ``concerto.core.backup``).

The recommendations linked to the plan's measures or to its cases, and the
cases they name in turn (given to the cases section in ``ctx.scope``). A
recommendation is named by its number; a document is written whole with its
SHA-256, or without content when it was already missing from the storage.
On restore, a recommendation that exists already is kept as it is and linked
to the restored measures; the due date is computed again from the date of
receipt.
"""

import datetime
import hashlib
import io

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.utils import validate_file_name
from django.db.models import Prefetch, Q

from concerto.cases.models import Case
from concerto.core import backup
from concerto.core.backup import DataError, require, save_valid
from concerto.core.uploads import detect_content_type
from concerto.plans.backup import measure_refs, restored_measures
from concerto.plans.models import Measure

from .models import Answer, Attachment, Recommendation

# --- export -------------------------------------------------------------------


def _linked(plan) -> tuple[set[int], set[int]]:
    """(case ids, recommendation ids) linked to the plan's measures, and to each other."""
    cases = set(Case.objects.filter(measures__plan=plan).values_list("pk", flat=True))
    recommendations = set(
        Recommendation.objects.filter(Q(measures__plan=plan) | Q(cases__in=cases)).values_list(
            "pk", flat=True
        )
    )
    while True:
        more_cases = set(
            Case.objects.filter(recommendations__in=recommendations).values_list("pk", flat=True)
        )
        more_recommendations = set(
            Recommendation.objects.filter(cases__in=more_cases | cases).values_list("pk", flat=True)
        )
        if more_cases <= cases and more_recommendations <= recommendations:
            return cases, recommendations
        cases |= more_cases
        recommendations |= more_recommendations


def _attachment_entry(ctx, attachment: Attachment) -> dict:
    try:
        with attachment.file.open("rb") as handle:
            content = handle.read()
    except (OSError, ValueError):
        content = None  # the file is missing from the storage: said in the document
    return {
        "original_name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "uploaded_by": ctx.user(attachment.uploaded_by),
        "uploaded_at": backup.dt(attachment.uploaded_at),
        "file": attachment.file.name,
        **backup.file_entry(content),
    }


def _answer_entry(ctx, answer: Answer | None) -> dict | None:
    if answer is None:
        return None
    return {
        "kind": answer.kind,
        "text": answer.text,
        "answered_on": backup.d(answer.answered_on),
        "filed_by": ctx.user(answer.filed_by),
        "filed_at": backup.dt(answer.filed_at),
        "published": answer.published,
        "published_at": backup.dt(answer.published_at),
        "attachments": [_attachment_entry(ctx, a) for a in answer.attachments.all()],
    }


def export(ctx: backup.ExportContext) -> dict:
    case_ids, ids = _linked(ctx.plan)
    ctx.scope.setdefault("cases", set()).update(case_ids)
    attachments = Attachment.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")
    recommendations = (
        Recommendation.objects.filter(pk__in=ids)
        .select_related("owner", "addressee", "created_by", "answer__filed_by")
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("plan")),
            "cases",
            Prefetch("attachments", queryset=attachments),
            Prefetch("answer__attachments", queryset=attachments),
        )
        .order_by("number")
    )
    result = []
    for r in recommendations:
        ctx.remember("recommendation", r.pk, r.number)
        ctx.email_prefixes.add(f"recommendation:{r.pk}:")
        try:
            answer = r.answer
        except Answer.DoesNotExist:
            answer = None
        entry = {
            "number": r.number,
            "title": r.title,
            "text": r.text,
            "addressee": ctx.org(r.addressee),
            "state": r.state,
            "sent_on": backup.d(r.sent_on),
            "received_on": backup.d(r.received_on),
            "due_on": backup.d(r.due_on),
            "published": r.published,
            "published_at": backup.dt(r.published_at),
            "created_by": ctx.user(r.created_by),
            "created_at": backup.dt(r.created_at),
            "closed_at": backup.dt(r.closed_at),
            "measures": measure_refs(r.measures.all()),
            "cases": sorted(c.reference for c in r.cases.all()),
            "attachments": [_attachment_entry(ctx, a) for a in r.attachments.all()],
            "answer": _answer_entry(ctx, answer),
        }
        entry["owner"] = ctx.org(r.owner)
        result.append(entry)
    return {"recommendations": result}


def warnings(data: dict) -> list[str]:
    """The attached documents a document lists without their content, in French."""
    missing = []
    for r in data.get("recommendations", []):
        documents = list(r.get("attachments", []))
        if r.get("answer"):
            documents += r["answer"].get("attachments", [])
        for a in documents:
            if a.get("content") is None:
                missing.append(
                    f"recommandation {r.get('number')} : le document « {a.get('original_name')} » "
                    f"({a.get('file')}) est introuvable dans le stockage ; il est sauvegardé sans contenu."
                )
    return missing


# --- restoration --------------------------------------------------------------


def _restored_cases(ctx, entry, where: str) -> list[Case]:
    found = []
    for reference in require(entry, "cases", list, where):
        if not ctx.has("case", reference):
            raise DataError(
                f"{where}, champ « cases » : le cas « {reference} » n’est pas dans la sauvegarde."
            )
        found.append(ctx.get("case", reference))
    return found


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    for entry in require(data, "recommendations", list, "document"):
        _restore_recommendation(ctx, entry)


def _restore_recommendation(ctx, entry) -> None:
    number = require(entry, "number", str, "recommandation", blank=False)
    where = ctx.where = f"recommandation {number}"
    measures = restored_measures(ctx, entry, where)
    cases = _restored_cases(ctx, entry, where)
    existing = Recommendation.objects.filter(number=number).first()
    if existing is not None:
        existing.measures.add(*measures)
        existing.cases.add(*cases)
        ctx.remember("recommendation", number, existing)
        ctx.notes.append(
            f"{where} : déjà dans la base, conservée telle quelle et reliée aux mesures restaurées."
        )
        return
    recommendation = Recommendation(
        number=number,
        title=require(entry, "title", str, where, blank=False),
        text=require(entry, "text", str, where),
        addressee=ctx.org(entry, "addressee", where, null=False),
        state=require(entry, "state", str, where),
        sent_on=require(entry, "sent_on", datetime.date, where, null=True),
        received_on=require(entry, "received_on", datetime.date, where, null=True),
        published=require(entry, "published", bool, where),
        published_at=require(entry, "published_at", datetime.datetime, where, null=True),
        created_by=ctx.user(entry, "created_by", where),
        created_at=require(entry, "created_at", datetime.datetime, where),
        closed_at=require(entry, "closed_at", datetime.datetime, where, null=True),
    )
    recommendation.owner = ctx.owner(entry, where)
    # The due date is computed from the date of receipt, never read (save() does it too).
    recommendation.due_on = recommendation.compute_due_on()
    save_valid(recommendation, where)
    due_on = require(entry, "due_on", datetime.date, where, null=True)
    if recommendation.due_on != due_on:
        ctx.notes.append(
            f"{where} : échéance recalculée au {recommendation.due_on} (la sauvegarde indiquait {due_on}) "
            "selon le calendrier des jours fériés en vigueur."
        )
    recommendation.measures.set(measures)
    recommendation.cases.set(cases)
    ctx.remember("recommendation", number, recommendation)
    for a in require(entry, "attachments", list, where):
        _restore_attachment(ctx, a, f"{where}, document joint", recommendation=recommendation)
    answer_entry = require(entry, "answer", dict, where, null=True)
    if answer_entry is not None:
        a_where = ctx.where = f"{where}, réponse"
        answer = save_valid(
            Answer(
                recommendation=recommendation,
                kind=require(answer_entry, "kind", str, a_where),
                text=require(answer_entry, "text", str, a_where),
                answered_on=require(answer_entry, "answered_on", datetime.date, a_where),
                filed_by=ctx.user(answer_entry, "filed_by", a_where),
                filed_at=require(answer_entry, "filed_at", datetime.datetime, a_where),
                published=require(answer_entry, "published", bool, a_where),
                published_at=require(answer_entry, "published_at", datetime.datetime, a_where, null=True),
            ),
            a_where,
        )
        for a in require(answer_entry, "attachments", list, a_where):
            _restore_attachment(ctx, a, f"{a_where}, document joint", answer=answer)


def _restore_attachment(ctx, entry, where, *, recommendation=None, answer=None) -> None:
    name = require(entry, "original_name", str, where, blank=False)
    where = ctx.where = f"{where} « {name} »"
    content_type = require(entry, "content_type", str, where, blank=False)
    size = require(entry, "size", int, where)
    attachment = Attachment(
        recommendation=recommendation,
        answer=answer,
        original_name=name,
        content_type=content_type,
        size=size,
        uploaded_by=ctx.user(entry, "uploaded_by", where),
        uploaded_at=require(entry, "uploaded_at", datetime.datetime, where),
    )
    stored_name = require(entry, "file", str, where, blank=False)
    try:
        validate_file_name(stored_name, allow_relative_path=True)
    except SuspiciousFileOperation as exc:
        raise DataError(f"{where}, champ « file » : nom de fichier refusé « {stored_name} ».") from exc
    storage = attachment.file.storage
    if require(entry, "content", str, where, null=True) is None:
        ctx.notes.append(f"{where} : sauvegardé sans contenu (fichier déjà absent lors de la sauvegarde).")
        # Still missing, as when it was saved; never pointed at a file that
        # happens to exist under that name, whose content nothing vouches for.
        attachment.file.name = "" if storage.exists(stored_name) else stored_name
        save_valid(attachment, where, exclude=("file",))
        return
    content = backup.read_file(entry, where, size=size)
    if detect_content_type(io.BytesIO(content)) != content_type:
        raise DataError(f"{where} : le contenu n’est pas celui d’un document « {content_type} ».")
    if storage.exists(stored_name):
        with storage.open(stored_name, "rb") as handle:
            same = hashlib.sha256(handle.read()).digest() == hashlib.sha256(content).digest()
        if same:  # the file survived in the storage: keep it, under its name
            attachment.file.name = stored_name
            save_valid(attachment, where)
            return
    saved = storage.save(stored_name, ContentFile(content))
    ctx.written.append((storage, saved))
    attachment.file.name = saved
    save_valid(attachment, where)


backup.register(
    backup.Section(
        name="recommendations",
        keys=("recommendations",),
        export=export,
        restore=restore,
        summary=lambda data: [f"{len(data.get('recommendations', []))} recommandation(s)"],
        warnings=warnings,
    )
)
backup.register_key_part("recommendation")
