"""Reading and validating an order's submission: every malformed kind is refused, all or nothing."""

import datetime
import hashlib
import hmac

import polars as pl
import pytest

from concerto.pathway import dictionary as d
from concerto.pathway.ingest import MAX_REPORTED, SubmissionRefused, read_submission
from concerto.pathway.template import write_template

KEY = b"concerto-test-key-of-at-least-32-bytes!"
ORDER = "ordre-des-ingenieurs-du-quebec"
TODAY = datetime.date(2025, 6, 30)
# A marker pseudonym: it must never appear in any message or report.
MARKER = "ab" * 32


def pseudo(n: int) -> str:
    return hashlib.sha256(f"personne-{n}".encode()).hexdigest()


def row(**values) -> dict:
    base = {
        "pseudonyme": pseudo(1),
        "ordre": ORDER,
        "profession": "ingenieur",
        "pays_formation": "FR",
        "voie": "diploma_equivalence",
        "date_reception": "2024-01-15",
        "date_dossier_complet": "2024-02-01",
        "date_decision": "2024-04-10",
        "decision": "partial_recognition",
        "prescription_formation": "oui",
        "prescription_stage": "non",
        "prescription_examen": "non",
        "date_prescriptions_completees": "",
        "revision_demandee": "",
        "resultat_revision": "",
        "date_exigence_francais": "2024-01-15",
        "date_permis": "",
        "type_permis": "",
        "date_fermeture": "",
        "motif_fermeture": "",
    }
    base.update(values)
    return base


def csv_text(rows, *, separator=",", columns=None) -> str:
    columns = columns or list(rows[0])
    lines = [separator.join(columns)]
    for r in rows:
        lines.append(separator.join(r.get(c, "") for c in columns))
    return "\n".join(lines) + "\n"


