"""Publishing freezes a report; views of reports refuse who may not use them."""

import datetime
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerto.plans.models import Measure, ProgressReport
from concerto.reports.models import Format, Publication, PublishedDocument
from concerto.reports.services import PUBLISHED_FORMATS, publish_report

AS_OF = datetime.date(2023, 3, 31)
PLAN = "pole-2019-2024"


@pytest.fixture
def coordinator(django_user_model, real_plan):
    """A coordinator of the Office, which owns the plan."""
    from concerto.accounts.models import Membership, Role

    user = django_user_model.objects.create_user("coordo", password="x", is_staff=True)
    Membership.objects.create(user=user, organization=real_plan.owner, role=Role.COORDINATOR)
    return user


@pytest.fixture
def published(real_plan, coordinator):
    return publish_report(plan=real_plan, as_of=AS_OF, user=coordinator)


def test_publishing_stores_every_format_with_its_hash(published):
    documents = {d.format: d for d in published.documents.all()}
    assert set(documents) == set(PUBLISHED_FORMATS)
    for document in documents.values():
        content = bytes(document.content)
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.size == len(content) > 0
    assert bytes(documents[Format.PDF].content).startswith(b"%PDF")
    assert published.version == 1 and published.published_by.username == "coordo"


def test_published_report_is_byte_identical_after_the_data_changes(client, published):
    before = {d.format: bytes(d.content) for d in published.documents.all()}
    report = ProgressReport.objects.get(measure__number=13, as_of=AS_OF)
    report.percent = 10
    report.narrative = "Tout a changé."
    report.save()
    for fmt, content in before.items():
        response = client.get(reverse("published-document", args=[published.pk, fmt]))
        assert response.content == content, fmt


def test_published_document_cannot_be_edited(published):
    document = published.documents.get(format=Format.CSV)
    document.content = b"autre chose"
    with pytest.raises(ValueError, match="figé"):
        document.save()


def test_republishing_creates_a_new_version_and_keeps_the_old_one(client, published, coordinator, real_plan):
    ProgressReport.objects.filter(measure__number=13, as_of=AS_OF).update(percent=95)
    second = publish_report(plan=real_plan, as_of=AS_OF, user=coordinator)
    published.refresh_from_db()
    assert second.version == 2
    assert published.superseded_by == second
    old = client.get(reverse("published-document", args=[published.pk, "csv"])).content.decode()
    new = client.get(reverse("published-document", args=[second.pk, "csv"])).content.decode()
    assert ",93," in old and ",95," in new


def test_plan_page_links_to_published_documents_with_a_replaced_note(
    client, published, coordinator, real_plan
):
    second = publish_report(plan=real_plan, as_of=AS_OF, user=coordinator)
    html = client.get(reverse("plan-detail", kwargs={"slug": PLAN})).content.decode()
    assert reverse("published-document", args=[second.pk, "pdf"]) in html
    assert reverse("published-document", args=[published.pk, "pdf"]) in html
    assert "remplacé par la version 2" in html


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
    ],
)
def test_published_document_has_its_content_type_and_download_name(client, published, fmt, content_type):
    response = client.get(reverse("published-document", args=[published.pk, fmt]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="pole-2019-2024_etat-2023-03-31.{fmt}"'


def test_second_version_has_a_versioned_download_name(client, published, coordinator, real_plan):
    second = publish_report(plan=real_plan, as_of=AS_OF, user=coordinator)
    response = client.get(reverse("published-document", args=[second.pk, "pdf"]))
    assert 'filename="pole-2019-2024_etat-2023-03-31_v2.pdf"' in response["Content-Disposition"]


def test_published_document_answers_not_modified_to_its_etag(client, published):
    url = reverse("published-document", args=[published.pk, "pdf"])
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_unknown_published_document_is_404(client, published):
    assert client.get(reverse("published-document", args=[published.pk, "exe"])).status_code == 404
    assert client.get(reverse("published-document", args=[published.pk + 99, "pdf"])).status_code == 404


def test_published_document_refuses_post(client, published):
    assert client.post(reverse("published-document", args=[published.pk, "pdf"])).status_code == 405


# --- report page, working downloads and publishing: staff only ---------------

STAFF_VIEWS = [
    ("get", "report-page", {}),
    ("get", "report-download", {"as_of": "2023-03-31", "format": "csv"}),
    ("post", "report-prepare", {"as_of": "2023-03-31", "format": "pdf"}),
    ("post", "report-publish", {"as_of": "2023-03-31"}),
]


@pytest.mark.parametrize(("method", "name", "data"), STAFF_VIEWS)
def test_report_views_send_anonymous_users_to_login(client, real_plan, method, name, data):
    response = getattr(client, method)(reverse(name, kwargs={"slug": PLAN}), data)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert Publication.objects.count() == 0


@pytest.mark.parametrize(("method", "name", "data"), STAFF_VIEWS)
def test_report_views_refuse_signed_in_non_staff(client, django_user_model, real_plan, method, name, data):
    client.force_login(django_user_model.objects.create_user("partenaire", password="x"))
    response = getattr(client, method)(reverse(name, kwargs={"slug": PLAN}), data)
    assert response.status_code == 403
    assert Publication.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("post", "report-page"),
        ("post", "report-download"),
        ("get", "report-prepare"),
        ("get", "report-publish"),
    ],
)
def test_report_views_refuse_the_wrong_method(client, coordinator, real_plan, method, name):
    client.force_login(coordinator)
    assert getattr(client, method)(reverse(name, kwargs={"slug": PLAN})).status_code == 405


