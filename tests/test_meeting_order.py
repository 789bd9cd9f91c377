"""The order of a committee's meetings, which every "since the last meeting" and every
"category in force" rests on, including the seed's report meeting, whose date the source
does not record."""

import datetime

import pytest

from tests.factories import AssessmentFactory, CommitteeFactory, MeetingFactory, RecommendationFactory, default_category
from tracker import selectors
from tracker.models import Meeting, Recommendation

pytestmark = pytest.mark.django_db

FEB, JUNE, SEPT = datetime.date(2016, 2, 10), datetime.date(2016, 6, 15), datetime.date(2016, 9, 7)


def order(committee):
    return [m.date for m in Meeting.objects.filter(committee=committee).chronological()]


def assert_before_agrees_with_the_order(committee):
    meetings = list(Meeting.objects.filter(committee=committee).chronological())
    for index, meeting in enumerate(meetings):
        assert list(Meeting.objects.filter(committee=committee).before(meeting).chronological()) == meetings[:index]
    assert list(Meeting.objects.filter(committee=committee).latest_first()) == meetings[::-1]
    assert sorted(meetings, key=selectors.chronological_key) == meetings


def test_a_meeting_whose_date_is_not_recorded_stays_after_the_meetings_it_followed_and_before_later_ones():
    committee = CommitteeFactory()
    MeetingFactory(committee=committee, date=FEB)
    report_meeting = MeetingFactory(committee=committee, date=None)  # the seed's own meeting
    june = MeetingFactory(committee=committee, date=JUNE)  # scheduled since

    assert order(committee) == [FEB, None, JUNE]
    assert selectors.previous_meeting(june) == report_meeting
    assert_before_agrees_with_the_order(committee)


def test_an_undated_meeting_entered_before_any_dated_one_comes_first():
    committee = CommitteeFactory()
    MeetingFactory(committee=committee, date=None)
    MeetingFactory(committee=committee, date=None)
    MeetingFactory(committee=committee, date=FEB)
    assert order(committee) == [None, None, FEB]
    assert_before_agrees_with_the_order(committee)


def test_moving_a_meetings_date_moves_the_undated_meeting_that_followed_it():
    committee = CommitteeFactory()
    february = MeetingFactory(committee=committee, date=FEB)
    report_meeting = MeetingFactory(committee=committee, date=None)
    MeetingFactory(committee=committee, date=JUNE)

    february.date = SEPT  # say the office corrects a mistyped date
    february.save()
    report_meeting.refresh_from_db()
    assert report_meeting.placed_on == SEPT
    assert order(committee) == [JUNE, SEPT, None]
    assert_before_agrees_with_the_order(committee)


def test_giving_an_undated_meeting_its_date_places_it_on_that_date():
    committee = CommitteeFactory()
    MeetingFactory(committee=committee, date=FEB)
    report_meeting = MeetingFactory(committee=committee, date=None)
    MeetingFactory(committee=committee, date=SEPT)

    report_meeting.date = JUNE
    report_meeting.save(update_fields=["date"])
    report_meeting.refresh_from_db()
    assert report_meeting.placed_on == JUNE
    assert order(committee) == [FEB, JUNE, SEPT]


def test_the_category_in_force_is_the_one_from_the_meeting_after_the_undated_one():
    recommendation = RecommendationFactory()
    committee = recommendation.inquiry.committee
    report_meeting = MeetingFactory(committee=committee, date=None)
    june = MeetingFactory(committee=committee, date=JUNE)
    AssessmentFactory(recommendation=recommendation, meeting=report_meeting, proposed_category=default_category("3"),
                      anticipated_date=datetime.date(2016, 12, 31))
    AssessmentFactory(recommendation=recommendation, meeting=june, agreed_category=default_category("2"))

    in_force = Recommendation.objects.with_current_category().get(pk=recommendation.pk)
    assert in_force.current_category_code == "2"


def test_on_the_seed_the_next_meeting_follows_the_reports_own_meeting(seed):
    committee = seed.committee
    report_meeting = Meeting.objects.get(committee=committee, date__isnull=True)
    june = MeetingFactory(committee=committee, date=JUNE)
    assert selectors.previous_meeting(june) == report_meeting
    assert order(committee)[-2:] == [None, JUNE]
    assert_before_agrees_with_the_order(committee)
