"""The annual impact report as a section to paste into the annual scrutiny report: a PDF (laid out by
the pack's one WeasyPrint call, tagged PDF/UA-1) and a Word document.

The Word document holds the figures as tables, not the chart as a picture: nothing here turns SVG into
an image Word can show (WeasyPrint makes PDF only), and a table is what Word's accessibility checker
and a screen reader read best. The committee's "In figures" table is the chart's data in the shape
Word's Insert › Chart takes, for a clerk who wants a chart in the annual report.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tracker import impact
from tracker.pack.render import html_to_pdf

STYLESHEET = Path(settings.BASE_DIR) / "static" / "pack" / "impact.css"

COLUMNS = ["Inquiry", "Made", "Accepted", "Achieved on time", "Achieved late", "Not achieved", "Withdrawn",
           "Median time to conclude"]


def render_html(report: impact.ImpactReport, council) -> str:
    """The report as one self-contained HTML document (stylesheet inlined), as WeasyPrint lays it out."""
    return render_to_string("impact/report.html", {
        "report": report, "title": report.title, "rules": impact.RULES, "council": council,
        "stylesheet": mark_safe(STYLESHEET.read_text(encoding="utf-8")),
    })


def to_pdf(report: impact.ImpactReport, council) -> bytes:
    pdf, _ = html_to_pdf(render_html(report, council))
    return pdf


def _figures(figures: impact.Figures) -> list[str]:
    return [str(figures.made), str(figures.accepted), str(figures.on_time), str(figures.late),
            str(figures.not_achieved), str(figures.withdrawn), figures.median_in_words]


def _repeat_as_header(row) -> None:
    """Mark a table's first row as its header row (w:tblHeader): Word repeats it on each page and
    reads it to a screen reader as the columns' headings."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document, headings: list[str], rows: list[list[str]], *, total: list[str] | None = None):
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _repeat_as_header(table.rows[0])
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
    for values in rows + ([total] if total else []):
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            run = cell.paragraphs[0].add_run(value)
            run.bold = total is not None and values is total
            if 0 < index < len(values) - 1 or (len(headings) == 2 and index == 1):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _caption(document, words: str) -> None:
    paragraph = document.add_paragraph(style="Caption")
    paragraph.add_run(words)


def to_docx(report: impact.ImpactReport, council) -> bytes:
    """The report as a Word document: heading styles, tables with their header rows marked, British English."""
    document = Document()
    document.core_properties.title = report.title
    document.core_properties.author = council.name or council.scrutiny_office_name
    document.core_properties.language = "en-GB"
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "en-GB")
    document.styles["Normal"].element.get_or_add_rPr().append(language)

    document.add_heading(report.title, level=1)
    document.add_paragraph(report.covers)
    for line in impact.RULES:
        document.add_paragraph(line)
    for item in report.committees:
        document.add_heading(item.committee.name, level=2)
        if item.rows:
            _caption(document, f"Recommendations by inquiry, {item.committee.name}, {report.year.name}")
            _table(
                document, COLUMNS,
                [[row.title + (f" (reported {row.reported_on:%-d %B %Y})" if row.reported_on else ""),
                  *_figures(row.figures)] for row in item.rows],
                total=["Total", *_figures(item.total)],
            )
            document.add_heading("In figures", level=3)
            _caption(document, f"Recommendations of the {item.committee.name}, {report.year.name}")
            _table(document, ["Recommendations", "Number"],
                   [[bar.label, str(bar.count)] for bar in item.total.bars])
        else:
            document.add_paragraph("Nothing was reported, concluded or withdrawn in this year.")
        if item.undated_inquiries:
            count = item.undated_inquiries
            document.add_paragraph(
                f"{count} inquir{'y has' if count == 1 else 'ies have'} no report date recorded, so "
                f"{'its' if count == 1 else 'their'} recommendations are not counted as made in any year."
            )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
