"""The meeting pack (and its supplement) as a Word document, for clerks who edit it.

The same ``Pack`` that the PDF is laid out from (``pack_for``), printed in the PDF's order
and words (templates/pack/pack.html and its includes): the cover report(s), Appendix 1,
Appendix 2 by theme and Appendix 3. Writing the document runs no queries.

Made to pass Word's accessibility checker: real heading styles in order (Heading 1 for a
report, 2 for its parts, 3 and 4 below), the document's title and language (en-GB on the
styles), tables with a header row that repeats on each page, a caption and a description,
and no cells merged for layout, alt text on the council's logo, links that read as the
address they go to, Arial throughout in black. Footnotes are Word's own footnotes, at the
bottom of the page that cites them, as in the PDF.
"""

from __future__ import annotations

import io

from django.utils import dateformat, timezone
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from tracker import cycle
from tracker.attachments import described
from tracker.models import Meeting
from tracker.pack.context import Pack, PackRecommendation, PackReport, Supplement, pack_for, supplement_for
from tracker.templatetags.pack_tags import FOOTNOTE_MARKER, evidence_blocks, link_segments

FONT = "Arial"  # as the PDF (static/pack/pack.css)
LANGUAGE = "en-GB"
BLACK = RGBColor(0, 0, 0)
LINK_BLUE = RGBColor(0x1D, 0x70, 0xB8)  # GOV.UK link colour: 5:1 on white
HANGING = Mm(8)  # a label ("1.", "a)", "•") hangs in the margin of its text
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def long_date(value) -> str:
    """"10 February 2016", as the PDF's templates print a date ({{ d|date:"j F Y" }})."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, "j F Y")


def build_pack_docx(meeting: Meeting) -> bytes:
    """Read the meeting's pack (``pack_for``) and write it as a .docx."""
    return pack_docx(pack_for(meeting))


def build_supplement_docx(meeting: Meeting) -> bytes:
    """Read the meeting's supplement (``supplement_for``) and write it as a .docx."""
    return supplement_docx(supplement_for(meeting))


def pack_docx(pack: Pack) -> bytes:
    """The pack as a .docx (no queries: everything comes from ``pack``)."""
    writer = _Writer(
        title=pack.title,
        author=pack.council.name or pack.committee.name,
        subject=f"Progress with the recommendations of overview and scrutiny inquiries, for the meeting of the "
                f"{pack.committee.name}: {pack.meeting.date_display}.",
        running_header=pack.running_header,
    )
    for index, report in enumerate(pack.reports):
        _PackReportWriter(writer, pack, report).write(first=index == 0)
    if not pack.reports:
        writer.heading(pack.title, 1)
        writer.paragraph("No recommendations are being tracked at this meeting yet.")
    return writer.save()


def supplement_docx(supplement: Supplement) -> bytes:
    """The supplement (updates received after the pack was published) as a .docx."""
    writer = _Writer(
        title=supplement.title,
        author=supplement.council.name or supplement.committee.name,
        subject=f"Updates received after the pack for the meeting of the {supplement.committee.name} "
                f"({supplement.meeting.date_display}) was published.",
        running_header=supplement.running_header,
    )
    writer.heading("Supplement to the tracking report", 1)
    writer.paragraph(f"{supplement.committee.name}, meeting of {supplement.meeting.date_display}.")
    published = long_date(supplement.pack.published_at) if supplement.pack else ""
    writer.heading(f"Received after the pack was published on {published}", 2)
    writer.paragraph("These updates came in after the pack was published. They are printed here, by "
                     "recommendation, and are not in the published pack.")
    for item in supplement.recommendations:
        recommendation = item.recommendation
        theme = f" ({recommendation.theme})" if recommendation.theme else ""
        writer.heading(f"{recommendation.number}{theme}", 3)
        writer.paragraph(recommendation.lead)
        paragraph = writer.paragraph()
        paragraph.add_run("Responsibility:").bold = True
        paragraph.add_run(f" {item.responsibility}")
        for update in item.updates:
            by = ""
            if update.author:
                by = f" by {update.author.get_full_name() or update.author.get_username()}"
            writer.paragraph(f"Written {long_date(update.written_on)}{by}.")
            writer.evidence(update.text)
            writer.attachments(update)
    return writer.save()


