"""Security matrix: each role tries the forbidden actions of every app.

A forbidden (role, action) pair must be refused (sent to the login page,
403, 404, or a page that leaves out what the role may not see) and must
leave the database, the stored documents and the outbox as they were. Each
action is also done once by a role that may do it (``ALLOWED``), so that a
refusal is never the accident of a malformed request, and a text that must
stay hidden is known to be shown to whoever may see it.

Then: uploads that are not what they claim, hostile file names, login and
password-reset enumeration, used or expired invitation links, the CSRF token
on every endpoint that accepts POST, 405 for GET on POST-only endpoints, and
a check that every route of the project is classified here.
"""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from concerto.accounts import rules as account_rules
from concerto.accounts.models import Invitation, Role
from concerto.accounts.services import accept_invitation, invite
from concerto.campaigns import services as campaign_services
from concerto.campaigns.models import Draft
from concerto.cases import rules as case_rules
from concerto.cases.models import Case
from concerto.pathway import rules as pathway_rules
from concerto.pathway.models import Incident, Upload
from concerto.pathway.release_models import Release
from concerto.recommendations import rules as recommendation_rules
from concerto.recommendations import services as recommendation_services
from concerto.recommendations.models import Answer, Attachment, Recommendation, State

from .factories import (
    AnswerFactory,
    CaseFactory,
    CollaboratorFactory,
    MeasureFactory,
    MeasureLeadFactory,
    OrganizationFactory,
    PlanFactory,
    ProgressReportFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)
from .support.accounts import GOOD_PASSWORD, accept_data, login, reset, signed_in_user_id
from .support.campaigns import AS_OF as CAMPAIGN_AS_OF
from .support.campaigns import PLAN
from .support.campaigns import draft_data as _data
from .support.campaigns import draft_form as _form
from .support.documents import PDF_BYTES
from .support.documents import office_zip as _office_zip
from .support.documents import pdf as _pdf
from .support.pathway import csv_bytes as _pathway_csv
from .support.pathway import make_agreement
from .support.pathway import row as _pathway_row

pytestmark = pytest.mark.usefixtures("media")  # documents under a temporary MEDIA_ROOT

LOGIN, HIDDEN = "login", "hidden"
ROLES = (
    "anonymous",
    "no_membership",  # signed in, member of no organization
    "reader",  # reader of the organization that leads measure 1
    "collaborator",  # collaborator of the organization that collaborates on measure 1
    "other_editor",  # editor of the organization that leads measure 2 only
    "lead_editor",  # editor of the organization that leads measure 1
    "partner_coordinator",  # coordinator of a partner (it leads measure 2), not of the plan's owner
    "other_body_coordinator",  # coordinator of a second owning body, with its own plan, campaign...
)
SIGNED_IN = ROLES[1:]

# Texts that only some people may see.
DRAFT_TEXT = "Mise à jour encore en brouillon"
REC_DRAFT_TITLE = "Stages : projet de recommandation non transmis"
REC_HIDDEN_TITLE = "Stages : recommandation transmise mais non publiée"
ANSWER_TEXT = "Réponse du destinataire pas encore publiée"
ANSWER_DATE = "7 juin 2024"
CASE_TITLE = "Stages : cas réservé aux organisations concernées"
CASE_WITHOUT_MEASURE_TITLE = "Stages : cas sans mesure liée"
CHECKS_TITLE = "Contrôles de cohérence"
UNPUBLISHED_STATE = "État validé au 31 mars 2024, date pas encore publiée"

# The second owning body's objects, that the Office's coordination must not reach either.
PLAN_B = "plan-autre-organisme"
B_DRAFT_TEXT = "Mise à jour de l’autre organisme en brouillon"
B_REC_DRAFT_TITLE = "Autre organisme : projet de recommandation"
B_REC_HIDDEN_TITLE = "Autre organisme : recommandation transmise non publiée"
B_CASE_TITLE = "Autre organisme : cas réservé"
MIB = 1024 * 1024
PATHWAY_ERROR_VALUE = "ZQ-valeur-du-depot"


def make(number, *, owner, addressee, state, published=False, title="Recommandation"):
    return RecommendationFactory(
        number=number, owner=owner, addressee=addressee, state=state, published=published, title=title
    )


class World:
    """The Office's plan with two measures, an open campaign, recommendations
    in every state, two unpublished cases, and one person per role; and a
    second owning body with its own plan, campaign, recommendations and case."""

    def __init__(self, django_user_model):
        self.office = OrganizationFactory(code="office", name="Office des professions", kind="public_body")
        self.lead = OrganizationFactory(code="responsable", name="Ministère responsable")
        partner = OrganizationFactory(code="collaboratrice", name="Organisation collaboratrice")
        self.other = OrganizationFactory(code="autre", name="Autre ministère")
        order = OrganizationFactory(code="ordre", name="Ordre concerné", kind="professional_order")

        self.plan = PlanFactory(owner=self.office, slug=PLAN, declared_measure_count=2)
        theme = ThemeFactory(plan=self.plan, number=1)
        self.measure = MeasureFactory(plan=self.plan, theme=theme, number=1)
        MeasureLeadFactory(measure=self.measure, organization=self.lead)
        CollaboratorFactory(measure=self.measure, organization=partner)
        other_measure = MeasureFactory(plan=self.plan, theme=theme, number=2)
        MeasureLeadFactory(measure=other_measure, organization=self.other)
        for measure in (self.measure, other_measure):
            ProgressReportFactory(measure=measure)  # the validated state at 2023-03-31

        # The second owning body: its plan's measure is led by its own partner.
        self.body_b = OrganizationFactory(code="autre-organisme", name="Autre organisme", kind="public_body")
        self.b_partner = OrganizationFactory(code="partenaire-b", name="Partenaire de l’autre organisme")
        self.plan_b = PlanFactory(owner=self.body_b, slug=PLAN_B, declared_measure_count=1)
        self.measure_b = MeasureFactory(
            plan=self.plan_b, theme=ThemeFactory(plan=self.plan_b, number=1), number=1
        )
        MeasureLeadFactory(measure=self.measure_b, organization=self.b_partner)
        ProgressReportFactory(measure=self.measure_b)

        self.users = {
            "coordinator": UserFactory(username="coordination", coordinator_of=self.office),
            "no_membership": UserFactory(username="sans-organisation"),
            "reader": UserFactory(username="lecteur", member_of=(self.lead, Role.READER)),
            "collaborator": UserFactory(username="collaboratrice", member_of=(partner, Role.COLLABORATOR)),
            "other_editor": UserFactory(username="autre-responsable", member_of=(self.other, Role.EDITOR)),
            "lead_editor": UserFactory(username="responsable", member_of=(self.lead, Role.EDITOR)),
            "partner_coordinator": UserFactory(username="coordination-autre", coordinator_of=self.other),
            "other_body_coordinator": UserFactory(username="coordination-b", coordinator_of=self.body_b),
            "b_editor": UserFactory(username="responsable-b", member_of=(self.b_partner, Role.EDITOR)),
            "staff": UserFactory(username="personnel", is_staff=True),
            "superuser": UserFactory(username="admin", email="admin@example.org", is_superuser=True),
        }
        coordinator, lead_editor = self.users["coordinator"], self.users["lead_editor"]

        self.campaign = campaign_services.open_campaign(
            plan=self.plan,
            as_of=CAMPAIGN_AS_OF,
            deadline=timezone.localdate() + datetime.timedelta(days=30),
            opened_by=coordinator,
        )
        Draft.objects.filter(campaign=self.campaign, measure=self.measure).update(narrative=DRAFT_TEXT)
        # Validated at the campaign's date, which the coordination has not published yet.
        ProgressReportFactory(
            measure=self.measure, as_of=CAMPAIGN_AS_OF, narrative=UNPUBLISHED_STATE, published=False
        )

        office = {"owner": self.office, "addressee": self.lead}
        make("REC-2024-001", **office, state=State.DRAFT, title=REC_DRAFT_TITLE)
        hidden = make("REC-2024-002", **office, state=State.RECEIVED, title=REC_HIDDEN_TITLE)
        hidden.measures.add(self.measure)
        answered = make(
            "REC-2024-003",
            **office,
            state=State.RECEIVED,
            published=True,
            title="Stages : publiée",
        )
        make("REC-2024-004", **office, state=State.SENT, title="Stages : transmise")
        self.letter = recommendation_services.add_attachment(
            recommendation=hidden, user=coordinator, file=_pdf("lettre-confidentielle.pdf")
        )
        reply = recommendation_services.file_answer(
            recommendation=answered,
            user=lead_editor,
            kind=Answer.Kind.PARTIAL,
            text=ANSWER_TEXT,
            answered_on=datetime.date(2024, 6, 7),
            document=_pdf("reponse-confidentielle.pdf"),
        )
        self.reply_letter = reply.attachments.get()

        CaseFactory(
            reference="CAS-2024-001",
            title=CASE_TITLE,
            owner=self.office,
            orders=[order],
            measures=[self.measure],
        )
        CaseFactory(
            reference="CAS-2024-002", title=CASE_WITHOUT_MEASURE_TITLE, owner=self.office, orders=[order]
        )

        # What the second body coordinates: a campaign, recommendations, a document, a case.
        b_coordinator = self.users["other_body_coordinator"]
        self.campaign_b = campaign_services.open_campaign(
            plan=self.plan_b,
            as_of=CAMPAIGN_AS_OF,
            deadline=timezone.localdate() + datetime.timedelta(days=30),
            opened_by=b_coordinator,
        )
        Draft.objects.filter(campaign=self.campaign_b).update(narrative=B_DRAFT_TEXT)
        ProgressReportFactory(measure=self.measure_b, as_of=CAMPAIGN_AS_OF, published=False)
        body_b = {"owner": self.body_b, "addressee": self.b_partner}
        make("REC-B-001", **body_b, state=State.DRAFT, title=B_REC_DRAFT_TITLE)
        hidden_b = make("REC-B-002", **body_b, state=State.SENT, title=B_REC_HIDDEN_TITLE)
        AnswerFactory(recommendation=make("REC-B-003", **body_b, state=State.RECEIVED, published=True))
        self.letter_b = recommendation_services.add_attachment(
            recommendation=hidden_b, user=b_coordinator, file=_pdf("lettre-autre-organisme.pdf")
        )
        CaseFactory(reference="CAS-B-001", title=B_CASE_TITLE, owner=self.body_b, measures=[self.measure_b])

        # The admission-pathway data: the body that owns them (the Office, under its real
        # code), its analyst and privacy officer, an order's data submitter, the CAI
        # agreement in force, an incident, a refused file, a release awaiting approval.
        pathway_office = OrganizationFactory(
            code=pathway_rules.OWNER_CODE, name="Office (parcours d’admission)", kind="public_body"
        )
        self.users["analyst"] = UserFactory(username="analyste", member_of=(pathway_office, Role.ANALYST))
        self.users["privacy_officer"] = UserFactory(
            username="protection", member_of=(pathway_office, Role.PRIVACY_OFFICER)
        )
        self.users["pathway_submitter"] = UserFactory(
            username="transmission", member_of=(order, Role.DATA_SUBMITTER)
        )
        self.release = Release.objects.create(
            title="Tableaux en attente",
            synthetic=True,
            threshold=5,
            audience=Release.PUBLIC,
            data_as_of=datetime.date(2025, 3, 31),
            prepared_by=self.users["analyst"],
        )
        self.agreement = make_agreement(signed_on=datetime.date(2024, 1, 1))
        self.incident = Incident.objects.create(
            occurred_on=datetime.date(2025, 1, 1), discovered_on=datetime.date(2025, 1, 2), description="x"
        )
        self.upload = Upload.objects.create(
            order=order,
            period="2024-2025",
            original_name="depot.csv",
            state=Upload.State.REFUSED,
            error_total=1,
            errors=[[2, "pays_formation", PATHWAY_ERROR_VALUE, "code de pays inconnu"]],
        )

    def draft(self, number=1) -> Draft:
        return Draft.objects.get(campaign=self.campaign, measure__number=number)

    def draft_b(self) -> Draft:
        return Draft.objects.get(campaign=self.campaign_b, measure__number=1)

    def client(self, role, **kwargs) -> Client:
        client = Client(**kwargs)
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


