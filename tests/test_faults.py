"""Faults: the database going away.

A page whose database connection is lost answers 503 "try again", never the server-error page.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection
from django.test import Client

from tests.factories import UserFactory

UNAVAILABLE = "Sorry, the service is unavailable"


def assert_try_again_page(status: int, body: str):
    assert status == 503
    assert UNAVAILABLE in body and "Try again" in body
    assert 'class="govuk-template' in body  # the GOV.UK page, not a bare error
    assert "Traceback" not in body and "OperationalError" not in body


# --- The 503 page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_whose_database_connection_is_lost_answers_503_try_again():
    client = Client(raise_request_exception=False)  # as served: the session middleware meets the error too
    client.force_login(UserFactory())
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(connection, "cursor", side_effect=lost):
        response = client.get("/meetings/")
    assert_try_again_page(response.status_code, response.content.decode())
    assert response["Retry-After"]


@pytest.mark.django_db
def test_the_database_lost_while_the_session_is_saved_after_the_page_answers_503_too():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    lost = OperationalError("terminating connection due to administrator command")
    with mock.patch.object(SessionStore, "save", side_effect=lost):
        response = client.get("/meetings/")
    assert_try_again_page(response.status_code, response.content.decode())


@pytest.mark.django_db
def test_any_other_error_is_still_the_server_error_page():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    with mock.patch("tracker.views.meetings.selectors.meetings_list", side_effect=ValueError("a bug")):
        response = client.get("/meetings/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
