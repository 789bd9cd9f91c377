"""The scrutiny office uploads the tracker spreadsheet the council keeps today."""

import datetime
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.importer import month_end
from tracker.parsed import ParsedMilestone
from tracker.spreadsheet import read_tracker

HEADER = ["Ref", "Recommendation", "Lead", "Target date", "Theme", "Progress update", "RAG"]


def workbook(path, rows, *, title_rows=(), merge_title=False, formats=None, sheet_title=None, before=None):
    """Save a workbook whose first rows are titles, then the given rows; return its path."""
    book = openpyxl.Workbook()
    sheet = book.active
    if before is not None:  # a sheet of notes in front of the tracker
        sheet.title = "Notes"
        sheet.append([before])
        sheet = book.create_sheet("Tracker")
    for title in title_rows:
        sheet.append([title])
    if merge_title:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    for row in rows:
        sheet.append(row)
    for cell_name, number_format in (formats or {}).items():
        sheet[cell_name].number_format = number_format
    book.save(path)
    return path


def read(path):
    with open(path, "rb") as handle:
        return read_tracker(handle, path.name)


def messages(result):
    return [(problem.message, problem.row, problem.column) for problem in result.problems]


def test_a_councils_own_tracker_is_read_with_its_headers_titles_dates_and_owners(tmp_path):
    path = workbook(tmp_path / "leisure.xlsx", title_rows=["Leisure Task Group – recommendations tracker",
                                                           "Updated March 2026", None], merge_title=True, rows=[
        HEADER,
        ["LTG 1", "That the Council:\na) surveys users;\nb) reports to Cabinet.",
         "Director of Place\nCabinet Member for Leisure", datetime.datetime(2026, 3, 31), "Access",
         "Survey sent in January.", "Green"],
        ["LTG 2", "That prices are frozen.", "Cabinet Member for Leisure", "Dec 2017", "Prices", "", "Amber"],
        ["LTG 3", "That a new pool is planned.", "Head of Planning / Leader",
         "To be confirmed when the Planning and Infrastructure Act is passed", "Facilities", None, "Red"],
        [None, None, None, None, None, None, None],
        ["LTG 4", "That opening hours are published.", "Head of Leisure", datetime.datetime(2026, 6, 1), None, None,
         None],
    ], formats={"D9": "mmm-yy"})
    result = read(path)
    assert result.ok, result.problems
    first, second, third, fourth = result.recommendations
    assert (first.number, first.lead, first.sub_parts) == (
        "LTG 1", "That the Council:", [("a)", "surveys users;"), ("b)", "reports to Cabinet.")])
    assert first.owners == ["Director of Place", "Cabinet Member for Leisure"]
    assert (first.timescale, first.milestones) == (
        "31 March 2026", [ParsedMilestone("completion", datetime.date(2026, 3, 31))])
    assert (first.theme, first.evidence, first.category) == ("Access", "Survey sent in January.", "Green")
    assert second.milestones == [ParsedMilestone("completion", datetime.date(2017, 12, 31))]
    assert third.owners == ["Head of Planning", "Leader"]
    assert third.milestones == [ParsedMilestone(
        "completion", None, "To be confirmed when the Planning and Infrastructure Act is passed")]
    assert (fourth.timescale, fourth.milestones) == (  # Excel shows "Jun-26": the month is meant
        "June 2026", [ParsedMilestone("completion", datetime.date(2026, 6, 30))])
    assert [r.source_row for r in result.recommendations] == [5, 6, 7, 9]


def test_the_seed_report_kept_as_a_spreadsheet_reads_back_exactly(tmp_path, seed_data):
    rows = [["No.", "Recommendation", "Responsibility", "Original Date For Completion", "Cabinet Member’s Assessment"]]
    for r in seed_data["recommendations"]:
        text = "\n".join([r["lead"]] + [f"{part['label'] or '•'} {part['text']}" for part in r["sub_parts"]])
        rows.append([r["number"], text, "\n".join(r["owners"]), r["original_timescale"] or None, "2 – Achieved (Late)"])
    result = read(workbook(tmp_path / "seed.xlsx", rows))
    assert result.problems == []
    assert [(p.number, p.lead, p.sub_parts, p.owners, p.timescale, p.milestones, p.category)
            for p in result.recommendations] == [
        (r["number"], r["lead"], [(part["label"], part["text"]) for part in r["sub_parts"]], r["owners"],
         r["original_timescale"], [ParsedMilestone(m["kind"], month_end(m["month"])) for m in r["milestones"]],
         "2 – Achieved (Late)")
        for r in seed_data["recommendations"]]


