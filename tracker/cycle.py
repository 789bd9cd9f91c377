"""The meeting cycle: scheduled → evidence open → pack published → decisions recorded → closed.

Which state allows which action is decided here and nowhere else: services call
``require`` before they write, pages call ``allows`` to decide which buttons to offer.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.dateformat import format as date_format

from tracker.models import Meeting
from tracker.words import listed

State = Meeting.State

NEXT_STATE = {
    State.SCHEDULED: State.EVIDENCE_OPEN,
    State.EVIDENCE_OPEN: State.PACK_PUBLISHED,
    State.PACK_PUBLISHED: State.DECISIONS_RECORDED,
    State.DECISIONS_RECORDED: State.CLOSED,
    State.CLOSED: None,
}

# action -> the states in which it is allowed
ALLOWED_IN = {
    "choose_recommendations": {State.SCHEDULED, State.EVIDENCE_OPEN},
    "change_meeting": {State.SCHEDULED, State.EVIDENCE_OPEN},
    "add_evidence": {State.SCHEDULED, State.EVIDENCE_OPEN},
    # A correction is kept with its earlier versions, so it is allowed as long as evidence is.
    "edit_evidence": {State.SCHEDULED, State.EVIDENCE_OPEN},
    "propose": {State.EVIDENCE_OPEN},
    "publish_pack": {State.EVIDENCE_OPEN, State.PACK_PUBLISHED},
    "record_decision": {State.PACK_PUBLISHED, State.DECISIONS_RECORDED},
    "close": {State.DECISIONS_RECORDED},
    # The cover report (the assessor's introduction, the office's contact) is written before the pack is out.
    "write_cover": {State.SCHEDULED, State.EVIDENCE_OPEN},
    # Evidence that arrives after the pack was published, tabled as a late item.
    "add_late_evidence": {State.PACK_PUBLISHED},
    "publish_supplement": {State.PACK_PUBLISHED},
}

ACTION_NAMES = {
    "choose_recommendations": "choose the recommendations to track",
    "change_meeting": "change its date or evidence deadline",
    "add_evidence": "add evidence for it",
    "edit_evidence": "correct evidence for it",
    "propose": "propose categories",
    "publish_pack": "publish its pack",
    "record_decision": "record the committee’s decisions",
    "close": "close it",
    "write_cover": "write its cover report",
    "add_late_evidence": "add an update received after its pack was published",
    "publish_supplement": "publish a supplement to its pack",
}

# The states of a meeting still ahead of the committee (its round is not over).
UPCOMING = {State.SCHEDULED, State.EVIDENCE_OPEN, State.PACK_PUBLISHED}


@dataclass(frozen=True)
class Step:
    """A move to the next state, as the scrutiny office sees it on the meeting page."""

    to_state: str
    button: str
    explanation: str
    # Publishing the pack moves the meeting on by itself (tracker.services.publish_pack);
    # the scrutiny office only marks it by hand where the pack was published elsewhere.
    by_publishing: bool = False

    def explain(self, meeting: Meeting) -> str:
        """The explanation in the committee's words ({assessor}: what it calls who proposes)."""
        return self.explanation.format(assessor=meeting.committee.assessor_title)


STEPS = {
    State.SCHEDULED: Step(
        State.EVIDENCE_OPEN,
        "Open the meeting for evidence",
        "Officers can then add evidence, and the {assessor} can propose categories.",
    ),
    State.EVIDENCE_OPEN: Step(
        State.PACK_PUBLISHED,
        "Mark the pack as published",
        "Evidence and proposals close; the committee reads the pack.",
        by_publishing=True,
    ),
    State.PACK_PUBLISHED: Step(
        State.DECISIONS_RECORDED,
        "Mark the committee’s decisions as recorded",
        "Every tracked recommendation has the committee’s decision. Once marked, the meeting can be closed.",
    ),
    State.DECISIONS_RECORDED: Step(
        State.CLOSED,
        "Close the meeting",
        "The recommendations not concluded carry forward to the committee’s next meeting.",
    ),
}


class CycleError(Exception):
    """The meeting is not in a state that allows the action."""


def allows(meeting: Meeting, action: str) -> bool:
    """Imported history (Meeting.imported) is read and printed, and allows nothing."""
    return not meeting.imported and meeting.state in ALLOWED_IN[action]


def refusal(meeting: Meeting, action: str) -> str | None:
    """Why the action is not allowed now, in words (None when it is)."""
    if allows(meeting, action):
        return None
    if meeting.imported:
        return (
            f"The {meeting.name_in_full} is history brought in from an earlier report: "
            f"you cannot {ACTION_NAMES[action]}."
        )
    return (
        f"The meeting of {meeting.date_display} is “{meeting.get_state_display()}”: "
        f"you cannot {ACTION_NAMES[action]} now."
    )


