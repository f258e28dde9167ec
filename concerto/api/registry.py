"""The registry of public API endpoints, from which ``/api/openapi.json`` and
the documentation page ``/api/`` are built.

Each app describes its own endpoints and schemas from its ``AppConfig.ready()``::

    from concerto.api.registry import Endpoint, Parameter, register_endpoint, register_schema

    register_schema("Opinion", {"type": "object", ...})          # JSON Schema 2020-12
    register_endpoint(Endpoint(
        path="/api/ciq/opinions", url_name="api-ciq-opinions", operation_id="listOpinions",
        tag=_("Avis du CIQ"), summary=_("Avis publiés"), description=_("…"),
        schema="OpinionList", errors=(400, 429),
        parameters=(Parameter("year", _("Année de publication"), {"type": "integer"}, example="2025"),),
    ))

The view itself is written with ``concerto.api.responses.api_view``, so that
every endpoint shares the JSON answers, the error format and the rate limit;
a test validates every registered endpoint's real response against its schema.
A schema refers to another with ``{"$ref": "#/components/schemas/Name"}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise

from .responses import ERROR_STATUSES

# name -> JSON Schema; path -> Endpoint.
_schemas: dict[str, dict] = {}
_endpoints: dict[str, Endpoint] = {}


@dataclass(frozen=True)
class Parameter:
    """A path or query parameter of an endpoint."""

    name: str
    description: str | Promise
    schema: dict = field(default_factory=lambda: {"type": "string"})
    location: str = "query"
    required: bool = False
    example: str = ""
    """A value that works on a real installation, shown on the documentation page."""


@dataclass(frozen=True)
class Endpoint:
    """One public GET endpoint answering JSON."""

    path: str
    """The OpenAPI path template, with its parameters in braces: ``/api/plans/{slug}/status``."""
    url_name: str
    operation_id: str
    tag: str | Promise
    summary: str | Promise
    description: str | Promise
    schema: str
    """The name of the registered schema of a successful (200) answer."""
    parameters: tuple[Parameter, ...] = ()
    errors: tuple[int, ...] = (429,)
    """The error statuses it may answer (among 400, 404, 429), each in the common error format."""
    order: int = 100

    def example_path(self, query: bool = True) -> str:
        """The path with each parameter's example filled in (query parameters too, if asked)."""
        path = self.path
        for parameter in self.parameters:
            if parameter.location == "path":
                path = path.replace("{" + parameter.name + "}", parameter.example)
        examples = [p for p in self.parameters if p.location == "query" and p.example]
        if query and examples:
            path += "?" + "&".join(f"{p.name}={p.example}" for p in examples)
        return path


def list_schema(schema_id: str, item: str) -> dict:
    """The schema of a public list: ``{"schema": schema_id, "count": n, "items": [<item>…]}``."""
    return {
        "type": "object",
        "required": ["schema", "count", "items"],
        "additionalProperties": False,
        "properties": {
            "schema": {"const": schema_id},
            "count": {"type": "integer", "minimum": 0},
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
        },
    }


def register_schema(name: str, schema: dict) -> None:
    """Add a named JSON Schema (Draft 2020-12) to the document's components."""
    if name in _schemas and _schemas[name] != schema:
        raise ValueError(f"API schema {name!r} is already registered with another definition.")
    _schemas[name] = schema


def register_endpoint(endpoint: Endpoint) -> None:
    """Add a public endpoint to the document and the documentation page."""
    known = _endpoints.get(endpoint.path)
    if known is not None and known != endpoint:
        raise ValueError(f"API path {endpoint.path!r} is already registered by another endpoint.")
    unknown = set(endpoint.errors) - set(ERROR_STATUSES)
    if unknown:
        raise ValueError(f"API path {endpoint.path!r}: no common error answer for {sorted(unknown)}.")
    _endpoints[endpoint.path] = endpoint


def endpoints() -> list[Endpoint]:
    return sorted(_endpoints.values(), key=lambda e: (e.order, e.path))


def schemas() -> dict[str, dict]:
    return dict(_schemas)
