"""What the diagnosis side of the pathway adds to shared registries: « Mes tâches » and ``load_demo``."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.demo import demo_title, register_demo
from concerto.core.inbox import Task, register_tasks

from . import rules

DEMO_APPLICATIONS_PER_ORDER = 300
DEMO_PERIOD = "Démonstration"
DEMO_SEED = 2025
DEMO_RELEASE_TITLE = "Demandes par ordre et décision"


def register() -> None:
    register_tasks(
        "pathway-releases", release_tasks, label=gettext_lazy("Diffusions du parcours d’admission"), order=60
    )
    register_demo("pathway", load_pathway_demo, order=40)


def release_tasks(user, *, today: datetime.date) -> list[Task]:
    """The privacy officer's releases awaiting approval; the analyst's returned releases
    not yet followed by a newer one. Two queries at most."""
    from .release_models import Release

    tasks = []
    if rules.is_privacy_officer(user):
        for release in (
            Release.objects.filter(state=Release.State.AWAITING)
            .exclude(prepared_by=user)
            .order_by("prepared_at", "pk")
        ):
            tasks.append(
                Task(
                    title=_("Approuver ou retourner la diffusion « %(title)s »") % {"title": release.title},
                    url=reverse("pathway-release-detail", args=[release.pk]),
                    status=_("En attente d’approbation"),
                    detail=_("Préparée le %(date)s") % {"date": release.prepared_at.date().isoformat()},
                )
            )
    if rules.is_analyst(user):
        mine = Release.objects.filter(prepared_by=user)
        latest = mine.aggregate(latest=Max("prepared_at"))["latest"]
        returned = [] if latest is None else mine.filter(state=Release.State.RETURNED, decided_at__gt=latest)
        for release in sorted(returned, key=lambda r: (r.decided_at, r.pk)):
            tasks.append(
                Task(
                    title=_("Diffusion retournée : « %(title)s »") % {"title": release.title},
                    url=reverse("pathway-release-detail", args=[release.pk]),
                    status=_("Retournée"),
                    detail=release.decision_note,
                )
            )
    return tasks


def _demo_user(username: str, first: str, role: str, office):
    from django.contrib.auth import get_user_model

    from concerto.accounts.models import Membership

    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": "(Démonstration)", "email": f"{username}@example.org"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, organization=office, defaults={"role": role})
    return user


def load_pathway_demo(*, out) -> str:
    """A synthetic submission for each professional order and one approved public release.

    Synthetic rows carry their own marker (``Submission.synthetic``) and are keyed with the
    public demonstration key (nothing real to protect), so ``make run`` needs no key file."""
    from concerto.accounts.models import Role
    from concerto.organizations.models import Organization

    from . import releases, synthetic
    from .ingest import read_submission
    from .models import Submission
    from .release_models import Release
    from .storage import store_submission

    orders = list(Organization.objects.filter(kind=Organization.Kind.PROFESSIONAL_ORDER).order_by("code"))
    office = rules.pathway_owner()
    if not orders or office is None:
        return "aucun ordre ou Office chargé (make load) : rien à faire"
    done = set(
        Submission.objects.filter(synthetic=True, period=DEMO_PERIOD).values_list("order__code", flat=True)
    )
    added = 0
    with tempfile.TemporaryDirectory() as directory:
        for order in orders:
            if order.code in done:
                continue
            path = Path(directory) / f"{order.code}_synthetique.csv"
            synthetic.write_csv(
                path,
                synthetic.generate(
                    order=order.code, applications=DEMO_APPLICATIONS_PER_ORDER, seed=DEMO_SEED
                ),
            )
            accepted = read_submission(path, key=synthetic.DEMO_KEY, order=order.code, today=synthetic.AS_OF)
            store_submission(accepted=accepted, order=order, period=DEMO_PERIOD, sha256=_sha(path))
            added += 1
    title = demo_title(DEMO_RELEASE_TITLE)
    release_note = "diffusion de démonstration déjà approuvée"
    if not Release.objects.filter(title=title, synthetic=True).exists():
        analyst = _demo_user("demo-analyste", "Analyste", Role.ANALYST, office)
        officer = _demo_user("demo-protection", "Responsable de la protection", Role.PRIVACY_OFFICER, office)
        release = releases.prepare_release(
            user=analyst,
            title=title,
            synthetic=True,
            threshold=5,
            audience=Release.PUBLIC,
            tables=[("order", "decision"), ("route", "year")],
            curve=True,
            as_of=synthetic.AS_OF,
        )
        releases.approve_release(user=officer, release=release)
        release_note = "une diffusion publique approuvée"
    total = DEMO_APPLICATIONS_PER_ORDER * len(orders)
    out(f"Parcours d’admission : {added} dépôt(s) synthétique(s) ajouté(s), {total} demandes au total.")
    return f"{len(orders)} ordres × {DEMO_APPLICATIONS_PER_ORDER} demandes synthétiques, {release_note}"


def _sha(path: Path) -> str:
    from .storage import file_sha256

    return file_sha256(path)
