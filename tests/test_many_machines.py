"""More than one machine: two app servers and two task workers share one PostgreSQL and
nothing else.

Each server (gunicorn) and each worker (``manage.py db_worker``) runs in a working folder of
its own, with its own TMPDIR and MEDIA_ROOT, standing for each machine's own disk; they share
the database (``FILE_STORAGE=database``: attached files are rows too), the SECRET_KEY and a
real SMTP server on loopback. The council's people use them as a load balancer would send
them: a session begun on one server carries on on the other; e-mails queued by one server are
sent once though two workers poll the queue; a file attached through one server downloads
from the other; the pack published on one is the same file on both; a form read from one and
saved on the other after someone else's change is refused as stale. Afterwards no machine has
written anything to its own folders, each task was taken by one worker, once, and a pg_dump of
the database holds the attached file.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.live import (
    ATTRIBUTE,
    INPUT,
    PG_BIN,
    Browser,
    Gunicorn,
    Response,
    TaskWorker,
    app_env,
    postgres_database,
    prepare_database,
    wait_until,
)
from tests.mailbox import Mailbox, smtp_mailbox
from tests.pages import PASSWORDS, date_fields, form_data, text

SITE = "https://scrutiny.council.example"  # the address the council's proxy answers on, for the e-mails' links
FROM = "scrutiny@council.example"
OLIVIA = "olivia.officer@example.gov.uk"
CALLUM = "callum.cabinet@example.gov.uk"
MINA = "mina.member@example.gov.uk"
STALE = "Someone else (Sam Scrutiny) saved this update while you were editing it"
TASKS = DBTaskResult._meta.db_table  # the queue db_worker polls


@dataclass
class Machine:
    """One machine's own disk: the working folder its process runs in, its TMPDIR and MEDIA_ROOT."""

    name: str
    folder: Path

    @property
    def own_folders(self) -> dict[str, Path]:
        return {"working folder": self.folder / "work", "TMPDIR": self.folder / "tmp",
                "MEDIA_ROOT": self.folder / "media"}

    def prepare(self) -> Machine:
        for path in self.own_folders.values():
            path.mkdir(parents=True)
        return self

    def env(self, shared: dict) -> dict:
        folders = self.own_folders
        return {**shared, "TMPDIR": str(folders["TMPDIR"]), "MEDIA_ROOT": str(folders["MEDIA_ROOT"])}

    def written(self) -> dict[str, list[str]]:
        """Whatever is in its own folders now (they started empty)."""
        return {what: sorted(str(p.relative_to(path)) for p in path.rglob("*"))
                for what, path in self.own_folders.items() if any(path.iterdir())}


def query(url: str, sql: str, *params) -> list[tuple]:
    """Read the machines' database directly, as the council's IT would with psql."""
    import psycopg2

    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    db.close()
    return rows


def scanned_report() -> bytes:
    """A PDF of about 3 MB (a scan): more than Django keeps in memory, so its upload goes through TMPDIR."""
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + os.urandom(3 * 1024 * 1024) + b"\n%%EOF\n"


def ticked(page: Response, name: str) -> list[str]:
    """The values of the ticked boxes called ``name``, as the browser sends them back."""
    tags = [dict(ATTRIBUTE.findall(tag)) | {"checked": " checked" in tag} for tag in INPUT.findall(page.text)]
    return [tag["value"] for tag in tags if tag.get("name") == name and tag["checked"]]


def sent(response: Response, what: str) -> Response:
    assert response.status == 302, f"{what}: HTTP {response.status}\n{text(response)[:1500]}"
    return response


def published_versions(browser: Browser, meeting: int) -> list[str]:
    """The download links of the published versions the pack page lists."""
    page = browser.get(f"/meetings/{meeting}/pack/")
    assert page.status == 200
    return re.findall(r'href="(/packs/\d+/download/)"', page.text)


