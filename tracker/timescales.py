"""The "original date for completion" as councils write it, read into milestones.

A report prints one free-text timescale per recommendation: "July 2015",
"Initial feedback April 2015 and completion Dec 2015", "April 2015 / July 2015 –
Changes sustained", "On-going", or an awaited event ("To be confirmed when the … Act
is passed"). ``parse_timescale`` turns it into milestones:

- a month means its last day; a day is that day (always day before month: 31/03/2017);
- the text is cut into parts at "&", "and", "/", ";", "+", "then", commas and line
  breaks; each part with a date is one milestone, and its words ("initial feedback",
  "interim", "changes sustained", "completion") give its kind;
- unless words name the completion, the last milestone without such words is the
  completion and any earlier ones are interim;
- "on-going" is one milestone with no date; words that are not a date are an awaited
  event with no date. A date is never made up from words: a season, a quarter, a bare
  year or a financial year ("2016/17") stays words;
- a date that cannot exist ("31/02/2017", "Febtember 2017") is a problem to correct.
"""

from __future__ import annotations

import calendar
import datetime
import difflib
import re
from dataclasses import dataclass, field

from tracker.parsed import ParsedMilestone
from tracker.text import normalise

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
# Longest first, so "sept" wins over "sep" and "june" over "jun".
_MONTH = r"(?:{})\.?".format("|".join(sorted(_MONTHS, key=len, reverse=True)))
_YEAR = r"(?:\d{4}|'?\d{2})"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"

# Each pattern names its groups day, month and year; a missing day means the month's last day.
_DATE_PATTERNS = [
    # 31 March 2017, 1st Dec 17, 31-Mar-2017 (Excel's "d-mmm-yy")
    rf"\b(?P<day>{_DAY})[\s-]+(?:of\s+)?(?P<month>{_MONTH})[\s,-]+(?P<year>{_YEAR})\b",
    # March 31, 2017
    rf"\b(?P<month>{_MONTH})\s+(?P<day>{_DAY}),?\s+(?P<year>\d{{4}})\b",
    # July 2015, Dec 17, Sept. 2015, Dec-17 (Excel's "mmm-yy")
    rf"\b(?P<month>{_MONTH})(?:,?\s+|[-/])(?P<year>{_YEAR})\b",
    # 2017-03-31
    r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b",
    # 31/03/2017, 31.3.2017, 31-03-17
    r"\b(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})\b",
    # 03/2017
    r"\b(?P<month>\d{1,2})/(?P<year>\d{4})\b",
]
_DATES = [re.compile(pattern, re.IGNORECASE) for pattern in _DATE_PATTERNS]
# A word and a year that is not a month but is spelt nearly like one ("Febtember 2017").
_WORD_AND_YEAR = re.compile(rf"\b(?P<word>[A-Za-z]{{4,}})\.?,?[\s-]+(?P<year>{_YEAR})\b")

# Where one milestone ends and the next begins.
_SEPARATOR = re.compile(r"\n|&|\+|;|\band\b|\bthen\b|,(?!\s*\d{2,4}\b)|(?<!\d)/(?!\d)", re.IGNORECASE)
_DASH = re.compile(r"^\s*[–—-]")

_KIND_WORDS = [
    ("initial_feedback", re.compile(r"\binitial\b(?:\s+feedback\b)?", re.IGNORECASE)),
    ("interim", re.compile(r"\binterim\b", re.IGNORECASE)),
    ("changes_sustained", re.compile(r"\b(?:changes\s+)?sustained\b", re.IGNORECASE)),
    ("completion", re.compile(r"\bcomplet(?:e|ed|ion)\b|\bfinal\b", re.IGNORECASE)),
]
_ONGOING = re.compile(r"\bon[\s-]?going\b", re.IGNORECASE)
_WORDS = re.compile(r"[^\W_]")


@dataclass
class _Found:
    """A date written in the text: the day it means, or the problem with it."""

    start: int
    end: int
    due_date: datetime.date | None = None
    problem: str = ""


