"""The scrutiny office sets up inquiries and their recommendations through the set-up pages.

Each story posts to the pages as a browser does and reads back what was saved. Every
page is also checked for who may open it (only the scrutiny office: others get the
rule's sentence and nothing is written), for a constant number of queries whatever
the numbers, and for bad input answered beside the field, never with a server error.
"""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CommitteeFactory,
    InquiryFactory,
    OwnerFactory,
    RecommendationFactory,
    SubPartFactory,
    ThemeFactory,
)
from tests.pages import date_fields, field_errors, hidden, signed_in, summary_errors, text
from tracker import services
from tracker.demo import create_demo_users
from tracker.models import (
    Assessment,
    AssessmentScheme,
    Committee,
    EvidenceUpdate,
    ExecutiveResponse,
    Inquiry,
    Meeting,
    Milestone,
    Recommendation,
    Theme,
    Transfer,
)
from tracker.parsed import ParsedRecommendation
from tracker.paste import parse_recommendations
from tracker.views.setup.inquiry_imports import IMPORT_SALT

pytestmark = pytest.mark.django_db

REFUSAL = "Only the Scrutiny Office sets up the council, its committees, inquiries and people."

LEISURE = """Leisure Task Group Rec 1 That the Council:
a) reviews the opening hours of its leisure centres;
b) reports the results to the executive.
Responsibility: Director of Place / Cabinet Member for Leisure
Date: December 2015

Leisure Task Group Rec 2 That a new pool is planned.
Responsibility: Head of Planning
Date: To be confirmed when the Planning and Infrastructure Act is passed

Leisure and Culture Task Group Recommendation 12 That libraries stay open on Sundays.
Responsibility: Cabinet Member for Culture
Date: On-going
"""


@pytest.fixture
def users():
    create_demo_users()
    return {user.username: user for user in get_user_model().objects.all()}


@pytest.fixture
def office(users) -> Client:
    return signed_in("scrutiny")


@pytest.fixture
def committee():
    return CommitteeFactory(name="Leisure and Culture Committee")


@pytest.fixture
def inquiry(users, committee):
    return services.create_inquiry(by=users["scrutiny"], committee=committee, title="Leisure Centres",
                                   reported_on=datetime.date(2015, 3, 27))


def url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


def add_pasted(inquiry, by, text=LEISURE, response=ExecutiveResponse.ACCEPTED):
    result = parse_recommendations(text)
    assert result.ok, result.problems
    return services.add_recommendations(inquiry, result.recommendations, by=by, executive_response=response)


def paste_post(text, action="check", checked="", response="accepted", **extra):
    return {"text": text, "executive_response": response, "action": action, "checked": checked,
            **date_fields("responded_on", "", "", ""), **extra}


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


TRACKER_HEADER = ["Ref", "Recommendation", "Lead", "Target date", "RAG"]


def tracker_file(rows=None, name="tracker.xlsx"):
    rows = rows if rows is not None else [
        ["LTG 1", "That the Council:\na) surveys users;\nb) reports back.", "Director of Place\nCabinet Member for Leisure",
         datetime.datetime(2016, 3, 31), "Green"],
        ["LTG 2", "That a new pool is planned.", "Head of Planning",
         "To be confirmed when the Planning and Infrastructure Act is passed", "Amber"],
    ]
    return SimpleUploadedFile(name, xlsx([TRACKER_HEADER, *rows]))


def import_post(upload, response="accepted", agreed_on=("", "", "")):
    return {"file": upload, "executive_response": response, **date_fields("responded_on", "", "", ""),
            **date_fields("agreed_on", *agreed_on)}


def traffic_light_scheme(by):
    """A scheme of Green, Amber and Red, each with its colour as its marker."""
    scheme = services.create_scheme(by=by, name="Traffic lights")
    for code, label in [("Green", "Complete"), ("Amber", "Ongoing"), ("Red", "Paused")]:
        services.save_category(scheme, by=by, code=code, label=label, criteria=f"{label}.", marker=code)
    return scheme


# --- The list of inquiries and adding one ---------------------------------------------------------


def test_inquiries_are_listed_by_committee_with_their_recommendations_tracked_concluded_and_withdrawn(
        office, users, seed):
    other = services.create_inquiry(by=users["scrutiny"], committee=CommitteeFactory(name="Audit Committee"),
                                    title="Procurement")
    first, *_ = add_pasted(other, users["scrutiny"])
    meeting = services.schedule_meeting(other.committee, datetime.date(2016, 6, 15), None, by=users["scrutiny"])
    services.choose_recommendations(meeting, by=users["scrutiny"])
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, users["scrutiny"])
    services.add_evidence(first, meeting, "Begun.", datetime.date(2016, 6, 1), by=users["scrutiny"])
    services.withdraw_recommendation(first, by=users["scrutiny"], reason="Entered twice.")

    page = office.get(url("setup_inquiries"))

    assert page.status_code == 200
    words = text(page)
    assert "Audit Committee Inquiries of Audit Committee" in words
    assert "Procurement Not recorded 2 0 1" in words
    assert "Child Sexual Exploitation Not recorded 14 5 0" in words
    assert words.index("Audit Committee") < words.index("Education and Vulnerable Children")


def test_adding_an_inquiry_goes_on_to_its_page(office, committee):
    page = office.post(url("setup_inquiry_new"), {
        "committee": committee.pk, "title": "Leisure Centres", **date_fields("reported_on", 27, 3, 2015)})

    inquiry = Inquiry.objects.get()
    assert page.status_code == 302 and page["Location"] == url("setup_inquiry", inquiry.pk)
    assert (inquiry.committee, inquiry.title, inquiry.reported_on) == (committee, "Leisure Centres",
                                                                       datetime.date(2015, 3, 27))
    follow = office.get(page["Location"])
    assert "“Leisure Centres” was added." in text(follow)
    assert "Date reported 27 March 2015" in text(follow)


def test_an_inquiry_needs_a_committee_and_a_title_and_a_real_date(office, committee):
    page = office.post(url("setup_inquiry_new"), {"committee": "", "title": " ",
                                                  **date_fields("reported_on", 31, 2, 2015)})

    assert page.status_code == 400
    assert field_errors(page) == ["Choose the committee", "Enter the title of the inquiry",
                                  "Enter a real date, for example 31 3 2017"]
    assert summary_errors(page) == field_errors(page)
    assert "<title>Error: Add an inquiry" in page.content.decode()
    assert not Inquiry.objects.exists()