def test_one_impossible_date_names_its_row_and_column(tmp_path):
    path = workbook(tmp_path / "tracker.xlsx", title_rows=["Tracker", None], rows=[
        HEADER,
        ["R01", "That the Council acts.", "Leader", "July 2015"],
        ["R02", "That it reports.", "Leader", "Dec 2017"],
        ["R03", "That it publishes.", "Leader", datetime.datetime(2017, 3, 31)],
        ["R04", "That it reviews.", "Leader", "31/02/2017"],
        ["R05", "That it consults.", "Leader", "On-going"],
    ])
    result = read(path)
    assert messages(result) == [("Row 7, column “Target date”: 31/02/2017 is not a real date.", 7, "Target date")]
    assert not result.ok


def test_every_problem_in_the_file_is_reported_at_once(tmp_path):
    path = workbook(tmp_path / "tracker.xlsx", rows=[
        ["No.", "Recommendation", "Owner", "Due date"],
        ["R01", "That the Council acts.", "Leader", "Febtember 2017"],
        [None, "That it reports.", "Leader", "Dec 2017"],
        ["R03", None, "Leader", "Dec 2017"],
        ["R1", "That it publishes.", "Leader", "Dec 2017"],
        [None, None, "Leader", None],
    ])
    assert messages(read(path)) == [
        ("Row 2, column “Due date”: Febtember 2017 is not a real date: check the spelling of the month.", 2, "Due date"),
        ("Row 3, column “No.”: there is no number. Give the recommendation its number, or delete the row.", 3, "No."),
        ("Row 4, column “Recommendation”: R03 has no recommendation text. Add its words, or delete the row.", 4,
         "Recommendation"),
        ("Row 6, column “No.”: there is no number and no recommendation. Fill them in, or delete the row.", 6, "No."),
        ("Rows 2 and 5, column “No.”: R1 is used twice. Give each recommendation its own number.", 5, "No."),
    ]


def test_missing_columns_are_named_with_the_headers_that_would_be_recognised(tmp_path):
    path = workbook(tmp_path / "tracker.xlsx", rows=[["Ref", "Recommendation", "Notes"], ["R01", "That it acts.", ""]])
    [problem] = read(path).problems
    assert problem.message.startswith("Row 1: there is no column for the responsibility or date for completion. "
                                      "Name them in the header row: for the responsibility, “Responsibility”, “Lead”")
    assert "for the date for completion, “Date”, “Original date for completion”, “Timescale”" in problem.message
    assert "“Target date”" in problem.message


def test_a_sheet_with_no_header_row_in_its_first_15_rows_says_what_is_needed(tmp_path):
    path = workbook(tmp_path / "tracker.xlsx", rows=[[f"Note {n}"] for n in range(20)])
    [problem] = read(path).problems
    assert problem.message.startswith("No header row was found in the first 15 rows. The table needs a row naming "
                                      "its columns: for the number, “No.”, “Number”, “Ref.”")


def test_a_header_below_the_first_15_rows_is_not_looked_for(tmp_path):
    path = workbook(tmp_path / "tracker.xlsx", title_rows=[None] * 15,
                    rows=[HEADER, ["R01", "That it acts.", "Leader", "July 2015"]])
    assert read(path).problems[0].message.startswith("No header row was found in the first 15 rows.")


def test_the_tracker_on_a_later_sheet_is_found(tmp_path):
    path = workbook(tmp_path / "tracker.xlsx", before="How to use this tracker",
                    rows=[HEADER, ["R01", "That it acts.", "Leader", "July 2015"]])
    assert [r.number for r in read(path).recommendations] == ["R01"]


def test_numbers_excel_holds_as_numbers_read_as_written(tmp_path):
    path = workbook(tmp_path / "tracker.xlsx", rows=[["No", "Recommendation", "Lead", "Date"],
                                                     [1, "That it acts.", "Leader", "July 2015"],
                                                     [2.0, "That it reports.", "Leader", "July 2015"]])
    assert [r.number for r in read(path).recommendations] == ["1", "2"]