class _PackReportWriter:
    """One report of the pack: the cover and Appendices 1–3 (templates/pack/_*.html)."""

    def __init__(self, writer: _Writer, pack: Pack, report: PackReport):
        self.w, self.pack, self.report, self.words = writer, pack, report, report.words

    def write(self, *, first: bool):
        if not first:
            self.w.page_break()
        self.cover()
        self.w.page_break()
        self.tracking_process()
        self.w.page_break()
        self.progress()
        self.w.page_break()
        self.concluded()

    def cover(self):
        pack, report, words, w = self.pack, self.report, self.words, self.w
        cover = report.cover
        if pack.council.logo:
            w.logo(bytes(pack.council.logo), pack.council.logo_alt or pack.council.name)
        w.heading(words.report_title, 1)
        for label, value in [("Report to", pack.committee.name), ("Report of", report.report_of),
                             ("Meeting", pack.meeting.date_display)]:
            w.labelled(label, value)
        for number, text in enumerate([words.cover_paragraph_1, words.cover_paragraph_2, words.cover_paragraph_3], 1):
            w.numbered(f"{number}.", text)
        if cover and cover.introduction:
            w.heading("4.\tIntroduction", 2)
            w.evidence(cover.introduction)
        w.heading("Appendices", 2)
        for number, entry in enumerate([words.appendix_1_entry, words.appendix_2_entry, words.appendix_3_entry], 1):
            w.labelled(str(number), entry, bold=True)
        if cover and cover.contact_name:
            w.paragraph(words.contact_intro)
            w.labelled("Contact Officer:", cover.contact_name)
            if cover.contact_title:
                w.labelled("Title:", cover.contact_title)
            if cover.contact_telephone:
                w.labelled("Telephone:", cover.contact_telephone)
            if cover.contact_email:
                paragraph = w.labelled("E-Mail:", "")
                w.link(paragraph, cover.contact_email, f"mailto:{cover.contact_email}")

    def tracking_process(self):
        pack, w = self.pack, self.w
        w.heading(f"Appendix 1: {self.words.appendix_1_heading}", 2)
        w.paragraph(pack.scheme.guidance_intro)
        for question in pack.scheme.question_list:
            w.paragraph(question, style="List Bullet")
        if pack.has_categories:
            table = w.table(
                ["Category", "Criteria"], widths=[Mm(55), Mm(115)],
                caption="Categories and their criteria",
                description="Each category the committee can give a recommendation, with the criteria for it.",
            )
            for category in pack.categories:
                cells = table.add_row().cells
                label = f"{category.code}: {category.label}"
                if category.marker and category.marker.casefold() != category.code.casefold():
                    label += f" ({category.marker})"
                cells[0].paragraphs[0].add_run(label).bold = True
                w.paragraphs_in(cells[1], category.criteria)
        else:
            w.paragraph(f"The committee agrees, for each recommendation, whether it is “{pack.scheme.completed_words}” "
                        f"or whether to “{pack.scheme.continue_words.lower()}”.")

    def progress(self):
        w = self.w
        w.heading(f"Appendix 2: {self.words.appendix_2_heading}", 2)
        for group in self.report.themes:
            level = 3
            if group.theme:
                w.heading(f"{group.theme.letter}\t{group.theme.title}", 3)
                level = 4
            for item in group.recommendations:
                self.recommendation(item, concluded=False, heading_level=level)
        if not self.report.themes:
            w.paragraph("No recommendations are being tracked at this meeting.")

    def concluded(self):
        w = self.w
        w.heading(f"Appendix 3: {self.words.appendix_3_heading}", 2)
        w.paragraph(self.words.concluded_note)
        for item in self.report.concluded:
            self.recommendation(item, concluded=True, heading_level=3)
        if not self.report.concluded:
            w.paragraph("No recommendations of this inquiry have been concluded yet.")

    def recommendation(self, item: PackRecommendation, *, concluded: bool, heading_level: int):
        """The recommendation's table (one row: no merged cells) and its evidence (_recommendation.html)."""
        pack, words, w = self.pack, self.words, self.w
        headers = ["No.", "Recommendation", "Responsibility"]
        widths = [Mm(14), Mm(76), Mm(30), Mm(25), Mm(25)]
        if concluded:
            headers += [words.concluded_date_column, words.tracking_assessment_column]
        else:
            headers.append(words.original_date_column)
            if pack.has_categories:
                headers.append(words.assessment_column)
        if len(headers) == 4:
            widths = [Mm(14), Mm(91), Mm(35), Mm(30)]
        table = w.table(
            headers, widths=widths,
            caption=f"Recommendation {item.number}",
            description=f"Recommendation {item.number}: its text, who is responsible, "
                        + ("when it was concluded and its tracking assessment." if concluded else
                           "its original date for completion"
                           + (" and the proposed category." if pack.has_categories else ".")),
        )
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(item.number).bold = True
        text = cells[1]
        w.footnoted(text.paragraphs[0], item.recommendation.lead, item.footnotes)
        for part in item.sub_parts:
            paragraph = text.add_paragraph()
            w.hanging(paragraph)
            paragraph.add_run(f"{part.label or '•'}\t")
            w.footnoted(paragraph, part.text, item.footnotes)
        w.lines(cells[2].paragraphs[0], item.responsibility)
        if concluded:
            cells[3].paragraphs[0].add_run(item.concluded_on)
            cells[4].paragraphs[0].add_run(item.tracking_assessment)
        else:
            w.lines(cells[3].paragraphs[0], item.recommendation.original_timescale or "Not recorded")
            if pack.has_categories:
                cells[4].paragraphs[0].add_run(item.category_display or "Not yet assessed")

        w.heading(words.evidence_heading, heading_level)
        if not concluded and item.needs_anticipated_date:
            paragraph = w.paragraph()
            if item.anticipated_date_missing:
                paragraph.add_run("Anticipated completion date: not advised").bold = True
                paragraph.add_run(f" (“{item.category_display}” needs one)")
            else:
                paragraph.add_run(f"Anticipated completion date: {long_date(item.anticipated_date)}").bold = True
        if not concluded and item.reasons:
            paragraph = w.paragraph()
            paragraph.add_run(f"{words.reasons_heading}:").bold = True
            paragraph.add_run(" ")
            w.lines(paragraph, item.reasons)
        received_after = None
        for update in item.evidence:
            if update.received_after:
                if update.received_after_id != received_after:
                    w.heading("Received after the pack was published on "
                              f"{long_date(update.received_after.published_at)}", heading_level + 1)
                received_after = update.received_after_id
            elif update.following_meeting:
                received_after = None
                w.heading(f"Further information following {update.following_meeting.in_words}", heading_level + 1)
            else:
                received_after = None
            if cycle.written_after_deadline(update):
                w.paragraph(f"Written {long_date(update.written_on)}, after the evidence deadline of "
                            f"{long_date(update.for_meeting.evidence_deadline)}.", italic=True)
            w.evidence(update.text)
            w.attachments(update)
        if not item.evidence:
            w.paragraph("No evidence of progress has been recorded.")


