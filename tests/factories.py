import datetime

import factory

from concerto.organizations.models import Organization
from concerto.plans.models import (
    Collaborator,
    ComponentProgress,
    Indicator,
    IndicatorProgress,
    Measure,
    MeasureLead,
    Plan,
    ProgressReport,
    PublishedDate,
    Status,
    Theme,
)

AS_OF = datetime.date(2023, 3, 31)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = ""
    kind = Organization.Kind.MINISTRY


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    slug = factory.Sequence(lambda n: f"plan-{n}")
    title = factory.Sequence(lambda n: f"Plan d’action {n}")
    start_year = 2019
    end_year = 2024
    declared_measure_count = 0


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Thème {n}")
    objective = "Un objectif"


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    theme = factory.SubFactory(ThemeFactory)
    plan = factory.SelfAttribute("theme.plan")
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Mesure {n}")
    follow_up = Measure.FollowUp.OFFICE


class MeasureLeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureLead

    measure = factory.SubFactory(MeasureFactory)
    organization = factory.SubFactory(OrganizationFactory)


class CollaboratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collaborator

    measure = factory.SubFactory(MeasureFactory)
    organization = factory.SubFactory(OrganizationFactory)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    measure = factory.SubFactory(MeasureFactory)
    label = factory.Sequence(lambda n: f"Indicateur {n}")
    deadline_text = "31 mars 2024"


class ProgressReportFactory(factory.django.DjangoModelFactory):
    """A validated state, at a published date unless ``published=False`` (then
    only the plan's coordination sees it until the date is published)."""

    class Meta:
        model = ProgressReport
        skip_postgeneration_save = True

    measure = factory.SubFactory(MeasureFactory)
    as_of = AS_OF
    percent = 50
    status = Status.IN_PROGRESS
    narrative = "Travaux bien avancés."

    @factory.post_generation
    def published(report, create, extracted, **kwargs):
        if create and extracted is not False:
            PublishedDate.objects.get_or_create(
                plan_id=report.measure.plan_id, as_of=report.as_of, defaults={"via": PublishedDate.Via.ACTION}
            )


class ComponentProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComponentProgress

    report = factory.SubFactory(ProgressReportFactory)
    label = factory.Sequence(lambda n: f"Composante {n}")
    percent = 50


class IndicatorProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorProgress

    report = factory.SubFactory(ProgressReportFactory)
    indicator = factory.SubFactory(IndicatorFactory)


def build_clean_plan(measure_count: int, *, components: int = 1, as_of=AS_OF) -> Plan:
    """A plan with no inconsistency: every measure present, on time, with progress."""
    plan = PlanFactory(declared_measure_count=measure_count)
    themes = [ThemeFactory(plan=plan, number=n) for n in range(3)]
    lead = OrganizationFactory()
    partner = OrganizationFactory()
    for number in range(1, measure_count + 1):
        measure = MeasureFactory(plan=plan, theme=themes[number % 3], number=number)
        MeasureLeadFactory(measure=measure, organization=lead)
        CollaboratorFactory(measure=measure, organization=partner)
        Collaborator.objects.create(measure=measure, text="ordres concernés", position=1)
        indicator = IndicatorFactory(
            measure=measure, target_text="60 garanties", target_value=60, target_unit="garanties"
        )
        report = ProgressReportFactory(measure=measure, as_of=as_of)
        IndicatorProgressFactory(report=report, indicator=indicator, actual=30)
        for position in range(components):
            ComponentProgressFactory(report=report, position=position, organization=partner)
    return plan


# --- people with roles, campaigns, recommendations, cases -------------------------------

PASSWORD = "x"


def _pairs(value) -> list[tuple]:
    """``(org, role)`` or a list of them."""
    if not value:
        return []
    return [value] if isinstance(value, tuple) else list(value)


