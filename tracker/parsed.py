"""Recommendations read from a paste or a spreadsheet, before anything is saved.

The parsers (``tracker.paste``, ``tracker.spreadsheet``, ``tracker.timescales``) give
these plain records; a preview shows them to the scrutiny office, and only a result
with no problems is turned into database rows. Every text in them has passed through
``tracker.text.normalise`` and is trimmed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

MILESTONE_KINDS = ("completion", "initial_feedback", "interim", "changes_sustained", "ongoing")


@dataclass
class ParsedMilestone:
    """One point of an "original date for completion": a month or day, or an awaited event."""

    kind: str  # one of MILESTONE_KINDS
    due_date: datetime.date | None = None  # a month means its last day; None for on-going or an awaited event
    event: str = ""  # the words of an awaited event when there is no date


@dataclass
class ParsedRecommendation:
    """One recommendation as the report or the tracker prints it."""

    number: str  # as written, never cut: "R04", "Leisure Task Group Rec 1", "SR (25/26) 01"
    lead: str  # the opening words ("That:"), or the whole text when there are no sub-parts
    sub_parts: list[tuple[str, str]] = field(default_factory=list)  # (label, text); label "" for a bullet
    owners: list[str] = field(default_factory=list)  # one per owner, in order
    timescale: str = ""  # the original date for completion exactly as written (may span lines)
    milestones: list[ParsedMilestone] = field(default_factory=list)
    theme: str = ""
    evidence: str = ""
    category: str = ""  # the tracker's category, status or RAG as written
    source_row: int | None = None  # the spreadsheet's row number, or the first line of a pasted block


@dataclass
class Problem:
    """Something the scrutiny office must change before anything is saved."""

    message: str  # plain English naming the row and column (or line) and what to change
    row: int | None = None
    column: str = ""  # the column's header as the file names it (spreadsheets only)


@dataclass
class ParseResult:
    recommendations: list[ParsedRecommendation]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """True when there is something to save and nothing to correct first."""
        return bool(self.recommendations) and not self.problems
