"""Concerto's own public endpoints and their schemas, registered at start-up."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from django.utils.translation import gettext_lazy as _

import concerto.plans
from concerto.organizations.models import Organization
from concerto.recommendations.models import Answer

from .registry import Endpoint, Parameter, list_schema, register_endpoint, register_schema
from .views import RECOMMENDATION_STATES

PLAN_STATUS_FILE = Path(concerto.plans.__file__).parent / "schemas" / "plan-status-1.schema.json"

NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
URL = {"type": "string", "format": "uri"}
ORGANIZATION_REF = {
    "type": "object",
    "required": ["code", "acronym", "name"],
    "additionalProperties": False,
    "properties": {"code": {"type": "string"}, "acronym": NULLABLE_STRING, "name": {"type": "string"}},
}


def plan_status_schemas() -> dict[str, dict]:
    """The export's own schema file (``concerto.plan-status/1``), with its
    ``$defs`` made components so that its references resolve inside the document."""
    schema = json.loads(PLAN_STATUS_FILE.read_text(encoding="utf-8"))
    definitions = schema.pop("$defs", {})
    schema.pop("$schema", None)
    schema.pop("$id", None)
    names = {name: "PlanStatus" + name[:1].upper() + name[1:] for name in definitions}

    def rewrite(node):
        if isinstance(node, dict):
            return {
                key: (
                    "#/components/schemas/" + names[value.removeprefix("#/$defs/")]
                    if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
                    else rewrite(value)
                )
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    result = {"PlanStatus": rewrite(schema)}
    result |= {names[name]: rewrite(copy.deepcopy(definition)) for name, definition in definitions.items()}
    return result


RECOMMENDATION = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "number",
        "title",
        "text",
        "addressee",
        "state",
        "state_label",
        "sent_on",
        "received_on",
        "due_on",
        "late",
        "answer",
        "measures",
        "cases",
        "url",
    ],
    "properties": {
        "number": {"type": "string"},
        "title": {"type": "string"},
        "text": {"type": "string"},
        "addressee": ORGANIZATION_REF,
        "state": {"enum": RECOMMENDATION_STATES},
        "state_label": {"type": "string"},
        "sent_on": NULLABLE_DATE,
        "received_on": NULLABLE_DATE,
        "due_on": NULLABLE_DATE,
        "late": {"type": "boolean"},
        "answer": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["kind", "kind_label", "answered_on", "on_time", "text"],
                    "properties": {
                        "kind": {"enum": list(Answer.Kind.values)},
                        "kind_label": {"type": "string"},
                        "answered_on": DATE,
                        "on_time": {"type": "boolean"},
                        "text": {"type": "string"},
                    },
                },
            ]
        },
        "measures": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["plan", "number", "title"],
                "properties": {
                    "plan": {"type": "string"},
                    "number": {"type": "integer"},
                    "title": {"type": "string"},
                },
            },
        },
        "cases": {"type": "array", "items": {"type": "string"}},
        "url": URL,
    },
}

CASE_SUMMARY = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "reference",
        "title",
        "orders",
        "state",
        "state_label",
        "percent",
        "published_on",
        "summary",
        "url",
    ],
    "properties": {
        "reference": {"type": "string"},
        "title": {"type": "string"},
        "orders": {"type": "array", "items": ORGANIZATION_REF},
        "state": {"type": "string"},
        "state_label": {"type": "string"},
        "percent": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
        "published_on": NULLABLE_DATE,
        "summary": {"type": "string", "description": "Markdown."},
        "url": URL,
    },
}

ORGANIZATION = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "code",
        "name",
        "acronym",
        "short_name",
        "kind",
        "kind_label",
        "order_number",
        "practice",
        "url",
    ],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "acronym": NULLABLE_STRING,
        "short_name": NULLABLE_STRING,
        "kind": {"enum": list(Organization.Kind.values)},
        "kind_label": {"type": "string"},
        "order_number": {"type": ["integer", "null"]},
        "practice": {"enum": [*Organization.Practice.values, None]},
        "url": URL,
    },
}


def register() -> None:
    for name, schema in plan_status_schemas().items():
        register_schema(name, schema)
    register_schema("Recommendation", RECOMMENDATION)
    register_schema("RecommendationList", list_schema("concerto.recommendations/1", "Recommendation"))
    register_schema("CaseSummary", CASE_SUMMARY)
    register_schema("CaseSummaryList", list_schema("concerto.case-summaries/1", "CaseSummary"))
    register_schema("Organization", ORGANIZATION)
    register_schema("OrganizationList", list_schema("concerto.organizations/1", "Organization"))

    register_endpoint(
        Endpoint(
            path="/api/plans/{slug}/status",
            url_name="api-plan-status",
            operation_id="getPlanStatus",
            tag=_("Plans d’action"),
            summary=_("État d’avancement d’un plan d’action"),
            description=_(
                "Les thèmes, mesures, indicateurs et l’état d’avancement de chaque mesure à une date "
                "de suivi, avec les contrôles de cohérence (format concerto.plan-status/1). Sans "
                "date, la plus récente."
            ),
            schema="PlanStatus",
            parameters=(
                Parameter(
                    "slug",
                    _("Identifiant du plan d’action."),
                    location="path",
                    example="pole-2019-2024",
                ),
                Parameter(
                    "as_of",
                    _("Date de suivi (« état au »), au format AAAA-MM-JJ."),
                    {"type": "string", "format": "date"},
                    example="2023-03-31",
                ),
            ),
            errors=(400, 404, 429),
            order=10,
        )
    )
    register_endpoint(
        Endpoint(
            path="/api/recommendations",
            url_name="api-recommendations",
            operation_id="listRecommendations",
            tag=_("Recommandations de l’Office"),
            summary=_("Registre des recommandations publiées"),
            description=_(
                "Les recommandations que l’Office a publiées, avec leur destinataire, leurs dates et "
                "leur réponse une fois celle-ci publiée. Les plus récentes d’abord."
            ),
            schema="RecommendationList",
            parameters=(
                Parameter("addressee", _("Code de l’organisation destinataire."), example=""),
                Parameter(
                    "state",
                    _("État de la recommandation."),
                    {"enum": RECOMMENDATION_STATES},
                ),
                Parameter(
                    "year",
                    _("Année de transmission (quatre chiffres)."),
                    {"type": "string", "pattern": "^[0-9]{4}$"},
                ),
            ),
            errors=(400, 429),
            order=20,
        )
    )
    register_endpoint(
        Endpoint(
            path="/api/cases",
            url_name="api-cases",
            operation_id="listCaseSummaries",
            tag=_("Cellule d’intervention"),
            summary=_("Résumés publiés de la cellule d’intervention"),
            description=_(
                "Le résumé public de chaque cas publié, ce que montre sa page publique : ordres "
                "concernés, état, avancement, date de publication. Jamais les comptes rendus ni les "
                "personnes."
            ),
            schema="CaseSummaryList",
            errors=(429,),
            order=30,
        )
    )
    register_endpoint(
        Endpoint(
            path="/api/organizations",
            url_name="api-organizations",
            operation_id="listOrganizations",
            tag=_("Organisations"),
            summary=_("Organisations"),
            description=_(
                "Les ministères, organismes, ordres professionnels et établissements de la liste "
                "publique, avec leur code stable (les organisations archivées n’y sont plus)."
            ),
            schema="OrganizationList",
            parameters=(
                Parameter(
                    "kind",
                    _("Type d’organisation."),
                    {"enum": list(Organization.Kind.values)},
                    example="professional_order",
                ),
            ),
            errors=(400, 429),
            order=40,
        )
    )
