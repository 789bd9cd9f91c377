"""The seed report's pack, read back from the PDF, holds what the seed prints, where it prints it.

The PDF is built once for the module from the seed loaded into the test database
(rolled back afterwards) and its text is read with pypdf. Texts are compared
squashed (no whitespace); table cells are checked one by one inside their row, and
rows by position between the appendix and theme headings.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction

from tests.seedtext import seed_footnotes, seed_squashed, squash
from tests.test_pack_support import (
    EVIDENCE_HEADING,
    PAGE_NUMBER,
    body_lines,
    page_texts,
    reader,
    squashed_body,
)
from tracker.importer import import_report
from tracker.models import Meeting
from tracker.pack.render import build_pack

# Marked for the database so that pytest-django runs these with the other database tests,
# before any transactional test empties the tables (and the default scheme with them).
pytestmark = pytest.mark.django_db

APPENDIX_1 = squash("Appendix 1: The Tracking Process")
APPENDIX_2 = squash("Appendix 2: Progress with Recommendations")
APPENDIX_3 = squash("Appendix 3: Concluded Recommendations")


@pytest.fixture(scope="module")
def seed_pack(django_db_setup, django_db_blocker, seed_data):
    """The pack of the meeting the seed report was written for, built from the seed."""
    with django_db_blocker.unblock(), transaction.atomic():
        import_report(seed_data)
        built = build_pack(Meeting.objects.latest_first().first())
        transaction.set_rollback(True)
    return built


@pytest.fixture(scope="module")
def recs(seed_data):
    return {r["number"]: r for r in seed_data["recommendations"]}


@pytest.fixture(scope="module")
def footnote_texts(seed_data):
    return [note["text"] for r in seed_data["recommendations"] for note in r["footnotes"]]


@pytest.fixture(scope="module")
def body(seed_pack, footnote_texts):
    return squashed_body(seed_pack.pdf, footnote_texts)


@pytest.fixture(scope="module")
def labels(seed_pack):
    return {c.code: f"{c.code} – {c.label}" for c in seed_pack.pack.categories}


def tracked(recs):
    return [n for n, r in recs.items() if r["assessment"] and not r["conclusion"]]


def concluded(recs):
    return [n for n, r in recs.items() if r["conclusion"]]


def find(text: str, needle: str, start: int = 0, end: int | None = None, what: str = "") -> int:
    position = text.find(needle, start, len(text) if end is None else end)
    assert position >= 0, f"{what or needle[:60]!r} not found where expected"
    return position


def row_of(body: str, rec: dict, start: int = 0, end: int | None = None) -> tuple[int, int]:
    """(start, end) of a recommendation's table row: from "R04 That:" to its evidence heading."""
    begin = find(body, squash(f"{rec['number']} {rec['lead']}"), start, end, f"{rec['number']} and its lead")
    return begin, find(body, EVIDENCE_HEADING, begin, None, f"{rec['number']} evidence heading")


def cells(rec: dict, category: str, date: str) -> dict[str, str]:
    """What each cell of the row must hold (squashed), named for the failure message."""
    expected = {f"{rec['number']} sub-part {i}": squash(f"{p['label']} {p['text']}") for i, p in enumerate(rec["sub_parts"])}
    for i, line in enumerate(rec["responsibility"].split("\n")):
        expected[f"{rec['number']} responsibility line {i}"] = squash(line)
    for i, line in enumerate(part for part in date.split("\n") if part):
        expected[f"{rec['number']} date line {i}"] = squash(line)
    expected[f"{rec['number']} category"] = squash(category)
    return expected


def seed_row(rec: dict) -> str:
    seed = seed_squashed()
    begin = seed.index(squash(f"{rec['number']} {rec['lead']}"))
    return seed[begin : seed.index(EVIDENCE_HEADING, begin)]


def same_words(text: str) -> str:
    """The seed writes "2 – Achieved", "2- Achieved" and "(Progress made)" for the same category."""
    return text.replace("-", "–").casefold()


