"""One full tracking round in the browser, on the seed report with the demo users.

The scrutiny office schedules a new meeting (15 June 2016) and tracks what is not yet
concluded; the officer adds evidence for R06; the cabinet member is refused a 3 without
a date, warned about a late 1 and proposes 2; the committee agrees 2 and concludes R06,
recorded by the scrutiny office; R06 then shows as concluded on 15 June 2016, and the
other recommendations carry forward to the next meeting by default.
"""

import re

import pytest

from tests.pages import date_fields, evidence_fields, field_errors, hidden, signed_in, summary_errors, text
from tracker.demo import create_demo_users
from tracker.models import Assessment, Committee, Meeting, Recommendation

pytestmark = pytest.mark.django_db

SEED_TRACKED = ["R04", "R05", "R06", "R07", "R08", "R09", "R10", "R12", "R14", "R15", "R16", "R17", "R18", "R19"]


@pytest.fixture
def demo(seed):
    create_demo_users()
    return seed


def checked_recommendations(response) -> list[str]:
    """The numbers of the ticked boxes on the "choose the recommendations" page."""
    body = response.content.decode()
    ticked = []
    for box in re.finditer(r"<input[^>]*name=\"recommendations\"[^>]*>", body):
        if "checked" in box.group(0):
            label = re.search(r'for="' + re.search(r'id="([^"]+)"', box.group(0)).group(1) + r'">\s*(R\d+)', body)
            ticked.append(label.group(1))
    return ticked


def schedule(office, day, month, year, deadline):
    committee = Committee.objects.get()
    response = office.post("/meetings/new/", {
        "committee": committee.pk, **date_fields("date", day, month, year), **date_fields("evidence_deadline", *deadline),
    })
    assert response.status_code == 302, text(response)
    return response.url


def advance(office, meeting, button_words):
    page = office.get(f"/meetings/{meeting.pk}/")
    assert button_words in text(page)
    return office.post(f"/meetings/{meeting.pk}/advance/", {
        "to_state": hidden(page, "to_state"), "version": hidden(page, "version"),
    }, follow=True)


