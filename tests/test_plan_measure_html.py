"""The plan page's per-measure block, written in Python, is byte for byte what the
template it replaced wrote; the measure page's parts are what its partial templates
wrote, but for the layout whitespace (``concerto/plans/measure_html.py``)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template import Context, Engine
from django.utils import translation

from concerto.plans import measure_html
from concerto.plans.measure_html import LABEL_TEXTS, LABELS, measure_article
from concerto.plans.models import Collaborator, Status
from concerto.plans.state import load_plan_state
from concerto.plans.views import organization_url_prefix

from .factories import (
    AS_OF,
    CollaboratorFactory,
    ComponentProgressFactory,
    IndicatorFactory,
    IndicatorProgressFactory,
    MeasureFactory,
    MeasureLeadFactory,
    OrganizationFactory,
    PlanFactory,
    ProgressReportFactory,
    ThemeFactory,
)

# The block as the plan page's template wrote it, kept here as the reference.
TEMPLATE_BLOCK = """{% load i18n concerto %}{% with number=m.measure.number %}<article class="measure" id="mesure-{{ number }}" aria-labelledby="measure-title-{{ number }}">
    <h3 id="measure-title-{{ number }}"><span class="measure-number">{{ t_measure }} {{ number }}</span> <a href="{{ measure_url }}{{ number }}/{{ as_of_query }}" lang="fr">{{ m.measure.title }}</a></h3>
    <div class="measure-grid">
      <div>
        <dl class="people">
          <dt>{{ t_leads }}</dt>
          <dd lang="fr">{% for o in m.leads %}<a href="{{ organization_url }}{{ o.code }}/"{% if o.acronym %} title="{{ o.name }}"{% endif %}>{{ o.label }}</a>{% if not forloop.last %}, {% endif %}{% endfor %}{% if m.measure.lead_note %} ({{ m.measure.lead_note }}){% endif %}</dd>
          {% if m.collaborators %}
          <dt>{{ t_collaborators }}</dt>
          <dd lang="fr">{% for c in m.collaborators %}{% if c.organization %}<a href="{{ organization_url }}{{ c.organization.code }}/"{% if c.organization.acronym %} title="{{ c.organization.name }}"{% endif %}>{{ c.organization.label }}</a>{% else %}{{ c.text }}{% endif %}{% if c.note %} ({{ c.note }}){% endif %}{% if not forloop.last %}, {% endif %}{% endfor %}</dd>
          {% endif %}
        </dl>
        <h4>{{ t_indicators }}</h4>
        <ul class="indicators">
          {% for i in m.indicators %}{% with d=i.indicator %}
          <li>
            <span class="indicator-label" lang="fr">{{ d.label }}</span>
            {% if d.target_value is not None and d.target_text != d.label %}<span class="target" lang="fr">{{ t_target }} {{ d.target_text }}</span>{% endif %}
            <span class="deadline{% if i.deadline_passed %} deadline-passed{% endif %}">{{ t_deadline }} <span lang="fr">{{ d.deadline_text }}</span>{% if i.deadline_passed %} <span class="flag">({{ t_passed }})</span>{% endif %}</span>
            {% with actual=i.actual percent=i.percent %}{% if actual is not None %}<span class="actual">{{ t_actual }} {{ actual|floatformat:"-2" }}{% if d.target_value is not None %} / {{ d.target_value|floatformat:"-2" }}{% endif %}{% if percent is not None %} ({{ percent|percent }}){% endif %}</span>{% elif percent is not None %}<span class="actual">{{ percent|percent }}{% if i.note %} — <span lang="fr">{{ i.note }}</span>{% endif %}</span>{% endif %}{% endwith %}
          </li>
          {% endwith %}{% endfor %}
        </ul>
      </div>
      <div class="measure-progress">
        <h4>{{ t_state }}</h4>
        <p>{% if m.percent is not None %}<span class="percent">{{ m.percent|percent }}</span> <progress max="100" value="{{ m.percent }}" aria-hidden="true">{{ m.percent|percent }}</progress>{% else %}<span class="percent percent-none">{{ t_no_percent }}</span>{% endif %} <span class="status status-{{ m.status }}">{{ m.status_label }}</span>{% if m.report.completed_in %} <span class="completed-in">({% blocktranslate with year=m.report.completed_in %}en {{ year }}{% endblocktranslate %})</span>{% endif %}</p>
        {% if m.components %}
        <ul class="components" aria-label="{{ t_components }}">
          {% for c in m.components %}<li><span class="component-label" lang="fr">{% if c.organization %}<a href="{{ organization_url }}{{ c.organization.code }}/" title="{{ c.organization.name }}">{{ c.label }}</a>{% else %}{{ c.label }}{% endif %}</span> {% if c.percent is not None %}<span class="percent">{{ c.percent|percent }}</span> <progress max="100" value="{{ c.percent }}" aria-hidden="true">{{ c.percent|percent }}</progress>{% else %}<span class="percent percent-none">{{ t_no_percent }}</span>{% endif %}</li>{% endfor %}
        </ul>
        {% endif %}
        {% if m.narrative or m.components %}
        <details>
          <summary>{{ t_read }}</summary>
          <div class="narrative" lang="fr">{{ m.narrative_html }}</div>
          {% for c in m.components %}{% if c.narrative %}<h5 class="component-label" lang="fr">{{ c.label }}</h5><div class="narrative" lang="fr">{{ c.narrative_as_html }}</div>{% endif %}{% endfor %}
        </details>
        {% endif %}
      </div>
    </div>
  </article>{% endwith %}"""

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


def _labels():
    engine = Engine.get_default()
    source = "{% load i18n %}" + "".join(
        "{% translate " + repr(text) + " as " + name + " %}" for name, text in LABEL_TEXTS.items()
    )
    context = Context()
    engine.from_string(source).render(context)
    return {name: context[name] for name in LABELS}


def _compare(state, query="?as_of=2023-03-31"):
    urls = {"measure_url": "/plans/p/mesures/", "organization_url": "/organisations/", "as_of_query": query}
    labels = _labels()
    for m in state.measures:
        expected = (
            Engine.get_default().from_string(TEMPLATE_BLOCK).render(Context({"m": m, **urls, **labels}))
        )
        assert measure_article(m, labels=labels, **urls) == expected


@pytest.fixture
def varied_plan(db):
    """Measures covering every branch of the block, with text that must be escaped."""
    plan = PlanFactory()
    theme = ThemeFactory(plan=plan, number=1)
    acronym = OrganizationFactory(code="mjq", name="Ministère " + HOSTILE, acronym="MJQ")
    plain = OrganizationFactory(code="plain", name="Organisation sans sigle")
    rich = MeasureFactory(
        plan=plan, theme=theme, number=1, title="Titre " + HOSTILE, lead_note="note " + HOSTILE
    )
    MeasureLeadFactory(measure=rich, organization=acronym, position=0)
    MeasureLeadFactory(measure=rich, organization=plain, position=1)
    CollaboratorFactory(measure=rich, organization=acronym, note="avec " + HOSTILE, position=0)
    Collaborator.objects.create(measure=rich, text="ordres " + HOSTILE, note="n", position=1)
    CollaboratorFactory(measure=rich, organization=plain, position=2)
    same = IndicatorFactory(
        measure=rich, position=0, label="60 garanties", target_text="60 garanties", target_value=60
    )
    other = IndicatorFactory(
        measure=rich,
        position=1,
        label="Délai " + HOSTILE,
        target_text="cible " + HOSTILE,
        target_value=Decimal("12.50"),
        deadline_text="31 mars 2020",
    )
    percent_only = IndicatorFactory(measure=rich, position=2, label="Part", deadline_text="2030")
    IndicatorFactory(measure=rich, position=3, label="Sans valeur")
    report = ProgressReportFactory(
        measure=rich,
        percent=None,
        status=Status.COMPLETED,
        completed_in="2022 <b>&'\"",  # the field holds 20 characters
        narrative="**Fait** " + HOSTILE,
    )
    IndicatorProgressFactory(report=report, indicator=same, actual=Decimal("30.25"))
    IndicatorProgressFactory(report=report, indicator=other, actual=Decimal("1234567.5"), percent=40)
    IndicatorProgressFactory(report=report, indicator=percent_only, percent=75, note="précision " + HOSTILE)
    ComponentProgressFactory(
        report=report,
        position=0,
        label="Avec organisme",
        organization=acronym,
        narrative="_suivi_ " + HOSTILE,
    )
    ComponentProgressFactory(report=report, position=1, label="Sans " + HOSTILE, percent=None)
    # A measure with a state but no narrative nor component, one with no state at all.
    bare = MeasureFactory(plan=plan, theme=theme, number=2)
    MeasureLeadFactory(measure=bare, organization=plain)
    ProgressReportFactory(measure=bare, percent=100, narrative="", completed_in="")
    empty = MeasureFactory(plan=plan, theme=theme, number=3, lead_note="")
    MeasureLeadFactory(measure=empty, organization=acronym)
    return plan


def test_the_measure_block_is_the_templates_html_in_french(varied_plan):
    state = load_plan_state(varied_plan, AS_OF)
    assert len(state.measures) == 3
    with translation.override("fr"):
        _compare(state)


def test_the_measure_block_is_the_templates_html_in_english(varied_plan):
    with translation.override("en"):
        _compare(load_plan_state(varied_plan, AS_OF))


def test_the_measure_block_is_the_templates_html_with_no_date(varied_plan):
    """No reporting date: no state, no deadline passed, no query on the links."""
    _compare(load_plan_state(varied_plan, None), query="")


def test_the_measure_block_escapes_what_it_prints(varied_plan):
    m = load_plan_state(varied_plan, AS_OF).measures[0]
    html = measure_article(
        m, measure_url="/m/", organization_url="/o/", as_of_query="", labels=dict.fromkeys(LABELS, "x")
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_passed_deadline_is_flagged(varied_plan):
    m = load_plan_state(varied_plan, datetime.date(2023, 3, 31)).measures[0]
    assert any(i.deadline_passed for i in m.indicators)
    html = measure_article(
        m, measure_url="/m/", organization_url="/o/", as_of_query="", labels=dict.fromkeys(LABELS, "x")
    )
    assert "deadline-passed" in html


# The measure page's partial templates that measure_html's parts replaced, kept here as the reference.
PAGE_PARTS = {
    "people": """{% load i18n %}<dl class="people">
  <dt>{% translate "M/O en charge" %}</dt>
  <dd lang="fr">{% for o in m.leads %}<a href="{% url 'organization-detail' o.code %}" lang="fr"{% if o.acronym %} title="{{ o.name }}"{% endif %}>{{ o.label }}</a>{% if not forloop.last %}, {% endif %}{% endfor %}{% if m.measure.lead_note %} ({{ m.measure.lead_note }}){% endif %}</dd>
  {% if m.collaborators %}
  <dt>{% translate "M/O collaborateurs" %}</dt>
  <dd lang="fr">{% for c in m.collaborators %}{% if c.organization %}<a href="{% url 'organization-detail' c.organization.code %}"{% if c.organization.acronym %} title="{{ c.organization.name }}"{% endif %}>{{ c.organization.label }}</a>{% else %}{{ c.text }}{% endif %}{% if c.note %} ({{ c.note }}){% endif %}{% if not forloop.last %}, {% endif %}{% endfor %}</dd>
  {% endif %}
