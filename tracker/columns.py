"""The columns of a recommendations table, whatever each council calls them.

A tracker spreadsheet or a table copied from a report heads its columns in the
council's own words ("Ref", "Lead officer", "Target date", "RAG"). A header matches
when it equals one of the names below with case, spacing, punctuation, apostrophes
and any bracketed note ignored: "Evidence of Progress (and Anticipated Completion
Date if 'Not Achieved')" is "evidence of progress".
"""

from __future__ import annotations

import re

from tracker.text import normalise

# Field -> the header names that mean it, as a reader would write them (used in messages too).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "number": ("No.", "Number", "Ref.", "Reference", "Rec No", "Recommendation number", "Recommendation No.",
               "Ref No.", "Reference number"),
    "recommendation": ("Recommendation", "Recommendations", "Recommendation text"),
    "responsibility": ("Responsibility", "Lead", "Owner", "Owners", "Lead officer", "Responsible officer",
                       "Cabinet Member", "Lead member", "Portfolio holder"),
    "date": ("Date", "Original date for completion", "Timescale", "Timescales", "Target date", "Completion date",
             "Due date", "Deadline"),
    "theme": ("Theme",),
    "evidence": ("Progress", "Evidence", "Evidence of progress", "Update", "Progress update"),
    "category": ("Category", "Status", "RAG", "RAG status", "Assessment", "Cabinet Member's assessment",
                 "Tracking assessment"),
}
REQUIRED = ("number", "recommendation", "responsibility", "date")
# How a message names each field to the scrutiny office.
FIELD_WORDS = {
    "number": "number",
    "recommendation": "recommendation",
    "responsibility": "responsibility",
    "date": "date for completion",
    "theme": "theme",
    "evidence": "progress",
    "category": "category",
}

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_APOSTROPHES = re.compile("['’‘`]")
_PUNCTUATION = re.compile(r"[\W_]+")


def header_key(text: object) -> str:
    """A header reduced to its words: "Ref." and "REF" are both "ref"."""
    text = normalise(str(text or ""), multiline=False)
    text = _APOSTROPHES.sub("", _BRACKETED.sub(" ", text)).lower()
    return " ".join(_PUNCTUATION.sub(" ", text).split())


_FIELD_BY_KEY = {header_key(name): field for field, names in COLUMN_NAMES.items() for name in names}


def field_for(header: object) -> str | None:
    """The field a header names, or None when it is not one this app reads."""
    return _FIELD_BY_KEY.get(header_key(header))


def match_columns(cells) -> dict[str, int]:
    """Which cell (by position) holds each field, for a row of headers; the first match wins."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        field = field_for(cell)
        if field and field not in columns:
            columns[field] = index
    return columns


def is_header_row(cells) -> bool:
    """True when at least two of the required columns are named: one name alone may be a title."""
    return len(set(match_columns(cells)) & set(REQUIRED)) >= 2


def names_for(field: str) -> str:
    """The header names recognised for a field, for a message: "No., Number, Ref. …"."""
    return ", ".join(f"“{name}”" for name in COLUMN_NAMES[field])
