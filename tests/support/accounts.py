"""Signing in and out, password reset and invitation acceptance, as a browser does them."""

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

GOOD_PASSWORD = "Harmonie-des-Ordres-2024"


def accept_data(password=GOOD_PASSWORD, **overrides):
    """The invitation acceptance form, filled in."""
    return {"first_name": "Marie", "last_name": "Tremblay", "password1": password, "password2": password} | (
        overrides
    )


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def reset(client, email, **kwargs):
    return client.post(reverse("password_reset"), {"email": email}, **kwargs)