</dl>
""",
    "indicators": """{% load i18n concerto %}<ul class="indicators">
  {% for i in m.indicators %}
  <li>
    <span class="indicator-label" lang="fr">{{ i.indicator.label }}</span>
    {% if i.indicator.target_value is not None and i.indicator.target_text != i.indicator.label %}<span class="target" lang="fr">{% translate "Cible :" %} {{ i.indicator.target_text }}</span>{% endif %}
    <span class="deadline{% if i.deadline_passed %} deadline-passed{% endif %}">{% translate "Échéance :" %} <span lang="fr">{{ i.indicator.deadline_text }}</span>{% if i.deadline_passed %} <span class="flag">({% translate "dépassée" %})</span>{% endif %}</span>
    {% if i.actual is not None %}<span class="actual">{% translate "Atteint :" %} {{ i.actual|floatformat:"-2" }}{% if i.indicator.target_value is not None %} / {{ i.indicator.target_value|floatformat:"-2" }}{% endif %}{% if i.percent is not None %} ({{ i.percent|percent }}){% endif %}</span>{% elif i.percent is not None %}<span class="actual">{{ i.percent|percent }}{% if i.note %} — <span lang="fr">{{ i.note }}</span>{% endif %}</span>{% endif %}
  </li>
  {% endfor %}
