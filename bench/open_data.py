"""How long a national register takes to harvest the open data (/api/v1/).

Run:  .venv/bin/python bench/open_data.py [--runs N] [--factor N]

Loads the demo data into a throwaway SQLite database (deleted at the end), puts its committee
on the public register, and times a full harvest signed out, as a harvester would make it with
the test client: every page of recommendations (following ``next``, at the default 100 and at
1000 a page), every page of evidence, and the four CSV files. Then again with the demo
committee's latest meeting enlarged ``--factor`` times (tracker.pack.synthetic). Prints the
median of ``--runs`` harvests, the requests, the queries and the bytes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def harvest(client, page_size=None) -> tuple[int, int]:
    """Every page of recommendations and evidence, and every CSV file: (requests, bytes)."""
    requests = size = 0
    for name in ("recommendations", "evidence"):
        url = f"/api/v1/{name}/" + (f"?page_size={page_size}" if page_size else "")
        while url:
            response = client.get(url)
            assert response.status_code == 200, url
            requests, size = requests + 1, size + len(response.content)
            url = response.json()["next"]
    for name in ("recommendations", "evidence", "assessments", "meetings"):
        response = client.get(f"/api/v1/{name}.csv")
        assert response.status_code == 200, name
        requests, size = requests + 1, size + len(b"".join(response.streaming_content))
    return requests, size


def measure(label: str, runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tracker import public

    client = Client()
    count = public.recommendations().count()
    for page_size in (None, 1000):
        harvest(client, page_size)  # warm
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                requests, size = harvest(client, page_size)
                times.append(time.perf_counter() - started)
        print(f"{label}: {count} recommendations, {public.evidence().count()} evidence updates, "
              f"page size {page_size or 100}: median {statistics.median(times):.2f} s over {runs} harvests "
              f"({requests} requests, {len(captured)} queries, {size / 1e6:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed harvests (default 3)")
    parser.add_argument("--factor", type=int, default=10, help="how many times larger the enlarged data is")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="open-data-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings_test"
    import django

    django.setup()
    from django.core.management import call_command

    from tracker.models import Committee, Meeting
    from tracker.pack import synthetic

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    Committee.objects.update(on_public_register=True)
    measure("Demo data", args.runs)
    synthetic.enlarge(Meeting.objects.filter(published_packs__isnull=False).latest_first().first()
                      or Meeting.objects.latest_first().first(), args.factor)
    measure(f"Enlarged {args.factor}×", args.runs)
    workdir.cleanup()


if __name__ == "__main__":
    main()
