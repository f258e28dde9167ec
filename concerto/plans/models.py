from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from concerto.core.archiving import HistoryGuard, collect_history
from concerto.core.deadlines import KINDS, DeadlineError, parse_deadline
from concerto.core.markdown import render_markdown
from concerto.organizations.models import Organization

PERCENT_VALIDATORS = [MaxValueValidator(100)]


class Status(models.TextChoices):
    """Stable machine codes for the state of a measure."""

    COMPLETED = "completed", _("Réalisée")
    IN_PROGRESS = "in_progress", _("En cours")
    NOT_STARTED = "not_started", _("Non commencée")
    CONTINUOUS = "continuous", _("En continu")
    REORIENTED = "reoriented", _("Réorientée")
    SUSPENDED = "suspended", _("Suspendue")
    NO_TARGET = "no_target", _("Sans cible")
    UNKNOWN = "unknown", _("Inconnu")


def status_from_percent(percent: int | None) -> str:
    """The status a bare percentage implies, when the source names none."""
    if percent is None:
        return Status.UNKNOWN
    if percent >= 100:
        return Status.COMPLETED
    if percent == 0:
        return Status.NOT_STARTED
    return Status.IN_PROGRESS


def ratio_percent(actual: Decimal, target: Decimal) -> int:
    """56 of 60 -> 93; capped at 100 (317 of 275 -> 100)."""
    value = (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(min(Decimal(100), max(Decimal(0), value)))


def _measures_with_history(count: int) -> str:
    return ngettext("mesure avec historique", "mesures avec historique", count)


class Plan(HistoryGuard, models.Model):
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    title = models.CharField(_("titre"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("année de début"))
    end_year = models.PositiveSmallIntegerField(_("année de fin"))
    declared_measure_count = models.PositiveSmallIntegerField(_("nombre de mesures annoncé"))
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("organisation responsable"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_plans",
    )
    general_objective = models.TextField(_("objectif général"), blank=True)
    source = models.TextField(_("source"), blank=True)
    archived_at = models.DateTimeField(
        _("archivé le"),
        null=True,
        blank=True,
        help_text=_(
            "Un plan archivé n’est plus proposé en page d’accueil ; ses pages et rapports restent accessibles."
        ),
    )

    class Meta:
        verbose_name = _("plan d’action")
        verbose_name_plural = _("plans d’action")
        ordering = ["-end_year", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_period_ordered"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def period(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    # Themes and measures are the plan itself; a measure with history makes the plan's history.
    history_parts = ("plans.Theme.plan", "plans.Measure.plan")

    def history_references(self) -> dict:
        history = super().history_references()
        measures = collect_history(Measure, self.measures.all(), parts=Measure.history_parts)
        if measures:
            history[_measures_with_history] = set(measures)
        return history

    def delete(self, *args, **kwargs):
        refusal = self.deletion_refusal()
        if refusal is not None:
            raise refusal
        with transaction.atomic():
            # Measures first: their theme is protected, and the themes go with the plan.
            Measure.objects.filter(plan=self).delete()
            return super().delete(*args, **kwargs)

    def deletion_refused_message(self, description: str) -> str:
        return gettext(
            "Le plan « %(slug)s » a un historique (%(history)s) : il ne peut pas être supprimé. "
            "Archivez-le plutôt."
        ) % {"slug": self.slug, "history": description}


class Theme(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("titre"), max_length=300)
    objective = models.TextField(_("objectif"), blank=True)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="theme_number_unique_in_plan")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Measure(HistoryGuard, models.Model):
    class FollowUp(models.TextChoices):
        OFFICE = "office", _("Suivi assuré par l’Office à travers les actions du Pôle")
        MIFI = "mifi", _("Suivi assuré par le MIFI")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="measures")
    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.TextField(_("nom de la mesure"))
    lead_note = models.CharField(_("précision sur le responsable"), max_length=200, blank=True)
    follow_up = models.CharField(_("suivi"), max_length=10, choices=FollowUp.choices, blank=True)
    leads = models.ManyToManyField(
        Organization,
        through="MeasureLead",
        related_name="led_measures",
        verbose_name=_("M/O en charge"),
    )
    archived_at = models.DateTimeField(
        _("archivée le"),
        null=True,
        blank=True,
        help_text=_(
            "Une mesure archivée reste dans les rapports et l’historique, "
            "mais les nouvelles campagnes ne la proposent plus."
        ),
    )

    # Its leads, collaborators and indicators are the measure itself, deleted with it.
    history_parts = ("plans.MeasureLead.measure", "plans.Collaborator.measure", "plans.Indicator.measure")

    class Meta:
        verbose_name = _("mesure")
        verbose_name_plural = _("mesures")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="measure_number_unique_in_plan")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def deletion_refused_message(self, description: str) -> str:
        return gettext(
            "La mesure %(number)s a un historique (%(history)s) : elle ne peut pas être supprimée. "
            "Archivez-la plutôt."
        ) % {"number": self.number, "history": description}


