"""The real data files reproduce the Annexe of the Pôle's 2022-2023 report (seed 004).

Each measure's expected values below are read off the source table:
M/O en charge, M/O collaborateurs, indicators with their deadlines, the
state at 31 March 2023 (percent, status, "réalisée en"), components and
actual values.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
import yaml
from django.db import transaction

from concerto.organizations.domain import import_organizations
from concerto.organizations.models import Organization
from concerto.plans.importer import import_plan
from concerto.plans.models import Measure, Plan, ProgressReport, Status, Theme
from concerto.plans.state import load_plan_state

from .conftest import ORGANIZATIONS_FILE, REAL_PLAN_FILE

AS_OF = datetime.date(2023, 3, 31)

OFFICE = "office-des-professions-du-quebec"
CIQ = "conseil-interprofessionnel-du-quebec"
BCI = "bureau-de-cooperation-interuniversitaire"
FEDE = "federation-des-cegeps"
MES = "ministere-de-l-enseignement-superieur"
MEQ = "ministere-de-l-education"
MIFI = "ministere-de-l-immigration-de-la-francisation-et-de-l-integration"
MSSS = "ministere-de-la-sante-et-des-services-sociaux"
MESS = "ministere-de-l-emploi-et-de-la-solidarite-sociale"
MRIF = "ministere-des-relations-internationales-et-de-la-francophonie"
CPMT = "commission-des-partenaires-du-marche-du-travail"
Q2 = "qualifications-quebec"
CERAC = "cerac-marie-victorin"
OPTMQ = "ordre-professionnel-des-technologistes-medicaux-du-quebec"
OIIAQ = "ordre-des-infirmieres-et-infirmiers-auxiliaires-du-quebec"

MAR_2022 = "31 mars 2022"


@dataclass(frozen=True)
class Row:
    """One row of the Annexe table, as Concerto must store it."""

    theme: int
    leads: list  # organization codes
    lead_note: str
    collaborators: list  # an organization code, or ("text", free text) when the source names none
    deadlines: list  # indicator deadlines, as written
    percent: int | None  # explicit in the source
    status: str
    completed_in: str
    effective: int | None  # explicit, or derived from the indicators


EXPECTED = {
    1: Row(
        theme=0,
        leads=[OFFICE],
        lead_note="",
        collaborators=[("text", "Tous les partenaires du Pôle interpellés")],
        deadlines=["En continu"],
        percent=None,
        status=Status.CONTINUOUS,
        completed_in="",
        effective=None,
    ),
    2: Row(
        theme=0,
        leads=[OFFICE],
        lead_note="",
        collaborators=[CIQ, BCI, FEDE, MES, MEQ, MIFI, ("text", "ordres concernés")],
        deadlines=["Décembre 2020", "Hiver 2023", "Automne 2023"],
        percent=None,
        status=Status.REORIENTED,
        completed_in="",
        effective=None,
    ),
    3: Row(
        theme=1,
        leads=[BCI],
        lead_note="et les établissements",
        collaborators=[Q2, CIQ],
        deadlines=["2020-2021 (2 ans)"],
        percent=100,
        status=Status.COMPLETED,
        completed_in="",
        effective=100,
    ),
    4: Row(
        theme=1,
        leads=[MSSS],
        lead_note="",
        collaborators=[OFFICE, ("text", "ordres professionnels")],
        deadlines=[MAR_2022, "Été 2022"],
        percent=100,
        status=Status.COMPLETED,
        completed_in="",
        effective=100,
    ),
    5: Row(
        theme=2,
        leads=[CPMT],
        lead_note="",
        collaborators=[("text", "Comités sectoriels de main-d’œuvre")],
        deadlines=["En continu"],
        percent=100,
        status=Status.CONTINUOUS,
        completed_in="",
        effective=100,
    ),
    7: Row(
        theme=2,
        leads=[FEDE],
        lead_note="",
        collaborators=[("text", "Ordres professionnels"), CERAC, MES, CIQ, OFFICE, MIFI],
        deadlines=["2024"],
        percent=60,
        status=Status.IN_PROGRESS,
        completed_in="",
        effective=60,
    ),
    8: Row(
        theme=2,
        leads=[MRIF],
        lead_note="",
        collaborators=[OFFICE, CIQ, ("text", "ordres professionnels"), MIFI, MESS, MSSS],
        deadlines=["31 décembre 2022"],
        percent=100,
        status=Status.COMPLETED,
        completed_in="",
        effective=100,
    ),
    9: Row(
        theme=3,
        leads=[MEQ],
        lead_note="professionnel",
        collaborators=[],
        deadlines=[MAR_2022],
        percent=None,
        status=Status.COMPLETED,
        completed_in="2021-2022",
        effective=None,
    ),
    10: Row(
        theme=3,
        leads=[MES],
        lead_note="universitaire",
        collaborators=[],
        deadlines=[MAR_2022],
        percent=None,
        status=Status.COMPLETED,
        completed_in="2021-2022",
        effective=None,
    ),
    11: Row(
        theme=4,
        leads=[MESS],
        lead_note="",
        collaborators=[],
        deadlines=[MAR_2022],
        percent=None,
        status=Status.NO_TARGET,
        completed_in="",
        effective=None,
    ),
    12: Row(
        theme=4,
        leads=[MESS],
        lead_note="",
        collaborators=[],
        deadlines=["31 mars 2023"],
        percent=100,
        status=Status.COMPLETED,
        completed_in="",
        effective=100,
    ),
    13: Row(
        theme=4,
        leads=[MESS],
        lead_note="",
        collaborators=[],
        deadlines=["31 mars 2024"],
        percent=93,
        status=Status.IN_PROGRESS,
        completed_in="",
        effective=93,
    ),
    14: Row(
        theme=4,
        leads=[MSSS],
        lead_note="",
        collaborators=[MIFI, MESS, ("text", "OBNL")],
        deadlines=[MAR_2022, MAR_2022],
        percent=None,
        status=Status.COMPLETED,
        completed_in="2021-2022",
        effective=None,
    ),
    15: Row(
        theme=4,
        leads=[MSSS],
        lead_note="",
        collaborators=[],
        deadlines=[MAR_2022],
        percent=None,
        status=Status.COMPLETED,
        completed_in="2021-2022",
        effective=None,
    ),
    16: Row(
        theme=4,
        leads=[MIFI],
        lead_note="",
        collaborators=[("text", "Ordres professionnels"), CIQ, OFFICE, MRIF, MESS, MSSS, MES, MEQ],
        deadlines=["Mars 2023"] * 3,
        percent=None,
        status=Status.UNKNOWN,
        completed_in="",
        effective=None,
    ),
}

# (measure, indicator position) -> (target value, unit, actual, effective indicator percent)
EXPECTED_VALUES = {
    (5, 0): (Decimal(275), "personnes", Decimal(317), 100),  # 317 of 275, capped at 100
    (7, 0): (Decimal(2), "projets", None, None),
    (11, 0): (Decimal(2115), "participants", None, None),
    (12, 0): (Decimal(42), "%", Decimal(42), 100),
    (13, 0): (Decimal(60), "garanties de prêts", Decimal(56), 93),  # 56 of 60
}

THEME_TITLES = [
    "Mesures transversales",
    "Information",
    "Reconnaissance des compétences",
    "Conditions d’obtention d’un permis d’exercice",
    "Intégration au marché du travail",
]


@pytest.fixture(scope="module")
def imported_once(django_db_setup, django_db_blocker):
    """The real files imported once for this module's read-only tests, rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        import_organizations(path=ORGANIZATIONS_FILE)
        yield import_plan(path=REAL_PLAN_FILE).subject
        transaction.set_rollback(True)