class UserFactory(factory.django.DjangoModelFactory):
    """A person who can sign in (password ``x``). Roles by keyword:
    ``UserFactory(coordinator_of=office)``, ``UserFactory(member_of=(org, Role.EDITOR))``
    or a list of such pairs."""

    class Meta:
        model = "auth.User"
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"personne-{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        manager = cls._get_manager(model_class)
        if kwargs.pop("is_superuser", False):
            return manager.create_superuser(*args, password=password, **kwargs)
        return manager.create_user(*args, password=password, **kwargs)

    @factory.post_generation
    def coordinator_of(user, create, extracted, **kwargs):
        from concerto.accounts.models import Role

        organizations = extracted if isinstance(extracted, list | tuple) else [extracted] if extracted else []
        for organization in organizations:
            MembershipFactory(user=user, organization=organization, role=Role.COORDINATOR)

    @factory.post_generation
    def member_of(user, create, extracted, **kwargs):
        for organization, role in _pairs(extracted):
            MembershipFactory(user=user, organization=organization, role=role)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Membership"

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "reader"


class OwningBodyFactory(OrganizationFactory):
    """An organization that owns a plan: a coordinating body (like the Office)."""

    kind = Organization.Kind.PUBLIC_BODY if hasattr(Organization.Kind, "PUBLIC_BODY") else "public_body"
    plan = factory.RelatedFactory(PlanFactory, factory_related_name="owner")


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign row (no drafts: ``campaigns.services.open_campaign`` prepares them, or ``DraftFactory``)."""

    class Meta:
        model = "campaigns.Campaign"

    plan = factory.SubFactory(PlanFactory)
    as_of = datetime.date(2024, 3, 31)
    deadline = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "campaigns.Draft"

    campaign = factory.SubFactory(CampaignFactory)
    measure = factory.SubFactory(
        MeasureFactory,
        theme__plan=factory.SelfAttribute("...campaign.plan"),
        plan=factory.SelfAttribute("theme.plan"),
    )
    state = "draft"
    narrative = "Mise à jour en cours."


class DraftCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "campaigns.DraftComment"

    draft = factory.SubFactory(DraftFactory)
    author = factory.SubFactory(UserFactory)
    text = "Remarque."


def _received(recommendation) -> bool:
    return recommendation.state in ("received", "answered", "closed")


class RecommendationFactory(factory.django.DjangoModelFactory):
    """Sent on 20 April 2024 (received on the 25th once past « sent ») unless said otherwise."""

    class Meta:
        model = "recommendations.Recommendation"

    number = factory.Sequence(lambda n: f"REC-2024-{n + 1:03d}")
    title = "Reconnaissance des acquis"
    text = "L’Office recommande une meilleure équivalence des diplômes."
    owner = factory.SubFactory(OwningBodyFactory)
    addressee = factory.SubFactory(OrganizationFactory)
    state = "sent"
    sent_on = factory.LazyAttribute(lambda r: None if r.state == "draft" else datetime.date(2024, 4, 20))
    received_on = factory.LazyAttribute(lambda r: datetime.date(2024, 4, 25) if _received(r) else None)
    published = False


class AnswerFactory(factory.django.DjangoModelFactory):
    """An answer row; the recommendation is moved to « answered » as ``file_answer`` would."""

    class Meta:
        model = "recommendations.Answer"
        skip_postgeneration_save = True

    recommendation = factory.SubFactory(RecommendationFactory, state="received")
    kind = "follow_up"
    text = "Nous donnerons suite."
    answered_on = datetime.date(2024, 6, 1)
    published = False

    @factory.post_generation
    def answered(answer, create, extracted, **kwargs):
        recommendation = answer.recommendation
        if create and recommendation.state == "received":
            recommendation.state = "answered"
            recommendation.save()


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Case"
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"CAS-2024-{n + 1:03d}")
    title = factory.Sequence(lambda n: f"Cas {n}")
    owner = factory.SubFactory(OwningBodyFactory)
    problem_kind = "internship"

    @factory.post_generation
    def orders(case, create, extracted, **kwargs):
        if extracted:
            case.orders.add(*extracted)

    @factory.post_generation
    def measures(case, create, extracted, **kwargs):
        if extracted:
            case.measures.add(*extracted)


# --- the CIQ's files, consultations and answers ----------------------------------------


def ciq_organization():
    """The CIQ (the owner of every file), as in data/organizations.yaml."""
    return OrganizationFactory(
        code="conseil-interprofessionnel-du-quebec",
        name="Conseil interprofessionnel du Québec",
        acronym="CIQ",
        kind=Organization.Kind.FEDERATION,
    )


class OrderFactory(OrganizationFactory):
    """A professional order."""

    code = factory.Sequence(lambda n: f"ordre-{n}")
    name = factory.Sequence(lambda n: f"Ordre professionnel {n:03d}")
    kind = Organization.Kind.PROFESSIONAL_ORDER
    order_number = factory.Sequence(lambda n: n + 1)


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ciq.Dossier"

    reference = factory.Sequence(lambda n: f"CIQ-2025-{n + 1:03d}")
    title = factory.Sequence(lambda n: f"Projet de règlement {n}")
    subject = "bill_or_regulation"
    owner = factory.LazyFunction(ciq_organization)
    authority = "office"
    deadline_basis = "typed"
    authority_deadline = datetime.date(2025, 6, 30)
    authority_deadline_source = "Lettre de l’Office"


class ConsultationFactory(factory.django.DjangoModelFactory):
    """An open consultation; ``audience=[orders]``."""

    class Meta:
        model = "ciq.Consultation"
        skip_postgeneration_save = True

    dossier = factory.SubFactory(DossierFactory)
    title = factory.Sequence(lambda n: f"Consultation {n}")
    internal_deadline = datetime.date(2025, 6, 2)
    state = "open"
    opened_at = factory.LazyAttribute(
        lambda c: None if c.state == "draft" else datetime.datetime(2025, 5, 1, 12, tzinfo=datetime.UTC)
    )
    closed_at = factory.LazyAttribute(
        lambda c: datetime.datetime(2025, 6, 10, 12, tzinfo=datetime.UTC) if c.state == "closed" else None
    )

    @factory.post_generation
    def audience(consultation, create, extracted, **kwargs):
        if extracted:
            consultation.audience.add(*extracted)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ciq.Article"

    consultation = factory.SubFactory(ConsultationFactory)
    position = factory.Sequence(lambda n: n + 1)
    heading = factory.LazyAttribute(lambda a: f"Article {a.position}")
    text = "Texte de l’article."


class OrderAnswerFactory(factory.django.DjangoModelFactory):
    """An order's answer row (a draft unless said otherwise)."""

    class Meta:
        model = "ciq.Answer"

    consultation = factory.SubFactory(ConsultationFactory)
    organization = factory.SubFactory(OrderFactory)