def test_staff_without_coordination_generates_but_cannot_publish(client, django_user_model, real_plan):
    client.force_login(django_user_model.objects.create_user("agent", password="x", is_staff=True))
    assert client.get(reverse("report-page", kwargs={"slug": PLAN})).status_code == 200
    response = client.post(reverse("report-publish", kwargs={"slug": PLAN}), {"as_of": "2023-03-31"})
    assert response.status_code == 403
    assert Publication.objects.count() == 0


def test_coordinator_of_another_organization_cannot_publish(client, django_user_model, real_plan):
    from concerto.accounts.models import Membership, Role
    from concerto.organizations.models import Organization

    user = django_user_model.objects.create_user("autre", password="x")
    mess = Organization.objects.get(code="ministere-de-l-emploi-et-de-la-solidarite-sociale")
    Membership.objects.create(user=user, organization=mess, role=Role.COORDINATOR)
    client.force_login(user)
    response = client.post(reverse("report-publish", kwargs={"slug": PLAN}), {"as_of": "2023-03-31"})
    assert response.status_code == 403
    assert Publication.objects.count() == 0


def test_working_report_for_a_date_without_progress_is_refused(client, coordinator, real_plan):
    client.force_login(coordinator)
    response = client.get(
        reverse("report-download", kwargs={"slug": PLAN}), {"as_of": "0001-01-01", "format": "xlsx"}
    )
    assert response.status_code == 400


def test_report_page_opens_for_staff(client, coordinator, real_plan):
    client.force_login(coordinator)
    response = client.get(reverse("report-page", kwargs={"slug": PLAN}))
    assert response.status_code == 200
    assert "Publier le rapport" in response.content.decode()


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx", "csv", "json"])
def test_staff_can_download_a_working_report_in_each_format(client, coordinator, real_plan, fmt):
    # Asked for from the report page; PDF, Word and Excel are made by a job
    # (run at once in tests), then the page sends the reader to the file.
    client.force_login(coordinator)
    response = client.post(
        reverse("report-prepare", kwargs={"slug": PLAN}), {"as_of": "2023-03-31", "format": fmt}, follow=True
    )
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="pole-2019-2024_etat-2023-03-31_travail.{fmt}"'
    )
    assert len(response.content) > 100


def test_working_report_with_a_bad_date_is_refused_in_french(client, coordinator, real_plan):
    client.force_login(coordinator)
    response = client.get(
        reverse("report-download", kwargs={"slug": PLAN}), {"as_of": "31/03/2023", "format": "pdf"}
    )
    assert response.status_code == 400
    assert (
        "Date invalide « 31/03/2023 » : une date existante au format AAAA-MM-JJ" in response.content.decode()
    )


def test_staff_publishes_from_the_report_page(client, coordinator, real_plan):
    client.force_login(coordinator)
    response = client.post(
        reverse("report-publish", kwargs={"slug": PLAN}), {"as_of": "2023-03-31"}, follow=True
    )
    assert "publié (version 1)" in response.content.decode()
    assert Publication.objects.get().documents.count() == len(PUBLISHED_FORMATS)


def test_publishing_a_date_without_progress_is_refused_and_writes_nothing(client, coordinator, real_plan):
    client.force_login(coordinator)
    response = client.post(
        reverse("report-publish", kwargs={"slug": PLAN}), {"as_of": "2024-03-31"}, follow=True
    )
    assert "Aucun état d’avancement n’existe au 31 mars 2024" in response.content.decode()
    assert Publication.objects.count() == 0 and PublishedDocument.objects.count() == 0


def test_failed_rendering_leaves_no_half_written_publication(real_plan, coordinator, monkeypatch):
    from concerto.reports import formats

    def broken(report, fmt):
        if fmt == Format.XLSX:
            raise RuntimeError("disque plein")
        return b"ok"

    monkeypatch.setattr(formats, "_render_report_format", broken)
    with pytest.raises(RuntimeError):
        publish_report(plan=real_plan, as_of=AS_OF, user=coordinator)
    assert Publication.objects.count() == 0 and PublishedDocument.objects.count() == 0


def test_report_page_queries_do_not_grow_with_publications(client, coordinator, real_plan):
    client.force_login(coordinator)
    publish_report(plan=real_plan, as_of=AS_OF, user=coordinator)
    url = reverse("report-page", kwargs={"slug": PLAN})
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        publish_report(plan=real_plan, as_of=AS_OF, user=coordinator)
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(one) == len(four)


def test_plan_page_queries_do_not_grow_with_publications(client, coordinator, real_plan):
    publish_report(plan=real_plan, as_of=AS_OF, user=coordinator)
    url = reverse("plan-detail", kwargs={"slug": PLAN})
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    publish_report(plan=real_plan, as_of=AS_OF, user=coordinator)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    assert len(one) == len(two)


def test_export_status_command_writes_each_report_format(real_plan, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    for fmt, magic in [("pdf", b"%PDF"), ("docx", b"PK"), ("xlsx", b"PK")]:
        path = tmp_path / f"etat.{fmt}"
        call_command(
            "export_status",
            PLAN,
            "--as-of",
            "2023-03-31",
            "--format",
            fmt,
            "-o",
            str(path),
            stderr=StringIO(),
        )
        assert path.read_bytes().startswith(magic)


def test_export_status_refuses_binary_output_to_the_terminal(real_plan):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="binaire"):
        call_command("export_status", PLAN, "--format", "pdf")


def test_measures_are_untouched_by_publishing(published):
    assert Measure.objects.count() == 15
