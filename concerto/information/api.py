"""JSON twins of the CIQ's public library and directory, described in the
OpenAPI document (``concerto.api.registry``). They serve what the public
pages show, whoever asks: published documents and opinions only."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.api.registry import Endpoint, Parameter, list_schema, register_endpoint, register_schema
from concerto.api.responses import ApiError, api_response, api_view
from concerto.api.views import choice_parameter, year_parameter
from concerto.organizations.models import Organization

from . import library
from .directory import orders

NULLABLE_STRING = {"type": ["string", "null"]}
URL = {"type": "string", "format": "uri"}

LIBRARY_ENTRY = {
    "type": "object",
    "required": [
        "kind",
        "kind_label",
        "title",
        "date",
        "summary",
        "url",
        "reference",
        "file",
        "demonstration",
    ],
    "additionalProperties": False,
    "properties": {
        "kind": {"enum": [value for value, _label in library.KIND_CHOICES]},
        "kind_label": {"type": "string"},
        "title": {"type": "string"},
        "date": {"type": ["string", "null"], "format": "date"},
        "summary": {"type": "string"},
        "url": URL,
        "reference": NULLABLE_STRING,
        "file": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["url", "content_type", "size"],
                    "additionalProperties": False,
                    "properties": {
                        "url": URL,
                        "content_type": {"type": "string"},
                        "size": {"type": "integer", "minimum": 0},
                    },
                },
            ]
        },
        "demonstration": {"type": "boolean"},
    },
}

ORDER = {
    "type": "object",
    "required": ["code", "name", "acronym", "order_number", "practice", "practice_label", "url"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "acronym": NULLABLE_STRING,
        "order_number": {"type": ["integer", "null"]},
        "practice": {"enum": [*Organization.Practice.values, None]},
        "practice_label": NULLABLE_STRING,
        "url": URL,
    },
}


@api_view
def documents(request):
    """What ``/ciq/documents/`` shows: published documents and opinions, the most recent first."""
    kind = choice_parameter(request, "kind", [value for value, _label in library.KIND_CHOICES]) or ""
    year = year_parameter(request, "year")
    query = request.GET.get("q", "")
    if len(query) > 200:
        raise ApiError.invalid(_("Paramètre « q » : 200 caractères au plus."))
    entries = library.load_entries(kind=kind, year=year, query=query)
    items = [
        {
            "kind": e.kind,
            "kind_label": e.kind_label,
            "title": e.title,
            "date": e.date.isoformat() if e.date else None,
            "summary": e.summary,
            "url": request.build_absolute_uri(e.url),
            "reference": e.reference or None,
            "file": {
                "url": request.build_absolute_uri(e.file_url),
                "content_type": e.content_type,
                "size": e.file_size,
            }
            if e.file_url
            else None,
            "demonstration": e.is_demo,
        }
        for e in entries
    ]
    return api_response({"schema": "concerto.ciq-documents/1", "count": len(items), "items": items})


@api_view
def order_directory(request):
    """What ``/ciq/ordres/`` shows: the professional orders of our data."""
    items = [
        {
            "code": o.code,
            "name": o.name,
            "acronym": o.acronym or None,
            "order_number": o.order_number,
            "practice": o.practice or None,
            "practice_label": o.get_practice_display() if o.practice else None,
            "url": request.build_absolute_uri(reverse("information-order", args=[o.code])),
        }
        for o in orders()
    ]
    return api_response({"schema": "concerto.ciq-orders/1", "count": len(items), "items": items})


def register() -> None:
    register_schema("CiqLibraryEntry", LIBRARY_ENTRY)
    register_schema("CiqLibrary", list_schema("concerto.ciq-documents/1", "CiqLibraryEntry"))
    register_schema("CiqOrder", ORDER)
    register_schema("CiqOrderList", list_schema("concerto.ciq-orders/1", "CiqOrder"))
    register_endpoint(
        Endpoint(
            path="/api/ciq/documents",
            url_name="api-ciq-documents",
            operation_id="listCiqDocuments",
            tag=gettext_lazy("Information du CIQ"),
            summary=gettext_lazy("Documents et études du CIQ"),
            description=gettext_lazy(
                "Les documents publiés par le Conseil interprofessionnel du Québec (études, guides, fiches "
                "d’information, rapports annuels, communiqués) et ses avis publiés, les plus récents "
                "d’abord. Jamais les brouillons."
            ),
            schema="CiqLibrary",
            parameters=(
                Parameter(
                    "kind",
                    gettext_lazy("Nature du document (« opinion » pour les avis)."),
                    {"enum": [value for value, _label in library.KIND_CHOICES]},
                    example="study",
                ),
                Parameter(
                    "year",
                    gettext_lazy("Année du document (quatre chiffres)."),
                    {"type": "string", "pattern": "^[0-9]{4}$"},
                ),
                Parameter("q", gettext_lazy("Mots recherchés (accents et majuscules ignorés).")),
            ),
            errors=(400, 429),
            order=60,
        )
    )
    register_endpoint(
        Endpoint(
            path="/api/ciq/orders",
            url_name="api-ciq-orders",
            operation_id="listCiqOrders",
            tag=gettext_lazy("Information du CIQ"),
            summary=gettext_lazy("Répertoire des ordres professionnels"),
            description=gettext_lazy(
                "Les ordres professionnels de nos données : nom, sigle, numéro et type d’exercice, tels "
                "que transcrits de nos sources (vide quand elles ne le disent pas)."
            ),
            schema="CiqOrderList",
            errors=(429,),
            order=61,
        )
    )