@dataclass
class _Point:
    """One milestone before its kind is settled: kinds named by its words, in order."""

    kinds: list[str]
    due_date: datetime.date | None = None
    event: str = ""
    ongoing: bool = False


@dataclass
class _Reading:
    points: list[_Point] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # kinds written before their date ("Initial feedback and …")


def parse_timescale(text: str) -> tuple[list[ParsedMilestone], list[str]]:
    """Read an "original date for completion" as the report prints it (see the module's rules).

    Returns the milestones in the order written and the problems, each a sentence the
    scrutiny office can act on ("31/02/2017 is not a real date."). Empty text gives
    neither: the caller decides whether a date is required.
    """
    text = normalise(text or "").strip()
    if not _WORDS.search(text):
        return [], []
    reading = _Reading()
    pieces = _pieces(text)
    if not any(_dates_in(text[start:end]) for start, end in pieces):
        _read_words(text, reading)
    else:
        for start, end, has_date in _groups(text, pieces):
            if has_date:
                _read_dated_part(text[start:end], reading)
            else:
                _read_undated_part(text[start:end], reading)
    return _settle_kinds(reading.points, text, reading.problems), reading.problems


def parse_date(text: str) -> tuple[datetime.date | None, str]:
    """One written date ("31 March 2017", "Dec 2017", "31/03/17"), or the problem with it.

    Returns (None, "") when the text holds no date at all.
    """
    found = _dates_in(normalise(text or "").strip())
    if not found:
        return None, ""
    return found[0].due_date, found[0].problem


def _pieces(text: str) -> list[tuple[int, int]]:
    """Where the text's parts start and end, cut at the separators between milestones."""
    spans, start = [], 0
    for separator in _SEPARATOR.finditer(text):
        spans.append((start, separator.start()))
        start = separator.end()
    spans.append((start, len(text)))
    return spans


