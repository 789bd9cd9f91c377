"""E-mail in a real browser: the officer follows the link in the e-mail that evidence is open,
caught by a real SMTP server on loopback, and chooses which e-mails they want.

tests/mailbox.py's smtp_mailbox points Django's SMTP backend and SITE_URL at the live
server for the whole process, so what the live server sends arrives in the mailbox too.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e import scenes
from tests.e2e.test_journeys import PASSWORDS, banner
from tests.mailbox import Mailbox, smtp_mailbox
from tracker.models import MessageOptOut

OLIVIA = "olivia.officer@example.gov.uk"


def test_the_officer_follows_the_evidence_email_and_turns_off_the_reminder(demo, visit, live_server):
    with smtp_mailbox(site_url=live_server.url) as mailbox:
        meeting = scenes.meeting_open_for_evidence()  # the office opens the meeting; the e-mail goes at once
        [message] = mailbox.to(OLIVIA)
    assert message["Subject"].startswith("Evidence is open for the Education")
    link = next(url for url in Mailbox.links(message) if "/my-recommendations/" in url)
    assert link == f"{live_server.url}/my-recommendations/meetings/{meeting.pk}/"

    officer = visit("officer")
    page = officer.page
    officer.sign_in("officer", PASSWORDS["officer"])
    officer.go(link.removeprefix(live_server.url), "from-the-email")
    expect(officer.main).to_contain_text("R06")

    officer.click_link("Your e-mails")
    expect(officer.heading()).to_have_text("Your e-mails")
    expect(officer.main).to_contain_text(f"The service sends e-mails to {OLIVIA}")
    recent = page.get_by_role("region", name="The last e-mails sent to you")
    expect(recent).to_contain_text(message["Subject"])
    reminder = page.get_by_label("A reminder before the evidence deadline")
    expect(reminder).to_be_checked()
    reminder.uncheck()
    officer.click_button("Save your choices")
    expect(banner(page, "Success")).to_contain_text("Your choices have been saved.")
    expect(page.get_by_label("A reminder before the evidence deadline")).not_to_be_checked()
    expect(page.get_by_label("The pack is published")).to_be_checked()
    assert list(MessageOptOut.objects.values_list("user__username", "kind")) == [("officer", "deadline_near")]
