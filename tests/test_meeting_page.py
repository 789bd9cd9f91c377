"""The meeting page and each tracked recommendation's own page, at the seed's size and far larger.

The seed's 15 June 2016 meeting tracks 14 recommendations (R04 … R19). Each has a page of its
own at the meeting, with what the meeting page's section shows, the links to act for those
who may, and the recommendations either side in the meeting's order. ``synthetic.enlarge``
copies the seed's recommendations to make the same meeting larger.
"""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.e2e import scenes
from tests.pages import signed_in, text
from tracker import services
from tracker.models import Assessment, Recommendation
from tracker.pack import synthetic

pytestmark = pytest.mark.django_db


def own_page(meeting, number: str) -> str:
    recommendation = Recommendation.objects.get(number=number)
    return f"/meetings/{meeting.pk}/recommendations/{recommendation.pk}/"


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def link(response, rel: str) -> str | None:
    """The address of the page's ``rel="prev"`` or ``rel="next"`` link, if it has one."""
    found = re.search(rf'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="{rel}">',
                      response.content.decode())
    return html.unescape(found.group(1)) if found else None


def heading(response) -> str:
    """The page's main heading, as read."""
    h1 = re.search(r"<h1.*?</h1>", response.content.decode(), re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", h1)).strip()


# --- A recommendation's own page ------------------------------------------------------------


def test_a_member_reads_r06_on_its_own_page_with_its_evidence_and_category(open_meeting):
    scenes.officer_updates_r06(open_meeting)
    r06 = Recommendation.objects.get(number="R06")
    response = signed_in("member").get(own_page(open_meeting, "R06"))
    page = text(response)

    assert response.status_code == 200
    assert heading(response) == f"R06 {r06.theme}"
    assert "Recommendation 3 of the 14 tracked at this meeting." in page
    assert r06.lead in page
    assert "Responsibility Cabinet Member for Children’s Services Chair BSCB" in page
    assert ("New since the last meeting Further information following the last meeting. "
            f"Written 1 June 2016 by Olivia Officer. {scenes.R06_UPDATE}") in page
    assert "Cabinet Member’s proposal Not proposed yet" in page
    assert "Timeline of R06" in page
    # A member reads; the links to act are the scrutiny office's.
    for act in ("on the owners’ behalf", "Record the decision", "Add an update received after"):
        assert act not in page


def test_the_office_is_offered_on_the_own_page_what_the_meeting_allows_now(open_meeting):
    office, member = signed_in("scrutiny"), signed_in("member")
    url = own_page(open_meeting, "R06")
    r06 = scenes.assessment(open_meeting, "R06")

    body = office.get(url).content.decode()
    assert f'href="/assessments/{r06.pk}/proposal/?next={url}">Enter the proposal on the owners’ behalf' in body
    assert "Record the decision" not in body

    scenes.pack_marked_published(open_meeting)
    body = office.get(url).content.decode()
    assert "on the owners’ behalf" not in body
    assert f'href="/assessments/{r06.pk}/decision/?next={url}"' in body
    assert "Record the decision<span class=\"govuk-visually-hidden\"> on R06</span>" in body
    assert "Add an update received after the pack was published<span class=\"govuk-visually-hidden\"> for R06" in body
    words = text(member.get(url))
    assert "Record the decision" not in words and "Add an update received after" not in words


def test_a_recommendation_the_meeting_does_not_track_is_not_found(open_meeting):
    member = signed_in("member")
    assert member.get(own_page(open_meeting, "R01")).status_code == 404  # concluded in February
    assert member.get(f"/meetings/{open_meeting.pk}/recommendations/999999/").status_code == 404
    later = services.schedule_meeting(open_meeting.committee, scenes.MEETING_DATE.replace(month=9), None,
                                      by=scenes.user("scrutiny"))
    assert member.get(own_page(later, "R06")).status_code == 404  # nothing chosen for it yet
    r06 = Recommendation.objects.get(number="R06")
    assert member.get(f"/meetings/999999/recommendations/{r06.pk}/").status_code == 404


def test_previous_and_next_walk_the_meeting_in_its_order(open_meeting):
    member = signed_in("member")
    response = member.get(own_page(open_meeting, "R04"))
    assert link(response, "prev") is None
    walked = []
    while True:
        walked.append(heading(response).split()[0])
        following = link(response, "next")
        if following is None:
            break
        response = member.get(following)
    assert walked == scenes.SEED_TRACKED
    assert "Recommendation 14 of the 14 tracked at this meeting." in text(response)

    back = []
    while response is not None:
        back.append(heading(response).split()[0])
        previous = link(response, "prev")
        response = member.get(previous) if previous else None
    assert back == scenes.SEED_TRACKED[::-1]


def test_the_meeting_page_links_each_section_to_the_recommendations_own_page(open_meeting):
    body = signed_in("member").get(f"/meetings/{open_meeting.pk}/").content.decode()
    for number in scenes.SEED_TRACKED:
        assert f'href="{own_page(open_meeting, number)}">{number} on a page of its own</a>' in body


def test_the_own_page_runs_as_many_queries_for_a_meeting_of_70_as_for_the_seeds_14(open_meeting):
    office = signed_in("scrutiny")
    url = own_page(open_meeting, "R06")
    at_14 = queries(office, url)
    synthetic.enlarge(open_meeting, 5)
    assert Assessment.objects.filter(meeting=open_meeting).count() == 70
    assert queries(office, url) == at_14
    assert "Recommendation 11 of the 70 tracked at this meeting." in text(office.get(url))  # R04, its 4 copies, R05 …
