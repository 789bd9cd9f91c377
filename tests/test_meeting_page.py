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


# --- The meeting page at any size -------------------------------------------------------------


def grow(meeting, factor: int) -> None:
    """Make the meeting ``factor`` times as large again. ``synthetic.enlarge`` names its copies
    "R04-2", "R04-3" …, so the copies made before are renamed first ("R04-2a") to leave room."""
    from django.db.models import Value
    from django.db.models.functions import Concat

    Recommendation.objects.filter(number__contains="-").update(number=Concat("number", Value("a")))
    synthetic.enlarge(meeting, factor)


def rows_of(response) -> list[str]:
    """The numbers in the table of tracked recommendations, in order."""
    table = re.search(r'<table class="govuk-table app-summary-table">.*?</table>', response.content.decode(), re.S)
    return re.findall(r'<th scope="row" class="govuk-table__header"><a [^>]*>([^<]+)</a>', table.group(0))


def test_the_seed_meeting_page_shows_each_recommendation_in_full_below_its_table(open_meeting):
    body = signed_in("scrutiny").get(f"/meetings/{open_meeting.pk}/").content.decode()
    assert body.count('<section class="app-tracked"') == 14
    for number in scenes.SEED_TRACKED:
        pk = Recommendation.objects.get(number=number).pk
        assert f'<a class="govuk-link" href="#rec-{pk}">{number}</a>' in body
    assert "nightwatch campaign" in body  # R06's evidence
    assert "Officers can then add evidence" not in body  # open already: the next step is publishing
    assert "Evidence and proposals close; the committee reads the pack." in body


def test_a_large_meeting_page_is_its_table_alone_each_number_linking_to_the_recommendations_own_page(open_meeting):
    synthetic.enlarge(open_meeting, 5)
    response = signed_in("member").get(f"/meetings/{open_meeting.pk}/")
    body, words = response.content.decode(), text(response)

    assert "Tracked at this meeting (70)" in words
    assert '<section class="app-tracked"' not in body and 'id="contents"' not in body
    assert "nightwatch campaign" not in body  # R06's evidence is on its own page
    numbers = rows_of(response)
    assert len(numbers) == 70 and numbers[:6] == ["R04", "R04-2", "R04-3", "R04-4", "R04-5", "R05"]
    r06 = Recommendation.objects.get(number="R06")
    assert (f'<tr class="govuk-table__row" id="rec-{r06.pk}">\n      \n      <th scope="row" '
            f'class="govuk-table__header"><a class="govuk-link" href="{own_page(open_meeting, "R06")}">R06</a>') in body
    assert f"R06 {r06.first_words}" in words  # the first words beside each number
    assert "Each recommendation’s evidence and category, and the links to act on it, are on a page of its own" in words
    assert "Concluded at earlier meetings (25)" in words


def test_a_large_meeting_page_counts_and_names_a_few_in_its_warnings(open_meeting):
    synthetic.enlarge(open_meeting, 5)
    office = signed_in("scrutiny")
    url = f"/meetings/{open_meeting.pk}/"
    first = "R04, R04-2, R04-3, R04-4, R04-5, R05, R05-2, R05-3, R05-4, R05-5"
    words = text(office.get(url))
    assert (f"70 of 70 tracked recommendations have no proposed category yet: {first}, R06, R06-2, R06-3, R06-4, "
            "R06-5, R07, R07-2, R07-3, R07-4, R07-5 and 50 others. The pack prints them “Not yet assessed”. You can "
            "enter a proposal on the owners’ behalf from each recommendation’s own page.") in words

    scenes.pack_marked_published(open_meeting)
    scenes.committee_concludes_r06(open_meeting)
    words = text(office.get(url))
    assert ("The committee’s decision is still to be recorded on 69 of the 70 tracked recommendations "
            f"({first}, R06-2, R06-3, R06-4, R06-5, R07, R07-2, R07-3, R07-4, R07-5, R08 and 49 others).") in words


def test_a_large_meeting_page_goes_a_hundred_rows_at_a_time(open_meeting):
    synthetic.enlarge(open_meeting, 20)  # 280 tracked, 100 concluded earlier
    member = signed_in("member")
    url = f"/meetings/{open_meeting.pk}/"
    first, third = member.get(url), member.get(f"{url}?page=3")
    assert len(rows_of(first)) == 100 and len(rows_of(third)) == 80
    assert set(rows_of(first)).isdisjoint(rows_of(third))
    assert "Tracked recommendations 201 to 280 of 280" in third.content.decode()
    nav = re.search(r'<nav class="govuk-pagination" aria-label="Pages of tracked recommendations">.*?</nav>',
                    first.content.decode(), re.S).group(0)
    assert 'href="?page=2#tracked" rel="next"' in nav and 'aria-current="page">1</a>' in nav
    assert rows_of(member.get(f"{url}?page=not-a-number")) == rows_of(first)
    assert rows_of(member.get(f"{url}?page=99")) == rows_of(third)
    assert "Concluded at earlier meetings (100)" in text(first)

    # From a recommendation on the third page, back to that page, at its row.
    last = rows_of(third)[-1]
    page = member.get(own_page(open_meeting, last))
    pk = Recommendation.objects.get(number=last).pk
    assert f'<a href="{url}?page=3#rec-{pk}" class="govuk-back-link">Back to the meeting</a>' in page.content.decode()
    assert "Recommendation 280 of the 280 tracked at this meeting." in text(page)


