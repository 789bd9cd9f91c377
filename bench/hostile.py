"""Hostile load: the app loses nothing, duplicates nothing and never answers a server error.

    .venv/bin/python bench/hostile.py                # SQLite, then PostgreSQL
    .venv/bin/python bench/hostile.py sqlite         # or one of them

Each database is new: SQLite is a file database in a temporary folder (WAL, as the app
configures it); PostgreSQL is a throwaway cluster this script starts itself (initdb and
pg_ctl in a temporary folder, on 127.0.0.1 only; as root it runs as the ``postgres`` user,
like bin/with-postgres, which is not needed here). Each is migrated and loaded with the
seed report and the demo users; the scrutiny office schedules a meeting of the seed
committee, chooses every recommendation and opens it for evidence (tracker.services). Then
gunicorn (3 workers, 1 thread each, production settings, static files collected) serves it,
with the background worker beside it (it publishes the packs asked for), and, for a bounded run (about 1,200 requests, under two minutes), gets at once:

- 20 writers, each a browser with its own session signed in through the sign-in page,
  adding evidence to the meeting's recommendations (reading the form, then sending it);
- the same evidence form (same submission key) sent 20 times at once; publishing the seed
  meeting's pack 20 times at once, twice; at the end, the new meeting's pack published
  20 times at once, twice (one version, then the same version given back);
- races: a cabinet member proposing while the scrutiny office unticks that recommendation;
  two cabinet members proposing from the same version; two corrections of one update from
  the same version (its author and the scrutiny office);
- stale admin saves: the scrutiny office opens a recommendation in the admin, someone else
  saves it there, an officer adds and corrects its evidence, then the stale page is saved;
- bad encodings: forms in Latin-1 and UTF-16, with and without a charset in Content-Type
  (and mislabelled), to the evidence form and to the anonymous sign-in page; hostile ids
  (20 digits, negative, text) in app and admin URLs and forms; bad admin filter values.

Afterwards the database is read directly and the script prints, per database:

- requests sent, and answers with a 5xx status (or no answer at all);
- rows lost: a write the server acknowledged (a redirect after a save) that is not in the
  database with the text the client sent (an evidence update, in its current version or
  its history; a proposal; a correction; an admin change), a stale or raced save that was
  acknowledged over someone else's newer one, or a row that existed before the run (evidence,
  assessments with proposals, published packs, byte for byte) and is gone. A form sent in a
  charset it did not declare is read as UTF-8, as HTTP says; for those only the row is checked;
- rows duplicated: more than one evidence update for one submission key or for one client's
  one write, two updates of a recommendation at the same position, two published versions of
  a meeting's pack from the same source (the data only grows during the run, so a source never
  comes back), or a new version from publishing again with nothing changed.

Refusals are fine and counted apart (409 stale, 400 refused, 404 taken off the list, 403).
The exit status is 1 unless every database shows no 5xx, no unanswered request, no row lost
and no row duplicated.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import Browser, Gunicorn, PostgresCluster, Response, app_env, hidden, manage  # noqa: E402

DATABASES = {"sqlite": "SQLite (file, WAL)", "postgresql": "PostgreSQL"}
WRITERS = 20
WRITES_EACH = 14
AT_ONCE = 20
RUN_SECONDS = 100  # writers stop starting new writes after this; the whole run stays under two minutes
PASSWORDS = {"officer": "officer-demo-pass", "cabinet": "cabinet-demo-pass", "scrutiny": "scrutiny-demo-pass",
             "member": "member-demo-pass", "cabinet2": "cabinet2-bench-pass"}
# Text a person might type, in characters Latin-1 can carry (so every encoding can send it).
WORDS = "Café staff trained; naïve façade fixed, £5 per head"


def token() -> str:
    return uuid.uuid4().hex[:12]


# --- Counting every request ------------------------------------------------------------------


class Tally:
    """Every request sent and what came back, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = 0
        self.statuses = collections.Counter()
        self.server_errors: list[str] = []
        self.unanswered: list[str] = []

    def note(self, method, path, response: Response | None, error: str = ""):
        with self.lock:
            self.sent += 1
            if response is None:
                self.unanswered.append(f"{method} {path}: {error}")
                return
            self.statuses[response.status] += 1
            if response.status >= 500:
                self.server_errors.append(f"{response.status} {method} {path}")


class CountingBrowser(Browser):
    tally: Tally

    @classmethod
    def new(cls, base_url: str, tally: Tally) -> CountingBrowser:
        browser = cls(base_url)
        browser.tally = tally
        return browser

    def clone(self) -> CountingBrowser:
        twin = CountingBrowser(self.base_url, self.timeout, dict(self.cookies))
        twin.tally = self.tally
        return twin

    def request(self, method, path, body=None, headers=None) -> Response:
        try:
            response = super().request(method, path, body, headers)
        except OSError as error:
            self.tally.note(method, path, None, repr(error))
            return Response(0, [], b"")
        self.tally.note(method, path, response)
        return response


