"""Accounts: invitations by e-mail, login with lockout, password reset, who may invite."""

import datetime
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from concerto.accounts import rules
from concerto.accounts.models import Invitation, Membership, Role, hash_token
from concerto.accounts.services import accept_invitation, invite

from .factories import (
    CaseFactory,
    CollaboratorFactory,
    MeasureFactory,
    MeasureLeadFactory,
    OrganizationFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)
from .support.accounts import GOOD_PASSWORD, accept_data, login, reset, signed_in_user_id

INVITED = "Marie.Tremblay@Example.org"


@pytest.fixture
def office_plan(db):
    office = OrganizationFactory(code="office-des-professions", name="Office des professions du Québec")
    return PlanFactory(owner=office)  # the Office coordinates the Pôle's plan


def partner_of(plan, **fields):
    """A new organization that leads a measure of ``plan``: it takes part, so it may be invited."""
    organization = OrganizationFactory(**fields)
    MeasureLeadFactory(measure=MeasureFactory(theme__plan=plan), organization=organization)
    return organization


@pytest.fixture
def organization(office_plan):
    return partner_of(office_plan, name="Ordre des infirmières et infirmiers du Québec")


@pytest.fixture
def coordinator(office_plan):
    return UserFactory(
        username="coordo@example.org",
        email="coordo@example.org",
        password=GOOD_PASSWORD,
        first_name="Claire",
        coordinator_of=office_plan.owner,
    )


@pytest.fixture
def member(organization):
    """Someone who can sign in, with a membership that is not coordination."""
    return UserFactory(
        username="lise@example.org", email="lise@example.org", member_of=(organization, Role.EDITOR)
    )


@pytest.fixture
def invitation_and_token(organization, coordinator):
    return invite(email=INVITED, organization=organization, role=Role.EDITOR, invited_by=coordinator)


@pytest.fixture
def token(invitation_and_token):
    return invitation_and_token[1]


def accept_url(token):
    return reverse("invitation-accept", args=[token])


def link_in(text: str) -> str:
    return re.search(r"https?://[^\s\"<>]+", text).group(0)


def html_part(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


# --- the invitation e-mail ------------------------------------------------------------


def test_invitation_email_has_text_and_html_parts_with_a_working_link(
    client, settings, organization, coordinator
):
    settings.CONCERTO_BASE_URL = "https://concerto.example.org/"
    invitation, token = invite(
        email=INVITED, organization=organization, role=Role.EDITOR, invited_by=coordinator
    )
    (message,) = mail.outbox
    assert message.to == ["marie.tremblay@example.org"]
    link = "https://concerto.example.org" + accept_url(token)
    assert link in message.body
    assert f'href="{link}"' in html_part(message)
    response = client.get(urlsplit(link_in(message.body)).path)
    assert response.status_code == 200
    assert "Ordre des infirmières et infirmiers du Québec" in response.content.decode()
    assert "Responsable de la mise à jour" in response.content.decode()


def test_invitation_email_is_french_first_with_an_english_paragraph(invitation_and_token):
    (message,) = mail.outbox
    assert message.subject.startswith("Invitation à Concerto")
    for body in (message.body, html_part(message)):
        assert body.index("Bonjour") < body.index("English:")
        assert "Claire vous invite" in body
        assert "Ordre des infirmières et infirmiers du Québec" in body


def test_invitation_stores_only_a_hash_of_the_token(invitation_and_token):
    invitation, token = invitation_and_token
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(token) != token
    assert invitation.email == "marie.tremblay@example.org"
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=14)


# --- accepting an invitation ---------------------------------------------------------


