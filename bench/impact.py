"""How long the annual impact report takes to make as PDF and as Word, for the demo data.

Run:  .venv/bin/python bench/impact.py [--runs N]

Loads the demo data (the seed report and the demo users, as bin/run does) into a throwaway SQLite
database, deleted at the end, and prints for the municipal year 2015 to 2016 the median time of
the figures alone (the queries), of the whole PDF (figures, template, WeasyPrint) and of the whole
Word document, with their sizes and the queries each ran. The first build (fonts, templates and the
database warming up) is reported apart as "cold".
"""

from __future__ import annotations

import argparse
import io
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
    parser.add_argument("--runs", type=int, default=10, help="timed builds of each (default 10)")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="impact-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings_test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker import impact, impact_documents
    from tracker.models import Council

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    council = Council.current()
    year = impact.Year(2015)

    def figures():
        return impact.impact(year)

    makers = {
        "figures": lambda: figures(),
        "PDF": lambda: impact_documents.to_pdf(figures(), council),
        "Word": lambda: impact_documents.to_docx(figures(), council),
    }
    for name, make in makers.items():
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            made = make()
        cold = time.perf_counter() - start
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            make()
            times.append(time.perf_counter() - start)
        size = f", {len(made):,} bytes" if isinstance(made, bytes) else ""
        print(f"{name:8} median {1000 * statistics.median(times):7.1f} ms (cold {1000 * cold:6.1f} ms), "
              f"{len(queries)} queries{size}")
    workdir.cleanup()


if __name__ == "__main__":
    main()