@pytest.fixture
def world(db, django_user_model):
    return World(django_user_model)


# Written by any request, allowed or not: sessions, and the rate limits' counters.
BOOKKEEPING = {"sessions.Session", "core.RateLimitCounter"}


def database_state(settings) -> dict[str, Any]:
    """Every row of every model (archived or not), the stored documents and the outbox."""
    state = {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label not in BOOKKEEPING
    }
    root = Path(settings.MEDIA_ROOT)
    state["MEDIA_ROOT"] = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    state["outbox"] = len(mail.outbox)
    return state


def changes(before, after) -> list[str]:
    return [key for key in before if before[key] != after.get(key)]


def outcome(response, hidden=()):
    """What a request got, in the terms of the matrix."""
    status = response.status_code
    if status == 302:
        location = response["Location"].split("?")[0]
        return LOGIN if location in (reverse("login"), reverse("admin:login")) else f"302 to {location}"
    if status == 200 and hidden:
        page = response.content.decode()
        shown = [text for text in hidden if text in page]
        return f"200 showing {shown}" if shown else HIDDEN
    return status


# --- the actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    url_name: str
    args: Any = lambda w: []
    method: str = "get"
    data: Any = lambda w: {}
    query: str = ""
    hidden: tuple[str, ...] = ()  # texts that a refused role must not see on a 200 page
    prepare: Any = None  # prepare(world, client), before the "nothing changed" snapshot

    def url(self, world) -> str:
        return reverse(self.url_name, args=self.args(world)) + self.query


def _submit_measure_1(world, client=None):
    draft = world.draft(1)
    campaign_services.save_draft(
        draft=draft,
        user=world.users["lead_editor"],
        data=_data(draft),
        expected_version=draft.version,
        submit=True,
    )


def _save_measure_1_elsewhere(world, client=None):
    """The same editor saves in another tab: the form below is now stale."""
    draft = world.draft(1)
    campaign_services.save_draft(
        draft=draft,
        user=world.users["lead_editor"],
        data=_data(draft, narrative="Enregistré dans un autre onglet."),
        expected_version=draft.version,
    )


def _draft_args(number):
    return lambda w: [PLAN, CAMPAIGN_AS_OF.isoformat(), number]


def _submit_measure_b(world, client=None):
    draft = world.draft_b()
    campaign_services.save_draft(
        draft=draft,
        user=world.users["b_editor"],
        data=_data(draft),
        expected_version=draft.version,
        submit=True,
    )


B_DRAFT = lambda w: [PLAN_B, CAMPAIGN_AS_OF.isoformat(), 1]  # noqa: E731


def _plan(w):
    return [PLAN]


def _number(number):
    return lambda w: [number]


ANSWER = {"kind": "follow_up", "text": "Nous y donnerons suite.", "answered_on": "2024-06-01"}


def _store_pathway_data(world, client=None):
    import tempfile
    from pathlib import Path

    from concerto.organizations.models import Organization

    from .support.pathway_stored import store_synthetic

    with tempfile.TemporaryDirectory() as directory:
        store_synthetic(Organization.objects.get(code="ordre"), Path(directory), applications=30)


PATHWAY_RELEASE = {
    "title": "Tableaux",
    "donnees": "synthetiques",
    "threshold": "5",
    "audience": "public",
    "tables": ["route:decision"],
}


def _pathway_file(w):
    return {
        "period": "2024-2025",
        "file": SimpleUploadedFile("depot.csv", _pathway_csv([_pathway_row(ordre="ordre")])),
    }


def _agreement_form(w):
    return {
        "reference": "CAI-2",
        "signed_on": "2025-01-01",
        "parties": "Office",
        "purposes": "Diagnostic",
        "data_elements": ["pseudonyme", "profession", "pays_formation", "voie", "date_reception"],
        "retention_months": "12",
        "security_measures": "Chiffrement",
        "impact_assessment_reference": "EFVP",
    }


def _incident_form(w):
    return {
        "occurred_on": "2025-02-01",
        "discovered_on": "2025-02-02",
        "description": "y",
        "information_concerned": "z",
    }


