"""The groups' public list in the OpenAPI registry (``concerto.api.registry``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from concerto.api.registry import Endpoint, list_schema, register_endpoint, register_schema

from .models import Group, Membership

NULLABLE_STRING = {"type": ["string", "null"]}

GROUP_MEMBER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["organization", "affiliation", "role", "role_label"],
    "description": "Un membre actuel : l’ordre représenté (ou l’affiliation d’un expert externe) et son rôle ; jamais un nom ni une adresse.",
    "properties": {
        "organization": {
            "type": ["object", "null"],
            "required": ["code", "acronym", "name"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string"},
                "acronym": NULLABLE_STRING,
                "name": {"type": "string"},
            },
        },
        "affiliation": NULLABLE_STRING,
        "role": {"enum": list(Membership.Role.values)},
        "role_label": {"type": "string"},
    },
}

GROUP = {
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "kind", "kind_label", "name", "mandate", "started_on", "ended_on", "members", "url"],
    "properties": {
        "slug": {"type": "string"},
        "kind": {"enum": list(Group.Kind.values)},
        "kind_label": {"type": "string"},
        "name": {"type": "string"},
        "mandate": {"type": "string"},
        "started_on": {"type": "string", "format": "date"},
        "ended_on": {"type": ["string", "null"], "format": "date"},
        "members": {"type": "array", "items": {"$ref": "#/components/schemas/CiqGroupMember"}},
        "url": {"type": "string", "format": "uri"},
    },
}

GROUP_LIST = list_schema("concerto.ciq-groups/1", "CiqGroup")


def register() -> None:
    register_schema("CiqGroupMember", GROUP_MEMBER)
    register_schema("CiqGroup", GROUP)
    register_schema("CiqGroupList", GROUP_LIST)
    register_endpoint(
        Endpoint(
            path="/api/ciq/groups",
            url_name="api-ciq-groups",
            operation_id="listCiqGroups",
            tag=_("Groupes du CIQ"),
            summary=_("Comités, groupes de travail et forums du CIQ"),
            description=_(
                "Les groupes du CIQ : type, mandat, dates, et pour chaque membre actuel l’ordre qu’il "
                "représente (ou l’affiliation d’un expert externe) et son rôle. Jamais les noms, les "
                "adresses, les réunions ni les procès-verbaux."
            ),
            schema="CiqGroupList",
            errors=(429,),
            order=60,
        )
    )
