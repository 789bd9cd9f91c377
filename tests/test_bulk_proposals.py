"""The cabinet member proposes a category for every recommendation of their portfolio on one page.

The seed's 15 June 2016 meeting, open for evidence. Callum Cabinet acts for the Cabinet
Member for Children's Services: 8 of the 14 tracked recommendations. Each row goes through
the category rules; a refused row comes back with the reason beside it, the others are
saved, and a row left as it was is not saved again.
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
from tracker.models import Assessment, Meeting, Recommendation

pytestmark = pytest.mark.django_db

DECEMBER = datetime.date(2016, 12, 31)
PORTFOLIO = ["R04", "R06", "R08", "R10", "R12", "R16", "R17", "R19"]


@pytest.fixture
def meeting(seed):
    create_demo_users()
    return scenes.meeting_open_for_evidence()


def url(meeting):
    return f"/portfolio/meetings/{meeting.pk}/proposals/"


def rows_of(data) -> dict[str, str]:
    """Each row's recommendation number → its formset index."""
    numbers = dict(Assessment.objects.filter(meeting__date=scenes.MEETING_DATE)
                   .values_list("pk", "recommendation__number"))
    return {numbers[int(v)]: k.split("-")[1] for k, v in data.items() if k.endswith("-assessment")}


def propose(data, number, code, date=None, **more):
    index = rows_of(data)[number]
    data[f"row-{index}-category"] = str(scenes.category(code).pk)
    if date:
        data.update(date_fields(f"row-{index}-anticipated_date", date.day, date.month, date.year))
    for name, value in more.items():
        data[f"row-{index}-{name}"] = value
    return data


def proposed(meeting):
    return {a.recommendation.number: a for a in meeting.assessments.select_related(
        "recommendation", "proposed_category", "proposed_by") if a.proposed_category_id}


def test_the_cabinet_member_proposes_for_the_whole_portfolio_with_one_save(meeting):
    cabinet = signed_in("cabinet")
    portfolio = text(cabinet.get(f"/portfolio/meetings/{meeting.pk}/"))
    assert "Propose for all your recommendations on one page" in portfolio
    page = cabinet.get(url(meeting))
    assert page.status_code == 200
    data = form_data(page)
    assert sorted(rows_of(data)) == PORTFOLIO
    assert f'href="/portfolio/meetings/{meeting.pk}/#rec-' in page.content.decode()  # the evidence to read
    for number in PORTFOLIO:
        propose(data, number, "2")
    propose(data, "R04", "3", DECEMBER)

    response = cabinet.post(url(meeting), data, follow=True)
    assert response.redirect_chain[-1][0] == f"/portfolio/meetings/{meeting.pk}/"
    assert "8 proposals saved." in text(response)
    rows = proposed(meeting)
    assert sorted(rows) == PORTFOLIO
    callum = get_user_model().objects.get(username="cabinet")
    for assessment in rows.values():
        assert assessment.proposed_by == callum and not assessment.proposed_on_behalf
        assert assessment.history.filter(proposed_category__isnull=False).count() == 1
    assert rows["R04"].proposed_category.code == "3" and rows["R04"].anticipated_date == DECEMBER


def test_rows_left_as_they_were_are_not_saved_again(meeting):
    scenes.cabinet_proposes(meeting, "R06", "2")
    before = scenes.assessment(meeting, "R06")
    cabinet = signed_in("cabinet")
    data = form_data(cabinet.get(url(meeting)))
    assert data[f"row-{rows_of(data)['R06']}-category"] == str(scenes.category("2").pk)  # preselected
    propose(data, "R08", "2")

    response = cabinet.post(url(meeting), data, follow=True)
    assert "1 proposal saved." in text(response)
    after = scenes.assessment(meeting, "R06")
    assert after.version == before.version and after.history.count() == before.history.count()
    assert sorted(proposed(meeting)) == ["R06", "R08"]
    assert "Nothing was changed, so no proposal was saved." in text(
        cabinet.post(url(meeting), form_data(cabinet.get(url(meeting))), follow=True))


def test_a_row_the_rules_refuse_comes_back_with_the_reason_beside_it_and_the_others_are_saved(meeting):
    cabinet = signed_in("cabinet")
    data = form_data(cabinet.get(url(meeting)))
    propose(data, "R04", "2")
    propose(data, "R08", "3")  # needs its anticipated date
    propose(data, "R10", "6")  # "In Progress" after R10's completion date
    response = cabinet.post(url(meeting), data)
    assert response.status_code == 400
    assert "1 proposal saved." in text(response)
    assert sorted(proposed(meeting)) == ["R04"]
    assert "“3 – Not Achieved (Progress Made)” needs an anticipated date by which the recommendation is expected " \
           "to be achieved." in field_errors(response)
    summary = summary_errors(response)
    assert summary[0].startswith("R08: “3 – Not Achieved (Progress Made)” needs an anticipated date")
    assert summary[1].startswith("R10: “6 – In Progress” is only right while the timescale has not expired")
    index = rows_of(data)
    assert f'href="#id_row-{index["R08"]}-anticipated_date_0"' in response.content.decode()

    again = form_data(response)
    propose(again, "R08", "3", DECEMBER)
    propose(again, "R10", "2")
    assert cabinet.post(url(meeting), again).status_code == 302
    assert sorted(proposed(meeting)) == ["R04", "R08", "R10"]
    assert scenes.assessment(meeting, "R04").history.filter(proposed_category__isnull=False).count() == 1