ACTIONS = {
    "pathway.diagnosis": Action("pathway-diagnosis"),
    "pathway.release-register": Action("pathway-release-register"),
    "pathway.prepare-release": Action(
        "pathway-release-prepare", method="post", data=lambda w: PATHWAY_RELEASE, prepare=_store_pathway_data
    ),
    "pathway.decide-release": Action(
        "pathway-release-decide", lambda w: [w.release.pk], "post", lambda w: {"decision": "approve"}
    ),
    # the admission-pathway collection and registers
    "pathway.upload": Action("pathway-upload", lambda w: ["ordre"], "post", _pathway_file),
    "pathway.upload-detail": Action(
        "pathway-upload-detail", lambda w: [w.upload.pk], hidden=(PATHWAY_ERROR_VALUE,)
    ),
    "pathway.error-report": Action(
        "pathway-upload-errors", lambda w: [w.upload.pk], hidden=(PATHWAY_ERROR_VALUE,)
    ),
    "pathway.submissions": Action("pathway-submissions"),
    "pathway.registers": Action("pathway-registers"),
    "pathway.record-agreement": Action("pathway-agreement-new", method="post", data=_agreement_form),
    "pathway.edit-agreement": Action(
        "pathway-agreement-edit", lambda w: [w.agreement.pk], "post", _agreement_form
    ),
    "pathway.record-incident": Action("pathway-incident-new", method="post", data=_incident_form),
    "pathway.edit-incident": Action(
        "pathway-incident-edit", lambda w: [w.incident.pk], "post", _incident_form
    ),
    "pathway.register-history": Action("pathway-register-history", lambda w: ["incident", w.incident.pk]),
    # plans and organizations: public pages that keep some things to some people
    "plans.checks-panel": Action("plan-detail", _plan, hidden=(CHECKS_TITLE,)),
    "plans.measure-history-link": Action(
        "measure-detail", lambda w: [PLAN, 1], hidden=(f"/plans/{PLAN}/mesures/1/historique/",)
    ),
    "plans.measure-draft": Action("measure-detail", lambda w: [PLAN, 1], hidden=(DRAFT_TEXT,)),
    "plans.measure-unpublished-recommendation": Action(
        "measure-detail", lambda w: [PLAN, 1], hidden=(REC_HIDDEN_TITLE,)
    ),
    "plans.measure-unreadable-case": Action("measure-detail", lambda w: [PLAN, 1], hidden=(CASE_TITLE,)),
    "plans.api-draft": Action("api-plan-status", _plan, hidden=(DRAFT_TEXT,)),
    "plans.unpublished-state": Action("plan-detail", _plan, hidden=(UNPUBLISHED_STATE,)),
    "plans.unpublished-state-of-measure": Action(
        "measure-detail", lambda w: [PLAN, 1], query="?as_of=2024-03-31", hidden=(UNPUBLISHED_STATE,)
    ),
    "plans.publish-date-page": Action("plan-publish-date", lambda w: [PLAN, "2024-03-31"]),
    "plans.publish-date": Action("plan-publish-date", lambda w: [PLAN, "2024-03-31"], "post"),
    "plans.csv-draft": Action("plan-status-csv", _plan, hidden=(DRAFT_TEXT,)),
    "organizations.unpublished-recommendation": Action(
        "organization-detail", lambda w: ["responsable"], hidden=(REC_HIDDEN_TITLE,)
    ),
    # audit
    "audit.measure-history": Action("measure-history", lambda w: [PLAN, 1]),
    # reports
    "reports.report-page": Action("report-page", _plan),
    "reports.download-working-report": Action("report-download", _plan, query="?as_of=2023-03-31&format=csv"),
    "reports.prepare-working-report": Action(
        "report-prepare", _plan, "post", lambda w: {"as_of": "2023-03-31", "format": "xlsx"}
    ),
    "reports.publish": Action("report-publish", _plan, "post", lambda w: {"as_of": "2023-03-31"}),
    "body_b.publish-date": Action("plan-publish-date", lambda w: [PLAN_B, "2024-03-31"], "post"),
    # accounts
    "accounts.invitation-page": Action("invitation-create"),
    "accounts.invite": Action(
        "invitation-create",
        method="post",
        data=lambda w: {"email": "invitee@example.org", "organization": w.lead.pk, "role": Role.EDITOR},
    ),
    "accounts.grant-coordinator": Action(
        "invitation-create",
        method="post",
        data=lambda w: {
            "email": "coordo2@example.org",
            "organization": w.office.pk,
            "role": Role.COORDINATOR,
        },
    ),
    # campaigns
    "campaigns.open-campaign": Action(
        "campaign-open",
        _plan,
        "post",
        lambda w: {
            "as_of": "2025-03-31",
            "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
    ),
    "campaigns.campaign-list": Action("campaign-list", _plan),
    "campaigns.dashboard": Action("campaign-dashboard", lambda w: [PLAN, CAMPAIGN_AS_OF.isoformat()]),
    "campaigns.remind-now": Action(
        "campaign-remind",
        lambda w: [PLAN, CAMPAIGN_AS_OF.isoformat()],
        "post",
        lambda w: {"organization": "responsable"},
    ),
    "campaigns.late-export": Action(
        "campaign-late-export", lambda w: [PLAN, CAMPAIGN_AS_OF.isoformat(), "csv"]
    ),
    "plans.checks-page": Action("plan-checks", _plan),
    "campaigns.read-draft": Action("draft-detail", _draft_args(1), hidden=(DRAFT_TEXT,)),
    "campaigns.read-draft-of-measure-2": Action("draft-detail", _draft_args(2)),
    "campaigns.save-draft": Action(
        "draft-save", _draft_args(1), "post", lambda w: _form(w.draft(1), narrative="Modifié.")
    ),
    "campaigns.save-draft-of-measure-2": Action(
        "draft-save", _draft_args(2), "post", lambda w: _form(w.draft(2), narrative="Modifié.")
    ),
    "campaigns.submit": Action("draft-save", _draft_args(1), "post", lambda w: _form(w.draft(1), submit="1")),
    "campaigns.save-stale-version": Action(
        "draft-save",
        _draft_args(1),
        "post",
        lambda w: _form(w.draft(1), version=w.draft(1).version - 1, narrative="Saisie périmée."),
        prepare=_save_measure_1_elsewhere,
    ),
    "campaigns.validate": Action(
        "draft-review",
        _draft_args(1),
        "post",
        lambda w: {"action": "validate", "version": w.draft(1).version},
        prepare=_submit_measure_1,
    ),
    "campaigns.return": Action(
        "draft-review",
        _draft_args(1),
        "post",
        lambda w: {"action": "return", "comment": "À revoir.", "version": w.draft(1).version},
        prepare=_submit_measure_1,
    ),
    "campaigns.comment": Action("draft-comment", _draft_args(1), "post", lambda w: {"text": "Remarque."}),
    # recommendations
    "recommendations.read-draft": Action(
        "recommendation-detail", _number("REC-2024-001"), hidden=(REC_DRAFT_TITLE,)
    ),
    "recommendations.read-unpublished": Action(
        "recommendation-detail", _number("REC-2024-002"), hidden=(REC_HIDDEN_TITLE,)
    ),
    "recommendations.register-filtered-on-drafts": Action(
        "recommendation-list", query="?etat=draft", hidden=(REC_DRAFT_TITLE,)
    ),
    "recommendations.register-filtered-on-addressee": Action(
        "recommendation-list", query="?destinataire=responsable&etat=received", hidden=(REC_HIDDEN_TITLE,)
    ),
    "recommendations.search-draft": Action(
        "recommendation-search", query="?q=stages", hidden=(REC_DRAFT_TITLE,)
    ),
    "recommendations.search-unpublished": Action(
        "recommendation-search", query="?q=stages", hidden=(REC_HIDDEN_TITLE,)
    ),
    "recommendations.my-recommendations": Action("recommendation-mine", hidden=(REC_HIDDEN_TITLE,)),
    "recommendations.read-unpublished-answer": Action(
        "recommendation-detail", _number("REC-2024-003"), hidden=(ANSWER_TEXT, "reponse-confidentielle.pdf")
    ),
    "recommendations.register-unpublished-answer": Action("recommendation-list", hidden=(ANSWER_DATE,)),
    "recommendations.download-attachment": Action("recommendation-attachment", lambda w: [w.letter.pk]),
    "recommendations.download-answer-attachment": Action(
        "recommendation-attachment", lambda w: [w.reply_letter.pk]
    ),
    "recommendations.create-page": Action("recommendation-create"),
    "recommendations.create": Action(
        "recommendation-create",
        method="post",
        data=lambda w: {
            "number": "REC-2099-001",
            "title": "Nouvelle",
            "text": "Texte",
            "addressee": w.lead.pk,
        },
    ),
    "recommendations.edit": Action(
        "recommendation-edit",
        _number("REC-2024-001"),
        "post",
        lambda w: {"number": "REC-2024-001", "title": "Modifiée", "text": "Texte", "addressee": w.lead.pk},
    ),
    "recommendations.send": Action(
        "recommendation-send", _number("REC-2024-001"), "post", lambda w: {"day": "2024-04-20"}
    ),
    "recommendations.receive": Action(
        "recommendation-receive", _number("REC-2024-004"), "post", lambda w: {"day": "2024-04-25"}
    ),
    "recommendations.publish": Action(
        "recommendation-publish",
        _number("REC-2024-002"),
        "post",
        lambda w: {"target": "recommendation", "action": "publish"},
    ),
    "recommendations.publish-answer": Action(
        "recommendation-publish",
        _number("REC-2024-003"),
        "post",
        lambda w: {"target": "answer", "action": "publish"},
    ),
    "recommendations.close": Action("recommendation-close", _number("REC-2024-003"), "post"),
    "recommendations.attach": Action(
        "recommendation-attach", _number("REC-2024-002"), "post", lambda w: {"document": _pdf("annexe.pdf")}
    ),
    "recommendations.answer": Action(
        "recommendation-answer", _number("REC-2024-002"), "post", lambda w: ANSWER | {"document": _pdf()}
    ),
    "recommendations.answer-form": Action("recommendation-answer", _number("REC-2024-003")),
    # cases
    "cases.read": Action("case-detail", _number("CAS-2024-001"), hidden=(CASE_TITLE,)),
    "cases.read-case-without-measure": Action(
        "case-detail", _number("CAS-2024-002"), hidden=(CASE_WITHOUT_MEASURE_TITLE,)
    ),
    "cases.unpublished-summary": Action("case-summary", _number("CAS-2024-001")),
    "cases.case-list": Action("case-list", hidden=(CASE_TITLE, CASE_WITHOUT_MEASURE_TITLE)),
    "cases.search": Action(
        "recommendation-search", query="?q=stages", hidden=(CASE_TITLE, CASE_WITHOUT_MEASURE_TITLE)
    ),
    "cases.change-state": Action("case-state", _number("CAS-2024-001"), "post", lambda w: {"to": "analysis"}),
    "cases.change-state-of-case-without-measure": Action(
        "case-state", _number("CAS-2024-002"), "post", lambda w: {"to": "analysis"}
    ),
    "cases.publish-summary": Action(
        "case-publish", _number("CAS-2024-001"), "post", lambda w: {"summary": "Résumé public."}
    ),
    # the second owning body's objects
    "body_b.measure-draft": Action("measure-detail", lambda w: [PLAN_B, 1], hidden=(B_DRAFT_TEXT,)),
    "body_b.measure-history": Action("measure-history", lambda w: [PLAN_B, 1]),
    "body_b.report-page": Action("report-page", lambda w: [PLAN_B]),
    "body_b.publish-report": Action(
        "report-publish", lambda w: [PLAN_B], "post", lambda w: {"as_of": "2023-03-31"}
    ),
    "body_b.open-campaign": Action(
        "campaign-open",
        lambda w: [PLAN_B],
        "post",
        lambda w: {
            "as_of": "2025-03-31",
            "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
    ),
    "body_b.dashboard": Action("campaign-dashboard", lambda w: [PLAN_B, CAMPAIGN_AS_OF.isoformat()]),
    "body_b.read-draft": Action("draft-detail", B_DRAFT, hidden=(B_DRAFT_TEXT,)),
    "body_b.validate": Action(
        "draft-review",
        B_DRAFT,
        "post",
        lambda w: {"action": "validate", "version": w.draft_b().version},
        prepare=_submit_measure_b,
    ),
    "body_b.read-draft-recommendation": Action(
        "recommendation-detail", _number("REC-B-001"), hidden=(B_REC_DRAFT_TITLE,)
    ),
    "body_b.read-unpublished-recommendation": Action(
        "recommendation-detail", _number("REC-B-002"), hidden=(B_REC_HIDDEN_TITLE,)
    ),
    "body_b.register-drafts": Action("recommendation-list", query="?etat=draft", hidden=(B_REC_DRAFT_TITLE,)),
    "body_b.download-attachment": Action("recommendation-attachment", lambda w: [w.letter_b.pk]),
    "body_b.edit-recommendation": Action(
        "recommendation-edit",
        _number("REC-B-001"),
        "post",
        lambda w: {"number": "REC-B-001", "title": "Modifiée", "text": "Texte", "addressee": w.b_partner.pk},
    ),
    "body_b.send": Action(
        "recommendation-send", _number("REC-B-001"), "post", lambda w: {"day": "2024-04-20"}
    ),
    "body_b.receive": Action(
        "recommendation-receive", _number("REC-B-002"), "post", lambda w: {"day": "2024-04-25"}
    ),
    "body_b.publish": Action(
        "recommendation-publish",
        _number("REC-B-002"),
        "post",
        lambda w: {"target": "recommendation", "action": "publish"},
    ),
    "body_b.close": Action("recommendation-close", _number("REC-B-003"), "post"),
    "body_b.attach": Action(
        "recommendation-attach", _number("REC-B-002"), "post", lambda w: {"document": _pdf("annexe.pdf")}
    ),
    "body_b.read-case": Action("case-detail", _number("CAS-B-001"), hidden=(B_CASE_TITLE,)),
    "body_b.case-list": Action("case-list", hidden=(B_CASE_TITLE,)),
    "body_b.change-case-state": Action(
        "case-state", _number("CAS-B-001"), "post", lambda w: {"to": "analysis"}
    ),
    "body_b.publish-case-summary": Action(
        "case-publish", _number("CAS-B-001"), "post", lambda w: {"summary": "Résumé public."}
    ),
    "body_b.invite-partner": Action(
        "invitation-create",
        method="post",
        data=lambda w: {"email": "invitee@example.org", "organization": w.b_partner.pk, "role": Role.EDITOR},
    ),
    "body_b.grant-coordinator": Action(
        "invitation-create",
        method="post",
        data=lambda w: {
            "email": "coordo-b@example.org",
            "organization": w.body_b.pk,
            "role": Role.COORDINATOR,
        },
    ),
    # admin
    "admin.index": Action("admin:index"),
    "admin.add-membership": Action(
        "admin:accounts_membership_add",
        method="post",
        data=lambda w: {
            "user": w.users["reader"].pk,
            "organization": w.office.pk,
            "role": Role.COORDINATOR,
            "created_at_0": "2024-01-01",
            "created_at_1": "12:00:00",
        },
    ),
}


def refused(*, anonymous=LOGIN, signed_in=403, allowed=(), **exceptions):
    """The refusal each role gets, leaving out the roles that may."""
    row = {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, signed_in), **exceptions}
    return {role: expected for role, expected in row.items() if role not in allowed}


EVERYONE_HIDDEN = refused(anonymous=HIDDEN, signed_in=HIDDEN)
PARTNERS = ("collaborator", "other_editor", "lead_editor")

# action: {role: what the role gets}. A role left out may do the action.
REFUSED = {
    # The Office's coordination is no analyst: pathway data take the role.
    "pathway.diagnosis": refused(coordinator=403),
    "pathway.release-register": refused(coordinator=403),
    "pathway.prepare-release": refused(coordinator=403),
    "pathway.decide-release": refused(coordinator=403),
    "pathway.upload": refused(),
    "pathway.upload-detail": refused(signed_in=404),
    "pathway.error-report": refused(signed_in=404),
    "pathway.submissions": refused(),
    "pathway.registers": refused(),
    "pathway.record-agreement": refused(),
    "pathway.edit-agreement": refused(),
    "pathway.record-incident": refused(),
    "pathway.edit-incident": refused(),
    "pathway.register-history": refused(),
    "plans.checks-panel": EVERYONE_HIDDEN,
    "plans.measure-history-link": EVERYONE_HIDDEN,
    "plans.measure-draft": EVERYONE_HIDDEN,
    "plans.measure-unpublished-recommendation": refused(
        anonymous=HIDDEN, signed_in=HIDDEN, allowed=("lead_editor",)
    ),
    "plans.measure-unreadable-case": EVERYONE_HIDDEN,
    "plans.api-draft": EVERYONE_HIDDEN,
    "plans.unpublished-state": EVERYONE_HIDDEN,
    # The partners of measure 1 see its new state; to everyone else the date does not exist.
    "plans.unpublished-state-of-measure": refused(
        anonymous=400, signed_in=400, allowed=("lead_editor", "collaborator")
    ),
    "plans.publish-date-page": refused(),
    "plans.publish-date": refused(),
    "plans.csv-draft": EVERYONE_HIDDEN,
    "organizations.unpublished-recommendation": refused(
        anonymous=HIDDEN, signed_in=HIDDEN, allowed=("lead_editor",)
    ),
    "audit.measure-history": refused(),
    "reports.report-page": refused(),
    "reports.download-working-report": refused(),
    "reports.prepare-working-report": refused(),
    "reports.publish": refused(),
    # The second body's coordinator has an invitation page of its own, whose form
    # refuses the Office's partners and the Office itself (200, nothing written).
    "accounts.invitation-page": refused(allowed=("other_body_coordinator",)),
    "accounts.invite": refused(other_body_coordinator=200),
    "accounts.grant-coordinator": refused(other_body_coordinator=200),
    "campaigns.open-campaign": refused(),
    "campaigns.campaign-list": refused(allowed=PARTNERS),
    "campaigns.dashboard": refused(allowed=PARTNERS),
    "campaigns.remind-now": refused(),
    "campaigns.late-export": refused(),
    "plans.checks-page": refused(),
    "campaigns.read-draft": refused(allowed=("collaborator", "lead_editor")),
    "campaigns.read-draft-of-measure-2": {
        "collaborator": 403,
        "lead_editor": 403,
        "other_body_coordinator": 403,
    },
    "campaigns.save-draft": refused(allowed=("lead_editor",)),
    "campaigns.save-draft-of-measure-2": {
        "collaborator": 403,
        "lead_editor": 403,
        "other_body_coordinator": 403,
    },
    "campaigns.submit": refused(allowed=("lead_editor",)),
    "campaigns.save-stale-version": {"lead_editor": 409, "other_body_coordinator": 403},
    "campaigns.validate": refused(),
    "campaigns.return": refused(),
    "campaigns.comment": refused(allowed=("collaborator", "lead_editor")),
    "recommendations.read-draft": refused(anonymous=404, signed_in=404),
    "recommendations.read-unpublished": refused(anonymous=404, signed_in=404, allowed=("lead_editor",)),
    "recommendations.register-filtered-on-drafts": EVERYONE_HIDDEN,
    "recommendations.register-filtered-on-addressee": refused(
        anonymous=HIDDEN, signed_in=HIDDEN, allowed=("lead_editor",)
    ),
    "recommendations.search-draft": EVERYONE_HIDDEN,
    "recommendations.search-unpublished": refused(
        anonymous=HIDDEN, signed_in=HIDDEN, allowed=("lead_editor",)
    ),
    "recommendations.my-recommendations": refused(
        other_editor=HIDDEN,
        partner_coordinator=HIDDEN,
        other_body_coordinator=HIDDEN,
        allowed=("lead_editor",),
    ),
    "recommendations.read-unpublished-answer": refused(
        anonymous=HIDDEN, signed_in=HIDDEN, allowed=("lead_editor",)
    ),
    "recommendations.register-unpublished-answer": refused(
        anonymous=HIDDEN, signed_in=HIDDEN, allowed=("lead_editor",)
    ),
    "recommendations.download-attachment": refused(signed_in=404, allowed=("lead_editor",)),
    "recommendations.download-answer-attachment": refused(signed_in=404, allowed=("lead_editor",)),
    "recommendations.create-page": refused(allowed=("other_body_coordinator",)),
    "recommendations.create": refused(allowed=("other_body_coordinator",)),
    "recommendations.edit": refused(),
    "recommendations.send": refused(),
    "recommendations.receive": refused(),
    "recommendations.publish": refused(),
    "recommendations.publish-answer": refused(),
    "recommendations.close": refused(),
    "recommendations.attach": refused(),
    "recommendations.answer": refused(signed_in=404, allowed=("lead_editor",)),
    "recommendations.answer-form": refused(allowed=("lead_editor",)),
    "cases.read": refused(),
    "cases.read-case-without-measure": refused(),
    "cases.unpublished-summary": refused(anonymous=404, signed_in=404),
    "cases.case-list": EVERYONE_HIDDEN,
    "cases.search": EVERYONE_HIDDEN,
    "cases.change-state": refused(),
    "cases.change-state-of-case-without-measure": refused(),
    "cases.publish-summary": refused(),
    "admin.index": refused(signed_in=LOGIN),
    "admin.add-membership": refused(signed_in=LOGIN),
    # The Office's coordination (and a partner's coordinator) on the second body's objects.
    **{
        action: {"coordinator": expected, "partner_coordinator": 403 if expected == 200 else expected}
        for action, expected in {
            "body_b.measure-draft": HIDDEN,
            "body_b.measure-history": 403,
            "body_b.report-page": 403,
            "body_b.publish-report": 403,
            "body_b.publish-date": 403,
            "body_b.open-campaign": 403,
            "body_b.dashboard": 403,
            "body_b.read-draft": 403,
            "body_b.validate": 403,
            "body_b.read-draft-recommendation": 404,
            "body_b.read-unpublished-recommendation": 404,
            "body_b.register-drafts": HIDDEN,
            "body_b.download-attachment": 404,
            "body_b.edit-recommendation": 403,
            "body_b.send": 403,
            "body_b.receive": 403,
            "body_b.publish": 403,
            "body_b.close": 403,
            "body_b.attach": 403,
            "body_b.read-case": 403,
            "body_b.case-list": HIDDEN,
            "body_b.change-case-state": 403,
            "body_b.publish-case-summary": 403,
            # The Office's form offers only its own partners (a partner's coordinator may not invite).
            "body_b.invite-partner": 200,
            "body_b.grant-coordinator": 200,
        }.items()
    },
}

# action: the role that may do it (a page shows the hidden texts; a POST changes the database).
ALLOWED = {
    "pathway.diagnosis": "analyst",
    "pathway.release-register": "privacy_officer",
    "pathway.prepare-release": "analyst",
    "pathway.decide-release": "privacy_officer",
    "pathway.upload": "pathway_submitter",
    "pathway.upload-detail": "pathway_submitter",
    "pathway.error-report": "pathway_submitter",
    "pathway.submissions": "pathway_submitter",
    "pathway.registers": "privacy_officer",
    "pathway.record-agreement": "privacy_officer",
    "pathway.edit-agreement": "privacy_officer",
    "pathway.record-incident": "privacy_officer",
    "pathway.edit-incident": "privacy_officer",
    "pathway.register-history": "privacy_officer",
    "plans.checks-panel": "staff",
    "plans.measure-history-link": "coordinator",
    "plans.measure-unpublished-recommendation": "lead_editor",
    "plans.measure-unreadable-case": "coordinator",
    "plans.unpublished-state": "coordinator",
    "plans.unpublished-state-of-measure": "lead_editor",
    "plans.publish-date-page": "coordinator",
    "plans.publish-date": "coordinator",
    "organizations.unpublished-recommendation": "lead_editor",
    "audit.measure-history": "coordinator",
    "reports.report-page": "coordinator",
    "reports.download-working-report": "coordinator",
    "reports.prepare-working-report": "coordinator",
    "reports.publish": "coordinator",
    "accounts.invitation-page": "coordinator",
    "accounts.invite": "coordinator",
    "accounts.grant-coordinator": "coordinator",
    "campaigns.open-campaign": "coordinator",
    "campaigns.campaign-list": "coordinator",
    "campaigns.dashboard": "coordinator",
    "campaigns.remind-now": "coordinator",
    "campaigns.late-export": "coordinator",
    "plans.checks-page": "coordinator",
    "campaigns.read-draft": "collaborator",
    "campaigns.read-draft-of-measure-2": "other_editor",
    "campaigns.save-draft": "lead_editor",
    "campaigns.save-draft-of-measure-2": "other_editor",
    "campaigns.submit": "lead_editor",
    "campaigns.validate": "coordinator",
    "campaigns.return": "coordinator",
    "campaigns.comment": "collaborator",
    "recommendations.read-draft": "coordinator",
    "recommendations.read-unpublished": "lead_editor",
    "recommendations.register-filtered-on-drafts": "coordinator",
    "recommendations.register-filtered-on-addressee": "lead_editor",
    "recommendations.search-draft": "coordinator",
    "recommendations.search-unpublished": "lead_editor",
    "recommendations.my-recommendations": "lead_editor",
    "recommendations.read-unpublished-answer": "lead_editor",
    "recommendations.register-unpublished-answer": "lead_editor",
    "recommendations.download-attachment": "lead_editor",
    "recommendations.download-answer-attachment": "lead_editor",
    "recommendations.create-page": "coordinator",
    "recommendations.create": "coordinator",
    "recommendations.edit": "coordinator",
    "recommendations.send": "coordinator",
    "recommendations.receive": "coordinator",
    "recommendations.publish": "coordinator",
    "recommendations.publish-answer": "coordinator",
    "recommendations.close": "coordinator",
    "recommendations.attach": "coordinator",
    "recommendations.answer": "lead_editor",
    "cases.read": "coordinator",
    "cases.read-case-without-measure": "coordinator",
    "cases.case-list": "coordinator",
    "cases.search": "coordinator",
    "cases.change-state": "coordinator",
    "cases.change-state-of-case-without-measure": "coordinator",
    "cases.publish-summary": "coordinator",
    "admin.index": "staff",
    "admin.add-membership": "superuser",
    **dict.fromkeys(
        (
            "body_b.measure-history",
            "body_b.report-page",
            "body_b.publish-report",
            "body_b.publish-date",
            "body_b.open-campaign",
            "body_b.dashboard",
            "body_b.read-draft",
            "body_b.validate",
            "body_b.read-draft-recommendation",
            "body_b.read-unpublished-recommendation",
            "body_b.register-drafts",
            "body_b.download-attachment",
            "body_b.edit-recommendation",
            "body_b.send",
            "body_b.receive",
            "body_b.publish",
            "body_b.close",
            "body_b.attach",
            "body_b.read-case",
            "body_b.case-list",
            "body_b.change-case-state",
            "body_b.publish-case-summary",
            "body_b.invite-partner",
            "body_b.grant-coordinator",
        ),
        "other_body_coordinator",
    ),
}

MATRIX = [
    pytest.param(role, action, expected, id=f"{role}-{action}")
    for action, row in REFUSED.items()
    for role, expected in row.items()
]


def test_the_matrix_names_only_known_roles_and_actions():
    assert set(REFUSED) == set(ACTIONS)
    assert set(ALLOWED) <= set(ACTIONS)
    # The Office's coordination is refused only on the second body's objects (the ``body_b`` rows).
    assert {role for row in REFUSED.values() for role in row} <= {*ROLES, "coordinator"}
    for action, role in ALLOWED.items():
        assert role not in REFUSED[action], action


def _close(response):
    """Close a response (and the file it streams) as the test client does: without
    ``close_old_connections``, which would close the test's database connection
    (on PostgreSQL, inside the test's transaction)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _run(world, role, action: Action, settings):
    client = world.client(role)
    if action.prepare:
        action.prepare(world, client)
    before = database_state(settings)
    response = getattr(client, action.method)(action.url(world), action.data(world))
    _close(response)
    return response, before, database_state(settings)


@pytest.mark.parametrize(("role", "action", "expected"), MATRIX)
def test_forbidden_action_is_refused_and_changes_nothing(world, settings, role, action, expected):
    response, before, after = _run(world, role, ACTIONS[action], settings)
    assert outcome(response, ACTIONS[action].hidden) == expected
    assert changes(before, after) == []


@pytest.mark.parametrize(("action", "role"), [pytest.param(a, r, id=f"{r}-{a}") for a, r in ALLOWED.items()])
def test_the_rightful_role_may_do_the_action(world, settings, action, role):
    response, before, after = _run(world, role, ACTIONS[action], settings)
    if ACTIONS[action].method == "get":
        assert response.status_code == 200
        if ACTIONS[action].hidden:
            page = response.content.decode()
            assert [text for text in ACTIONS[action].hidden if text not in page] == []
    else:
        assert str(outcome(response)).startswith("302 to ")  # the success redirect, not the login page
        assert changes(before, after) != []


def test_a_coordinator_of_a_partner_organization_is_not_the_coordination(world):
    """Found by this matrix: a coordinator membership in any organization used to
    open every recommendation (drafts, unpublished answers, documents, sending,
    publishing) and every case linked to no measure (reading, changing its state)."""
    partner, office = world.users["partner_coordinator"], world.users["coordinator"]
    loose_case = Case.objects.get(reference="CAS-2024-002")
    draft = Recommendation.objects.get(number="REC-2024-001")
    assert not account_rules.is_any_coordinator(partner) and account_rules.is_any_coordinator(office)
    assert not recommendation_rules.may_coordinate(partner, draft)
    assert recommendation_rules.may_coordinate(office, draft)
    assert not case_rules.can_read_case(partner, loose_case) and case_rules.can_read_case(office, loose_case)
    assert not case_rules.can_edit_case(partner, loose_case) and case_rules.can_edit_case(office, loose_case)


# --- two owning bodies ----------------------------------------------------------------------


def test_a_recommendation_drafted_by_the_second_body_is_its_own(world):
    client = world.client("other_body_coordinator")
    response = client.post(reverse("recommendation-create"), ACTIONS["recommendations.create"].data(world))
    assert response.status_code == 302
    assert Recommendation.objects.get(number="REC-2099-001").owner == world.body_b
    assert not recommendation_rules.may_coordinate(
        world.users["coordinator"], Recommendation.objects.get(number="REC-2099-001")
    )


def test_a_coordinator_of_several_bodies_chooses_the_owner_of_a_new_recommendation(world):
    from concerto.accounts.models import Membership

    coordinator = world.users["coordinator"]
    Membership.objects.create(user=coordinator, organization=world.body_b, role=Role.COORDINATOR)
    client = world.client("coordinator")
    page = client.get(reverse("recommendation-create")).content.decode()
    assert 'name="owner"' in page
    data = ACTIONS["recommendations.create"].data(world) | {"owner": world.body_b.pk}
    assert client.post(reverse("recommendation-create"), data).status_code == 302
    assert Recommendation.objects.get(number="REC-2099-001").owner == world.body_b


def test_the_invitation_form_offers_only_the_organizations_taking_part(world):
    offered = world.client("coordinator").get(reverse("invitation-create")).context["form"]
    office_choices = set(offered.fields["organization"].queryset.values_list("code", flat=True))
    assert {"office", "responsable", "collaboratrice", "autre"} <= office_choices
    assert not {"autre-organisme", "partenaire-b"} & office_choices
    offered = world.client("other_body_coordinator").get(reverse("invitation-create")).context["form"]
    assert set(offered.fields["organization"].queryset.values_list("code", flat=True)) == {
        "autre-organisme",
        "partenaire-b",
    }


def test_the_service_refuses_an_invitation_outside_what_the_inviter_coordinates(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        invite(
            email="x@example.org",
            organization=world.lead,
            role=Role.EDITOR,
            invited_by=world.users["other_body_coordinator"],
        )
    with pytest.raises(PermissionDenied):
        invite(
            email="x@example.org",
            organization=world.body_b,
            role=Role.COORDINATOR,
            invited_by=world.users["coordinator"],
        )
    assert not Invitation.objects.exists()


def test_memberships_are_read_once_per_request(world):
    """Pages that ask several apps' rules (drafts, recommendations, cases,
    history link) read the person's memberships in a single query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client("coordinator")
    for url in (
        reverse("measure-detail", args=[PLAN, 1]),
        reverse("recommendation-detail", args=["REC-2024-002"]),
        reverse("recommendation-list"),
        reverse("case-list"),
        reverse("draft-detail", args=[PLAN, CAMPAIGN_AS_OF.isoformat(), 1]),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        reads = [q["sql"] for q in queries if 'FROM "accounts_membership"' in q["sql"]]
        assert len(reads) == 1, (url, reads)


OWNED_ADMIN = {
    "recommendations.recommendation": ("REC-2024-002", "REC-B-002"),
    "recommendations.answer": ("REC-2024-003", "REC-B-003"),
    "cases.case": ("CAS-2024-001", "CAS-B-001"),
    "campaigns.campaign": (PLAN, PLAN_B),
    "campaigns.draft": (PLAN, PLAN_B),
}


def _staff_coordinator_of_body_b(world):
    """The second body's coordinator, made staff with every permission on owned objects."""
    from django.contrib.auth.models import Permission

    user = world.users["other_body_coordinator"]
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["recommendations", "cases", "campaigns", "reports"]
        )
    )
    return world.client("other_body_coordinator")