def _groups(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Parts with a date stand alone; neighbouring parts without one are put back together,
    so an event's own "and" ("the Planning and Infrastructure Act") does not cut it."""
    groups: list[tuple[int, int, bool]] = []
    for start, end in pieces:
        has_date = bool(_dates_in(text[start:end]))
        if groups and not has_date and not groups[-1][2]:
            groups[-1] = (groups[-1][0], end, False)
        else:
            groups.append((start, end, has_date))
    return groups


def _dates_in(text: str) -> list[_Found]:
    """Every date written in the text, real or not, in order."""
    found = [_found(match) for match in _date_matches(text)]
    covered = bytearray(len(text))
    for date in found:
        covered[date.start:date.end] = b"\x01" * (date.end - date.start)
    for match in _WORD_AND_YEAR.finditer(text):
        if covered[match.start()]:
            continue
        word = match.group("word").lower()
        if word not in _MONTHS and difflib.get_close_matches(word, list(_MONTHS), n=1, cutoff=0.75):
            problem = f"{match.group(0)} is not a real date: check the spelling of the month."
            found.append(_Found(match.start(), match.end(), problem=problem))
    return sorted(found, key=lambda f: f.start)


def _date_matches(text: str) -> list[re.Match]:
    """The dates written in the text: at each place the first pattern that fits, never overlapping."""
    matches = sorted(
        ((match.start(), priority, match) for priority, pattern in enumerate(_DATES) for match in pattern.finditer(text)),
        key=lambda item: item[:2],
    )
    taken: list[re.Match] = []
    for _, _, match in matches:
        if not taken or match.start() >= taken[-1].end():
            taken.append(match)
    return taken


def _found(match: re.Match) -> _Found:
    """The day a date pattern means: the day written, or the month's last day."""
    parts = {name: value for name, value in match.groupdict().items() if value}
    written = match.group(0)
    year = int(parts["year"].lstrip("'"))
    if year < 100:
        year += 2000
    month = parts["month"].lower().rstrip(".")
    month = _MONTHS[month] if month in _MONTHS else int(month)
    if not 1 <= month <= 12:
        problem = f"{written} is not a real date."
        if 1 <= int(parts.get("day") or 0) <= 12:  # written month first, as in the USA
            problem = f"{written} is not a real date: write the day before the month, as in 31/03/2017."
        return _Found(match.start(), match.end(), problem=problem)
    if "day" not in parts:
        day = calendar.monthrange(year, month)[1]
    else:
        day = int(re.match(r"\d+", parts["day"]).group(0))
    try:
        return _Found(match.start(), match.end(), due_date=datetime.date(year, month, day))
    except ValueError:
        return _Found(match.start(), match.end(), problem=f"{written} is not a real date.")


def _kinds_in(words: str) -> list[str]:
    """The milestone kinds the words name, in the order written."""
    hits = [(match.start(), kind) for kind, pattern in _KIND_WORDS for match in pattern.finditer(words)]
    return [kind for _, kind in sorted(hits)]


def _only_kind_words(words: str) -> bool:
    """True when the words are nothing but a kind ("– Changes sustained")."""
    for _, pattern in _KIND_WORDS:
        words = pattern.sub(" ", words)
    return not _WORDS.search(words)


def _read_words(text: str, reading: _Reading) -> None:
    """A timescale with no date at all: on-going, or an awaited event."""
    if _ONGOING.search(text):
        reading.points.append(_Point(kinds=[], ongoing=True))
    else:
        reading.points.append(_Point(kinds=_kinds_in(text)[:1], event=_event_words(text)))


def _read_undated_part(part: str, reading: _Reading) -> None:
    """A part without a date beside parts with one: a kind for its neighbour, on-going, or an event."""
    if not _WORDS.search(part):
        return
    if _only_kind_words(part):
        if reading.points and reading.points[-1].due_date:
            reading.points[-1].kinds.extend(_kinds_in(part))
        else:
            reading.pending.extend(_kinds_in(part))
    elif _ONGOING.search(part):
        reading.points.append(_Point(kinds=[], ongoing=True))
    else:
        reading.points.append(_Point(kinds=_kinds_in(part)[:1], event=_event_words(part)))


def _read_dated_part(part: str, reading: _Reading) -> None:
    """A part with dates: one milestone for each real date, with the words around it.

    Words before the first date and after the last belong to those dates; words between
    two dates belong to the earlier one when they follow a dash ("April 2015 – Initial
    feedback"), otherwise to the later one ("… completion Dec 2015").
    """
    found = _dates_in(part)
    words = [""] * len(found)
    cursor = 0
    for index, date in enumerate(found):
        between = part[cursor:date.start]
        if index and _DASH.match(between):
            words[index - 1] += between
        else:
            words[index] += between
        cursor = date.end
    words[-1] += part[cursor:]
    for date, around in zip(found, words, strict=True):
        if date.problem:
            reading.problems.append(date.problem)
            continue
        reading.points.append(_Point(kinds=reading.pending + _kinds_in(around), due_date=date.due_date))
        reading.pending = []


def _event_words(text: str) -> str:
    """The words of an awaited event, without separators or dashes left at either end."""
    return " ".join(text.split()).strip(" &/;,+–—-")


def _settle_kinds(points: list[_Point], text: str, problems: list[str]) -> list[ParsedMilestone]:
    """Give every milestone its kind: named by its words, else the last unnamed one is the
    completion (unless words name another) and earlier unnamed ones are interim."""
    named_completion = any("completion" in point.kinds for point in points)
    unnamed = [point for point in points if not point.kinds and not point.ongoing]
    completion = None if named_completion or not unnamed else unnamed[-1]
    milestones = []
    for point in points:
        if point.ongoing:
            milestones.append(ParsedMilestone(kind="ongoing"))
            continue
        kinds = point.kinds or (["completion"] if point is completion else ["interim"])
        for kind in dict.fromkeys(kinds):
            milestones.append(ParsedMilestone(kind=kind, due_date=point.due_date, event=point.event))
    if sum(milestone.kind == "completion" for milestone in milestones) > 1:
        problems.append(f"“{' '.join(text.split())}” gives more than one completion date: keep one, "
                        "and call the others interim.")
    return milestones
