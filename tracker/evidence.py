"""Which evidence is new for a meeting: the one rule the meeting pages, the pack's marks and the
overview's figures share.

An update is new for a meeting when it was written for that meeting, or when it follows the
committee's previous meeting: headed "Further information following" that meeting, or written
after it (after its date, or, with no date recorded, after the date it is placed on) and not
headed for a meeting before it. A committee's first meeting has no previous one: only what was
written for it is new.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from tracker.models import Meeting


@dataclass(frozen=True)
class NewEvidence:
    """The rule for one meeting, with what it needs to know about the meetings before it."""

    meeting_id: int
    previous_id: int | None = None
    since: datetime.date | None = None
    earlier_ids: frozenset[int] = frozenset()

    def is_new(self, update) -> bool:
        """For an update already in hand."""
        if update.for_meeting_id == self.meeting_id:
            return True
        if self.previous_id is None:
            return False
        if update.following_meeting_id == self.previous_id:
            return True
        return bool(
            self.since and update.written_on and update.written_on > self.since
            and update.following_meeting_id not in self.earlier_ids
        )

    def q(self, prefix: str = "") -> Q:
        """The same rule as a filter on evidence updates (``prefix`` is the path to the update)."""
        new = Q(**{f"{prefix}for_meeting_id": self.meeting_id})
        if self.previous_id is None:
            return new
        new |= Q(**{f"{prefix}following_meeting_id": self.previous_id})
        if self.since:
            written_after = Q(**{f"{prefix}written_on__gt": self.since})
            if self.earlier_ids:
                written_after &= Q(**{f"{prefix}following_meeting__isnull": True}) | ~Q(
                    **{f"{prefix}following_meeting_id__in": sorted(self.earlier_ids)}
                )
            new |= written_after
        return new


def rule_for(meeting: Meeting, previous: Meeting | None, earlier_ids) -> NewEvidence:
    """The rule for ``meeting``, given the committee's meeting before it and the ones before that."""
    if previous is None:
        return NewEvidence(meeting.pk)
    return NewEvidence(meeting.pk, previous.pk, previous.date or previous.placed_on, frozenset(earlier_ids))


def rules_for(meetings) -> dict[int, NewEvidence]:
    """The rule for each of ``meetings``, by meeting id, in one query whatever their number."""
    from tracker.selectors import chronological_key

    meetings = list(meetings)
    if not meetings:
        return {}
    by_committee: dict[int, list[Meeting]] = {}
    for other in Meeting.objects.filter(committee_id__in={m.committee_id for m in meetings}).only(
        "pk", "committee_id", "date", "placed_on"
    ):
        by_committee.setdefault(other.committee_id, []).append(other)
    for rows in by_committee.values():
        rows.sort(key=chronological_key)
    rules = {}
    for meeting in meetings:
        rows = by_committee.get(meeting.committee_id, [])
        before = [m for m in rows if chronological_key(m) < chronological_key(meeting)]
        previous = before[-1] if before else None
        rules[meeting.pk] = rule_for(meeting, previous, (m.pk for m in before[:-1]))
    return rules