# --- the CIQ's groups ------------------------------------------------------------------


class GroupFactory(factory.django.DjangoModelFactory):
    """A CIQ committee (standing)."""

    class Meta:
        model = "groups.Group"

    owner = factory.LazyFunction(ciq_organization)
    kind = "committee"
    name = factory.Sequence(lambda n: f"Comité {n:03d}")
    slug = factory.Sequence(lambda n: f"comite-{n}")
    mandate = "Conseiller le CIQ."
    started_on = datetime.date(2024, 1, 1)


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    """A current member representing an order (``user=`` links a Concerto account)."""

    class Meta:
        model = "groups.Membership"

    group = factory.SubFactory(GroupFactory)
    name = factory.Sequence(lambda n: f"Personne membre {n}")
    email = factory.Sequence(lambda n: f"membre-{n}@example.org")
    organization = factory.SubFactory(OrderFactory)
    role = "member"
    term_start = datetime.date(2024, 1, 1)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.Meeting"

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Réunion {n}")
    starts_at = datetime.datetime(2025, 3, 10, 14, tzinfo=datetime.UTC)
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + datetime.timedelta(hours=2))
    place = "Salle du CIQ"


class GroupMinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.Minutes"

    meeting = factory.SubFactory(MeetingFactory)
    body = "Projet de procès-verbal."


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.ActionItem"

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Suivi {n}")
    owner_membership = factory.SubFactory(
        GroupMembershipFactory, group=factory.SelfAttribute("..meeting.group")
    )
    due_on = datetime.date(2025, 4, 1)


# --- the CIQ's activities (trainings, webinars, colloquiums) ------------------------------------


def _in_days(days: int, hour: int = 9):
    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


