"""The words a council's process uses, in one place: every fixed sentence of the pack, its
default, and what it may say about the council, its committees and the people in it.

A council changes a sentence on its set-up page (``Council.words`` keeps only what it
changed); the defaults are the seed council's words, with the council's own names as
placeholders, so the seed's pack still reads word for word from its configuration.
Templates print ``Words`` attributes and never a council's words of their own.
"""

from __future__ import annotations

import string
from dataclasses import dataclass


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: str


PLACEHOLDERS = [
    Placeholder("council", "how sentences name the council (“the Borough Council”)"),
    Placeholder("council_name", "the council’s full name"),
    Placeholder("scrutiny_office", "what the scrutiny office is called (“Scrutiny Office”)"),
    Placeholder("committee_kind", "what its scrutiny committees are (“Overview and Scrutiny Committee”)"),
    Placeholder("committee", "the committee’s name"),
    Placeholder("assessor", "what the committee calls who proposes categories (“Cabinet Member”)"),
    Placeholder("reporter", "who reports: the cover report’s owner (“Executive Member for Housing”), "
                            "or the assessor"),
    Placeholder("inquiry", "the inquiry’s title"),
]
PLACEHOLDER_NAMES = {p.name for p in PLACEHOLDERS}


@dataclass(frozen=True)
class Wording:
    """One fixed sentence or heading of the pack."""

    key: str
    label: str  # what the set-up page calls it
    default: str
    where: str  # where it is printed, for the set-up page
    multiline: bool = False


WORDINGS = [
    Wording("report_title", "Title of each report", "Tracking Report: {inquiry}", "The cover"),
    Wording("report_of", "“Report of”, when no cover report names who reports", "The appropriate {assessor}",
            "The cover"),
    Wording("cover_paragraph_1", "Cover paragraph 1",
            "In approving this Inquiry {council} asked me, as the appropriate {reporter}, to report on progress "
            "towards these recommendations to this {committee_kind}.", "The cover", multiline=True),
    Wording("cover_paragraph_2", "Cover paragraph 2",
            "Details of progress with the outstanding recommendations are shown in Appendix 2.", "The cover",
            multiline=True),
    Wording("cover_paragraph_3", "Cover paragraph 3",
            "Members are asked to consider progress against the recommendations and give their view as to how "
            "progress is categorised for each.", "The cover", multiline=True),
    Wording("appendix_1_entry", "Appendix 1 in the list of appendices",
            "{scrutiny_office} guidance on the tracking process", "The cover"),
    Wording("appendix_2_entry", "Appendix 2 in the list of appendices", "Recommendations you are tracking today",
            "The cover"),
    Wording("appendix_3_entry", "Appendix 3 in the list of appendices",
            "Recommendations tracked previously and concluded", "The cover"),
    Wording("contact_intro", "Before the contact officer", "For more information about this report, please contact",
            "The cover"),
    Wording("appendix_1_heading", "Appendix 1 heading", "The Tracking Process", "Appendix 1"),
    Wording("appendix_2_heading", "Appendix 2 heading", "Progress with Recommendations", "Appendix 2"),
    Wording("appendix_3_heading", "Appendix 3 heading", "Concluded Recommendations", "Appendix 3"),
    Wording("concluded_note", "Above the concluded recommendations",
            "These recommendations have been tracked previously and concluded.\n"
            "They are presented here for information only.", "Appendix 3", multiline=True),
    Wording("original_date_column", "Column: the original date", "Original Date For Completion", "Appendix 2"),
    Wording("assessment_column", "Column: the proposed category", "{assessor}’s Assessment", "Appendix 2"),
    Wording("evidence_heading", "Heading above the evidence",
            "Evidence of Progress (and Anticipated Completion Date if ‘Not Achieved’)", "Appendices 2 and 3"),
    Wording("reasons_heading", "Heading above the reasons a category asks for", "Reasons", "Appendix 2"),
    Wording("concluded_date_column", "Column: when it was concluded", "Date Concluded by {committee_kind}",
            "Appendix 3"),
    Wording("tracking_assessment_column", "Column: the category it was concluded with", "Tracking Assessment",
            "Appendix 3"),
]
WORDING = {wording.key: wording for wording in WORDINGS}


def listed(numbers, count: int) -> str:
    """Recommendations named in a sentence: every number when all ``count`` are given ("R04, R05,
    R06"), else the ones given and how many more ("R03, R07 and 212 others"), so that a sentence
    about a thousand recommendations stays a sentence."""
    numbers = list(numbers)
    others = count - len(numbers)
    if others <= 0:
        return ", ".join(numbers)
    return f"{', '.join(numbers)} and {others:,} other{'s' if others != 1 else ''}"


def problem(text: str) -> str | None:
    """Why a council's sentence cannot be used (None when it can): unknown placeholders or stray braces."""
    try:
        fields = [(name, spec or conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None]
    except ValueError:
        return "Check the curly brackets: { and } go round a placeholder such as {council}."
    unknown = sorted({name for name, _ in fields if name not in PLACEHOLDER_NAMES})
    if unknown or any(name == "" or extra for name, extra in fields):
        known = ", ".join(f"{{{p.name}}}" for p in PLACEHOLDERS)
        wrong = ", ".join(f"{{{name}}}" for name in unknown if name) or "{}"
        return f"{wrong} is not a placeholder. Use only these: {known}."
    return None


class Words:
    """The pack's sentences for one committee (and one report's reporter and inquiry), as the council words them."""

    def __init__(self, council, committee=None, *, reporter: str = "", inquiry: str = ""):
        self._council = council
        assessor = committee.assessor_title if committee is not None else council.assessor_title
        self._values = {
            "council": council.name_in_sentences,
            "council_name": council.name,
            "scrutiny_office": council.scrutiny_office_name,
            "committee_kind": council.committee_kind,
            "committee": committee.name if committee is not None else "",
            "assessor": assessor,
            "reporter": reporter or assessor,
            "inquiry": inquiry,
        }

    def for_report(self, *, reporter: str = "", inquiry: str = "") -> Words:
        words = Words.__new__(Words)
        words._council = self._council
        words._values = {**self._values, "reporter": reporter or self._values["assessor"], "inquiry": inquiry}
        return words

    def __getattr__(self, key: str) -> str:
        if key.startswith("_") or key not in WORDING:
            raise AttributeError(key)
        text = (self._council.words or {}).get(key) or WORDING[key].default
        return text.format_map(self._values)