def test_a_title_the_committee_already_uses_is_refused_beside_the_field(office, inquiry):
    page = office.post(url("setup_inquiry_new"), {"committee": inquiry.committee.pk, "title": "leisure centres",
                                                  **date_fields("reported_on", "", "", "")})

    assert page.status_code == 400
    assert field_errors(page) == ["Leisure and Culture Committee already has an inquiry called “leisure centres”."]
    assert Inquiry.objects.count() == 1


def test_a_committee_id_that_is_not_one_is_refused_beside_the_field(office, committee):
    for value in ("99999999", "1" * 40, "x"):
        page = office.post(url("setup_inquiry_new"), {"committee": value, "title": "Pools",
                                                      **date_fields("reported_on", "", "", "")})
        assert page.status_code == 400
        assert field_errors(page) == ["Choose one of the committees listed"]


def test_an_inquirys_details_are_changed(office, inquiry):
    page = office.post(url("setup_inquiry_change", inquiry.pk), {
        "title": "Leisure Centres and Pools", **date_fields("reported_on", 1, 4, 2015), "version": inquiry.version})

    assert page.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.title, inquiry.reported_on) == ("Leisure Centres and Pools", datetime.date(2015, 4, 1))


def test_changing_an_inquiry_someone_else_changed_meanwhile_shows_what_they_saved(office, users, inquiry):
    read_at = inquiry.version
    services.update_inquiry(inquiry, by=users["scrutiny"], expected_version=read_at, title="Leisure Review",
                            reported_on=None)

    page = office.post(url("setup_inquiry_change", inquiry.pk), {
        "title": "Leisure Centres (2015)", **date_fields("reported_on", "", "", ""), "version": read_at})

    assert page.status_code == 409
    assert "What was saved meanwhile Title: Leisure Review." in text(page)
    assert hidden(page, "version") == str(read_at + 1)
    inquiry.refresh_from_db()
    assert inquiry.title == "Leisure Review"


# --- The inquiry's page -----------------------------------------------------------------------------


def test_the_inquiry_page_lists_its_recommendations_in_printed_order_with_owners_dates_response_and_status(
        office, users, inquiry):
    first, second, third = add_pasted(inquiry, users["scrutiny"])
    services.update_recommendation(third, by=users["scrutiny"], expected_version=third.version,
                                   executive_response=ExecutiveResponse.REJECTED,
                                   executive_response_on=datetime.date(2015, 6, 1))
    services.transfer_recommendations([second], CommitteeFactory(name="Planning Committee"), by=users["scrutiny"],
                                      on=datetime.date(2016, 1, 4), reason="Planning matters.")
    themed = services.find_or_create_theme(inquiry, "A Opening hours")
    services.edit_recommendation(first, parse_recommendations(LEISURE).recommendations[0], by=users["scrutiny"],
                                 expected_version=first.version, theme=themed,
                                 executive_response=ExecutiveResponse.ACCEPTED, responded_on=None)

    page = office.get(url("setup_inquiry", inquiry.pk))

    words = text(page)
    assert page.status_code == 200
    assert ("Leisure Task Group Rec 1 Theme: A Opening hours That the Council: (2 sub-parts) Director of Place "
            "Cabinet Member for Leisure December 2015 Accepted Tracked") in words
    assert ("Leisure Task Group Rec 2 That a new pool is planned. Head of Planning To be confirmed when the "
            "Planning and Infrastructure Act is passed Accepted Tracked by Planning Committee") in words
    assert ("Leisure and Culture Task Group Recommendation 12 That libraries stay open on Sundays. Cabinet Member "
            "for Culture On-going Rejected on 1 June 2015 Not tracked by default") in words
    for link in ("Paste recommendations", "Import a spreadsheet", "Add one recommendation",
                 "Move this inquiry to another committee"):
        assert link in words


def test_move_up_and_move_down_change_the_printed_order(office, users, inquiry):
    first, second, third = add_pasted(inquiry, users["scrutiny"])
    page = office.get(url("setup_inquiry", inquiry.pk))
    assert "Move up Leisure Task Group Rec 1" not in text(page)  # the first cannot go higher
    assert "Move down Leisure and Culture Task Group Recommendation 12" not in text(page)

    moved = office.post(url("setup_recommendation_move", third.pk), {"direction": "up"})

    assert moved.status_code == 302
    assert moved["Location"] == url("setup_inquiry", inquiry.pk) + f"#recommendation-{third.pk}"
    order = list(inquiry.recommendations.order_by("position").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    office.post(url("setup_recommendation_move", first.pk), {"direction": "down"})
    assert list(inquiry.recommendations.order_by("position").values_list("pk", flat=True)) == [
        third.pk, first.pk, second.pk]
    assert "Leisure Task Group Rec 1 was moved down." in text(office.get(url("setup_inquiry", inquiry.pk)))


def test_a_move_that_is_neither_up_nor_down_changes_nothing(office, users, inquiry):
    first, *_ = add_pasted(inquiry, users["scrutiny"])
    before = list(inquiry.recommendations.order_by("position").values_list("pk", flat=True))

    page = office.post(url("setup_recommendation_move", first.pk), {"direction": "sideways"}, follow=True)

    assert "This page was out of date" in text(page)
    assert list(inquiry.recommendations.order_by("position").values_list("pk", flat=True)) == before
    assert office.get(url("setup_recommendation_move", first.pk)).status_code == 405


# --- Pasting ----------------------------------------------------------------------------------------


def test_a_paste_is_previewed_with_long_numbers_two_owners_and_each_date_as_it_was_read(office, inquiry):
    page = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(LEISURE))

    assert page.status_code == 200
    words = text(page)
    assert "Check the 3 recommendations" in words
    assert ("Leisure Task Group Rec 1 (line 1) Number Leisure Task Group Rec 1 Opening words That the Council: "
            "Sub-parts a) reviews the opening hours of its leisure centres; b) reports the results to the executive. "
            "Responsibility Director of Place Cabinet Member for Leisure Original date for completion As written: "
            "December 2015 Read as: Completion: 31 December 2015 Theme No theme") in words
    assert ("Read as: Waiting on: To be confirmed when the Planning and Infrastructure Act is passed") in words
    assert "Leisure and Culture Task Group Recommendation 12 (line 11)" in words
    assert "As written: On-going Read as: On-going" in words
    assert "Save these 3 recommendations" in words
    assert re.search(r"<textarea[^>]*>\s*Leisure Task Group Rec 1 That the Council:", page.content.decode())
    assert not Recommendation.objects.exists()


