# ruff: noqa: F811 - fixtures imported from tests.support.pathway are redefined as arguments
"""The order's side of the admission-pathway collection: the published dictionary, the
upload page and its background ingest, the error report, the order's own submissions."""

import csv
import io
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from concerto.jobs.models import Job
from concerto.pathway import dictionary as d
from concerto.pathway.models import Submission, Upload
from concerto.pathway.template import write_template
from tests.support.pathway import (  # noqa: F401 - fixtures
    MARKER,
    ORDER,
    agreement,
    ciq,
    csv_bytes,
    key_file,
    make_agreement,
    office,
    order,
    other_order,
    people,
    pseudo,
    row,
)

pytestmark = pytest.mark.usefixtures("media", "key_file", "agreement")

PERIOD = "2024-2025"
ROLES = ["other_submitter", "office_coordinator", "analyst", "privacy_officer", "ciq_coordinator"]


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def send(client, content: bytes, *, name="depot.csv", period=PERIOD, code=ORDER):
    return client.post(
        reverse("pathway-upload", args=[code]),
        {"period": period, "file": SimpleUploadedFile(name, content)},
    )


def last_upload() -> Upload:
    return Upload.objects.order_by("-pk").first()


def uploaded_files(media):
    folder = media / "pathway-uploads"
    return list(folder.iterdir()) if folder.exists() else []


# --- the published dictionary ----------------------------------------------------------------------


def test_dictionary_page_is_public_and_names_each_field_with_its_question(client, db):
    response = client.get(reverse("pathway-dictionary"))
    assert response.status_code == 200
    page = response.content.decode()
    for f in d.FIELDS:
        assert f"champ-{f.name}" in page
        assert f.question.replace("’", "&#x27;")[:30] in page or f.question[:30] in page
    for code, _label in d.DECISIONS:
        assert code in page
    assert "jamais remise à l’Office" in page


def test_schema_download_is_the_committed_table_schema(client, db):
    response = client.get(reverse("pathway-schema"))
    assert response.status_code == 200
    assert json.loads(response.content) == d.table_schema()
    assert "attachment" in response["Content-Disposition"]


