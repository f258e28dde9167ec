"""The English interface is complete and its compiled catalogue is up to date."""

import shutil
import subprocess
from pathlib import Path

import pytest

from .support.translations import entries as _entries

ROOT = Path(__file__).resolve().parent.parent / "concerto"
CATALOGUES = sorted(ROOT.glob("**/locale/en/LC_MESSAGES/django.po"))


def test_the_project_and_app_catalogues_are_found():
    assert ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_interface_string_has_an_english_translation(catalogue):
    text = catalogue.read_text(encoding="utf-8")
    missing = []
    for values, fuzzy in _entries(text):
        if not values.get("msgid"):
            continue  # the header
        translated = [v for k, v in values.items() if k.startswith("msgstr")]
        if fuzzy or not all(translated):
            missing.append(values["msgid"])
    assert missing == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed")
@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_the_po_file(tmp_path, catalogue):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(catalogue)], check=True)
    assert compiled.read_bytes() == catalogue.with_suffix(".mo").read_bytes(), (
        "django.mo is stale: run `python manage.py compilemessages`"
    )
