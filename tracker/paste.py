"""Recommendations pasted by the scrutiny office "as the report prints them".

Two shapes are read, and a preview lets the office correct the result before saving:

(a) rows copied from a table in Word or Excel: cells separated by tabs, one row per
    recommendation, in the order No. | Recommendation | Responsibility | Date. A header
    row is recognised by its words (``tracker.columns``) and then decides the order
    (a title copied above it is left out). Excel quotes a cell that holds line breaks;
    Word does not, so a row whose cells run over several lines is put back together
    until it has all its cells. A line of words alone between rows (a merged heading
    row) is the theme of the rows after it.
(b) text as printed: a recommendation starts on a line that begins with its number
    ("R01", "Rec 1", "Recommendation 1", "Leisure Task Group Rec 1", "SR (25/26) 01",
    "1." or "1)"); the lines after it are its text; "Responsibility:", "Lead:",
    "Owner:" or "Owners:" lines give the owners, and "Date:", "Timescale:", "Original
    date for completion:" or "Completion date:" lines give the date. A "Theme:" line
    gives the theme of the recommendations after it. "1." or "1)" starts a
    recommendation only when the paste's first number is written that way; otherwise
    such lines are numbered sub-parts. A line after the date that is not a date, or
    before the first number, is a problem naming the line.

A recommendation's text is split into a lead and sub-parts by the same rules in both
shapes and in spreadsheets (``split_recommendation_text``); owners are split at "/",
";" and line breaks (``split_owners``). Anything that cannot be placed is a Problem
naming its line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from tracker.columns import FIELD_WORDS, REQUIRED, is_header_row, match_columns
from tracker.parsed import ParsedRecommendation, ParseResult, Problem
from tracker.text import normalise
from tracker.timescales import parse_timescale

EXPECTED_SHAPE = (
    "Start each recommendation on a new line with its number (for example “R01 That the Council …”), "
    "with “Responsibility:” and “Date:” lines after its text, or paste the rows of a table with the "
    "columns No., Recommendation, Responsibility and Date."
)

# What may follow a number: the end of the line, a space or the punctuation after it.
_AFTER_NUMBER = r"(?=$|[\s.:)–—-])"
_SENTENCE_OPENERS = r"(?!(?:That|The|This|These|Those|See|In|As|At|Under|Following|Further|All|Each)\b)"
# Words of a task group's or review's name before "Rec": capitalised, or small joining words.
_NAME_WORD = r"(?:[A-Z0-9][\w&'’()-]*|and|of|for|the|on|in|to|&)"
# Numbers that start a recommendation wherever they appear; "1." only when the paste numbers that way.
_NUMBERS = [
    re.compile(rf"(?P<number>R\s?\d+[A-Za-z]?){_AFTER_NUMBER}"),
    re.compile(rf"(?P<number>{_SENTENCE_OPENERS}(?:{_NAME_WORD}\s+){{0,12}}?"
               rf"Rec(?:ommendation)?\.?\s*(?:No\.?\s*)?\d+(?:\.\d+)*[A-Za-z]?){_AFTER_NUMBER}"),
    re.compile(rf"(?P<number>[A-Z]{{1,6}}\s*\(\d{{2,4}}\s*/\s*\d{{2,4}}\)\s*\d+[A-Za-z]?){_AFTER_NUMBER}"),
]
_PLAIN_NUMBER = re.compile(r"(?P<number>\d{1,3})[.)](?=\s|$)")
# A table's own short reference in the number column: "LR1", "TG2-3", "4.2".
_CODE = re.compile(r"[A-Za-z]{0,6}[\s.-]?\d+(?:[./-]\d+)*[A-Za-z]?\.?")
_REST = re.compile(r"^[\s.:)–—-]+")

_OWNER_FIELD = re.compile(r"^(?:Responsibility|Responsible(?: officer)?|Lead(?: officer| member)?|Owners?)"
                          r"\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_DATE_FIELD = re.compile(r"^(?:Date|Timescales?|Original date for completion|Completion date|Target date|Due date)"
                         r"\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_THEME_FIELD = re.compile(r"^Theme\s*:\s*(?P<value>.*)$", re.IGNORECASE)

# A labelled sub-part: a) (a) A) i) (iv) a. iv. 1) (1) 1. — the label may stand alone on its line.
_ROMAN = r"(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})"  # i to xxxix, so a wrapped "civil)" is not a label
_LABEL = re.compile(rf"^(?P<label>\(?[A-Za-z]\)|\(?{_ROMAN}\)|\(?\d{{1,2}}\)|[a-z]\.(?=\s|$)|{_ROMAN}\.(?=\s|$)"
                    r"|\d{1,2}\.(?=\s|$))\s*(?P<text>.*)$")
# A bullet: • and the PDF's private-use bullet need no space after them; - * – need one.
_BULLET = re.compile(r"^(?:[•\uf0b7·▪●◦■]|[-*–—](?=\s))\s*(?P<text>.*)$")
_OWNER_SEPARATORS = "/;\n"


def parse_recommendations(text: str) -> ParseResult:
    """Read recommendations pasted by the scrutiny office, in either shape (see the module's rules).

    Every recommendation that could be read is returned with the problems, so the
    preview can show both; a paste with no recognisable recommendation gives one
    problem saying what shape is expected.
    """
    text = normalise(text or "")
    rows = _table_rows(text)
    if rows is not None:
        recommendations, problems = _read_table(rows)
    else:
        recommendations, problems = _read_printed(text.split("\n"))
    problems += duplicate_numbers([(r.number, r.source_row) for r in recommendations], "line")
    if not recommendations and not problems:
        problems.append(Problem(f"No recommendations were found. {EXPECTED_SHAPE}"))
    return ParseResult(recommendations=recommendations, problems=problems)


# Shared with tracker.spreadsheet ---------------------------------------------------------


def split_recommendation_text(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A recommendation's text as (lead, sub-parts), the way the report prints it.

    Lines starting "a)", "(a)", "i)", "(iv)", "1." are labelled sub-parts; lines starting
    "•", "-", "*", "–" or the PDF bullet glyph are bullets (label ""); any other line
    continues the part before it, as PDF and Word wrap lines (joined with one space).
    Text before the first sub-part is the lead; blank lines are dropped.
    """
    lead: list[str] = []
    sub_parts: list[tuple[str, list[str]]] = []
    for line in normalise(text or "").split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        label, rest = _sub_part(line)
        if label is not None:
            sub_parts.append((label, [rest] if rest else []))
        elif sub_parts:
            sub_parts[-1][1].append(line)
        else:
            lead.append(line)
    return _joined(lead), [(label, _joined(lines)) for label, lines in sub_parts]


def split_owners(text: str) -> list[str]:
    """The owners in a responsibility cell: one per "/", ";" or line, trimmed, in order, once each.

    Commas and brackets stay inside an owner: "Quartet: [Leader, Cabinet Member for
    Children’s Services, Chief Executive …]" is one owner, and a "/" inside brackets
    does not split it.
    """
    owners, current, depth = [], [], 0
    for character in normalise(text or ""):
        if character in "([":
            depth += 1
        elif character in ")]":
            depth = max(depth - 1, 0)
        if character in _OWNER_SEPARATORS and depth == 0:
            owners.append("".join(current))
            current = []
        else:
            current.append(character)
    owners.append("".join(current))
    cleaned = (_BULLET.sub(r"\g<text>", " ".join(owner.split())) for owner in owners)
    return list(dict.fromkeys(owner for owner in cleaned if owner))


def duplicate_numbers(numbered: list[tuple[str, int | None]], place: str, column: str = "") -> list[Problem]:
    """A problem for each number used again, naming both places ("lines 3 and 9", "rows 5 and 12").

    "R4" and "R04", or "rec 1" and "Rec 1", count as the same number.
    """
    first_seen: dict[str, int | None] = {}
    problems = []
    for number, where in numbered:
        key = number_key(number)
        if key not in first_seen:
            first_seen[key] = where
            continue
        in_column = f", column “{column}”" if column else ""
        problems.append(Problem(
            f"{place.capitalize()}s {first_seen[key]} and {where}{in_column}: {number} is used twice. "
            "Give each recommendation its own number.", row=where, column=column))
    return problems


def number_key(number: str) -> str:
    """A number as compared for duplicates: case, spacing and leading zeros ignored."""
    return re.sub(r"(?<!\d)0+(?=\d)", "", " ".join(number.upper().split()))


def clean(value: object) -> str:
    """A cell's or a line's text as stored: normalised and trimmed."""
    return normalise(str(value if value is not None else "")).strip()


def _sub_part(line: str) -> tuple[str | None, str]:
    """(label, text) when the line starts a sub-part ("" for a bullet); (None, line) otherwise."""
    bullet = _BULLET.match(line)
    if bullet:
        return "", bullet.group("text")
    labelled = _LABEL.match(line)
    if labelled:
        return labelled.group("label"), labelled.group("text")
    return None, line


def _joined(lines: list[str]) -> str:
    """Wrapped lines put back together with one space; a word broken at a hyphen is rejoined."""
    text = ""
    for line in lines:
        if not text:
            text = line
        elif re.search(r"[^\W\d_]-$", text):
            text += line
        else:
            text += " " + line
    return text.strip()


def _recommendation(number: str, text: str, owners: str, timescale: str, row: int | None,
                    theme: str = "") -> tuple[ParsedRecommendation, list[str]]:
    """One recommendation from its number, text, responsibility and date as written,
    with the date's problems (sentences without a place: the caller names it)."""
    lead, sub_parts = split_recommendation_text(text)
    timescale = clean(timescale)
    milestones, date_problems = parse_timescale(timescale)
    recommendation = ParsedRecommendation(
        number=clean(number), lead=lead, sub_parts=sub_parts, owners=split_owners(owners), timescale=timescale,
        milestones=milestones, theme=clean(theme), source_row=row)
    return recommendation, date_problems


# (a) rows copied from a table ---------------------------------------------------------------


@dataclass
class _Row:
    line: int
    cells: list[str]
    heading: bool = False
    theme: str = ""


def _table_rows(text: str) -> list[_Row] | None:
    """The pasted rows when the paste is a table (a header row, or rows of three cells or more)."""
    if "\t" not in text:
        return None
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    rows = []
    line = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append(_Row(line, cells))
        line = reader.line_num + 1
    if not rows or not any(len(row.cells) >= 3 or is_header_row(row.cells) for row in rows):
        return None
    return rows


def _read_table(rows: list[_Row]) -> tuple[list[ParsedRecommendation], list[Problem]]:
    """Rows of No. | Recommendation | Responsibility | Date, or in the order a header row gives."""
    problems: list[Problem] = []
    headers = ["No.", "Recommendation", "Responsibility", "Date"]
    columns = {field: index for index, field in enumerate(REQUIRED)}
    width = max([len(headers)] + [len(row.cells) for row in rows])
    header_at = next((index for index, row in enumerate(rows[:5]) if is_header_row(row.cells)), None)
    if header_at is not None:
        header = rows[header_at]
        del rows[: header_at + 1]  # a title copied above the header is not a recommendation
        headers = [clean(cell) for cell in header.cells]
        columns = match_columns(header.cells)
        width = len(header.cells)
        missing = [FIELD_WORDS[field] for field in ("number", "recommendation") if field not in columns]
        if missing:
            problems.append(Problem(f"Line {header.line}: the header row has no {' or '.join(missing)} column. "
                                    "Name the columns No., Recommendation, Responsibility and Date.", row=header.line))
            return [], problems
    recommendations = []
    for row in _whole_rows(rows, width, date_is_last=columns.get("date") == width - 1):
        if row.heading:
            continue
        cells = row.cells + [""] * (width - len(row.cells))
        value = {field: cells[index] if index < len(cells) else "" for field, index in columns.items()}
        recommendation, row_problems = _table_recommendation(row, value, headers, columns)
        problems += row_problems
        if recommendation:
            recommendations.append(recommendation)
    return recommendations, problems


def _whole_rows(rows: list[_Row], width: int, date_is_last: bool) -> list[_Row]:
    """Rows put back together where Word broke a cell's lines into separate pasted lines.

    A new row starts at a line whose first cell is a recommendation number, or at a line
    of several cells after a row that has all its cells; any other line goes on with the
    row before it. A line of words alone after a whole row is a theme heading (a merged
    row in the report's table) unless it goes on with a date in the last column.
    """
    whole: list[_Row] = []
    theme = ""
    for row in rows:
        last = whole[-1] if whole and not whole[-1].heading else None
        complete = last is not None and len(last.cells) >= width
        if last is None or _starts_with_number(row.cells) or (complete and len(row.cells) > 1):
            if _is_heading(row.cells):
                theme = clean(row.cells[0])
                whole.append(_Row(row.line, [], heading=True))
            else:
                whole.append(_Row(row.line, list(row.cells), theme=theme))
        elif complete and _is_heading(row.cells) and not (date_is_last and _looks_like_a_date(row.cells[0])):
            theme = clean(row.cells[0])
            whole.append(_Row(row.line, [], heading=True))
        else:
            last.cells[-1] += "\n" + row.cells[0]
            last.cells.extend(row.cells[1:])
    return whole


def _starts_with_number(cells: list[str]) -> bool:
    """True when a pasted line's first cell is a recommendation number and nothing else, with more cells after it."""
    first = " ".join(cells[0].split())
    if len(cells) < 2 or not first:
        return False
    number, rest = _number_at_start(first, plain_numbers=True)
    return (bool(number) and not rest) or bool(_CODE.fullmatch(first))


def _is_heading(cells: list[str]) -> bool:
    """True for words in the first cell only, not starting with a number: "B Policies and Procedures"."""
    first = " ".join(cells[0].split())
    return (bool(first) and " " in first and not any(cell.strip() for cell in cells[1:])
            and not _number_at_start(first, plain_numbers=True)[0])


def _table_recommendation(row: _Row, value: dict[str, str], headers: list[str],
                          columns: dict[str, int]) -> tuple[ParsedRecommendation | None, list[Problem]]:
    """One pasted table row, or the problems that stop it being read."""
    def column(field: str) -> str:
        index = columns.get(field)
        return headers[index] if index is not None and index < len(headers) else ""

    line = row.line
    number, text = clean(value.get("number")), clean(value.get("recommendation"))
    if not number:
        return None, [Problem(f"Line {line}, column “{column('number')}”: there is no number. "
                              "Give the recommendation its number.", row=line, column=column("number"))]
    if not text:
        return None, [Problem(f"{number} (line {line}, column “{column('recommendation')}”) has no text. "
                              "Add the recommendation's words.", row=line, column=column("recommendation"))]
    recommendation, date_problems = _recommendation(number, text, value.get("responsibility", ""),
                                                    value.get("date", ""), line,
                                                    theme=value.get("theme") or row.theme)
    recommendation.evidence = clean(value.get("evidence"))
    recommendation.category = clean(value.get("category"))
    problems = [Problem(f"{number} (line {line}, column “{column('date')}”): {message}", row=line,
                        column=column("date")) for message in date_problems]
    return recommendation, problems


# (b) text as printed -------------------------------------------------------------------------


@dataclass
class _Block:
    """The lines of one printed recommendation, sorted by what they hold."""

    number: str
    line: int
    theme: str
    text: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    reading: str = "text"  # which of the three the next plain line continues


def _read_printed(lines: list[str]) -> tuple[list[ParsedRecommendation], list[Problem]]:
    """Recommendations printed one after another, each starting with its number."""
    blocks: list[_Block] = []
    problems: list[Problem] = []
    theme = ""
    plain_numbers = True  # "1." starts a recommendation only while the paste numbers that way
    for line_number, line in enumerate(lines, start=1):
        line = " ".join(line.split())
        if not line:
            continue
        block = blocks[-1] if blocks else None
        theme_field = _THEME_FIELD.match(line)
        if theme_field:
            theme = theme_field.group("value")
            if block and not block.text:
                block.theme = theme
            continue
        number, rest = _number_at_start(line, plain_numbers)
        if number:
            if not blocks:
                plain_numbers = bool(_PLAIN_NUMBER.match(line))
            blocks.append(_Block(number, line_number, theme, text=[rest] if rest else []))
        elif block is None:
            problems.append(Problem(f"Line {line_number}: “{_short(line)}” comes before the first recommendation "
                                    "number, so it could not be placed. Delete it, or start it with the "
                                    "recommendation's number.", row=line_number))
        else:
            problem = _place_line(block, line, line_number)
            if problem:
                problems.append(problem)
    if not blocks:
        return [], []  # nothing recognisable: the caller says what shape is expected
    recommendations = []
    for block in blocks:
        recommendation, problem = _printed_recommendation(block)
        recommendations.append(recommendation)
        problems += problem
    return recommendations, problems


def _number_at_start(line: str, plain_numbers: bool) -> tuple[str, str]:
    """(number as written, the text after it) when the line starts a recommendation, else ("", line)."""
    patterns = _NUMBERS + ([_PLAIN_NUMBER] if plain_numbers else [])
    for pattern in patterns:
        match = pattern.match(line)
        if match:
            return match.group("number"), _REST.sub("", line[match.end():])
    return "", line


def _place_line(block: _Block, line: str, line_number: int) -> Problem | None:
    """Put a line after a number into the text, the owners or the date; a problem if it fits none."""
    owners, date = _OWNER_FIELD.match(line), _DATE_FIELD.match(line)
    if owners or date:
        block.reading = "owners" if owners else "dates"
        value = (owners or date).group("value")
        if value:
            getattr(block, block.reading).append(value)
    elif block.reading == "text":
        block.text.append(line)
    elif block.reading == "owners":
        block.owners.append(line)
    elif _looks_like_a_date(line):
        block.dates.append(line)
    else:
        return Problem(f"Line {line_number}: “{_short(line)}” comes after the date of {block.number}, so it could "
                       "not be placed. Move it into the recommendation's text, or start it with a number.",
                       row=line_number)
    return None


def _looks_like_a_date(line: str) -> bool:
    """True when a line after a "Date:" line goes on with the date ("July 2015 – Changes sustained")."""
    milestones, problems = parse_timescale(line)
    return bool(problems) or any(milestone.due_date or milestone.kind == "ongoing" for milestone in milestones)


def _printed_recommendation(block: _Block) -> tuple[ParsedRecommendation, list[Problem]]:
    """One printed recommendation from its block of lines, with its problems."""
    recommendation, date_problems = _recommendation(
        block.number, "\n".join(block.text), "\n".join(block.owners), "\n".join(block.dates), block.line,
        theme=block.theme)
    problems = [Problem(f"{block.number} (line {block.line}): {message}", row=block.line) for message in date_problems]
    if not recommendation.lead and not recommendation.sub_parts:
        problems.append(Problem(f"{block.number} (line {block.line}) has no text. Put the recommendation's words "
                                "after its number.", row=block.line))
    return recommendation, problems


def _short(line: str, length: int = 60) -> str:
    """The start of a line, for a message."""
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"
