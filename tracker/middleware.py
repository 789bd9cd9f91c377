"""Requests no page should answer with a server error."""

from __future__ import annotations

from django.db import DataError
from django.http import Http404
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
