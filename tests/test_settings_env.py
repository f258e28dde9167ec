"""Settings read from the environment fail loudly on a bad value."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from concerto.core.env import env_bool, env_int, env_list, env_str


def test_env_bool_accepts_usual_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False


def test_env_bool_rejects_an_unknown_value(monkeypatch):
    monkeypatch.setenv("X_FLAG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_str_without_default_is_required(monkeypatch):
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED"):
        env_str("X_REQUIRED")


def test_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET", "from-env")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_str("X_SECRET") == "from-file"


def test_unreadable_secret_file_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
        env_str("X_SECRET")


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_env_int_rejects_text(monkeypatch):
    monkeypatch.setenv("X_INT", "douze")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)


def test_demo_coordinator_command_prints_working_credentials(db, django_user_model):
    import io
    import re

    from django.core.management import call_command

    out = io.StringIO()
    call_command("ensure_demo_coordinator", stdout=out)
    password = re.search(r"mot de passe « ([^»]+) »", out.getvalue()).group(1)
    user = django_user_model.objects.get(username="coordination")
    assert user.is_staff and user.check_password(password)
    call_command("ensure_demo_coordinator", stdout=io.StringIO())
    assert django_user_model.objects.filter(username="coordination").count() == 1
