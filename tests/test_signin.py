"""Signing in: lock-outs that a stranger cannot turn on a named person, the client's real
address behind a proxy, and changing or resetting a password (by a real email)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory, override_settings

from tests.factories import UserFactory
from tests.mailbox import smtp_mailbox
from tests.pages import field_errors, summary_errors, text

pytestmark = pytest.mark.django_db

HOME = "203.0.113.7"  # the real user's own network
STRANGER = "198.51.100.66"
PROXY = "10.0.0.5"


@pytest.fixture
def axes():
    """django-axes on (the suite turns it off), with no attempts left from another test."""
    from axes.utils import reset

    with override_settings(AXES_ENABLED=True):
        reset()
        yield
        reset()


def sign_in(client: Client, username: str, password: str, *, address: str = HOME, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/accounts/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address, headers=headers)


# --- Lock-outs ---------------------------------------------------------------------------


def test_a_strangers_failures_do_not_stop_the_real_user_signing_in_from_their_own_address(axes):
    UserFactory(username="scrutiny")
    stranger = Client()
    for _ in range(10):
        sign_in(stranger, "scrutiny", "guess", address=STRANGER)
    assert sign_in(stranger, "scrutiny", "pass-word-123", address=STRANGER).status_code == 429
    response = sign_in(Client(), "scrutiny", "pass-word-123", address=HOME)
    assert response.status_code == 302


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "::1"])  # what BEHIND_PROXY=true trusts
def test_behind_the_proxy_a_strangers_failures_do_not_stop_the_real_user(axes):
    """Every request comes from the proxy's address; the client's own is the one counted."""
    UserFactory(username="scrutiny")
    for _ in range(10):
        sign_in(Client(), "scrutiny", "guess", address="127.0.0.1", forwarded=STRANGER)
    assert sign_in(Client(), "scrutiny", "pass-word-123", address="127.0.0.1", forwarded=STRANGER).status_code == 429
    response = sign_in(Client(), "scrutiny", "pass-word-123", address="127.0.0.1", forwarded=HOME)
    assert response.status_code == 302


def test_five_failures_lock_that_username_from_that_address(axes):
    UserFactory(username="scrutiny")
    client = Client()
    for _ in range(4):
        assert sign_in(client, "scrutiny", "guess").status_code == 200
    locked = sign_in(client, "scrutiny", "guess")
    assert locked.status_code == 429
    page = text(locked)
    assert "Too many failed sign-in attempts" in page
    assert "signing in as this user from your network is paused for 30 minutes" in page
    assert locked["Retry-After"] == "1800"
    assert sign_in(client, "scrutiny", "pass-word-123").status_code == 429
    assert "_auth_user_id" not in client.session
    # Another username from the same address is not locked by these five.
    UserFactory(username="alex")
    assert sign_in(Client(), "alex", "pass-word-123").status_code == 302


def test_twenty_failures_across_many_usernames_lock_the_address_for_every_username(axes):
    UserFactory(username="scrutiny")
    client = Client()
    statuses = [sign_in(client, f"name{n % 12}", "guess").status_code for n in range(20)]
    assert statuses == [200] * 19 + [429]
    locked = sign_in(client, "scrutiny", "pass-word-123")
    assert locked.status_code == 429
    assert "signing in from your network is paused for 30 minutes" in text(locked)
    assert sign_in(Client(), "scrutiny", "pass-word-123", address=STRANGER).status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address_limit(axes):
    UserFactory(username="insider")
    client = Client()
    for round_ in range(5):
        for n in range(4):
            sign_in(client, f"victim{n}", "guess")
        if round_ < 4:
            assert sign_in(Client(), "insider", "pass-word-123").status_code == 302
    assert sign_in(Client(), "insider", "pass-word-123").status_code == 429


def test_a_successful_sign_in_forgets_that_users_earlier_failures(axes):
    UserFactory(username="scrutiny")
    for _ in range(4):
        sign_in(Client(), "scrutiny", "guess")
    assert sign_in(Client(), "scrutiny", "pass-word-123").status_code == 302
    for _ in range(4):
        assert sign_in(Client(), "scrutiny", "guess").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=2, AXES_ADDRESS_FAILURE_LIMIT=3)
def test_both_limits_are_settings(axes):
    UserFactory(username="scrutiny")
    assert [sign_in(Client(), "scrutiny", "guess").status_code for _ in range(2)] == [200, 429]
    assert sign_in(Client(), "other", "guess").status_code == 429  # the address's third failure


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(axes):
    """Without a trusted proxy, writing someone else's address in the header changes nothing."""
    UserFactory(username="scrutiny")
    for n in range(10):
        sign_in(Client(), "scrutiny", "guess", address=STRANGER, forwarded=f"{HOME}, 192.0.2.{n}")
    assert sign_in(Client(), "scrutiny", "pass-word-123", address=HOME).status_code == 302
    assert sign_in(Client(), "scrutiny", "pass-word-123", address=STRANGER, forwarded=HOME).status_code == 429


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_forwarded_client_address_is_the_one_locked(axes):
    from axes.models import AccessAttempt

    UserFactory(username="scrutiny")
    for _ in range(5):
        sign_in(Client(), "scrutiny", "guess", address=PROXY, forwarded=f"1.2.3.4, {STRANGER}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}
    # The real user comes through the same proxy, from their own address: not locked.
    assert sign_in(Client(), "scrutiny", "pass-word-123", address=PROXY, forwarded=HOME).status_code == 302
    # The stranger is locked, whatever they write further left in the header.
    response = sign_in(Client(), "scrutiny", "pass-word-123", address=PROXY, forwarded=f"{HOME}, {STRANGER}")
    assert response.status_code == 429


@pytest.mark.parametrize("trusted, peer, forwarded, client", [
    ([], "198.51.100.66", "203.0.113.7", "198.51.100.66"),
    (["127.0.0.1"], "198.51.100.66", "203.0.113.7", "198.51.100.66"),
    (["127.0.0.1"], "127.0.0.1", "203.0.113.7", "203.0.113.7"),
    (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
    (["127.0.0.1"], "127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
    (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "6.6.6.6, 203.0.113.7, 10.1.2.3", "203.0.113.7"),
    (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "10.9.9.9, 10.1.2.3", "10.9.9.9"),
    (["127.0.0.1"], "127.0.0.1", "nonsense", "127.0.0.1"),
    (["127.0.0.1"], "127.0.0.1", "nonsense, 203.0.113.7", "203.0.113.7"),
    (["127.0.0.1"], "127.0.0.1", "203.0.113.7:50123", "203.0.113.7"),
    (["::1"], "::1", "[2001:db8::1]:443", "2001:db8::1"),
    (["::1"], "::1", "2001:DB8:0:0::1", "2001:db8::1"),
    (["127.0.0.1"], "::ffff:127.0.0.1", "203.0.113.7", "203.0.113.7"),
    ([], "", "203.0.113.7", None),
])
def test_the_client_address(trusted, peer, forwarded, client):
    from scrutiny.lockout import client_address

    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXIES=trusted):
        assert client_address(request) == client


# --- Changing a password -----------------------------------------------------------------


def test_a_signed_in_user_changes_their_password_and_signs_in_with_it(client):
    from django.contrib.auth import get_user_model

    user = UserFactory(username="olivia", first_name="Olivia")
    client.force_login(user)
    home = client.get("/meetings/").content.decode()
    assert 'href="/accounts/password/">Change your password</a>' in home

    page = client.get("/accounts/password/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'autocomplete="current-password"' in body
    assert body.count('autocomplete="new-password"') == 2
    assert "Your password must contain at least 8 characters." in text(page)  # the hint

    response = client.post("/accounts/password/", {
        "old_password": "pass-word-123", "new_password1": "a-longer-passphrase", "new_password2": "a-longer-passphrase",
    })
    assert response.status_code == 302 and response["Location"] == "/accounts/password/changed/"
    assert "Your password has been changed" in text(client.get(response["Location"]))
    assert client.get("/meetings/").status_code == 200  # still signed in here
    assert get_user_model().objects.get(username="olivia").check_password("a-longer-passphrase")
    assert sign_in(Client(), "olivia", "a-longer-passphrase").status_code == 302


def test_password_change_mistakes_are_listed_at_the_top_and_beside_each_field(client):
    client.force_login(UserFactory(username="olivia"))
    response = client.post("/accounts/password/", {
        "old_password": "wrong", "new_password1": "12345678", "new_password2": "87654321",
    })
    assert response.status_code == 200
    assert "<title>Error: Change your password" in response.content.decode()
    assert summary_errors(response) == field_errors(response)
    assert "Your current password is not right. Enter it again." in summary_errors(response)
    assert "The passwords do not match. Enter the same new password twice." in summary_errors(response)
    empty = client.post("/accounts/password/", {})
    assert summary_errors(empty) == ["Enter your current password", "Enter a new password",
                                     "Enter the new password again"]
    assert '<a href="#id_old_password">' in empty.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in_to_change_a_password(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Resetting a forgotten password, by a real email -------------------------------------


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 at a free port, with Django's SMTP backend pointed at it."""
    with smtp_mailbox() as mailbox:
        yield mailbox


def test_a_forgotten_password_is_reset_through_the_link_in_a_real_email(smtp_server):
    UserFactory(username="olivia", first_name="Olivia", last_name="Officer", email="olivia@council.example")
    browser = Client()
    sign_in_page = browser.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/">Forgotten your password?</a>' in sign_in_page

    response = browser.post("/accounts/password/reset/", {"email": "Olivia@council.example"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    sent_page = text(browser.get(response["Location"]))
    assert "Check your email" in sent_page and "The link works for 2 hours." in sent_page

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert smtp_server.envelopes == [("scrutiny@council.example", ["olivia@council.example"])]
    assert message["To"] == "olivia@council.example"
    assert message["Subject"] == "Reset your password for Scrutiny tracking"
    body = message.get_content().replace("\r\n", "\n")  # as it came over SMTP
    assert body.startswith("Hello Olivia Officer,")
    assert "Someone asked to reset the password for your Scrutiny tracking account." in body
    assert "The link works once, for 2 hours." in body
    assert "If you did not ask to reset your password, you do not need to do anything." in body
    assert "Your username is: olivia" in body
    link = re.search(r"^http://testserver(/accounts/password/reset/\S+/)$", body, flags=re.M).group(1)

    choose = browser.get(link, follow=True)
    assert choose.status_code == 200
    assert "Choose a new password" in text(choose)
    assert choose.content.decode().count('autocomplete="new-password"') == 2
    done = browser.post(choose.redirect_chain[-1][0], {
        "new_password1": "a-longer-passphrase", "new_password2": "a-longer-passphrase",
    })
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    assert "Your password has been reset" in text(browser.get(done["Location"]))

    assert sign_in(Client(), "olivia", "pass-word-123").status_code == 200
    assert sign_in(Client(), "olivia", "a-longer-passphrase").status_code == 302
    # The link works once.
    assert "This link does not work" in text(Client().get(link, follow=True))


def test_a_reset_for_an_address_nobody_has_says_the_same_and_sends_nothing(smtp_server):
    UserFactory(username="olivia", email="olivia@council.example")
    response = Client().post("/accounts/password/reset/", {"email": "nobody@council.example"}, follow=True)
    assert "Check your email" in text(response)
    assert smtp_server.messages == []


def test_a_reset_needs_an_email_address_in_the_right_format(client):
    empty = client.post("/accounts/password/reset/", {"email": ""})
    assert summary_errors(empty) == ["Enter your email address"]
    wrong = client.post("/accounts/password/reset/", {"email": "olivia at council"})
    assert summary_errors(wrong) == ["Enter an email address in the correct format, like name@example.com"]
    assert field_errors(wrong) == summary_errors(wrong)
    assert mail.outbox == []


# --- Queries -----------------------------------------------------------------------------


def test_the_password_pages_run_a_handful_of_queries(django_assert_max_num_queries):
    """Each page's count, with ATOMIC_REQUESTS' savepoints and the session saved on every request."""
    user = UserFactory(username="olivia", email="olivia@council.example")
    UserFactory(username="someone-else", email="someone@council.example")
    signed_in = Client()
    signed_in.force_login(user)
    with django_assert_max_num_queries(7):
        assert signed_in.get("/accounts/password/").status_code == 200
    with django_assert_max_num_queries(7):
        assert signed_in.post("/accounts/password/", {"old_password": "wrong"}).status_code == 200
    with django_assert_max_num_queries(14):
        changed = signed_in.post("/accounts/password/", {
            "old_password": "pass-word-123", "new_password1": "a-longer-passphrase",
            "new_password2": "a-longer-passphrase",
        })
        assert changed.status_code == 302
    with django_assert_max_num_queries(7):
        assert signed_in.get("/accounts/password/changed/").status_code == 200

    visitor = Client()
    with django_assert_max_num_queries(2):
        assert visitor.get("/accounts/password/reset/").status_code == 200
    with django_assert_max_num_queries(3):
        assert visitor.post("/accounts/password/reset/", {"email": "olivia@council.example"}).status_code == 302
    with django_assert_max_num_queries(2):
        assert visitor.get("/accounts/password/reset/sent/").status_code == 200
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    with django_assert_max_num_queries(7):
        choose = visitor.get(link)
        assert choose.status_code == 302
    with django_assert_max_num_queries(7):
        assert visitor.get(choose["Location"]).status_code == 200
    with django_assert_max_num_queries(8):
        done = visitor.post(choose["Location"], {
            "new_password1": "another-long-phrase", "new_password2": "another-long-phrase",
        })
        assert done.status_code == 302
    with django_assert_max_num_queries(6):
        assert visitor.get(done["Location"]).status_code == 200