def _owned_object(model_label, key):
    model = apps.get_model(model_label)
    lookups = {
        "recommendations.recommendation": {"number": key},
        "recommendations.answer": {"recommendation__number": key},
        "cases.case": {"reference": key},
        "campaigns.campaign": {"plan__slug": key},
        "campaigns.draft": {"campaign__plan__slug": key},
    }
    return model.objects.filter(**lookups[model_label]).order_by("pk").first()


@pytest.mark.parametrize("model_label", list(OWNED_ADMIN))
def test_a_staff_coordinator_sees_in_the_admin_only_what_its_body_owns(world, model_label):
    client = _staff_coordinator_of_body_b(world)
    office_key, own_key = OWNED_ADMIN[model_label]
    app_label, model_name = model_label.split(".")
    listed = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert listed.status_code == 200
    shown = {obj.pk for obj in listed.context["cl"].result_list}
    assert _owned_object(model_label, own_key).pk in shown
    office_object = _owned_object(model_label, office_key)
    assert office_object.pk not in shown
    change = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[office_object.pk]))
    assert change.status_code == 302  # "does not exist": sent back to the admin index
    assert (
        client.get(
            reverse(f"admin:{app_label}_{model_name}_change", args=[_owned_object(model_label, own_key).pk])
        ).status_code
        == 200
    )