def test_saving_the_checked_paste_reads_the_same_text_again_and_adds_them_all(office, inquiry):
    preview = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(LEISURE, **date_fields(
        "responded_on", 1, 6, 2015)))
    checked = hidden(preview, "checked")

    saved = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(
        LEISURE, action="save", checked=checked, **date_fields("responded_on", 1, 6, 2015)))

    assert saved.status_code == 302 and saved["Location"] == url("setup_inquiry", inquiry.pk)
    first, second, third = inquiry.recommendations.order_by("position")
    assert [first.number, second.number, third.number] == [
        "Leisure Task Group Rec 1", "Leisure Task Group Rec 2", "Leisure and Culture Task Group Recommendation 12"]
    assert [r.owner.name for r in first.responsibilities.all()] == ["Director of Place", "Cabinet Member for Leisure"]
    assert [(p.label, p.text) for p in first.sub_parts.all()] == [
        ("a)", "reviews the opening hours of its leisure centres;"), ("b)", "reports the results to the executive.")]
    assert second.milestones.get().event == "To be confirmed when the Planning and Infrastructure Act is passed"
    assert third.milestones.get().kind == Milestone.Kind.ONGOING
    assert {(r.executive_response, r.executive_response_on) for r in (first, second, third)} == {
        (ExecutiveResponse.ACCEPTED, datetime.date(2015, 6, 1))}
    assert "Added 3 recommendations to “Leisure Centres”." in text(office.get(saved["Location"]))


def test_a_problem_in_the_paste_is_listed_with_its_line_and_nothing_can_be_saved(office, inquiry):
    pasted = LEISURE + "\nLeisure Task Group Rec 4 That fees are frozen.\nResponsibility: Head of Leisure\nDate: 31/02/2017\n"

    page = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(pasted))

    assert page.status_code == 400
    problem = "Leisure Task Group Rec 4 (line 15): 31/02/2017 is not a real date."
    assert summary_errors(page) == [problem]
    assert problem in field_errors(page)
    assert "Save these" not in text(page)
    assert "4 recommendations read" in text(page)
    assert 'href="#id_text"' in page.content.decode()
    assert "Error: Paste recommendations" in page.content.decode()

    corrected = pasted.replace("31/02/2017", "28/02/2017")
    again = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(corrected))
    assert again.status_code == 200 and "Save these 4 recommendations" in text(again)
    saved = office.post(url("setup_inquiry_paste", inquiry.pk),
                        paste_post(corrected, action="save", checked=hidden(again, "checked")))
    assert saved.status_code == 302 and inquiry.recommendations.count() == 4


def test_saving_with_a_problem_still_in_the_text_saves_nothing(office, inquiry):
    pasted = LEISURE.replace("December 2015", "Febtember 2015")
    from tracker.views.setup.inquiry_imports import checksum

    page = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(pasted, action="save",
                                                                          checked=checksum(pasted.strip())))

    assert page.status_code == 400
    assert "Febtember 2015 is not a real date: check the spelling of the month." in " ".join(summary_errors(page))
    assert not Recommendation.objects.exists()


def test_a_number_already_used_in_the_inquiry_is_refused_and_nothing_is_saved(office, users, inquiry):
    add_pasted(inquiry, users["scrutiny"], text=LEISURE.split("\n\n")[1])
    before = Recommendation.objects.count()

    page = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(LEISURE))

    assert page.status_code == 400
    assert summary_errors(page) == ["Line 7: Leisure Centres already has a recommendation Leisure Task Group Rec 2."]
    assert "Save these" not in text(page)
    assert Recommendation.objects.count() == before


def test_a_number_taken_between_the_check_and_the_save_is_refused_and_nothing_is_saved(office, users, inquiry):
    preview = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(LEISURE))
    add_pasted(inquiry, users["scrutiny"], text=LEISURE.split("\n\n")[0])  # someone else, meanwhile

    page = office.post(url("setup_inquiry_paste", inquiry.pk),
                       paste_post(LEISURE, action="save", checked=hidden(preview, "checked")))

    assert page.status_code == 400
    assert summary_errors(page) == ["Line 1: Leisure Centres already has a recommendation Leisure Task Group Rec 1."]
    assert Recommendation.objects.count() == 1


def test_a_text_changed_after_it_was_checked_is_shown_again_not_saved(office, inquiry):
    preview = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(LEISURE))
    changed = LEISURE.replace("Head of Planning", "Head of Planning / Leader")

    page = office.post(url("setup_inquiry_paste", inquiry.pk),
                       paste_post(changed, action="save", checked=hidden(preview, "checked")))

    assert page.status_code == 200
    assert "The text was changed after it was checked, so nothing was saved." in text(page)
    assert "Responsibility Head of Planning Leader" in text(page)
    assert not Recommendation.objects.exists()
    saved = office.post(url("setup_inquiry_paste", inquiry.pk),
                        paste_post(changed, action="save", checked=hidden(page, "checked")))
    assert saved.status_code == 302 and Recommendation.objects.count() == 3


def test_a_number_is_never_cut_and_one_longer_than_sixty_characters_is_refused(office, inquiry):
    long_number = "Leisure Culture and Libraries Joint Scrutiny Task Group Recommendation 12"
    pasted = f"{long_number} That libraries stay open.\nResponsibility: Leader\nDate: On-going\n"
    assert len(long_number) > 60

    page = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(pasted))

    assert page.status_code == 400
    assert summary_errors(page) == [f"Line 1: {long_number}: A number can be up to 60 characters long; "
                                    f"this one has {len(long_number)}."]
    assert f"Number {long_number}" in text(page)
    assert not Recommendation.objects.exists()


