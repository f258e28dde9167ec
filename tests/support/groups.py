"""Two CIQ groups, with a person in each role the groups' tests need, and private texts to hunt for."""

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concerto.accounts.models import Role
from concerto.groups.models import AgendaDocument, AgendaItem, Decision
from tests.factories import (
    ActionItemFactory,
    GroupFactory,
    GroupMembershipFactory,
    GroupMinutesFactory,
    MeetingFactory,
    OrderFactory,
    OwningBodyFactory,
    UserFactory,
    ciq_organization,
)

from .documents import PDF_BYTES

MINUTES_TEXT = "Procès-verbal confidentiel du comité"
DOCUMENT_TITLE = "Note interne au comité"
ACTION_TEXT = "Suivi confidentiel à faire"
DECISION_TEXT = "Décision interne du comité"
MEMBER_NAME = "Camille Membre-Privé"
MEMBER_EMAIL = "camille.prive@example.org"
PRIVATE = (MINUTES_TEXT, DOCUMENT_TITLE, ACTION_TEXT, DECISION_TEXT, MEMBER_NAME, MEMBER_EMAIL)

ROLES = ["anonymous", "member", "other_member", "order_staff", "ciq_staff", "office_staff"]


@dataclass
class World:
    ciq: object
    office: object
    order_a: object
    order_b: object
    group: object
    other_group: object
    membership: object  # the member's
    meeting: object  # past, with minutes, a document, a decision, an action item
    later: object  # a later meeting of the group
    item: object
    document: object
    action: object
    minutes: object
    member: object  # a current member of ``group``
    other_member: object  # a current member of ``other_group`` only
    order_staff: object  # staff of order A, member of no group
    ciq_staff: object
    office_staff: object


def build_world() -> World:
    ciq = ciq_organization()
    office = OwningBodyFactory(
        code="office-des-professions-du-quebec", name="Office des professions du Québec"
    )
    order_a, order_b = OrderFactory(name="Ordre A"), OrderFactory(name="Ordre B")
    group = GroupFactory(owner=ciq, name="Comité de la formation", slug="comite-formation")
    other_group = GroupFactory(owner=ciq, name="Forum des présidences", slug="forum", kind="forum")
    member = UserFactory(member_of=(order_a, Role.RESPONDENT))
    other_member = UserFactory(member_of=(order_b, Role.RESPONDENT))
    membership = GroupMembershipFactory(
        group=group, user=member, name=MEMBER_NAME, email=MEMBER_EMAIL, organization=order_a, role="chair"
    )
    GroupMembershipFactory(group=other_group, user=other_member, organization=order_b)
    start = timezone.now() - datetime.timedelta(days=30)
    meeting = MeetingFactory(group=group, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    later = MeetingFactory(
        group=group,
        starts_at=start + datetime.timedelta(days=14),
        ends_at=start + datetime.timedelta(days=14, hours=2),
    )
    item = AgendaItem.objects.create(meeting=meeting, position=1, title="Point 1")
    document = AgendaDocument.objects.create(
        item=item,
        title=DOCUMENT_TITLE,
        file=SimpleUploadedFile("note.pdf", PDF_BYTES),
        original_name="note.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    minutes = GroupMinutesFactory(meeting=meeting, body=MINUTES_TEXT)
    Decision.objects.create(meeting=meeting, text=DECISION_TEXT)
    action = ActionItemFactory(meeting=meeting, text=ACTION_TEXT, owner_membership=membership)
    return World(
        ciq=ciq,
        office=office,
        order_a=order_a,
        order_b=order_b,
        group=group,
        other_group=other_group,
        membership=membership,
        meeting=meeting,
        later=later,
        item=item,
        document=document,
        action=action,
        minutes=minutes,
        member=member,
        other_member=other_member,
        order_staff=UserFactory(member_of=(order_a, Role.EDITOR)),
        ciq_staff=UserFactory(coordinator_of=ciq),
        office_staff=UserFactory(coordinator_of=office),
    )