def write(tmp_path, text, *, encoding="utf-8", name="depot.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(path, **kwargs) -> SubmissionRefused:
    kwargs.setdefault("today", TODAY)
    with pytest.raises(SubmissionRefused) as info:
        read_submission(path, key=KEY, **kwargs)
    return info.value


def messages(exc: SubmissionRefused) -> str:
    return "\n".join(exc.report.messages())


# --- Accepted files --------------------------------------------------------------------------------


def test_a_valid_utf8_comma_file_is_accepted_with_typed_columns(tmp_path):
    path = write(tmp_path, csv_text([row(), row(pseudonyme=pseudo(2), decision="full_recognition")]))
    submission = read_submission(path, key=KEY, order=ORDER, today=TODAY)
    frame = submission.frame
    assert frame.height == 2
    assert frame.schema["date_reception"] == pl.Date
    assert frame.schema["prescription_formation"] == pl.Boolean
    assert frame.get_column("date_decision").to_list()[0] == datetime.date(2024, 4, 10)
    assert frame.get_column("ligne").to_list() == [2, 3]
    assert set(frame.columns) == {*d.COLUMNS, "ligne"}
    assert submission.synthetic is False


def test_pseudonyms_are_keyed_again_with_concertos_key(tmp_path):
    path = write(tmp_path, csv_text([row()]))
    frame = read_submission(path, key=KEY, today=TODAY).frame
    expected = hmac.new(KEY, pseudo(1).encode(), hashlib.sha256).hexdigest()
    assert frame.get_column("pseudonyme").to_list() == [expected]


def test_windows_1252_semicolon_file_with_french_dates_is_accepted(tmp_path):
    text = csv_text(
        [row(date_reception="15/01/2024", date_decision="10/04/2024", profession="ingenieur")], separator=";"
    )
    path = write(tmp_path, text, encoding="cp1252")
    submission = read_submission(path, key=KEY, today=TODAY)
    assert submission.separator == ";"
    assert submission.frame.get_column("date_reception").to_list() == [datetime.date(2024, 1, 15)]


def test_a_non_utf8_byte_is_read_as_windows_1252(tmp_path):
    # « é » in Windows-1252 is 0xE9, invalid alone in UTF-8; its value then shows in the report.
    path = write(tmp_path, csv_text([row(profession="génie")]), encoding="cp1252")
    exc = refused(path)
    assert "valeur « génie »" in messages(exc)


def test_utf8_with_bom_and_crlf_line_ends_is_accepted(tmp_path):
    text = csv_text([row()]).replace("\n", "\r\n")
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    submission = read_submission(path, key=KEY, today=TODAY)
    assert submission.encoding == "utf-8-sig"
    assert submission.frame.height == 1


def test_blank_lines_are_ignored_and_lines_keep_their_numbers(tmp_path):
    text = csv_text([row(), row(pseudonyme=pseudo(2))])
    lines = text.splitlines()
    text = "\n".join([lines[0], "", lines[1], " , ,", lines[2]]) + "\n\n"
    path = write(tmp_path, text)
    assert read_submission(path, key=KEY, today=TODAY).frame.get_column("ligne").to_list() == [3, 5]


def test_optional_columns_may_be_left_out(tmp_path):
    columns = list(d.REQUIRED_COLUMNS)
    path = write(tmp_path, csv_text([row()], columns=columns))
    frame = read_submission(path, key=KEY, today=TODAY).frame
    assert frame.get_column("date_permis").null_count() == 1


def test_surrounding_spaces_are_trimmed(tmp_path):
    path = write(tmp_path, csv_text([row(voie=" diploma_equivalence ", pays_formation=" FR")]))
    assert read_submission(path, key=KEY, today=TODAY).frame.get_column("voie").to_list() == [
        "diploma_equivalence"
    ]


def test_a_quoted_value_with_a_separator_or_a_decimal_comma_stays_whole(tmp_path):
    text = csv_text([row()]).replace(",ingenieur,", ',"ingenieur",')
    path = write(tmp_path, text)
    assert read_submission(path, key=KEY, today=TODAY).frame.height == 1
    bad = write(tmp_path, csv_text([row()]).replace(",ingenieur,", ',"12,5",'), name="b.csv")
    assert "valeur « 12,5 »" in messages(refused(bad))


def test_the_excel_template_filled_in_is_accepted(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "modele.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    sheet = workbook["Demandes"]
    values = row()
    sheet.append([values.get(c) or None for c in d.COLUMNS])
    sheet.cell(row=2, column=d.COLUMNS.index("date_reception") + 1, value=datetime.datetime(2024, 1, 15))
    workbook.save(path)
    submission = read_submission(path, key=KEY, today=TODAY)
    assert submission.file_format == "xlsx"
    assert submission.frame.get_column("date_reception").to_list() == [datetime.date(2024, 1, 15)]
    assert submission.frame.get_column("ligne").to_list() == [2]


def test_an_excel_file_with_a_bad_code_is_refused_naming_its_row(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "modele.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    workbook["Demandes"].append([row(voie="autre").get(c) or None for c in d.COLUMNS])
    workbook.save(path)
    assert "ligne 2, colonne « voie » : code inconnu" in messages(refused(path))


# --- Refused files: the header ---------------------------------------------------------------------


def test_a_column_outside_the_dictionary_is_refused_by_name(tmp_path):
    path = write(tmp_path, csv_text([row(nom="Tremblay")]))
    exc = refused(path)
    assert "colonne « nom » : colonne hors du dictionnaire de données" in messages(exc)
    assert "Tremblay" not in messages(exc)


def test_a_file_without_header_is_refused_without_repeating_its_first_line(tmp_path):
    text = csv_text([row(), row(pseudonyme=MARKER)]).split("\n", 1)[1]  # header line dropped
    exc = refused(write(tmp_path, text))
    assert messages(exc) == "ligne 1 : la première ligne n’est pas l’en-tête du dictionnaire de données."


def test_a_pseudonym_shifted_into_another_column_is_not_repeated(tmp_path):
    exc = refused(write(tmp_path, csv_text([row(pays_formation=MARKER.upper())])))
    assert messages(exc).startswith("ligne 2, colonne « pays_formation » : code de pays inconnu")
    assert MARKER.upper() not in messages(exc)


def test_a_missing_required_column_is_refused(tmp_path):
    values = row()
    del values["voie"]
    assert "colonne « voie » : colonne obligatoire absente" in messages(
        refused(write(tmp_path, csv_text([values])))
    )


def test_a_duplicate_column_is_refused(tmp_path):
    text = csv_text([row()], columns=[*row(), "voie"])
    assert "colonne « voie » : colonne en double" in messages(refused(write(tmp_path, text)))


def test_an_empty_file_is_refused(tmp_path):
    assert "vide" in messages(refused(write(tmp_path, "")))


def test_a_header_without_rows_is_refused(tmp_path):
    text = ",".join(d.COLUMNS) + "\n"
    assert "aucune demande" in messages(refused(write(tmp_path, text)))


def test_a_line_with_a_wrong_number_of_fields_is_refused_naming_it(tmp_path):
    text = csv_text([row(), row()])
    lines = text.splitlines()
    lines[2] += ",extra"
    exc = refused(write(tmp_path, "\n".join(lines) + "\n"))
    assert "ligne 3 : 21 champ(s) au lieu de 20" in messages(exc)


def test_a_short_line_is_refused_too(tmp_path):
    lines = csv_text([row()]).splitlines()
    lines[1] = lines[1].rsplit(",", 2)[0]
    assert "ligne 2 : 18 champ(s) au lieu de 20" in messages(refused(write(tmp_path, "\n".join(lines))))


def test_a_wrong_number_of_fields_is_found_in_a_file_with_quoted_values_too(tmp_path):
    lines = csv_text([row(), row()]).replace(",ingenieur,", ',"ingenieur",').splitlines()
    lines[1] = lines[1].replace('"ingenieur"', '"multi\nligne"')
    lines[2] += ",extra"
    exc = refused(write(tmp_path, "\n".join(lines) + "\n"))
    # The quoted value spans lines 2 and 3: the next record starts on line 4.
    assert messages(exc) == "ligne 4 : 21 champ(s) au lieu de 20."


def test_lines_after_a_multiline_quoted_value_keep_their_numbers(tmp_path):
    lines = csv_text([row(), row(voie="nope")]).replace(",ingenieur,", ',"ingenieur",').splitlines()
    lines[1] = lines[1].replace('"ingenieur"', '"inge\nnieur"')
    exc = refused(write(tmp_path, "\n".join(lines) + "\n"))
    assert "ligne 2, colonne « profession »" in messages(exc)
    assert "ligne 4, colonne « voie »" in messages(exc)


def test_an_undecodable_file_is_refused(tmp_path):
    path = tmp_path / "binaire.csv"
    path.write_bytes(b"pseudonyme,ordre\n\x81\x8d\x8f\x90\x9d\n")
    assert "encodage non reconnu" in messages(refused(path))


def test_another_workbook_kind_is_refused(tmp_path):
    path = write(tmp_path, "not really", name="depot.ods")
    assert "classeur non reconnu" in messages(refused(path))


# --- Refused files: values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [MARKER.upper(), MARKER[:-1], MARKER + "0", "Jean Tremblay 1970-01-01", MARKER[:-1] + "g"],
    ids=["uppercase", "63 chars", "65 chars", "clear identifier", "not hex"],
)
def test_a_malformed_pseudonym_is_refused_without_echoing_it(tmp_path, bad):
    exc = refused(write(tmp_path, csv_text([row(pseudonyme=bad)])))
    text = messages(exc)
    assert "ligne 2, colonne « pseudonyme » : valeur non conforme" in text
    assert bad not in text and bad not in str(exc.report.to_rows())
    assert exc.report.problems[0].value is None


def test_the_marker_pseudonym_never_appears_in_any_report(tmp_path):
    rows = [row(pseudonyme=MARKER, voie="bad", date_decision="2024-02-30")]
    exc = refused(write(tmp_path, csv_text(rows)))
    assert MARKER not in messages(exc)
    assert MARKER not in str(exc.report.to_rows())
    assert MARKER not in str(exc)


def test_a_missing_required_value_is_refused(tmp_path):
    exc = refused(write(tmp_path, csv_text([row(date_reception="")])))
    assert "ligne 2, colonne « date_reception » : valeur obligatoire manquante." in messages(exc)


def test_an_unknown_category_code_is_refused_with_the_allowed_codes(tmp_path):
    exc = refused(write(tmp_path, csv_text([row(decision="Refus")])))
    assert (
        "ligne 2, colonne « decision » : code inconnu (attendu : full_recognition, partial_recognition, "
        "refusal) (valeur « Refus »)."
    ) in messages(exc)


def test_an_unknown_country_code_is_refused(tmp_path):
    assert "code de pays inconnu" in messages(refused(write(tmp_path, csv_text([row(pays_formation="XX")]))))
    assert "code de pays inconnu" in messages(refused(write(tmp_path, csv_text([row(pays_formation="fr")]))))


def test_a_malformed_profession_code_is_refused(tmp_path):
    exc = refused(write(tmp_path, csv_text([row(profession="Ingénieur civil")])))
    assert "colonne « profession » : code mal formé" in messages(exc)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2024-02-30", "date impossible"),
        ("31/04/2024", "date impossible"),
        ("2023-02-29", "date impossible"),
        ("2024-2-3", "date mal formée"),
        ("15-01-2024", "date mal formée"),
        ("hier", "date mal formée"),
        ("1890-01-01", "date invraisemblable"),
        ("2030-01-01", "date future"),
    ],
)
def test_an_impossible_or_malformed_date_is_refused(tmp_path, value, reason):
    exc = refused(write(tmp_path, csv_text([row(date_dossier_complet=value)])))
    assert f"ligne 2, colonne « date_dossier_complet » : {reason}" in messages(exc)
    assert f"valeur « {value} »" in messages(exc)


