"""A council's existing tracker spreadsheet, read into recommendations.

The scrutiny office uploads the tracker it keeps today, an Excel workbook (.xlsx) or a
CSV file (.csv). The rules:

- the table is on the first worksheet that has a header row (else the first worksheet);
- the header row is found among the first 15 rows (titles often sit above the table),
  by the column names councils use (``tracker.columns``); the number, recommendation,
  responsibility and date columns are required, theme, progress and category are read
  when present;
- blank rows are skipped; every other row is one recommendation, its text split into a
  lead and sub-parts and its owners split as in a paste (``tracker.paste``);
- a date cell that Excel holds as a date is that day, or that month's last day when the
  cell shows only the month ("Dec-17"); a date written as text is read by
  ``tracker.timescales``;
- every row is checked and every problem collected, each naming its row (as the
  spreadsheet numbers it) and its column (by its header), so the office can correct the
  file in one go; the caller saves nothing while there is a problem;
- a file of another type, or one that is not what its name says, is one problem saying
  which file types are accepted: never an exception.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tracker.columns import COLUMN_NAMES, FIELD_WORDS, REQUIRED, is_header_row, match_columns, names_for
from tracker.parsed import ParsedMilestone, ParsedRecommendation, ParseResult, Problem
from tracker.paste import clean, duplicate_numbers, split_owners, split_recommendation_text
from tracker.timescales import parse_timescale

ACCEPTED = "an Excel workbook (.xlsx) or a CSV file (.csv)"
HEADER_SEARCH_ROWS = 15
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
_FORMAT_NOISE = re.compile(r'".*?"|\[[^\]]*\]|\\.')


@dataclass
class _Cell:
    """A cell's value as the file holds it, and whether Excel shows its day."""

    value: object
    shows_day: bool = True


@dataclass
class _Sheet:
    """The rows of one table: (row number as the spreadsheet shows it, cells)."""

    rows: list[tuple[int, list[_Cell]]]


def read_tracker(file, filename: str) -> ParseResult:
    """Read the tracker spreadsheet the scrutiny office uploaded (see the module's rules).

    ``file`` is an uploaded file, any binary file object, bytes, or a path; ``filename``
    is the name it was uploaded with, whose extension decides how it is read.
    """
    extension = Path(filename or "").suffix.lower()
    if extension not in (".xlsx", ".csv"):
        return _refused(f"“{filename}” is not a file type this can read. Upload {ACCEPTED}; "
                        "in Excel, use File, Save As and choose “Excel Workbook” or “CSV”.")
    data = _read_bytes(file)
    if not data.strip():
        return _refused(f"“{filename}” is empty. Upload {ACCEPTED} with the recommendations in it.")
    sheet = _xlsx_sheet(data) if extension == ".xlsx" else _csv_sheet(data)
    if sheet is None:
        kind = "an Excel workbook" if extension == ".xlsx" else "a CSV file"
        return _refused(f"“{filename}” could not be read as {kind}, although its name ends “{extension}”. "
                        f"Upload {ACCEPTED}: open the file in Excel and save it again as one of those.")
    return _read_sheet(sheet)


def _refused(message: str) -> ParseResult:
    return ParseResult(recommendations=[], problems=[Problem(message)])


def _read_bytes(file) -> bytes:
    """The uploaded file's bytes, whatever form the caller has it in."""
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if isinstance(file, str | os.PathLike):
        return Path(file).read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


# Reading the file ----------------------------------------------------------------------


def _xlsx_sheet(data: bytes) -> _Sheet | None:
    """The worksheet holding the table (the first with a header row, else the first), or None
    when the file is not a workbook."""
    import openpyxl  # only uploads of workbooks need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError):
        return None  # not a zip at all: a text file or an old .xls renamed
    except Exception:  # a zip that is not a workbook, or a damaged one: openpyxl raises many kinds
        return None
    try:
        sheets = [sheet for sheet in workbook.worksheets if hasattr(sheet, "iter_rows")]
        if not sheets:
            return None
        chosen = next((sheet for sheet in sheets if _has_header(sheet)), sheets[0])
        chosen.reset_dimensions()  # some programs write wrong dimensions; read every row there is
        return _Sheet([(number, [_xlsx_cell(cell) for cell in row])
                       for number, row in enumerate(chosen.iter_rows(min_row=1), start=1)])
    except Exception:  # a damaged sheet inside a real zip
        return None
    finally:
        workbook.close()


def _has_header(worksheet) -> bool:
    rows = worksheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True)
    return any(is_header_row(row) for row in rows)


def _xlsx_cell(cell) -> _Cell:
    """A workbook cell; a date shown as a month only ("mmm-yy") means that month."""
    value = getattr(cell, "value", None)
    if isinstance(value, datetime.date):
        return _Cell(value, shows_day=_format_shows_day(getattr(cell, "number_format", None)))
    return _Cell(value)


def _format_shows_day(number_format: str | None) -> bool:
    """True unless the cell's number format shows no day ("mmm-yy", "mmmm yyyy")."""
    if not number_format or number_format == "General":
        return True
    shown = _FORMAT_NOISE.sub("", number_format.split(";")[0])
    return "d" in shown.lower()


