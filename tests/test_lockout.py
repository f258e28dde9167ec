"""Login lockout per address across usernames, beside the lockout per
account and address (tests/test_accounts.py)."""

from django.conf import settings as django_settings
from django.urls import reverse

from .factories import PASSWORD, UserFactory


def login(client, username, password, address="192.0.2.10"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_thresholds_are_five_per_account_and_thirty_per_address_over_fifteen_minutes():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.CONCERTO_ADDRESS_FAILURE_LIMIT == 30
    assert django_settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def test_one_address_trying_many_usernames_is_locked_out_with_a_french_message(client, db, settings):
    settings.CONCERTO_ADDRESS_FAILURE_LIMIT = 4
    for n in range(3):
        assert login(client, f"personne-{n}@example.org", "mauvais").status_code == 200
    locked = login(client, "personne-3@example.org", "mauvais")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "les connexions depuis votre adresse réseau sont suspendues" in html
    assert "Réessayez dans 15 minutes." in html


def test_a_locked_out_address_is_refused_even_with_a_right_password(client, db, settings):
    settings.CONCERTO_ADDRESS_FAILURE_LIMIT = 4
    user = UserFactory()
    for n in range(4):
        login(client, f"personne-inconnue-{n}", "mauvais")
    assert login(client, user.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_address_is_not_locked_out_by_the_first(client, db, settings):
    settings.CONCERTO_ADDRESS_FAILURE_LIMIT = 4
    user = UserFactory()
    for n in range(4):
        login(client, f"personne-inconnue-{n}", "mauvais")
    assert login(client, user.username, PASSWORD, address="192.0.2.99").status_code == 302


def test_colleagues_mistyping_below_the_address_limit_do_not_lock_the_office(client, db, settings):
    settings.CONCERTO_ADDRESS_FAILURE_LIMIT = 4
    colleagues = [UserFactory() for _ in range(4)]
    for colleague in colleagues[:3]:
        assert login(client, colleague.username, "faute-de-frappe").status_code == 200
    assert login(client, colleagues[3].username, PASSWORD).status_code == 302


def test_account_lockout_still_comes_first_and_says_so(client, db, settings):
    settings.CONCERTO_ADDRESS_FAILURE_LIMIT = 30
    user = UserFactory()
    for _ in range(5):
        response = login(client, user.username, "mauvais")
    assert response.status_code == 429
    html = response.content.decode()
    assert "la connexion à ce compte est bloquée après 5 tentatives infructueuses" in html
    assert "adresse réseau" not in html


def test_address_lockout_page_is_translated_into_english(client, db, settings):
    settings.CONCERTO_ADDRESS_FAILURE_LIMIT = 2
    english_login = "/en" + reverse("login")
    for n in range(2):
        response = client.post(english_login, {"username": f"nobody-{n}", "password": "x"})
    assert response.status_code == 429
    assert "logins from your network address are suspended" in response.content.decode()


def test_zero_turns_the_address_limit_off(client, db, settings):
    settings.CONCERTO_ADDRESS_FAILURE_LIMIT = 0
    user = UserFactory()
    for n in range(8):
        login(client, f"personne-inconnue-{n}", "mauvais")
    assert login(client, user.username, PASSWORD).status_code == 302
