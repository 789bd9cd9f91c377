"""Reading at length in a browser: the filtered recommendations list, search by number, the
choose screen's words, the meeting page's contents and the return to a recommendation after
saving, printing without the navigation, and a recommendation on a page of its own: from the
seed's meeting, and from the table of a meeting too large to show each one in full."""

import io
import re

import openpyxl
from playwright.sync_api import expect

from tests.e2e import scenes
from tests.e2e.test_journeys import PASSWORDS, region


def test_committee_member_filters_the_list_searches_r06_and_reads_the_meeting_by_its_contents(demo, visit):
    meeting = scenes.meeting_with_proposals()
    member = visit("member")
    page = member.page
    member.sign_in("member", PASSWORDS["member"])

    # The list of recommendations, filtered by status, then to the overdue ones.
    member.go("/recommendations/")
    expect(page.get_by_role("heading", name="Filter the recommendations")).to_be_visible()
    page.get_by_label("Status").select_option(label="Concluded")
    member.click_button("Apply filters")
    expect(page).to_have_url(re.compile(r"status=concluded"))
    concluded = page.get_by_role("heading", name=re.compile(r"^Concluded \(\d+\)"))
    expect(concluded).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Still tracked"))).to_have_count(0)

    # The filtered list, downloaded as an Excel workbook: the same recommendations, one row each.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these recommendations as Excel").click()
    assert re.fullmatch(r".+ recommendations \d{4}-\d{2}-\d{2}\.xlsx", download.value.suggested_filename)
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == int(re.search(r"\((\d+)\)", concluded.inner_text()).group(1)) > 0
    assert all(row[-1].startswith("Concluded on ") for row in rows)
    assert "R01" in [row[2] for row in rows]
    member.click_link("Clear the filters")
    page.get_by_label("Only overdue recommendations").check()
    member.click_button("Apply filters")
    expect(page).to_have_url(re.compile(r"overdue=on"))
    expect(page.get_by_role("heading", name=re.compile(r"^Still tracked \(\d+\)"))).to_be_visible()

    # Search by number.
    member.go("/search/")
    page.get_by_label("Words to find").fill("R06")
    member.click_button("Search")
    first = page.locator(".app-search-result").first
    expect(first.get_by_role("link")).to_have_text("R06")

    # The meeting page opens with its contents; a link goes to the recommendation's section.
    member.go(f"/meetings/{meeting.pk}/")
    contents = page.get_by_role("navigation", name="Contents")
    expect(contents).to_contain_text("R06")
    member.click(contents.get_by_role("link", name=re.compile(r"^R06\b")))
    r06 = scenes.assessment(meeting, "R06").recommendation
    expect(page).to_have_url(re.compile(rf"#rec-{r06.pk}$"))
    expect(region(page, "R06").get_by_role("link", name=re.compile("^Back to contents"))).to_be_visible()

    # Printed, the page has no navigation, contents or footer.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Menu")).to_be_hidden()
    expect(contents).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(region(page, "R06")).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.get_by_role("navigation", name="Menu")).to_be_visible()

    # R06 on a page of its own, then the next one in the meeting's order, and back to the meeting.
    member.click(region(page, "R06").get_by_role("link", name="R06 on a page of its own"))
    expect(member.heading()).to_have_text(re.compile(r"^R06\s+A Delivery of training"))
    expect(page).to_have_title("R06 at the meeting of 15 June 2016 – Scrutiny tracking")
    expect(member.main).to_contain_text("Recommendation 3 of the 14 tracked at this meeting.")
    expect(region(page, "R06").locator(".app-evidence__update").last).to_contain_text(scenes.R06_UPDATE)
    expect(region(page, "R06").get_by_role("link", name=re.compile("on the owners’ behalf"))).to_have_count(0)
    pages = page.get_by_role("navigation", name="The recommendations tracked at this meeting, in order")
    expect(pages.get_by_role("link", name=re.compile(r"^Previous recommendation: R05\b"))).to_be_visible()
    member.click(pages.get_by_role("link", name=re.compile(r"^Next recommendation: R07\b")))
    expect(member.heading()).to_have_text(re.compile(r"^R07\b"))
    member.click_link("Back to the meeting", exact=True)
    r07 = scenes.assessment(meeting, "R07").recommendation
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/#rec-{r07.pk}$"))
    expect(region(page, "R07")).to_be_in_viewport()


