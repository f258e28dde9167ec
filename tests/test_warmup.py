"""A process warms up before it serves (``concerto.core.warmup``), without the database."""

import pytest
from django.template import engines
from django.urls import get_resolver
from django.utils import translation

from concerto.core.staticfiles import StaticFilesStorage
from concerto.core.warmup import project_templates, warm_up


def _cached_names():
    loaders = engines["django"].engine.template_loaders
    return {key.split("-")[0] for loader in loaders for key in getattr(loader, "get_template_cache", {})}


def test_warm_up_compiles_every_template_of_concerto_without_the_database():
    """No ``db`` fixture: pytest-django refuses any database access here (made while
    compiling templates or building the URL lookups; the modules are already imported)."""
    engines["django"].engine.template_loaders[0].reset()
    loaded = warm_up()
    names = project_templates()
    assert loaded["templates"] == len(names) > 100
    assert {"base.html", "plans/measure_detail.html", "ciq/layout.html"} <= set(names)
    assert set(names) <= _cached_names()


def test_warm_up_builds_the_reverse_lookups_of_every_language():
    resolver = get_resolver()
    resolver._reverse_dict.clear()  # as in a process that has not served yet
    warm_up()
    for code in ("fr", "en"):
        with translation.override(code):
            assert code in resolver._reverse_dict


def test_the_static_url_of_a_file_is_worked_out_once(tmp_path, settings, monkeypatch):
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(
        '{"paths": {"concerto/a.css": "concerto/a.0123456789ab.css"}, "version": "1.1", "hash": "x"}'
    )
    storage = StaticFilesStorage(location=str(tmp_path), base_url="/static/")
    calls = []
    parent = StaticFilesStorage.__mro__[1].url
    monkeypatch.setattr(
        StaticFilesStorage.__mro__[1], "url", lambda self, *a: calls.append(a) or parent(self, *a)
    )
    assert storage.url("concerto/a.css") == "/static/concerto/a.0123456789ab.css"
    assert storage.url("concerto/a.css") == "/static/concerto/a.0123456789ab.css"
    assert len(calls) == 1
    with pytest.raises(ValueError, match="b.css"):
        storage.url("concerto/b.css")  # unknown to the manifest: said every time, never kept
    with pytest.raises(ValueError):
        storage.url("concerto/b.css")