class MeasureLead(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="lead_links")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("rang"), default=0)

    class Meta:
        verbose_name = _("M/O en charge")
        verbose_name_plural = _("M/O en charge")
        ordering = ["measure", "position"]
        constraints = [models.UniqueConstraint(fields=["measure", "organization"], name="lead_unique")]

    def __str__(self):
        return str(self.organization)


class Collaborator(models.Model):
    """A collaborating organization, or free text when the source names none."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="collaborators")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collaborations",
    )
    text = models.CharField(_("texte"), max_length=300, blank=True)
    note = models.CharField(_("précision"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("rang"), default=0)

    class Meta:
        verbose_name = _("M/O collaborateur")
        verbose_name_plural = _("M/O collaborateurs")
        ordering = ["measure", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(text=""))
                | (Q(organization__isnull=True) & ~Q(text="")),
                name="collaborator_org_xor_text",
            )
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.organization.label if self.organization_id else self.text


class Indicator(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("rang"), default=0)
    label = models.TextField(_("indicateur"))
    target_text = models.TextField(_("cible"), blank=True)
    target_value = models.DecimalField(
        _("valeur cible"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_unit = models.CharField(_("unité de la cible"), max_length=80, blank=True)
    deadline_text = models.CharField(_("échéance (texte de la source)"), max_length=120)
    deadline_kind = models.CharField(
        _("forme de l’échéance"), max_length=20, choices=[(k, k) for k in KINDS], editable=False
    )
    deadline_latest = models.DateField(_("échéance au plus tard"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["measure", "position"]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # The latest date is derived from the text, never typed.
        deadline = parse_deadline(self.deadline_text)
        self.deadline_kind = deadline.kind
        self.deadline_latest = deadline.latest
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "deadline_text" in update_fields:
            kwargs["update_fields"] = {*update_fields, "deadline_kind", "deadline_latest"}
        super().save(*args, **kwargs)

    def clean(self):
        try:
            parse_deadline(self.deadline_text)
        except DeadlineError as exc:
            raise ValidationError({"deadline_text": str(exc)}) from exc

    @property
    def deadline(self):
        return parse_deadline(self.deadline_text)


class RenderedNarrative:
    """A narrative in Markdown and its sanitized HTML, rendered once when saved.

    Pages show ``narrative_as_html`` and never render Markdown per request.
    Every save fills ``narrative_html``; bulk writes call ``render_narrative()``
    on each row first (see ``progress.record_progress``).
    """

    def render_narrative(self):
        self.narrative_html = str(render_markdown(self.narrative))
        return self

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "narrative" in update_fields:
            self.render_narrative()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "narrative_html"}
        super().save(*args, **kwargs)

    @property
    def narrative_as_html(self) -> SafeString:
        if self.narrative and not self.narrative_html:
            return render_markdown(self.narrative)  # a row written around save(): still safe
        return mark_safe(self.narrative_html)  # noqa: S308 - sanitized by render_markdown when saved


class ProgressReport(RenderedNarrative, models.Model):
    """The validated state of a measure at one reporting date ("au 31 mars 2023").

    Next year's state is a new row beside this one, never an overwrite; and a
    correction of a validated state is a new version that replaces it, so
    that the history shows both. Only the current version counts.
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="progress_reports")
    as_of = models.DateField(_("état au"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("version en vigueur"), default=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("remplace"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    percent = models.PositiveSmallIntegerField(
        _("pourcentage"), null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    status = models.CharField(_("état"), max_length=20, choices=Status.choices)
    completed_in = models.CharField(_("réalisée en"), max_length=20, blank=True)
    narrative = models.TextField(_("état d’avancement"), blank=True)
    narrative_html = models.TextField(_("état d’avancement (HTML)"), blank=True, editable=False)

    history_excluded_fields = ("narrative_html",)

    class Meta:
        verbose_name = _("état d’avancement")
        verbose_name_plural = _("états d’avancement")
        ordering = ["measure", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "as_of"],
                condition=Q(is_current=True),
                name="progress_one_current_per_date",
            ),
            models.UniqueConstraint(fields=["measure", "as_of", "version"], name="progress_version_unique"),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100), name="progress_percent_range"
            ),
        ]

    def __str__(self):
        return f"{self.measure} — {self.as_of:%Y-%m-%d} (v{self.version})"

    def effective_percent(self, indicator_progress=None) -> tuple[int | None, str | None]:
        """(percent, source): explicit from the source wins over derived.

        Derived is the mean of the percentages of the indicators that have
        one (explicit or from actual/target); ``None`` if none has.
        """
        if self.percent is not None:
            return self.percent, "explicit"
        rows = indicator_progress if indicator_progress is not None else self.indicator_values.all()
        values = [p for p in (row.effective_percent for row in rows) if p is not None]
        if not values:
            return None, None
        mean = Decimal(sum(values)) / len(values)
        return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP)), "derived"


