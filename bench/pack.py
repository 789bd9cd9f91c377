"""How long the meeting pack takes to build, and how much of that is the app's own work.

Run:  .venv/bin/python bench/pack.py [--runs N]

Builds the seed report's pack, then a synthetic pack ten times larger (every printed
recommendation copied nine times), in a throwaway SQLite database that is deleted at
the end. For each it prints the median time of a whole build (queries, templates,
WeasyPrint), the pages, the queries, and the median time WeasyPrint takes to lay out the
same HTML alone; the ratio of the two is the app's cost on top of WeasyPrint. Last, it
publishes a live meeting's pack of the larger size and times its three phases: only the
last holds the meeting locked.
The first build of the process (fonts, templates and the database warming up) is
reported apart as "cold". Garbage is collected before each timed part: the cyclic
garbage a WeasyPrint layout leaves (about 70 ms to collect for the seed pack) would
otherwise land in whatever is timed next.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed builds of the seed pack (default 5)")
    parser.add_argument("--large-runs", type=int, default=2, help="timed builds of the large pack (default 2)")
    parser.add_argument("--factor", type=int, default=10, help="how many times larger the synthetic pack is")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="pack-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings_test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.importer import import_report, read_report
    from tracker.models import Meeting
    from tracker.pack import synthetic
    from tracker.pack.context import pack_for
    from tracker.pack.render import build_pack, html_to_pdf, render_pack_html

    call_command("migrate", verbosity=0)
    import_report(read_report())
    meeting = Meeting.objects.latest_first().first()

    def build():
        gc.collect()  # WeasyPrint leaves cyclic garbage; collect it outside the timed part
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            built = build_pack(meeting)
            seconds = time.perf_counter() - start
        return built, seconds, len(queries)

    def app_only():
        """The app's own work: the queries and the templates, without WeasyPrint."""
        gc.collect()
        start = time.perf_counter()
        render_pack_html(pack_for(meeting))
        return time.perf_counter() - start

    def measure(runs: int):
        builds, alone, app = [], [], []
        for _ in range(runs):
            built, seconds, queries = build()
            builds.append(seconds)
            gc.collect()
            start = time.perf_counter()
            html_to_pdf(built.html)
            alone.append(time.perf_counter() - start)
            app.append(app_only())
        recommendations = sum(r.tracked_count + len(r.concluded) for r in built.pack.reports)
        return {
            "recommendations": recommendations,
            "pages": built.pages,
            "queries": queries,
            "seconds": statistics.median(builds),
            "best": min(builds),
            "weasyprint": statistics.median(alone),
            "weasyprint_best": min(alone),
            "app": statistics.median(app),
        }

    _, cold, _ = build()
    rows = [("seed", measure(args.runs))]
    synthetic.enlarge(meeting, args.factor)
    build()  # warm the larger document's code paths once
    rows.append((f"seed x{args.factor}", measure(args.large_runs)))

    print(f"cold first build of the seed pack: {cold:.2f} s (fonts, templates, database warming up)")
    print(f"warm builds: {args.runs} of the seed pack, {args.large_runs} of the large one "
          "(median, and best in brackets)\n")
    header = (f"{'pack':<10} {'recs':>5} {'pages':>6} {'queries':>8} {'seconds':>14} "
              f"{'weasyprint alone':>17} {'ratio':>12} {'app work':>9}")
    print(header)
    print("-" * len(header))
    for name, row in rows:
        ratio = row["seconds"] / row["weasyprint"]
        best_ratio = row["best"] / row["weasyprint_best"]
        print(
            f"{name:<10} {row['recommendations']:>5} {row['pages']:>6} {row['queries']:>8} "
            f"{row['seconds']:>6.2f} ({row['best']:.2f}) {row['weasyprint']:>8.2f} ({row['weasyprint_best']:.2f}) "
            f"{ratio:>5.2f} ({best_ratio:.2f}) {row['app'] * 1000:>6.0f} ms"
        )
    print(
        "\nratio = whole build / WeasyPrint laying out the same HTML alone (1.25 = the app adds 25%);"
        "\napp work = reading the data and rendering the templates (median), no WeasyPrint."
        "\nTimes vary with other work on the machine: the best runs are the least disturbed."
    )
    publishing_phases(args.factor)
    connection.close()
    workdir.cleanup()


def publishing_phases(factor: int) -> None:
    """Publishing a pack ``factor`` times the seed's (the copies ``enlarge`` made are tracked by a
    new live meeting), phase by phase: (a) reading the data and
    rendering the HTML, holding nothing; (b) WeasyPrint laying out and writing the PDF, with no
    transaction open; (c) the short transaction that locks the meeting, renders the HTML again to
    compare, and stores the version. Only (c) holds the meeting (and, on SQLite, the write lock)."""
    import datetime

    from django.contrib.auth import get_user_model

    from tracker import services
    from tracker.demo import create_demo_users
    from tracker.models import Committee, Meeting

    create_demo_users()
    office = get_user_model().objects.get(username="scrutiny")
    meeting = services.schedule_meeting(
        Committee.objects.get(), datetime.date(2016, 6, 15), datetime.date(2016, 6, 1), by=office
    )
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    tracked = meeting.assessments.count()
    marks = {}

    def progress(code: str) -> None:
        marks.setdefault(code, time.perf_counter())

    gc.collect()
    start = time.perf_counter()
    publication = services.publish_pack(meeting, by=office, progress=progress)
    end = time.perf_counter()
    assert publication.is_new
    read, layout, store = marks["layout"] - start, marks["store"] - marks["layout"], end - marks["store"]
    print(f"\npublishing a live meeting's pack tracking {tracked} recommendations ({publication.pack.size:,} bytes): "
          f"{end - start:.2f} s")
    print(f"  (a) reading the data and rendering the HTML, no lock:      {read:6.2f} s")
    print(f"  (b) laying out and writing the PDF, no transaction:        {layout:6.2f} s")
    print(f"  (c) locked: the cycle, the HTML again, storing the version: {store:6.2f} s"
          f"  ({store / (end - start):.0%} of the whole)")


if __name__ == "__main__":
    main()
