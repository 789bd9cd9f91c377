"""The pack as a Word document: the clerk downloads the draft to edit it. Opened here with
python-docx and read against the seed report, as the PDF is in test_pack_seed.py."""

from __future__ import annotations

import datetime
import io
import itertools

import docx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from tests.pages import ask_and_follow
from tests.pages import text as page_text
from tests.seedtext import FOOTNOTE_MARKER, seed_footnotes, seed_squashed, squash
from tests.test_pack_seed import cells, concluded, same_words, seed_row, tracked
from tests.test_pack_support import make_user, scrutiny_officer, small_meeting
from tests.test_setup_services import open_meeting, pasted, small_png
from tracker import roles, services
from tracker.demo import create_demo_users
from tracker.models import Committee, Council, ExecutiveResponse, Meeting, PackBuild, Recommendation
from tracker.pack import synthetic
from tracker.pack.context import pack_for
from tracker.pack.docx import CONTENT_TYPE, build_pack_docx, build_supplement_docx

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- reading a .docx


def opened(data: bytes):
    return docx.Document(io.BytesIO(data))


def blocks(document):
    """The body's paragraphs and tables, in document order."""
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, document._body)
        elif child.tag == qn("w:tbl"):
            yield Table(child, document._body)


def heading_level(paragraph) -> int | None:
    name = paragraph.style.name
    return int(name.split()[-1]) if name.startswith("Heading ") else None


def headings(document) -> list[tuple[int, str]]:
    return [(heading_level(b), b.text) for b in blocks(document) if isinstance(b, Paragraph) and heading_level(b)]