class ActivityFactory(factory.django.DjangoModelFactory):
    """A public training of the CIQ (3 hours)."""

    class Meta:
        model = "activities.Activity"

    owner = factory.LazyFunction(
        lambda: (
            Organization.objects.filter(code="conseil-interprofessionnel-du-quebec").first()
            or ciq_organization()
        )
    )
    kind = "training"
    title = factory.Sequence(lambda n: f"Formation {n}")
    slug = factory.Sequence(lambda n: f"formation-{n}")
    description = "Une formation pour le personnel des ordres."
    hours = 3


class SessionFactory(factory.django.DjangoModelFactory):
    """A session in ten days, open for registration until the day before, cancellable until two days before."""

    class Meta:
        model = "activities.Session"

    activity = factory.SubFactory(ActivityFactory)
    starts_at = factory.LazyFunction(lambda: _in_days(10, 9))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=3))
    place = "Montréal"
    capacity = 20
    registration_deadline = factory.LazyAttribute(lambda s: s.starts_at - datetime.timedelta(days=1))
    cancellation_cutoff = factory.LazyAttribute(lambda s: s.starts_at - datetime.timedelta(days=2))
    audience = factory.LazyFunction(list)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration (rows written directly: ``activities.services.register`` decides seats)."""

    class Meta:
        model = "activities.Registration"

    session = factory.SubFactory(SessionFactory)
    organization = factory.SubFactory(OrderFactory)
    user = factory.SubFactory(UserFactory)
    status = "registered"


# --- the CIQ's public information (concerto.information) --------------------------------

INFORMATION_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class InformationDocumentFactory(factory.django.DjangoModelFactory):
    """A document of the CIQ's library, published unless ``draft=True``."""

    class Meta:
        model = "information.Document"

    class Params:
        draft = factory.Trait(published_at=None)

    owner = factory.LazyFunction(ciq_organization)
    title = factory.Sequence(lambda n: f"Étude sur le système professionnel {n}")
    kind = "study"
    date = datetime.date(2025, 1, 15)
    summary = "Un résumé public du document."
    file = factory.django.FileField(filename="etude.pdf", data=INFORMATION_PDF)
    original_name = "etude.pdf"
    content_type = "application/pdf"
    size = len(INFORMATION_PDF)
    published_at = factory.LazyFunction(lambda: datetime.datetime(2025, 1, 20, 12, tzinfo=datetime.UTC))


class PublishedOpinionFactory(factory.django.DjangoModelFactory):
    """A CIQ opinion with one text version, adopted, and published unless ``published=False``
    (a publication row without its frozen documents: what the library and the orders' pages read)."""

    class Meta:
        model = "opinions.Opinion"
        skip_postgeneration_save = True

    dossier = factory.LazyAttribute(
        lambda o: o.consultation.dossier if o.consultation is not None else DossierFactory()
    )
    consultation = None
    reference = factory.Sequence(lambda n: f"AVIS-2025-{n + 1:02d}")
    title = factory.Sequence(lambda n: f"Avis sur le projet de règlement {n}")
    summary = "Le résumé public de l’avis."
    adopted_on = datetime.date(2025, 3, 1)

    @factory.post_generation
    def published(opinion, create, extracted, **kwargs):
        from concerto.opinions.models import OpinionVersion, Publication

        version = OpinionVersion.objects.create(opinion=opinion, number=1, text="## Avis\n\nLe texte.")
        if extracted is False:
            return
        Publication.objects.create(opinion=opinion, number=1, text_version=version)
        opinion.save()  # the published text joins the search text


class InformationPageFactory(factory.django.DjangoModelFactory):
    """A content page with its first version (through the service, as staff would write it)."""

    class Meta:
        model = "information.Page"

    owner = factory.LazyFunction(ciq_organization)
    slug = factory.Sequence(lambda n: f"page-{n}")
    title = factory.Sequence(lambda n: f"Page d’information {n}")
    body = "Premier paragraphe.\n\nDeuxième paragraphe."

    @classmethod
    def _create(cls, model_class, *args, owner, slug, title, body, **kwargs):
        from django.contrib.auth import get_user_model

        from concerto.information.services import save_page

        actor = get_user_model()(username="installation", is_superuser=True, is_active=True)
        return save_page(owner=owner, slug=slug, title=title, body=body, user=actor, based_on=None)
