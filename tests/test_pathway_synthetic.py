"""Synthetic submissions: deterministic, realistic, marked, and accepted by ingest."""

import datetime

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from concerto.pathway import dictionary as d
from concerto.pathway.ingest import SubmissionRefused, read_submission
from concerto.pathway.survival import CENSORED, WITHDRAWAL, outcomes
from concerto.pathway.synthetic import AS_OF, generate

KEY = b"concerto-test-key-of-at-least-32-bytes!"
ORDER = "ordre-des-infirmieres-et-infirmiers-du-quebec"


@pytest.fixture(scope="module")
def sample():
    return pl.DataFrame(generate(order=ORDER, applications=4000, seed=7))


def test_the_same_seed_gives_the_same_rows():
    assert generate(order=ORDER, applications=200, seed=3) == generate(order=ORDER, applications=200, seed=3)
    assert generate(order=ORDER, applications=200, seed=3) != generate(order=ORDER, applications=200, seed=4)


def test_every_row_says_it_is_synthetic(sample):
    assert sample.get_column(d.SYNTHETIC_COLUMN).unique().to_list() == ["oui"]
    assert sample.columns == list(d.COLUMNS)


def test_decisions_follow_the_orders_of_magnitude(sample):
    decided = sample.filter(pl.col("decision") != "")
    shares = decided.get_column("decision").value_counts(normalize=True)
    share = dict(zip(shares.get_column("decision"), shares.get_column("proportion"), strict=True))
    assert share["full_recognition"] == pytest.approx(0.35, abs=0.03)  # about one third
    assert share["partial_recognition"] == pytest.approx(0.62, abs=0.03)
    assert share["refusal"] == pytest.approx(0.03, abs=0.015)


def test_assessment_takes_about_ninety_days(sample):
    decided = sample.filter(pl.col("date_decision") != "").select(
        (pl.col("date_decision").str.to_date() - pl.col("date_reception").str.to_date())
        .dt.total_days()
        .alias("days")
    )
    assert decided.get_column("days").mean() == pytest.approx(90, abs=10)


def test_some_people_are_still_in_the_pathway_and_some_withdrew(tmp_path):
    path = tmp_path / "depot-synthetique.csv"
    call_command("pathway_synthetic", order=ORDER, applications=3000, seed=2, output=path)
    submission = read_submission(path, key=KEY, order=ORDER, today=AS_OF)
    assert submission.synthetic
    result = outcomes(submission.frame, as_of=AS_OF)
    assert 0.05 < (result.events == CENSORED).mean() < 0.5
    assert 0.01 < (result.events == WITHDRAWAL).mean() < 0.15
    assert result.excluded == 0
    assert all(check.count == 0 for check in submission.quality.sequences)


def test_all_dates_are_before_the_reference_date(sample):
    for column in d.DATE_COLUMNS:
        dates = sample.filter(pl.col(column) != "").get_column(column).str.to_date()
        assert dates.max() is None or dates.max() <= AS_OF
        assert dates.min() is None or dates.min() >= datetime.date(2021, 1, 1)


def test_some_pseudonyms_appear_in_two_orders():
    first = {r["pseudonyme"] for r in generate(order=ORDER, applications=5000, seed=1)}
    second = {
        r["pseudonyme"] for r in generate(order="ordre-des-pharmaciens-du-quebec", applications=5000, seed=9)
    }
    assert 0 < len(first & second) < 100


def test_the_command_writes_utf8_comma_iso_dates(tmp_path, capsys):
    path = tmp_path / "oiiq.csv"
    call_command("pathway_synthetic", "--order", ORDER, "--applications", "5", "--seed", "1", "-o", str(path))
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(d.COLUMNS)
    assert len(text.splitlines()) == 6
    out = capsys.readouterr().out
    assert "Données synthétiques : 5 demande(s)" in out
    assert "synthetique" in out  # the advice to name the file so


def test_the_command_refuses_zero_applications(tmp_path):
    with pytest.raises(CommandError):
        call_command("pathway_synthetic", order=ORDER, applications=0, seed=1, output=tmp_path / "x.csv")


def test_a_synthetic_file_cannot_be_submitted_as_real(tmp_path):
    path = tmp_path / "depot-synthetique.csv"
    call_command("pathway_synthetic", order=ORDER, applications=10, seed=1, output=path)
    with pytest.raises(SubmissionRefused):
        read_submission(path, key=KEY, today=AS_OF, allow_synthetic=False)