def test_an_empty_or_unreadable_paste_says_what_to_paste(office, inquiry):
    empty = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post("  \u200b "))
    assert empty.status_code == 400 and field_errors(empty) == ["Paste the recommendations"]

    words = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post("Some words with no number."))
    assert words.status_code == 400
    assert summary_errors(words)[0].startswith("No recommendations were found. Start each recommendation on a new "
                                               "line with its number")

    no_response = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(LEISURE, response="maybe"))
    assert no_response.status_code == 400 and field_errors(no_response) == ["Choose one of the responses listed"]
    assert not Recommendation.objects.exists()


def test_a_pasted_table_with_a_category_column_is_sent_to_the_import(office, inquiry):
    table = ("No.\tRecommendation\tResponsibility\tDate\tRAG\n"
             "R1\tThat the pool opens.\tLeader\tDec 2016\tGreen\n")

    page = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(table))

    assert page.status_code == 400
    assert summary_errors(page) == [
        "Line 2: R1 has a category (“Green”). Categories come in with “Import a spreadsheet”, which asks for the "
        "meeting that agreed them. Take the category column out to paste the rest."]


def test_rows_copied_from_a_word_table_are_previewed_and_saved(office, inquiry):
    table = ("No.\tRecommendation\tResponsibility\tDate\n"
             "R1\tThat the pool opens.\tLeader / Head of Leisure\tDec 2016\n"
             "R2\tThat fees are frozen.\tLeader\tOn-going\n")
    preview = office.post(url("setup_inquiry_paste", inquiry.pk), paste_post(table))
    assert "Check the 2 recommendations" in text(preview)

    office.post(url("setup_inquiry_paste", inquiry.pk),
                paste_post(table, action="save", checked=hidden(preview, "checked")))

    assert list(inquiry.recommendations.values_list("number", flat=True)) == ["R1", "R2"]


# --- Importing a spreadsheet -------------------------------------------------------------------------


def test_an_uploaded_tracker_is_previewed_row_by_row_then_saved_without_asking_for_the_file_again(
        office, users, inquiry):
    scheme = traffic_light_scheme(users["scrutiny"])
    services.update_committee(inquiry.committee, by=users["scrutiny"], expected_version=inquiry.committee.version,
                              scheme=scheme)

    preview = office.post(url("setup_inquiry_import", inquiry.pk),
                          import_post(tracker_file(), agreed_on=(10, 2, 2016)))

    assert preview.status_code == 200
    words = text(preview)
    assert "Recommendations read 2" in words
    assert "At Leisure and Culture Committee’s meeting on 10 February 2016" in words
    assert ("LTG 1 (row 2) Number LTG 1 Opening words That the Council: Sub-parts a) surveys users; b) reports back. "
            "Responsibility Director of Place Cabinet Member for Leisure Original date for completion As written: "
            "31 March 2016 Read as: Completion: 31 March 2016") in words
    assert "Category agreed Green" in words
    assert "Read as: Waiting on: To be confirmed when the Planning and Infrastructure Act is passed" in words
    assert not Recommendation.objects.exists() and not Meeting.objects.exists()

    saved = office.post(url("setup_inquiry_import", inquiry.pk), {"checked": hidden(preview, "checked")})

    assert saved.status_code == 302
    first, second = inquiry.recommendations.order_by("position")
    assert [r.owner.name for r in first.responsibilities.all()] == ["Director of Place", "Cabinet Member for Leisure"]
    assert first.milestones.get().due_date == datetime.date(2016, 3, 31)
    meeting = Meeting.objects.get()
    assert (meeting.date, meeting.state, meeting.scheme) == (datetime.date(2016, 2, 10), Meeting.State.CLOSED, scheme)
    assert [a.agreed_category.code for a in Assessment.objects.order_by("recommendation__position")] == [
        "Green", "Amber"]
    assert first.executive_response == ExecutiveResponse.ACCEPTED


def test_a_csv_without_categories_needs_no_meeting_date(office, inquiry):
    upload = SimpleUploadedFile("tracker.csv", (
        b"No.,Recommendation,Responsibility,Date,Progress\n"
        b"R1,That the pool opens.,Leader,Dec 2016,Plans drawn up.\n"))

    preview = office.post(url("setup_inquiry_import", inquiry.pk), import_post(upload, response="pending"))
    assert "Progress so far Plans drawn up." in text(preview)
    office.post(url("setup_inquiry_import", inquiry.pk), {"checked": hidden(preview, "checked")})

    recommendation = inquiry.recommendations.get()
    assert recommendation.executive_response == ExecutiveResponse.PENDING
    assert EvidenceUpdate.objects.get(recommendation=recommendation).text == "Plans drawn up."
    assert not Meeting.objects.exists()


def test_a_spreadsheet_with_an_impossible_date_names_its_row_and_column_and_nothing_is_saved(office, inquiry):
    rows = [["LTG 1", "That the pool opens.", "Leader", "31/02/2017", ""],
            ["LTG 2", "That fees are frozen.", "Leader", "Febtember 2017", ""]]

    page = office.post(url("setup_inquiry_import", inquiry.pk), import_post(tracker_file(rows)))

    assert page.status_code == 400
    assert summary_errors(page) == [
        "Row 2, column “Target date”: 31/02/2017 is not a real date.",
        "Row 3, column “Target date”: Febtember 2017 is not a real date: check the spelling of the month."]
    assert field_errors(page) == summary_errors(page)
    assert "Save these" not in text(page)
    assert not Recommendation.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_or_too_big_is_refused_beside_the_field(office, inquiry, settings):
    word = office.post(url("setup_inquiry_import", inquiry.pk),
                       import_post(SimpleUploadedFile("report.docx", b"PK\x03\x04 not a tracker")))
    assert word.status_code == 400
    assert field_errors(word)[0].startswith("“report.docx” is not a file type this can read.")

    big = SimpleUploadedFile("tracker.csv", b"No.,Recommendation\n" + b"x" * (5 * 1024 * 1024))
    page = office.post(url("setup_inquiry_import", inquiry.pk), import_post(big))
    assert page.status_code == 400
    assert field_errors(page) == ["The file is 5.0 MB: it must be 5.0 MB or smaller. Take out anything but the "
                                  "recommendations (pictures, other sheets), or save it as a CSV file."]

    missing = office.post(url("setup_inquiry_import", inquiry.pk), {"executive_response": "accepted"})
    assert missing.status_code == 400 and field_errors(missing) == ["Choose the spreadsheet to upload"]
    assert not Recommendation.objects.exists()


