"""People, bodies and files for the admission-pathway collection tests."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from concerto.accounts.models import Role
from concerto.organizations.models import Organization
from concerto.pathway import dictionary as d
from concerto.pathway import rules
from tests.factories import UserFactory

ORDER = "ordre-des-chimistes-du-quebec"
OTHER_ORDER = "ordre-des-geologues-du-quebec"
CIQ = "conseil-interprofessionnel-du-quebec"
KEY = b"concerto-test-key-of-at-least-32-bytes!"
# A marker pseudonym: it must never appear in any message, log line, job error or report.
MARKER = "cd" * 32


def pseudo(n: int) -> str:
    return hashlib.sha256(f"personne-{n}".encode()).hexdigest()


def row(**values) -> dict:
    base = {
        "pseudonyme": pseudo(1),
        "ordre": ORDER,
        "profession": "chimiste",
        "pays_formation": "FR",
        "voie": "diploma_equivalence",
        "date_reception": "2024-01-15",
        "date_dossier_complet": "2024-02-01",
        "date_decision": "2024-04-10",
        "decision": "partial_recognition",
        "prescription_formation": "oui",
        "date_permis": "",
        "type_permis": "",
    }
    base.update(values)
    return base


def csv_bytes(rows, *, separator=",", encoding="utf-8", columns=None) -> bytes:
    columns = columns or list(rows[0])
    lines = [separator.join(columns)] + [separator.join(r.get(c, "") for c in columns) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def key_file(settings, tmp_path):
    path = tmp_path / "pathway.key"
    path.write_bytes(KEY)
    settings.CONCERTO_PATHWAY_KEY_FILE = str(path)
    return path


@pytest.fixture
def office(db):
    return Organization.objects.get_or_create(
        code=rules.OWNER_CODE,
        defaults={"name": "Office des professions du Québec", "kind": Organization.Kind.PUBLIC_BODY},
    )[0]


@pytest.fixture
def ciq(db):
    return Organization.objects.get_or_create(
        code=CIQ,
        defaults={"name": "Conseil interprofessionnel du Québec", "kind": Organization.Kind.FEDERATION},
    )[0]


@pytest.fixture
def order(db):
    return Organization.objects.get_or_create(
        code=ORDER,
        defaults={"name": "Ordre des chimistes du Québec", "kind": Organization.Kind.PROFESSIONAL_ORDER},
    )[0]


@pytest.fixture
def other_order(db):
    return Organization.objects.get_or_create(
        code=OTHER_ORDER,
        defaults={"name": "Ordre des géologues du Québec", "kind": Organization.Kind.PROFESSIONAL_ORDER},
    )[0]


@pytest.fixture
def people(office, ciq, order, other_order):
    """One person per role that the pathway pages must tell apart."""
    return {
        "submitter": UserFactory(username="soumission", member_of=(order, Role.DATA_SUBMITTER)),
        "other_submitter": UserFactory(username="autre-ordre", member_of=(other_order, Role.DATA_SUBMITTER)),
        "office_coordinator": UserFactory(username="coordination", coordinator_of=office),
        "analyst": UserFactory(username="analyse", member_of=(office, Role.ANALYST)),
        "privacy_officer": UserFactory(username="rprp", member_of=(office, Role.PRIVACY_OFFICER)),
        "ciq_coordinator": UserFactory(username="coordination-ciq", coordinator_of=ciq),
    }


def make_agreement(**values):
    from concerto.pathway.models import Agreement

    fields = {
        "reference": "CAI-2025-001",
        "signed_on": datetime.date(2025, 1, 15),
        "parties": "Office des professions du Québec ; ordres professionnels participants",
        "purposes": "Diagnostic du parcours d’admission (mesure 2)",
        "data_elements": [c for c in d.COLUMNS if c not in ("ordre", d.SYNTHETIC_COLUMN)],
        "retention_months": 60,
        "security_measures": "Pseudonymisation à la source et à la réception ; accès par rôle.",
        "impact_assessment_reference": "EFVP-2024-07",
    }
    fields.update(values)
    return Agreement.objects.create(**fields)


@pytest.fixture
def agreement(db):
    return make_agreement()
