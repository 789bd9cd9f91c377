"""The annual impact report in a real browser: the scrutiny office opens it from the home page,
chooses the year and downloads the Word version for the annual scrutiny report. Every page is checked
by axe-core and at 320 px."""

from __future__ import annotations

import docx
from playwright.sync_api import expect

from tracker.demo import DEMO_USERS

PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}
COMMITTEE = "Education and Vulnerable Children Overview and Scrutiny Committee"


def test_scrutiny_office_chooses_the_year_and_downloads_the_impact_report_as_word(demo, visit):
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.click_link("Annual impact report")
    expect(office.heading()).to_have_text("Impact of scrutiny recommendations, 2015 to 2016")

    page.get_by_label("Year starting in").select_option("2016")
    office.click_button("Show the figures")
    expect(office.main).to_contain_text("The year 2016 to 2017 covers 1 May 2016 to 30 April 2017.")

    page.get_by_label("Year starting in").select_option("2015")
    page.get_by_label("Committee", exact=True).select_option(label=COMMITTEE)
    office.click_button("Show the figures")
    expect(office.main).to_contain_text("The year 2015 to 2016 covers 1 May 2015 to 30 April 2016.")
    chart = page.get_by_role("img", name=f"Bar chart: recommendations of the {COMMITTEE}, year 2015 to 2016")
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name=f"Recommendations by inquiry, {COMMITTEE}, 2015 to 2016")
    expect(table.get_by_role("row", name="Total")).to_contain_text("2")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Word", exact=False).click()
    assert download.value.suggested_filename == "impact-report-2015-to-2016.docx"
    document = docx.Document(download.value.path())
    (by_inquiry, _) = document.tables
    assert [cell.text for cell in by_inquiry.rows[-1].cells] == ["Total", "0", "0", "2", "3", "0", "0", "Not known"]
