"""Bring the demo data to the point a journey starts from, through tracker.services,
as the people before in the round would have left it.

The round: the 15 June 2016 meeting of the seed committee (the seed's last meetings were
25 November 2015 and 10 February 2016), evidence by 1 June 2016.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from tracker import services
from tracker.models import Assessment, Category, Committee, Meeting, Recommendation

MEETING_DATE = datetime.date(2016, 6, 15)
EVIDENCE_DEADLINE = datetime.date(2016, 6, 1)
R06_UPDATE = "Taxi drivers trained: 1,200 of 1,450 licence holders attended the CSE awareness session."
REMARK = "Work will be ongoing."
# What the seed leaves to track: every recommendation not concluded on 10 February 2016.
SEED_TRACKED = ["R04", "R05", "R06", "R07", "R08", "R09", "R10", "R12", "R14", "R15", "R16", "R17", "R18", "R19"]
SEED_CONCLUDED = ["R01", "R02", "R03", "R11", "R13"]


def user(username: str):
    return get_user_model().objects.get(username=username)


def category(code: str) -> Category:
    return Category.objects.get(scheme=Committee.objects.get().scheme, code=code)


def assessment(meeting: Meeting, number: str) -> Assessment:
    return Assessment.objects.get(meeting=meeting, recommendation__number=number)


def meeting_open_for_evidence() -> Meeting:
    """The scrutiny office has scheduled the meeting, tracks every one not concluded, and opened it."""
    office = user("scrutiny")
    meeting = services.schedule_meeting(Committee.objects.get(), MEETING_DATE, EVIDENCE_DEADLINE, by=office)
    services.choose_recommendations(meeting, by=office)
    return services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)


def officer_updates_r06(meeting: Meeting):
    r06 = Recommendation.objects.get(number="R06")
    return services.add_evidence(r06, meeting, R06_UPDATE, datetime.date(2016, 6, 1), by=user("officer"))


def cabinet_proposes(meeting: Meeting, number: str, code: str, anticipated_date=None) -> list[str]:
    return services.propose_category(
        assessment(meeting, number), category(code), anticipated_date, by=user("cabinet")
    )


def meeting_with_proposals() -> Meeting:
    """Evidence is in for R06 and the cabinet member proposed 1, was warned, and proposed 2."""
    meeting = meeting_open_for_evidence()
    officer_updates_r06(meeting)
    cabinet_proposes(meeting, "R06", "1")
    cabinet_proposes(meeting, "R06", "2")
    return meeting


def pack_marked_published(meeting: Meeting) -> Meeting:
    return services.advance_meeting(meeting, Meeting.State.PACK_PUBLISHED, user("scrutiny"))


def committee_concludes_r06(meeting: Meeting):
    services.record_decision(
        assessment(meeting, "R06"), category("2"), by=user("scrutiny"), concluded=True, remark=REMARK
    )


def round_with_r06_concluded() -> Meeting:
    """The whole round up to the committee's decisions: R06 agreed 2 – Achieved (Late) and concluded."""
    meeting = meeting_with_proposals()
    pack_marked_published(meeting)
    committee_concludes_r06(meeting)
    return meeting


def pack_published(meeting: Meeting) -> Meeting:
    """The scrutiny office publishes the pack (version 1): on the public register once the committee is on it."""
    services.publish_pack(meeting, by=user("scrutiny"))
    meeting.refresh_from_db()
    return meeting
