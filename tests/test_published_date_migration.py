"""The data migrations that keep public what the public saw before dates were published one by one."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("plans", "0004_published_date"),
    ("plans", "0004_narrative_html"),
    ("reports", "0002_working_document"),
]
MARCH_2023 = datetime.date(2023, 3, 31)
MARCH_2024 = datetime.date(2024, 3, 31)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    _migrate(_latest())


def _plan_with_states(apps, slug, *dates):
    plan = apps.get_model("plans", "Plan").objects.create(
        slug=slug, title=slug, start_year=2019, end_year=2024, declared_measure_count=1
    )
    theme = apps.get_model("plans", "Theme").objects.create(plan=plan, number=1, title="Thème")
    measure = apps.get_model("plans", "Measure").objects.create(plan=plan, theme=theme, number=1, title="M")
    for as_of in dates:
        apps.get_model("plans", "ProgressReport").objects.create(
            measure=measure, as_of=as_of, status="unknown"
        )
    return plan


def test_31_march_2023_is_published_and_a_later_campaign_date_is_not(before):
    real = _plan_with_states(before, "reel", MARCH_2023, MARCH_2024)
    empty = _plan_with_states(before, "sans-etat")
    reported = _plan_with_states(before, "rapporte", MARCH_2023, MARCH_2024)
    before.get_model("reports", "Publication").objects.create(plan=reported, as_of=MARCH_2024, version=1)

    after = _migrate(_latest())

    published = set(
        after.get_model("plans", "PublishedDate").objects.values_list("plan__slug", "as_of", "via")
    )
    assert published == {
        (real.slug, MARCH_2023, "migration"),
        (reported.slug, MARCH_2023, "migration"),
        (reported.slug, MARCH_2024, "report"),
    }
    assert empty.slug not in {slug for slug, _as_of, _via in published}
