"""Requests no page should answer with a server error."""

from __future__ import annotations

from django.db import DataError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.defaults import page_not_found

# PostgreSQL's "numeric value out of range" (e.g. an id larger than a bigint).
NUMERIC_VALUE_OUT_OF_RANGE = "22003"


class NumberOutOfRangeMiddleware:
    """A number too large for the database cannot name any record: answer 404, not 500.

    The app's own URLs never let such a number through (tracker.converters); this covers
    the admin and its history pages, which take ids as text, on both databases: SQLite's
    driver raises OverflowError, PostgreSQL a DataError with SQLSTATE 22003.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        out_of_range = isinstance(exception, OverflowError) or (
            isinstance(exception, DataError)
            and getattr(getattr(exception, "__cause__", None), "pgcode", None) == NUMERIC_VALUE_OUT_OF_RANGE
        )
        if out_of_range:
            return page_not_found(request, Http404("No such record."))
        return None


class NulInAdminFilterMiddleware:
    """An admin list asked for a value holding a NUL character (``?state__exact=%00``) shows its
    "invalid filter" notice, as the admin does for any value it cannot use, not a server error.

    No record can hold a NUL (tracker.text keeps them out, and PostgreSQL refuses one in a
    query outright, with a ValueError from its driver). The app's own pages read such values
    through forms that normalise them; the admin passes filter values straight to the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        if request.path.startswith(self.admin_prefix) and any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseRedirect(f"{request.path}?e=1")
        return self.get_response(request)