@pytest.fixture
def real_plan(imported_once, db):
    """Overrides conftest's: these tests only read, so one import serves them all."""
    return imported_once


@pytest.fixture
def organizations(real_plan):
    return None


@pytest.fixture
def state(real_plan):
    return load_plan_state(real_plan, AS_OF)


def measure_state(state, number):
    (found,) = [m for m in state.measures if m.measure.number == number]
    return found


def collaborator_key(collaborator):
    return collaborator.organization.code if collaborator.organization_id else ("text", collaborator.text)


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_measure_reproduces_the_source_table(state, number):
    expected = EXPECTED[number]
    m = measure_state(state, number)

    assert m.measure.theme.number == expected.theme
    assert [o.code for o in m.leads] == expected.leads
    assert m.measure.lead_note == expected.lead_note
    assert [collaborator_key(c) for c in m.collaborators] == expected.collaborators
    assert [i.indicator.deadline_text for i in m.indicators] == expected.deadlines
    assert m.report is not None
    assert m.report.percent == expected.percent
    assert m.status == expected.status
    assert m.report.completed_in == expected.completed_in
    assert m.percent == expected.effective


@pytest.mark.parametrize(
    ("number", "labels"),
    [
        (2, "CIQ, BCI, Fédération des cégeps, MES, MEQ, MIFI, ordres concernés"),
        (3, "Q2, CIQ"),
        (4, "Office, ordres professionnels"),
        (7, "Ordres professionnels, CERAC Marie-Victorin, MES, CIQ, Office, MIFI"),
        (8, "Office, CIQ, ordres professionnels, MIFI, MESS, MSSS"),
        (14, "MIFI, MESS, OBNL"),
        (16, "Ordres professionnels, CIQ, Office, MRIF, MESS, MSSS, MES, MEQ"),
    ],
)
def test_collaborator_labels_read_as_in_the_source(state, number, labels):
    assert ", ".join(c.label for c in measure_state(state, number).collaborators) == labels


def test_measure_3_ciq_collaborates_for_the_professional_orders(state):
    ciq = measure_state(state, 3).collaborators[1]

    assert (ciq.organization.code, ciq.note) == (CIQ, "ordres professionnels")


@pytest.mark.parametrize(
    ("number", "labels"),
    [
        (1, "Office"),
        (3, "BCI"),
        (4, "MSSS"),
        (5, "CPMT"),
        (7, "Fédération des cégeps"),
        (8, "MRIF"),
        (9, "MEQ"),
        (10, "MES"),
        (13, "MESS"),
        (16, "MIFI"),
    ],
)
def test_lead_labels_read_as_in_the_source(state, number, labels):
    assert ", ".join(o.label for o in measure_state(state, number).leads) == labels