def test_categories_need_the_date_of_the_meeting_that_agreed_them(office, inquiry):
    page = office.post(url("setup_inquiry_import", inquiry.pk), import_post(tracker_file()))

    assert page.status_code == 400
    assert field_errors(page) == ["The spreadsheet has a category column: enter the date of the meeting that agreed "
                                  "those categories"]

    future = office.post(url("setup_inquiry_import", inquiry.pk),
                         import_post(tracker_file(), agreed_on=(1, 1, datetime.date.today().year + 1)))
    assert future.status_code == 400
    assert field_errors(future) == ["The meeting that agreed the categories cannot be in the future."]
    assert not Meeting.objects.exists()


def test_a_category_the_committees_scheme_does_not_have_names_its_row(office, inquiry):
    rows = [["LTG 1", "That the pool opens.", "Leader", "Dec 2016", "2 – Achieved (Late)"],
            ["LTG 2", "That fees are frozen.", "Leader", "Dec 2016", "Purple"]]

    page = office.post(url("setup_inquiry_import", inquiry.pk), import_post(tracker_file(rows), agreed_on=(10, 2, 2016)))

    assert page.status_code == 400
    assert summary_errors(page) == [f"Row 3: LTG 2: “Purple” is not a category of {AssessmentScheme.default()}."]
    assert not Meeting.objects.exists() and not Recommendation.objects.exists()


def test_an_existing_meeting_on_the_day_gives_the_categories_its_scheme_and_is_not_recorded_twice(
        office, users, inquiry):
    held = Meeting.objects.create(committee=inquiry.committee, scheme=inquiry.committee.scheme,
                                  date=datetime.date(2016, 2, 10), state=Meeting.State.CLOSED)
    rows = [["LTG 1", "That the pool opens.", "Leader", "Dec 2016", "2 – Achieved (Late)"]]
    preview = office.post(url("setup_inquiry_import", inquiry.pk),
                          import_post(tracker_file(rows), agreed_on=(10, 2, 2016)))

    office.post(url("setup_inquiry_import", inquiry.pk), {"checked": hidden(preview, "checked")})

    assert Meeting.objects.get() == held
    assert Assessment.objects.get().agreed_category.label == "Achieved (Late)"


def test_a_changed_or_stale_or_borrowed_signed_field_is_refused_with_a_message_and_nothing_is_saved(
        office, users, inquiry, monkeypatch):
    preview = office.post(url("setup_inquiry_import", inquiry.pk),
                          import_post(tracker_file([["LTG 1", "That the pool opens.", "Leader", "Dec 2016", ""]])))
    checked = hidden(preview, "checked")

    tampered = office.post(url("setup_inquiry_import", inquiry.pk), {"checked": checked[:-3] + "abc"})
    assert tampered.status_code == 400
    assert summary_errors(tampered) == [
        "The checked spreadsheet could not be saved: the page was changed or is more than a day old. Nothing was "
        "saved. Upload the spreadsheet again to check it."]

    forged = signing.dumps({"inquiry": inquiry.pk, "recommendations": []}, salt="another-salt", compress=True)
    assert office.post(url("setup_inquiry_import", inquiry.pk), {"checked": forged}).status_code == 400
    assert office.post(url("setup_inquiry_import", inquiry.pk), {"checked": ""}).status_code == 400

    other = InquiryFactory(committee=inquiry.committee)
    borrowed = office.post(url("setup_inquiry_import", other.pk), {"checked": checked})
    assert borrowed.status_code == 400

    import time

    later = time.time() + 2 * 24 * 60 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    expired = office.post(url("setup_inquiry_import", inquiry.pk), {"checked": checked})
    assert expired.status_code == 400 and "more than a day old" in summary_errors(expired)[0]
    assert not Recommendation.objects.exists()


def test_a_number_taken_between_the_check_and_the_save_of_an_import_is_listed_and_nothing_is_saved(
        office, users, inquiry):
    rows = [["LTG 1", "That the pool opens.", "Leader", "Dec 2016", ""],
            ["LTG 2", "That fees are frozen.", "Leader", "Dec 2016", ""]]
    preview = office.post(url("setup_inquiry_import", inquiry.pk), import_post(tracker_file(rows)))
    services.add_recommendations(inquiry, [ParsedRecommendation(number="LTG 2", lead="That fees are cut.")],
                                 by=users["scrutiny"])

    page = office.post(url("setup_inquiry_import", inquiry.pk), {"checked": hidden(preview, "checked")})

    assert page.status_code == 400
    assert "Row 3: Leisure Centres already has a recommendation LTG 2." in text(page)
    assert "Save these" not in text(page)
    assert list(inquiry.recommendations.values_list("number", flat=True)) == ["LTG 2"]


def test_a_spreadsheet_too_big_to_carry_to_the_save_is_refused_beside_the_file(office, inquiry, monkeypatch):
    monkeypatch.setattr("tracker.views.setup.inquiry_imports.IMPORT_SIGNED_LIMIT", 100)

    page = office.post(url("setup_inquiry_import", inquiry.pk), import_post(tracker_file([
        ["LTG 1", "That the pool opens.", "Leader", "Dec 2016", ""]])))

    assert page.status_code == 400
    assert field_errors(page) == ["The spreadsheet holds too much to check in one go (1 row). Split it into two "
                                  "files and import each."]


def test_a_meeting_date_given_for_a_sheet_without_categories_is_not_used(office, inquiry):
    preview = office.post(url("setup_inquiry_import", inquiry.pk), import_post(
        tracker_file([["LTG 1", "That the pool opens.", "Leader", "Dec 2016", ""]]), agreed_on=(10, 2, 2016)))

    assert "Categories agreed" not in text(preview)
    office.post(url("setup_inquiry_import", inquiry.pk), {"checked": hidden(preview, "checked")})
    assert inquiry.recommendations.count() == 1 and not Meeting.objects.exists()


def test_the_signed_field_carries_the_checked_rows_not_the_file(office, inquiry):
    preview = office.post(url("setup_inquiry_import", inquiry.pk),
                          import_post(tracker_file([["LTG 1", "That the pool opens.", "Leader", "Dec 2016", ""]])))

    checked = signing.loads(hidden(preview, "checked"), salt=IMPORT_SALT)

    assert checked["inquiry"] == inquiry.pk and checked["file"] == "tracker.xlsx"
    assert [r["number"] for r in checked["recommendations"]] == ["LTG 1"]


