"""Reading pages as a user does: the visible text, the hidden fields of a form, and form data."""

from __future__ import annotations

import html
import re
import uuid

from django.test import Client

from tracker.demo import DEMO_USERS

PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}


def signed_in(username: str) -> Client:
    """A browser of one of the demo users, signed in through the sign-in page."""
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORDS[username]})
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def text(response) -> str:
    """The page's words, without tags and with whitespace squashed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def hidden(response, name: str) -> str:
    """The value of a hidden input, as the browser would send it back."""
    match = re.search(rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)"', response.content.decode())
    assert match, f"no hidden field {name!r} on the page"
    return html.unescape(match.group(1))


def evidence_fields(prefix: str, words: str, day=(1, 6, 2016), submission: str | None = None) -> dict:
    """An update form as the browser sends it: its text, date written and submission key.

    ``submission`` is the key the page gave the form (``hidden(page, f"{prefix}-submission")``);
    a new one stands for a form freshly loaded.
    """
    return {f"{prefix}-text": words, **date_fields(f"{prefix}-written_on", *day),
            f"{prefix}-submission": submission or str(uuid.uuid4())}


def date_fields(name: str, day, month, year) -> dict:
    return {f"{name}_0": str(day), f"{name}_1": str(month), f"{name}_2": str(year)}


def field_errors(response) -> list[str]:
    """The error messages shown beside the fields."""
    found = re.findall(
        r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>(.*?)</span>',
        response.content.decode(),
        flags=re.S,
    )
    return [re.sub(r"\s+", " ", html.unescape(message)).strip() for message in found]


def summary_errors(response) -> list[str]:
    """The messages listed in the error summary at the top of the page."""
    body = response.content.decode()
    start = body.find('class="govuk-error-summary"')
    if start < 0:
        return []
    items = re.findall(r"<li>(.*?)</li>", body[start : body.find("</ul>", start)], flags=re.S)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", item))).strip() for item in items]


def form_data(response, form_index: int = -1, *, action: str | None = None) -> dict:
    """What the browser sends for a form of the page as it stands (the last form, by default, or
    the one sent to ``action``): every named input, ticked boxes and radios, chosen options and
    text areas."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.forms, self.actions, self.select, self.textarea = [], [], None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.forms.append({})
                self.actions.append(a.get("action"))
            elif not self.forms:
                return
            elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
                if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                    return
                self.forms[-1][a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
            elif tag == "select":
                self.select = a.get("name")
                self.forms[-1].setdefault(self.select, "")
            elif tag == "option" and self.select and "selected" in a:
                self.forms[-1][self.select] = a.get("value", "")
            elif tag == "textarea":
                self.textarea = a.get("name")
                self.forms[-1][self.textarea] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.textarea and self.forms:
                self.forms[-1][self.textarea] += data.lstrip("\n") if not self.forms[-1][self.textarea] else data

    reader = Reader()
    reader.feed(response.content.decode())
    if action is not None:
        form_index = reader.actions.index(action)
    return dict(reader.forms[form_index])


def link(response, words: str) -> str:
    """Where the page's link that reads ``words`` (tags inside it aside) leads."""
    for href, inside in re.findall(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', response.content.decode(), flags=re.S):
        if re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", inside))).strip() == words:
            return html.unescape(href)
    raise AssertionError(f"No link reads {words!r}")


def ask_and_follow(client: Client, url: str, run_on_commit):
    """Press a button that queues background work (a pack build), let the work run as its transaction
    commits (the test settings' ImmediateBackend runs a task then), and open the page it redirected to.

    ``run_on_commit`` is pytest-django's ``django_capture_on_commit_callbacks``: a test's own transaction
    never commits, so the callbacks are run by hand, after the request and before the next page.
    """
    with run_on_commit(execute=True):
        response = client.post(url)
    assert response.status_code == 302, f"{url} answered {response.status_code}, not a redirect"
    return client.get(response["Location"])
