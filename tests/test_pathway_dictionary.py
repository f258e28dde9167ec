"""The data dictionary: minimal, documented, published as a Table Schema and an Excel template."""

import json
import re

import pytest
from frictionless import Resource, Schema
from openpyxl import load_workbook

from concerto.pathway import dictionary as d
from concerto.pathway.synthetic import generate, write_csv
from concerto.pathway.template import DATA_SHEET, DICTIONARY_SHEET, VALUES_SHEET, write_template

FORBIDDEN = re.compile(r"nom|prenom|naissance|adresse|courriel|telephone|numero|commentaire|note|remarque")


def _schema() -> Schema:
    return Schema.from_descriptor(json.loads(d.SCHEMA_PATH.read_text(encoding="utf-8")))


def test_the_committed_schema_is_the_one_generated_from_the_dictionary():
    assert d.SCHEMA_PATH.read_text(encoding="utf-8") == d.schema_json(), (
        "run concerto.pathway.dictionary.write_schema() and commit the file"
    )


def test_the_schema_is_a_valid_frictionless_table_schema():
    schema = Schema.from_descriptor(json.loads(d.SCHEMA_PATH.read_text(encoding="utf-8")))
    assert [f.name for f in schema.fields] == list(d.COLUMNS)
    assert Schema.validate_descriptor(json.loads(d.schema_json())).valid


def test_a_synthetic_submission_is_valid_against_the_schema_for_frictionless(tmp_path):
    write_csv(
        tmp_path / "depot-synthetique.csv",
        generate(order="ordre-des-chimistes-du-quebec", applications=300, seed=4),
    )
    report = Resource(path="depot-synthetique.csv", basepath=str(tmp_path), schema=_schema()).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_a_bad_code_is_invalid_for_frictionless_too(tmp_path):
    rows = generate(order="ordre-des-chimistes-du-quebec", applications=3, seed=4)
    rows[1]["voie"] = "autre"
    write_csv(tmp_path / "depot.csv", rows)
    report = Resource(path="depot.csv", basepath=str(tmp_path), schema=_schema()).validate()
    assert report.flatten(["rowNumber", "fieldName", "type"]) == [[3, "voie", "constraint-error"]]


def test_every_field_says_in_french_what_it_is_and_which_question_it_serves():
    for f in d.FIELDS:
        assert f.title and f.description and f.question, f.name
        assert re.fullmatch(r"[a-z_]+", f.name), f.name


def test_no_field_identifies_a_person_or_holds_free_text():
    for f in d.FIELDS:
        assert not FORBIDDEN.search(f.name), f.name
        assert f.type in {d.STRING, d.DATE, d.BOOLEAN}
        if f.type == d.STRING:
            # Every text field is closed: a pattern, a list of codes or a list of allowed values.
            assert f.pattern or f.categories or f.allowed, f.name


def test_category_codes_are_stable_snake_case_with_french_labels():
    for f in d.FIELDS:
        for code, label in f.categories:
            assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", code), code
            assert label and label[0].isupper(), code


def test_the_issue_fields_are_all_there():
    expected = {
        "pseudonyme", "ordre", "profession", "pays_formation", "voie", "date_reception",
        "date_dossier_complet", "date_decision", "decision", "prescription_formation", "prescription_stage",
        "prescription_examen", "date_prescriptions_completees", "revision_demandee", "resultat_revision",
        "date_exigence_francais", "date_permis", "type_permis", "date_fermeture", "motif_fermeture",
    }  # fmt: skip
    assert expected <= set(d.COLUMNS)


def test_the_excel_template_has_the_header_the_documentation_and_drop_down_lists(tmp_path):
    path = tmp_path / "modele.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == [DATA_SHEET, DICTIONARY_SHEET, VALUES_SHEET]
    data = workbook[DATA_SHEET]
    assert [c.value for c in data[1]] == list(d.COLUMNS)
    assert data.max_row == 1
    documentation = workbook[DICTIONARY_SHEET]
    assert documentation.max_row == len(d.FIELDS) + 1
    voie = next(r for r in documentation.iter_rows(values_only=True) if r[0] == "voie")
    assert "diploma_equivalence : Équivalence de diplôme" in voie[6]
    formulas = {v.formula1 for v in data.data_validations.dataValidation}
    assert any(VALUES_SHEET in f for f in formulas)
    ranges = {str(v.sqref).split(":")[0] for v in data.data_validations.dataValidation}
    column = "E"  # voie, fifth column
    assert f"{column}2" in ranges
    values = workbook[VALUES_SHEET]
    headers = [c.value for c in values[1]]
    countries = [r[headers.index("pays_formation")] for r in values.iter_rows(min_row=2, values_only=True)]
    assert "CA" in countries and "FR" in countries


@pytest.mark.parametrize("column", d.CATEGORY_COLUMNS)
def test_every_category_column_has_a_drop_down_in_the_template(tmp_path, column):
    path = tmp_path / "modele.xlsx"
    write_template(path)
    data = load_workbook(path)[DATA_SHEET]
    letter = chr(ord("A") + d.COLUMNS.index(column))
    assert any(
        str(v.sqref).startswith(f"{letter}2:") and v.type == "list"
        for v in data.data_validations.dataValidation
    )


def test_label_gives_the_french_label_of_a_code():
    assert d.label("decision", "refusal") == "Refus"
    assert d.label("decision", None) == ""