def require(meeting: Meeting, action: str) -> None:
    message = refusal(meeting, action)
    if message:
        raise CycleError(message)


def next_state(meeting: Meeting) -> str | None:
    return NEXT_STATE[State(meeting.state)]


def can_advance_to(meeting: Meeting, state: str) -> bool:
    return next_state(meeting) == state


def next_step(meeting: Meeting) -> Step | None:
    if meeting.imported:
        return None
    return STEPS.get(State(meeting.state))


def collecting_evidence(meetings) -> bool:
    """Is one of these meetings (those tracking a recommendation) still taking its evidence?"""
    return any(allows(meeting, "edit_evidence") for meeting in meetings)


def is_upcoming(meeting: Meeting) -> bool:
    return not meeting.imported and meeting.state in UPCOMING


def upcoming() -> Q:
    """``is_upcoming`` as a filter on meetings: still ahead, and not imported history."""
    return Q(state__in=UPCOMING, imported=False)


def awaiting_decision() -> Q:
    """A meeting's assessments still waiting for the committee's decision, as a filter: not
    decided, and the recommendation neither withdrawn nor concluded at another meeting (then this
    meeting needs no decision on it)."""
    return Q(agreed_category__isnull=True, agreed_at__isnull=True, recommendation__withdrawn_on__isnull=True) & (
        Q(recommendation__conclusion__isnull=True) | Q(recommendation__conclusion__meeting_id=F("meeting_id"))
    )


def blockers(meeting: Meeting, to_state: str, tracked) -> list[str]:
    """What stops the meeting moving to ``to_state`` (in words), given what it tracks, counted
    (``selectors.tracked``): ``tracked.count``, and ``tracked.undecided``, how many are
    ``awaiting_decision`` with the first of them by number."""
    problems = []
    if meeting.imported:
        problems.append(f"The {meeting.name_in_full} is history brought in from an earlier report: "
                        "it takes no part in the meeting cycle.")
        return problems
    if not can_advance_to(meeting, to_state):
        target = State(to_state).label if to_state in State.values else to_state
        problems.append(
            f"The meeting is “{meeting.get_state_display()}”: it cannot move to “{target}”."
        )
        return problems
    if to_state == State.EVIDENCE_OPEN and not tracked.count:
        problems.append("Choose the recommendations to track before opening the meeting for evidence.")
    if to_state == State.DECISIONS_RECORDED and tracked.undecided.count:
        undecided = tracked.undecided
        problems.append(
            f"The committee’s decision is still to be recorded on {undecided.count:,} of the "
            f"{tracked.count:,} tracked recommendations ({listed(undecided.numbers, undecided.count)})."
        )
    return problems


def step_blockers(meeting: Meeting, tracked) -> list[str]:
    """What stops the meeting page's next step now (empty when nothing does, or there is no step)."""
    step = next_step(meeting)
    return blockers(meeting, step.to_state, tracked) if step else []


# --- Dates people can mean ---------------------------------------------------------------
# Overview and scrutiny began with the Local Government Act 2000: no meeting, deadline or
# update of it is older. Meetings are scheduled at most ten years ahead.
EARLIEST_DATE = datetime.date(2000, 1, 1)
YEARS_AHEAD = 10


def _long(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def latest_meeting_date(today: datetime.date) -> datetime.date:
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def meeting_date_problems(
    date: datetime.date | None, deadline: datetime.date | None, today: datetime.date
) -> dict[str, str]:
    """What is wrong with a meeting's date and evidence deadline, by form field (empty when nothing)."""
    problems = {}
    latest = latest_meeting_date(today)
    for name, day, what in (("date", date, "The meeting"), ("evidence_deadline", deadline, "The evidence deadline")):
        if day is None:
            continue
        if day < EARLIEST_DATE:
            problems[name] = f"{what} must be on or after {_long(EARLIEST_DATE)}."
        elif day > latest:
            problems[name] = f"{what} must be no later than {_long(latest)}."
    if "evidence_deadline" not in problems and deadline and date and deadline > date:
        problems["evidence_deadline"] = "The evidence deadline must be on or before the meeting date."
    return problems


def written_on_problem(written_on: datetime.date | None, today: datetime.date) -> str | None:
    """Why an update's "date written" cannot be right (None when it can)."""
    if written_on is None:
        return "Enter the date the update was written."
    if written_on > today:
        return "The date written cannot be in the future."
    if written_on < EARLIEST_DATE:
        return f"The date written must be on or after {_long(EARLIEST_DATE)}."
    return None


def written_after_deadline(update) -> bool:
    """Was the update written after the evidence deadline of the meeting it was written for?"""
    meeting = update.for_meeting
    return bool(
        meeting is not None and meeting.evidence_deadline and update.written_on
        and update.written_on > meeting.evidence_deadline
    )
