"""Sections other apps add to the CIQ's public pages, without the CIQ app knowing them.

The CIQ's public home (``/ciq/``) shows its mission, then a section per app
that has something public to show: the latest published opinions, the
upcoming public activities, the groups. The page of an order in the CIQ's
directory (``/ciq/ordres/<code>/``) likewise lists, app by app, what is
public about that order (the groups it sits on, the published opinions it
took part in). Each app registers its sections from its ``AppConfig.ready()``:

    register_home_section("opinions", "opinions/_home_section.html", latest_for_home, order=10)
    register_organization_section("groups", "groups/_organization_section.html", for_organization, order=20)

Each app also adds its public entry to the CIQ's section navigation, shown on
every page that extends ``ciq/layout.html``:

    register_nav_link("opinions", _("Avis"), "opinion-library", order=10)

``context(request)`` (home) or ``context(request, organization)`` (an
order's page) returns the section's context dict, or None to leave the
section out. Each section's template receives it as ``section``. Only public
facts belong here: these pages are anonymous.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    context: Callable
    order: int


@dataclass(frozen=True)
class Rendered:
    name: str
    template: str
    section: dict


_HOME: dict[str, Section] = {}
_ORGANIZATION: dict[str, Section] = {}


def register_home_section(name: str, template: str, context: Callable, *, order: int = 100) -> None:
    """Add (or replace, by ``name``) a section of the CIQ's public home."""
    _HOME[name] = Section(name, template, context, order)


def register_organization_section(name: str, template: str, context: Callable, *, order: int = 100) -> None:
    """Add (or replace, by ``name``) a section of an order's page in the CIQ's directory."""
    _ORGANIZATION[name] = Section(name, template, context, order)


def _rendered(registry: dict[str, Section], *args) -> list[Rendered]:
    out = []
    for entry in sorted(registry.values(), key=lambda s: (s.order, s.name)):
        context = entry.context(*args)
        if context is not None:
            out.append(Rendered(entry.name, entry.template, context))
    return out


def home_sections(request) -> list[Rendered]:
    return _rendered(_HOME, request)


def organization_sections(request, organization) -> list[Rendered]:
    return _rendered(_ORGANIZATION, request, organization)


@dataclass(frozen=True)
class NavLink:
    name: str
    label: str
    url_name: str
    order: int


_NAV: dict[str, NavLink] = {}


def register_nav_link(name: str, label, url_name: str, *, order: int = 100) -> None:
    """Add (or replace, by ``name``) a public entry of the CIQ's section navigation."""
    _NAV[name] = NavLink(name, label, url_name, order)


def nav_links() -> list[NavLink]:
    return sorted(_NAV.values(), key=lambda link: (link.order, link.name))