def test_accepting_creates_the_user_and_membership_and_signs_in(
    client, django_user_model, token, organization
):
    response = client.post(accept_url(token), accept_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("my-tasks")
    user = django_user_model.objects.get(username="marie.tremblay@example.org")
    assert user.email == "marie.tremblay@example.org"
    assert (user.first_name, user.last_name) == ("Marie", "Tremblay")
    assert user.check_password(GOOD_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.organization, membership.role) == (organization, Role.EDITOR)
    assert signed_in_user_id(client) == str(user.pk)
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None and invitation.user == user


def test_invitation_link_works_only_once(client, django_user_model, token):
    assert client.post(accept_url(token), accept_data()).status_code == 302
    other = type(client)()
    response = other.post(accept_url(token), accept_data(password="Un-autre-mot-2024"))
    assert response.status_code == 410
    assert "déjà été acceptée" in response.content.decode()
    assert other.get(accept_url(token)).status_code == 410
    assert django_user_model.objects.get(username="marie.tremblay@example.org").check_password(GOOD_PASSWORD)


def test_accepting_twice_through_the_service_is_refused(token):
    accept_invitation(token=token, password=GOOD_PASSWORD, first_name="Marie", last_name="Tremblay")
    from concerto.accounts.services import AcceptedInvitation

    with pytest.raises(AcceptedInvitation):
        accept_invitation(token=token, password=GOOD_PASSWORD, first_name="Marie", last_name="Tremblay")


def test_expired_invitation_is_refused(client, django_user_model, invitation_and_token):
    invitation, token = invitation_and_token
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = client.get(accept_url(token))
    assert response.status_code == 410
    assert "invitation est expirée" in response.content.decode()
    assert client.post(accept_url(token), accept_data()).status_code == 410
    assert not django_user_model.objects.filter(username="marie.tremblay@example.org").exists()
    assert signed_in_user_id(client) is None


def test_reinviting_the_same_address_revokes_the_previous_link(client, organization, coordinator, token):
    _, new_token = invite(
        email=INVITED.upper(), organization=organization, role=Role.READER, invited_by=coordinator
    )
    response = client.post(accept_url(token), accept_data())
    assert response.status_code == 410
    assert "a été annulée" in response.content.decode()
    assert not Membership.objects.filter(organization=organization).exists()
    assert client.post(accept_url(new_token), accept_data()).status_code == 302
    assert Membership.objects.get(organization=organization).role == Role.READER


def test_inviting_to_another_organization_keeps_the_first_link(
    client, office_plan, organization, coordinator, token
):
    invite(email=INVITED, organization=partner_of(office_plan), role=Role.READER, invited_by=coordinator)
    assert client.get(accept_url(token)).status_code == 200


def test_unknown_invitation_link_is_404_with_a_french_page(client, db):
    response = client.get(accept_url("pas-un-vrai-jeton"))
    assert response.status_code == 404
    assert "Ce lien d’invitation n’existe pas" in response.content.decode()


def test_weak_password_is_refused_in_french_and_nothing_is_created(client, django_user_model, token):
    users_before = django_user_model.objects.count()
    response = client.post(accept_url(token), accept_data(password="123"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce mot de passe est trop court" in html
    assert "Ce mot de passe est entièrement numérique" in html
    assert django_user_model.objects.count() == users_before
    assert not Membership.objects.filter(user__username="marie.tremblay@example.org").exists()
    assert Invitation.objects.get().is_usable
    assert signed_in_user_id(client) is None


def test_accept_service_raises_a_french_validation_error_for_a_weak_password(django_user_model, token):
    with pytest.raises(ValidationError) as raised:
        accept_invitation(token=token, password="motdepasse", first_name="Marie", last_name="Tremblay")
    assert "Ce mot de passe est trop courant." in raised.value.messages
    assert not django_user_model.objects.filter(username="marie.tremblay@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


def test_mismatched_passwords_are_refused(client, django_user_model, token):
    response = client.post(accept_url(token), accept_data(password2="Autre-chose-2024"))
    assert response.status_code == 200
    assert "Les deux mots de passe ne sont pas identiques." in response.content.decode()
    assert not django_user_model.objects.filter(username="marie.tremblay@example.org").exists()


def test_accepting_for_an_existing_address_attaches_to_that_account(client, django_user_model, token):
    existing = django_user_model.objects.create_user("mtremblay", email=INVITED, password="ancien")
    assert client.post(accept_url(token), accept_data()).status_code == 302
    existing.refresh_from_db()
    assert existing.check_password(GOOD_PASSWORD)
    assert django_user_model.objects.filter(email__iexact=INVITED).count() == 1
    assert Membership.objects.get(user=existing).role == Role.EDITOR
    assert signed_in_user_id(client) == str(existing.pk)


def test_accepting_updates_the_role_of_an_existing_membership(organization, member, coordinator):
    _, token = invite(email=member.email, organization=organization, role=Role.READER, invited_by=coordinator)
    accept_invitation(token=token, password=GOOD_PASSWORD, first_name="Lise", last_name="Roy")
    assert Membership.objects.get(user=member, organization=organization).role == Role.READER


def test_invitation_to_a_deactivated_account_is_refused(client, django_user_model, token):
    django_user_model.objects.create_user(INVITED.lower(), email=INVITED, password="x", is_active=False)
    response = client.post(accept_url(token), accept_data())
    assert response.status_code == 403
    assert "désactivé" in response.content.decode()
    assert Invitation.objects.get().is_usable


def test_invitation_accept_refuses_the_wrong_method(client, token):
    assert client.put(accept_url(token)).status_code == 405


# --- who may invite ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_invitation_page_sends_anonymous_users_to_login(client, organization, method):
    url = reverse("invitation-create")
    response = getattr(client, method)(url, {"email": "x@example.org"} if method == "post" else {})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert Invitation.objects.count() == 0 and mail.outbox == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_invitation_page_refuses_signed_in_non_coordinators(client, organization, member, method):
    client.force_login(member)
    data = {"email": "x@example.org", "organization": organization.pk, "role": Role.EDITOR}
    response = getattr(client, method)(reverse("invitation-create"), data if method == "post" else {})
    assert response.status_code == 403
    assert Invitation.objects.count() == 0 and mail.outbox == []


def test_staff_without_coordination_membership_cannot_invite(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("personnel", password="x", is_staff=True))
    assert client.get(reverse("invitation-create")).status_code == 403


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_invitation_page_refuses_the_wrong_method(client, coordinator, method):
    client.force_login(coordinator)
    assert getattr(client, method)(reverse("invitation-create")).status_code == 405


def test_coordinator_invites_from_the_page(client, coordinator, organization):
    client.force_login(coordinator)
    data = {"email": " Nouveau@Example.org ", "organization": organization.pk, "role": Role.COLLABORATOR}
    response = client.post(reverse("invitation-create"), data, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("invitation-create"), 302)]
    assert "Invitation envoyée à nouveau@example.org" in html
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.organization, invitation.role) == (
        "nouveau@example.org",
        organization,
        Role.COLLABORATOR,
    )
    assert invitation.invited_by == coordinator
    assert mail.outbox[0].to == ["nouveau@example.org"]


def test_invitation_form_names_what_is_wrong_in_french(client, coordinator, organization):
    client.force_login(coordinator)
    response = client.post(reverse("invitation-create"), {"email": "pas-un-courriel", "role": "roi"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in html
    assert "Ce champ est obligatoire." in html
    assert "Sélectionnez un choix valide." in html
    assert Invitation.objects.count() == 0 and mail.outbox == []


def test_invitation_page_lists_only_my_pending_invitations(
    client, coordinator, organization, django_user_model
):
    other = django_user_model.objects.create_superuser("autre", "autre@example.org", "x")
    invite(email="a-moi@example.org", organization=organization, role=Role.READER, invited_by=coordinator)
    invite(email="pas-a-moi@example.org", organization=organization, role=Role.READER, invited_by=other)
    _, used = invite(
        email="deja@example.org", organization=organization, role=Role.READER, invited_by=coordinator
    )
    accept_invitation(token=used, password=GOOD_PASSWORD, first_name="Déjà", last_name="Là")
    client.force_login(coordinator)
    html = client.get(reverse("invitation-create")).content.decode()
    assert "a-moi@example.org" in html
    assert "pas-a-moi@example.org" not in html
    assert "deja@example.org" not in html


def test_coordinator_predicate(db, django_user_model, coordinator, member, organization):
    from django.contrib.auth.models import AnonymousUser

    superuser = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    Membership.objects.create(
        user=django_user_model.objects.create_user("ancien", password="x", is_active=False),
        organization=organization,
        role=Role.COORDINATOR,
    )
    inactive = django_user_model.objects.get(username="ancien")
    assert rules.is_any_coordinator(coordinator)
    assert rules.is_any_coordinator(superuser)
    assert not rules.is_any_coordinator(member)
    assert not rules.is_any_coordinator(inactive)
    assert not rules.is_any_coordinator(AnonymousUser())
    assert [m.organization.name for m in rules.memberships_of(coordinator)] == [
        "Office des professions du Québec"
    ]
    assert list(rules.memberships_of(AnonymousUser())) == []


def test_templates_can_ask_whether_the_user_is_a_coordinator(coordinator, member):
    from django.template import Context, Template

    template = Template("{% load accounts %}{% if user|is_any_coordinator %}oui{% else %}non{% endif %}")
    assert template.render(Context({"user": coordinator})) == "oui"
    assert template.render(Context({"user": member})) == "non"


# --- login, lockout, logout ---------------------------------------------------------


def test_login_page_is_in_french(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "Courriel ou nom d’utilisateur" in html
    assert "Mot de passe oublié ?" in html


def test_login_with_the_right_password_signs_in(client, coordinator):
    response = login(client, "coordo@example.org", GOOD_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("my-tasks")
    assert signed_in_user_id(client) == str(coordinator.pk)


def test_login_accepts_the_email_in_any_case(client, django_user_model, db):
    user = django_user_model.objects.create_user("admin", email="Admin@Example.org", password=GOOD_PASSWORD)
    assert login(client, " ADMIN@example.ORG ", GOOD_PASSWORD).status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_login_follows_next(client, coordinator):
    response = client.post(
        reverse("login"),
        {"username": "coordo@example.org", "password": GOOD_PASSWORD, "next": reverse("invitation-create")},
    )
    assert response["Location"] == reverse("invitation-create")


def test_unknown_user_gets_the_same_error_as_a_wrong_password(client, coordinator):
    wrong_password = login(client, "coordo@example.org", "mauvais")
    unknown_user = login(client, "personne@example.org", "mauvais")
    assert wrong_password.status_code == unknown_user.status_code == 200
    errors = wrong_password.context["form"].errors
    assert (
        errors
        == unknown_user.context["form"].errors
        == {"__all__": ["Courriel (ou nom d’utilisateur) ou mot de passe incorrect."]}
    )
    assert "Courriel (ou nom d’utilisateur) ou mot de passe incorrect." in unknown_user.content.decode()


def test_five_wrong_passwords_lock_the_account_even_with_the_right_password(client, coordinator):
    for _ in range(4):
        assert login(client, "coordo@example.org", "mauvais").status_code == 200
    locked = login(client, "coordo@example.org", "mauvais")
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion" in locked.content.decode()
    right = login(client, "coordo@example.org", GOOD_PASSWORD)
    assert right.status_code == 429
    html = right.content.decode()
    assert "Réessayez dans 15 minutes" in html
    assert reverse("password_reset") in html
    assert signed_in_user_id(client) is None


def test_changing_the_case_of_the_address_does_not_evade_the_lockout(client, coordinator):
    for username in ["coordo@example.org", "Coordo@example.org", "COORDO@EXAMPLE.ORG", "coordo@Example.org"]:
        assert login(client, username, "mauvais").status_code == 200
    assert login(client, "cOORDO@example.org", "mauvais").status_code == 429


def test_four_wrong_passwords_do_not_lock_the_account(client, coordinator):
    for _ in range(4):
        login(client, "coordo@example.org", "mauvais")
    assert login(client, "coordo@example.org", GOOD_PASSWORD).status_code == 302


def test_logout_by_get_is_refused(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in_user_id(client) == str(coordinator.pk)


def test_logout_by_post_signs_out(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) is None


def test_session_expires_at_browser_close_and_after_eight_hours(client, coordinator):
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600
    response = login(client, "coordo@example.org", GOOD_PASSWORD)
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert client.session.get_expire_at_browser_close()


# --- password reset ---------------------------------------------------------------------


def test_password_reset_emails_a_french_link_to_a_known_address(client, settings, coordinator):
    settings.CONCERTO_BASE_URL = "https://concerto.example.org"
    response = reset(client, "Coordo@Example.org")
    assert response["Location"] == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["coordo@example.org"]
    assert message.subject.startswith("Concerto — Réinitialisation du mot de passe")
    assert "Pour choisir un nouveau mot de passe" in message.body
    assert link_in(message.body).startswith("https://concerto.example.org/compte/mot-de-passe/")
    assert f'href="{link_in(message.body)}"' in html_part(message)


def test_password_reset_sends_nothing_to_an_unknown_address(client, coordinator):
    assert reset(client, "inconnu@example.org")["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_reset_done_page_is_the_same_for_known_and_unknown_addresses(client, coordinator):
    known = reset(client, "coordo@example.org", follow=True)
    unknown = reset(client, "inconnu@example.org", follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert known.content == unknown.content
    assert "Si un compte actif correspond à cette adresse" in known.content.decode()


def test_password_reset_link_sets_a_new_password(client, coordinator):
    reset(client, "coordo@example.org")
    path = urlsplit(link_in(mail.outbox[0].body)).path
    form_page = client.get(path)
    assert form_page.status_code == 302 and form_page["Location"].endswith("/set-password/")
    response = client.post(
        form_page["Location"],
        {"new_password1": "Nouvelle-Partition-88", "new_password2": "Nouvelle-Partition-88"},
    )
    assert response["Location"] == reverse("password_reset_complete")
    coordinator.refresh_from_db()
    assert coordinator.check_password("Nouvelle-Partition-88")
    assert client.get(path).status_code == 200  # the used link now shows the "not valid" page
    assert "n’est pas valide" in client.get(path).content.decode()


def test_password_reset_refuses_a_weak_new_password_in_french(client, coordinator):
    reset(client, "coordo@example.org")
    set_password_url = client.get(urlsplit(link_in(mail.outbox[0].body)).path)["Location"]
    response = client.post(set_password_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "Ce mot de passe est trop courant." in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.check_password(GOOD_PASSWORD)


def test_password_reset_lifts_the_lockout(client, coordinator):
    for _ in range(5):
        login(client, "coordo@example.org", "mauvais")
    assert login(client, "coordo@example.org", GOOD_PASSWORD).status_code == 429
    reset(client, "coordo@example.org")
    set_password_url = client.get(urlsplit(link_in(mail.outbox[0].body)).path)["Location"]
    client.post(
        set_password_url, {"new_password1": "Nouvelle-Partition-88", "new_password2": "Nouvelle-Partition-88"}
    )
    assert login(client, "coordo@example.org", "Nouvelle-Partition-88").status_code == 302


# --- pages: French, no inline script or style --------------------------------------------


def test_account_pages_have_no_inline_script_or_style(client, coordinator, token):
    pages = [reverse("login"), reverse("password_reset"), reverse("password_reset_done"), accept_url(token)]
    client.force_login(coordinator)
    pages.append(reverse("invitation-create"))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script" not in html and "style=" not in html and "<style" not in html, url
        assert '<html lang="fr">' in html, url


def test_login_page_is_translated_into_english(client, db):
    html = client.get("/en" + reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "E-mail or username" in html and "Forgot your password?" in html


def test_locked_out_page_is_translated_into_english(client, coordinator):
    english_login = "/en" + reverse("login")  # reverse() before English becomes the active language
    for _ in range(5):
        response = client.post(english_login, {"username": "coordo@example.org", "password": "x"})
    assert response.status_code == 429
    assert "Try again in 15 minutes." in response.content.decode()


ACCOUNTS_LOCALE = (
    Path(__file__).resolve().parent.parent / "concerto" / "accounts" / "locale" / "en" / "LC_MESSAGES"
)


def test_accounts_english_catalogue_is_complete():
    from .support.translations import entries as _entries

    text = (ACCOUNTS_LOCALE / "django.po").read_text(encoding="utf-8")
    missing = [
        values["msgid"]
        for values, fuzzy in _entries(text)
        if values.get("msgid") and (fuzzy or not all(v for k, v in values.items() if k.startswith("msgstr")))
    ]
    assert missing == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed")
def test_accounts_compiled_catalogue_matches_the_po_file(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(ACCOUNTS_LOCALE / "django.po")], check=True
    )
    assert compiled.read_bytes() == (ACCOUNTS_LOCALE / "django.mo").read_bytes()


# --- admin ----------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "x"))
    return client


@pytest.mark.parametrize("model", ["membership", "invitation"])
def test_admin_pages_open_in_french(superuser_client, invitation_and_token, model):
    changelist = superuser_client.get(reverse(f"admin:accounts_{model}_changelist"))
    assert changelist.status_code == 200
    assert '<html lang="fr"' in changelist.content.decode()
    instance = (Membership if model == "membership" else Invitation).objects.order_by("pk").first()
    assert (
        superuser_client.get(reverse(f"admin:accounts_{model}_change", args=[instance.pk])).status_code == 200
    )


def test_admin_can_only_revoke_an_invitation(superuser_client, invitation_and_token):
    invitation, _ = invitation_and_token
    url = reverse("admin:accounts_invitation_change", args=[invitation.pk])
    superuser_client.post(
        url,
        {
            "email": "pirate@example.org",
            "role": Role.COORDINATOR,
            "revoked_at_0": "2030-01-01",
            "revoked_at_1": "12:00",
        },
    )
    invitation.refresh_from_db()
    assert invitation.email == "marie.tremblay@example.org" and invitation.role == Role.EDITOR
    assert invitation.revoked_at is not None
    assert superuser_client.get(reverse("admin:accounts_invitation_add")).status_code == 403


def test_a_partner_coordinator_cannot_invite_a_coordinator_of_the_office(
    client, django_user_model, real_plan
):
    from concerto.accounts.models import Invitation, Role
    from concerto.organizations.models import Organization

    mess = Organization.objects.get(code="ministere-de-l-emploi-et-de-la-solidarite-sociale")
    user = UserFactory(username="mess-coordo", coordinator_of=mess)
    client.force_login(user)
    response = client.post(
        reverse("invitation-create"),
        {"email": "evil@example.org", "organization": real_plan.owner.pk, "role": Role.COORDINATOR},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_office_coordinator_cannot_grant_coordination_of_a_partner(client, django_user_model, real_plan):
    from concerto.accounts.models import Invitation, Role
    from concerto.organizations.models import Organization

    user = UserFactory(username="office-coordo", coordinator_of=real_plan.owner)
    client.force_login(user)
    mess = Organization.objects.get(code="ministere-de-l-emploi-et-de-la-solidarite-sociale")
    response = client.post(
        reverse("invitation-create"),
        {"email": "x@example.org", "organization": mess.pk, "role": Role.COORDINATOR},
    )
    assert response.status_code == 200
    assert "ne peut être attribué que dans une organisation que vous coordonnez" in response.content.decode()
    assert not Invitation.objects.exists()


# --- who coordinates what ------------------------------------------------------------


@pytest.fixture
def two_bodies(office_plan):
    """The Office (``office_plan``'s owner) and a second body owning its own plan."""
    body_b = OrganizationFactory(code="autre-organisme", name="Autre organisme", kind="public_body")
    PlanFactory(owner=body_b)
    return office_plan.owner, body_b


def test_coordinates_takes_the_owner_or_its_id(two_bodies):
    office, _body_b = two_bodies
    user = UserFactory(coordinator_of=office)
    assert rules.coordinates(user, office) and rules.coordinates(user, office.pk)


def test_a_coordinator_of_one_body_does_not_coordinate_another(two_bodies):
    office, body_b = two_bodies
    user = UserFactory(coordinator_of=body_b)
    assert rules.coordinates(user, body_b)
    assert not rules.coordinates(user, office)
    assert rules.coordinated_owner_ids(user) == {body_b.pk}


def test_other_roles_of_the_owner_do_not_coordinate(two_bodies):
    office, _body_b = two_bodies
    for role in (Role.EDITOR, Role.COLLABORATOR, Role.READER):
        assert not rules.coordinates(UserFactory(member_of=(office, role)), office)


def test_a_superuser_coordinates_every_owner_and_nobody_else_does_without_an_account(two_bodies):
    from django.contrib.auth.models import AnonymousUser

    office, body_b = two_bodies
    superuser = UserFactory(is_superuser=True)
    assert rules.coordinates(superuser, office) and rules.coordinates(superuser, body_b)
    assert rules.coordinated_owner_ids(superuser) == {office.pk, body_b.pk}
    assert not rules.coordinates(AnonymousUser(), office)
    assert not rules.coordinates(UserFactory(coordinator_of=office, is_active=False), office)
    assert not rules.coordinates(UserFactory(coordinator_of=office), None)


def test_a_coordinator_membership_where_nothing_is_owned_coordinates_nothing(organization):
    user = UserFactory(coordinator_of=organization)  # a partner, not an owning body
    assert rules.coordinated_owner_ids(user) == set()
    assert not rules.is_any_coordinator(user) and not rules.can_invite(user)


def test_memberships_are_read_once_per_user_object(two_bodies, django_assert_num_queries):
    office, body_b = two_bodies
    user = UserFactory(coordinator_of=office, member_of=(body_b, Role.READER))
    with django_assert_num_queries(1):
        assert rules.coordinates(user, office)
        assert not rules.coordinates(user, body_b)
        assert rules.coordinated_owner_ids(user) == {office.pk}
        assert rules.organizations_with_role(user, Role.READER) == {body_b.pk}
        assert rules.is_any_coordinator(user)


def test_every_app_contributes_the_organizations_that_may_be_invited(two_bodies):
    office, body_b = two_bodies
    plan = office.owned_plans.get()
    lead, collaborator, addressee, order, elsewhere = (OrganizationFactory() for _ in range(5))
    measure = MeasureFactory(theme__plan=plan)
    MeasureLeadFactory(measure=measure, organization=lead)
    CollaboratorFactory(measure=measure, organization=collaborator)
    RecommendationFactory(owner=office, addressee=addressee)
    CaseFactory(owner=office, orders=[order])
    RecommendationFactory(owner=body_b, addressee=elsewhere)
    invitable = set(rules.invitable_organizations(UserFactory(coordinator_of=office)))
    assert {office, lead, collaborator, addressee, order} <= invitable
    assert not {body_b, elsewhere} & invitable


def test_the_coordinator_role_is_granted_only_in_the_inviters_own_body(two_bodies, organization):
    office, body_b = two_bodies
    user = UserFactory(coordinator_of=office)
    assert rules.can_grant_role(user, office, Role.COORDINATOR)
    assert not rules.can_grant_role(user, organization, Role.COORDINATOR)
    assert not rules.can_grant_role(user, body_b, Role.COORDINATOR)
    assert rules.can_grant_role(user, organization, Role.EDITOR)
    assert not rules.can_grant_role(user, body_b, Role.READER)