# --- One recommendation -------------------------------------------------------------------------------


def one_post(**fields):
    data = {"number": "Leisure Task Group Rec 1", "text": "That the Council:\na) reviews opening hours;\n• reports back.",
            "owners": "Director of Place\nCabinet Member for Leisure", "timescale": "Initial feedback April 2015 and "
            "completion Dec 2015", "theme": "", "new_theme": "", "executive_response": "accepted",
            **date_fields("responded_on", "", "", "")}
    data.update(fields)
    return data


def test_one_recommendation_is_typed_in_and_its_page_shows_how_its_text_was_read(office, inquiry):
    page = office.post(url("setup_recommendation_new", inquiry.pk), one_post(new_theme="A Opening hours"))

    recommendation = Recommendation.objects.get()
    assert page.status_code == 302 and page["Location"] == url("setup_recommendation", recommendation.pk)
    assert recommendation.lead == "That the Council:"
    assert [(p.label, p.text) for p in recommendation.sub_parts.all()] == [("a)", "reviews opening hours;"),
                                                                           ("", "reports back.")]
    assert [m.kind for m in recommendation.milestones.all()] == ["initial_feedback", "completion"]
    assert str(recommendation.theme) == "A Opening hours"
    words = text(office.get(page["Location"]))
    assert "Leisure Task Group Rec 1 was added. Check below how its text was read." in words
    assert ("How the text was read Opening words: That the Council: Sub-parts (2): a) reviews opening hours; "
            "Bullet reports back.") in words


def test_a_number_longer_than_sixty_characters_is_refused_beside_the_field_and_kept_whole(office, inquiry):
    long_number = "Leisure Culture and Libraries Joint Scrutiny Task Group Recommendation 12"

    page = office.post(url("setup_recommendation_new", inquiry.pk), one_post(number=long_number))

    assert page.status_code == 400
    assert field_errors(page) == [f"A number can be up to 60 characters long; this one has {len(long_number)}. "
                                  "Shorten it: nothing was cut."]
    body = page.content.decode()
    assert f'value="{long_number}"' in body and "maxlength" not in body
    assert not Recommendation.objects.exists()


def test_a_date_that_cannot_be_read_is_refused_beside_the_date_and_the_reading_is_shown(office, inquiry):
    page = office.post(url("setup_recommendation_new", inquiry.pk), one_post(timescale="31/02/2017"))

    assert page.status_code == 400
    assert field_errors(page) == ["31/02/2017 is not a real date."]
    assert "How the text was read Opening words: That the Council:" in text(page)


def test_sub_parts_without_opening_words_and_an_empty_text_are_refused(office, inquiry):
    page = office.post(url("setup_recommendation_new", inquiry.pk), one_post(text="a) one\nb) two", number=""))
    assert page.status_code == 400
    assert field_errors(page) == ["Enter the recommendation’s number as the report prints it",
                                  "Start with the opening words before the first sub-part, for example “That:”"]
    assert not Recommendation.objects.exists()


def test_a_number_used_already_is_refused_beside_the_number(office, users, inquiry):
    add_pasted(inquiry, users["scrutiny"])

    page = office.post(url("setup_recommendation_new", inquiry.pk), one_post(number="leisure task group rec 2"))

    assert page.status_code == 400
    assert field_errors(page) == ["Leisure Centres already has a recommendation leisure task group rec 2."]


def test_the_theme_is_one_of_this_inquirys_never_anothers(office, users, inquiry):
    mine = services.find_or_create_theme(inquiry, "A Opening hours")
    theirs = ThemeFactory(inquiry=InquiryFactory(committee=inquiry.committee))

    other = office.post(url("setup_recommendation_new", inquiry.pk), one_post(theme=theirs.pk))
    assert other.status_code == 400
    assert field_errors(other) == ["Choose one of this inquiry’s themes"]
    both = office.post(url("setup_recommendation_new", inquiry.pk), one_post(theme=mine.pk, new_theme="B Prices"))
    assert field_errors(both) == ["Choose a theme from the list or type a new one, not both"]
    assert not Recommendation.objects.exists()

    office.post(url("setup_recommendation_new", inquiry.pk), one_post(theme=mine.pk))
    assert Recommendation.objects.get().theme == mine
    assert Theme.objects.filter(inquiry=inquiry).count() == 1


def test_a_recommendation_is_changed_from_the_version_it_was_read_at(office, users, inquiry):
    first, *_ = add_pasted(inquiry, users["scrutiny"])
    page = office.get(url("setup_recommendation", first.pk))
    assert re.search(r"<textarea[^>]*>\s*That the Council:\na\) reviews the opening hours", page.content.decode())

    saved = office.post(url("setup_recommendation", first.pk), one_post(
        number="LTG 1", text="That the Council:\na) reviews opening hours;\nb) publishes them.", owners="Leader",
        timescale="March 2016", new_theme="Opening hours", executive_response="accepted_in_principle",
        version=hidden(page, "version")))

    assert saved.status_code == 302
    first.refresh_from_db()
    assert (first.number, first.executive_response) == ("LTG 1", ExecutiveResponse.ACCEPTED_IN_PRINCIPLE)
    assert [p.text for p in first.sub_parts.all()] == ["reviews opening hours;", "publishes them."]
    assert [r.owner.name for r in first.responsibilities.all()] == ["Leader"]
    assert first.milestones.get().due_date == datetime.date(2016, 3, 31)
    assert first.theme.title == "Opening hours"


def test_a_change_saved_by_someone_else_meanwhile_answers_409_and_shows_theirs(office, users, inquiry):
    first, *_ = add_pasted(inquiry, users["scrutiny"])
    page = office.get(url("setup_recommendation", first.pk))
    theirs = ParsedRecommendation(number="LTG 1", lead="That the Council closes on Mondays.", owners=["Leader"])
    services.edit_recommendation(first, theirs, by=users["scrutiny"], expected_version=first.version,
                                 theme=None, executive_response=ExecutiveResponse.REJECTED, responded_on=None)

    mine = office.post(url("setup_recommendation", first.pk), one_post(version=hidden(page, "version")))

    assert mine.status_code == 409
    words = text(mine)
    assert "Someone else (Sam Scrutiny) saved recommendation LTG 1 while you were editing it" in words
    assert "What was saved meanwhile Number LTG 1 Recommendation That the Council closes on Mondays." in words
    assert "Executive’s response Rejected" in words
    first.refresh_from_db()
    assert first.number == "LTG 1"


