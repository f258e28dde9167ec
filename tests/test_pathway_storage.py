"""Storing a submission: all or nothing, replacing the previous one, synthetic apart, no pseudonym echoed."""

import datetime
import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from concerto.organizations.models import Organization
from concerto.pathway.ingest import read_submission
from concerto.pathway.models import Application, Submission
from concerto.pathway.pseudonyms import rekey
from concerto.pathway.storage import file_sha256, store_submission, stored_frame
from concerto.pathway.synthetic import AS_OF, generate, write_csv
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

KEY = b"cle-de-concerto-gardee-hors-de-la-base-0123456789"
CODE = "ordre-des-chimistes-du-quebec"
MARKER = "ef" * 32
HEADER = "pseudonyme,ordre,profession,pays_formation,voie,date_reception,date_decision,decision"


@pytest.fixture
def order():
    return OrganizationFactory(code=CODE, kind=Organization.Kind.PROFESSIONAL_ORDER)


@pytest.fixture
def key_file(settings, tmp_path):
    path = tmp_path / "pathway.key"
    path.write_bytes(KEY)
    settings.CONCERTO_PATHWAY_KEY_FILE = str(path)
    return path


def real_file(tmp_path, *lines, name="depot.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def line(pseudonym=MARKER, decision="full_recognition"):
    return f"{pseudonym},{CODE},chimiste,FR,diploma_equivalence,2024-01-10,2024-04-01,{decision}"


def test_an_accepted_file_is_stored_with_rekeyed_pseudonyms(order, tmp_path):
    path = real_file(tmp_path, line(), line("01" * 32, "refusal"))
    accepted = read_submission(path, key=KEY, order=CODE, today=AS_OF)
    submission = store_submission(
        accepted=accepted, order=order, period="2024-2025", sha256=file_sha256(path)
    )
    rows = list(Application.objects.filter(submission=submission).order_by("line"))
    assert [r.line for r in rows] == [2, 3]
    assert rows[0].pseudonym == rekey(MARKER, KEY)
    assert rows[0].decided_on == datetime.date(2024, 4, 1)
    assert rows[1].decision == "refusal"
    assert rows[0].permit_on is None and rows[0].bridging_training is None
    assert submission.row_count == 2 and not submission.synthetic
    assert submission.quality["duplicates"] == 0
    assert not Application.objects.filter(pseudonym=MARKER).exists()


def test_a_new_file_for_the_same_order_and_period_replaces_the_previous_one(order, tmp_path):
    first = read_submission(real_file(tmp_path, line(), line("01" * 32)), key=KEY, today=AS_OF)
    store_submission(accepted=first, order=order, period="2024-2025", sha256="a" * 64)
    second = read_submission(real_file(tmp_path, line("02" * 32), name="v2.csv"), key=KEY, today=AS_OF)
    store_submission(accepted=second, order=order, period="2024-2025", sha256="b" * 64)
    assert Submission.objects.get().file_sha256 == "b" * 64
    assert Application.objects.count() == 1


def test_another_period_is_kept_beside(order, tmp_path):
    accepted = read_submission(real_file(tmp_path, line()), key=KEY, today=AS_OF)
    store_submission(accepted=accepted, order=order, period="2023-2024", sha256="a" * 64)
    store_submission(accepted=accepted, order=order, period="2024-2025", sha256="a" * 64)
    assert Application.objects.count() == 2


def test_a_synthetic_file_never_replaces_a_real_submission(order, tmp_path):
    real = read_submission(real_file(tmp_path, line()), key=KEY, today=AS_OF)
    store_submission(accepted=real, order=order, period="2024-2025", sha256="a" * 64)
    path = tmp_path / "depot-synthetique.csv"
    write_csv(path, generate(order=CODE, applications=20, seed=1))
    synthetic = read_submission(path, key=KEY, today=AS_OF)
    store_submission(accepted=synthetic, order=order, period="2024-2025", sha256="b" * 64)
    assert sorted(Submission.objects.values_list("synthetic", "row_count")) == [(False, 1), (True, 20)]


def test_a_failure_while_storing_keeps_the_previous_submission(order, tmp_path, monkeypatch):
    from concerto.pathway import storage

    accepted = read_submission(real_file(tmp_path, line()), key=KEY, today=AS_OF)
    store_submission(accepted=accepted, order=order, period="2024-2025", sha256="a" * 64)

    def broken(frame):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(storage, "_insert_rows", broken)
    monkeypatch.setattr(storage, "_copy_postgresql", broken)
    with pytest.raises(RuntimeError):
        store_submission(accepted=accepted, order=order, period="2024-2025", sha256="b" * 64)
    assert Submission.objects.get().file_sha256 == "a" * 64
    assert Application.objects.count() == 1


def test_a_stored_submission_reads_back_for_the_estimators(order, tmp_path):
    path = tmp_path / "depot-synthetique.csv"
    write_csv(path, generate(order=CODE, applications=200, seed=5))
    accepted = read_submission(path, key=KEY, today=AS_OF)
    submission = store_submission(accepted=accepted, order=order, period="2024-2025", sha256="a" * 64)
    frame = stored_frame(submission)
    assert frame.height == 200
    assert (
        frame.get_column("date_reception").to_list() == accepted.frame.get_column("date_reception").to_list()
    )
    assert frame.get_column("pseudonyme").to_list() == accepted.frame.get_column("pseudonyme").to_list()
    assert frame.get_column("decision").to_list() == accepted.frame.get_column("decision").cast(str).to_list()


# --- The command ------------------------------------------------------------------------------------


def test_import_command_stores_the_file(order, key_file, tmp_path):
    out = StringIO()
    call_command(
        "pathway_import", str(real_file(tmp_path, line())), order=CODE, period="2024-2025", stdout=out
    )
    assert "1 demande(s) valide(s)" in out.getvalue()
    assert Application.objects.count() == 1


def test_import_command_dry_run_stores_nothing(order, key_file, tmp_path):
    out = StringIO()
    call_command(
        "pathway_import", str(real_file(tmp_path, line())), "--dry-run", order=CODE, period="p", stdout=out
    )
    assert "Validation seulement" in out.getvalue()
    assert not Submission.objects.exists()


def test_import_command_refuses_a_bad_file_without_echoing_the_pseudonym(order, key_file, tmp_path, caplog):
    bad = real_file(tmp_path, line(), line(MARKER.upper(), "nope"))
    err = StringIO()
    with caplog.at_level(logging.DEBUG), pytest.raises(CommandError, match="rien n’a été enregistré") as info:
        call_command("pathway_import", str(bad), order=CODE, period="p", stderr=err, stdout=StringIO())
    assert "ligne 3, colonne « pseudonyme » : valeur non conforme" in err.getvalue()
    assert "ligne 3, colonne « decision »" in err.getvalue()
    for text in (err.getvalue(), str(info.value), caplog.text):
        assert MARKER not in text and MARKER.upper() not in text
    assert not Submission.objects.exists()


def test_import_command_refuses_a_synthetic_file_unless_asked(order, key_file, tmp_path):
    path = tmp_path / "depot-synthetique.csv"
    write_csv(path, generate(order=CODE, applications=5, seed=1))
    with pytest.raises(CommandError):
        call_command("pathway_import", str(path), order=CODE, period="p", stderr=StringIO())
    out = StringIO()
    call_command("pathway_import", str(path), "--synthetic", order=CODE, period="p", stdout=out)
    assert "données synthétiques" in out.getvalue()
    assert Submission.objects.get().synthetic


def test_import_command_refuses_an_unknown_order(key_file, tmp_path):
    with pytest.raises(CommandError, match="introuvable"):
        call_command("pathway_import", str(real_file(tmp_path, line())), order="ordre-inconnu", period="p")


def test_import_command_needs_concertos_key(order, settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.CONCERTO_PATHWAY_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured):
        call_command("pathway_import", str(real_file(tmp_path, line())), order=CODE, period="p")