class _Writer:
    """A python-docx Document with the house's styles and the few pieces the pack is made of."""

    def __init__(self, *, title: str, author: str, subject: str, running_header: str):
        self.document = Document()
        self._footnotes = None
        self._next_footnote = 1
        self._page_break_before = False
        properties = self.document.core_properties
        properties.title = title
        properties.author = author
        properties.subject = subject
        properties.language = LANGUAGE
        properties.comments = ""
        properties.keywords = "overview and scrutiny; recommendations; tracking"
        self._styles()
        self._page(running_header)

    # ---------------------------------------------------------------- set-up

    def _styles(self):
        styles = self.document.styles
        defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _fonts(defaults)
        defaults.find(qn("w:lang")).set(qn("w:val"), LANGUAGE)
        normal = styles["Normal"]
        normal.font.size = Pt(11)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.15
        for name, size in [("Title", 20), ("Heading 1", 18), ("Heading 2", 14), ("Heading 3", 12),
                           ("Heading 4", 11), ("Heading 5", 11)]:
            style = styles[name]
            _fonts(style.element.get_or_add_rPr())
            style.font.size = Pt(size)
            style.font.color.rgb = BLACK
            style.font.italic = False
            style.font.bold = True
            style.paragraph_format.space_before = Pt(12)
            style.paragraph_format.space_after = Pt(6)
        for style in styles:
            if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
                rpr = style.element.get_or_add_rPr()
                _language(rpr)
        settings = self.document.settings.element
        settings.find(qn("w:themeFontLang")).set(qn("w:val"), LANGUAGE)

    def _page(self, running_header: str):
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)
        section.header.paragraphs[0].text = running_header
        footer = section.footer.paragraphs[0]
        footer.add_run("Page ")
        footer._p.append(_field("PAGE"))
        footer.add_run(" of ")
        footer._p.append(_field("NUMPAGES"))

    def save(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()

    # ---------------------------------------------------------------- blocks

    def paragraph(self, text: str = "", *, style: str | None = None, italic: bool = False):
        paragraph = self.document.add_paragraph(style=style)
        if text:
            self.lines(paragraph, text, italic=italic)
        return paragraph

    def attachments(self, update):
        """"Attached: …" under an update, as the HTML pack lists its files (the files themselves are not in it)."""
        for attachment in update.attachments.all():
            self.paragraph(f"Attached: {described(attachment)}")

    def heading(self, text: str, level: int):
        return self._starts(self.document.add_paragraph(text, style=f"Heading {level}"))

    def _starts(self, paragraph):
        if self._page_break_before:
            paragraph.paragraph_format.page_break_before = True
            self._page_break_before = False
        return paragraph

    def page_break(self):
        """The next heading starts a new page (no empty paragraph holding a page break)."""
        self._page_break_before = True

    def labelled(self, label: str, value: str, *, bold: bool = True):
        """"Report to<tab>the committee": a label and its value on one line (no layout table)."""
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(40))
        paragraph.paragraph_format.space_after = Pt(2)
        paragraph.add_run(label).bold = bold
        paragraph.add_run("\t")
        if value:
            self.lines(paragraph, value)
        return paragraph

    def numbered(self, label: str, text: str):
        paragraph = self.document.add_paragraph()
        self.hanging(paragraph)
        paragraph.add_run(f"{label}\t")
        self.lines(paragraph, text)
        return paragraph

    @staticmethod
    def hanging(paragraph, indent=HANGING):
        paragraph.paragraph_format.left_indent = indent
        paragraph.paragraph_format.first_line_indent = -indent
        paragraph.paragraph_format.tab_stops.add_tab_stop(indent)

    def lines(self, paragraph, text: str, *, italic: bool = False):
        """Text with its line breaks kept (linebreaksbr) and its web addresses as links."""
        for index, line in enumerate((text or "").replace("\r\n", "\n").split("\n")):
            if index:
                paragraph.add_run().add_break()
            for piece, href in link_segments(line):
                if href:
                    self.link(paragraph, piece, href)
                elif italic:
                    paragraph.add_run(piece).italic = True
                else:
                    paragraph.add_run(piece)

    def paragraphs_in(self, cell, text: str):
        """Text in a table cell, a paragraph per blank-line-separated paragraph (linebreaks)."""
        paragraphs = [p for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
        for index, paragraph_text in enumerate(paragraphs or [""]):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            self.lines(paragraph, paragraph_text.strip())

    def evidence(self, text: str):
        """Evidence as the officer wrote it: the blocks the HTML pack prints (pack_tags.evidence_blocks)."""
        for block in evidence_blocks(text):
            if block.kind == "lines":
                self.lines(self.document.add_paragraph(), "\n".join(block.lines))
            elif block.kind == "bullets":
                for line in block.lines:
                    self.lines(self.document.add_paragraph(style="List Bullet"), line)
            else:
                for item in block.items:
                    self.numbered(item.label, "\n".join(item.lines))
                    for line in item.bullets:
                        self.lines(self.document.add_paragraph(style="List Bullet 2"), line)

    def logo(self, image: bytes, alt: str):
        paragraph = self._starts(self.document.add_paragraph())
        shape = paragraph.add_run().add_picture(io.BytesIO(image), height=Mm(20))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", alt)
        doc_pr.set("title", alt)
        return paragraph

    def table(self, headers: list[str], *, widths, caption: str, description: str):
        """A table with a header row that repeats on every page, its caption and description."""
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        row = table.rows[0]
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        tr_pr.append(OxmlElement("w:tblHeader"))
        for cell, text in zip(row.cells, headers, strict=True):
            cell.paragraphs[0].add_run(text).bold = True
        for column, width in zip(table.columns, widths, strict=False):
            column.width = width
            for cell in column.cells:
                cell.width = width
        tbl_pr = table._tbl.tblPr
        look = tbl_pr.find(qn("w:tblLook"))
        if look is not None:
            look.set(qn("w:firstRow"), "1")
            look.set(qn("w:firstColumn"), "1")
        for tag, value in (("w:tblCaption", caption), ("w:tblDescription", description)):
            element = OxmlElement(tag)
            element.set(qn("w:val"), value)
            tbl_pr.append(element)
        return table

    # ---------------------------------------------------------------- inline

    def link(self, paragraph, text: str, href: str, *, part=None):
        """A hyperlink whose text is the address it goes to (as the PDF prints it)."""
        part = part or paragraph.part
        r_id = part.relate_to(href, RT.HYPERLINK, is_external=True)
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), r_id)
        run = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        color = OxmlElement("w:color")
        color.set(qn("w:val"), str(LINK_BLUE))
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        rpr.append(color)
        rpr.append(underline)
        run.append(rpr)
        t = OxmlElement("w:t")
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.append(t)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)
        return hyperlink

    def footnoted(self, paragraph, text: str, footnotes: dict[int, str]):
        """Recommendation text whose [^N] markers become Word footnotes (a marker with no
        footnote is printed as typed, as the PDF does)."""
        position = 0
        for match in FOOTNOTE_MARKER.finditer(text or ""):
            note = footnotes.get(int(match.group(1)))
            if note is None:
                continue
            self.lines(paragraph, text[position:match.start()])
            self._footnote(paragraph, note)
            position = match.end()
        self.lines(paragraph, (text or "")[position:])

    def _footnote(self, paragraph, note: str):
        part = self._footnotes_part()
        number = self._next_footnote
        self._next_footnote += 1
        run = paragraph.add_run()
        run.font.superscript = True
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), str(number))
        run._r.append(reference)

        footnote = OxmlElement("w:footnote")
        footnote.set(qn("w:id"), str(number))
        p = OxmlElement("w:p")
        footnote.append(p)
        part.element.append(footnote)
        note_paragraph = Paragraph(p, None)
        mark = note_paragraph.add_run()
        mark.font.superscript = True
        mark._r.append(OxmlElement("w:footnoteRef"))
        note_paragraph.add_run(" ")
        for piece, href in link_segments(note):
            if href:
                self.link(note_paragraph, piece, href, part=part)
            else:
                note_paragraph.add_run(piece)
        for run in note_paragraph.runs:
            run.font.size = Pt(9)

    def _footnotes_part(self):
        if self._footnotes is None:
            document_part = self.document.part
            element = parse_xml(
                f"<w:footnotes {nsdecls('w', 'r')}>"
                '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
                'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
                '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
                'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
                "</w:footnotes>"
            )
            self._footnotes = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, element, document_part.package)
            document_part.relate_to(self._footnotes, RT.FOOTNOTES)
            settings = self.document.settings.element
            properties = parse_xml(f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/>'
                                   "</w:footnotePr>")
            settings.find(qn("w:compat")).addprevious(properties)
        return self._footnotes


def _fonts(rpr):
    """Arial for every script, in place of the template's theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for name in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(name), FONT)


def _language(rpr):
    """en-GB on a style's run properties (in its place among them: before w:eastAsianLayout and after)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        later = [rpr.find(qn(tag)) for tag in ("w:eastAsianLayout", "w:specVanish", "w:oMath")]
        later = [element for element in later if element is not None]
        if later:
            later[0].addprevious(lang)
        else:
            rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _field(instruction: str):
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    return field
