"""Where each recommendation stands (its category and date in force) is kept on it, and always
what the rules give, whichever way what it reads changes."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import default_category
from tracker import services, standing
from tracker.demo import create_demo_users
from tracker.models import AssessmentScheme, Committee, Meeting, Recommendation
from tracker.selectors import with_date_in_force

pytestmark = pytest.mark.django_db


def user(name):
    return get_user_model().objects.get(username=name)


def r(number):
    return with_date_in_force(Recommendation.objects.with_current_category()).get(number=number)


@pytest.fixture
def live(seed):
    """The seed, and a live meeting after its imported one tracking its recommendations."""
    create_demo_users()
    committee = Committee.objects.get()
    meeting = services.schedule_meeting(committee, datetime.date(2016, 6, 15), datetime.date(2016, 6, 1),
                                        by=user("scrutiny"))
    services.choose_recommendations(meeting, by=user("scrutiny"))
    return services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, user("scrutiny"))


def test_the_seed_stands_as_its_report_prints_it(seed):
    r06 = r("R06")
    assert (r06.current_category_code, r06.date_in_force, r06.achieved) == ("3", datetime.date(2015, 7, 31), False)
    assert r("R04").current_category_code == "2" and r("R04").achieved


def test_a_proposal_at_the_latest_meeting_becomes_the_category_in_force(live):
    assessment = live.assessments.get(recommendation__number="R06")
    services.propose_category(assessment, default_category("1"), None, by=user("cabinet"))
    assert r("R06").current_category_code == "1" and r("R06").achieved


def test_a_moved_completion_date_is_the_date_in_force(seed):
    create_demo_users()
    milestone = Recommendation.objects.get(number="R06").completion_milestone()
    services.move_completion_date(milestone, datetime.date(2017, 3, 31), reason="Slipped.", by=user("scrutiny"))
    assert r("R06").date_in_force == r("R06").completion_date_in_force == datetime.date(2017, 3, 31)


def test_moving_a_meeting_before_the_report_makes_the_reports_category_the_latest_again(live):
    services.propose_category(live.assessments.get(recommendation__number="R06"), default_category("1"), None,
                              by=user("cabinet"))
    assert r("R06").current_category_code == "1"
    services.change_meeting(live, datetime.date(2015, 6, 15), datetime.date(2015, 6, 1), by=user("scrutiny"))
    assert r("R06").current_category_code == "3"  # the 10 February 2016 meeting is now the latest


def test_a_scheme_that_counts_revised_dates_makes_the_anticipated_date_the_date_in_force(live):
    anticipated = datetime.date(2016, 12, 31)
    services.propose_category(live.assessments.get(recommendation__number="R06"), default_category("3"),
                              anticipated, by=user("cabinet"))
    assert r("R06").date_in_force == datetime.date(2015, 7, 31)
    services.update_scheme(AssessmentScheme.default(), by=user("scrutiny"), revised_dates_count=True)
    assert r("R06").date_in_force == anticipated and r("R06").revised_date == anticipated


def test_moving_a_recommendation_to_a_committee_with_another_scheme_uses_that_schemes_rule(live):
    anticipated = datetime.date(2016, 12, 31)
    services.propose_category(live.assessments.get(recommendation__number="R06"), default_category("3"),
                              anticipated, by=user("cabinet"))
    counting = services.create_scheme(by=user("scrutiny"), name="Revised dates count",
                                      copy_from=AssessmentScheme.default())
    services.update_scheme(counting, by=user("scrutiny"), revised_dates_count=True)
    other = services.create_committee(by=user("scrutiny"), name="Housing Scrutiny Committee", scheme=counting,
                                      assessed_by=Committee.objects.get().assessed_by)
    services.transfer_recommendations([Recommendation.objects.get(number="R06")], other, by=user("scrutiny"),
                                      on=datetime.date(2016, 6, 2), reason="Housing now leads.")
    assert r("R06").date_in_force == anticipated


def test_saving_a_recommendation_read_earlier_never_puts_back_where_it_stood_then(live):
    earlier = Recommendation.objects.get(number="R06")
    services.propose_category(live.assessments.get(recommendation__number="R06"), default_category("1"), None,
                              by=user("cabinet"))
    earlier.withdrawn_reason = ""
    earlier.save()
    assert r("R06").current_category_code == "1"


def test_the_command_puts_right_a_database_edited_by_hand(seed):
    Recommendation.objects.update(standing_category=None, standing_date=None)
    assert len(standing.drift()) > 14
    out = io.StringIO()
    call_command("refresh_standing", "--check", stdout=out)
    assert "R06 of Child Sexual Exploitation: standing_category_id is None, the rules give" in out.getvalue()
    call_command("refresh_standing", stdout=out)
    assert "Worked out again where 19 recommendations stand" in out.getvalue()
    assert standing.drift() == []