def test_an_original_date_tracked_against_stays_and_the_page_says_so(office, seed):
    r06 = Recommendation.objects.get(number="R06")
    page = office.get(url("setup_recommendation", r06.pk))
    assert "It has been tracked against, so it stays as it is." in text(page)

    refused = office.post(url("setup_recommendation", r06.pk), one_post(
        number="R06", text=r06.lead, owners="Chair BSCB", timescale="December 2016", theme=r06.theme_id,
        version=hidden(page, "version")))

    assert refused.status_code == 400
    assert field_errors(refused) == ["Its original date has been tracked against, so it stays as it was. To move the "
                                     "date, record the move and its reason instead."]
    r06.refresh_from_db()
    assert r06.original_timescale == "July 2015"


# --- Withdrawing ---------------------------------------------------------------------------------------


def test_a_mistake_nothing_refers_to_is_deleted_after_saying_so(office, users, inquiry):
    first, *_ = add_pasted(inquiry, users["scrutiny"])
    page = office.get(url("setup_recommendation_withdraw", first.pk))
    assert "will be deleted: nothing refers to it yet" in text(page)

    done = office.post(url("setup_recommendation_withdraw", first.pk))

    assert done.status_code == 302 and done["Location"] == url("setup_inquiry", inquiry.pk)
    assert not Recommendation.objects.filter(pk=first.pk).exists()
    assert "Leisure Task Group Rec 1 was deleted." in text(office.get(done["Location"]))


def test_one_with_evidence_is_withdrawn_with_a_reason_and_kept(office, users, inquiry):
    first, *_ = add_pasted(inquiry, users["scrutiny"])
    meeting = services.schedule_meeting(inquiry.committee, datetime.date(2016, 6, 15), None, by=users["scrutiny"])
    services.choose_recommendations(meeting, by=users["scrutiny"])
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, users["scrutiny"])
    services.add_evidence(first, meeting, "Begun.", datetime.date(2016, 6, 1), by=users["scrutiny"])
    page = office.get(url("setup_recommendation_withdraw", first.pk))
    assert "will be withdrawn, not deleted" in text(page)
    assert "something already refers to it: evidence of progress" in text(page)

    no_reason = office.post(url("setup_recommendation_withdraw", first.pk), {"reason": " "})
    assert no_reason.status_code == 400
    assert field_errors(no_reason) == ["Say why it is withdrawn: the reason is kept on its timeline."]
    office.post(url("setup_recommendation_withdraw", first.pk), {"reason": "Entered twice."})

    first.refresh_from_db()
    assert first.withdrawn_reason == "Entered twice." and first.withdrawn_on is not None
    again = office.get(url("setup_recommendation_withdraw", first.pk))
    assert "was withdrawn on" in text(again) and "govuk-button--warning" not in again.content.decode()
    assert office.post(url("setup_recommendation_withdraw", first.pk), {"reason": "Again."}).status_code == 200
    first.refresh_from_db()
    assert first.withdrawn_reason == "Entered twice."


# --- Moving to another committee ---------------------------------------------------------------------


def transfer_post(committee, day=(20, 5, 2016), reason="Leisure moved to the new committee in May 2016.", **extra):
    return {"to_committee": committee.pk if committee else "", **date_fields("transferred_on", *day),
            "reason": reason, **extra}


def test_an_inquiry_moves_to_the_committee_now_responsible(office, users, inquiry):
    add_pasted(inquiry, users["scrutiny"])
    new = CommitteeFactory(name="Communities Committee")
    page = office.get(url("setup_inquiry_transfer", inquiry.pk))
    assert "meetings and published packs stay as they were" in text(page)
    assert "The category in force carries over" in text(page)
    assert f'<option value="{inquiry.committee.pk}"' not in page.content.decode()

    moved = office.post(url("setup_inquiry_transfer", inquiry.pk), transfer_post(new, version=inquiry.version))

    assert moved.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.committee == new
    assert Transfer.objects.filter(to_committee=new, reason__startswith="Leisure moved").count() == 3


def test_a_move_needs_a_committee_a_date_and_a_reason_and_never_to_the_same_committee(office, users, inquiry):
    first, *_ = add_pasted(inquiry, users["scrutiny"])
    CommitteeFactory(name="Communities Committee")

    page = office.post(url("setup_recommendation_transfer", first.pk), transfer_post(None, day=("", "", ""), reason=""))
    assert page.status_code == 400
    assert field_errors(page) == ["Choose the committee now responsible", "Enter the date of the move",
                                  "Say why it moves"]
    same = office.post(url("setup_recommendation_transfer", first.pk), transfer_post(inquiry.committee))
    assert field_errors(same) == ["Choose one of the committees listed"]
    future = office.post(url("setup_inquiry_transfer", inquiry.pk), transfer_post(
        Committee.objects.get(name="Communities Committee"), day=(1, 1, datetime.date.today().year + 1),
        version=inquiry.version))
    assert future.status_code == 400
    assert field_errors(future) == ["The date of the move cannot be in the future."]
    assert not Transfer.objects.exists()


def test_one_recommendation_moves_and_its_inquiry_stays(office, users, inquiry):
    first, *_ = add_pasted(inquiry, users["scrutiny"])
    new = CommitteeFactory(name="Planning Committee")

    moved = office.post(url("setup_recommendation_transfer", first.pk), transfer_post(new, reason="Planning matters."))

    assert moved.status_code == 302
    first.refresh_from_db()
    inquiry.refresh_from_db()
    assert first.committee == new and inquiry.committee.name == "Leisure and Culture Committee"
    assert "Tracked by Planning Committee" in text(office.get(url("setup_inquiry", inquiry.pk)))


def test_moving_an_inquiry_someone_else_changed_meanwhile_answers_409(office, users, inquiry):
    new = CommitteeFactory(name="Communities Committee")
    read_at = inquiry.version
    services.update_inquiry(inquiry, by=users["scrutiny"], expected_version=read_at, title="Leisure Review",
                            reported_on=None)

    page = office.post(url("setup_inquiry_transfer", inquiry.pk), transfer_post(new, version=read_at))

    assert page.status_code == 409
    assert "The inquiry is now called “Leisure Review”." in text(page)
    inquiry.refresh_from_db()
    assert inquiry.committee.name == "Leisure and Culture Committee"


