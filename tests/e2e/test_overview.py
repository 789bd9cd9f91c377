"""The overview of the round in a real browser: the scrutiny office reads it and goes on to act, a
committee member reads it; each filters it once. Every page is checked by axe-core and at 320 px."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e import scenes
from tracker.demo import DEMO_USERS

PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}
COMMITTEE = "Education and Vulnerable Children Overview and Scrutiny Committee"


def test_scrutiny_office_reads_the_overview_filters_it_and_goes_to_the_meeting(demo, visit):
    scenes.meeting_with_proposals()
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.click(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Overview"))
    expect(office.heading()).to_have_text("Overview of the tracking round")
    june = page.get_by_role("region", name="The meeting of 15 June 2016")
    expect(june).to_contain_text("Evidence: 1 of 14 recommendations have new evidence")
    expect(june).to_contain_text("Proposals: 1 of 14 recommendations have a proposed category")
    expect(june).to_contain_text("Decisions: 0 of 14 recommendations have the committee’s decision")
    # Chair BSCB answers for R05, R06, R09, R14, R15, R16 and R17; only R06 has new evidence.
    expect(june.get_by_role("row", name="Chair BSCB")).to_contain_text("6")

    page.get_by_label("Inquiry", exact=True).select_option(label=f"Child Sexual Exploitation ({COMMITTEE})")
    office.click_button("Show the figures")
    expect(office.main).to_contain_text("for the Child Sexual Exploitation inquiry")
    expect(page.get_by_role("img", name="Bar chart: recommendations still tracked by category in force, "
                                         f"{COMMITTEE}. The figures are in the table below.")).to_be_visible()

    office.click_link("Go to the meeting of 15 June 2016 to act (" + COMMITTEE + ")")
    expect(office.heading()).to_contain_text("15 June 2016")


def test_committee_member_reads_the_overview_and_filters_it_by_committee(demo, visit):
    scenes.meeting_with_proposals()
    member = visit("member")
    page = member.page
    member.sign_in("member", PASSWORDS["member"])
    member.click_link("Overview of the tracking round")
    expect(member.main).to_contain_text("This page is to read.")
    expect(page.get_by_role("link", name="Go to the meeting of 15 June 2016 to act", exact=False)).to_have_count(0)

    page.get_by_label("Committee", exact=True).select_option(label=COMMITTEE)
    member.click_button("Show the figures")
    expect(member.main).to_contain_text(f"for the {COMMITTEE}")
    # R06, proposed "2 – Achieved (Late)" for June, no longer counts as slipped or overdue.
    expect(page.get_by_role("heading", name="Slipped (0)")).to_be_visible()
    expect(page.get_by_role("heading", name="Overdue (0)")).to_be_visible()
    table = page.get_by_role("table", name=f"Recommendations still tracked by category in force, {COMMITTEE}")
    expect(table.get_by_role("row", name="2 – Achieved (Late)")).to_contain_text("12")
    expect(table.get_by_role("row", name="Total")).to_contain_text("14")