def test_a_leap_day_is_a_real_date(tmp_path):
    path = write(tmp_path, csv_text([row(date_dossier_complet="29/02/2024")]))
    assert read_submission(path, key=KEY, today=TODAY).frame.height == 1


def test_a_bad_boolean_is_refused(tmp_path):
    exc = refused(write(tmp_path, csv_text([row(prescription_stage="peut-être")])))
    assert "colonne « prescription_stage » : oui ou non attendu" in messages(exc)


def test_a_row_of_another_order_is_refused(tmp_path):
    path = write(tmp_path, csv_text([row(ordre="ordre-des-chimistes-du-quebec")]))
    assert f"demande d’un autre ordre que « {ORDER} »" in messages(refused(path, order=ORDER))


def test_an_unknown_order_is_refused(tmp_path):
    path = write(tmp_path, csv_text([row()]))
    assert "ordre inconnu" in messages(refused(path, known_orders={"ordre-des-chimistes-du-quebec"}))


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"decision": ""}, "decision"),
        ({"date_decision": ""}, "date_decision"),
        ({"date_permis": "2024-06-01"}, "type_permis"),
        ({"type_permis": "regular"}, "date_permis"),
        ({"date_fermeture": "2024-06-01"}, "motif_fermeture"),
        ({"motif_fermeture": "withdrawn"}, "date_fermeture"),
        ({"resultat_revision": "maintained"}, "resultat_revision"),
    ],
)
def test_incomplete_pairs_of_fields_are_refused(tmp_path, values, column):
    exc = refused(write(tmp_path, csv_text([row(**values)])))
    assert f"ligne 2, colonne « {column} »" in messages(exc)


