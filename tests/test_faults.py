"""Faults: the database going away, and a worker killed in the middle of a write.

A page whose database connection is lost answers 503 "try again", never the server-error
page; when PostgreSQL restarts under load, pages answer again by themselves within seconds
(connection health checks), without restarting the app. A process killed inside a
service's transaction leaves nothing of it behind, on SQLite (a file database in WAL mode)
and on PostgreSQL, and the app writes normally afterwards.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import DatabaseError, OperationalError, connection
from django.test import Client

from tests.factories import UserFactory
from tests.live import (
    ROOT,
    Browser,
    Gunicorn,
    PostgresCluster,
    app_env,
    hidden,
    postgres_database,
    prepare_database,
    wait_until,
)

WORKER = Path(__file__).with_name("fault_worker.py")
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
def test_the_database_lost_while_the_session_row_is_updated_answers_503_not_a_bad_request():
    # Django's session store takes any database error on update for a session deleted meanwhile
    # (SessionInterrupted, 400): the answer must still say to try again.
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(Session, "save", side_effect=lost):
        response = client.get("/meetings/")
    assert_try_again_page(response.status_code, response.content.decode())


@pytest.mark.django_db
def test_a_session_deleted_during_the_request_is_still_a_bad_request():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    with mock.patch.object(Session, "save", side_effect=DatabaseError("Forced update did not affect any rows.")):
        response = client.get("/meetings/")
    assert response.status_code == 400


@pytest.mark.django_db
def test_any_other_error_is_still_the_server_error_page():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    with mock.patch("tracker.views.meetings.selectors.meetings_list", side_effect=ValueError("a bug")):
        response = client.get("/meetings/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


# --- A worker killed in the middle of a write ------------------------------------------------


def run_worker(env, *args, timeout=300) -> str:
    done = subprocess.run([sys.executable, str(WORKER), *args], cwd=ROOT, env=env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert done.returncode == 0, f"fault_worker {' '.join(args)} failed:\n{done.stdout}"
    return done.stdout


def worker_state(env, mark) -> dict:
    return json.loads(run_worker(env, "state", mark).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def worker_env(tmp_path_factory):
    """A database of the worker processes' own, of the kind the suite runs on, set up by a worker:
    a SQLite file (so several processes share it, in WAL mode), or a new PostgreSQL database on
    the suite's server."""
    if connection.vendor == "sqlite":
        env = app_env(f"sqlite:///{tmp_path_factory.mktemp('faults') / 'db.sqlite3'}")
        run_worker(env, "setup")
        yield env
        return
    with postgres_database(connection.settings_dict, prefix="faults") as url:
        env = app_env(url)
        run_worker(env, "setup")
        yield env


def paused_write(process: subprocess.Popen, ready: Path):
    if process.poll() is not None:
        raise AssertionError(f"the worker ended before pausing:\n{process.stdout.read()}")
    return ready.exists() and ready.read_text()


