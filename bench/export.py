"""How long the tracker's Excel and CSV downloads take to make, for the demo data and for thousands.

Run:  .venv/bin/python bench/export.py [--runs N] [--copies N]

In a throwaway SQLite database (deleted at the end) it loads the demo data (the seed report's
19 recommendations), then times the two files as the download and ``export_tracker`` make them
(``selectors.tracker_rows`` → ``exports.write_xlsx`` / ``exports.csv_lines``): the median of
--runs builds, the queries, the size and the peak of Python memory (tracemalloc, one build
apart, since tracing slows it). Then it copies the seed inquiry --copies times (each copy a
new inquiry with the same recommendations, sub-parts, footnotes, owners, milestones, evidence,
assessments and conclusions) and times them again.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed builds of each file (default 5)")
    parser.add_argument("--copies", type=int, default=250, help="copies of the seed inquiry for the large run")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="export-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings_test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    report("Demo data", args.runs)
    copy_seed(args.copies)
    report(f"Demo data and {args.copies} copies of its inquiry", max(1, args.runs // 2))
    workdir.cleanup()


def build(kind: str) -> tuple[int, int]:
    """One file as the download makes it: (its size, how many rows)."""
    from tracker import exports, selectors
    from tracker.filters import RecommendationFilter
    from tracker.models import Recommendation

    filters = RecommendationFilter({}, queryset=selectors.with_date_in_force(Recommendation.objects.all()))
    rows = selectors.tracker_rows(filters.shown())
    if kind == "xlsx":
        out = io.BytesIO()
        count = exports.write_xlsx(rows, out, council_name="Birmingham City Council")
        return len(out.getvalue()), count
    size = lines = 0
    for line in exports.csv_lines(rows):  # as the download streams it: nothing kept
        size, lines = size + len(line.encode("utf-8")), lines + 1
    return size, lines - 1


def report(title: str, runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print(f"\n{title}")
    for kind in ("xlsx", "csv"):
        build(kind)  # warm: templates of openpyxl, the database's cache
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            size, count = build(kind)
            times.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            build(kind)
        tracemalloc.start()
        build(kind)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"  .{kind}: {count:,} recommendations, {size / 1024:,.0f} KB, median {statistics.median(times):.2f} s "
              f"of {runs}, {len(captured)} queries, peak Python memory {peak / 1024 / 1024:.1f} MB")


def copy_seed(copies: int) -> None:
    """The seed inquiry copied ``copies`` times, row for row (bulk inserts; no history)."""
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
        for model in (SubPart, Footnote, Responsibility, Milestone, EvidenceUpdate, Assessment, Conclusion)
    }
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
