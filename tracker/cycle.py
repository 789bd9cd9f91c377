"""The meeting cycle: scheduled → evidence open → pack published → decisions recorded → closed.

Which state allows which action is decided here and nowhere else.
"""

from __future__ import annotations

from tracker.models import Meeting

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
    "add_evidence": {State.SCHEDULED, State.EVIDENCE_OPEN},
    "propose": {State.EVIDENCE_OPEN},
    "publish_pack": {State.EVIDENCE_OPEN, State.PACK_PUBLISHED},
    "record_decision": {State.PACK_PUBLISHED, State.DECISIONS_RECORDED},
    "close": {State.DECISIONS_RECORDED},
}

ACTION_NAMES = {
    "choose_recommendations": "choose the recommendations to track",
    "add_evidence": "add evidence for it",
    "propose": "propose categories",
    "publish_pack": "publish its pack",
    "record_decision": "record the committee’s decisions",
    "close": "close it",
}


class CycleError(Exception):
    """The meeting is not in a state that allows the action."""


def allows(meeting: Meeting, action: str) -> bool:
    return meeting.state in ALLOWED_IN[action]


def require(meeting: Meeting, action: str) -> None:
    if not allows(meeting, action):
        raise CycleError(
            f"The meeting of {meeting.date_display} is “{meeting.get_state_display()}”: "
            f"you cannot {ACTION_NAMES[action]} now."
        )


def next_state(meeting: Meeting) -> str | None:
    return NEXT_STATE[State(meeting.state)]


def can_advance_to(meeting: Meeting, state: str) -> bool:
    return next_state(meeting) == state
