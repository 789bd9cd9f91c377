"""The scrutiny office sets up an inquiry in a real browser, from nothing to tracked recommendations.

Signed in as the demo scrutiny office (not a superuser), it adds an inquiry for a
committee, pastes its recommendations (long numbers, two owners on one, a date waiting
on legislation), sees the preview, corrects a problem, saves, changes one, reorders,
withdraws a mistake, imports a spreadsheet, and moves a recommendation to another
committee. Every page on the way, the preview and the error states included, is checked
by axe-core, for script errors and for reflow at 320px (tests/e2e/browsing.py).
"""

from __future__ import annotations

import datetime
import re

import openpyxl
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tracker import services
from tracker.demo import DEMO_USERS
from tracker.models import AssessmentScheme, Committee, Inquiry, Recommendation, Transfer

PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}

PASTED_WITH_A_SLIP = """Leisure Task Group Rec 1 That the Council:
a) reviews the opening hours of its leisure centres;
b) reports the results to the executive.
Responsibility: Director of Place / Cabinet Member for Leisure
Date: Initial feedback April 2016 and completion December 2016

Leisure Task Group Rec 2 That a new pool is planned.
Responsibility: Head of Planning
Date: To be confirmed when the Planning and Infrastructure Act is passed

Leisure and Culture Task Group Recommendation 12 That libraries stay open on Sundays.
Responsibility: Cabinet Member for Culture
Date: 31/02/2017

Leisure Task Group Rec 1A That fees are frozen (entered by mistake).
Responsibility: Head of Leisure
Date: On-going
"""


def error_summary(page):
    return page.locator(".govuk-error-summary")


def banner(page, kind: str):
    """The notification banner headed "Success" or "Check this"."""
    return page.locator(".govuk-notification-banner").filter(has=page.get_by_role("heading", name=kind, exact=True))