def test_the_seed_pack_is_a4_with_a_page_x_of_y_footer_and_the_running_header(seed_pack):
    pages = reader(seed_pack.pdf).pages
    assert len(pages) == seed_pack.pages > 15
    header = "Education and Vulnerable Children Overview and Scrutiny Committee – date not recorded"
    for number, page in enumerate(pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        furniture = body_lines(page.extract_text())[2]
        assert furniture == [header, f"Page {number} of {len(pages)}"], number


def test_the_cover_report_reads_as_the_seeds(body, seed_data):
    cover = seed_data["cover_report"]
    start = find(body, squash(
        "1. In approving this Inquiry the City Council asked me, as the appropriate Cabinet Member for "
        "Children’s Services, to report on progress towards these recommendations to this Overview "
        "and Scrutiny Committee."
    ))
    position = start
    for text in [
        "2. Details of progress with the outstanding recommendations are shown in Appendix 2.",
        "3. Members are asked to consider progress against the recommendations and give their view as "
        "to how progress is categorised for each.",
        "4. Introduction",
        *cover["introduction"].split("\n\n"),
        "Appendices",
        "1 Scrutiny Office guidance on the tracking process",
        "2 Recommendations you are tracking today",
        "3 Recommendations tracked previously and concluded",
        "For more information about this report, please contact",
        f"Contact Officer: {cover['contact_officer']['name']}",
        f"Title: {cover['contact_officer']['title']}",
        f"Telephone: {cover['contact_officer']['telephone']}",
        f"E-Mail: {cover['contact_officer']['email']}",
    ]:
        assert squash(text) in seed_squashed() or text.startswith("Appendices"), text
        position = find(body, squash(text), position, None, text) + len(squash(text))
    assert position <= body.index(APPENDIX_1)
    # and the committee is named on the cover
    assert squash("Report to Education and Vulnerable Children Overview and Scrutiny Committee") in body[:start]


def test_appendix_1_lists_the_questions_and_every_category_with_its_criteria(body, seed_pack):
    position = find(body, APPENDIX_1)
    scheme = seed_pack.pack.scheme
    for text in [scheme.guidance_intro, *scheme.question_list, "Category Criteria"]:
        assert squash(text) in seed_squashed(), text
        position = find(body, squash(text), position, None, text)
    for category in seed_pack.pack.categories:
        cell = squash(f"{category.code}: {category.label}")
        assert same_words(cell) in same_words(seed_squashed())
        position = find(body, cell + squash(category.criteria), position, None, cell)
    assert position < body.index(APPENDIX_2)


def test_every_recommendation_tracked_today_is_in_appendix_2_with_the_seeds_cells(body, recs, labels):
    appendix_2, appendix_3 = body.index(APPENDIX_2), body.index(APPENDIX_3)
    assert body.index(APPENDIX_1) < appendix_2 < appendix_3
    assert tracked(recs) == ["R04", "R05", "R06", "R07", "R08", "R09", "R10", "R12",
                             "R14", "R15", "R16", "R17", "R18", "R19"]
    previous = appendix_2
    for number in tracked(recs):
        rec = recs[number]
        begin, end = row_of(body, rec, previous, appendix_3)
        assert begin > previous, f"{number} is out of order"
        row = body[begin:end]
        expected = cells(rec, labels[str(rec["assessment"]["category"])], rec["original_timescale"])
        for name, text in expected.items():
            assert text in row, f"{name} is not in the pack's row"
            if name.endswith("category"):
                assert same_words(text) in same_words(seed_row(rec)), f"{name} differs from the seed"
            else:
                assert text in seed_row(rec), f"{name} is not in the seed's row"
        previous = end


def test_recommendations_are_grouped_under_their_theme_headings(body, recs, seed_data):
    appendix_2, appendix_3 = body.index(APPENDIX_2), body.index(APPENDIX_3)
    headings = {t["letter"]: find(body, squash(f"{t['letter']} {t['title']}"), appendix_2, appendix_3)
                for t in seed_data["themes"]}
    assert list(headings.values()) == sorted(headings.values())  # A, B, C, D in order
    bounds = list(headings.values()) + [appendix_3]
    for number in tracked(recs):
        letter = recs[number]["theme"]
        index = list(headings).index(letter)
        begin, _ = row_of(body, recs[number], appendix_2, appendix_3)
        assert bounds[index] < begin < bounds[index + 1], f"{number} is not under theme {letter}"


def test_every_evidence_update_is_printed_in_order_under_its_further_information_heading(body, recs, seed_data):
    dates = {m["key"]: m["date"] for m in seed_data["meetings"]}
    numbers = tracked(recs) + concluded(recs)
    for index, number in enumerate(numbers):
        _, position = row_of(body, recs[number], body.index(APPENDIX_2))
        following = numbers[index + 1] if index + 1 < len(numbers) else None
        limit = row_of(body, recs[following])[0] if following else len(body)
        if number == "R19":
            limit = body.index(APPENDIX_3)
        for update in recs[number]["evidence"]:
            if update["following_meeting"]:
                when = dates[update["following_meeting"]]
                heading = squash(f"Further information following the {when:%-d %B %Y} meeting")
                position = find(body, heading, position, limit, f"{number}: {heading}")
            for paragraph in update["text"].split("\n\n"):
                position = find(body, squash(paragraph), position, limit, f"{number}: {paragraph[:50]}")


def test_the_seed_pack_lists_r06_with_no_anticipated_date_advised(body, recs):
    _, evidence_start = row_of(body, recs["R06"], body.index(APPENDIX_2))
    next_row, _ = row_of(body, recs["R07"], evidence_start)
    flag = squash("Anticipated completion date: not advised")
    assert body.count(flag) == 1
    assert evidence_start < body.index(flag) < next_row
    assert squash("3 – Not Achieved (Progress Made)") in body[body.index(squash("R06")) : evidence_start]


def test_recommendations_concluded_earlier_are_in_appendix_3_for_information_only(body, recs, labels):
    appendix_3 = body.index(APPENDIX_3)
    intro = squash("These recommendations have been tracked previously and concluded. "
                   "They are presented here for information only.")
    assert intro in seed_squashed()
    previous = find(body, intro, appendix_3)
    assert concluded(recs) == ["R01", "R02", "R03", "R11", "R13"]
    for number in concluded(recs):
        rec = recs[number]
        assert rec["conclusion"]["meeting"] == "feb2016"
        assessment = labels[str(rec["conclusion"]["category"])]
        if rec["conclusion"]["remark"]:
            assessment += f". {rec['conclusion']['remark']}"
        begin, end = row_of(body, rec, previous)
        row = body[begin:end]
        for name, text in cells(rec, assessment, "10 Feb 2016").items():
            assert text in row, f"{name} is not in the pack's row"
            assert same_words(text) in same_words(seed_row(rec)), f"{name} is not in the seed's row"
        previous = end
    # none of them is also in Appendix 2
    for number in concluded(recs):
        assert squash(f"{number} {recs[number]['lead']}") not in body[: appendix_3]
    assert squash("2 – Achieved (Late). Work will be ongoing.") in body[appendix_3:]


def test_the_sources_urls_are_numbered_footnotes_at_the_bottom_of_the_page_that_cites_them(seed_pack, footnote_texts):
    seed_notes = seed_footnotes()
    found = {}
    for text in page_texts(seed_pack.pdf):
        lines, notes, _ = body_lines(text, footnote_texts)
        page_body = squash("\n".join(lines))
        for note in notes:
            number, note_text = note.split(" ", 1)
            found[int(number)] = note_text
            # the call is on the same page: the number right after the word it annotates
            assert any(
                squash(word + number) in page_body
                for word in ["site", "promoted", "(CEOP)", "children", "report."]
            ), note
    assert {n: squash(t) for n, t in found.items()} == {n: squash(t) for n, t in seed_notes.items()}


def test_a_recommendation_crossing_a_page_breaks_between_sub_parts_under_a_repeated_header(
    seed_pack, recs, footnote_texts
):
    pages = [squash("\n".join(body_lines(t, footnote_texts)[0])) for t in page_texts(seed_pack.pdf)]
    headers = {
        squash("No. Recommendation Responsibility Original Date For Completion Cabinet Member’s Assessment"),
        squash("No. Recommendation Responsibility Date Concluded by Overview and Scrutiny Committee "
               "Tracking Assessment"),
    }
    offsets = [sum(len(p) for p in pages[:i]) for i in range(len(pages) + 1)]
    body = "".join(pages)

    def page_at(position):
        return max(i for i in range(len(pages)) if offsets[i] <= position)

    crossing = []
    for number, rec in recs.items():
        begin, end = row_of(body, rec)
        first_page = page_at(begin)
        position = begin
        for part in rec["sub_parts"]:
            text = squash(f"{part['label']} {part['text']}")
            position = find(body, text, position, end, f"{number} {part['label']}")
            page = page_at(position)
            assert page == page_at(position + len(text) - 1), f"{number} {part['label']} is cut by a page break"
            if page == first_page:
                continue
            crossing.append(number)
            # the page it continues on starts with the table's header row
            assert any(pages[page].startswith(header) for header in headers), f"{number}, page {page + 1}"
        # the number, the lead and the first sub-part are on one page
        if rec["sub_parts"]:
            assert page_at(body.index(squash(rec["sub_parts"][0]["text"]), begin)) == first_page, number
    assert "R08" in crossing  # the seed's longest recommendation does cross a page


def test_the_pdf_has_bookmarks_for_the_cover_each_appendix_and_each_theme(seed_pack, seed_data):
    outline = reader(seed_pack.pdf).outline
    top = [item.title for item in outline if not isinstance(item, list)]
    assert top == [
        "Tracking Report: Child Sexual Exploitation",
        "Appendix 1: The Tracking Process",
        "Appendix 2: Progress with Recommendations",
        "Appendix 3: Concluded Recommendations",
    ]
    themes = outline[top.index("Appendix 2: Progress with Recommendations") + 1]
    assert isinstance(themes, list)
    assert [item.title for item in themes] == [f"{t['letter']} {t['title']}" for t in seed_data["themes"]]


def test_page_numbers_count_every_page(seed_pack):
    texts = page_texts(seed_pack.pdf)
    numbers = [PAGE_NUMBER.match(body_lines(t)[2][-1]).groups() for t in texts]
    assert numbers == [(str(i), str(len(texts))) for i in range(1, len(texts) + 1)]


def test_the_html_handed_to_weasyprint_is_self_contained(seed_pack):
    html = seed_pack.html
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in html
    assert "@page" in html and "float: footnote" in html  # the stylesheet is inlined
    assert "<link" not in html and "@import" not in html and "@font-face" not in html


# --------------------------------------------------------------------------- accessible PDF


def structure_elements(pdf: bytes) -> list:
    """Every element of the PDF's tag tree, in document order."""
    root = reader(pdf).trailer["/Root"]
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "keys"):
            return  # a marked-content id
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            walk(node["/K"])

    walk(root["/StructTreeRoot"])
    return found