def _csv_sheet(data: bytes) -> _Sheet | None:
    """The CSV's rows, or None when the bytes are not text. Excel saves "CSV" in Windows-1252,
    "CSV UTF-8" with a byte-order mark; a semicolon or tab between cells is read too."""
    text = _decode(data)
    if text is None:
        return None
    best = None
    for delimiter in (",", ";", "\t"):
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        sheet = _Sheet([(number, [_Cell(value) for value in row]) for number, row in enumerate(rows, start=1)])
        if any(is_header_row([cell.value for cell in cells]) for _, cells in sheet.rows[:HEADER_SEARCH_ROWS]):
            return sheet
        best = best or sheet
    return best


def _decode(data: bytes) -> str | None:
    """The file's text: UTF-16 with its mark, UTF-8 (with or without a mark), else Windows-1252;
    None when it holds bytes no text file has."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text)) <= len(text) // 100:  # a stray character from a paste, not a binary file
            return text
        return None
    return None


# Reading the table -----------------------------------------------------------------------


def _read_sheet(sheet: _Sheet) -> ParseResult:
    """Find the header, then read every row below it, collecting every problem."""
    header_at = next((index for index, (_, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS])
                      if is_header_row([cell.value for cell in cells])), None)
    if header_at is None:
        return _refused(f"No header row was found in the first {HEADER_SEARCH_ROWS} rows. The table needs a row "
                        f"naming its columns: {_column_help(REQUIRED)}.")
    header_row, header_cells = sheet.rows[header_at]
    headers = [clean(cell.value) for cell in header_cells]
    columns = match_columns(headers)
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        return _refused(f"Row {header_row}: there is no column for the {_or(missing)}. Name "
                        f"{'it' if len(missing) == 1 else 'them'} in the header row: {_column_help(missing)}.")
    recommendations, problems = [], []
    for row_number, cells in sheet.rows[header_at + 1:]:
        if all(_blank(cell.value) for cell in cells):
            continue
        recommendation, row_problems = _read_row(row_number, cells, columns, headers)
        problems += row_problems
        if recommendation:
            recommendations.append(recommendation)
    problems += duplicate_numbers([(r.number, r.source_row) for r in recommendations], "row",
                                  column=headers[columns["number"]])
    if not recommendations and not problems:
        problems.append(Problem(f"Row {header_row} names the columns, but no recommendation is listed under it.",
                                row=header_row))
    return ParseResult(recommendations=recommendations, problems=problems)


def _read_row(row_number: int, cells: list[_Cell], columns: dict[str, int],
              headers: list[str]) -> tuple[ParsedRecommendation | None, list[Problem]]:
    """One row of the tracker as a recommendation, or the problems that stop it being one."""
    def cell(field: str) -> _Cell:
        index = columns.get(field)
        return cells[index] if index is not None and index < len(cells) else _Cell(None)

    def problem(field: str, message: str) -> Problem:
        header = headers[columns[field]]
        return Problem(f"Row {row_number}, column “{header}”: {message}", row=row_number, column=header)

    number, text = _text(cell("number").value), _text(cell("recommendation").value)
    if not number and not text:
        return None, [problem("number", "there is no number and no recommendation. Fill them in, or delete the row.")]
    if not number:
        return None, [problem("number", "there is no number. Give the recommendation its number, or delete the row.")]
    if not text:
        return None, [problem("recommendation", f"{number} has no recommendation text. Add its words, or delete "
                                                "the row.")]
    lead, sub_parts = split_recommendation_text(text)
    timescale, milestones, date_problems = _date(cell("date"))
    recommendation = ParsedRecommendation(
        number=number, lead=lead, sub_parts=sub_parts, owners=split_owners(_text(cell("responsibility").value)),
        timescale=timescale, milestones=milestones, theme=_text(cell("theme").value),
        evidence=_text(cell("evidence").value), category=_text(cell("category").value), source_row=row_number)
    return recommendation, [problem("date", message) for message in date_problems]


def _date(cell: _Cell) -> tuple[str, list[ParsedMilestone], list[str]]:
    """The date cell as (timescale as written, milestones, problems): an Excel date is that day
    (the month's last day when the cell shows only the month); text is read as a timescale."""
    value = cell.value
    if isinstance(value, datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        month = calendar.month_name[day.month]
        if not cell.shows_day:
            last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
            return f"{month} {day.year}", [ParsedMilestone("completion", last)], []
        return f"{day.day} {month} {day.year}", [ParsedMilestone("completion", day)], []
    timescale = _text(value)
    milestones, problems = parse_timescale(timescale)
    return timescale, milestones, problems


def _text(value: object) -> str:
    """A cell as text: numbers as Excel shows them ("1", not "1.0"), text normalised and trimmed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        value = f"{day.day} {calendar.month_name[day.month]} {day.year}"
    return clean(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _or(fields: list[str]) -> str:
    words = [FIELD_WORDS[field] for field in fields]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _column_help(fields) -> str:
    """The header names recognised for each field, for a message."""
    return "; ".join(f"for the {FIELD_WORDS[field]}, {names_for(field)}" for field in fields if field in COLUMN_NAMES)
