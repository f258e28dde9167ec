"""A person registers in one click, a second is waitlisted, the first cancels and the second is
promoted and told by e-mail — in a real browser, with no serious accessibility violation."""

import pytest
from django.core import mail
from django.urls import reverse

from concerto.activities.models import Registration
from tests.support.activities import build_world

from .browser_support import BLOCKING_IMPACTS, axe_source, describe_violations, run_axe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_be_waitlisted_cancel_and_promote(browser, live_server):
    world = build_world(capacity=1)
    url = reverse("activity-detail", args=[world.session.activity.slug])
    axe = axe_source()

    first = browser.new_context(base_url=live_server.url, locale="fr-CA")
    sign_in(first, live_server, world.person_a)
    page = first.new_page()
    page.goto(url)
    page.get_by_role("button", name="M’inscrire").click()
    page.wait_for_load_state()
    assert "Votre inscription est confirmée" in page.content()
    assert "Vous êtes inscrit ou inscrite." in page.content()

    second = browser.new_context(base_url=live_server.url, locale="fr-CA")
    sign_in(second, live_server, world.person_b)
    other = second.new_page()
    other.goto(url)
    other.get_by_role("button", name="M’inscrire en liste d’attente").click()
    other.wait_for_load_state()
    assert "vous êtes en liste d’attente (rang 1)" in other.content()
    blocking = [v for v in run_axe(other, axe) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe_violations(blocking)

    mail.outbox.clear()
    page.goto(url)
    page.get_by_role("button", name="Annuler mon inscription").click()
    page.wait_for_load_state()
    assert "Inscription annulée." in page.content()

    assert Registration.objects.get(user=world.person_b).status == "registered"
    (message,) = mail.outbox
    assert message.to == [world.person_b.email] and "Une place s’est libérée" in message.subject
    other.goto(reverse("activity-my-registrations"))
    assert "Inscrite" in other.content()
    first.close()
    second.close()
