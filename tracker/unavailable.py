"""When the database cannot be reached: a "try again" page (503), never the server-error page (500).

A connection lost or refused (PostgreSQL restarting, a network blip, SQLite still busy
after its 30 s wait) reaches the app as Django's OperationalError or InterfaceError.
Nothing is half-written (every write is one transaction), and the next request
health-checks its connection (CONN_HEALTH_CHECKS), so trying again works as soon as the
database is back.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def database_lost(error: BaseException | None) -> bool:
    """Is ``error``, or the error it was raised from, a lost database connection?

    Django turns some into errors of its own: a session whose row cannot be updated is
    SessionInterrupted (400), as if someone had deleted it meanwhile.
    """
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_UNAVAILABLE):
            return True
        seen.add(id(error))
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return False


def service_unavailable() -> HttpResponse:
    """The 503 page. Rendered without the request: it needs no database (no user, session or messages)."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A page whose database went away answers 503 "try again" instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_lost(exception):
            logger.warning("Database unavailable on %s: %s", request.path, exception)
            return service_unavailable()
        return None


def server_error(request):
    """handler500: the same 503 for the database lost outside a view.

    The middleware sees what views raise. On the way out, Django's session middleware reads
    a signed-in user's session again (and saves it); an error there reaches only this handler.
    """
    if database_lost(sys.exc_info()[1]):
        return service_unavailable()
    return defaults.server_error(request)


def bad_request(request, exception):
    """handler400: a session not saved because the database went away (Django's
    SessionInterrupted) is the same 503; anything else is Django's 400 page."""
    if database_lost(exception):
        return service_unavailable()
    return defaults.bad_request(request, exception)