@pytest.mark.parametrize("service", ["add_evidence", "record_decision"])
def test_a_worker_killed_in_the_middle_of_a_write_leaves_nothing_of_it(worker_env, service, tmp_path):
    mark = f"killed-{uuid.uuid4().hex[:10]}"
    before = worker_state(worker_env, mark)
    ready = tmp_path / "paused.json"
    process = subprocess.Popen(
        [sys.executable, str(WORKER), "pause", service, mark, str(ready)],
        cwd=ROOT, env=worker_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        written = json.loads(wait_until(lambda: paused_write(process, ready), timeout=180,
                                        what=f"the worker to pause inside {service}"))
    finally:
        process.kill()  # SIGKILL: no cleanup, no rollback by the process itself
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    # Inside its transaction it had written several rows...
    if service == "add_evidence":
        assert (written["evidence"], written["evidence_history"]) == (1, 1)
    else:
        assert (written["conclusions"], written["conclusion_history"]) == (1, 1)
        assert written["agreed_category"] is not None
        assert written["assessment_history"] == before["assessment_history"] + 1
    # ...and none of them is there now.
    assert worker_state(worker_env, mark) == before
    if connection.vendor == "sqlite":
        assert before["journal_mode"] == "wal"

    # The app writes normally afterwards: nothing is left locked.
    again = f"after-{uuid.uuid4().hex[:10]}"
    run_worker(worker_env, "write", service, again, timeout=120)
    done = worker_state(worker_env, again)
    if service == "add_evidence":
        assert (done["evidence"], done["evidence_history"]) == (1, 1)
    else:
        assert (done["conclusions"], done["conclusion_history"]) == (1, 1)
        assert done["agreed_category"] is not None


# --- PostgreSQL restarting under load --------------------------------------------------------

PAGES = ["/meetings/", "/recommendations/"]
RECOVERY_SECONDS = 8  # "within a few seconds", with room for a slow shared CI machine


class Load:
    """A few signed-in people asking for pages non-stop; each answer is kept with when it was asked."""

    def __init__(self, url: str, people: int = 4):
        self.browsers = []
        for _ in range(people):
            browser = Browser(url, timeout=60)
            browser.sign_in("member", "member-demo-pass")
            self.browsers.append(browser)
        self.answers: list[tuple[float, int | None, str]] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.ask, args=(b,), daemon=True) for b in self.browsers]

    def ask(self, browser: Browser):
        n = 0
        while not self.stop.is_set():
            asked = time.monotonic()
            try:
                response = browser.get(PAGES[n % len(PAGES)])
                self.answers.append((asked, response.status, response.text))
            except OSError as error:
                self.answers.append((asked, None, repr(error)))
            n += 1

    def since(self, moment: float):
        return [a for a in list(self.answers) if a[0] >= moment]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)


@pytest.mark.postgres
def test_pages_answer_503_while_postgresql_restarts_and_recover_by_themselves(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("restarts PostgreSQL: run when the suite runs on PostgreSQL")
    log = tmp_path / "gunicorn.log"
    with PostgresCluster() as pg:
        env = app_env(pg.url, DJANGO_SETTINGS_MODULE="scrutiny.settings_test")
        prepare_database(env)
        with Gunicorn(env, workers=3, threads=1, log=log) as app:
            with Load(app.url) as load:
                started = time.monotonic()
                wait_until(lambda: sum(1 for a in load.since(started) if a[1] == 200) >= 8, timeout=120,
                           what="pages before the restart")
                pg.restart()  # -m fast: every connection is cut; returns once it accepts connections again
                back = time.monotonic()
                settled = back + RECOVERY_SECONDS
                wait_until(lambda: len(load.since(settled)) >= 20, timeout=180, what="pages after the restart")

            assert {status for _, status, _ in load.answers} <= {200, 503}, [
                a[2][:500] for a in load.answers if a[1] not in (200, 503)][:3]
            for _, status, body in load.answers:
                if status == 503:
                    assert_try_again_page(status, body)
            first_after = min(asked for asked, status, _ in load.since(back) if status == 200)
            assert first_after - back < RECOVERY_SECONDS
            assert {status for _, status, _ in load.since(settled)} == {200}

            # With the server down for longer, every page that needs it says to try again...
            browser, anonymous = load.browsers[0], Browser(app.url)
            sign_in_page = anonymous.get("/accounts/login/")
            pg.stop_server()
            try:
                response = browser.get("/meetings/")
                assert_try_again_page(response.status, response.text)
                response = anonymous.post("/accounts/login/", {
                    "csrfmiddlewaretoken": hidden(sign_in_page.text, "csrfmiddlewaretoken"),
                    "username": "member", "password": "member-demo-pass",
                })
                assert_try_again_page(response.status, response.text)
            finally:
                pg.start_server()
            # ...and answers as soon as it is back.
            down_until = time.monotonic()
            wait_until(lambda: browser.get("/meetings/").status == 200, timeout=RECOVERY_SECONDS,
                       interval=0.2, what="the first page after PostgreSQL started again")
            assert [browser.get(page).status for page in PAGES * 3] == [200] * 6
            assert anonymous.sign_in("member", "member-demo-pass").status == 302
            assert time.monotonic() - down_until < 3 * RECOVERY_SECONDS

    assert "Internal Server Error" not in log.read_text()
