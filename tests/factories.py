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
    class Meta:
        model = ProgressReport

    measure = factory.SubFactory(MeasureFactory)
    as_of = AS_OF
    percent = 50
    status = Status.IN_PROGRESS
    narrative = "Travaux bien avancés."


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