def at_once(sends):
    """Call every function in ``sends`` at the same moment (a barrier), each on its own thread."""
    barrier = threading.Barrier(len(sends))

    def go(send):
        barrier.wait(timeout=120)
        return send()

    with ThreadPoolExecutor(len(sends)) as pool:
        return list(pool.map(go, sends))


def saved(response: Response) -> bool:
    """A save the server acknowledged: a redirect that is not to the sign-in page."""
    return response.status == 302 and "/accounts/login/" not in response.header("Location")


# --- Reading the admin's form ----------------------------------------------------------------


class FormReader(HTMLParser):
    """The fields a browser would send back from the form with id ``form_id``."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "disabled" in a or "__prefix__" in (a.get("name") or ""):
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value") or ""))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            value = self._textarea[1]
            self.fields.append((self._textarea[0], value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def admin_form(page: str) -> list[tuple[str, str]]:
    reader = FormReader("recommendation_form")
    reader.feed(page)
    return reader.fields + [("_save", "Save")]


def replace_field(fields, name, value):
    return [(k, value if k == name else v) for k, v in fields]


def field_value(fields, name):
    return next(v for k, v in fields if k == name)


# --- The run ---------------------------------------------------------------------------------


@dataclass
class Acknowledged:
    """A write the server acknowledged, and what must be in the database for it."""

    what: str  # evidence | proposal | correction | admin | stale-admin
    status: int
    key: str = ""
    text: str = ""
    exact: bool = True  # the client declared its charset (or sent UTF-8): the text must match
    target: int = 0  # a recommendation (evidence, proposal, admin) or an update (correction)
    version: int = 0  # the version the save made (the one read, plus one)
    race: str = ""  # writes that raced from the same version


class HostileRun:
    def __init__(self, base_url: str, setup: dict):
        self.url = base_url
        self.setup = setup
        self.meeting = setup["meeting"]
        self.tally = Tally()
        self.acknowledged: list[Acknowledged] = []
        self.refused = collections.Counter()
        self.notes: list[str] = []
        self.deadline = time.monotonic() + RUN_SECONDS
        self.duplicate_keys: list[str] = []
        self.bursts_under_load: list[tuple[int, int]] = []  # the seed meeting's versions before and after
        self.today = datetime.date.fromisoformat(setup["today"])

    # People and pages

    def browser(self, username: str | None = None) -> CountingBrowser:
        browser = CountingBrowser.new(self.url, self.tally)
        if username:
            page = browser.get("/accounts/login/")
            response = browser.post("/accounts/login/", {
                "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken"),
                "username": username, "password": PASSWORDS[username],
            })
            if response.status != 302:
                raise RuntimeError(f"{username} could not sign in: HTTP {response.status}")
        return browser

    def evidence_url(self, recommendation: int) -> str:
        return f"/meetings/{self.meeting}/recommendations/{recommendation}/evidence/new/"

    def evidence_fields(self, page: str, recommendation: int, text: str):
        prefix = f"r{recommendation}"
        return {
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
            f"{prefix}-text": text,
            f"{prefix}-written_on_0": str(self.today.day),
            f"{prefix}-written_on_1": str(self.today.month),
            f"{prefix}-written_on_2": str(self.today.year),
            f"{prefix}-submission": hidden(page, f"{prefix}-submission"),
        }

    def refuse(self, what: str, response: Response):
        self.refused[f"{what} {response.status}"] += 1

    def add_evidence(self, browser, recommendation: int, text: str, what="evidence") -> Acknowledged | None:
        page = browser.get(self.evidence_url(recommendation))
        if page.status != 200:
            self.refuse(what + " form", page)
            return None
        fields = self.evidence_fields(page.text, recommendation, text)
        response = browser.post(self.evidence_url(recommendation), fields)
        if not saved(response):
            self.refuse(what, response)
            return None
        ack = Acknowledged("evidence", response.status, key=fields[f"r{recommendation}-submission"], text=text,
                           target=recommendation)
        self.acknowledged.append(ack)
        return ack

    # Scenarios

    def writer(self, number: int):
        username = ["officer", "officer", "cabinet", "scrutiny"][number % 4]
        browser = self.browser(username)
        mine = self.setup["all"] if username == "scrutiny" else self.setup["owned"]
        reading = [f"/meetings/{self.meeting}/", "/my-recommendations/" if username == "officer" else "/",
                   f"/recommendations/{mine[number % len(mine)]}/", "/search/?q=training"]
        for n in range(WRITES_EACH):
            if time.monotonic() > self.deadline:
                self.notes.append(f"writer {number} stopped at the time limit after {n} writes")
                return
            recommendation = mine[(number * 7 + n * 3) % len(mine)]
            self.add_evidence(browser, recommendation, f"{WORDS} – writer {number}, update {n} ✓ {token()}")
            if n % 4 == 3:
                browser.get(reading[(n // 4) % len(reading)])

    def duplicate_submits(self):
        """The same evidence form sent 20 times at once (a stuck double click, a retrying proxy)."""
        browser = self.browser("officer")
        for recommendation in self.setup["owned"][:2]:
            page = browser.get(self.evidence_url(recommendation))
            text = f"Sent {AT_ONCE} times at once {token()}"
            fields = self.evidence_fields(page.text, recommendation, text)
            key = fields[f"r{recommendation}-submission"]
            self.duplicate_keys.append(key)
            tabs = [browser.clone() for _ in range(AT_ONCE)]
            for response in at_once([partial(t.post, self.evidence_url(recommendation), fields) for t in tabs]):
                if saved(response):
                    self.acknowledged.append(Acknowledged("evidence", 302, key=key, text=text, target=recommendation))
                else:
                    self.refuse("duplicate evidence", response)

    def publish_at_once(self, meeting: int, browser=None) -> list[int]:
        browser = browser or self.browser("scrutiny")
        page = browser.get(f"/meetings/{meeting}/pack/")
        fields = {"csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken")}
        tabs = [browser.clone() for _ in range(AT_ONCE)]
        responses = at_once([partial(t.post, f"/meetings/{meeting}/pack/publish/", fields) for t in tabs])
        for response in responses:
            if not saved(response):
                self.refuse("publish", response)
        self.wait_for_builds(meeting)
        return [r.status for r in responses]

    @staticmethod
    def wait_for_builds(meeting: int, timeout: float = 180) -> None:
        """Publishing is built by the background worker: wait until the meeting has no build under way."""
        from tracker.models import PackBuild

        deadline = time.monotonic() + timeout
        while PackBuild.objects.filter(meeting_id=meeting, state__in=PackBuild.IN_PROGRESS).exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the background worker did not finish publishing meeting {meeting}")
            time.sleep(0.2)

    def publishing_under_load(self):
        browser = self.browser("scrutiny")
        meeting = self.setup["published_meeting"]
        for _ in range(2):
            before = self.versions(meeting)
            self.publish_at_once(meeting, browser)
            self.bursts_under_load.append((before, self.versions(meeting)))
            time.sleep(5)

    def proposal_fields(self, page: str, category: int):
        return {
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
            "category": str(category),
            "anticipated_date_0": "", "anticipated_date_1": "", "anticipated_date_2": "",
            "version": hidden(page, "version"),
        }

    def assessment_of(self, recommendation: int) -> int | None:
        from tracker.models import Assessment

        found = Assessment.objects.filter(meeting_id=self.meeting, recommendation_id=recommendation).first()
        return found.pk if found else None

    def choose(self, browser, leave_out=()):
        page = browser.get(f"/meetings/{self.meeting}/recommendations/")
        chosen = [("recommendations", str(r)) for r in self.setup["all"] if r not in leave_out]
        return partial(browser.post, f"/meetings/{self.meeting}/recommendations/",
                       [("csrfmiddlewaretoken", hidden(page.text, "csrfmiddlewaretoken")), *chosen])

    def race_untick(self):
        """A cabinet member proposes while the scrutiny office unticks that recommendation."""
        cabinet, office = self.browser("cabinet"), self.browser("scrutiny")
        candidates = list(self.setup["untick"])
        for round_ in range(3):
            recommendation = candidates[0]
            assessment = self.assessment_of(recommendation)
            page = cabinet.get(f"/assessments/{assessment}/proposal/")
            propose = self.proposal_fields(page.text, self.setup["categories"]["4"])
            untick = self.choose(office, leave_out=[recommendation])
            proposed, chosen = at_once([
                partial(cabinet.post, f"/assessments/{assessment}/proposal/", propose), untick,
            ])
            race = f"untick-{round_}"
            if saved(proposed):
                self.acknowledged.append(Acknowledged("proposal", 302, target=recommendation,
                                                      text=propose["category"], race=race,
                                                      version=int(propose["version"]) + 1))
                candidates.pop(0)  # it keeps its proposal, so it stays on the list: race the next one
            else:
                self.refuse("proposal raced with unticking", proposed)
            if not saved(chosen):
                self.refuse("untick raced with a proposal", chosen)
            elif saved(proposed):
                self.notes.append(f"{race}: the proposal and the untick were both acknowledged")
            tick_all = self.choose(office)()
            if not saved(tick_all):
                self.refuse("tick every recommendation again", tick_all)
            if not candidates:
                break

    def race_same_version(self):
        """Two cabinet members propose from the same version."""
        first, second = self.browser("cabinet"), self.browser("cabinet2")
        categories = [self.setup["categories"]["1"], self.setup["categories"]["4"]]
        for round_ in range(4):
            recommendation = self.setup["same_version"][round_ % len(self.setup["same_version"])]
            assessment = self.assessment_of(recommendation)
            pages = [b.get(f"/assessments/{assessment}/proposal/") for b in (first, second)]
            forms = [self.proposal_fields(p.text, c) for p, c in zip(pages, categories, strict=True)]
            responses = at_once([partial(b.post, f"/assessments/{assessment}/proposal/", f)
                                 for b, f in zip((first, second), forms, strict=True)])
            for response, form in zip(responses, forms, strict=True):
                if saved(response):
                    self.acknowledged.append(Acknowledged("proposal", 302, target=recommendation,
                                                          text=form["category"], race=f"same-version-{round_}",
                                                          version=int(form["version"]) + 1))
                else:
                    self.refuse("proposal from the same version", response)
            categories.reverse()

    def update_of(self, ack: Acknowledged) -> int | None:
        """The update an acknowledged write added (None if it is not there: counted as lost afterwards)."""
        from tracker.models import EvidenceUpdate

        return EvidenceUpdate.objects.filter(submission_key=ack.key).values_list("pk", flat=True).first()

    def correction_fields(self, page: str, text: str):
        return {
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
            "text": text,
            "written_on_0": str(self.today.day), "written_on_1": str(self.today.month),
            "written_on_2": str(self.today.year),
            "version": hidden(page, "version"),
        }

    def correct(self, browser, update: int, text: str):
        page = browser.get(f"/evidence/{update}/correct/")
        fields = self.correction_fields(page.text, text)
        return fields, partial(browser.post, f"/evidence/{update}/correct/", fields)

    def race_corrections(self):
        """Two corrections of one update from the same version: its author and the scrutiny office."""
        author, office = self.browser("officer"), self.browser("scrutiny")
        for round_ in range(3):
            recommendation = self.setup["corrections"][round_ % len(self.setup["corrections"])]
            added = self.add_evidence(author, recommendation, f"To be corrected {token()}")
            update = added and self.update_of(added)
            if update is None:
                continue
            sends = [self.correct(b, update, f"Corrected by {who} {token()}")
                     for b, who in ((author, "its author"), (office, "the scrutiny office"))]
            for (fields, _), response in zip(sends, at_once([send for _, send in sends]), strict=True):
                if saved(response):
                    self.acknowledged.append(Acknowledged("correction", 302, text=fields["text"], target=update,
                                                          race=f"corrections-{round_}",
                                                          version=int(fields["version"]) + 1))
                else:
                    self.refuse("correction from the same version", response)

    def stale_admin(self):
        """The scrutiny office opens a recommendation in the admin; meanwhile others change it and its
        evidence; then the stale page is saved."""
        stale, other, officer = self.browser("scrutiny"), self.browser("scrutiny"), self.browser("officer")
        for recommendation in self.setup["admin"]:
            url = f"/admin/tracker/recommendation/{recommendation}/change/"
            opened = stale.get(url)
            if opened.status != 200:
                self.refuse("admin page", opened)
                continue
            stale_form = admin_form(opened.text)

            theirs = admin_form(other.get(url).text)
            lead = f"{field_value(theirs, 'lead')} [changed {token()}]"
            response = other.post(url, replace_field(theirs, "lead", lead))
            if saved(response):
                self.acknowledged.append(Acknowledged("admin", 302, text=lead, target=recommendation))
            else:
                self.refuse("admin save", response)
                errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>([^<]*)', response.text)
                self.notes.append(f"admin save of {recommendation} refused: {response.status} {errors[:3]}")
            added = self.add_evidence(officer, recommendation, f"Added while the admin page was open {token()}")
            update = added and self.update_of(added)
            if update is not None:
                fields, send = self.correct(officer, update, f"Corrected meanwhile {token()}")
                response = send()
                if saved(response):
                    self.acknowledged.append(Acknowledged("correction", 302, text=fields["text"], target=update,
                                                          version=int(fields["version"]) + 1))
                else:
                    self.refuse("correction", response)

            timescale = f"{field_value(stale_form, 'original_timescale')} [stale {token()}]"
            response = stale.post(url, replace_field(stale_form, "original_timescale", timescale))
            if saved(response):
                self.acknowledged.append(Acknowledged("stale-admin", 302, text=timescale, target=recommendation))
            elif "while you were editing" in response.text:
                self.refused[f"stale admin save {response.status} (said so)"] += 1
            else:
                self.refuse("stale admin save", response)

    def bad_encodings(self):
        """Forms in Latin-1 and UTF-16, declared and not, to the evidence form and the sign-in page."""
        officer = self.browser("officer")
        recommendation = self.setup["owned"][-1]
        variants = [  # name, charset the client encodes in, charset it declares, body is as declared
            ("Latin-1 declared", "iso-8859-1", "iso-8859-1", True),
            ("Latin-1 undeclared", "iso-8859-1", None, False),
            ("UTF-16 declared", "utf-16", "utf-16", True),
            ("UTF-16 undeclared", "utf-16", None, False),
            ("UTF-8 labelled UTF-16", "utf-8", "utf-16", False),
            ("UTF-8 labelled an unknown charset", "utf-8", "x-no-such-charset", True),
            ("raw Latin-1 bytes, undeclared", "raw-latin-1", None, False),
        ]
        for round_ in range(2):
            for name, encoding, declared, honest in variants:
                text = f"{WORDS} ({name}, {round_}) {token()}"
                page = officer.get(self.evidence_url(recommendation))
                if page.status != 200:
                    self.refuse("evidence form", page)
                    continue
                fields = self.evidence_fields(page.text, recommendation, text)
                response = officer.request("POST", self.evidence_url(recommendation), *self.encoded(
                    fields, encoding, declared))
                if saved(response):
                    self.acknowledged.append(Acknowledged(
                        "evidence", 302, key=fields[f"r{recommendation}-submission"], text=text,
                        exact=honest, target=recommendation))
                else:
                    self.refuse(f"evidence in {name}", response)

                anonymous = self.browser()
                page = anonymous.get("/accounts/login/")
                response = anonymous.request("POST", "/accounts/login/", *self.encoded({
                    "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken"),
                    "username": f"José-{token()}", "password": "wrong £",
                }, encoding, declared))
                self.refused[f"sign-in in {name} {response.status}"] += 1

    @staticmethod
    def encoded(fields: dict, encoding: str, declared: str | None):
        from tests.live import encode_form

        if encoding == "raw-latin-1":
            body = "&".join(f"{k}={v}" for k, v in fields.items()).encode("latin-1", errors="replace")
        else:
            body = encode_form(fields, encoding)
        content_type = "application/x-www-form-urlencoded" + (f"; charset={declared}" if declared else "")
        return body, {"Content-Type": content_type}

    def hostile_ids(self):
        office, officer, cabinet = self.browser("scrutiny"), self.browser("officer"), self.browser("cabinet")
        ids = ["9" * 20, "-1", "abc", "0", "1e5", "%00", "1.5", str(2**63)]
        app = ["/meetings/{}/", "/meetings/{}/change/", "/meetings/{}/recommendations/", "/meetings/{}/pack/",
               "/meetings/{}/pack/preview/", "/recommendations/{}/", "/assessments/{}/proposal/",
               "/assessments/{}/decision/", "/evidence/{}/correct/", "/packs/{}/download/",
               "/my-recommendations/meetings/{}/", "/portfolio/meetings/{}/",
               f"/meetings/{self.meeting}/recommendations/{{}}/evidence/new/"]
        admin = ["/admin/tracker/{}/{}/change/", "/admin/tracker/{}/{}/history/", "/admin/tracker/{}/{}/delete/"]
        for browser, value in zip([office, officer, cabinet] * 3, ids, strict=False):
            for route in app:
                browser.get(route.format(value))
        for value in ids:
            for model in ("recommendation", "meeting", "evidenceupdate", "assessment"):
                for route in admin:
                    office.get(route.format(model, value))
        for query in ("category=abc", "category=-1", "category=" + "9" * 20, "status=nonsense", "o=abc",
                      "p=-1", "inquiry__id__exact=abc", "theme__id__exact=" + "9" * 20, "q=%00", "e=1", "all=x"):
            office.get(f"/admin/tracker/recommendation/?{query}")
        # Hostile ids in forms: a category, recommendations to track, a publication.
        assessment = self.assessment_of(self.setup["same_version"][0])
        page = cabinet.get(f"/assessments/{assessment}/proposal/")
        for category in ("9" * 20, "-1", "abc"):
            response = cabinet.post(f"/assessments/{assessment}/proposal/",
                                    self.proposal_fields(page.text, 0) | {"category": category})
            self.refuse("proposal with a hostile category", response)
        page = office.get(f"/meetings/{self.meeting}/recommendations/")
        for value in ("9" * 20, "-1", "abc"):
            response = office.post(f"/meetings/{self.meeting}/recommendations/", [
                ("csrfmiddlewaretoken", hidden(page.text, "csrfmiddlewaretoken")), ("recommendations", value)])
            self.refuse("choose a hostile recommendation", response)
        for value in ("9" * 20, "-1"):
            response = office.post(f"/meetings/{value}/pack/publish/",
                                   {"csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken")})
            self.refuse("publish a hostile meeting", response)

    def run(self):
        scenarios = [lambda n=n: self.writer(n) for n in range(WRITERS)] + [
            self.duplicate_submits, self.publishing_under_load, self.race_untick, self.race_same_version,
            self.race_corrections, self.stale_admin, self.bad_encodings, self.hostile_ids,
        ]
        with ThreadPoolExecutor(len(scenarios)) as pool:
            for future in [pool.submit(s) for s in scenarios]:
                future.result()
        # The round ends: the new meeting's pack published 20 times at once, then 20 times again.
        office = self.browser("scrutiny")
        self.first_burst = self.publish_at_once(self.meeting, office)
        self.versions_after_first = self.versions(self.meeting)
        self.second_burst = self.publish_at_once(self.meeting, office)
        self.versions_after_second = self.versions(self.meeting)

    @staticmethod
    def versions(meeting: int) -> int:
        from tracker.models import PublishedPack

        return PublishedPack.objects.filter(meeting_id=meeting).count()


# --- Before and after ------------------------------------------------------------------------


def snapshot() -> dict:
    from tracker.models import Assessment, EvidenceUpdate, PublishedPack

    return {
        "evidence": set(EvidenceUpdate.objects.values_list("pk", flat=True)),
        "proposals": dict(Assessment.objects.exclude(proposed_category=None).values_list("pk", "proposed_category")),
        "packs": dict(PublishedPack.objects.values_list("pk", "sha256")),
    }


def check(run: HostileRun, before: dict) -> tuple[list[str], list[tuple[str, int]]]:
    """What was lost (a sentence per row) and what was duplicated (a sentence and the rows too many)."""
    from django.db.models import Count

    from tracker.models import Assessment, EvidenceUpdate, PublishedPack, Recommendation

    lost, duplicated = [], []
    after = snapshot()
    lost += [f"evidence {pk} existed before the run" for pk in before["evidence"] - after["evidence"]]
    lost += [f"the proposal on assessment {pk} existed before the run" for pk, category in before["proposals"].items()
             if after["proposals"].get(pk) != category]
    for pk, sha256 in before["packs"].items():
        if after["packs"].get(pk) != sha256:
            lost.append(f"published pack {pk} is gone or changed")
    # Every acknowledged write is there, with the text sent (a form sent several times is one write).
    writes = {(a.key if a.what == "evidence" else id(a)): a for a in run.acknowledged}
    for ack in writes.values():
        if ack.what == "evidence":
            rows = EvidenceUpdate.objects.filter(submission_key=ack.key)
            if not rows:
                lost.append(f"acknowledged evidence {ack.key} is missing")
            elif ack.exact and not EvidenceUpdate.history.filter(id=rows[0].pk, text=ack.text).exists():
                lost.append(f"evidence {rows[0].pk} does not have the text sent: {rows[0].text!r} ≠ {ack.text!r}")
        elif ack.what == "proposal":
            kept = Assessment.history.filter(meeting_id=run.meeting, recommendation_id=ack.target,
                                             version=ack.version, proposed_category_id=int(ack.text)).exists()
            if ack.race.startswith("untick"):  # nothing proposes again on it: it must still be there
                kept = kept and Assessment.objects.filter(meeting_id=run.meeting, recommendation_id=ack.target,
                                                          proposed_category_id=int(ack.text)).exists()
            if not kept:
                lost.append(f"acknowledged proposal {ack.text} (version {ack.version}) for recommendation "
                            f"{ack.target} is not there")
        elif ack.what == "correction":
            if not EvidenceUpdate.history.filter(id=ack.target, version=ack.version, text=ack.text).exists():
                lost.append(f"acknowledged correction of update {ack.target} (version {ack.version}) is not there")
        elif ack.what == "admin":
            if Recommendation.objects.get(pk=ack.target).lead != ack.text:
                lost.append(f"acknowledged admin change to recommendation {ack.target} is not there")
        elif ack.what == "stale-admin":
            lost.append(f"a stale admin save of recommendation {ack.target} was accepted over a newer version")
    races = collections.Counter(a.race for a in run.acknowledged if a.race and not a.race.startswith("untick"))
    lost += [f"{race}: {n} saves from one version acknowledged, {n - 1} lost" for race, n in races.items() if n > 1]
    lost += [n for n in run.notes if "both acknowledged" in n]
    # Nothing twice.
    for row in (EvidenceUpdate.objects.exclude(submission_key=None).values("submission_key")
                .annotate(n=Count("pk")).filter(n__gt=1)):
        duplicated.append((f"{row['n']} updates for submission {row['submission_key']}", row["n"] - 1))
    for ack in {a.key: a for a in run.acknowledged if a.what == "evidence"}.values():
        marker = ack.text.rsplit(" ", 1)[-1]
        n = EvidenceUpdate.history.filter(text__contains=marker).values("id").distinct().count()
        if n > 1:
            duplicated.append((f"{n} updates for one write ({marker})", n - 1))
    for row in (EvidenceUpdate.objects.values("recommendation", "position").annotate(n=Count("pk"))
                .filter(n__gt=1)):
        duplicated.append((f"{row['n']} updates at position {row['position']} of recommendation "
                           f"{row['recommendation']}", row["n"] - 1))
    for row in (PublishedPack.objects.values("meeting", "source_sha256").annotate(n=Count("pk")).filter(n__gt=1)):
        duplicated.append((f"{row['n']} published versions of meeting {row['meeting']} from one source",
                           row["n"] - 1))
    if run.versions_after_first == 0:
        lost.append(f"publishing {AT_ONCE} times at once published nothing")
    if run.versions_after_first > 1:
        duplicated.append((f"publishing {AT_ONCE} times at once made {run.versions_after_first} versions, not 1",
                           run.versions_after_first - 1))
    if run.versions_after_second != run.versions_after_first:
        duplicated.append(("publishing again with nothing changed made a new version",
                           run.versions_after_second - run.versions_after_first))
    return lost, duplicated


# --- One database ----------------------------------------------------------------------------


def set_up_round() -> dict:
    """The scrutiny office's round (tracker.services), and a second cabinet member; the ids the run needs."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tracker import permissions, services
    from tracker.models import Category, Committee, Meeting, Owner

    User = get_user_model()
    office = User.objects.get(username="scrutiny")
    cabinet = User.objects.get(username="cabinet")
    second = User.objects.create_user("cabinet2", password=PASSWORDS["cabinet2"], first_name="Cara",
                                      last_name="Cabinet")
    second.groups.set(cabinet.groups.all())  # a second person in the demo cabinet member's role and portfolio
    for owner in Owner.objects.filter(delegates=cabinet):
        owner.delegates.add(second)

    today = timezone.localdate()
    committee = Committee.objects.get()
    published = Meeting.objects.get(committee=committee, state=Meeting.State.PACK_PUBLISHED)
    meeting = services.schedule_meeting(committee, today + datetime.timedelta(days=60),
                                        today + datetime.timedelta(days=30), by=office)
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)

    officer = User.objects.get(username="officer")
    tracked = [a.recommendation for a in meeting.assessments.select_related("recommendation")
               .prefetch_related("recommendation__responsibilities").order_by("recommendation__position")]
    owned = [r.pk for r in tracked if permissions.can_add_evidence(officer, r)]
    if len(owned) < 8:
        raise RuntimeError(f"the seed gives the officer {len(owned)} recommendations; the run needs 8")
    return {
        "today": today.isoformat(),
        "meeting": meeting.pk,
        "published_meeting": published.pk,
        "all": [r.pk for r in tracked],
        "owned": owned,
        "untick": owned[0:3],  # the cabinet member proposes while the office unticks
        "same_version": owned[3:5],  # two cabinet members propose from one version
        "corrections": owned[5:6],
        "admin": owned[6:8],
        "categories": {c.code: c.pk for c in Category.objects.filter(scheme=committee.scheme)},
    }


