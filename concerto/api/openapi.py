"""The OpenAPI 3.1 document of the public API, built from the registry.

Its schemas are JSON Schema Draft 2020-12 (OpenAPI 3.1's own dialect), so a
client, or our tests, can validate an answer with any JSON Schema validator.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import registry
from .responses import ERROR_STATUSES, Code

VERSION = "1.0.0"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "error"],
    "additionalProperties": False,
    "properties": {
        "code": {"enum": list(Code.ALL), "description": "Stable error code."},
        "error": {"type": "string", "description": "Message for people (French by default)."},
    },
}


def _error_responses() -> dict:
    responses = {}
    for status, (name, description) in ERROR_STATUSES.items():
        response = {
            "description": str(description),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if status == 429:
            response["headers"] = {
                "Retry-After": {
                    "description": _("Secondes avant la prochaine fenêtre de comptage."),
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        responses[name] = response
    return responses


def _parameter(parameter: registry.Parameter) -> dict:
    data = {
        "name": parameter.name,
        "in": parameter.location,
        "required": parameter.location == "path" or parameter.required,
        "description": str(parameter.description),
        "schema": parameter.schema,
    }
    if parameter.example:
        data["example"] = parameter.example
    return data


def _operation(endpoint: registry.Endpoint) -> dict:
    responses = {
        "200": {
            "description": _("Le document demandé."),
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{endpoint.schema}"}}},
        }
    }
    for status in sorted(endpoint.errors):
        responses[str(status)] = {"$ref": f"#/components/responses/{ERROR_STATUSES[status][0]}"}
    operation = {
        "operationId": endpoint.operation_id,
        "tags": [str(endpoint.tag)],
        "summary": str(endpoint.summary),
        "description": str(endpoint.description),
        "responses": responses,
    }
    if endpoint.parameters:
        operation["parameters"] = [_parameter(p) for p in endpoint.parameters]
    return operation


def openapi_document(server_url: str) -> dict:
    """The whole document, in the active language, for a site served at ``server_url``."""
    tags = []
    for endpoint in registry.endpoints():
        if str(endpoint.tag) not in tags:
            tags.append(str(endpoint.tag))
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": _("Concerto — données ouvertes"),
            "version": VERSION,
            "description": _(
                "Les listes publiques de Concerto en JSON : état d’avancement des plans d’action, "
                "registre des recommandations de l’Office, résumés publiés de la cellule "
                "d’intervention, organisations. Seul ce qui est public est servi, quelle que soit "
                "la personne qui le demande. Chaque adresse est limitée en nombre de requêtes par "
                'minute ; une erreur répond toujours {"code": …, "error": …}.'
            ),
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "tags": [{"name": tag} for tag in tags],
        "paths": {endpoint.path: {"get": _operation(endpoint)} for endpoint in registry.endpoints()},
        "components": {
            "schemas": {"Error": ERROR_SCHEMA, **registry.schemas()},
            "responses": _error_responses(),
        },
    }