def cell_texts(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def sections(document, start: str, end: str | None) -> list:
    """The blocks after the heading ``start`` up to the heading ``end``."""
    found, inside = [], False
    for block in blocks(document):
        if isinstance(block, Paragraph) and heading_level(block):
            if block.text == start:
                inside = True
                continue
            if end and block.text == end:
                break
        if inside:
            found.append(block)
    return found


def recommendation_tables(section) -> list[Table]:
    return [b for b in section if isinstance(b, Table) and cell_texts(b)[0][0] == "No."]


def footnote_texts(document) -> list[str]:
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/footnotes"))
    root = part.element if hasattr(part, "element") else docx.oxml.parse_xml(part.blob)
    return ["".join(t.text for t in note.iter(qn("w:t"))).strip()
            for note in root.findall(qn("w:footnote")) if int(note.get(qn("w:id"))) > 0]


# --------------------------------------------------------------------------- the seed's pack


def without_note_calls(rec: dict) -> dict:
    """The recommendation without its [^N] markers: in Word a footnote's call is Word's own
    numbered reference, not text of the cell (test_the_sources_are_word_footnotes… checks them)."""
    return {**rec, "lead": FOOTNOTE_MARKER.sub("", rec["lead"]),
            "sub_parts": [{**p, "text": FOOTNOTE_MARKER.sub("", p["text"])} for p in rec["sub_parts"]]}


@pytest.fixture
def seed_docx(seed):
    meeting = Meeting.objects.latest_first().first()
    return opened(build_pack_docx(meeting)), pack_for(meeting)


@pytest.fixture
def recs(seed_data):
    return {r["number"]: r for r in seed_data["recommendations"]}


APPENDIX_1 = "Appendix 1: The Tracking Process"
APPENDIX_2 = "Appendix 2: Progress with Recommendations"
APPENDIX_3 = "Appendix 3: Concluded Recommendations"


def test_the_word_pack_has_the_pdfs_headings_in_order_with_no_level_skipped(seed_docx, seed_data):
    document, _ = seed_docx
    found = headings(document)
    assert found[0] == (1, "Tracking Report: Child Sexual Exploitation")
    top = [text for level, text in found if level == 2]
    assert top == ["4.\tIntroduction", "Appendices", APPENDIX_1, APPENDIX_2, APPENDIX_3]
    themes = [text for level, text in found if level == 3 and "\t" in text]
    assert themes == [f"{t['letter']}\t{t['title']}" for t in seed_data["themes"]]
    for (before, _), (after, text) in itertools.pairwise(found):
        assert after <= before + 1, f"{text!r} skips a level after a level {before} heading"
    # every recommendation's evidence has its heading, as in the PDF
    evidence = "Evidence of Progress (and Anticipated Completion Date if ‘Not Achieved’)"
    assert [text for _, text in found].count(evidence) == 19


def test_the_cover_reads_as_the_seeds(seed_docx, seed_data):
    document, _ = seed_docx
    cover = seed_data["cover_report"]
    text = squash("\n".join(b.text for b in sections(document, "Tracking Report: Child Sexual Exploitation",
                                                          APPENDIX_1) if isinstance(b, Paragraph)))
    position = 0
    for expected in [
        "Report to Education and Vulnerable Children Overview and Scrutiny Committee",
        "Report of Cabinet Member for Children’s Services",
        "1. In approving this Inquiry the City Council asked me, as the appropriate Cabinet Member for "
        "Children’s Services, to report on progress towards these recommendations to this Overview "
        "and Scrutiny Committee.",
        "2. Details of progress with the outstanding recommendations are shown in Appendix 2.",
        *cover["introduction"].split("\n\n"),
        "1 Scrutiny Office guidance on the tracking process",
        "2 Recommendations you are tracking today",
        "3 Recommendations tracked previously and concluded",
        "For more information about this report, please contact",
        f"Contact Officer: {cover['contact_officer']['name']}",
        f"E-Mail: {cover['contact_officer']['email']}",
    ]:
        assert squash(expected) in seed_squashed() or expected.startswith("Report "), expected
        position = text.index(squash(expected), position) + len(squash(expected))


def test_appendix_1_has_the_questions_and_the_categories_table_with_a_repeating_header(seed_docx):
    document, pack = seed_docx
    section = sections(document, APPENDIX_1, APPENDIX_2)
    questions = [b.text for b in section if isinstance(b, Paragraph) and b.style.name == "List Bullet"]
    assert questions == pack.scheme.question_list
    (table,) = [b for b in section if isinstance(b, Table)]
    rows = cell_texts(table)
    assert rows[0] == ["Category", "Criteria"]
    assert [row[0] for row in rows[1:]] == [f"{c.code}: {c.label}" for c in pack.categories]
    for row, category in zip(rows[1:], pack.categories, strict=True):
        assert same_words(squash(row[0])) in same_words(seed_squashed())
        assert squash(row[1]) == squash(category.criteria) and squash(row[1]) in seed_squashed()


def test_every_recommendation_tracked_today_is_in_appendix_2_in_order_with_the_seeds_cells(seed_docx, recs):
    document, pack = seed_docx
    labels = {c.code: f"{c.code} – {c.label}" for c in pack.categories}
    tables = recommendation_tables(sections(document, APPENDIX_2, APPENDIX_3))
    assert [cell_texts(t)[1][0] for t in tables] == tracked(recs)
    assert cell_texts(tables[0])[0] == ["No.", "Recommendation", "Responsibility", "Original Date For Completion",
                                        "Cabinet Member’s Assessment"]
    for table in tables:
        number, *row = cell_texts(table)[1]
        assert len(table.rows) == 2  # one row: no cells merged across sub-parts
        rec = without_note_calls(recs[number])
        expected = cells(rec, labels[str(rec["assessment"]["category"])], rec["original_timescale"])
        expected[f"{number} lead"] = squash(rec["lead"])
        text = squash("".join(row))
        for name, part in expected.items():
            assert part in text, f"{name} is not in the Word pack's row"
            if name.endswith("category"):
                assert same_words(part) in same_words(seed_row(rec)), f"{name} differs from the seed"


def test_concluded_recommendations_are_in_appendix_3_with_date_and_tracking_assessment(seed_docx, recs):
    document, pack = seed_docx
    labels = {c.code: f"{c.code} – {c.label}" for c in pack.categories}
    section = sections(document, APPENDIX_3, None)
    note = "These recommendations have been tracked previously and concluded.\n" \
           "They are presented here for information only."
    assert section[0].text == note
    tables = recommendation_tables(section)
    assert [cell_texts(t)[1][0] for t in tables] == concluded(recs)
    for table in tables:
        number, *row = cell_texts(table)[1]
        rec = without_note_calls(recs[number])
        assessment = labels[str(rec["conclusion"]["category"])]
        if rec["conclusion"]["remark"]:
            assessment += f". {rec['conclusion']['remark']}"
        for name, part in cells(rec, assessment, "10 Feb 2016").items():
            assert part in squash("".join(row)), f"{name} is not in the Word pack's row"
            if "sub-part" not in name:  # (the seed's sub-parts print their footnote calls)
                assert same_words(part) in same_words(seed_row(rec)), f"{name} is not in the seed's row"


def test_every_evidence_update_is_under_its_further_information_heading_in_order(seed_docx, recs, seed_data):
    document, _ = seed_docx
    dates = {m["key"]: m["date"] for m in seed_data["meetings"]}
    body = list(blocks(document))
    tables = {cell_texts(b)[1][0]: i for i, b in enumerate(body) if isinstance(b, Table) and len(b.rows) > 1
              and cell_texts(b)[0][0] == "No."}
    starts = sorted(tables.values())
    for number, start in tables.items():
        end = next((s for s in starts if s > start), len(body))
        evidence = [b for b in body[start + 1:end] if isinstance(b, Paragraph)]
        text = squash("\n".join(b.text for b in evidence))
        found_headings = [b.text for b in evidence if heading_level(b)]
        expected_headings = ["Evidence of Progress (and Anticipated Completion Date if ‘Not Achieved’)"] + [
            f"Further information following the {dates[u['following_meeting']]:%-d %B %Y} meeting"
            for u in recs[number]["evidence"] if u["following_meeting"]
        ]
        assert [h for h in found_headings if not h.startswith(("A\t", "B\t", "C\t", "D\t", "Appendix"))] \
            == expected_headings, number
        position = 0
        for update in recs[number]["evidence"]:
            for paragraph in update["text"].split("\n\n"):
                position = text.index(squash(paragraph), position)


def test_r06_says_no_anticipated_date_was_advised(seed_docx):
    document, _ = seed_docx
    flagged = [b.text for b in blocks(document) if isinstance(b, Paragraph)
               and b.text.startswith("Anticipated completion date: not advised")]
    assert flagged == ["Anticipated completion date: not advised (“3 – Not Achieved (Progress Made)” needs one)"]


def test_the_sources_are_word_footnotes_with_the_seeds_texts(seed_docx):
    document, _ = seed_docx
    notes = footnote_texts(document)
    assert [squash(n) for n in notes] == [squash(t) for _, t in sorted(seed_footnotes().items())]
    references = document.element.body.findall(".//" + qn("w:footnoteReference"))
    assert [r.get(qn("w:id")) for r in references] == [str(n) for n in range(1, len(notes) + 1)]


def test_the_word_pack_is_accessible_as_words_checker_asks(seed_docx):
    document, pack = seed_docx
    properties = document.core_properties
    assert properties.title == pack.title and properties.language == "en-GB"
    defaults = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert defaults.get(qn("w:val")) == "en-GB"
    assert document.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:val")) == "en-GB"
    assert document.styles["Heading 1"].font.name == "Arial"
    for table in document.tables:
        first = table.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
        assert table._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val"))
        assert table._tbl.tblPr.find(qn("w:tblDescription")).get(qn("w:val"))
        assert not document.element.body.findall(".//" + qn("w:gridSpan"))
        assert not document.element.body.findall(".//" + qn("w:vMerge"))
    # no empty paragraphs standing in for space
    empty = [b for b in blocks(document) if isinstance(b, Paragraph) and not b.text.strip()]
    assert empty == []
    # links read as the address they go to
    for link in document.element.body.iter(qn("w:hyperlink")):
        text = "".join(t.text for t in link.iter(qn("w:t")))
        target = document.part.rels[link.get(qn("r:id"))].target_ref
        assert text and text.removeprefix("www.") in target


def test_building_the_word_pack_runs_the_same_queries_for_the_seed_and_ten_times_as_many(seed):
    meeting = Meeting.objects.latest_first().first()
    counts = []
    for enlarge in (False, True):
        if enlarge:
            synthetic.enlarge(meeting, 10)
        with CaptureQueriesContext(connection) as queries:
            data = build_pack_docx(meeting)
        counts.append(len(queries))
    assert len(recommendation_tables(sections(opened(data), APPENDIX_2, APPENDIX_3))) == 140
    assert counts[0] == counts[1]


# --------------------------------------------------------------------------- another council's words


def test_another_council_without_categories_gets_its_own_words_and_its_logo_with_alt_text():
    office = scrutiny_officer()
    council = services.update_council(
        Council.current(), by=office, expected_version=None, name="Anytown District Council",
        name_in_sentences="the District Council", scrutiny_office_name="Democratic Services",
        words={"appendix_2_heading": "Where Things Stand"},
    )
    services.set_council_logo(council, small_png(), by=office, alt="Anytown crest")
    scheme = services.create_scheme(by=office, name="Narrative updates")
    services.update_scheme(scheme, by=office, completed_words="Completed", continue_words="Keep on the tracker")
    committee = services.create_committee(by=office, name="Task Groups Committee", scheme=scheme,
                                          assessed_by=Committee.AssessedBy.SCRUTINY_OFFICE)
    inquiry = services.create_inquiry(by=office, committee=committee, title="Task group reviews")
    services.add_recommendations(inquiry, pasted(
        "TG1 Rec 1 That bins are emptied weekly.\nResponsibility: Head of Waste\nDate: March 2016\n"
    ), by=office, executive_response=ExecutiveResponse.ACCEPTED)
    meeting = open_meeting(committee, office)

    document = opened(build_pack_docx(meeting))

    found = [text for _, text in headings(document)]
    assert found[0] == "Tracking Report: Task group reviews"
    assert "Appendix 2: Where Things Stand" in found and APPENDIX_2 not in found
    everything = "\n".join(b.text for b in blocks(document) if isinstance(b, Paragraph))
    assert "1\tDemocratic Services guidance on the tracking process" in everything
    assert "the District Council asked me" in everything
    assert "“Completed” or whether to “keep on the tracker”" in everything
    assert "Scrutiny Office" not in everything and "City Council" not in everything
    (table,) = recommendation_tables(blocks(document))
    assert cell_texts(table)[0] == ["No.", "Recommendation", "Responsibility", "Original Date For Completion"]
    assert len(document.tables) == 1  # no categories table
    (picture,) = document.inline_shapes
    assert picture._inline.docPr.get("descr") == "Anytown crest"


def test_a_supplement_in_word_lists_the_late_updates(seed):
    create_demo_users()
    User = get_user_model()
    office = User.objects.get(username="scrutiny")
    meeting = services.schedule_meeting(Committee.objects.get(), datetime.date(2016, 6, 15),
                                        datetime.date(2016, 6, 1), by=office)
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    services.publish_pack(meeting, by=office)
    services.add_late_evidence(Recommendation.objects.get(number="R06"), meeting,
                               text="The last 250 taxi drivers were trained on 10 June.",
                               written_on=datetime.date(2016, 6, 10), by=User.objects.get(username="officer"))

    document = opened(build_supplement_docx(meeting))

    assert [level for level, _ in headings(document)] == [1, 2, 3]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "R06" in text and "The last 250 taxi drivers were trained on 10 June." in text


# --------------------------------------------------------------------------- the download and the command


def test_signed_out_visitors_are_sent_to_sign_in(client):
    meeting = small_meeting()
    response = client.get(reverse("pack_docx", args=[meeting.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_committee_member_may_not_download_the_draft_in_word(client):
    meeting = small_meeting()
    client.force_login(make_user(roles.COMMITTEE_MEMBER))
    assert client.get(reverse("pack_docx", args=[meeting.pk])).status_code == 403
    page = client.get(reverse("pack_versions", args=[meeting.pk])).content.decode()
    assert "(Word)" not in page


def test_the_scrutiny_office_downloads_the_draft_pack_in_word_beside_the_pdf(client, django_capture_on_commit_callbacks):
    meeting = small_meeting(text="Training delivered. <script>alert('x')</script>")
    client.force_login(scrutiny_officer())
    page = client.get(reverse("pack_versions", args=[meeting.pk])).content.decode()
    assert f'<form method="post" action="{reverse("pack_docx", args=[meeting.pk])}"' in page
    assert "Build the draft pack (Word)</button>" in page and "Build the draft pack (PDF)</button>" in page
    assert "the published PDF is the record" in page

    built = ask_and_follow(client, reverse("pack_docx", args=[meeting.pk]), django_capture_on_commit_callbacks)
    assert "The draft pack is ready." in page_text(built) and "Download the draft pack (Word, " in page_text(built)
    response = client.get(reverse("pack_build_download", args=[meeting.pk, PackBuild.objects.get().pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="tracking-report-')
    assert response["Content-Disposition"].endswith('-draft.docx"')
    assert response["Cache-Control"] == "no-store"
    document = opened(response.content)
    assert APPENDIX_2 in [text for _, text in headings(document)]
    assert "Training delivered. <script>alert('x')</script>" in [p.text for p in document.paragraphs]


def test_build_pack_writes_a_word_document(seed, tmp_path, capsys):
    call_command("build_pack", "--format", "docx", "--output", str(tmp_path / "pack.docx"))

    document = opened((tmp_path / "pack.docx").read_bytes())
    assert headings(document)[0] == (1, "Tracking Report: Child Sexual Exploitation")
    out = capsys.readouterr().out
    assert "Word document, 14 tracked and 5 concluded recommendations" in out
    assert "KB in" in out and str(tmp_path / "pack.docx") in out


def test_build_pack_keeps_the_html_for_the_pdf(seed, tmp_path):
    with pytest.raises(CommandError, match="--html goes with the PDF"):
        call_command("build_pack", "--format", "docx", "--output", str(tmp_path / "p.docx"),
                     "--html", str(tmp_path / "p.html"))
    assert not (tmp_path / "p.docx").exists()
