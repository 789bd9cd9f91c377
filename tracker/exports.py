"""The tracker as a spreadsheet: an Excel workbook (.xlsx) or a CSV file, one row per recommendation.

The rows come from ``selectors.tracker_rows`` (filtered as the recommendations list is); this
module words them and writes the file:

- the text is the lead, then each sub-part on its own line after its label, with each
  footnote's text in brackets where its marker stood;
- dates are real Excel dates shown "1 July 2015" in the workbook, and ISO (2015-07-01) in
  the CSV, which starts with a byte-order mark so that Excel reads it as UTF-8;
- a text that begins like a formula (=, +, -, @) is never run as one: the workbook stores it
  as text (with Excel's own quote prefix), the CSV puts an apostrophe before it;
- the workbook is written row by row (openpyxl's write-only mode) and the CSV streamed, so a
  long tracker needs little memory.
"""

from __future__ import annotations

import csv
import datetime
import re
import warnings
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from tracker.selectors import TrackerRow

FOOTNOTE_MARKER = re.compile(r"\s?\[\^(\d+)\]")
# What Excel and other spreadsheets take as the start of a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_DATE = "d mmmm yyyy"
SHEET_TITLE = "Recommendations"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Column:
    header: str
    width: int  # in characters, as Excel measures a column
    is_date: bool = False
    wrap: bool = False


COLUMNS = (
    Column("Committee", 28, wrap=True),
    Column("Inquiry", 32, wrap=True),
    Column("No.", 10),
    Column("Recommendation", 80, wrap=True),
    Column("Owners", 32, wrap=True),
    Column("Original timescale", 20, wrap=True),
    Column("Original completion date", 18, is_date=True),
    Column("Date in force", 18, is_date=True),
    Column("Category in force", 12),
    Column("Category name", 30, wrap=True),
    Column("Latest anticipated date", 18, is_date=True),
    Column("Date of the latest evidence", 18, is_date=True),
    Column("Status", 30, wrap=True),
)
HEADERS = [column.header for column in COLUMNS]


def day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def with_footnotes(text: str, footnotes: dict[int, str]) -> str:
    """The text with each [^N] marker replaced by its footnote's text in brackets (a marker
    with no footnote is dropped)."""
    def note(match):
        found = footnotes.get(int(match.group(1)))
        return f" ({found})" if found else ""

    return FOOTNOTE_MARKER.sub(note, text)


def recommendation_text(row: TrackerRow) -> str:
    """The lead, then each sub-part on its own line after its label ("•" for a bullet)."""
    lines = [row.lead] + [f"{label or '•'} {text}" for label, text in row.sub_parts]
    return "\n".join(with_footnotes(line, row.footnotes) for line in lines if line)


def status(row: TrackerRow) -> str:
    if row.concluded:
        return f"Concluded on {day(row.concluded_on)}" if row.concluded_on else "Concluded (meeting date not recorded)"
    if row.withdrawn_on is not None:
        return f"Withdrawn on {day(row.withdrawn_on)}"
    return "Still tracked"


def values(row: TrackerRow) -> list:
    """The row's cells in COLUMNS' order: text, dates (datetime.date) or None."""
    return [
        row.committee,
        row.inquiry,
        row.number,
        recommendation_text(row),
        "\n".join(row.owners),
        row.original_timescale,
        row.original_completion_date,
        row.date_in_force,
        row.category_code,
        row.category_label,
        row.anticipated_date,
        row.latest_evidence_on,
        status(row),
    ]


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


# --- Excel ------------------------------------------------------------------------------------


def write_xlsx(rows: Iterable[TrackerRow], out: IO[bytes], *, council_name: str) -> int:
    """Write the workbook to ``out``; return how many recommendations it holds."""
    book = Workbook(write_only=True)
    book.properties.title = f"{council_name} recommendations" if council_name else "Recommendations"
    book.properties.creator = council_name or "Scrutiny tracker"
    sheet = book.create_sheet(SHEET_TITLE)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold, top = Font(bold=True), Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.alignment = bold, wrapped
        header.append(cell)
    sheet.append(header)
    # Each column's style worked out once and copied to its cells (openpyxl would otherwise look
    # the style up again for every cell: most of the time a long workbook takes).
    styles = []
    for column in COLUMNS:
        template = WriteOnlyCell(sheet)
        template.alignment = wrapped if column.wrap else top
        if column.is_date:
            template.number_format = EXCEL_DATE
        styles.append(template._style)
    count = 0
    for row in rows:
        count += 1
        cells = []
        for style, value in zip(styles, values(row), strict=True):
            cell = WriteOnlyCell(sheet)
            cell._style = copy(style)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.value = value
                if looks_like_formula(value):
                    # Stored as text, marked as Excel marks text typed after an apostrophe.
                    cell.data_type, cell.quotePrefix = "s", True
            else:
                cell.value = value
            cells.append(cell)
        sheet.append(cells)
    # A table over the header and the rows: screen readers announce the headers, Excel offers filters.
    last = f"{get_column_letter(len(COLUMNS))}{count + 1 if count else 2}"
    if not count:
        sheet.append([None] * len(COLUMNS))  # a table needs a row under its header
    table = Table(
        displayName="Recommendations", ref=f"A1:{last}", autoFilter=AutoFilter(ref=f"A1:{last}"),
        tableColumns=[TableColumn(id=index, name=name) for index, name in enumerate(HEADERS, start=1)],
    )
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    with warnings.catch_warnings():  # openpyxl warns that write-only tables need their columns: given above
        warnings.simplefilter("ignore", UserWarning)
        sheet.add_table(table)
    book.save(out)
    return count


# --- CSV --------------------------------------------------------------------------------------


class _Line:
    """A file-like object that hands back what csv.writer writes, one line at a time."""

    def write(self, text: str) -> str:
        return text


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def csv_lines(rows: Iterable[TrackerRow]) -> Iterator[str]:
    """The CSV, a line at a time: a byte-order mark and the header, then a line per recommendation."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(HEADERS)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in values(row)])


def file_name(council_name: str, today: datetime.date, extension: str) -> str:
    """"Anytown Borough Council recommendations 2026-11-25.xlsx": the council's name with only
    characters every system allows in a file name."""
    name = " ".join(re.sub(r"[^\w .,&()'-]", " ", council_name or "").split())
    stem = f"{name} recommendations" if name else "Recommendations"
    return f"{stem} {today.isoformat()}.{extension}"
