"""The scrutiny office records the committee's decisions on every tracked recommendation from one page.

The seed's 15 June 2016 meeting, pack published, with a proposal for each of its 14
recommendations: "Agree all as proposed" records them in one go, the exceptions are
changed in their rows, and each row still goes through the category rules: a refused row
comes back with the reason beside it while the others are saved.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.e2e import scenes
from tests.pages import date_fields, field_errors, form_data, signed_in, summary_errors, text
from tracker import services
from tracker.demo import create_demo_users
from tracker.models import Assessment, Conclusion, Meeting, Recommendation

pytestmark = pytest.mark.django_db

DECEMBER = datetime.date(2016, 12, 31)


def proposals_for_every_row(meeting, code="2", exceptions=None):
    """The cabinet member's proposals (entered by the office on their behalf where not theirs)."""
    exceptions = exceptions or {}
    office = scenes.user("scrutiny")
    for assessment in meeting.assessments.select_related("recommendation"):
        number = assessment.recommendation.number
        code_here, date = exceptions.get(number, (code, None))
        services.propose_category(assessment, scenes.category(code_here), date, by=office)


@pytest.fixture
def meeting(seed):
    """The 15 June 2016 meeting, pack published: R04 proposed 3 (by 31 December 2016), the others 2."""
    create_demo_users()
    meeting = scenes.meeting_open_for_evidence()
    proposals_for_every_row(meeting, exceptions={"R04": ("3", DECEMBER)})
    return scenes.pack_marked_published(meeting)


def url(meeting):
    return f"/meetings/{meeting.pk}/decisions/"


def row_index(data, number):
    """The formset prefix of a recommendation's row in the page's form data."""
    pk = Assessment.objects.get(meeting__date=scenes.MEETING_DATE, recommendation__number=number).pk
    return next(key.split("-")[1] for key, value in data.items() if key.endswith("-assessment") and value == str(pk))


def set_row(data, number, **fields):
    index = row_index(data, number)
    for name, value in fields.items():
        key = f"row-{index}-{name}"
        if value is None:
            data.pop(key, None)
        elif name == "anticipated_date":
            data.update(date_fields(key, value.day, value.month, value.year))
        else:
            data[key] = str(value)
    return data


def decided(meeting):
    return {a.recommendation.number: a for a in meeting.assessments.select_related("recommendation", "agreed_category")
            if a.decided}


