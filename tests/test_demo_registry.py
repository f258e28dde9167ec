"""The demonstration-data registry and ``load_demo``: labelled, idempotent, never in production."""

import io

import pytest
from django.core.management import CommandError, call_command

from concerto.core import demo
from concerto.core.demo import demo_title


@pytest.fixture
def isolated_registry(monkeypatch):
    monkeypatch.setattr(demo, "_loaders", {})
    return demo


def test_demo_title_is_marked_once():
    assert demo_title("Projet de règlement") == "Démonstration — Projet de règlement"
    assert demo_title(demo_title("Projet")) == "Démonstration — Projet"


def test_load_demo_refused_when_demo_data_is_off(settings, isolated_registry):
    settings.CONCERTO_DEMO_DATA = False
    calls = []
    isolated_registry.register_demo("x", lambda *, out: calls.append(1) or "rien")
    with pytest.raises(CommandError, match="CONCERTO_DEMO_DATA"):
        call_command("load_demo", stdout=io.StringIO())
    assert calls == []


@pytest.mark.django_db
def test_load_demo_runs_loaders_in_order(settings, isolated_registry):
    settings.CONCERTO_DEMO_DATA = True
    calls = []
    isolated_registry.register_demo("second", lambda *, out: calls.append("second") or "2", order=20)
    isolated_registry.register_demo("first", lambda *, out: calls.append("first") or "1", order=10)
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert calls == ["first", "second"]
    assert "Démonstration « first » : 1" in out.getvalue()


@pytest.mark.django_db
def test_load_demo_names_an_unknown_module(settings, isolated_registry):
    settings.CONCERTO_DEMO_DATA = True
    isolated_registry.register_demo("ciq", lambda *, out: "ok")
    with pytest.raises(CommandError, match="inconnu : pathway"):
        call_command("load_demo", "--only", "pathway", stdout=io.StringIO())
