"""The data dictionary of an admission-pathway submission, version 1.

One row per application for a permit by a person trained outside Québec.
Only the fields the diagnosis needs, each with the question it serves
(minimization, Loi 25): no name, birth date, address, permit number or free
text about the person. The identifier is a pseudonym computed by the order
(``static_scripts/pseudonymiser.py``) and keyed again by Concerto at ingest.

This module is the single source: the Frictionless Table Schema committed in
``schemas/`` is generated from it (``table_schema()``; a test checks that the
two agree), the Excel template is written from it, and ingest validates
against it. Category codes are stable English-ish identifiers; their labels
are French. Column names are French, as the orders write them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .countries import COUNTRY_CODES

SCHEMA_NAME = "pathway-application"
SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / f"{SCHEMA_NAME}-{SCHEMA_VERSION}.schema.json"

PSEUDONYM_PATTERN = "^[0-9a-f]{64}$"
CODE_PATTERN = "^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$"
# Organization codes run to 106 characters (« ordre-des-technologues-en-imagerie-medicale-… »);
# the model's code field allows 120.
ORDER_CODE_PATTERN = "^[a-z0-9][a-z0-9-]{0,118}[a-z0-9]$"

TRUE_VALUES = ("oui", "vrai", "true", "1")
FALSE_VALUES = ("non", "faux", "false", "0")

STRING, DATE, BOOLEAN = "string", "date", "boolean"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title: str
    description: str
    question: str
    required: bool = False
    categories: tuple[tuple[str, str], ...] = ()
    pattern: str = ""
    # A closed list too long to show as categories (the country codes).
    allowed: frozenset[str] = field(default_factory=frozenset)
    example: str = ""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.categories)

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.categories)


# Decisions, routes, permit kinds: C-26 and the Charte de la langue française,
# as summarized in shared/reference/domain.md.
ROUTES = (
    ("diploma_equivalence", "Équivalence de diplôme"),
    ("training_equivalence", "Équivalence de formation"),
    ("mutual_recognition", "Arrangement de reconnaissance mutuelle (ARM)"),
    ("authorization_outside_quebec", "Autorisation légale d’exercer hors du Québec"),
)
DECISIONS = (
    ("full_recognition", "Reconnaissance complète"),
    ("partial_recognition", "Reconnaissance partielle avec prescriptions"),
    ("refusal", "Refus"),
)
REVIEW_OUTCOMES = (
    ("maintained", "Décision maintenue"),
    ("modified", "Décision modifiée"),
)
PERMIT_KINDS = (
    ("regular", "Permis régulier"),
    ("temporary_french", "Permis temporaire (Charte de la langue française, a. 37)"),
    ("restrictive_temporary", "Permis restrictif temporaire (Code des professions, a. 42.1)"),
    ("special", "Permis spécial"),
)
CLOSURE_KINDS = (
    ("withdrawn", "Désistement de la personne"),
    ("closed", "Dossier fermé par l’ordre (inactif ou incomplet)"),
)

FIELDS: tuple[Field, ...] = (
    Field(
        "pseudonyme",
        STRING,
        "Pseudonyme de la personne",
        "HMAC-SHA256 (64 caractères hexadécimaux minuscules) de l’identifiant de la personne, "
        "calculé par l’ordre avec la clé commune aux ordres participants. L’identifiant en clair "
        "ne quitte jamais l’ordre.",
        "Relier les demandes d’une même personne (dans un ordre et d’un ordre à l’autre) sans l’identifier.",
        required=True,
        pattern=PSEUDONYM_PATTERN,
        example="3f7a…(64 caractères)",
    ),
    Field(
        "ordre",
        STRING,
        "Ordre professionnel",
        "Code stable de l’ordre qui reçoit la demande (celui de Concerto, jamais le sigle).",
        "Comparer les parcours d’un ordre à l’autre.",
        required=True,
        pattern=ORDER_CODE_PATTERN,
        example="ordre-des-ingenieurs-du-quebec",
    ),
    Field(
        "profession",
        STRING,
        "Permis ou profession demandé",
        "Code du permis ou de la profession visé par la demande, tel que défini par l’ordre.",
        "Comparer les parcours d’une profession à l’autre dans un même ordre.",
        required=True,
        pattern=CODE_PATTERN,
        example="ingenieur",
    ),
    Field(
        "pays_formation",
        STRING,
        "Pays de formation",
        "Code ISO 3166-1 alpha-2 du pays où la formation a été acquise (CA : Canada hors Québec).",
        "Distinguer Canada hors Québec et hors Canada, et suivre les régions de formation.",
        required=True,
        allowed=COUNTRY_CODES,
        example="FR",
    ),
    Field(
        "voie",
        STRING,
        "Voie d’admission",
        "Fondement de la demande de permis.",
        "Comparer les voies (diplôme, formation, ARM, autorisation hors Québec), comme le rapport annuel.",
        required=True,
        categories=ROUTES,
    ),
    Field(
        "date_reception",
        DATE,
        "Date de réception de la demande",
        "Date à laquelle l’ordre a reçu la demande.",
        "Définir la cohorte (année de demande) et le début du parcours.",
        required=True,
        example="2024-03-15",
    ),
    Field(
        "date_dossier_complet",
        DATE,
        "Date du dossier complet",
        "Date à laquelle le dossier a été jugé complet; vide s’il ne l’est pas encore.",
        "Mesurer le temps de constitution du dossier, distinct du temps d’analyse.",
    ),
    Field(
        "date_decision",
        DATE,
        "Date de la décision",
        "Date de la décision sur l’équivalence ou l’admission; vide s’il n’y en a pas encore.",
        "Mesurer le délai d’analyse (environ 90 jours en moyenne).",
    ),
    Field(
        "decision",
        STRING,
        "Décision",
        "Décision rendue; obligatoire si la date de la décision est remplie.",
        "Compter les reconnaissances complètes, partielles et les refus.",
        categories=DECISIONS,
    ),
    Field(
        "prescription_formation",
        BOOLEAN,
        "Formation d’appoint prescrite",
        "oui si la décision prescrit une formation d’appoint.",
        "Mesurer le poids des formations d’appoint dans le parcours.",
    ),
    Field(
        "prescription_stage",
        BOOLEAN,
        "Stage prescrit",
        "oui si la décision prescrit un stage.",
        "Mesurer le poids des stages dans le parcours.",
    ),
    Field(
        "prescription_examen",
        BOOLEAN,
        "Examen prescrit",
        "oui si la décision prescrit un examen.",
        "Mesurer le poids des examens dans le parcours.",
    ),
    Field(
        "date_prescriptions_completees",
        DATE,
        "Date où les prescriptions ont été complétées",
        "Date à laquelle la dernière prescription a été réussie; vide sinon.",
        "Mesurer la durée des mesures compensatoires, souvent l’étape la plus longue.",
    ),
    Field(
        "revision_demandee",
        BOOLEAN,
        "Révision demandée",
        "oui si la personne a demandé la révision de la décision.",
        "Compter les demandes de révision.",
    ),
    Field(
        "resultat_revision",
        STRING,
        "Résultat de la révision",
        "Résultat de la révision; vide si elle est en cours ou n’a pas été demandée.",
        "Mesurer l’issue des révisions.",
        categories=REVIEW_OUTCOMES,
    ),
    Field(
        "date_exigence_francais",
        DATE,
        "Date où l’exigence de français a été satisfaite",
        "Date à laquelle la connaissance appropriée du français a été établie (Charte, a. 35); vide sinon.",
        "Mesurer le poids de l’exigence de français dans le délai d’obtention du permis.",
    ),
    Field(
        "date_permis",
        DATE,
        "Date de délivrance du permis",
        "Date de délivrance du premier permis; vide s’il n’a pas été délivré.",
        "Mesurer le délai jusqu’au permis (la fin du parcours).",
    ),
    Field(
        "type_permis",
        STRING,
        "Type de permis",
        "Type du permis délivré; obligatoire si la date du permis est remplie.",
        "Distinguer les permis réguliers, temporaires, restrictifs temporaires et spéciaux.",
        categories=PERMIT_KINDS,
    ),
    Field(
        "date_fermeture",
        DATE,
        "Date du désistement ou de la fermeture",
        "Date à laquelle la personne s’est désistée ou l’ordre a fermé le dossier; vide sinon.",
        "Compter les sorties du parcours sans permis (issue concurrente).",
    ),
    Field(
        "motif_fermeture",
        STRING,
        "Motif de la fermeture",
        "Désistement ou fermeture par l’ordre; obligatoire si la date de fermeture est remplie.",
        "Distinguer les désistements des dossiers fermés par l’ordre.",
        categories=CLOSURE_KINDS,
    ),
    Field(
        "donnees_synthetiques",
        BOOLEAN,
        "Données synthétiques",
        "oui sur chaque ligne d’un fichier de données synthétiques (générées, jamais réelles); "
        "vide ou non dans un fichier réel. Un fichier ne mêle jamais les deux.",
        "Empêcher que des données synthétiques se mêlent aux données réelles.",
    ),
)

FIELDS_BY_NAME = {f.name: f for f in FIELDS}
COLUMNS = tuple(f.name for f in FIELDS)
REQUIRED_COLUMNS = tuple(f.name for f in FIELDS if f.required)
DATE_COLUMNS = tuple(f.name for f in FIELDS if f.type == DATE)
BOOLEAN_COLUMNS = tuple(f.name for f in FIELDS if f.type == BOOLEAN)
CATEGORY_COLUMNS = tuple(f.name for f in FIELDS if f.categories)
SYNTHETIC_COLUMN = "donnees_synthetiques"


def table_schema() -> dict:
    """The Frictionless Table Schema of the dictionary, as a JSON-ready dict.

    Categories are given twice: as ``constraints.enum`` (what validators
    check) and as ``categories`` with French labels (Table Schema v2).
    """
    fields = []
    for f in FIELDS:
        descriptor: dict = {
            "name": f.name,
            "type": f.type,
            "title": f.title,
            "description": f.description,
            "question": f.question,
        }
        constraints: dict = {}
        if f.required:
            constraints["required"] = True
        if f.pattern:
            constraints["pattern"] = f.pattern
        if f.categories:
            constraints["enum"] = list(f.codes)
            descriptor["categories"] = [{"value": code, "label": label} for code, label in f.categories]
        if f.allowed:
            constraints["enum"] = sorted(f.allowed)
        if f.type == BOOLEAN:
            descriptor["trueValues"] = list(TRUE_VALUES)
            descriptor["falseValues"] = list(FALSE_VALUES)
        if constraints:
            descriptor["constraints"] = constraints
        fields.append(descriptor)
    return {
        "name": SCHEMA_NAME,
        "version": str(SCHEMA_VERSION),
        "title": "Parcours d’admission des personnes formées hors du Québec : une ligne par demande",
        "description": (
            "Dictionnaire de données des dépôts des ordres professionnels (mesure 2 du plan du Pôle). "
            "Seuls les champs nécessaires au diagnostic; aucun nom, date de naissance, adresse, "
            "numéro de permis ni texte libre sur la personne. Encodage UTF-8 ou Windows-1252, "
            "séparateur virgule ou point-virgule, dates AAAA-MM-JJ (JJ/MM/AAAA accepté au dépôt)."
        ),
        "fields": fields,
        "missingValues": [""],
    }


def schema_json() -> str:
    """The committed file's exact text (sorted keys are not used: fields keep their order)."""
    return json.dumps(table_schema(), ensure_ascii=False, indent=2) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(schema_json(), encoding="utf-8")
    return path


def label(column: str, code: str | None) -> str:
    """The French label of a category code (the code itself when it has none)."""
    if code is None:
        return ""
    return FIELDS_BY_NAME[column].labels.get(code, code)
