"""What a process does once, before it serves, instead of on its first requests.

Django loads lazily: the URL configuration (and every view module it
imports), the reverse lookup tables of each language, the translation
catalogs, each template and the static files manifest are read on the
first request that needs them. In a gunicorn worker that first request
took about 0.8 s; and workers are replaced every few thousand requests
(deploy/gunicorn.conf.py). ``warm_up`` does that work up front: called by
``concerto.wsgi`` in gunicorn's master (``preload_app``), before it forks,
so that every worker, replacements included, starts with it done.

It never touches the database: a connection opened before the fork would
be shared by every worker.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt")


def project_templates() -> list[str]:
    """The names of Concerto's own templates (its apps' and the project's), sorted."""
    root = Path(settings.BASE_DIR) / "concerto"
    names = set()
    for directory in root.glob("**/templates"):
        for path in directory.rglob("*"):
            if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
                names.add(path.relative_to(directory).as_posix())
    return sorted(names)


def warm_up() -> dict[str, int]:
    """Load the URLs, catalogs, templates and static manifest; what was loaded, counted."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 - built once per language
    engine = engines["django"]
    templates = project_templates()
    for name in templates:
        # Compiled once and kept by the cached template loader (DEBUG off).
        engine.get_template(name)
    if hasattr(staticfiles_storage, "load_manifest"):
        staticfiles_storage.hashed_files  # noqa: B018 - reads the manifest
    loaded = {"languages": len(settings.LANGUAGES), "templates": len(templates)}
    logger.info("Warm-up done: %(languages)s languages, %(templates)s templates.", loaded)
    return loaded
