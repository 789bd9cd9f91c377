"""What every request and response goes through, whichever page it is for."""

from __future__ import annotations

import codecs
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render
from django.utils.cache import cc_delim_re

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


def _urlencoded_is_utf8(body: bytes) -> bool:
    """True when the body is form data as a browser sends it: UTF-8 before and after %-decoding.

    A raw NUL byte is never in a browser's form data, but is in every UTF-16 body (one
    with no byte-order mark is otherwise valid UTF-8). A NUL typed as %00 is left to the
    forms (tracker.text makes it storable).
    """
    if b"\x00" in body:
        return False
    try:
        body.decode("utf-8")
        for pair in body.split(b"&"):
            unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class UnreadableFormMiddleware:
    """A form sent in an encoding other than UTF-8 gets a short 400 page, never a server error.

    Django refuses a form-urlencoded body that declares any charset but UTF-8 by raising
    BadRequest when request.POST is first read (Django ticket #34709), but its 400 and 500
    handlers are ``requires_csrf_token`` views that read request.POST again, so the
    refusal itself raises and the server answers 500 (on SQLite and PostgreSQL alike). A
    body in another encoding with no charset at all (latin-1, UTF-16) used to be decoded as
    UTF-8 with replacement characters: what was typed was silently changed. Both are
    answered here, before the CSRF check or a view reads the form.

    A charset naming UTF-8 in another spelling (``utf8``, ``UTF-8``) is read as UTF-8.
    Multipart forms keep working; only a declared non-UTF-8 charset refuses them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in FORM_TYPES and not self.readable(request):
            # Nothing after this (a handler, a log record) may try to read the form again.
            request._mark_post_parse_error()
            return render(request, "unreadable_form.html", status=400)
        return self.get_response(request)

    @staticmethod
    def readable(request) -> bool:
        charset = request.content_params.get("charset")
        if charset is not None:
            if not _is_utf8(charset):
                return False
            request.encoding = "utf-8"  # the spelling Django's own check accepts
        if request.content_type != "application/x-www-form-urlencoded":
            return True
        try:
            body = request.body
        except RequestDataTooBig:
            return True  # Django answers this one itself, with a 400
        return _urlencoded_is_utf8(body)


class PublicResponsesMiddleware:
    """A response a shared cache may keep (``Cache-Control: public``) carries no cookie and does
    not vary by cookie, whoever asked for it: a proxy must never hand one person's session to
    another. Listed before the session and CSRF middleware, so it sees what they added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" in {part.strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}:
            response.cookies.clear()
            if response.has_header("Vary"):
                kept = [v.strip() for v in cc_delim_re.split(response["Vary"]) if v.strip().lower() != "cookie"]
                if kept:
                    response["Vary"] = ", ".join(kept)
                else:
                    del response["Vary"]
        return response


class PrivatePagesMiddleware:
    """Pages for a signed-in person are kept by no cache, shared or the browser's own.

    A response that sets its own Cache-Control keeps it: the sign-in page and draft packs
    say no-store themselves, and a published pack version, which never changes, may be
    kept by the browser for a year.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response  # without asking who is signed in: a public page never reads the session
        user = getattr(request, "user", None)
        # Cache-Control first: a response that says its own does not touch the session.
        if user is not None and not response.has_header("Cache-Control") and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response
