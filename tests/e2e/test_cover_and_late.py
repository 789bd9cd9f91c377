"""The cover report and late updates in a real browser: the cabinet member writes the
introduction, the scrutiny office gives the contact and previews the pack; after the pack is
out, the officer adds a late update and the office publishes a supplement."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import scenes
from tracker import services
from tracker.demo import DEMO_USERS

PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}
INTRODUCTION = "Since February every licensed taxi driver has been offered the training."
LATE = "The last 250 taxi drivers were trained on 10 June."


def banner(page):
    return page.locator(".govuk-notification-banner")


def test_cabinet_member_writes_the_introduction_and_the_office_sets_the_contact_and_previews(demo, visit):
    meeting = scenes.meeting_open_for_evidence()
    cabinet = visit("cabinet")
    page = cabinet.page
    cabinet.sign_in("cabinet", PASSWORDS["cabinet"])
    cabinet.go(f"/portfolio/meetings/{meeting.pk}/")
    cabinet.click(page.get_by_role("link", name=re.compile("^Write the introduction to the report")))
    expect(cabinet.heading()).to_have_text("Cover report: Child Sexual Exploitation")
    expect(cabinet.main).to_contain_text("Report of: Cabinet Member for Children’s Services")
    expect(page.get_by_label("Contact officer’s name")).to_have_count(0)
    page.get_by_label("Introduction").fill(INTRODUCTION)
    cabinet.click_button("Save the introduction")
    expect(banner(page)).to_contain_text("Your introduction to the report on Child Sexual Exploitation has been saved.")

    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.go(f"/meetings/{meeting.pk}/")
    office.click(page.get_by_role("link", name=re.compile("^Write the cover report")))
    expect(page.get_by_label("Introduction")).to_have_value(INTRODUCTION)
    page.get_by_label("Contact officer’s name").fill("Rose Kiely")
    page.get_by_label("E-mail address").fill("rose.kiely@example.gov.uk")
    office.click_button("Save the cover report")
    expect(banner(page)).to_contain_text("The cover report for Child Sexual Exploitation has been saved.")
    office.click_link("Preview the pack")
    expect(page.locator(".introduction-text")).to_contain_text(INTRODUCTION)
    expect(page.locator(".contact-details")).to_contain_text("Rose Kiely")
    expect(page.get_by_role("row", name="Report of Cabinet Member for Children’s Services")).to_be_visible()


def test_officer_adds_a_late_update_and_the_office_publishes_a_supplement(demo, visit):
    meeting = scenes.meeting_with_proposals()
    services.publish_pack(meeting, by=scenes.user("scrutiny"))
    officer = visit("officer")
    page = officer.page
    officer.sign_in("officer", PASSWORDS["officer"])
    officer.go(f"/my-recommendations/meetings/{meeting.pk}/")
    r06 = page.get_by_role("region", name=re.compile(r"^R06\b"))
    officer.click(r06.get_by_role("link", name="Add an update received after the pack was published for R06"))
    expect(officer.heading()).to_have_text("Add an update to R06 received after the pack was published")
    page.get_by_label("Evidence of progress").fill(LATE)
    written = page.get_by_role("group", name="Date written")
    written.get_by_label("Day").fill("10")
    written.get_by_label("Month").fill("6")
    written.get_by_label("Year").fill("2016")
    officer.click_button("Add the update")
    expect(banner(page)).to_contain_text("Your update for R06 has been added, as received after the pack was published.")
    update = page.get_by_role("region", name=re.compile(r"^R06\b")).locator(".app-evidence__update").last
    expect(update).to_contain_text(LATE)
    expect(update).to_contain_text("Received after the pack was published on")

    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.go(f"/meetings/{meeting.pk}/pack/")
    expect(office.main).to_contain_text("1 update has come in since the pack was published")
    office.click_button("Publish a supplement with the late updates")
    expect(banner(page)).to_contain_text("The supplement is published")
    office.click_link("See every version on the meeting pack’s page")
    expect(page.get_by_role("link", name=re.compile(r"^Supplement of \d+ \w+ \d{4}"))).to_be_visible()