# --- Who may use these pages ---------------------------------------------------------------------------


class Pages:
    """Every set-up page of this area, with a post that would change something if it were allowed."""

    def __init__(self, users):
        office = users["scrutiny"]
        self.committee = CommitteeFactory(name="Leisure and Culture Committee")
        self.other_committee = CommitteeFactory(name="Planning Committee")
        self.inquiry = services.create_inquiry(by=office, committee=self.committee, title="Leisure Centres")
        self.recommendation, *_ = add_pasted(self.inquiry, office)
        self.signed = signing.dumps({"inquiry": self.inquiry.pk}, salt=IMPORT_SALT)

    def all(self):
        i, r = self.inquiry.pk, self.recommendation.pk
        transfer = transfer_post(self.other_committee)
        return [
            (url("setup_inquiries"), None),
            (url("setup_inquiry_new"), {"committee": self.committee.pk, "title": "Pools",
                                        **date_fields("reported_on", "", "", "")}),
            (url("setup_inquiry", i), None),
            (url("setup_inquiry_change", i), {"title": "Pools", **date_fields("reported_on", "", "", ""),
                                              "version": self.inquiry.version}),
            (url("setup_inquiry_transfer", i), {**transfer, "version": self.inquiry.version}),
            (url("setup_inquiry_paste", i), paste_post("R9 That pools open.\n", action="save")),
            (url("setup_inquiry_import", i), {"checked": self.signed}),
            (url("setup_recommendation_new", i), one_post(number="R9")),
            (url("setup_recommendation", r), one_post(number="R9", version=self.recommendation.version)),
            (url("setup_recommendation_withdraw", r), {"reason": "Mistake."}),
            (url("setup_recommendation_move", r), {"direction": "down"}),
            (url("setup_recommendation_transfer", r), transfer),
        ]


def snapshot():
    return (
        list(Inquiry.objects.order_by("pk").values_list("title", "committee", "version")),
        list(Recommendation.objects.order_by("pk").values_list("number", "position", "committee", "version",
                                                               "withdrawn_on")),
        Transfer.objects.count(), Meeting.objects.count(), Theme.objects.count(),
    )


@pytest.mark.parametrize("who", ["anonymous", "officer", "cabinet", "member"])
def test_only_the_scrutiny_office_opens_or_posts_to_the_inquiry_set_up_pages(users, who):
    pages = Pages(users)
    client = Client() if who == "anonymous" else signed_in(who)
    before = snapshot()
    for address, post in pages.all():
        responses = ([] if address.endswith("/order/") else [client.get(address)]) + (
            [client.post(address, post)] if post is not None else [])
        for response in responses:
            if who == "anonymous":
                assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), address
            else:
                assert response.status_code == 403, address
                assert REFUSAL in text(response), address
    assert snapshot() == before


def test_the_scrutiny_office_opens_every_inquiry_set_up_page(users, office):
    pages = Pages(users)
    for address, _ in pages.all():
        if not address.endswith("/order/"):
            assert office.get(address).status_code == 200, address


def test_a_page_for_an_inquiry_or_recommendation_that_does_not_exist_is_not_found(office, users):
    for name in ("setup_inquiry", "setup_inquiry_change", "setup_inquiry_transfer", "setup_inquiry_paste",
                 "setup_inquiry_import", "setup_recommendation_new", "setup_recommendation",
                 "setup_recommendation_withdraw", "setup_recommendation_transfer"):
        assert office.get(url(name, 987654)).status_code == 404
    assert office.get("/setup/inquiries/99999999999999999999999/").status_code == 404


# --- Queries: the same number whatever the numbers --------------------------------------------------------


def queries(client, address, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(address, data) if data is not None else client.get(address)
    assert response.status_code in (200, 400), (address, response.status_code)
    return len(captured)


class Growing:
    """An inquiry whose recommendations, themes, owners and committees grow by ``add(n)``."""

    def __init__(self, users):
        self.office = users["scrutiny"]
        self.inquiry = InquiryFactory()
        self.count = 0

    def add(self, n):
        for _ in range(n):
            self.count += 1
            theme = ThemeFactory(inquiry=self.inquiry)
            recommendation = RecommendationFactory(theme=theme, owner=OwnerFactory(),
                                                   completion=datetime.date(2016, 12, 31))
            SubPartFactory(recommendation=recommendation)
            InquiryFactory(committee=CommitteeFactory())

    def paste(self):
        return "\n".join(f"R{n} That thing {n} is done.\nResponsibility: Owner {n} / Leader\nDate: Dec 2016"
                         for n in range(100, 100 + self.count))

    def spreadsheet(self):
        rows = [[f"S{n}", f"That thing {n} is done.", f"Owner {n}", "Dec 2016", ""] for n in range(self.count)]
        return tracker_file(rows)


def test_every_inquiry_set_up_page_runs_the_same_number_of_queries_for_5_or_25_recommendations(users, office):
    world = Growing(users)
    world.add(5)
    recommendation = world.inquiry.recommendations.first()

    def measure():
        i, r = world.inquiry.pk, recommendation.pk
        return {
            "list": queries(office, url("setup_inquiries")),
            "new": queries(office, url("setup_inquiry_new")),
            "inquiry": queries(office, url("setup_inquiry", i)),
            "change": queries(office, url("setup_inquiry_change", i)),
            "transfer": queries(office, url("setup_inquiry_transfer", i)),
            "paste": queries(office, url("setup_inquiry_paste", i)),
            "paste preview": queries(office, url("setup_inquiry_paste", i), paste_post(world.paste())),
            "import": queries(office, url("setup_inquiry_import", i)),
            "import preview": queries(office, url("setup_inquiry_import", i), import_post(world.spreadsheet())),
            "one new": queries(office, url("setup_recommendation_new", i)),
            "one": queries(office, url("setup_recommendation", r)),
            "withdraw": queries(office, url("setup_recommendation_withdraw", r)),
            "move to committee": queries(office, url("setup_recommendation_transfer", r)),
        }

    small = measure()
    world.add(20)
    large = measure()

    assert large == small
    assert max(small.values()) <= 20, small
