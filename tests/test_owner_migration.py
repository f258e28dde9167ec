"""The data migration that gives existing recommendations and cases their owning body."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("recommendations", "0001_initial"), ("cases", "0001_initial")]
AFTER = [("recommendations", "0002_recommendation_owner"), ("cases", "0002_case_owner")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def before(transactional_db):
    """The database as it was before owners, put back to the latest schema afterwards."""
    apps = _migrate(BEFORE)
    yield apps
    for model in ("recommendations.Recommendation", "cases.Case"):
        apps.get_model(model).objects.all().delete()
    _migrate(_latest())


def _plan(apps, owner_code, slug):
    Organization = apps.get_model("organizations", "Organization")
    owner = Organization.objects.create(code=owner_code, name=owner_code, kind="public_body")
    plan = apps.get_model("plans", "Plan").objects.create(
        slug=slug, title=slug, start_year=2019, end_year=2024, declared_measure_count=1, owner=owner
    )
    theme = apps.get_model("plans", "Theme").objects.create(plan=plan, number=1, title="Thème")
    measure = apps.get_model("plans", "Measure").objects.create(
        plan=plan, theme=theme, number=1, title="Mesure"
    )
    return owner, measure


def _recommendation(apps, number, addressee, *measures):
    recommendation = apps.get_model("recommendations", "Recommendation").objects.create(
        number=number, title=number, text="Texte", addressee=addressee, state="draft"
    )
    recommendation.measures.set(measures)
    return recommendation


def _case(apps, reference, *measures):
    case = apps.get_model("cases", "Case").objects.create(
        reference=reference, title=reference, problem_kind="other"
    )
    case.measures.set(measures)
    return case


def test_existing_rows_get_the_owner_of_a_linked_measures_plan_else_the_single_plan_owner(before):
    office, office_measure = _plan(before, "office-des-professions-du-quebec", "pole")
    _recommendation(before, "REC-1", office, office_measure)
    _recommendation(before, "REC-2", office)
    _case(before, "CAS-1", office_measure)
    _case(before, "CAS-2")
    after = _migrate(AFTER)
    Recommendation, Case = (
        after.get_model("recommendations", "Recommendation"),
        after.get_model("cases", "Case"),
    )
    assert set(Recommendation.objects.values_list("owner__code", flat=True)) == {office.code}
    assert set(Case.objects.values_list("owner__code", flat=True)) == {office.code}


def test_a_linked_measure_decides_when_several_bodies_own_a_plan(before):
    _office, office_measure = _plan(before, "office-des-professions-du-quebec", "pole")
    other, other_measure = _plan(before, "autre-organisme", "autre")
    _recommendation(before, "REC-1", other, other_measure)
    _case(before, "CAS-1", other_measure)
    _case(before, "CAS-2", office_measure)
    after = _migrate(AFTER)
    assert after.get_model("recommendations", "Recommendation").objects.get().owner.code == "autre-organisme"
    owners = dict(after.get_model("cases", "Case").objects.values_list("reference", "owner__code"))
    assert owners == {"CAS-1": "autre-organisme", "CAS-2": "office-des-professions-du-quebec"}


def test_the_migration_stops_naming_a_row_whose_owner_cannot_be_determined(before):
    office, _measure = _plan(before, "office-des-professions-du-quebec", "pole")
    _plan(before, "autre-organisme", "autre")
    _recommendation(before, "REC-SANS-MESURE", office)
    with pytest.raises(RuntimeError, match="Recommandation REC-SANS-MESURE : impossible de déterminer"):
        _migrate(AFTER)
