"""Backup of the people a document names (see ``concerto.core.backup``).

Written by username with their names and e-mail, never a password hash nor
their memberships. On restore, a person who exists already (same username)
is used as is; the others are created inactive and without a usable
password, for the administration to reactivate.
"""

from django.contrib.auth import get_user_model

from concerto.core import backup
from concerto.core.backup import require

FIELDS = ("first_name", "last_name", "email")


def export(ctx: backup.ExportContext) -> dict:
    # Written after the sections that name people.
    users = [ctx.users[username] for username in sorted(ctx.users)]
    return {
        "users": [
            {"username": user.get_username(), **{name: getattr(user, name) for name in FIELDS}}
            for user in users
        ]
    }


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    model = get_user_model()
    created = []
    for position, entry in enumerate(require(data, "users", list, "document"), 1):
        where = ctx.where = f"personne n° {position} de « users »"
        username = require(entry, "username", str, where, blank=False)
        where = ctx.where = f"personne « {username} »"
        user = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
        if user is None:
            user = model(
                **{model.USERNAME_FIELD: username},
                **backup.read_all(entry, FIELDS, str, where),
                is_active=False,
            )
            user.set_unusable_password()
            backup.save_valid(user, where)
            created.append(username)
        ctx.users[username] = user
    if created:
        ctx.notes.append(
            f"{len(created)} personne(s) créée(s), inactive(s) et sans mot de passe utilisable "
            f"(à réactiver par l’administration) : {', '.join(created)}."
        )


backup.register(backup.Section(name="accounts", keys=("users",), export=export, restore=restore))