class ComponentProgress(RenderedNarrative, models.Model):
    """Per-component progress of a measure (measure 1: OPTMQ 50 %, OIIAQ 100 %)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(_("rang"), default=0)
    label = models.CharField(_("libellé"), max_length=200)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_components",
    )
    percent = models.PositiveSmallIntegerField(
        _("pourcentage"), null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    narrative = models.TextField(_("état d’avancement"), blank=True)
    narrative_html = models.TextField(_("état d’avancement (HTML)"), blank=True, editable=False)

    history_excluded_fields = ("narrative_html",)

    class Meta:
        verbose_name = _("composante")
        verbose_name_plural = _("composantes")
        ordering = ["report", "position"]

    def __str__(self):
        return self.label


class IndicatorProgress(models.Model):
    """The actual value (and any percentage) of one indicator at a reporting date."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    actual = models.DecimalField(_("valeur atteinte"), max_digits=14, decimal_places=2, null=True, blank=True)
    percent = models.PositiveSmallIntegerField(
        _("pourcentage"), null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    note = models.TextField(_("précision"), blank=True)

    class Meta:
        verbose_name = _("valeur d’indicateur")
        verbose_name_plural = _("valeurs d’indicateurs")
        ordering = ["report", "indicator__position"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="indicator_value_unique")]

    def __str__(self):
        return f"{self.indicator} : {self.actual}"

    @property
    def derived_percent(self) -> int | None:
        target = self.indicator.target_value
        if self.actual is None or not target:
            return None
        return ratio_percent(self.actual, target)

    @property
    def effective_percent(self) -> int | None:
        return self.percent if self.percent is not None else self.derived_percent


class PublishedDate(models.Model):
    """A reporting date of a plan made public as a whole (« Publier l’état au … »).

    Validated states at a date the coordination has not published are seen
    by the coordination (and partners, for their own measures) only; the
    public sees the plan at its published dates. A row is only ever added:
    it is the record of who published the date, when and how.
    """

    class Via(models.TextChoices):
        ACTION = "action", _("Publication de l’état par la coordination")
        REPORT = "report", _("Publication du rapport annuel")
        IMPORT = "import", _("Importation d’un état déjà publié")
        MIGRATION = "migration", _("État publié avant la publication par date")
        RESTORE = "restore", _("Restauration d’une sauvegarde")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="published_dates")
    as_of = models.DateField(_("état au"))
    published_at = models.DateTimeField(_("publié le"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publié par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    via = models.CharField(_("publié par le moyen de"), max_length=20, choices=Via.choices)

    class Meta:
        verbose_name = _("état publié")
        verbose_name_plural = _("états publiés")
        ordering = ["plan", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["plan", "as_of"], name="published_date_unique")]

    def __str__(self):
        return f"{self.plan.slug} — état au {self.as_of:%Y-%m-%d}"
