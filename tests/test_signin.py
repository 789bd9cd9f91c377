"""Signing in: lock-outs that a stranger cannot turn on a named person, and the client's
real address behind a proxy."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings

from tests.factories import UserFactory
from tests.pages import text

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