def test_the_pack_is_a_tagged_pdf_ua_1_document_with_title_and_language(seed_pack):
    pdf = reader(seed_pack.pdf)
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert pdf.metadata.title == seed_pack.pack.title
    assert pdf.metadata.title.startswith("Tracking report: Child Sexual Exploitation")
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert f"<rdf:li xml:lang=\"x-default\">{seed_pack.pack.title}</rdf:li>" in xmp


def test_headings_come_in_order_without_skipping_a_level(seed_pack):
    levels = [int(str(e["/S"])[2]) for e in structure_elements(seed_pack.pdf) if str(e["/S"]) in
              {"/H1", "/H2", "/H3", "/H4", "/H5", "/H6"}]
    assert levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels
    assert levels.count(2) == 5  # Introduction, Appendices, Appendix 1, 2, 3
    assert levels.count(3) == 4 + 5  # the four themes; the concluded ones' evidence headings


def test_recommendation_tables_have_real_header_cells_linked_to_their_data_cells(seed_pack):
    elements = structure_elements(seed_pack.pdf)
    kinds = [str(e["/S"]) for e in elements]
    assert kinds.count("/Table") >= 19 + 1  # a table per recommendation, and the category criteria
    headers = [e for e in elements if str(e["/S"]) == "/TH"]
    ids = {e["/ID"] for e in headers if "/ID" in e}
    assert len(ids) >= 19 * 6  # five column headers and the row header (No.) per recommendation
    cells = [e for e in elements if str(e["/S"]) == "/TD"]
    assert cells
    for cell in cells:
        linked = cell["/A"].get("/Headers", [])
        assert linked and set(linked) <= ids, "a data cell is not linked to its header cells"
