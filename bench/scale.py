"""How the main pages cost as the data grows: at 1,000 recommendations and at 250,000, in one run.

Run:  bin/with-postgres .venv/bin/python bench/scale.py [--sizes 1000 250000] [--runs N]

Against the database in DATABASE_URL (a throwaway PostgreSQL from bin/with-postgres; the
tables are made by migrate and filled by ``generate_scale_data``, so use an empty one), it
fills the database up to each size in turn and times, through Django's test client, each
page as the person who reads it: the recommendations list, a deep page of it, search, a
timeline, the overview, the public register and the open data's list, and the sign-in page
as the yardstick. For each it prints the median of --runs requests, the queries, and the
cost as a ratio to the sign-in page in the same run; at the end, each page's ratio of its
cost at the largest size to its cost at the smallest (the goal for lists and search: 1.5
at most).
"""

from __future__ import annotations

import argparse
import base64
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 250000], help="recommendations")
    parser.add_argument("--runs", type=int, default=7, help="timed requests of each page (default 7)")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL (bin/with-postgres sets it to a throwaway PostgreSQL).")
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings_test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tracker import paging, scale
    from tracker.demo import create_demo_users

    call_command("migrate", verbosity=0)
    create_demo_users()
    office = Client()
    office.login(username="scrutiny", password="scrutiny-demo-pass")
    anyone = Client()

    def fetch(client, url):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, len(body)

    def pages():
        from tracker import public
        from tracker.models import Committee, Meeting, Recommendation

        recommendation = Recommendation.objects.order_by("pk")[Recommendation.objects.count() // 2]
        tracked = Recommendation.objects.tracked().order_by(*paging.REPORT_ORDER)
        midway = paging.token(tracked[tracked.count() // 2])  # the place half-way down the tracked list
        published = public.recommendations().order_by("pk").values_list("pk", flat=True)
        deep = base64.b64encode(f"p={published[published.count() // 2]}".encode()).decode()  # the open data's cursor
        committee = Committee.objects.filter(on_public_register=True).order_by("name").first()
        meeting = Meeting.objects.filter(committee__name=committee.name, assessments__isnull=False).latest_first()[0]
        return [
            ("Sign-in page (yardstick)", anyone, "/accounts/login/"),
            ("Recommendations, first page", office, "/recommendations/"),
            ("Recommendations, a deep page", office, f"/recommendations/?status=tracked&tracked_after={midway}"),
            ("Recommendations, overdue", office, "/recommendations/?status=tracked&overdue=on"),
            ("Search, a common phrase", office, "/search/?q=homelessness+prevention"),
            ("Search, words found nowhere", office, "/search/?q=housing+repairs"),
            ("Search by number", office, "/search/?q=R07"),
            ("A timeline", office, f"/recommendations/{recommendation.pk}/"),
            ("A meeting's page", office, f"/meetings/{meeting.pk}/"),
            ("Overview", office, "/overview/"),
            ("Overview, one committee", office, f"/overview/?committee={committee.pk}"),
            ("Public register, home", anyone, "/public/"),
            ("Public register, a committee", anyone, f"/public/committees/{committee.pk}/"),
            ("Open data, recommendations", anyone, "/api/v1/recommendations/"),
            ("Open data, a deep page", anyone, f"/api/v1/recommendations/?cursor={deep}"),
        ]

    results: dict[int, dict[str, tuple[float, int, int]]] = {}
    for size in args.sizes:
        started = time.monotonic()
        scale.generate(size)
        print(f"\nFilled to {size:,} recommendations in {time.monotonic() - started:.0f} s.")
        with connection.cursor() as cursor:
            # Fresh statistics for the planner after the bulk inserts, and the vacuum autovacuum would
            # otherwise start in the middle of the timings (as a database in service has had).
            cursor.execute("VACUUM (ANALYZE)")
        rows = {}
        for name, client, url in pages():
            status, weight = fetch(client, url)  # warm
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                fetch(client, url)
            queries = len(captured)
            times = []
            for _ in range(args.runs):
                gc.collect()
                start = time.perf_counter()
                fetch(client, url)
                times.append(time.perf_counter() - start)
            rows[name] = (statistics.median(times), queries, status, weight)
        results[size] = rows
        yardstick = rows["Sign-in page (yardstick)"][0]
        print(f"{'page':<34} {'median':>9} {'× sign-in':>10} {'queries':>8} {'status':>7} {'size':>9}")
        for name, (seconds, queries, status, weight) in rows.items():
            print(f"{name:<34} {seconds * 1000:>7.0f} ms {seconds / yardstick:>9.1f}× {queries:>8} {status:>7} "
                  f"{weight / 1024:>6.0f} KB")

    if len(args.sizes) > 1:
        small, large = args.sizes[0], args.sizes[-1]
        print(f"\nCost at {large:,} over cost at {small:,} (each as a ratio to the sign-in page in its run):")
        for name in results[small]:
            before = results[small][name][0] / results[small]["Sign-in page (yardstick)"][0]
            after = results[large][name][0] / results[large]["Sign-in page (yardstick)"][0]
            print(f"  {name:<34} {after / before:>5.2f}")


if __name__ == "__main__":
    main()