def rows_for(keys) -> int:
    from tracker.models import EvidenceUpdate

    return EvidenceUpdate.objects.filter(submission_key__in=keys).count()


class Worker:
    """The background worker (bin/worker's db_worker) beside gunicorn: it publishes the packs asked for."""

    def __init__(self, env: dict, *, log: Path):
        self.env, self.log, self.process = env, log, None

    def __enter__(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log,
            )
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_one(kind: str, static_root: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"hostile-{kind}-"))
    cluster, clean = None, False
    try:
        if kind == "postgresql":
            cluster = PostgresCluster().start()
            url = cluster.url
        else:
            url = f"sqlite:///{folder / 'db.sqlite3'}"
        env = app_env(url, STATIC_ROOT=static_root, AXES_ENABLED="true")
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", interactive=False, verbosity=0)
        with open(os.devnull, "w") as quiet:
            call_command("load_demo", stdout=quiet)
        setup = set_up_round()
        before = snapshot()
        connections.close_all()
        print(f"  {DATABASES[kind]}: seed loaded, meeting {setup['meeting']} open for evidence "
              f"({len(setup['all'])} recommendations); gunicorn starting", flush=True)

        started = time.monotonic()
        with Gunicorn(env, workers=3, threads=1, timeout=60, log=folder / "gunicorn.log") as app, \
                Worker(env, log=folder / "worker.log"):
            run = HostileRun(app.url, setup)
            run.run()
        seconds = time.monotonic() - started
        lost, duplicated = check(run, before)
        clean = not (lost or duplicated or run.tally.server_errors or run.tally.unanswered)
        log = (folder / "gunicorn.log").read_text(errors="replace")
        return {
            "database": DATABASES[kind],
            "requests": run.tally.sent,
            "server_errors": len(run.tally.server_errors),
            "unanswered": len(run.tally.unanswered),
            "lost": len(lost),
            "duplicated": sum(n for _, n in duplicated),
            "seconds": round(seconds, 1),
            "statuses": dict(sorted(run.tally.statuses.items())),
            "refused": dict(sorted(run.refused.items())),
            "acknowledged": dict(collections.Counter(a.what for a in run.acknowledged)),
            "bursts": {"first": dict(collections.Counter(run.first_burst)),
                       "second": dict(collections.Counter(run.second_burst)),
                       "versions": [run.versions_after_first, run.versions_after_second],
                       "under_load": run.bursts_under_load},
            "duplicates_sent": {"forms": len(run.duplicate_keys), "times": AT_ONCE,
                                "acknowledged": sum(1 for a in run.acknowledged if a.key in run.duplicate_keys),
                                "rows": rows_for(run.duplicate_keys)},
            "details": (run.tally.server_errors + run.tally.unanswered + lost + [d for d, _ in duplicated])[:40],
            "notes": run.notes,
            "log": "" if clean else f"{folder / 'gunicorn.log'}\n{first_error(log)}",
        }
    finally:
        if cluster is not None:
            cluster.remove()
        if clean:
            shutil.rmtree(folder, ignore_errors=True)