def test_the_office_chooses_by_first_words_and_returns_to_the_recommendation_after_proposing(demo, visit):
    meeting = scenes.meeting_open_for_evidence()
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])

    office.go(f"/meetings/{meeting.pk}/recommendations/")
    label = page.locator("label", has_text=re.compile(r"^\s*R06 – ")).first
    expect(label).to_contain_text(re.compile(r"R06 – .+: That"))

    office.go(f"/meetings/{meeting.pk}/")
    office.click(region(page, "R06").get_by_role("link", name=re.compile("proposal on the owners’ behalf")))
    page.get_by_label(re.compile("2 – Achieved \\(Late\\)")).check()
    office.click_button("Save the proposal")
    r06 = scenes.assessment(meeting, "R06").recommendation
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/#rec-{r06.pk}$"))
    expect(region(page, "R06").locator(".govuk-notification-banner--success")).to_contain_text("You proposed “2 – Achieved (Late)” for R06")
    expect(region(page, "R06").locator(".govuk-notification-banner")).to_be_in_viewport()


def test_the_office_runs_a_large_meeting_from_its_table_and_each_recommendations_own_page(demo, visit):
    from tracker.pack import synthetic

    meeting = scenes.meeting_open_for_evidence()
    synthetic.enlarge(meeting, 8)  # 112 tracked: the table alone, two pages of it
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])

    office.go(f"/meetings/{meeting.pk}/")
    expect(page.get_by_role("heading", name="Tracked at this meeting (112)")).to_be_visible()
    expect(page.locator("section.app-tracked")).to_have_count(0)
    expect(office.main).to_contain_text("112 of 112 tracked recommendations have no proposed category yet: R04, R04-2")
    expect(office.main).to_contain_text("and 92 others.")
    pages = page.get_by_role("navigation", name="Pages of tracked recommendations")
    office.click(pages.get_by_role("link", name="Page 2"))
    expect(page.get_by_role("table", name=re.compile(r"^Tracked recommendations 101 to 112 of 112"))).to_be_visible()
    office.click(pages.get_by_role("link", name=re.compile("^Previous")))

    # R06, from its row, on its own page: the proposal the Cabinet Member sent in, entered for them.
    office.click(page.get_by_role("row", name=re.compile(r"^R06 ")).get_by_role("link", name="R06", exact=True))
    expect(office.heading()).to_have_text(re.compile(r"^R06\b"))
    expect(office.main).to_contain_text("Recommendation 17 of the 112 tracked at this meeting.")
    office.click(region(page, "R06").get_by_role("link", name="Enter the proposal on the owners’ behalf for R06"))
    page.get_by_label(re.compile("2 – Achieved \\(Late\\)")).check()
    office.click_button("Save the proposal")
    r06 = scenes.assessment(meeting, "R06").recommendation
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/recommendations/{r06.pk}/#rec-{r06.pk}$"))
    expect(region(page, "R06").locator(".govuk-notification-banner--success")).to_contain_text(
        "You proposed “2 – Achieved (Late)” for R06 on the owners’ behalf.")
    expect(region(page, "R06").locator(".app-assessment")).to_contain_text("2 – Achieved (Late)")

    office.click_link("Back to the meeting", exact=True)
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/#rec-{r06.pk}$"))
    expect(page.get_by_role("row", name=re.compile(r"^R06 "))).to_contain_text("2 – Achieved (Late)")
    expect(office.main).to_contain_text("111 of 112 tracked recommendations have no proposed category yet")