def test_the_meeting_page_runs_as_many_queries_at_28_tracked_as_at_the_seeds_14(open_meeting):
    """Up to 30, each recommendation's detail is on the page: loaded in a fixed number of queries."""
    office = signed_in("scrutiny")
    url = f"/meetings/{open_meeting.pk}/"
    at_14 = queries(office, url)
    synthetic.enlarge(open_meeting, 2)
    assert text(office.get(url)).count("on a page of its own") == 28
    assert queries(office, url) == at_14


def test_the_large_meeting_page_runs_as_many_queries_at_280_tracked_as_at_70_and_fewer_than_the_seeds(open_meeting):
    office = signed_in("scrutiny")
    url = f"/meetings/{open_meeting.pk}/"
    at_14 = queries(office, url)
    synthetic.enlarge(open_meeting, 5)
    at_70 = queries(office, url)
    grow(open_meeting, 4)
    assert Assessment.objects.filter(meeting=open_meeting).count() == 280
    assert queries(office, url) == at_70 < at_14


def test_a_large_meeting_page_weighs_the_same_at_840_tracked_as_at_280(open_meeting):
    """Before, every recommendation's detail was on the page: 4 MB for a meeting tracking 1,007.
    Now its weight is a page of the table (100 rows) and a page of those concluded earlier."""
    office = signed_in("scrutiny")
    url = f"/meetings/{open_meeting.pk}/"
    synthetic.enlarge(open_meeting, 20)  # 280 tracked, 100 concluded earlier
    at_280 = len(office.get(url).content)
    grow(open_meeting, 3)  # 840 tracked, 300 concluded earlier
    assert "Tracked at this meeting (840)" in text(office.get(url))
    at_840 = len(office.get(url).content)
    assert at_280 < 150_000 and at_840 < 150_000
    assert abs(at_840 - at_280) < 3_000  # longer numbers ("R04-2a-3") and more page links


def test_the_table_says_what_the_recommendations_detail_says_about_what_changed(open_meeting):
    import datetime

    from tracker import selectors
    from tracker.models import DateChange

    scenes.officer_updates_r06(open_meeting)
    scenes.cabinet_proposes(open_meeting, "R06", "2")
    scenes.cabinet_proposes(open_meeting, "R19", "1")
    r07 = Recommendation.objects.get(number="R07")
    services.move_completion_date(r07.completion_milestone(), datetime.date(2016, 12, 31), reason="Slipped.",
                                  by=scenes.user("scrutiny"))
    earlier = Assessment.objects.filter(recommendation__number="R09").exclude(meeting=open_meeting).first()
    DateChange.objects.create(assessment=earlier, previous_date=None, new_date=datetime.date(2016, 9, 30),
                              reason="Advised late.", changed_by=scenes.user("cabinet"))
    previous = selectors.previous_meeting(open_meeting)
    tracked = selectors.tracked(open_meeting, previous)
    rows = {row.recommendation.number: row for row in selectors.tracked_at(open_meeting)}
    lines = {line.recommendation.number: line for line in selectors.tracked_lines(tracked.rows, open_meeting)}

    def said(row):
        return (row.has_new_evidence, row.category_changed, row.date_moved, row.previous_category, row.changed)

    assert {number: said(line) for number, line in lines.items()} == {number: said(row) for number, row in rows.items()}
    assert tracked.changed == sum(row.changed for row in rows.values())
    assert [number for number, row in rows.items() if row.changed] == ["R06", "R07", "R09"]


def test_a_decision_is_awaited_only_where_the_recommendation_is_neither_withdrawn_nor_concluded_elsewhere(open_meeting):
    import datetime

    from tracker import selectors
    from tracker.models import Conclusion

    scenes.pack_marked_published(open_meeting)
    previous = selectors.previous_meeting(open_meeting)
    Recommendation.objects.filter(number="R05").update(withdrawn_on=datetime.date(2016, 6, 1))
    Conclusion.objects.create(recommendation=Recommendation.objects.get(number="R07"), meeting=previous)
    scenes.committee_concludes_r06(open_meeting)  # decided here
    undecided = selectors.tracked(open_meeting, previous).undecided
    assert undecided.count == 11
    assert undecided.numbers == ("R04", "R08", "R09", "R10", "R12", "R14", "R15", "R16", "R17", "R18", "R19")