def fill_date(group, day, month, year):
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def tracker_workbook(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Leisure Task Group – tracker"])
    sheet.append(["Ref", "Recommendation", "Lead", "Target date", "Progress update"])
    sheet.append(["Leisure Task Group Rec 20", "That the Council:\n• surveys users;\n• publishes the results.",
                  "Head of Leisure\nLeader", datetime.datetime(2026, 3, 31), "Survey sent in January."])
    sheet.append(["Leisure Task Group Rec 21", "That changing rooms are refurbished.", "Head of Leisure",
                  "To be confirmed when the budget is set", ""])
    book.save(path)
    return path


def test_scrutiny_office_sets_up_an_inquiry_from_paste_and_spreadsheet_and_moves_a_recommendation(
        demo, visit, tmp_path):
    office_user = get_user_model().objects.get(username="scrutiny")
    for name in ("Leisure and Culture Committee", "Communities Committee"):
        services.create_committee(by=office_user, name=name, scheme=AssessmentScheme.default(),
                                  assessed_by=Committee.AssessedBy.EXECUTIVE)
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])

    office.go("/setup/")
    office.click_link("Inquiries and recommendations")
    expect(office.heading()).to_have_text("Inquiries and recommendations")
    expect(office.main).to_contain_text("Child Sexual Exploitation")

    # A new inquiry: a title forgotten first, refused beside the field.
    office.click_button("Add an inquiry")  # a link styled as a button
    page.get_by_label("Committee").select_option(label="Leisure and Culture Committee")
    office.click_button("Add the inquiry")
    expect(page).to_have_title(re.compile(r"^Error: Add an inquiry"))
    expect(error_summary(page)).to_contain_text("Enter the title of the inquiry")
    page.get_by_label("Title of the inquiry").fill("Leisure Centres")
    fill_date(page.get_by_role("group", name="Date reported (optional)"), 27, 3, 2016)
    office.click_button("Add the inquiry")
    expect(office.heading()).to_have_text("Leisure Centres")
    expect(banner(page, "Success")).to_contain_text("“Leisure Centres” was added.")

    # Paste, check, correct the impossible date, check again, save.
    office.click_link("Paste recommendations")
    page.get_by_label("Recommendations").fill(PASTED_WITH_A_SLIP)
    office.click_button("Check the recommendations")
    expect(page).to_have_title(re.compile(r"^Error: Paste recommendations"))
    expect(error_summary(page)).to_contain_text(
        "Leisure and Culture Task Group Recommendation 12 (line 11): 31/02/2017 is not a real date.")
    expect(page.get_by_role("button", name=re.compile("^Save these"))).to_have_count(0)
    page.get_by_label("Recommendations").fill(PASTED_WITH_A_SLIP.replace("31/02/2017", "28/02/2017"))
    office.click_button("Check again")
    first_card = page.locator(".govuk-summary-card").filter(has_text="Leisure Task Group Rec 1 (line 1)")
    expect(first_card).to_contain_text("Director of Place")
    expect(first_card).to_contain_text("Cabinet Member for Leisure")
    expect(first_card).to_contain_text("Initial feedback: 30 April 2016")
    expect(first_card).to_contain_text("Completion: 31 December 2016")
    expect(page.locator(".govuk-summary-card").filter(has_text="Leisure Task Group Rec 2")).to_contain_text(
        "Waiting on: To be confirmed when the Planning and Infrastructure Act is passed")
    expect(page.get_by_role("heading", name="Leisure and Culture Task Group Recommendation 12")).to_be_visible()
    office.click_button("Save these 4 recommendations")
    expect(banner(page, "Success")).to_contain_text("Added 4 recommendations to “Leisure Centres”.")
    inquiry = Inquiry.objects.get(title="Leisure Centres")
    assert list(inquiry.recommendations.order_by("position").values_list("number", flat=True)) == [
        "Leisure Task Group Rec 1", "Leisure Task Group Rec 2", "Leisure and Culture Task Group Recommendation 12",
        "Leisure Task Group Rec 1A"]

    # Change one: its text is read back under the field after saving.
    office.click_link("Change Leisure Task Group Rec 2")
    page.get_by_label("Recommendation", exact=True).fill(
        "That a new pool is planned:\na) with a learner pool;\nb) with changing places.")
    office.click_button("Save the changes")
    expect(banner(page, "Success")).to_contain_text("Leisure Task Group Rec 2 was saved.")
    expect(page.locator("#text-reading")).to_contain_text("Sub-parts (2)")
    # A number too long for the service is refused beside the field, and kept whole.
    long_number = "Leisure Culture and Libraries Joint Scrutiny Task Group Recommendation 2"
    page.get_by_label("Number").fill(long_number)
    office.click_button("Save the changes")
    expect(page).to_have_title(re.compile(r"^Error: Change Leisure Task Group Rec 2"))
    expect(page.get_by_label("Number")).to_have_value(long_number)
    office.click_link("Back to Leisure Centres")

    # Reorder: Rec 12 before Rec 2.
    office.click_button("Move up Leisure and Culture Task Group Recommendation 12")
    expect(banner(page, "Success")).to_contain_text("moved up")
    numbers = page.locator("#recommendations-heading + p + .app-table-scroll tbody th").all_inner_texts()
    assert numbers[:3] == ["Leisure Task Group Rec 1", "Leisure and Culture Task Group Recommendation 12",
                           "Leisure Task Group Rec 2"]

    # Withdraw the mistake: nothing refers to it, so it is deleted.
    office.click_link("Withdraw Leisure Task Group Rec 1A")
    expect(office.main).to_contain_text("will be deleted: nothing refers to it yet")
    office.click_button("Delete Leisure Task Group Rec 1A")
    expect(banner(page, "Success")).to_contain_text("Leisure Task Group Rec 1A was deleted.")
    assert not Recommendation.objects.filter(number="Leisure Task Group Rec 1A").exists()

    # One typed in by hand.
    office.click_link("Add one recommendation")
    page.get_by_label("Number").fill("Leisure Task Group Rec 5")
    page.get_by_label("Recommendation", exact=True).fill("That the gym opens earlier.")
    page.get_by_label("Responsibility").fill("Head of Leisure")
    page.get_by_label("Original date for completion").fill("September 2016")
    office.click_button("Add the recommendation")
    expect(banner(page, "Success")).to_contain_text("Leisure Task Group Rec 5 was added.")
    office.click_link("Back to Leisure Centres")

    # Import the tracker spreadsheet kept today.
    office.click_link("Import a spreadsheet")
    slip = tmp_path / "leisure-tracker.csv"
    slip.write_text("Ref,Recommendation,Lead,Target date\nLTG 9,That fees are frozen.,Leader,31/02/2017\n",
                    encoding="utf-8")
    page.get_by_label("The spreadsheet").set_input_files(str(slip))
    office.click_button("Check the spreadsheet")
    expect(page).to_have_title(re.compile(r"^Error: Import a spreadsheet"))
    expect(error_summary(page)).to_contain_text("Row 2, column “Target date”: 31/02/2017 is not a real date.")
    page.get_by_label("The spreadsheet").set_input_files(str(tracker_workbook(tmp_path / "leisure-tracker.xlsx")))
    office.click_button("Check the spreadsheet")
    expect(office.heading()).to_have_text("Check the recommendations from the spreadsheet")
    expect(office.main).to_contain_text("Survey sent in January.")
    expect(office.main).to_contain_text("Waiting on: To be confirmed when the budget is set")
    office.click_button("Save these 2 recommendations")
    expect(banner(page, "Success")).to_contain_text("Added 2 recommendations to “Leisure Centres”.")

    # Move one recommendation to the committee now responsible.
    office.click_link("Change Leisure Task Group Rec 2")
    office.click_link("Move Leisure Task Group Rec 2 to another committee")
    expect(office.main).to_contain_text("meetings and published packs stay as they were")
    office.click_button("Move Leisure Task Group Rec 2")
    expect(error_summary(page)).to_contain_text("Choose the committee now responsible")
    page.get_by_label("The committee now responsible").select_option(label="Communities Committee")
    page.get_by_label("Why does it move?").fill("Pools moved to the Communities Committee in May 2016.")
    office.click_button("Move Leisure Task Group Rec 2")
    expect(banner(page, "Success")).to_contain_text("Leisure Task Group Rec 2 is now tracked by Communities Committee.")
    expect(page.get_by_role("row", name=re.compile(r"^Leisure Task Group Rec 2 "))).to_contain_text(
        "Tracked by Communities Committee")
    assert Transfer.objects.get().to_committee.name == "Communities Committee"

    # The inquiry's other pages.
    office.click_link("Change the title")
    expect(office.heading()).to_have_text("Change the inquiry’s details")
    office.click_link("Back")
    office.click_link("Move this inquiry to another committee")
    expect(office.main).to_contain_text("Leisure and Culture Committee tracks this inquiry and 5 of its recommendations")