@pytest.mark.postgres
def test_two_app_servers_and_two_workers_share_one_postgresql_and_nothing_else(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("several machines share PostgreSQL: run when the suite runs on PostgreSQL")
    if PG_BIN is None:
        pytest.skip("pg_dump and pg_restore not found (apt-get install postgresql)")
    logs = tmp_path / "logs"
    logs.mkdir()
    machines = {name: Machine(name, tmp_path / name).prepare()
                for name in ("server-a", "server-b", "worker-1", "worker-2")}

    with ExitStack() as stack:
        url = stack.enter_context(postgres_database(connection.settings_dict, prefix="machines"))
        mailbox = stack.enter_context(smtp_mailbox())
        shared = app_env(url, DJANGO_SETTINGS_MODULE="tests.live_settings", FILE_STORAGE="database",
                         EMAIL_URL=f"smtp://127.0.0.1:{mailbox.port}", DEFAULT_FROM_EMAIL=FROM, SITE_URL=SITE,
                         PYTHONDONTWRITEBYTECODE="1")
        prepare_database(shared)  # migrate and load the demo, once, as an upgrade does

        servers = [Gunicorn(machines[name].env(shared), workers=1, threads=2, log=logs / f"{name}.log",
                            cwd=machines[name].own_folders["working folder"]) for name in ("server-a", "server-b")]
        workers = [TaskWorker(machines[name].env(shared), name=name, log=logs / f"{name}.log",
                              cwd=machines[name].own_folders["working folder"]) for name in ("worker-1", "worker-2")]
        for process in servers + workers:
            stack.callback(process.stop)  # every process stops, whatever fails
        with ThreadPoolExecutor(4) as starting:
            list(starting.map(lambda process: process.start(), servers + workers))
        a, b = servers

        # Signed in on server A through the sign-in page, the scrutiny office carries on on server B.
        office_a = Browser(a.url)
        office_a.sign_in("scrutiny", PASSWORDS["scrutiny"])
        office_b = office_a.on(b.url)
        page = office_b.get("/meetings/")
        assert page.status == 200 and "Sam Scrutiny" in text(page)

        # The office schedules a meeting on A, chooses what it tracks on B, opens it on A.
        today = timezone.localdate()
        page = office_a.get("/meetings/new/")
        committee = re.search(r'<option value="(\d+)"', page.text).group(1)
        fields = {**form_data(page), "committee": committee,
                  **date_fields("date", *_day(today, 60)), **date_fields("evidence_deadline", *_day(today, 30))}
        scheduled = sent(office_a.post("/meetings/new/", fields), "scheduling the meeting")
        meeting = int(re.search(r"/meetings/(\d+)/", scheduled.header("Location")).group(1))
        page = office_b.get(f"/meetings/{meeting}/recommendations/")
        fields = [*form_data(page).items(), *(("recommendations", pk) for pk in ticked(page, "recommendations"))]
        sent(office_b.post(f"/meetings/{meeting}/recommendations/", fields), "choosing the recommendations")
        page = office_a.get(f"/meetings/{meeting}/")
        advance = f"/meetings/{meeting}/advance/"
        fields = form_data(page, action=advance)
        assert fields["to_state"] == "evidence_open"
        sent(office_a.post(advance, fields), "opening the meeting")
        assert query(url, "SELECT state FROM tracker_meeting WHERE id = %s", meeting) == [("evidence_open",)]

        # An officer adds evidence with a scanned report attached through A's form; B hands out the same bytes.
        officer_a = Browser(a.url)
        officer_a.sign_in("officer", PASSWORDS["officer"])
        officer_b = officer_a.on(b.url)
        [(r06,)] = query(url, "SELECT id FROM tracker_recommendation WHERE number = 'R06'")
        add = f"/meetings/{meeting}/recommendations/{r06}/evidence/new/"
        page = officer_a.get(add)
        prefix = f"r{r06}"
        fields = {**form_data(page, action=add), f"{prefix}-text": "Taxi drivers trained: 1,200 of 1,450.",
                  **date_fields(f"{prefix}-written_on", *_day(today, 0)),
                  f"{prefix}-attachment_description": "Training register, scanned"}
        fields.pop(f"{prefix}-attachment")
        report = scanned_report()
        sent(officer_a.post(add, fields, files={f"{prefix}-attachment": ("register.pdf", report, "application/pdf")}),
             "adding evidence with a file")
        timeline = officer_b.get(f"/recommendations/{r06}/")
        [download] = re.findall(r'href="(/attachments/\d+/)"', timeline.text)
        downloaded = officer_b.get(download)
        assert downloaded.status == 200 and downloaded.header("Content-Type") == "application/pdf"
        assert hashlib.sha256(downloaded.body).hexdigest() == hashlib.sha256(report).hexdigest()
        [(stored, size)] = query(url, "SELECT name, size FROM tracker_storedfile")
        assert size == len(report) and stored.startswith("evidence/") and stored.endswith(".pdf")

        # A correction read from A and saved on B after the office corrected the update through A is refused.
        [correct] = re.findall(r'href="(/evidence/\d+/correct/)', timeline.text)
        officers_form = form_data(officer_a.get(correct))
        offices_form = form_data(office_a.get(correct))
        sent(office_a.post(correct, {**offices_form, "text": "Taxi drivers trained: 1,250 of 1,450."}),
             "the office's correction")
        refused = officer_b.post(correct, {**officers_form, "text": "Taxi drivers trained: 1,300 of 1,450."})
        assert refused.status == 409 and STALE in text(refused)
        assert "Taxi drivers trained: 1,250 of 1,450." in text(officer_a.get(f"/recommendations/{r06}/"))

        # The office publishes the pack on B (following where it leads: publishing may become a queued
        # build); both servers list the same version and hand out the same PDF.
        page = office_b.get(f"/meetings/{meeting}/pack/")
        publish = f"/meetings/{meeting}/pack/publish/"
        office_b.follow(office_b.post(publish, form_data(page, action=publish)))
        listed = wait_until(lambda: published_versions(office_b, meeting), timeout=60, interval=0.5,
                            what="the published version on the pack page")
        assert published_versions(office_a, meeting) == listed and len(listed) == 1
        from_a, from_b = office_a.get(listed[0]), office_b.get(listed[0])
        assert from_a.status == from_b.status == 200 and from_a.body[:5] == b"%PDF-"
        assert from_a.body == from_b.body
        assert from_a.header("ETag") == f'"{hashlib.sha256(from_a.body).hexdigest()}"'

        # A draft asked for on A is built by whichever worker takes it, and B hands out the same bytes.
        pack_page = office_a.get(f"/meetings/{meeting}/pack/")
        asked = sent(office_a.post(f"/meetings/{meeting}/pack.pdf", form_data(pack_page, action=f"/meetings/{meeting}/pack.pdf")),
                     "asking for a draft")
        build_page = urlsplit(asked.header("Location")).path
        download = f"{build_page}download/"
        wait_until(lambda: f'href="{download}"' in office_b.get(build_page).text, timeout=60, interval=0.5,
                   what="the draft's download on the build page")
        draft_a, draft_b = office_a.get(download), office_b.get(download)
        assert draft_a.status == draft_b.status == 200 and draft_a.body[:5] == b"%PDF-"
        assert draft_a.body == draft_b.body

        # Every e-mail arrives once, though two workers poll the queue.
        def all_sent():
            waiting = query(url, f"SELECT count(*) FROM {TASKS} WHERE status IN ('READY', 'RUNNING')")[0][0]
            rows = query(url, "SELECT status FROM tracker_message")
            return (not waiting and rows and all(status == "sent" for (status,) in rows)
                    and len(mailbox.messages) >= len(rows))

        wait_until(all_sent, timeout=60, interval=0.5, what="every e-mail to be sent")
        time.sleep(1)  # a second sending of any of them would arrive by now
        messages = query(url, "SELECT recipient_id, event, \"to\", subject, status, attempts FROM tracker_message")
        assert [(status, attempts) for *_, status, attempts in messages] == [("sent", 1)] * len(messages)
        received = Counter((m["To"], " ".join(Mailbox.subject(m).split())) for m in mailbox.messages)
        assert received == Counter((to, " ".join(subject.split())) for _, _, to, subject, _, _ in messages)
        assert max(received.values()) == 1
        assert {OLIVIA, CALLUM, MINA} <= {to for to, _ in received}
        assert all(message["From"] == FROM for message in mailbox.messages)
        assert any(link.startswith(f"{SITE}/my-recommendations/meetings/{meeting}/")
                   for message in mailbox.to(OLIVIA) for link in Mailbox.links(message))

        # Each task was taken by one worker, once, and done.
        tasks = query(url, f"SELECT id::text, status, worker_ids FROM {TASKS}")
        assert len(tasks) >= 2 and all(status == "SUCCESSFUL" for _, status, _ in tasks), tasks
        assert all(len(worker_ids) == 1 for _, _, worker_ids in tasks), tasks
        taken = Counter(task for worker in workers for task in worker.taken())
        assert taken == Counter(task_id for task_id, _, _ in tasks)
        for worker in workers:
            assert set(worker.taken()) == {task_id for task_id, _, ids in tasks if ids == [worker.name]}

        # The council's IT backs up with pg_dump (docs/deploy.md): restored, the attached file is in it.
        dump = tmp_path / "scrutiny.dump"
        subprocess.run([PG_BIN / "pg_dump", "--format=custom", f"--file={dump}", f"--dbname={url}"], check=True)
        with postgres_database(connection.settings_dict, prefix="restored") as restored:
            subprocess.run([PG_BIN / "pg_restore", "--no-owner", "--single-transaction", f"--dbname={restored}",
                            dump], check=True)
            [(content,)] = query(restored, "SELECT content FROM tracker_storedfile WHERE name = %s", stored)
            assert bytes(content) == report

    # Nothing on any machine's own disk: files, sessions, packs, the queue are all in the database.
    assert {name: machine.written() for name, machine in machines.items() if machine.written()} == {}
    for log in logs.iterdir():
        assert "Traceback" not in log.read_text(errors="replace"), log.read_text(errors="replace")[-3000:]


def _day(today: datetime.date, days_later: int) -> tuple[int, int, int]:
    day = today + datetime.timedelta(days=days_later)
    return day.day, day.month, day.year
