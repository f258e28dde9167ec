"""The JSON twin of the public list of sessions, in the OpenAPI registry (``concerto.api.registry``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from concerto.api.registry import Endpoint, Parameter, list_schema, register_endpoint, register_schema

from .models import Activity

NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": "string", "format": "date-time"}

SESSION = {
    "type": "object",
    "required": [
        "id",
        "title",
        "kind",
        "kind_label",
        "starts_at",
        "ends_at",
        "place",
        "online",
        "capacity",
        "seats_left",
        "waiting_list",
        "registration_deadline",
        "hours",
        "demonstration",
        "url",
    ],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "kind": {"enum": list(Activity.Kind.values)},
        "kind_label": {"type": "string"},
        "starts_at": DATETIME,
        "ends_at": DATETIME,
        "place": NULLABLE_STRING,
        "online": {"type": "boolean"},
        "capacity": {"type": "integer", "minimum": 1},
        "seats_left": {"type": "integer", "minimum": 0},
        "waiting_list": {"type": "integer", "minimum": 0},
        "registration_deadline": DATETIME,
        "hours": {"type": ["number", "null"]},
        "demonstration": {"type": "boolean"},
        "url": {"type": "string", "format": "uri"},
    },
}

SESSION_LIST = list_schema("concerto.ciq.activity-sessions/1", "ActivitySession")


def register() -> None:
    register_schema("ActivitySession", SESSION)
    register_schema("ActivitySessionList", SESSION_LIST)
    register_endpoint(
        Endpoint(
            path="/api/ciq/activities",
            url_name="api-ciq-activities",
            operation_id="listActivitySessions",
            tag=_("Activités du CIQ"),
            summary=_("Séances à venir des activités publiques du CIQ"),
            description=_(
                "Les séances à venir des formations, webinaires, colloques et activités de réflexion "
                "publics du CIQ : date, lieu ou en ligne, places restantes, heures reconnues. Jamais "
                "les personnes inscrites."
            ),
            schema="ActivitySessionList",
            parameters=(
                Parameter(
                    "kind", _("Type d’activité."), {"enum": list(Activity.Kind.values)}, example="training"
                ),
            ),
            errors=(400, 429),
            order=60,
        )
    )
