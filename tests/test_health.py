"""The health check a council's load balancer or monitoring asks every few seconds."""

import pytest
from django.db import OperationalError
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_it_says_ok_while_the_database_answers_with_one_query_and_no_cookie():
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/health/")
    assert response.status_code == 200
    assert response.content == b"OK\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert len(queries) == 1


@pytest.mark.database_broken
def test_it_says_the_database_is_unavailable_when_it_does_not_answer(monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", lost)
    response = Client().get("/health/")
    assert response.status_code == 503
    assert response.content == b"Database unavailable\n"


def test_it_answers_over_plain_http_when_everything_else_is_redirected_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/health/").status_code == 200
    assert Client().get("/accounts/login/").status_code == 301


def test_it_only_answers_reading():
    assert Client().post("/health/").status_code == 405