# --- Back at the recommendation after acting on it --------------------------------------------


def section(body: str, pk: int) -> str:
    """The HTML of a recommendation's section (``#rec-<pk>``), on the meeting page or its own page."""
    found = re.search(rf'<section class="app-tracked[^"]*" id="rec-{pk}".*?</section>', body, re.S)
    assert found, f"no section rec-{pk}"
    return found.group(0)


def top(body: str) -> str:
    return body.split('<section class="app-tracked', 1)[0]


def test_after_recording_a_decision_from_the_own_page_the_office_is_back_there_reading_the_message(open_meeting):
    from tests.pages import hidden

    scenes.pack_marked_published(open_meeting)
    office = signed_in("scrutiny")
    url = own_page(open_meeting, "R06")
    pk = Recommendation.objects.get(number="R06").pk
    decide = f"/assessments/{scenes.assessment(open_meeting, 'R06').pk}/decision/?next={url}"
    form = office.get(decide)
    assert f'<a href="{url}#rec-{pk}" class="govuk-back-link">Back</a>' in form.content.decode()

    response = office.post(decide, {"category": scenes.category("2").pk, "version": hidden(form, "version"),
                                    "remark": ""})
    assert response["Location"] == f"{url}#rec-{pk}"
    landed = office.get(url).content.decode()
    assert "Recorded: the committee agreed “2 – Achieved (Late)” for R06." in section(landed, pk)
    assert "Recorded:" not in top(landed)


def test_on_a_large_meeting_each_action_returns_to_the_recommendations_own_page_with_its_message(open_meeting):
    from tests.pages import evidence_fields, hidden

    synthetic.enlarge(open_meeting, 3)  # 42 tracked: the meeting page is its table alone
    office = signed_in("scrutiny")
    url = own_page(open_meeting, "R06")
    pk = Recommendation.objects.get(number="R06").pk
    assessment = scenes.assessment(open_meeting, "R06")

    # A proposal the Cabinet Member sent in, entered on their behalf (from the one-page form, say).
    propose = f"/assessments/{assessment.pk}/proposal/"
    form = office.get(propose)
    assert f'<a href="{url}#rec-{pk}" class="govuk-back-link">Back</a>' in form.content.decode()
    response = office.post(propose, {"category": scenes.category("2").pk, "version": hidden(form, "version")})
    assert response["Location"] == f"{url}#rec-{pk}"
    assert "You proposed “2 – Achieved (Late)” for R06 on the owners’ behalf." in section(
        office.get(url).content.decode(), pk)

    # The pack is out: an update from the officer that came in late, then the committee's decision.
    scenes.pack_published(open_meeting)
    late = "The last 250 taxi drivers were trained on 10 June."
    response = office.post(f"/meetings/{open_meeting.pk}/recommendations/{pk}/evidence/late/", {
        **evidence_fields(f"r{pk}", late, (10, 6, 2016)), f"r{pk}-author": scenes.user("officer").pk,
    })
    assert response["Location"] == f"{url}#rec-{pk}"
    landed = section(office.get(url).content.decode(), pk)
    assert ("The update from Olivia Officer for R06 has been added, as received after the pack was published."
            in landed)
    assert late in landed

    decide = f"/assessments/{assessment.pk}/decision/"
    form = office.get(decide)
    response = office.post(decide, {"category": scenes.category("2").pk, "version": hidden(form, "version"),
                                    "remark": ""})
    assert response["Location"] == f"{url}#rec-{pk}"
    assert "Recorded: the committee agreed “2 – Achieved (Late)” for R06." in section(
        office.get(url).content.decode(), pk)


# --- Other ways to a recommendation's page ----------------------------------------------------


def test_the_offices_one_page_forms_send_it_to_each_recommendations_own_page_to_read_the_evidence(open_meeting):
    office = signed_in("scrutiny")
    link = f'href="{own_page(open_meeting, "R06")}">Read the evidence<span class="govuk-visually-hidden"> for R06'
    assert link in office.get(f"/portfolio/meetings/{open_meeting.pk}/proposals/").content.decode()
    scenes.pack_marked_published(open_meeting)
    assert link in office.get(f"/meetings/{open_meeting.pk}/decisions/").content.decode()


def test_an_assessment_in_the_admin_links_to_its_recommendations_page_at_the_meeting(open_meeting, client):
    client.login(username="scrutiny", password="scrutiny-demo-pass")
    r06 = scenes.assessment(open_meeting, "R06")
    page = client.get(f"/admin/tracker/assessment/?meeting__id__exact={open_meeting.pk}").content.decode()
    assert f'href="{own_page(open_meeting, "R06")}"' in page
    assert client.get(f"/admin/tracker/assessment/{r06.pk}/change/").status_code == 200