def test_a_windows_1252_csv_keeps_its_pound_sign_and_curly_quotes(tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_bytes(("No.,Recommendation,Responsibility,Date\r\n"
                      "R01,\"That the £5m fund is “ring-fenced”, and reported.\",Cabinet Member’s Office,Sept 2015\r\n"
                      ).encode("cp1252"))
    [recommendation] = read(path).recommendations
    assert recommendation.lead == "That the £5m fund is “ring-fenced”, and reported."
    assert recommendation.owners == ["Cabinet Member’s Office"]
    assert recommendation.milestones == [ParsedMilestone("completion", datetime.date(2015, 9, 30))]


def test_a_utf8_csv_with_a_byte_order_mark_and_line_breaks_in_cells_is_read(tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_bytes(("Tracker of the Housing Review\r\n\r\n"
                      "Rec No,Recommendation,Owners,Timescale,Status\r\n"
                      "HR1,\"That:\r\n• tenants are asked;\r\n• results are published.\",\"Director of Housing\r\nLeader\","
                      "\"April 2015\r\nJuly 2015 – Changes sustained\",Complete\r\n").encode("utf-8-sig"))
    result = read(path)
    [recommendation] = result.recommendations
    assert (recommendation.number, recommendation.source_row, recommendation.category) == ("HR1", 4, "Complete")
    assert recommendation.sub_parts == [("", "tenants are asked;"), ("", "results are published.")]
    assert recommendation.owners == ["Director of Housing", "Leader"]
    assert recommendation.timescale == "April 2015\nJuly 2015 – Changes sustained"
    assert [m.kind for m in recommendation.milestones] == ["completion", "changes_sustained"]


def test_a_csv_with_semicolons_between_cells_is_read(tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text("Ref;Recommendation;Lead;Target date\nR01;That it acts, quickly.;Leader;July 2015\n")
    assert [(r.number, r.lead) for r in read(path).recommendations] == [("R01", "That it acts, quickly.")]


def test_an_xlsx_that_is_really_a_text_file_says_which_files_are_accepted(tmp_path):
    path = tmp_path / "tracker.xlsx"
    path.write_text("No.,Recommendation,Responsibility,Date\nR01,That it acts.,Leader,July 2015\n")
    result = read(path)
    assert messages(result) == [(
        "“tracker.xlsx” could not be read as an Excel workbook, although its name ends “.xlsx”. Upload an Excel "
        "workbook (.xlsx) or a CSV file (.csv): open the file in Excel and save it again as one of those.", None, "")]
    assert result.recommendations == []


def test_a_csv_that_is_really_a_binary_file_says_which_files_are_accepted(tmp_path):
    path = tmp_path / "tracker.csv"
    workbook(tmp_path / "real.xlsx", rows=[HEADER])
    path.write_bytes((tmp_path / "real.xlsx").read_bytes())
    [problem] = read(path).problems
    assert problem.message.startswith("“tracker.csv” could not be read as a CSV file")


@pytest.mark.parametrize("name", ["tracker.xlsx", "tracker.csv"])
def test_an_empty_file_is_one_problem(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    assert messages(read(path)) == [(
        f"“{name}” is empty. Upload an Excel workbook (.xlsx) or a CSV file (.csv) with the recommendations in it.",
        None, "")]


def test_a_file_with_only_its_header_lists_no_recommendation(tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text("Ref,Recommendation,Lead,Target date\n,,,\n")
    assert messages(read(path)) == [
        ("Row 1 names the columns, but no recommendation is listed under it.", 1, "")]


@pytest.mark.parametrize("name", ["tracker.xls", "tracker.pdf", "tracker.docx", "tracker"])
def test_other_file_types_are_refused_with_the_types_accepted(name):
    result = read_tracker(b"anything", name)
    [problem] = result.problems
    assert problem.message.startswith(f"“{name}” is not a file type this can read. Upload an Excel workbook (.xlsx) "
                                      "or a CSV file (.csv)")


def test_an_upload_from_a_form_is_read(tmp_path):
    upload = SimpleUploadedFile("Tracker.CSV", b"No.,Recommendation,Lead,Date\nR01,That it acts.,Leader,July 2015\n")
    assert [r.number for r in read_tracker(upload, upload.name).recommendations] == ["R01"]


def test_a_workbook_whose_program_wrote_too_small_a_size_is_read_to_its_last_row(tmp_path):
    path = workbook(tmp_path / "tracker.xlsx", rows=[HEADER, ["R01", "That it acts.", "Leader", "July 2015"],
                                                     ["R02", "That it reports.", "Leader", "Dec 2017"]])
    with zipfile.ZipFile(path) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet], replaced = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:D2"', parts[sheet])
    assert replaced == 1
    with zipfile.ZipFile(path, "w") as rewritten:
        for name, data in parts.items():
            rewritten.writestr(name, data)
    assert [r.number for r in read(path).recommendations] == ["R01", "R02"]


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2000), name=st.sampled_from(["tracker.xlsx", "tracker.csv"]))
def test_any_uploaded_bytes_give_recommendations_or_problems_and_never_an_error(data, name):
    result = read_tracker(data, name)
    assert result.recommendations or result.problems