@pytest.mark.parametrize("url_name", ["report-page", "report-download"])
def test_a_staff_coordinator_of_another_body_cannot_use_the_offices_report_page(world, url_name):
    client = _staff_coordinator_of_body_b(world)
    query = "?as_of=2023-03-31&format=csv" if url_name == "report-download" else ""
    assert client.get(reverse(url_name, args=[PLAN]) + query).status_code == 403
    assert client.get(reverse(url_name, args=[PLAN_B]) + query).status_code == 200


def test_a_staff_coordinator_cannot_give_a_new_recommendation_to_another_body(world):
    client = _staff_coordinator_of_body_b(world)
    form = client.get(reverse("admin:recommendations_recommendation_add")).context["adminform"].form
    assert list(form.fields["owner"].queryset) == [world.body_b]


def test_the_report_admin_shows_a_staff_coordinator_only_its_bodys_publications(world):
    from concerto.reports.services import publish_report

    publish_report(plan=world.plan, as_of=datetime.date(2023, 3, 31), user=world.users["coordinator"])
    client = _staff_coordinator_of_body_b(world)
    listed = client.get(reverse("admin:reports_publication_changelist"))
    assert listed.status_code == 200 and list(listed.context["cl"].result_list) == []


# --- uploads that are not what they claim ------------------------------------------------

