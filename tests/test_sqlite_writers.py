"""Twenty people saving at once on the embedded SQLite database: every save waits its turn.

The app under gunicorn (3 worker processes) on a SQLite file, as a laptop or a small
council runs it; twenty signed-in officers each add an update at the same moment. Before
WAL, BEGIN IMMEDIATE and a busy timeout (scrutiny/settings.py), most of them got a 500
"database is locked"; now every one is saved.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import uuid

import pytest
from django.db import connection

from tests.live import ROOT, Browser, Gunicorn, app_env, hidden

WORKER = ROOT / "tests" / "fault_worker.py"
WRITERS = 20


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded database's own behaviour")
def test_twenty_officers_saving_at_the_same_moment_are_all_saved(tmp_path):
    # The test settings serve static files without collecting them; the database options are production's.
    env = app_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_SETTINGS_MODULE="scrutiny.settings_test")
    subprocess.run([sys.executable, str(WORKER), "setup"], cwd=ROOT, env=env, check=True, timeout=300,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    mark = f"together-{uuid.uuid4().hex[:8]}"
    with Gunicorn(env, workers=3, log=tmp_path / "gunicorn.log") as server:
        officers = []
        for _ in range(WRITERS):
            officer = Browser(server.url)
            officer.sign_in("officer", "officer-demo-pass")
            officers.append(officer)
        page = officers[0].get("/my-recommendations/")
        if page.status == 302:
            page = officers[0].get(page.header("Location"))
        form_action = re.findall(r'<form method="post" action="([^"]+/evidence/new/)"', page.text)[0]
        prefix = "r" + form_action.rstrip("/").split("/")[-3]
        start, answers = threading.Barrier(WRITERS), []

        def save(number: int, officer: Browser):
            form = officer.get(form_action)
            start.wait()
            answers.append(officer.post(form_action, {
                "csrfmiddlewaretoken": hidden(form.text, "csrfmiddlewaretoken"),
                f"{prefix}-text": f"{mark} update {number}",
                f"{prefix}-written_on_0": "1", f"{prefix}-written_on_1": "1", f"{prefix}-written_on_2": "2020",
                f"{prefix}-submission": str(uuid.uuid4()),
            }).status)

        threads = [threading.Thread(target=save, args=(n, officer)) for n, officer in enumerate(officers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)

    assert sorted(answers) == [302] * WRITERS, answers
    state = subprocess.run([sys.executable, str(WORKER), "state", mark], cwd=ROOT, env=env, check=True, timeout=120,
                           stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
    assert json.loads(state)["evidence"] == WRITERS
