"""Each person's "Your e-mails" page: they turn the optional e-mails off and on, and see the last ones sent."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.pages import field_errors, signed_in, text
from tracker import notifications
from tracker.demo import create_demo_users
from tracker.models import Message, MessageOptOut

pytestmark = pytest.mark.django_db

OPTIONAL = [str(kind) for kind in notifications.OPTIONAL]


@pytest.fixture
def olivia():
    create_demo_users()
    return signed_in("officer")


def test_the_page_is_linked_from_every_page_and_says_where_the_emails_go(olivia):
    home = olivia.get("/", follow=True)
    assert 'href="/accounts/emails/">Your e-mails</a>' in home.content.decode()
    page = olivia.get("/accounts/emails/")
    words = text(page)
    assert "The service sends e-mails to olivia.officer@example.gov.uk ." in words
    assert "Always sent These ask you for work the tracking round needs, so they cannot be turned off:" in words
    assert "Evidence is open : When a meeting opens for evidence" in words
    assert "Evidence still missing : The day after the deadline, to the Scrutiny Office" in words
    assert "Proposals are due : When a meeting opens for evidence, if you propose categories as the Cabinet Member." in words
    for kind in OPTIONAL:  # every optional one ticked to begin with
        assert re.search(rf'name="wanted"[^>]*value="{kind}"\s*checked', page.content.decode())
    assert 'value="evidence_open"' not in page.content.decode()
    assert "None yet." in words


def test_an_officer_turns_off_the_reminder_and_the_pack_and_turns_them_back_on(olivia):
    officer = olivia.get("/accounts/emails/").wsgi_request.user
    response = olivia.post("/accounts/emails/", {"wanted": [Message.Kind.DECISIONS_RECORDED]})
    assert response.status_code == 302 and response["Location"] == "/accounts/emails/"
    assert "Your choices have been saved." in text(olivia.get("/accounts/emails/"))
    assert notifications.turned_off(officer) == {Message.Kind.DEADLINE_NEAR, Message.Kind.PACK_PUBLISHED}

    olivia.post("/accounts/emails/", {"wanted": OPTIONAL})
    assert notifications.turned_off(officer) == set()
    assert not MessageOptOut.objects.exists()


def test_an_email_that_cannot_be_turned_off_is_refused_beside_the_field(olivia):
    response = olivia.post("/accounts/emails/", {"wanted": [Message.Kind.EVIDENCE_OPEN, "<script>"]})
    assert response.status_code == 400
    assert field_errors(response) == ["Choose from the e-mails listed"]
    assert not MessageOptOut.objects.exists()


def test_someone_without_an_address_is_told_to_ask_for_one():
    UserFactory(username="noaddress")
    client = Client()
    client.login(username="noaddress", password="pass-word-123")
    words = text(client.get("/accounts/emails/"))
    assert "You have no e-mail address, so the service cannot send you any e-mails. Ask the Scrutiny Office" in words


def test_signed_out_visitors_are_sent_to_sign_in_and_nothing_is_written():
    response = Client().post("/accounts/emails/", {"wanted": []})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert not MessageOptOut.objects.exists()


def test_a_deactivated_person_is_refused_and_nothing_is_written():
    user = UserFactory(username="leaver", email="leaver@example.gov.uk")
    client = Client()
    client.force_login(user)
    user.is_active = False
    user.save()
    response = client.post("/accounts/emails/", {"wanted": []})
    assert response.status_code in (302, 403)
    assert not MessageOptOut.objects.exists()


@pytest.mark.parametrize("count", [1, 30])
def test_the_page_runs_a_handful_of_queries_however_many_emails_were_sent(olivia, count,
                                                                          django_assert_max_num_queries):
    officer = olivia.get("/accounts/emails/").wsgi_request.user
    Message.objects.bulk_create(
        Message(recipient=officer, to=officer.email, kind=Message.Kind.EVIDENCE_OPEN, event=f"event {n}",
                subject=f"Subject {n}", body_text="Hello", status=Message.Status.SENT)
        for n in range(count)
    )
    with django_assert_max_num_queries(11):
        page = olivia.get("/accounts/emails/")
    assert page.status_code == 200
    assert "Subject" in text(page) and text(page).count("Sent") >= min(count, 10)