</ul>
""",
    "components": """{% load i18n concerto %}{% if m.components %}
<ul class="components" aria-label="{% translate 'Avancement par composante' %}">
  {% for c in m.components %}
  <li>
    <span class="component-label" lang="fr">{% if c.organization %}<a href="{% url 'organization-detail' c.organization.code %}" title="{{ c.organization.name }}">{{ c.label }}</a>{% else %}{{ c.label }}{% endif %}</span>
    {% with percent=c.percent %}{% if percent is not None %}<span class="percent">{{ percent|percent }}</span> <progress max="100" value="{{ percent }}" aria-hidden="true">{{ percent|percent }}</progress>{% else %}<span class="percent percent-none">{% translate "Non chiffré" %}</span>{% endif %}{% endwith %}
    {% if c.narrative %}<div class="narrative" lang="fr">{{ c.narrative_as_html }}</div>{% endif %}
  </li>
  {% endfor %}
</ul>
{% endif %}
""",
    "status": """{% load i18n concerto %}<span class="status status-{{ m.status }}">{{ m.status_label }}</span>{% if m.report.completed_in %} <span class="completed-in">({% blocktranslate with year=m.report.completed_in %}en {{ year }}{% endblocktranslate %})</span>{% endif %}""",
    "progress": """{% load i18n concerto %}{% with percent=m.percent %}{% if percent is not None %}<span class="percent">{{ percent|percent }}</span> <progress max="100" value="{{ percent }}" aria-hidden="true">{{ percent|percent }}</progress>{% else %}<span class="percent percent-none">{% translate "Non chiffré" %}</span>{% endif %}{% endwith %}""",
}


def _page_parts(m) -> dict[str, str]:
    organization_url = organization_url_prefix()  # in the active language, as the view gives it
    return {
        "people": measure_html.measure_people(m, organization_url),
        "indicators": measure_html.measure_indicators(m),
        "components": measure_html.measure_components(m, organization_url),
        "status": measure_html.measure_status(m),
        "progress": measure_html.progress_meter(
            m.percent, measure_html.labels("t_no_percent")["t_no_percent"]
        ),
    }


def _spaced(html: str) -> str:
    """Runs of whitespace as one space, as a browser lays out this HTML."""
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_measure_pages_parts_are_what_its_templates_wrote(varied_plan, language):
    engine = Engine.get_default()
    with translation.override(language):
        for m in load_plan_state(varied_plan, AS_OF).measures:
            for name, html in _page_parts(m).items():
                expected = engine.from_string(PAGE_PARTS[name]).render(Context({"m": m}))
                assert _spaced(html) == _spaced(expected), (m.measure.number, name)


def test_the_measure_pages_parts_escape_what_they_print(varied_plan):
    m = load_plan_state(varied_plan, AS_OF).measures[0]
    html = "".join(_page_parts(m).values())
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    # The sanitized narratives of the components are kept as HTML.
    assert '<div class="narrative" lang="fr"><p><em>suivi</em>' in html
