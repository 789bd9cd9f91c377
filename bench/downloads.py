"""How long each download takes to make: the pack (PDF and Word), the tracker (Excel and CSV),
the annual impact report (page, PDF and Word), the public register's pages and the open data
(a whole harvest of the API and its CSV).

Run:  .venv/bin/python bench/downloads.py [--runs N] [--copies N]

Loads the demo data into a throwaway SQLite database (deleted at the end) with its committee on
the public register (as ``load_demo`` puts it), and, with --copies N, copies the seed inquiry N
times (each copy a new inquiry with the same recommendations, sub-parts, footnotes, owners,
milestones, evidence, assessments and conclusions) so the figures show how each download grows
with the data.
Each download is requested through Django's test client, as the person who may have it
(signed out for the public ones), and timed whole: queries, templates and the file itself. A
draft pack is asked for (the button, which queues its build; the test settings' task queue
builds it as the request's transaction commits) and then downloaded from its build's page.
It prints the median and the best of the runs, the size and the queries of one response.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def human_size(size: int) -> str:
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed requests of each download (default 5)")
    parser.add_argument("--copies", type=int, default=0, help="copy the seed inquiry N times (default: none)")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="downloads-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings_test"
    os.environ["MEDIA_ROOT"] = f"{workdir.name}/media"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tracker.models import Committee, Inquiry, PublishedPack, Recommendation

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    meeting = publish_a_round()
    if args.copies:
        copy_seed(args.copies)  # history to read, not more for the meeting's pack to print

    office = Client()
    office.login(username="scrutiny", password="scrutiny-demo-pass")
    anyone = Client()
    committee = Committee.objects.first()
    inquiry = Inquiry.objects.first()
    recommendation = Recommendation.objects.filter(number="R06").first() or Recommendation.objects.first()
    pack = PublishedPack.objects.defer("pdf").first()

    drafts = {f"/meetings/{meeting.pk}/pack.pdf", f"/meetings/{meeting.pk}/pack.docx"}
    downloads = [
        ("Pack, PDF (draft)", office, f"/meetings/{meeting.pk}/pack.pdf"),
        ("Pack, Word (draft)", office, f"/meetings/{meeting.pk}/pack.docx"),
        ("Tracker, Excel", office, "/recommendations/download.xlsx"),
        ("Tracker, CSV", office, "/recommendations/download.csv"),
        ("Impact report, page", office, f"/impact/?committee={committee.pk}"),
        ("Impact report, PDF", office, f"/impact/report.pdf?committee={committee.pk}"),
        ("Impact report, Word", office, f"/impact/report.docx?committee={committee.pk}"),
        ("Public register, home", anyone, "/public/"),
        ("Public register, committee", anyone, f"/public/committees/{committee.pk}/"),
        ("Public register, inquiry", anyone, f"/public/inquiries/{inquiry.pk}/"),
        ("Public register, recommendation", anyone, f"/public/recommendations/{recommendation.pk}/"),
        ("Open data, recommendations CSV", anyone, "/api/v1/recommendations.csv"),
    ]
    if pack is not None:
        downloads.append(("Public register, published pack", anyone, f"/public/packs/{pack.pk}/download/"))

    def fetch(client, url):
        if url in drafts:
            return fetch_draft(client, url)
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, body

    def fetch_draft(client, url):
        """A draft as the office gets it: the button queues the build (the test settings' task queue
        builds it as the request's transaction commits), then the build page's download."""
        asked = client.post(url)
        if asked.status_code != 302:
            return asked.status_code, b""
        return fetch(client, asked["Location"] + "download/")

    def harvest(client):
        """Every page of the open data's recommendations, following ``next``."""
        url, pages, size = "/api/v1/recommendations/", 0, 0
        while url:
            response = client.get(url)
            pages += 1
            size += len(response.content)
            url = response.json().get("next")
        return 200, b"x" * size

    rows = []
    for name, client, url in downloads:
        status, body = fetch(client, url)
        if status != 200:
            rows.append((name, None, None, status, 0, 0))
            continue
        reset_queries()  # each request starts the log again; count from an empty one
        with CaptureQueriesContext(connection) as captured:
            fetch(client, url)
        queries = len(captured)  # now: the next request empties the log it reads from
        times = []
        for _ in range(args.runs):
            gc.collect()
            start = time.perf_counter()
            fetch(client, url)
            times.append(time.perf_counter() - start)
        rows.append((name, statistics.median(times), min(times), status, len(body), queries))
    times = []
    for _ in range(args.runs):
        gc.collect()
        start = time.perf_counter()
        _, body = harvest(anyone)
        times.append(time.perf_counter() - start)
    rows.append(("Open data, whole harvest (JSON)", statistics.median(times), min(times), 200, len(body), None))

    recommendations = Recommendation.objects.count()
    print(f"{recommendations} recommendations ({'the demo data' if not args.copies else f'the demo data and {args.copies} copies of its inquiry'}); "
          f"{args.runs} timed requests of each, median (best)\n")
    header = f"{'download':<36} {'seconds':>15} {'size':>10} {'queries':>8}"
    print(header)
    print("-" * len(header))
    for name, median, best, status, size, queries in rows:
        if median is None:
            print(f"{name:<36} {'HTTP ' + str(status):>15}")
            continue
        print(f"{name:<36} {median:>7.3f} ({best:.3f}) {human_size(size):>10} {queries if queries is not None else '':>8}")
    connection.close()
    workdir.cleanup()


def publish_a_round():
    """A live meeting after the imported ones, open for evidence and its pack published (as the
    scrutiny office does it), so the public register and the open data have a published pack."""
    import datetime

    from django.contrib.auth import get_user_model

    from tracker import services
    from tracker.models import Committee, Meeting

    office = get_user_model().objects.get(username="scrutiny")
    meeting = services.schedule_meeting(
        Committee.objects.get(), datetime.date(2016, 6, 15), datetime.date(2016, 6, 1), by=office
    )
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    services.publish_pack(meeting, by=office)
    return Meeting.objects.get(pk=meeting.pk)


def copy_seed(copies: int) -> None:
    """The seed inquiry copied ``copies`` times, row for row (bulk inserts; no history), with its
    imported history: more to download, read and harvest, while the live meeting's pack stays
    the seed's."""
    from tracker.models import (
        Assessment,
        Conclusion,
        EvidenceUpdate,
        Footnote,
        Inquiry,
        Milestone,
        Recommendation,
        Responsibility,
        SubPart,
    )

    inquiry = Inquiry.objects.get()
    originals = list(inquiry.recommendations.order_by("position", "number"))
    children = {
        model: list(model.objects.filter(recommendation__in=originals))
        for model in (SubPart, Footnote, Responsibility, Milestone, EvidenceUpdate, Conclusion)
    }
    # The imported history only: the copies are not tracked at the live meeting.
    children[Assessment] = list(Assessment.objects.filter(recommendation__in=originals, meeting__imported=True))
    skip = {"id", "recommendation", "changed_at", "created_at", "concluded_at", "submission_key"}
    for n in range(1, copies + 1):
        copy = Inquiry.objects.create(committee=inquiry.committee, title=f"{inquiry.title} (copy {n})",
                                      reported_on=inquiry.reported_on)
        made = Recommendation.objects.bulk_create([
            Recommendation(**{f.attname: getattr(r, f.attname) for f in Recommendation._meta.concrete_fields
                              if f.name not in skip and f.name != "inquiry"}, inquiry=copy)
            for r in originals
        ])
        new_pk = {old.pk: new.pk for old, new in zip(originals, made, strict=True)}
        for model, rows in children.items():
            fields = [f for f in model._meta.concrete_fields if f.name not in skip]
            model.objects.bulk_create([
                model(**{f.attname: getattr(row, f.attname) for f in fields}, recommendation_id=new_pk[row.recommendation_id])
                for row in rows
            ])



if __name__ == "__main__":
    main()
