import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from concerto.core.management.base import ConcertoCommand

USERNAME = "coordination"


class Command(ConcertoCommand):
    help = "Crée (ou réinitialise) le compte de démonstration d’une coordonnatrice et affiche ses accès."

    def run(self, *args, **options):
        User = get_user_model()
        password = secrets.token_urlsafe(12)
        user, created = User.objects.get_or_create(
            username=USERNAME,
            defaults={"first_name": "Coordination", "last_name": "Démo", "email": "coordination@example.org"},
        )
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        # A coordinator of the Office, which owns the Pôle's plan.
        from concerto.accounts.models import Membership, Role
        from concerto.organizations.models import Organization

        office = Organization.objects.filter(code="office-des-professions-du-quebec").first()
        if office is not None:
            Membership.objects.update_or_create(
                user=user, organization=office, defaults={"role": Role.COORDINATOR}
            )
        with translation.override("fr"):
            login = settings.CONCERTO_BASE_URL.rstrip("/") + reverse("login")
        self.stdout.write(
            self.style.SUCCESS(
                "Compte de démonstration (coordination) "
                f"{'créé' if created else 'réinitialisé'} : identifiant « {USERNAME} », "
                f"mot de passe « {password} » — connexion : {login}"
            )
        )