def test_measure_1_has_the_optmq_and_oiiaq_components(state):
    components = measure_state(state, 1).components

    assert [(c.label, c.organization.code, c.percent) for c in components] == [
        ("OPTMQ", OPTMQ, 50),
        ("OIIAQ", OIIAQ, 100),
    ]
    assert components[0].narrative.startswith("Un groupe de travail sur la formation d’appoint")
    assert components[1].narrative.startswith("Le MEQ travaille en étroite collaboration")


def test_only_measure_1_has_components(state):
    assert [m.measure.number for m in state.measures if m.components] == [1]


@pytest.mark.parametrize(("number", "position"), sorted(EXPECTED_VALUES))
def test_indicator_target_and_actual_values(state, number, position):
    target, unit, actual, percent = EXPECTED_VALUES[(number, position)]
    indicator = measure_state(state, number).indicators[position]

    assert indicator.indicator.target_value == target
    assert indicator.indicator.target_unit == unit
    assert indicator.actual == actual
    assert indicator.percent == percent


def test_measure_5_indicator_target_text(state):
    indicator = measure_state(state, 5).indicators[0].indicator

    assert indicator.label == "275 personnes admises à la RCMO"
    assert indicator.target_text == "275 personnes admises à la RCMO"


def test_measure_13_indicator_percent_is_derived_from_56_of_60(state):
    value = measure_state(state, 13).indicators[0].value

    assert value.percent is None
    assert value.derived_percent == 93


def test_measure_4_indicators_are_each_at_100_percent_with_notes(state):
    indicators = measure_state(state, 4).indicators

    assert [i.percent for i in indicators] == [100, 100]
    assert indicators[0].note.startswith("Liste des emplois réalisée")
    assert "en cours" in indicators[1].note


def test_plan_has_the_five_themes_with_their_exact_titles(real_plan):
    themes = list(real_plan.themes.order_by("number").values_list("number", "title"))

    assert themes == list(enumerate(THEME_TITLES))


def test_theme_0_has_no_objective_and_the_others_have_one(real_plan):
    objectives = dict(real_plan.themes.values_list("number", "objective"))

    assert objectives[0] == ""
    assert all(objectives[n] for n in (1, 2, 3, 4))


def test_measure_6_is_absent_from_the_source(real_plan):
    numbers = sorted(real_plan.measures.values_list("number", flat=True))

    assert numbers == [n for n in range(1, 17) if n != 6]


def test_plan_declares_16_measures(real_plan):
    assert real_plan.declared_measure_count == 16
    assert real_plan.measures.count() == 15


def test_plan_metadata(real_plan):
    assert real_plan.slug == "pole-2019-2024"
    assert real_plan.title == "Plan d’action 2019-2024 du Pôle de coordination pour l’accès à la formation"
    assert real_plan.period == "2019-2024"
    assert real_plan.owner.code == OFFICE


def test_every_measure_has_a_progress_report_at_31_march_2023(real_plan):
    reported = set(
        ProgressReport.objects.filter(measure__plan=real_plan, as_of=AS_OF).values_list(
            "measure__number", flat=True
        )
    )

    assert reported == set(real_plan.measures.values_list("number", flat=True))
    assert ProgressReport.objects.filter(measure__plan=real_plan).exclude(as_of=AS_OF).count() == 0


def test_state_lists_themes_and_measures_in_source_order(state):
    assert [t.theme.number for t in state.themes] == [0, 1, 2, 3, 4]
    assert [m.measure.number for m in state.measures] == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]


def test_indicator_counts_per_measure(real_plan):
    counts = {m.number: m.indicators.count() for m in Measure.objects.filter(plan=real_plan)}

    assert counts == {n: len(e.deadlines) for n, e in EXPECTED.items()}


def test_orders_are_the_46_professional_orders_numbered_1_to_46(organizations):
    orders = Organization.objects.filter(kind=Organization.Kind.PROFESSIONAL_ORDER)

    assert orders.count() == 46
    assert sorted(orders.values_list("order_number", flat=True)) == list(range(1, 47))
    assert (
        Organization.objects.exclude(kind=Organization.Kind.PROFESSIONAL_ORDER)
        .filter(order_number__isnull=False)
        .count()
        == 0
    )


def test_organization_codes_in_the_file_are_unique():
    entries = yaml.safe_load(ORGANIZATIONS_FILE.read_text(encoding="utf-8"))["organizations"]
    codes = [e["code"] for e in entries]

    assert len(codes) == len(set(codes))


def test_acronyms_are_not_used_as_identifiers(organizations):
    # OAQ names several orders: the code, not the acronym, identifies them.
    assert Organization.objects.filter(acronym="OAQ").count() >= 2


def test_only_one_plan_and_its_themes_are_created(real_plan):
    assert Plan.objects.count() == 1
    assert Theme.objects.filter(plan=real_plan).count() == 5
