"""Labelled demonstration data: each app declares its loader, ``load_demo`` runs them all.

No real CIQ consultation, committee or admission-pathway submission is given
by our sources, so a newcomer would see empty screens. ``python manage.py
load_demo`` fills them with a demonstration set that says what it is:

- every demonstration object carries « Démonstration » in its title (use
  :func:`demo_title`) and is flagged (a boolean ``is_demo`` field, or the
  app's own marker such as synthetic submissions), and its pages show the
  banner ``core/_demo_banner.html``;
- a loader is idempotent: run twice, it changes nothing the second time (it
  looks its objects up by a stable key before creating them);
- it never runs in production: ``load_demo`` refuses unless
  ``CONCERTO_DEMO_DATA`` is on (default: on with ``DEBUG``, off otherwise).
  ``make run`` loads it; ``make load`` never does.

An app registers, from its ``AppConfig.ready()``::

    from concerto.core.demo import register_demo

    register_demo("ciq", load_ciq_demo, order=20)

    def load_ciq_demo(*, out) -> str:   # out: a callable writing one French line
        ...
        return "3 dossiers, 46 réponses"   # a short French summary

Loaders run in ``order`` (then name), each in its own transaction, with the
audit trail attributing their writes to « Données de démonstration ».
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

DEMO_MARK = "Démonstration"
"""The word every demonstration object's title carries."""


def demo_title(title: str) -> str:
    """``title`` marked as demonstration: « Démonstration — title » (never twice)."""
    if title.startswith(DEMO_MARK):
        return title
    return f"{DEMO_MARK} — {title}"


def demo_enabled() -> bool:
    """Whether this installation may hold demonstration data (``CONCERTO_DEMO_DATA``)."""
    return bool(getattr(settings, "CONCERTO_DEMO_DATA", False))


class DemoRefused(Exception):
    """Raised when demonstration data is asked for where it must not go."""

    def __init__(self):
        super().__init__(
            _(
                "Les données de démonstration sont désactivées sur cette installation "
                "(CONCERTO_DEMO_DATA=false, la valeur par défaut en production) : rien n’a été chargé."
            )
        )


@dataclass(frozen=True)
class DemoLoader:
    name: str
    load: Callable[..., str]
    order: int


_loaders: dict[str, DemoLoader] = {}


def register_demo(name: str, load: Callable[..., str], *, order: int = 50) -> None:
    """Have ``load_demo`` call ``load(out=…)``; registering a name again replaces it."""
    _loaders[name] = DemoLoader(name=name, load=load, order=order)


def registered_demos() -> list[DemoLoader]:
    return sorted(_loaders.values(), key=lambda loader: (loader.order, loader.name))