def test_template_download_is_the_excel_template(client, db):
    response = client.get(reverse("pathway-template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "Demandes"
    assert [c.value for c in workbook["Demandes"][1]] == list(d.COLUMNS)


def test_pseudonymiser_download_is_the_stdlib_script(client, db):
    response = client.get(reverse("pathway-pseudonymiser"))
    assert response.status_code == 200
    assert b"hmac" in response.content and b"import django" not in response.content


@pytest.mark.parametrize("name", ["pathway-dictionary", "pathway-schema", "pathway-template"])
def test_public_pages_refuse_post(client, db, name):
    assert client.post(reverse(name)).status_code == 405


# --- who reaches the upload page ---------------------------------------------------------------------


def test_anonymous_person_is_sent_to_login_from_the_upload_page(client, order):
    response = client.get(reverse("pathway-upload", args=[ORDER]))
    assert (
        response.status_code == 302 and "connexion" in response["Location"] or "login" in response["Location"]
    )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_orders_submitter_reaches_its_upload_page(people, role):
    assert client_for(people[role]).get(reverse("pathway-upload", args=[ORDER])).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_nobody_else_can_upload_for_the_order(people, role):
    response = send(client_for(people[role]), csv_bytes([row()]))
    assert response.status_code == 403
    assert not Upload.objects.exists()


def test_submitter_reaches_the_upload_page(people):
    response = client_for(people["submitter"]).get(reverse("pathway-upload", args=[ORDER]))
    assert response.status_code == 200
    assert "n’est pas conservé" in response.content.decode()


def test_upload_page_refuses_put(people):
    assert client_for(people["submitter"]).put(reverse("pathway-upload", args=[ORDER])).status_code == 405


def test_without_an_agreement_in_force_the_collection_is_closed(people, agreement):
    agreement.delete()
    client = client_for(people["submitter"])
    assert (
        "La collecte n’est pas ouverte"
        in client.get(reverse("pathway-upload", args=[ORDER])).content.decode()
    )
    assert send(client, csv_bytes([row()])).status_code == 403
    assert not Upload.objects.exists()


# --- ingest through the page -------------------------------------------------------------------------


def test_a_valid_file_is_ingested_in_the_background_and_then_forgotten(people, media):
    response = send(client_for(people["submitter"]), csv_bytes([row(), row(pseudonyme=pseudo(2))]))
    upload = last_upload()
    assert response.status_code == 302 and response["Location"] == reverse(
        "pathway-upload-detail", args=[upload.pk]
    )
    assert upload.state == Upload.State.ACCEPTED and upload.progress == 100
    assert upload.submission.row_count == 2 and upload.submission.period == PERIOD
    assert upload.stored_name == "" and uploaded_files(media) == []
    job = Job.objects.get(subject=f"pathway.upload:{upload.pk}")
    assert job.state == Job.State.DONE and job.result["rows"] == 2


def test_upload_detail_refreshes_while_the_file_is_processed(people, order):
    upload = Upload.objects.create(order=order, period=PERIOD, original_name="depot.csv")
    client = client_for(people["submitter"])
    page = client.get(reverse("pathway-upload-detail", args=[upload.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "<progress" in page
    page = client.get(reverse("pathway-upload-detail", args=[upload.pk]) + "?actualiser=non").content.decode()
    assert 'http-equiv="refresh"' not in page


def test_finished_upload_detail_does_not_refresh(people):
    send(client_for(people["submitter"]), csv_bytes([row()]))
    page = client_for(people["submitter"]).get(reverse("pathway-upload-detail", args=[last_upload().pk]))
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert "Fichier accepté : 1 demande(s)" in page.content.decode()


def test_a_new_file_for_the_same_period_replaces_the_previous_one(people):
    client = client_for(people["submitter"])
    send(client, csv_bytes([row(), row(pseudonyme=pseudo(2))]))
    send(client, csv_bytes([row(pseudonyme=pseudo(3))]))
    kept = Submission.objects.get(order__code=ORDER, period=PERIOD)
    assert kept.row_count == 1
    assert Submission.objects.count() == 1


def test_a_refused_file_keeps_the_previous_submission(people):
    client = client_for(people["submitter"])
    send(client, csv_bytes([row()]))
    send(client, csv_bytes([row(voie="inconnue")]))
    assert last_upload().state == Upload.State.REFUSED
    assert Submission.objects.get().row_count == 1


def test_accepting_a_period_empties_the_values_of_its_earlier_error_reports(people):
    client = client_for(people["submitter"])
    send(client, csv_bytes([row(pays_formation="ZZ")]))
    refused = last_upload()
    assert refused.errors
    send(client, csv_bytes([row()]))
    refused.refresh_from_db()
    assert refused.errors == [] and refused.error_total == 1


def _refusal(people, content, name="depot.csv"):
    client = client_for(people["submitter"])
    send(client, content, name=name)
    upload = last_upload()
    assert upload.state == Upload.State.REFUSED, upload.message
    assert not Submission.objects.exists()
    return upload


def _reasons(upload) -> str:
    return "\n".join(f"{line} {column} {value} {reason}" for line, column, value, reason in upload.errors)


@pytest.mark.parametrize(
    "content,expected",
    [
        (csv_bytes([row()], columns=[*row(), "nom"]), "1 nom None colonne hors du dictionnaire"),
        (csv_bytes([row(pays_formation="ZZ")]), "2 pays_formation ZZ code de pays inconnu"),
        (csv_bytes([row(date_reception="2024-02-30")]), "2 date_reception 2024-02-30 date impossible"),
        (csv_bytes([row(date_reception="15.01.2024")]), "date mal formée"),
        (csv_bytes([row(date_decision="2024/04/10")]), "date mal formée"),
        (csv_bytes([row(prescription_formation="peut-être")]), "oui ou non attendu"),
        (csv_bytes([row(decision="acceptée")]), "code inconnu"),
        (csv_bytes([row(pseudonyme="1234")]), "2 pseudonyme None valeur non conforme"),
        (csv_bytes([row(pseudonyme=pseudo(1).upper())]), "2 pseudonyme None valeur non conforme"),
        (csv_bytes([row(ordre="ordre-des-geologues-du-quebec")]), "demande d’un autre ordre"),
        (csv_bytes([row(profession="2,5")]), "2  None 13 champ(s) au lieu de 12"),
        (csv_bytes([row(date_permis="2024-06-01")]), "type de permis manquant"),
        (csv_bytes([row(donnees_synthetiques="oui")]), "données synthétiques refusées"),
        (b"\xef\xbb\xbf", "le fichier est vide"),
        (b"pseudonyme,ordre\n", "colonne obligatoire absente"),
        (csv_bytes([row()], columns=list(row()))[:-2] + b",en trop\r\n", "champ(s) au lieu de"),
        (b"\x81\x8d\x8f\x90\x9d" * 4, "encodage non reconnu"),
    ],
    ids=[
        "extra-column",
        "bad-country",
        "impossible-date",
        "dotted-date",
        "slashed-iso-date",
        "bad-boolean",
        "bad-category",
        "short-pseudonym",
        "uppercase-pseudonym",
        "other-order",
        "unquoted-decimal-comma",
        "incomplete-pair",
        "synthetic-file",
        "bom-only",
        "missing-columns",
        "extra-field-on-a-line",
        "undecodable",
    ],
)
def test_every_malformed_file_kind_is_refused_with_line_column_value_and_reason(people, content, expected):
    upload = _refusal(people, content)
    assert expected in _reasons(upload)


def test_windows_1252_semicolon_file_with_french_dates_is_accepted(people):
    content = csv_bytes(
        [row(date_reception="15/01/2024", date_dossier_complet="01/02/2024", date_decision="10/04/2024")],
        separator=";",
        encoding="cp1252",
    )
    send(client_for(people["submitter"]), content)
    assert last_upload().state == Upload.State.ACCEPTED


def test_a_quoted_decimal_comma_does_not_shift_the_columns(people):
    content = csv_bytes([row(profession='"2,5"')])
    upload = _refusal(people, content)
    assert "profession 2,5 code mal formé" in _reasons(upload)


def _workbook(sheet="Demandes", rows=()) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(list(row()))
    for r in rows:
        ws.append(list(r.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_filled_in_excel_template_is_accepted(people):
    buffer = io.BytesIO()
    write_template(buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = workbook["Demandes"]
    values = row()
    for index, column in enumerate(d.COLUMNS, start=1):
        sheet.cell(row=2, column=index, value=values.get(column) or None)
    out = io.BytesIO()
    workbook.save(out)
    send(client_for(people["submitter"]), out.getvalue(), name="modele.xlsx")
    assert last_upload().state == Upload.State.ACCEPTED


def test_an_excel_file_whose_sheet_is_not_the_template_is_refused(people):
    workbook = Workbook()
    workbook.active.title = "Feuil1"
    workbook.active.append(["Nom", "Prénom", "Date de naissance"])
    workbook.active.append(["Tremblay", "Marie", "1980-01-01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = _refusal(people, buffer.getvalue(), name="classeur.xlsx")
    assert "n’est pas l’en-tête du dictionnaire" in _reasons(upload)
    assert "Tremblay" not in json.dumps(upload.errors)


def test_a_damaged_excel_file_is_refused(people):
    upload = _refusal(people, b"PK\x03\x04 pas un classeur", name="depot.xlsx")
    assert "classeur Excel illisible" in _reasons(upload)


@pytest.mark.parametrize("name", ["depot.pdf", "depot.xls", "depot"])
def test_other_file_kinds_are_refused_by_the_form(people, name):
    response = send(client_for(people["submitter"]), csv_bytes([row()]), name=name)
    assert response.status_code == 200
    assert "Seuls un fichier CSV" in response.content.decode()
    assert not Upload.objects.exists()


def test_an_empty_file_is_refused_by_the_form(people):
    response = send(client_for(people["submitter"]), b"")
    assert "Le fichier est vide" in response.content.decode()
    assert not Upload.objects.exists()


def test_a_period_outside_the_list_is_refused(people):
    response = send(client_for(people["submitter"]), csv_bytes([row()]), period="1999-2000")
    assert response.status_code == 200 and not Upload.objects.exists()


def test_a_field_the_agreement_does_not_allow_is_refused(people, agreement):
    agreement.data_elements = [c for c in agreement.data_elements if c != "date_dossier_complet"]
    agreement.save()
    upload = _refusal(people, csv_bytes([row()]))
    assert "date_dossier_complet None renseignement non prévu par l’entente" in _reasons(upload)


# --- the error report ----------------------------------------------------------------------------------


def test_the_page_shows_the_first_hundred_errors_and_the_total(people):
    rows = [row(pseudonyme=pseudo(n), pays_formation="ZZ") for n in range(130)]
    upload = _refusal(people, csv_bytes(rows))
    assert upload.error_total == 130 and len(upload.errors) == 100
    page = (
        client_for(people["submitter"])
        .get(reverse("pathway-upload-detail", args=[upload.pk]))
        .content.decode()
    )
    assert "130 erreurs au total" in page and "Les 100 premières sont montrées" in page


def test_the_error_report_downloads_as_csv_with_line_column_value_and_reason(people):
    upload = _refusal(people, csv_bytes([row(), row(pseudonyme=pseudo(2), pays_formation="=HYPERLINK(1)")]))
    response = client_for(people["submitter"]).get(reverse("pathway-upload-errors", args=[upload.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["ligne", "colonne", "valeur", "motif"]
    assert rows[1][:3] == ["3", "pays_formation", "'=HYPERLINK(1)"]  # never a formula


@pytest.mark.parametrize("role", ROLES)
def test_another_person_never_sees_an_orders_upload_or_its_errors(people, role):
    upload = _refusal(people, csv_bytes([row(pays_formation="ZZ")]))
    client = client_for(people[role])
    assert client.get(reverse("pathway-upload-detail", args=[upload.pk])).status_code == 404
    assert client.get(reverse("pathway-upload-errors", args=[upload.pk])).status_code == 404


def test_anonymous_person_never_sees_an_upload(client, people):
    upload = _refusal(people, csv_bytes([row(pays_formation="ZZ")]))
    assert client.get(reverse("pathway-upload-errors", args=[upload.pk])).status_code == 302


def test_the_marker_pseudonym_appears_nowhere_when_a_file_is_refused(people, caplog):
    """The pseudonym column is never repeated, not even to the order's own submitter: the line
    number finds the row, and a pseudonym is personal information (Loi 25). The other
    offending values are shown to that submitter only, who sent them and must find them."""
    caplog.set_level(logging.DEBUG)
    rows = [
        row(pseudonyme=MARKER, pays_formation="ZZ"),
        row(pseudonyme=MARKER.upper()),
        row(pseudonyme=MARKER[:-1]),
        row(pseudonyme=pseudo(4), profession=MARKER),
    ]
    upload = _refusal(people, csv_bytes(rows))
    client = client_for(people["submitter"])
    page = client.get(reverse("pathway-upload-detail", args=[upload.pk])).content.decode()
    report = client.get(reverse("pathway-upload-errors", args=[upload.pk])).content.decode("utf-8-sig")
    job = Job.objects.get(subject=f"pathway.upload:{upload.pk}")
    for text in (
        page,
        report,
        json.dumps(upload.errors),
        upload.message,
        job.error,
        json.dumps(job.result),
        caplog.text,
    ):
        assert MARKER not in text.lower()
        assert MARKER[:-1] not in text.lower()
    assert "ZZ" in report  # the other offending values are shown to the submitter


def test_an_unexpected_failure_names_its_type_only_and_deletes_the_file(people, media, monkeypatch, caplog):
    from concerto.pathway import storage

    def broken(**kwargs):
        raise ValueError(f"row {MARKER}")

    monkeypatch.setattr(storage, "store_submission", broken)
    caplog.set_level(logging.DEBUG)
    send(client_for(people["submitter"]), csv_bytes([row(pseudonyme=MARKER)]))
    upload = last_upload()
    job = Job.objects.get(subject=f"pathway.upload:{upload.pk}")
    assert upload.state == Upload.State.FAILED and "ValueError" in upload.message
    assert job.state == Job.State.FAILED
    for text in (upload.message, job.error, caplog.text):
        assert MARKER not in text
    assert uploaded_files(media) == []
    assert not Submission.objects.exists()


def test_a_missing_concerto_key_fails_with_a_french_message(people, settings):
    settings.CONCERTO_PATHWAY_KEY_FILE = ""
    send(client_for(people["submitter"]), csv_bytes([row()]))
    assert "clé de pseudonymisation absente" in last_upload().message


# --- the order's own submissions -------------------------------------------------------------------------


def test_submitter_sees_only_the_orders_own_submissions(people, other_order):
    send(client_for(people["submitter"]), csv_bytes([row()]))
    send(
        client_for(people["other_submitter"]),
        csv_bytes([row(ordre=other_order.code)]),
        code=other_order.code,
        period="2023-2024",
    )
    page = client_for(people["submitter"]).get(reverse("pathway-submissions")).content.decode()
    assert "Ordre des chimistes" in page and "Ordre des géologues" not in page
    assert "2024-2025" in page and "2023-2024" not in page


@pytest.mark.parametrize("role", ["office_coordinator", "analyst", "privacy_officer", "ciq_coordinator"])
def test_submissions_page_is_for_submitters_only(people, role):
    assert client_for(people[role]).get(reverse("pathway-submissions")).status_code == 403


def test_submissions_page_sends_anonymous_people_to_login(client, db):
    assert client.get(reverse("pathway-submissions")).status_code == 302


def test_submissions_page_queries_do_not_grow_with_the_submissions(people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(people["submitter"])
    send(client, csv_bytes([row()]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("pathway-submissions"))
    for period in ("2023-2024", "2022-2023", "2021-2022"):
        send(client, csv_bytes([row()]), period=period)
        send(client, csv_bytes([row(pays_formation="ZZ")]), period=period)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("pathway-submissions"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_quality_report_shows_completeness_sequences_and_duplicates(people):
    rows = [row(), row(), row(pseudonyme=pseudo(2), date_decision="2023-12-01", date_dossier_complet="")]
    send(client_for(people["submitter"]), csv_bytes(rows))
    submission = Submission.objects.get()
    page = (
        client_for(people["submitter"])
        .get(reverse("pathway-submission", args=[submission.pk]))
        .content.decode()
    )
    assert "décision avant la réception de la demande" in page
    assert "1 ligne répète la même personne" in page
    assert "66,7 %" in page or "66.7 %" in page  # date_dossier_complet


@pytest.mark.parametrize("role", ROLES)
def test_another_person_never_sees_an_orders_quality_report(people, role):
    send(client_for(people["submitter"]), csv_bytes([row()]))
    submission = Submission.objects.get()
    assert (
        client_for(people[role]).get(reverse("pathway-submission", args=[submission.pk])).status_code == 404
    )


def test_an_ingest_that_lost_its_worker_is_reported_and_its_file_deleted(people, order, media, settings):
    import datetime

    from django.utils import timezone

    from concerto.core.uploads import get_private_storage

    stored = get_private_storage().save("pathway-uploads/perdu.csv", io.BytesIO(b"x"))
    upload = Upload.objects.create(
        order=order, period=PERIOD, original_name="depot.csv", stored_name=stored, state=Upload.State.READING
    )
    page = (
        client_for(people["submitter"])
        .get(reverse("pathway-upload-detail", args=[upload.pk]))
        .content.decode()
    )
    assert "Lecture et validation" in page  # still within its time
    Upload.objects.filter(pk=upload.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=settings.CONCERTO_JOB_TIMEOUT + 1)
    )
    page = (
        client_for(people["submitter"])
        .get(reverse("pathway-upload-detail", args=[upload.pk]))
        .content.decode()
    )
    upload.refresh_from_db()
    assert upload.state == Upload.State.FAILED and "Traitement interrompu" in page
    assert uploaded_files(media) == []
