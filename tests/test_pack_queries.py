"""The pack reads its data in a fixed number of queries, whatever its size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.test_pack_support import small_meeting
from tracker.models import Meeting
from tracker.pack import synthetic
from tracker.pack.context import pack_for
from tracker.pack.render import build_pack, render_pack_html

pytestmark = pytest.mark.django_db


def queries_to_render(meeting) -> tuple[int, int]:
    """(queries, recommendations printed) for reading the data and rendering the HTML."""
    with CaptureQueriesContext(connection) as queries:
        pack = pack_for(meeting)
        render_pack_html(pack)
    printed = sum(report.tracked_count + len(report.concluded) for report in pack.reports)
    return len(queries), printed


def test_building_the_pack_runs_the_same_queries_for_the_seed_and_ten_times_as_many_recommendations(seed):
    meeting = Meeting.objects.latest_first().first()
    seed_queries, seed_printed = queries_to_render(meeting)

    synthetic.enlarge(meeting, 10)
    large_queries, large_printed = queries_to_render(meeting)

    assert (seed_printed, large_printed) == (19, 190)
    assert large_queries == seed_queries


def test_rendering_the_templates_runs_no_queries(seed, django_assert_num_queries):
    pack = pack_for(Meeting.objects.latest_first().first())
    with django_assert_num_queries(0):
        html = render_pack_html(pack)
    assert "Appendix 3: Concluded Recommendations" in html


def test_the_whole_build_with_its_pdf_runs_the_same_queries_at_two_sizes():
    small, large = small_meeting(2), small_meeting(20)
    counts = []
    for meeting in (small, large):
        with CaptureQueriesContext(connection) as queries:
            build_pack(meeting)
        counts.append(len(queries))
    assert counts[0] == counts[1]
