"""Content pages transcribed from our sources (``data/pages/*.md``), imported once.

Each file is a YAML header (``slug``, ``title``) between two ``---`` lines,
then the page's Markdown. A page is created as its first version; one that
exists already is left as it is: once imported, the page is the CIQ's
staff's, edited in Concerto with its history, and a new import never
overwrites their work.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from concerto.ciq.models import CIQ_CODE
from concerto.core.dataload import DataError
from concerto.organizations.models import Organization

from .models import Page
from .services import save_page


def read_page(path: Path) -> tuple[dict, str]:
    """The header and the Markdown body of ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise DataError(f"{path} : fichier illisible ({exc}).") from exc
    parts = text.split("---\n", 2)
    if len(parts) != 3 or parts[0].strip():
        raise DataError(f"{path} : l’en-tête YAML (entre deux lignes « --- ») manque.")
    try:
        header = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"{path} : en-tête YAML invalide ({exc}).") from exc
    for key in ("slug", "title"):
        if not isinstance(header.get(key), str) or not header[key].strip():
            raise DataError(f"{path} : le champ « {key} » de l’en-tête manque.")
    body = parts[2].strip()
    if not body:
        raise DataError(f"{path} : le texte de la page est vide.")
    return header, body


def import_pages(*, directory: Path) -> tuple[int, int]:
    """Create the pages of ``directory`` that do not exist yet: (created, left as they are). All or nothing."""
    ciq = Organization.objects.filter(code=CIQ_CODE).first()
    if ciq is None:
        raise DataError(f"Le CIQ ({CIQ_CODE}) est absent : importez d’abord les organisations.")
    files = sorted(Path(directory).glob("*.md"))
    if not files:
        raise DataError(f"{directory} : aucune page (*.md).")
    # The import acts as the installation itself: a superuser that is never saved.
    actor = get_user_model()(username="importation", is_superuser=True, is_active=True)
    created = kept = 0
    with transaction.atomic():
        for path in files:
            header, body = read_page(path)
            if Page.objects.filter(slug=header["slug"]).exists():
                kept += 1
                continue
            try:
                save_page(
                    owner=ciq,
                    slug=header["slug"],
                    title=header["title"],
                    body=body,
                    note="Transcrite de nos sources",
                    based_on=None,
                    user=actor,
                )
            except ValidationError as exc:
                raise DataError(f"{path} : {' '.join(exc.messages)}") from exc
            created += 1
    return created, kept