def first_error(log: str) -> str:
    """The first server error in gunicorn's log, with its traceback."""
    starts = [i for i in (log.find("Internal Server Error"), log.find("Error handling request")) if i >= 0]
    return log[min(starts):][:4000] if starts else ""


# --- Both ------------------------------------------------------------------------------------


def print_result(r: dict):
    print(f"  requests sent {r['requests']} in {r['seconds']} s; statuses {r['statuses']}")
    print(f"  acknowledged writes: {r['acknowledged']}")
    d = r["duplicates_sent"]
    print(f"  {d['forms']} evidence forms each sent {d['times']} times at once: {d['acknowledged']} acknowledged, "
          f"{d['rows']} updates in the database")
    under_load = ", ".join(f"{a} → {b}" for a, b in r["bursts"]["under_load"])
    print(f"  the seed meeting's pack published {AT_ONCE} times at once under load: versions {under_load}")
    print(f"  the new meeting's pack published {AT_ONCE} times at once at the end: {r['bursts']['first']}, "
          f"then again {r['bursts']['second']}: versions {r['bursts']['versions'][0]}, "
          f"then {r['bursts']['versions'][1]}")
    print("  refused (as they should be, or as the race went):")
    for what, n in r["refused"].items():
        print(f"    {n:4} × {what}")
    for line in r["notes"] + r["details"]:
        print(f"  ! {line}")
    if r["log"]:
        print("  gunicorn's log: " + r["log"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("databases", nargs="*", metavar="DATABASE", help="sqlite, postgresql (default: both)")
    parser.add_argument("--one", choices=DATABASES, help=argparse.SUPPRESS)
    parser.add_argument("--static", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.databases = args.databases or list(DATABASES)
    if set(args.databases) - set(DATABASES):
        parser.error(f"databases are {' and '.join(DATABASES)}")
    if args.one:  # a child: one database, its result as the last line
        print("RESULT " + json.dumps(run_one(args.one, args.static)), flush=True)
        return 0

    print("Collecting static files (production settings serve them hashed)", flush=True)
    static_root = tempfile.mkdtemp(prefix="hostile-static-")
    manage(app_env("sqlite:///:memory:", STATIC_ROOT=static_root), "collectstatic", "--noinput", "-v0")
    results = []
    for kind in args.databases:
        print(f"== {DATABASES[kind]} ==", flush=True)
        child = subprocess.run([sys.executable, __file__, "--one", kind, "--static", static_root], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True, timeout=900)
        lines = child.stdout.splitlines()
        for line in lines:
            if not line.startswith("RESULT "):
                print(line)
        if child.returncode or not lines or not lines[-1].startswith("RESULT "):
            print(f"  the run on {DATABASES[kind]} failed (exit {child.returncode})")
            results.append({"database": DATABASES[kind], "failed": True})
            continue
        result = json.loads(lines[-1][len("RESULT "):])
        print_result(result)
        results.append(result)

    print()
    header = f"{'database':<20} {'requests':>9} {'5xx':>5} {'no answer':>10} {'rows lost':>10} " \
             f"{'rows duplicated':>16} {'refused 409/400':>16} {'seconds':>8}"
    print(header)
    print("-" * len(header))
    ok = True
    for r in results:
        if r.get("failed"):
            print(f"{r['database']:<20} {'run failed':>9}")
            ok = False
            continue
        refused = f"{r['statuses'].get('409', 0)}/{r['statuses'].get('400', 0)}"
        print(f"{r['database']:<20} {r['requests']:>9} {r['server_errors']:>5} {r['unanswered']:>10} {r['lost']:>10} "
              f"{r['duplicated']:>16} {refused:>16} {r['seconds']:>8}")
        ok = ok and not (r["server_errors"] or r["unanswered"] or r["lost"] or r["duplicated"])
    shutil.rmtree(static_root, ignore_errors=True)
    print("\nPASS: nothing lost, nothing duplicated, no server error" if ok else "\nFAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