def test_one_full_tracking_round_for_a_new_meeting(demo):
    office, officer, cabinet = signed_in("scrutiny"), signed_in("officer"), signed_in("cabinet")

    # The scrutiny office schedules the meeting and picks what it tracks: by default every
    # recommendation not yet concluded.
    assert "Run the tracking meetings" in text(office.get("/"))
    choose_url = schedule(office, 15, 6, 2016, deadline=(1, 6, 2016))
    meeting = Meeting.objects.get(date="2016-06-15")
    choose = office.get(choose_url)
    assert checked_recommendations(choose) == SEED_TRACKED
    response = office.post(choose_url, {"recommendations": re.findall(
        r'name="recommendations"[^>]*value="(\d+)"[^>]*checked', choose.content.decode())}, follow=True)
    assert "14 recommendations will be tracked at this meeting" in text(response)
    assert "Tracked at this meeting (14)" in text(response)
    assert "Evidence open" in text(advance(office, meeting, "Open the meeting for evidence"))

    # The officer's page: their owners' recommendations for the next meeting, with the evidence so far.
    assert "Your recommendations for the next meeting" in text(officer.get("/"))
    page = officer.get("/my-recommendations/", follow=True)
    words = text(page)
    assert "Your recommendations for the meeting of 15 June 2016" in words
    assert "R06" in words and "nightwatch campaign" in words
    assert "R05" not in words  # Chair BSCB's alone: not an owner the officer acts for
    r06 = Recommendation.objects.get(number="R06")
    prefix = f"r{r06.pk}"
    response = officer.post(f"/meetings/{meeting.pk}/recommendations/{r06.pk}/evidence/new/", {
        **evidence_fields(
            prefix, "Taxi drivers trained: 1,200 of 1,450 licence holders attended the CSE awareness session.",
            submission=hidden(page, f"{prefix}-submission"),
        ),
        "next": page.request["PATH_INFO"],
    }, follow=True)
    words = text(response)
    assert "Your update for R06 has been added" in words
    assert "1,200 of 1,450 licence holders" in words
    assert "Written 1 June 2016 by Olivia Officer" in words
    assert "Further information following the 10 February 2016 meeting" in words

    # The cabinet member proposes: 3 without a date is refused beside the field; 1 after the
    # completion date is accepted with a warning saying why; then 2.
    assert "Your portfolio: propose categories" in text(cabinet.get("/"))
    portfolio = cabinet.get("/portfolio/", follow=True)
    assert "Your portfolio for the meeting of 15 June 2016" in text(portfolio)
    assert "1,200 of 1,450 licence holders" in text(portfolio)
    r06_here = Assessment.objects.get(meeting=meeting, recommendation=r06)
    propose_url = f"/assessments/{r06_here.pk}/proposal/"
    assert propose_url in portfolio.content.decode()
    form = cabinet.get(propose_url)
    categories = dict(re.findall(r'value="(\d+)"[^>]*>\s*<label[^>]*>\s*(\d) –', form.content.decode()))
    by_code = {code: pk for pk, code in categories.items()}

    refused = cabinet.post(propose_url, {"category": by_code["3"], "version": hidden(form, "version")})
    assert refused.status_code == 400
    needs_date = "“3 – Not Achieved (Progress Made)” needs an anticipated date by which the recommendation is expected to be achieved."
    assert needs_date in field_errors(refused)
    assert needs_date in summary_errors(refused)
    r06_here.refresh_from_db()
    assert r06_here.proposed_category is None

    warned = cabinet.post(propose_url, {"category": by_code["1"], "version": hidden(refused, "version")}, follow=True)
    words = text(warned)
    assert "You proposed “1 – Achieved (Fully)” for R06" in words
    assert ("R06: “1 – Achieved (Fully)” means achieved within the timescale, but the completion date "
            "(31 July 2015) passed before the meeting (15 June 2016). Check whether it was achieved late.") in words

    form = cabinet.get(propose_url)
    accepted = cabinet.post(propose_url, {"category": by_code["2"], "version": hidden(form, "version")}, follow=True)
    words = text(accepted)
    assert "You proposed “2 – Achieved (Late)” for R06" in words
    assert "Check whether it was achieved late" not in words

    # The pack goes out; the committee meets; the scrutiny office records its decisions.
    assert "Pack published" in text(advance(office, meeting, "Mark the pack as published"))
    meeting_page = office.get(f"/meetings/{meeting.pk}/")
    words = text(meeting_page)
    # Compared with the report's own meeting (no date recorded), where R06 was 3.
    assert "R06 2 – Achieved (Late) Not decided New evidence; Category changed from 3 – Not Achieved (Progress Made) to 2 – Achieved (Late) Tracked" in words
    decide_url = f"/assessments/{r06_here.pk}/decision/"
    form = office.get(decide_url)
    assert "The Cabinet Member proposed: 2 – Achieved (Late)" in text(form)
    response = office.post(decide_url, {
        "category": by_code["2"], "concluded": "on", "remark": "Work will be ongoing.",
        "version": hidden(form, "version"),
    }, follow=True)
    words = text(response)
    assert "Recorded: the committee agreed “2 – Achieved (Late)” for R06 and concluded it." in words
    assert "R06 2 – Achieved (Late) 2 – Achieved (Late) New evidence; Category changed from 3 – Not Achieved (Progress Made) to 2 – Achieved (Late) Concluded at this meeting" in words

    # The committee also agrees a category for every other recommendation, so the round can close.
    for number in SEED_TRACKED:
        if number == "R06":
            continue
        assessment = Assessment.objects.get(meeting=meeting, recommendation__number=number)
        form = office.get(f"/assessments/{assessment.pk}/decision/")
        done = office.post(f"/assessments/{assessment.pk}/decision/", {
            "category": by_code["3"], **date_fields("anticipated_date", 31, 12, 2016),
            "version": hidden(form, "version"),
        })
        assert done.status_code == 302, (number, field_errors(done), summary_errors(done))
    assert "Decisions recorded" in text(advance(office, meeting, "Mark the committee’s decisions as recorded"))
    assert "Closed" in text(advance(office, meeting, "Close the meeting"))

    # R06 shows as concluded, with the date and the tracking assessment.
    listing = text(office.get("/recommendations/"))
    assert ("R06 Child Sexual Exploitation That business forums and networks are identified to work with to "
            "ensure… 15 June 2016 2 – Achieved (Late) Work will be ongoing.") in listing
    assert "Still tracked (13)" in listing and "Concluded (6)" in listing
    timeline = text(officer.get(f"/recommendations/{r06.pk}/"))
    assert "Concluded by the committee on 15 June 2016" in timeline
    assert "Earlier proposals for this meeting (1) 1 – Achieved (Fully), by Callum Cabinet" in timeline
    assert ("Date concluded by the committee: 15 June 2016. Tracking assessment: 2 – Achieved (Late) "
            "Work will be ongoing.") in timeline

    # The others carry forward: the next meeting picks them by default, with their history.
    choose_url = schedule(office, 14, 9, 2016, deadline=(31, 8, 2016))
    carried = checked_recommendations(office.get(choose_url))
    assert carried == [n for n in SEED_TRACKED if n != "R06"]
    next_meeting = Meeting.objects.get(date="2016-09-14")
    office.post(choose_url, {"recommendations": list(
        Recommendation.objects.filter(number__in=carried).values_list("pk", flat=True))})
    words = text(office.get(f"/meetings/{next_meeting.pk}/"))
    assert "Tracked at this meeting (13)" in words
    assert "Concluded at earlier meetings (6)" in words
    assert "R06 Cabinet Member for Children’s Services Chair BSCB 15 June 2016 2 – Achieved (Late) Work will be ongoing." in words
    r04 = Recommendation.objects.get(number="R04")
    assert "Category agreed by the committee" in text(office.get(f"/recommendations/{r04.pk}/"))