BAD_UPLOADS = {
    "html-renamed-pdf": ("rapport.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "contenu"),
    "exe-renamed-pdf": ("rapport.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56, "contenu"),
    "pdf-renamed-docx": ("rapport.docx", PDF_BYTES, "extension ne correspond pas"),
    "zip-renamed-docx": ("rapport.docx", _office_zip("autre"), "contenu"),
    "oversized-pdf": ("rapport.pdf", PDF_BYTES + b"0" * (10 * MIB), "limite"),
}

# The two ways to upload a document: the Office attaches one to a recommendation,
# the addressee files its answer with its letter.
UPLOAD_ENDPOINTS = {
    "coordinator-attach": ("coordinator", "recommendation-attach", {}),
    "lead_editor-answer": ("lead_editor", "recommendation-answer", ANSWER),
}


@pytest.mark.parametrize("upload", list(BAD_UPLOADS))
@pytest.mark.parametrize("endpoint", list(UPLOAD_ENDPOINTS))
def test_an_upload_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(
    world, settings, endpoint, upload
):
    role, url_name, fields = UPLOAD_ENDPOINTS[endpoint]
    name, content, reason = BAD_UPLOADS[upload]
    client = world.client(role)
    before = database_state(settings)
    response = client.post(
        reverse(url_name, args=["REC-2024-002"]),
        fields | {"document": SimpleUploadedFile(name, content, content_type="application/pdf")},
        follow=True,
    )
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert f"Le fichier « {name} » est refusé" in page and reason in page
    assert changes(before, database_state(settings)) == []


def _multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    """A form body whose file name is sent as is (the test client would strip its directories)."""
    boundary = "concerto-security-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="document"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


HOSTILE_NAMES = {
    "parent-directories": ("../../etc/passwd.pdf", "passwd.pdf"),
    "windows-path": ("..\\..\\Windows\\system.pdf", "system.pdf"),
    "absolute-path": ("/etc/passwd.pdf", "passwd.pdf"),
    "html-encoded-slashes": ("..&#x2F;..&#x2F;secret.pdf", "secret.pdf"),
    "drive-letter": ("C:rapport.pdf", "Crapport.pdf"),
    "markup-and-slash": ("<script>alert(1)</script>.pdf", "script.pdf"),
}


@pytest.mark.parametrize("hostile", list(HOSTILE_NAMES))
@pytest.mark.parametrize("endpoint", list(UPLOAD_ENDPOINTS))
def test_a_hostile_file_name_is_stored_under_a_generated_name_and_served_sanitized(
    world, settings, endpoint, hostile
):
    role, url_name, fields = UPLOAD_ENDPOINTS[endpoint]
    sent, expected = HOSTILE_NAMES[hostile]
    body, content_type = _multipart(fields, sent, PDF_BYTES)
    client = world.client(role)
    known = set(Attachment.objects.values_list("pk", flat=True))
    response = client.post(reverse(url_name, args=["REC-2024-002"]), body, content_type=content_type)
    assert response.status_code == 302
    (attachment,) = Attachment.objects.exclude(pk__in=known)
    assert attachment.original_name == expected
    assert re.fullmatch(r"recommandations/\d{4}/[0-9a-f]{32}\.pdf", attachment.file.name)
    root = Path(settings.MEDIA_ROOT).resolve()
    assert Path(attachment.file.path).resolve().is_relative_to(root)
    assert Path(attachment.file.path).read_bytes() == PDF_BYTES
    download = client.get(reverse("recommendation-attachment", args=[attachment.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    _close(download)


# --- accounts: enumeration and invitation links -------------------------------------------


def _login_page(response, typed_username) -> str:
    """The page, without what differs from one request to the next."""
    page = response.content.decode().replace(typed_username, "…")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


@pytest.mark.parametrize("who", ["unknown-user", "deactivated-account"])
def test_login_answers_exactly_as_for_a_wrong_password(world, django_user_model, who):
    if who == "deactivated-account":
        django_user_model.objects.create_user("ancien", password=GOOD_PASSWORD, is_active=False)
        username, password = "ancien", GOOD_PASSWORD
    else:
        username, password = "personne-inconnue", "mauvais"
    wrong_password = login(Client(), "responsable", "mauvais")
    other = login(Client(), username, password)
    assert wrong_password.status_code == other.status_code == 200
    assert wrong_password.context["form"].errors == other.context["form"].errors
    assert _login_page(wrong_password, "responsable") == _login_page(other, username)


def test_login_never_redirects_to_another_site(world):
    response = Client().post(
        reverse("login"),
        {"username": "responsable", "password": "x", "next": "https://pirate.example.org/"},
    )
    assert response["Location"] == reverse("my-tasks")


def test_password_reset_answers_an_unknown_address_as_a_known_one(world):
    known = reset(Client(), "responsable@example.org")
    unknown = reset(Client(), "inconnu@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [["responsable@example.org"]]


INVITATION_LINKS = {"accepted": 410, "expired": 410, "revoked": 410, "unknown": 404}


def _invitation_token(world, state: str) -> str:
    invitation, token = invite(
        email="invitee@example.org",
        organization=world.lead,
        role=Role.EDITOR,
        invited_by=world.users["coordinator"],
    )
    if state == "accepted":
        accept_invitation(token=token, password=GOOD_PASSWORD, first_name="Marie", last_name="Tremblay")
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    elif state == "revoked":
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    elif state == "unknown":
        token = token[::-1]
    return token


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(INVITATION_LINKS))
def test_a_used_expired_revoked_or_unknown_invitation_link_is_refused(world, settings, role, state):
    url = reverse("invitation-accept", args=[_invitation_token(world, state)])
    client = world.client(role)
    signed_in = signed_in_user_id(client)
    before = database_state(settings)
    assert client.get(url).status_code == INVITATION_LINKS[state]
    response = client.post(url, accept_data(password="Un-autre-mot-2024"))
    assert response.status_code == INVITATION_LINKS[state]
    assert changes(before, database_state(settings)) == []
    assert signed_in_user_id(client) == signed_in


# --- CSRF and HTTP methods ----------------------------------------------------------------


def _new_invitation(world, client):
    world.token = _invitation_token(world, "pending")


def _open_reset_link(world, client):
    """Follow the e-mailed link: Django keeps the token in the session and shows a form."""
    user = world.users["lead_editor"]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    world.set_password_url = client.get(link)["Location"]


SIGN_IN_AND_OUT = {
    "accounts.login": (
        "anonymous",
        Action("login", method="post", data=lambda w: {"username": "responsable", "password": "x"}),
    ),
    "accounts.logout": ("lead_editor", Action("logout", method="post")),
    "accounts.password-reset": (
        "anonymous",
        Action("password_reset", method="post", data=lambda w: {"email": "responsable@example.org"}),
    ),
    "accounts.password-reset-confirm": (
        "anonymous",
        Action(
            "password_reset_confirm",
            lambda w: w.set_password_url.strip("/").split("/")[-2:],
            "post",
            lambda w: {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
            prepare=_open_reset_link,
        ),
    ),
    "accounts.invitation-accept": (
        "anonymous",
        Action(
            "invitation-accept", lambda w: [w.token], "post", lambda w: accept_data(), prepare=_new_invitation
        ),
    ),
    "admin.login": (
        "anonymous",
        Action("admin:login", method="post", data=lambda w: {"username": "admin", "password": "x"}),
    ),
}


def _ciq_as(who):
    """A CIQ consultation of two orders (tests/support/ciq.py), the client signed in as ``who``."""

    def prepare(world, client):
        from .support.ciq import build_world

        world.ciq = build_world(state="draft" if who == "staff" else "open")
        client.force_login(getattr(world.ciq, who))

    return prepare


def _ciq_consultation(w):
    return [w.ciq.consultation.pk]


# The CIQ's POST routes, each by the role that may use it (its role matrix is in test_ciq_views.py).
CIQ_POSTS = {
    f"ciq.{name}": (
        "no_membership",
        Action(name, args, "post", data, prepare=_ciq_as(who)),
    )
    for name, args, data, who in [
        ("ciq-dossier-create", lambda w: [], lambda w: {"reference": "CIQ-2099-001", "title": "X"}, "staff"),
        ("ciq-dossier-edit", lambda w: [w.ciq.dossier.reference], lambda w: {"title": "X"}, "staff"),
        ("ciq-document-add", lambda w: [w.ciq.dossier.reference], lambda w: {"file": _pdf()}, "staff"),
        ("ciq-consultation-create", lambda w: [w.ciq.dossier.reference], lambda w: {"title": "X"}, "staff"),
        ("ciq-consultation-edit", _ciq_consultation, lambda w: {"title": "X"}, "staff"),
        ("ciq-consultation-open", _ciq_consultation, lambda w: {}, "staff"),
        ("ciq-consultation-close", _ciq_consultation, lambda w: {}, "staff"),
        (
            "ciq-answer-consent",
            lambda w: [w.ciq.consultation.pk, w.ciq.order_a.code],
            lambda w: {"agreed_on": "2025-07-01", "agreed_by": "X"},
            "staff",
        ),
        (
            "ciq-answer",
            _ciq_consultation,
            lambda w: {"position": "favourable", "version": "1"},
            "respondent_a",
        ),
        ("ciq-answer-attach", _ciq_consultation, lambda w: {"file": _pdf()}, "respondent_a"),
    ]
}


def _opinion_as_ciq_staff(world, client):
    """An adopted CIQ opinion (tests/support/opinions.py), the client signed in as the CIQ's staff."""
    from .support.opinions import build_world as build_opinion_world
    from .support.opinions import opinion_at

    world.op = build_opinion_world()
    world.op.opinion = opinion_at(world.op, "adopted")
    client.force_login(world.op.people["ciq"])


def _opinion_reference(w):
    return [w.op.opinion.reference]


# The opinions' POST routes, by the CIQ's staff (their role matrix is in test_opinion_views.py).
OPINION_POSTS = {
    f"opinions.{name}": (
        "no_membership",
        Action(name, args, "post", data, prepare=_opinion_as_ciq_staff),
    )
    for name, args, data in [
        (
            "opinion-create",
            lambda w: [w.op.dossier.reference],
            lambda w: {"reference": "AVIS-X", "title": "X"},
        ),
        ("opinion-edit", _opinion_reference, lambda w: {"text": "Texte.", "based_on": "1"}),
        ("opinion-paragraph-citations", lambda w: [w.op.opinion.reference, 1], lambda w: {"paragraph": "1"}),
        ("opinion-adopt", _opinion_reference, lambda w: {"adopted_on": "2025-03-01"}),
        ("opinion-send", _opinion_reference, lambda w: {"sent_on": "2025-03-10", "letter": _pdf()}),
        ("opinion-publish", _opinion_reference, lambda w: {}),
        ("opinion-event", _opinion_reference, lambda w: {"kind": "made", "happened_on": "2025-06-01"}),
        ("opinion-event-delete", lambda w: [w.op.opinion.reference, 1], lambda w: {}),
        ("opinion-point", _opinion_reference, lambda w: {"key": "x"}),
        ("opinion-publish-answer", _opinion_reference, lambda w: {"consent": "1"}),
    ]
}


def _groups_as(who):
    """Two CIQ groups (tests/support/groups.py), the client signed in as ``who``."""

    def prepare(world, client):
        from .support.groups import build_world as build_groups_world

        world.groups = build_groups_world()
        client.force_login(getattr(world.groups, who))

    return prepare


def _group_meeting(w):
    return [w.groups.meeting.pk]


# The groups' POST routes, each by the role that may use it (their role matrix is in test_groups_views.py).
GROUP_POSTS = {
    f"groups.{name}": (
        "no_membership",
        Action(name, args, "post", data, prepare=_groups_as(who)),
    )
    for name, args, data, who in [
        (
            "groups-create",
            lambda w: [],
            lambda w: {"kind": "committee", "name": "X", "slug": "x"},
            "ciq_staff",
        ),
        ("groups-edit", lambda w: [w.groups.group.slug], lambda w: {"name": "X"}, "ciq_staff"),
        ("groups-member-add", lambda w: [w.groups.group.slug], lambda w: {"name": "X"}, "ciq_staff"),
        (
            "groups-member-end",
            lambda w: [w.groups.membership.pk],
            lambda w: {"term_end": "2025-01-31"},
            "ciq_staff",
        ),
        (
            "groups-meeting-create",
            lambda w: [w.groups.group.slug],
            lambda w: {"starts_at": "2030-01-01T09:00", "ends_at": "2030-01-01T10:00", "place": "X"},
            "ciq_staff",
        ),
        ("groups-meeting-edit", _group_meeting, lambda w: {"place": "Y"}, "ciq_staff"),
        ("groups-meeting-cancel", _group_meeting, lambda w: {}, "ciq_staff"),
        ("groups-agenda-add", _group_meeting, lambda w: {"title": "X"}, "ciq_staff"),
        ("groups-document-add", lambda w: [w.groups.item.pk], lambda w: {"file": _pdf()}, "ciq_staff"),
        ("groups-attendance", _group_meeting, lambda w: {}, "ciq_staff"),
        ("groups-minutes", _group_meeting, lambda w: {"body": "X"}, "ciq_staff"),
        ("groups-minutes-adopt", _group_meeting, lambda w: {"at": w.groups.later.pk}, "ciq_staff"),
        ("groups-decision-add", _group_meeting, lambda w: {"text": "X"}, "ciq_staff"),
        ("groups-action-add", _group_meeting, lambda w: {"text": "X"}, "ciq_staff"),
        ("groups-action-done", lambda w: [w.groups.action.pk], lambda w: {}, "member"),
        ("groups-calendar-token", lambda w: [], lambda w: {}, "member"),
    ]
}


def _activities_as(who):
    """A CIQ session open to two orders' readers (tests/support/activities.py), the client signed in as
    ``who``; person A holds a registration (for the cancellation)."""

    def prepare(world, client):
        from concerto.activities.models import Registration

        from .support.activities import build_world as build_activities_world

        world.act = build_activities_world()
        world.act.registration = Registration.objects.create(
            session=world.act.session,
            user=world.act.person_a,
            organization=world.act.order_a,
            status="registered",
        )
        client.force_login(getattr(world.act, who))

    return prepare


# The activities' POST routes, each by the role that may use it (their role matrix is in
# test_activities_views.py).
ACTIVITY_POSTS = {
    f"activities.{name}": (
        "no_membership",
        Action(name, args, "post", data, prepare=_activities_as(who)),
    )
    for name, args, data, who in [
        ("activity-register", lambda w: [w.act.session.pk], lambda w: {}, "person_b"),
        ("activity-cancel", lambda w: [w.act.registration.pk], lambda w: {}, "person_a"),
        ("activity-attendance", lambda w: [w.act.session.pk], lambda w: {}, "staff"),
        ("activity-create", lambda w: [], lambda w: {"kind": "webinar", "title": "X", "slug": "x"}, "staff"),
        ("activity-edit", lambda w: [w.act.session.activity.slug], lambda w: {"title": "X"}, "staff"),
        (
            "activity-session-create",
            lambda w: [w.act.session.activity.slug],
            lambda w: {"capacity": "3"},
            "staff",
        ),
        ("activity-session-edit", lambda w: [w.act.session.pk], lambda w: {"capacity": "3"}, "staff"),
    ]
}


def _information_as_ciq_staff(world, client):
    """A draft and a published document of the CIQ's library and a content page, the client
    signed in as the CIQ's staff (the role matrix is in test_information_views.py)."""
    from .factories import InformationDocumentFactory, InformationPageFactory, ciq_organization

    ciq = ciq_organization()
    world.info_draft = InformationDocumentFactory(owner=ciq, draft=True)
    world.info_published = InformationDocumentFactory(owner=ciq)
    world.info_page = InformationPageFactory(owner=ciq, slug="page-de-contenu")
    client.force_login(UserFactory(coordinator_of=ciq))


# The CIQ's public information's POST routes, by the CIQ's staff.
INFORMATION_POSTS = {
    f"information.{name}": (
        "no_membership",
        Action(name, args, "post", data, prepare=_information_as_ciq_staff),
    )
    for name, args, data in [
        ("information-document-create", lambda w: [], lambda w: {"title": "X", "kind": "study"}),
        ("information-document-edit", lambda w: [w.info_draft.pk], lambda w: {"title": "X"}),
        ("information-document-publish", lambda w: [w.info_draft.pk], lambda w: {}),
        ("information-document-unpublish", lambda w: [w.info_published.pk], lambda w: {}),
        ("information-page-create", lambda w: [], lambda w: {"slug": "x", "title": "X", "body": "X"}),
        ("information-page-edit", lambda w: [w.info_page.slug], lambda w: {"title": "X", "body": "X"}),
    ]
}

# Every POST, by someone who may make it: only the missing token stops it.
CSRF = (
    {name: (role, ACTIONS[name]) for name, role in ALLOWED.items() if ACTIONS[name].method == "post"}
    | SIGN_IN_AND_OUT
    | CIQ_POSTS
    | OPINION_POSTS
    | GROUP_POSTS
    | ACTIVITY_POSTS
    | INFORMATION_POSTS
)


@pytest.mark.parametrize(("role", "action"), [pytest.param(*CSRF[n], id=f"{CSRF[n][0]}-{n}") for n in CSRF])
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(world, settings, role, action):
    client = world.client(role, enforce_csrf_checks=True)
    if action.prepare:
        action.prepare(world, client)
    signed_in = signed_in_user_id(client)
    before = database_state(settings)
    response = client.post(action.url(world), action.data(world))
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    assert changes(before, database_state(settings)) == []
    assert signed_in_user_id(client) == signed_in


GET, POST, FORM = "GET", "POST", "GET and POST"

# Every route of the project (the admin's are Django's own) and the methods it accepts.
ROUTES = {
    "health": GET,
    "alive": GET,
    "home": GET,
    "organization-list": GET,
    "organization-detail": GET,
    "plan-detail": GET,
    "measure-detail": GET,
    "plan-publish-date": FORM,
    "my-tasks": GET,
    "api-plan-status": GET,
    "api-docs": GET,
    "api-openapi": GET,
    "api-recommendations": GET,
    "api-cases": GET,
    "api-organizations": GET,
    "plan-status-csv": GET,
    "plan-status-xlsx": GET,
    "measure-history": GET,
    "report-page": GET,
    "report-download": GET,
    "report-prepare": POST,
    "report-publish": POST,
    "published-document": GET,
    "login": FORM,
    "logout": POST,
    "password_reset": FORM,
    "password_reset_done": GET,
    "password_reset_confirm": FORM,
    "password_reset_complete": GET,
    "invitation-create": FORM,
    "invitation-accept": FORM,
    "campaign-list": GET,
    "campaign-open": POST,
    "campaign-dashboard": GET,
    "campaign-remind": POST,
    "campaign-late-export": GET,
    "plan-checks": GET,
    "accessibility": GET,
    "privacy": GET,
    "contact": GET,
    "draft-detail": GET,
    "draft-save": POST,
    "draft-review": POST,
    "draft-comment": POST,
    "recommendation-list": GET,
    "recommendation-mine": GET,
    "recommendation-search": GET,
    "recommendation-detail": GET,
    "recommendation-attachment": GET,
    "recommendation-create": FORM,
    "recommendation-edit": FORM,
    "recommendation-send": POST,
    "recommendation-receive": POST,
    "recommendation-publish": POST,
    "recommendation-close": POST,
    "recommendation-attach": POST,
    "recommendation-answer": FORM,
    "case-list": GET,
    "case-detail": GET,
    "case-summary": GET,
    "case-state": POST,
    "case-publish": POST,
    "ciq-home": GET,
    "ciq-dossier-list": GET,
    "ciq-dossier-create": FORM,
    "ciq-dossier": GET,
    "ciq-dossier-edit": FORM,
    "ciq-document-add": POST,
    "ciq-consultation-create": FORM,
    "ciq-document": GET,
    "ciq-consultation": GET,
    "ciq-consultation-edit": FORM,
    "ciq-consultation-open": POST,
    "ciq-consultation-close": POST,
    "ciq-synthesis-article": GET,
    "ciq-synthesis-export": GET,
    "ciq-staff-answer": GET,
    "ciq-answer-consent": POST,
    "ciq-answer": FORM,
    "ciq-answer-attach": POST,
    "ciq-answer-attachment": GET,
    "ciq-my-consultations": GET,
    "opinion-library": GET,
    "opinion-staff-list": GET,
    "opinion-create": FORM,
    "opinion-document": GET,
    "opinion-dossier-story": GET,
    "opinion-consultation-reflection": GET,
    "opinion-public": GET,
    "opinion-letter": GET,
    "opinion-workspace": GET,
    "opinion-edit": FORM,
    "opinion-diff": GET,
    "opinion-citations": GET,
    "opinion-paragraph-citations": FORM,
    "opinion-adopt": POST,
    "opinion-send": POST,
    "opinion-publish": POST,
    "opinion-event": POST,
    "opinion-event-delete": POST,
    "opinion-point": POST,
    "opinion-publish-answer": POST,
    "pathway-diagnosis": GET,
    "pathway-order-indicators": GET,
    "pathway-release-register": GET,
    "pathway-release-prepare": FORM,
    "pathway-release-detail": GET,
    "pathway-release-decide": POST,
    "pathway-public": GET,
    "pathway-public-release": GET,
    "pathway-release-file": GET,
    "pathway-dictionary": GET,
    "pathway-schema": GET,
    "pathway-template": GET,
    "pathway-pseudonymiser": GET,
    "pathway-submissions": GET,
    "pathway-upload": FORM,
    "pathway-upload-detail": GET,
    "pathway-upload-errors": GET,
    "pathway-submission": GET,
    "pathway-registers": GET,
    "pathway-agreement-new": FORM,
    "pathway-agreement-edit": FORM,
    "pathway-incident-new": FORM,
    "pathway-incident-edit": FORM,
    "pathway-register-history": GET,
    "api-ciq-groups": GET,
    "groups-public-list": GET,
    "groups-public": GET,
    "groups-staff-list": GET,
    "groups-create": FORM,
    "groups-edit": FORM,
    "groups-workspace": GET,
    "groups-member-add": POST,
    "groups-member-end": POST,
    "groups-meeting-create": FORM,
    "groups-meeting": GET,
    "groups-meeting-edit": FORM,
    "groups-meeting-cancel": POST,
    "groups-agenda-add": POST,
    "groups-document-add": POST,
    "groups-document": GET,
    "groups-attendance": POST,
    "groups-minutes": POST,
    "groups-minutes-adopt": POST,
    "groups-decision-add": POST,
    "groups-action-add": POST,
    "groups-action-done": POST,
    "groups-mine": GET,
    "groups-calendar-token": POST,
    "groups-calendar-feed": GET,
    "api-ciq-activities": GET,
    "activity-list": GET,
    "activity-calendar": GET,
    "activity-my-registrations": GET,
    "activity-staff-list": GET,
    "activity-create": FORM,
    "activity-by-order": GET,
    "activity-order-registrations": GET,
    "activity-export": GET,
    "activity-register": POST,
    "activity-session-edit": FORM,
    "activity-session-registrations": GET,
    "activity-attendance": POST,
    "activity-session-export": GET,
    "activity-cancel": POST,
    "activity-certificate": GET,
    "activity-detail": GET,
    "activity-edit": FORM,
    "activity-session-create": FORM,
    "api-ciq-documents": GET,
    "api-ciq-orders": GET,
    "information-documents": GET,
    "information-document-create": FORM,
    "information-document-file": GET,
    "information-document-edit": FORM,
    "information-document-publish": POST,
    "information-document-unpublish": POST,
    "information-orders": GET,
    "information-order": GET,
    "information-pages": GET,
    "information-page-create": FORM,
    "information-page": GET,
    "information-page-edit": FORM,
    "information-page-history": GET,
    "information-page-diff": GET,
}
SAMPLE_ARGUMENTS = {
    "slug": PLAN,
    "number": "1",
    "as_of": "2024-03-31",
    "code": "ordre",
    "pk": "1",
    "fmt": "pdf",
    "token": "jeton",
    "uidb64": "MQ",
    "reference": "CAS-2024-001",
    "article": "1",
    "dossier_reference": "CIQ-2025-001",
    "position": "1",
    "kind": "incident",
}


def _routes(patterns, parameters=()) -> dict[str, tuple[str, ...]]:
    """Name → parameter names of every named route outside the admin."""
    found = {}
    for entry in patterns:
        names = (*parameters, *getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                found |= _routes(entry.url_patterns, names)
        elif isinstance(entry, URLPattern) and entry.name:
            found[entry.name] = names
    return found


def test_every_route_is_classified_in_this_module():
    """A new route must say here which methods it accepts, so that the CSRF and
    405 tests below cover it."""
    assert sorted(_routes(get_resolver().url_patterns)) == sorted(ROUTES)


def test_every_route_that_accepts_post_is_tried_without_csrf_token():
    tried = {action.url_name for _role, action in CSRF.values()}
    assert {name for name, methods in ROUTES.items() if methods != GET} - tried == set()


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_accepts_only_the_methods_of_the_table(db, name):
    parameters = _routes(get_resolver().url_patterns)[name]
    url = reverse(name, kwargs={p: SAMPLE_ARGUMENTS[p] for p in parameters})
    accepted = {
        method for method in ("GET", "POST") if getattr(Client(), method.lower())(url).status_code != 405
    }
    assert accepted == {GET: {"GET"}, POST: {"POST"}, FORM: {"GET", "POST"}}[ROUTES[name]]


POST_ONLY = {
    action.url_name: (role, action) for role, action in CSRF.values() if ROUTES.get(action.url_name) == POST
}


@pytest.mark.parametrize("name", sorted(name for name, methods in ROUTES.items() if methods == POST))
def test_get_on_a_post_only_endpoint_is_405_and_changes_nothing(world, settings, name):
    role, action = POST_ONLY[name]
    client = world.client(role)
    if action.prepare:
        action.prepare(world, client)
    before = database_state(settings)
    assert client.get(action.url(world)).status_code == 405
    assert changes(before, database_state(settings)) == []