def test_agree_all_as_proposed_records_every_row_and_concludes_only_the_ticked_achieved_ones(meeting):
    office = signed_in("scrutiny")
    page = office.get(url(meeting))
    assert page.status_code == 200
    words = text(page)
    assert "14 of 14 tracked recommendations still wait for the committee’s decision." in words
    assert "starts ticked “Concluded”, because the committee normally concludes achieved recommendations" in words
    data = form_data(page)
    # The committee keeps R18 on the list although it is achieved: its box is unticked.
    set_row(data, "R18", concluded=None)

    response = office.post(url(meeting), {**data, "agree_all": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/meetings/{meeting.pk}/"
    assert "14 decisions recorded." in text(response)

    rows = decided(meeting)
    assert sorted(rows) == scenes.SEED_TRACKED
    sam = get_user_model().objects.get(username="scrutiny")
    for number, assessment in rows.items():
        assert assessment.agreed_category == assessment.proposed_category, number
        assert assessment.agreed_by == sam
        # One new version in the history, made by the office, with the agreed category.
        assert assessment.history.filter(agreed_category__isnull=False, history_user=sam).count() == 1
    assert rows["R04"].agreed_category.code == "3" and rows["R04"].anticipated_date == DECEMBER
    concluded = set(Conclusion.objects.filter(meeting=meeting).values_list("recommendation__number", flat=True))
    assert concluded == set(scenes.SEED_TRACKED) - {"R04", "R18"}
    # Every decision is in: the meeting page offers the next step, with no warning left.
    page = text(office.get(f"/meetings/{meeting.pk}/"))
    assert "Mark the committee’s decisions as recorded" in page
    assert "still to be recorded" not in page and "Before you can" not in page


def test_save_decisions_records_only_the_rows_changed(meeting):
    office = signed_in("scrutiny")
    data = form_data(office.get(url(meeting)))
    set_row(data, "R05", category=scenes.category("3").pk, anticipated_date=DECEMBER, concluded=None)
    set_row(data, "R06", remark=scenes.REMARK)

    response = office.post(url(meeting), {**data, "save": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == url(meeting)  # back to the page: 12 still to do
    assert "2 decisions recorded." in text(response)
    assert "12 of 14 tracked recommendations still wait" in text(response)
    rows = decided(meeting)
    assert sorted(rows) == ["R05", "R06"]
    assert rows["R05"].agreed_category.code == "3" and rows["R05"].proposed_category.code == "2"
    assert rows["R05"].anticipated_date == DECEMBER
    assert list(Conclusion.objects.filter(meeting=meeting).values_list("recommendation__number", "remark")) == [
        ("R06", scenes.REMARK)]


def test_a_row_the_rules_refuse_comes_back_with_the_reason_beside_it_and_the_others_are_saved(meeting):
    office = signed_in("scrutiny")
    data = form_data(office.get(url(meeting)))
    # "In Progress" once R07's completion date has passed; "Progress Made" without its date.
    set_row(data, "R07", category=scenes.category("6").pk)
    set_row(data, "R09", category=scenes.category("3").pk, concluded=None)

    response = office.post(url(meeting), {**data, "agree_all": "1"})
    assert response.status_code == 400
    assert "12 decisions recorded." in text(response)
    assert sorted(decided(meeting)) == sorted(set(scenes.SEED_TRACKED) - {"R07", "R09"})
    errors = field_errors(response)
    assert any("“6 – In Progress” is only right while the timescale has not expired" in e for e in errors)
    assert "“3 – Not Achieved (Progress Made)” needs an anticipated date by which the recommendation is expected " \
           "to be achieved." in errors
    summary = summary_errors(response)
    assert len(summary) == 2
    assert summary[0].startswith("R07: “6 – In Progress” is only right")
    assert summary[1].startswith("R09: “3 – Not Achieved (Progress Made)” needs an anticipated date")
    body = response.content.decode()
    r07, r09 = row_index(data, "R07"), row_index(data, "R09")
    assert f'href="#id_row-{r07}-category"' in body and f'href="#id_row-{r09}-anticipated_date_0"' in body
    assert f'id="id_row-{r07}-category"' in body
    # What was typed stays, and the rows saved are shown at their new version.
    page = form_data(response)
    assert page[f"row-{r07}-category"] == str(scenes.category("6").pk)
    r05 = row_index(data, "R05")
    assert page[f"row-{r05}-version"] == str(scenes.assessment(meeting, "R05").version)
    # Fixed and sent again: saved, and nothing else is recorded twice.
    set_row(page, "R07", category=scenes.category("2").pk)
    set_row(page, "R09", anticipated_date=DECEMBER)
    response = office.post(url(meeting), {**page, "save": "1"})
    assert response.status_code == 302
    assert sorted(decided(meeting)) == scenes.SEED_TRACKED
    assert scenes.assessment(meeting, "R05").history.filter(agreed_category__isnull=False).count() == 1


def test_a_row_someone_else_saved_meanwhile_is_reported_there_and_not_overwritten(meeting):
    office = signed_in("scrutiny")
    data = form_data(office.get(url(meeting)))
    # Meanwhile a colleague records the committee's "3" for R05 on its own page.
    services.record_decision(scenes.assessment(meeting, "R05"), scenes.category("3"), DECEMBER,
                             by=scenes.user("scrutiny"))

    response = office.post(url(meeting), {**data, "agree_all": "1"})
    assert response.status_code == 409
    assert "13 decisions recorded." in text(response)
    assert scenes.assessment(meeting, "R05").agreed_category.code == "3"
    assert not Conclusion.objects.filter(recommendation__number="R05").exists()
    assert any(e.startswith("R05: Someone else (Sam Scrutiny) saved R05 while you were editing it")
               for e in summary_errors(response))
    assert "What the other person saved for R05" in text(response)


@pytest.mark.parametrize("username", ["officer", "cabinet", "member"])
def test_only_the_scrutiny_office_records_decisions(meeting, username):
    office_data = form_data(signed_in("scrutiny").get(url(meeting)))
    client = signed_in(username)
    page = client.get(url(meeting))
    assert page.status_code == 403
    assert "Only the Scrutiny Office records the committee’s decisions." in text(page)
    assert client.post(url(meeting), {**office_data, "agree_all": "1"}).status_code == 403
    assert decided(meeting) == {}


def test_anonymous_visitors_are_sent_to_sign_in(meeting, client):
    response = client.get(url(meeting))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_decisions_are_refused_while_the_meeting_does_not_take_them(seed):
    create_demo_users()
    meeting = scenes.meeting_open_for_evidence()
    office = signed_in("scrutiny")
    page = office.get(url(meeting))
    assert "you cannot record the committee’s decisions now" in text(page)
    assert "Agree all as proposed" not in text(page) and "Save decisions" not in text(page)
    # A page sent from before the meeting moved back is refused whole: nothing is written.
    proposals_for_every_row(meeting)
    services.advance_meeting(meeting, Meeting.State.PACK_PUBLISHED, scenes.user("scrutiny"))
    data = form_data(office.get(url(meeting)))
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.CLOSED)
    response = office.post(url(meeting), {**data, "agree_all": "1"})
    assert response.status_code == 400
    assert any("you cannot record the committee’s decisions now" in e for e in summary_errors(response))
    assert decided(meeting) == {}


def test_a_list_changed_since_the_page_was_read_saves_nothing(meeting):
    office = signed_in("scrutiny")
    data = form_data(office.get(url(meeting)))
    data["row-TOTAL_FORMS"] = "13"
    response = office.post(url(meeting), {**data, "agree_all": "1"})
    assert response.status_code == 409
    assert "The list of recommendations changed while you were editing, so nothing was saved." in text(response)
    assert decided(meeting) == {}


def test_the_meeting_page_says_what_stops_marking_decisions_recorded_and_links_to_the_page(meeting):
    office = signed_in("scrutiny")
    services.record_decision(scenes.assessment(meeting, "R06"), scenes.category("2"), by=scenes.user("scrutiny"))
    page = office.get(f"/meetings/{meeting.pk}/")
    words = text(page)
    assert "The committee’s decision is still to be recorded on 13 of the 14 tracked recommendations" in words
    assert "Mark the committee’s decisions as recorded" not in words.replace(
        "Before you can mark the committee’s decisions as recorded", "")
    assert 'name="to_state"' not in page.content.decode()
    assert f'href="/meetings/{meeting.pk}/decisions/">Record the remaining decisions' in page.content.decode()
    assert f'href="/meetings/{meeting.pk}/decisions/">Record the committee’s decisions' in page.content.decode()


def test_a_narrative_committee_records_completed_or_continue_for_each_row(seed):
    from tracker.models import Committee, ExecutiveResponse
    from tracker.paste import parse_recommendations

    create_demo_users()
    office = scenes.user("scrutiny")
    scheme = services.create_scheme(by=office, name="Narrative updates")
    services.update_scheme(scheme, by=office, completed_words="Completed", continue_words="Keep on the tracker")
    committee = services.create_committee(by=office, name="Task Groups Committee", scheme=scheme,
                                          assessed_by=Committee.AssessedBy.SCRUTINY_OFFICE)
    inquiry = services.create_inquiry(by=office, committee=committee, title="Task group reviews")
    services.add_recommendations(inquiry, parse_recommendations(
        "TG1 Rec 1 That bins are emptied weekly.\nResponsibility: Head of Waste\nDate: March 2016\n\n"
        "TG2 Rec 1 That parks open later.\nResponsibility: Head of Parks\nDate: On-going\n"
    ).recommendations, by=office, executive_response=ExecutiveResponse.ACCEPTED)
    meeting = services.schedule_meeting(committee, scenes.MEETING_DATE, scenes.EVIDENCE_DEADLINE, by=office)
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    services.advance_meeting(meeting, Meeting.State.PACK_PUBLISHED, office)

    client = signed_in("scrutiny")
    page = client.get(url(meeting))
    words = text(page)
    assert "The committee’s decision on TG1 Rec 1 Completed" in words and "Keep on the tracker" in words
    assert "Agree all as proposed" not in words
    data = form_data(page)
    assert not any(key.endswith("-outcome") for key in data)  # nothing chosen for them
    first, second = (Assessment.objects.get(meeting=meeting, recommendation__number=n).pk
                     for n in ("TG1 Rec 1", "TG2 Rec 1"))
    index = {v: k.split("-")[1] for k, v in data.items() if k.endswith("-assessment")}
    data[f"row-{index[str(first)]}-outcome"] = "completed"
    data[f"row-{index[str(second)]}-outcome"] = "continue"
    response = client.post(url(meeting), {**data, "save": "1"})
    assert response.status_code == 302
    assert list(Conclusion.objects.filter(meeting=meeting).values_list("recommendation__number", flat=True)) == [
        "TG1 Rec 1"]
    assert all(a.decided for a in meeting.assessments.all())


def _queries(client, method, path, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, data) if method == "post" else client.get(path)
    assert response.status_code in (200, 302), (response.status_code, summary_errors(response))
    return len(captured)


def test_the_page_and_its_save_cost_the_same_queries_per_row_for_5_as_for_14(seed):
    """The page reads in a fixed number of queries; saving costs a fixed number per row saved."""
    create_demo_users()
    office = scenes.user("scrutiny")
    committee = Recommendation.objects.first().committee
    numbers = scenes.SEED_TRACKED
    counts = {}
    for size, day in ((14, datetime.date(2016, 6, 15)), (5, datetime.date(2016, 9, 14))):
        meeting = services.schedule_meeting(committee, day, day - datetime.timedelta(days=14), by=office)
        services.choose_recommendations(
            meeting, list(Recommendation.objects.filter(number__in=numbers[:size])), by=office)
        services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
        for assessment in meeting.assessments.all():
            services.propose_category(assessment, scenes.category("3"), DECEMBER, by=office)
        services.advance_meeting(meeting, Meeting.State.PACK_PUBLISHED, office)
        client = signed_in("scrutiny")
        page_queries = _queries(client, "get", url(meeting))
        data = form_data(client.get(url(meeting)))
        counts[size] = (page_queries, _queries(client, "post", url(meeting), {**data, "agree_all": "1"}))
        assert len(decided(meeting)) == size
    assert counts[14][0] == counts[5][0]
    per_row, rest = divmod(counts[14][1] - counts[5][1], 9)
    assert rest == 0 and per_row <= 16, counts