def test_all_or_nothing_one_bad_row_refuses_the_file(tmp_path):
    rows = [row(pseudonyme=pseudo(n)) for n in range(50)]
    rows[37]["voie"] = "nope"
    exc = refused(write(tmp_path, csv_text(rows)))
    assert exc.report.total == 1
    assert exc.report.problems[0].line == 39


def test_the_report_keeps_the_first_hundred_errors_and_the_total(tmp_path):
    rows = [row(pseudonyme=pseudo(n), voie="nope", decision="nope") for n in range(80)]
    exc = refused(write(tmp_path, csv_text(rows)))
    assert exc.report.total == 160
    assert len(exc.report.problems) == MAX_REPORTED
    assert [p.line for p in exc.report.problems[:4]] == [2, 2, 3, 3]
    assert exc.report.messages()[-1] == "… et 60 autre(s) erreur(s), 160 au total."
    assert exc.report.to_rows()[0] == ["ligne", "colonne", "valeur", "motif"]
    assert len(exc.report.to_rows()) == MAX_REPORTED + 1


def test_a_file_mixing_synthetic_and_real_rows_is_refused(tmp_path):
    rows = [row(donnees_synthetiques="oui"), row(pseudonyme=pseudo(2), donnees_synthetiques="non")]
    assert "mêler données synthétiques et réelles" in messages(refused(write(tmp_path, csv_text(rows))))


def test_a_synthetic_file_is_refused_where_real_data_is_expected(tmp_path):
    path = write(tmp_path, csv_text([row(donnees_synthetiques="oui")]))
    assert read_submission(path, key=KEY, today=TODAY).synthetic is True
    assert "synthétiques refusées" in messages(refused(path, allow_synthetic=False))


# --- Quality report --------------------------------------------------------------------------------


def test_quality_report_counts_completeness_sequences_and_duplicates(tmp_path):
    rows = [
        row(),
        row(pseudonyme=pseudo(2), date_decision="2023-12-01"),  # decision before the application
        row(
            pseudonyme=pseudo(3), decision="full_recognition", date_permis="2024-03-01", type_permis="regular"
        ),
        row(),  # duplicate of the first
    ]
    quality = read_submission(write(tmp_path, csv_text(rows)), key=KEY, today=TODAY).quality
    checks = {c.code: c for c in quality.sequences}
    assert checks["decision_before_received"].count == 1
    assert checks["decision_before_received"].lines == (3,)
    assert checks["decision_before_complete"].lines == (3,)
    assert checks["permit_before_decision"].lines == (4,)
    assert quality.duplicates == 1
    assert quality.duplicate_lines == (5,)
    assert quality.completeness["date_permis"] == 0.25
    assert quality.completeness["pseudonyme"] == 1.0
    assert quality.to_rows()[0][0] == "indicateur"