def test_a_bad_date_is_an_error_beside_its_row_never_a_crash(meeting):
    cabinet = signed_in("cabinet")
    data = propose(form_data(cabinet.get(url(meeting))), "R04", "3")
    data.update(date_fields(f"row-{rows_of(data)['R04']}-anticipated_date", 31, 2, 2017))
    response = cabinet.post(url(meeting), data)
    assert response.status_code == 400
    assert field_errors(response) == ["Enter a real date, for example 31 3 2017"]
    assert summary_errors(response) == ["R04: Enter a real date, for example 31 3 2017"]


def test_a_row_someone_else_saved_meanwhile_is_reported_there_and_not_overwritten(meeting):
    cabinet = signed_in("cabinet")
    data = form_data(cabinet.get(url(meeting)))
    services.propose_category(scenes.assessment(meeting, "R06"), scenes.category("1"), None,
                              by=scenes.user("scrutiny"))
    propose(data, "R06", "2")
    propose(data, "R04", "2")
    response = cabinet.post(url(meeting), data)
    assert response.status_code == 409
    assert scenes.assessment(meeting, "R06").proposed_category.code == "1"
    assert scenes.assessment(meeting, "R04").proposed_category.code == "2"
    assert any(e.startswith("R06: Someone else (Sam Scrutiny) saved R06") for e in summary_errors(response))


def test_the_scrutiny_office_proposes_for_every_row_on_the_owners_behalf(meeting):
    office = signed_in("scrutiny")
    assert f"/portfolio/meetings/{meeting.pk}/proposals/" in office.get(f"/meetings/{meeting.pk}/").content.decode()
    page = office.get(url(meeting))
    assert "You are entering the proposals on behalf of the owners" in text(page)
    data = form_data(page)
    assert sorted(rows_of(data)) == scenes.SEED_TRACKED
    propose(data, "R05", "2")
    response = office.post(url(meeting), data, follow=True)
    assert response.redirect_chain[-1][0] == f"/meetings/{meeting.pk}/"
    assert "1 proposal saved on the owners’ behalf." in text(response)
    assert scenes.assessment(meeting, "R05").proposed_on_behalf


@pytest.mark.parametrize("username", ["officer", "member"])
def test_officers_and_members_cannot_propose(meeting, username):
    data = propose(form_data(signed_in("cabinet").get(url(meeting))), "R04", "2")
    client = signed_in(username)
    assert client.get(url(meeting)).status_code == 403
    assert client.post(url(meeting), data).status_code == 403
    assert proposed(meeting) == {}


def test_anonymous_visitors_are_sent_to_sign_in(meeting, client):
    response = client.get(url(meeting))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_proposals_are_refused_once_the_pack_is_published(meeting):
    cabinet = signed_in("cabinet")
    data = propose(form_data(cabinet.get(url(meeting))), "R04", "2")
    scenes.pack_marked_published(meeting)
    page = cabinet.get(url(meeting))
    assert "you cannot propose categories now" in text(page) and "Save proposals" not in text(page)
    response = cabinet.post(url(meeting), data)
    assert response.status_code == 400
    assert any("you cannot propose categories now" in e for e in summary_errors(response))
    assert proposed(meeting) == {}


def test_the_page_and_its_save_cost_the_same_queries_per_row_for_5_as_for_14(seed):
    create_demo_users()
    office = scenes.user("scrutiny")
    committee = Recommendation.objects.first().committee
    counts = {}
    for size, day in ((14, datetime.date(2016, 6, 15)), (5, datetime.date(2016, 9, 14))):
        meeting = services.schedule_meeting(committee, day, day - datetime.timedelta(days=14), by=office)
        services.choose_recommendations(
            meeting, list(Recommendation.objects.filter(number__in=scenes.SEED_TRACKED[:size])), by=office)
        services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
        client = signed_in("scrutiny")
        with CaptureQueriesContext(connection) as page:
            data = form_data(client.get(url(meeting)))
        index = {v: k.split("-")[1] for k, v in data.items() if k.endswith("-assessment")}
        for assessment in meeting.assessments.all():
            data[f"row-{index[str(assessment.pk)]}-category"] = str(scenes.category("3").pk)
            data.update(date_fields(f"row-{index[str(assessment.pk)]}-anticipated_date", 31, 12, 2016))
        with CaptureQueriesContext(connection) as save:
            response = client.post(url(meeting), data)
        assert response.status_code == 302, summary_errors(response)
        assert len(proposed(meeting)) == size
        counts[size] = (len(page), len(save))
    assert counts[14][0] == counts[5][0]
    per_row, rest = divmod(counts[14][1] - counts[5][1], 9)
    assert rest == 0 and per_row <= 12, counts
