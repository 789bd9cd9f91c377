"""Helpers for the pack tests: reading a pack PDF's text back, small packs from factories.

No tests here; the test_pack_*.py modules import these.
"""

from __future__ import annotations

import io
import re

from django.contrib.auth.models import Group
from pypdf import PdfReader

from tests.factories import (
    AssessmentFactory,
    EvidenceUpdateFactory,
    MeetingFactory,
    OwnerFactory,
    RecommendationFactory,
    SubPartFactory,
    UserFactory,
    default_category,
)
from tests.seedtext import squash
from tracker import roles
from tracker.models import Meeting

PAGE_NUMBER = re.compile(r"^Page (\d+) of (\d+)$")
EVIDENCE_HEADING = squash("Evidence of Progress (and Anticipated Completion Date if ‘Not Achieved’)")


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def body_lines(page_text: str, footnote_texts=()) -> tuple[list[str], list[str], list[str]]:
    """Split one page's text into (body lines, footnote lines, furniture lines).

    WeasyPrint draws the body, then the footnote area, then the page margins (running
    header, "Page X of Y"), so pypdf reads them in that order: the furniture is the last
    two lines and the footnotes ("N text" of a known footnote) come just before it.
    """
    lines = [line.strip() for line in page_text.split("\n") if line.strip()]
    furniture = lines[-2:]
    lines = lines[:-2]
    notes = []
    known = {squash(text) for text in footnote_texts}
    while lines:
        match = re.match(r"^(\d+) (.*)$", lines[-1])
        if not (match and squash(match.group(2)) in known):
            break
        notes.insert(0, lines.pop())
    return lines, notes, furniture


def squashed_body(pdf: bytes, footnote_texts=()) -> str:
    """The pack's text without page furniture and footnote blocks, squash()ed, as one string."""
    return "".join(squash("\n".join(body_lines(text, footnote_texts)[0])) for text in page_texts(pdf))


def make_user(role: str | None = None, **kwargs):
    user = UserFactory(**kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def scrutiny_officer(**kwargs):
    return make_user(roles.SCRUTINY_OFFICE, **kwargs)


def small_meeting(recommendations: int = 1, *, state=Meeting.State.EVIDENCE_OPEN, **evidence) -> Meeting:
    """A meeting tracking ``recommendations`` recommendations of one inquiry, one theme."""
    first = RecommendationFactory(lead="That the Council reviews its training:", owner=OwnerFactory())
    meeting = MeetingFactory(committee=first.inquiry.committee, state=state)
    recs = [first] + [
        RecommendationFactory(theme=first.theme, lead="That the Council reviews its training:")
        for _ in range(recommendations - 1)
    ]
    for rec in recs:
        SubPartFactory(recommendation=rec, label="a)", text=f"{rec.number}: all staff attend training.")
        EvidenceUpdateFactory(recommendation=rec, text=evidence.get("text", f"{rec.number}: training delivered."))
        AssessmentFactory(recommendation=rec, meeting=meeting, proposed_category=default_category("2"))
    return meeting
