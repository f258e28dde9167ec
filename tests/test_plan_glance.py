"""The plan at a glance (counts, progress, search, downloads), the measure
page's chart, and narratives rendered once when saved rather than per request."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from concerto.core import markdown
from concerto.core.search import fold
from concerto.plans.models import ComponentProgress, ProgressReport, Status
from concerto.plans.progress import ComponentInput, ProgressInput, record_progress
from concerto.plans.state import load_measure, load_measure_state, load_plan_state

from .factories import (
    AS_OF,
    CaseFactory,
    CollaboratorFactory,
    ComponentProgressFactory,
    IndicatorFactory,
    MeasureFactory,
    MeasureLeadFactory,
    OrganizationFactory,
    PlanFactory,
    ProgressReportFactory,
    RecommendationFactory,
    ThemeFactory,
    build_clean_plan,
)

PLAN = "pole-2019-2024"


@pytest.fixture
def plan(db):
    """Three measures in two themes, with accents, statuses and percentages."""
    plan = PlanFactory(slug="plan-a", title="Plan A")
    first = ThemeFactory(plan=plan, number=1, title="Information")
    second = ThemeFactory(plan=plan, number=2, title="Intégration")
    oiiaq = OrganizationFactory(
        code="oiiaq", name="Ordre des infirmières et infirmiers auxiliaires", acronym="OIIAQ"
    )
    students = MeasureFactory(plan=plan, theme=first, number=1, title="Accueillir les ÉTUDIANTS étrangers")
    MeasureLeadFactory(measure=students, organization=oiiaq)
    ProgressReportFactory(
        measure=students, percent=20, status=Status.IN_PROGRESS, narrative="Rien à signaler."
    )
    guide = MeasureFactory(plan=plan, theme=first, number=2, title="Publier un guide")
    ProgressReportFactory(
        measure=guide,
        percent=100,
        status=Status.COMPLETED,
        narrative="Guide de l’œuvre d’intégration publié.",
    )
    MeasureFactory(plan=plan, theme=second, number=3, title="Mesure sans état")
    return plan


def _numbers(client, **params) -> list[int]:
    response = client.get(reverse("plan-detail", kwargs={"slug": "plan-a"}), params)
    assert response.status_code == 200
    return [m.measure.number for m in response.context["state"].measures]


# --- narratives rendered once ----------------------------------------------------------


def test_recording_progress_stores_the_narratives_as_sanitized_html(db):
    measure = MeasureFactory()
    report, _ = record_progress(
        measure=measure,
        as_of=AS_OF,
        data=ProgressInput(
            percent=10,
            status=Status.IN_PROGRESS,
            narrative="Un *mot* <script>alert(1)</script>",
            components=[ComponentInput(label="OIIAQ", narrative="- un\n- deux")],
        ),
    )
    report.refresh_from_db()
    assert report.narrative_html == "<p>Un <em>mot</em> &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert "<li>deux</li>" in report.components.get().narrative_html


def test_importing_the_real_plan_stores_every_narrative_as_html(real_plan):
    reports = ProgressReport.objects.filter(measure__plan=real_plan).exclude(narrative="")
    assert reports.exists()
    assert not reports.filter(narrative_html="").exists()
    assert not ComponentProgress.objects.exclude(narrative="").filter(narrative_html="").exists()


def test_the_migration_renders_the_narratives_already_stored(db):
    from django.apps import apps
    from django.utils.module_loading import import_string

    report = ProgressReportFactory(narrative="**Fait**")
    component = ComponentProgressFactory(report=report, narrative="*en cours*")
    ProgressReport.objects.update(narrative_html="")
    ComponentProgress.objects.update(narrative_html="")

    import_string("concerto.plans.migrations.0004_narrative_html.render_existing_narratives")(apps, None)

    report.refresh_from_db()
    component.refresh_from_db()
    assert report.narrative_html == "<p><strong>Fait</strong></p>"
    assert component.narrative_html == "<p><em>en cours</em></p>"


def test_pages_show_the_stored_html_without_rendering_markdown(client, real_plan, monkeypatch):
    def refuse(text):
        raise AssertionError("Markdown rendered during a request")

    monkeypatch.setattr(markdown, "_to_html", refuse)
    plan_page = client.get(reverse("plan-detail", kwargs={"slug": PLAN}))
    measure_page = client.get(reverse("measure-detail", kwargs={"slug": PLAN, "number": 1}))
    assert plan_page.status_code == measure_page.status_code == 200
    assert '<div class="narrative" lang="fr"><p>' in measure_page.content.decode()


def test_one_markdown_parser_serves_every_narrative():
    markdown.render_markdown("*un*")
    parser = markdown._local.parser
    assert markdown.render_markdown("- deux") == "<ul>\n<li>deux</li>\n</ul>"
    assert markdown._local.parser is parser


# --- at a glance ---------------------------------------------------------------------


def test_plan_page_counts_measures_by_status(client, plan):
    response = client.get(reverse("plan-detail", kwargs={"slug": "plan-a"}))
    glance = response.context["glance"]
    assert [(s.status, s.count) for s in glance.statuses] == [
        (Status.COMPLETED, 1),
        (Status.IN_PROGRESS, 1),
        (Status.UNKNOWN, 1),
    ]
    html = response.content.decode()
    assert "Mesures selon leur état au 31 mars 2023" in html


def test_plan_page_shows_average_progress_overall_and_by_theme_in_text(client, plan):
    html = client.get(reverse("plan-detail", kwargs={"slug": "plan-a"})).content.decode()
    glance_html = html[html.index('id="glance-title"') : html.index('id="filters-title"')]
    # (20 + 100) / 2: the measure without a percentage is not counted, and that is said.
    assert "60\u00a0%" in glance_html and "(2 mesures chiffrées sur 3)" in glance_html
    assert 'aria-labelledby="average-all"' in glance_html
    assert "1. Information" in glance_html and "2. Intégration" in glance_html
    assert "Non chiffré" in glance_html  # theme 2 has no percentage


def test_plan_page_links_to_the_csv_excel_and_json_downloads(client, plan):
    html = client.get(reverse("plan-detail", kwargs={"slug": "plan-a"})).content.decode()
    for name in ("plan-status-csv", "plan-status-xlsx", "api-plan-status"):
        assert f'href="{reverse(name, args=["plan-a"])}?as_of=2023-03-31"' in html


def test_plan_page_links_a_print_stylesheet(client, plan):
    html = client.get(reverse("plan-detail", kwargs={"slug": "plan-a"})).content.decode()
    assert 'concerto/print.css" media="print"' in html


# --- search ------------------------------------------------------------------------


def test_fold_removes_accents_case_and_ligatures():
    assert fold("ÉTUDIANTS Étrangers d’œuvre") == "etudiants etrangers d'oeuvre"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("etudiants", [1]),
        ("ÉTUDIANTS ÉTRANGERS", [1]),
        ("étudiants guide", []),  # every word must match
        ("oeuvre d'integration", [2]),  # narrative, ligature and typographic apostrophe
        ("oiiaq", [1]),  # acronym of the organization in charge
        ("infirmieres", [1]),  # its name, without accents
        ("3", [3]),  # a measure number
    ],
)
def test_search_ignores_accents_and_case(client, plan, words, expected):
    assert _numbers(client, q=words) == expected


def test_search_works_without_script_through_a_get_form(client, plan):
    html = client.get(reverse("plan-detail", kwargs={"slug": "plan-a"})).content.decode()
    form = html[html.index('<form method="get"') : html.index("</form>")]
    assert 'name="q"' in form and 'type="search"' in form


def test_search_is_not_kept_in_the_page_cache(client, plan):
    client.get(reverse("plan-detail", kwargs={"slug": "plan-a"}), {"q": "guide"})
    from django.core.cache import caches

    assert not caches["pages"]._cache


# --- downloads ---------------------------------------------------------------------


def test_csv_download_has_one_row_per_measure_with_neutralized_formulas(client, plan):
    ProgressReport.objects.filter(measure__number=1).update(narrative='=HYPERLINK("http://x")')
    response = client.get(reverse("plan-status-csv", args=["plan-a"]), {"as_of": "2023-03-31"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="plan-a-etat-2023-03-31.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [r[2] for r in rows[1:]] == ["1", "2", "3"]
    assert rows[1][-1].startswith("'=HYPERLINK")


def test_excel_download_keeps_numbers_typed_and_formulas_as_text(client, plan):
    ProgressReport.objects.filter(measure__number=1).update(narrative="=1+1")
    response = client.get(reverse("plan-status-xlsx", args=["plan-a"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][2] == 1 and rows[1][8] == 20
    assert rows[1][-1] == "=1+1" and sheet.cell(row=2, column=12).data_type == "s"


def test_download_refuses_a_bad_date(client, plan):
    response = client.get(reverse("plan-status-csv", args=["plan-a"]), {"as_of": "31/03/2023"})
    assert response.status_code == 400
    assert "Date invalide" in response.content.decode()


def test_download_of_an_unknown_plan_is_not_found(client, db):
    assert client.get(reverse("plan-status-xlsx", args=["inconnu"])).status_code == 404


# --- the measure page ----------------------------------------------------------------


def test_measure_page_shows_its_progress_chart_with_a_text_equivalent(client, plan):
    measure = plan.measures.get(number=1)
    ProgressReportFactory(measure=measure, as_of=datetime.date(2024, 3, 31), percent=45)
    html = client.get(reverse("measure-detail", args=["plan-a", 1])).content.decode()
    svg = html[html.index('<svg class="progress-chart"') : html.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="progress-chart-title progress-chart-desc"' in svg
    assert "De 20 % au 31 mars 2023 à 45 % au 31 mars 2024" in svg
    assert svg.count("<circle") == 2
    table = html[html.index("<table") : html.index("</table>")]
    assert "31 mars 2023" in table and "31 mars 2024" in table


def test_measure_page_without_any_percentage_has_no_chart(client, plan):
    html = client.get(reverse("measure-detail", args=["plan-a", 3])).content.decode()
    assert "progress-chart" not in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_measure_page_queries_do_not_grow_with_the_plan(client, db):
    small = build_clean_plan(3, components=2)
    large = build_clean_plan(60, components=2)
    assert _queries(client, reverse("measure-detail", args=[small.slug, 2])) == _queries(
        client, reverse("measure-detail", args=[large.slug, 2])
    )


def test_measure_page_reads_only_its_own_measure(client, db):
    plan = build_clean_plan(20)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("measure-detail", args=[plan.slug, 2]))
    other = plan.measures.get(number=3).pk
    assert not any(f"IN ({other}" in q["sql"] or f"= {other}" in q["sql"] for q in queries.captured_queries)


def _described(state, history=()) -> tuple:
    """What the measure page shows of a ``MeasureState``, as plain values."""
    return (
        state.measure.pk,
        [o.code for o in state.leads],
        [(c.label, c.note, c.organization and c.organization.code) for c in state.collaborators],
        state.report and (state.report.pk, state.report.narrative_as_html),
        [(i.indicator.label, i.actual, i.percent, i.deadline_passed) for i in state.indicators],
        [
            (c.label, c.percent, c.organization and c.organization.name, c.narrative_as_html)
            for c in state.components
        ],
        (state.percent, state.percent_source, state.status_label),
        [(r.as_of, r.percent) for r in history],
    )


def test_measure_page_loader_reads_what_the_plan_loader_reads(db):
    """The measure page's own SQL loader and the plan's loader agree on every part of a measure."""
    plan = build_clean_plan(3, components=2)
    measure = plan.measures.get(number=2)
    second_lead, other_partner = OrganizationFactory(name="Zeta"), OrganizationFactory(name="Alpha")
    MeasureLeadFactory(measure=measure, organization=second_lead, position=1)
    CollaboratorFactory(measure=measure, organization=other_partner, position=2, note="pour la collecte")
    IndicatorFactory(measure=measure, position=1, label="Sans valeur", deadline_text="31 mars 2020")
    ProgressReportFactory(measure=measure, as_of=AS_OF - datetime.timedelta(days=365), percent=10)
    from_plan = next(m for m in load_plan_state(plan, AS_OF).measures if m.measure.pk == measure.pk)
    loaded = load_measure(plan.slug, 2)
    state, history = load_measure_state(loaded, AS_OF)
    assert _described(state) == _described(from_plan)
    assert (loaded.plan, loaded.theme, bool(loaded.has_cases), bool(loaded.has_recommendations)) == (
        plan,
        measure.theme,
        False,
        False,
    )
    assert [r.as_of for r in history] == [AS_OF, AS_OF - datetime.timedelta(days=365)]
    assert _described(load_measure_state(loaded, AS_OF - datetime.timedelta(days=365))[0])[3] is not None
    assert load_measure(plan.slug, 99) is None and load_measure("inconnu", 2) is None


def test_measure_page_loader_says_when_cases_or_recommendations_name_the_measure(db):
    plan = build_clean_plan(2)
    measure = plan.measures.get(number=1)
    CaseFactory(measures=[measure])
    RecommendationFactory().measures.add(measure)
    loaded, other = load_measure(plan.slug, 1), load_measure(plan.slug, 2)
    assert bool(loaded.has_cases) and bool(loaded.has_recommendations)
    assert not other.has_cases and not other.has_recommendations


LATER = AS_OF + datetime.timedelta(days=365)


@pytest.fixture
def unpublished_state(plan):
    measure = plan.measures.get(number=1)
    return ProgressReportFactory(
        measure=measure, as_of=LATER, percent=90, narrative="État non publié XYZZY", published=False
    )


@pytest.mark.parametrize("name", ["plan-status-csv", "plan-status-xlsx"])
def test_downloads_show_the_public_only_published_dates(client, unpublished_state, name):
    response = client.get(reverse(name, kwargs={"slug": "plan-a"}))
    assert response.status_code == 200
    assert AS_OF.isoformat() in response["Content-Disposition"]
    asked = client.get(reverse(name, kwargs={"slug": "plan-a"}), {"as_of": LATER.isoformat()})
    assert asked.status_code == 404
    assert "XYZZY" not in asked.content.decode()


def test_measure_page_chart_and_history_leave_out_unpublished_dates_for_the_public(client, unpublished_state):
    html = client.get(reverse("measure-detail", kwargs={"slug": "plan-a", "number": 1})).content.decode()
    assert "XYZZY" not in html
    assert LATER.strftime("%Y") not in html.split("<svg", 1)[-1].split("</svg>", 1)[0]
