"""Pseudonyms: computed by the order's stdlib script, keyed again by Concerto, never echoed."""

import ast
import hashlib
import hmac
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from concerto.pathway import ingest
from concerto.pathway.pseudonyms import PseudonymError, concerto_key, is_pseudonym, read_key, rekey
from concerto.pathway.static_scripts import pseudonymiser

SCRIPT = Path(pseudonymiser.__file__)
SHARED_KEY = b"cle-commune-des-ordres-participants-0123456789"
CONCERTO_KEY = b"cle-de-concerto-gardee-hors-de-la-base-0123456789"
MARKER = "cd" * 32


def test_rekey_is_hmac_sha256_of_the_pseudonym_with_concertos_key():
    # Known answer, computed once with `hmac.new(CONCERTO_KEY, MARKER.encode(), sha256).hexdigest()`.
    expected = hmac.new(CONCERTO_KEY, MARKER.encode("ascii"), hashlib.sha256).hexdigest()
    assert rekey(MARKER, CONCERTO_KEY) == expected
    assert is_pseudonym(rekey(MARKER, CONCERTO_KEY))
    assert rekey(MARKER, CONCERTO_KEY) != rekey(MARKER, CONCERTO_KEY[::-1])


def test_rekey_all_agrees_with_the_standard_hmac_for_every_key_length():
    from concerto.pathway.pseudonyms import rekey_all

    values = [MARKER, "0" * 64]
    for key in (CONCERTO_KEY, b"k" * 64, b"long" * 40):
        assert rekey_all(values, key) == [
            hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in values
        ]


@pytest.mark.parametrize("bad", [MARKER.upper(), MARKER[:-2], MARKER + "00", "", " " + MARKER[1:], None, 42])
def test_rekey_refuses_a_malformed_pseudonym_without_echoing_it(bad):
    with pytest.raises(PseudonymError) as info:
        rekey(bad, CONCERTO_KEY)
    assert "valeur non conforme" in str(info.value)
    if isinstance(bad, str) and bad:
        assert bad not in str(info.value)


def test_concertos_key_is_read_from_the_file_named_by_the_setting(settings, tmp_path):
    key_file = tmp_path / "pathway.key"
    key_file.write_bytes(CONCERTO_KEY + b"\n")
    settings.CONCERTO_PATHWAY_KEY_FILE = str(key_file)
    assert concerto_key() == CONCERTO_KEY


def test_a_destroyed_key_file_stops_ingest(settings, tmp_path):
    key_file = tmp_path / "pathway.key"
    key_file.write_bytes(CONCERTO_KEY)
    settings.CONCERTO_PATHWAY_KEY_FILE = str(key_file)
    concerto_key()
    key_file.unlink()
    with pytest.raises(ImproperlyConfigured, match="lecture impossible"):
        concerto_key()


def test_a_missing_setting_is_a_clear_error(settings):
    settings.CONCERTO_PATHWAY_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="CONCERTO_PATHWAY_KEY_FILE"):
        concerto_key()


def test_a_short_key_is_refused(tmp_path):
    key_file = tmp_path / "short.key"
    key_file.write_bytes(b"trop-courte")
    with pytest.raises(ImproperlyConfigured, match="32 octets"):
        read_key(key_file)


def test_the_setting_comes_from_the_environment(monkeypatch):
    from concerto.core.env import env_str

    monkeypatch.setenv("CONCERTO_PATHWAY_KEY_FILE", "/run/secrets/pathway")
    assert env_str("CONCERTO_PATHWAY_KEY_FILE", "") == "/run/secrets/pathway"


# --- The orders' script ----------------------------------------------------------------------------


def test_the_script_uses_only_the_standard_library():
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names)


def test_the_script_documents_itself_in_french():
    doc = ast.get_docstring(ast.parse(SCRIPT.read_text(encoding="utf-8")))
    for words in ("HMAC-SHA256", "clé", "Usage", "normalisée", "pseudonyme"):
        assert words in doc


def run_script(tmp_path, text: str, *columns, encoding="utf-8"):
    (tmp_path / "cle.txt").write_bytes(SHARED_KEY)
    (tmp_path / "entree.csv").write_bytes(text.encode(encoding))
    arguments = [sys.executable, str(SCRIPT), "--cle", str(tmp_path / "cle.txt")]
    for column in columns:
        arguments += ["--colonne", column]
    arguments += [str(tmp_path / "entree.csv"), str(tmp_path / "sortie.csv")]
    return subprocess.run(arguments, capture_output=True, text=True, check=False)


def test_the_script_replaces_identifier_columns_with_the_pseudonym(tmp_path):
    text = "nom;prenom;naissance;voie\nTremblay;Émilie;01/02/1990;diploma_equivalence\n"
    result = run_script(tmp_path, text, "nom", "prenom", "naissance", encoding="cp1252")
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "sortie.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "pseudonyme;voie"
    expected = hmac.new(SHARED_KEY, b"TREMBLAY|EMILIE|1990-02-01", hashlib.sha256).hexdigest()
    assert lines[1] == f"{expected};diploma_equivalence"
    assert "Tremblay" not in (tmp_path / "sortie.csv").read_text(encoding="utf-8")


def test_the_same_person_gets_the_same_pseudonym_in_two_orders_despite_spelling():
    first = pseudonymiser.pseudonym(["Tremblay", "Émilie", "1990-02-01"], SHARED_KEY)
    second = pseudonymiser.pseudonym(["  TREMBLAY ", "emilie", "01/02/1990"], SHARED_KEY)
    assert first == second
    assert is_pseudonym(first)


def test_the_script_refuses_an_empty_identifier_naming_line_and_column(tmp_path):
    text = "nom,voie\nTremblay,x\n,y\n"
    result = run_script(tmp_path, text, "nom")
    assert result.returncode == 1
    assert "ligne 3, colonne « nom » : identifiant vide" in result.stderr
    assert not (tmp_path / "sortie.csv").exists()


def test_the_script_refuses_a_missing_identifier_column(tmp_path):
    result = run_script(tmp_path, "voie\nx\n", "nom")
    assert result.returncode == 1
    assert "absente" in result.stderr


def test_the_script_refuses_a_short_key(tmp_path):
    (tmp_path / "cle.txt").write_bytes(b"courte")
    with pytest.raises(pseudonymiser.Refused, match="32 octets"):
        pseudonymiser.read_key(str(tmp_path / "cle.txt"))


def test_the_scripts_output_is_accepted_by_ingest(tmp_path):
    header = "nom,ordre,profession,pays_formation,voie,date_reception"
    text = f"{header}\nTremblay,ordre-des-chimistes-du-quebec,chimiste,MA,diploma_equivalence,2024-01-10\n"
    assert run_script(tmp_path, text, "nom").returncode == 0
    submission = ingest.read_submission(tmp_path / "sortie.csv", key=CONCERTO_KEY)
    order_pseudonym = pseudonymiser.pseudonym(["Tremblay"], SHARED_KEY)
    assert submission.frame.get_column("pseudonyme").to_list() == [rekey(order_pseudonym, CONCERTO_KEY)]
