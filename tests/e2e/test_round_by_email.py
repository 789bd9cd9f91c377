"""A whole tracking round driven by e-mail, in a real browser, with every e-mail caught by a
real SMTP server on loopback (tests/mailbox.py).

The office opens the 15 June 2016 meeting (evidence by 1 June); the officer follows the link
in the e-mail that evidence is open; ``send_reminders --date`` sends the reminder seven days
before the deadline and the chaser the day after it, once each however often it runs; the
cabinet member follows the e-mail that proposals are due and proposes for the portfolio on
one page; the office publishes the pack and the committee's members get it by e-mail; the
office records the committee's decisions from one page, and the owners' people are told the
outcome.
"""

from __future__ import annotations

import datetime
import io
import re

from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e import scenes
from tests.e2e.test_bulk import PORTFOLIO
from tests.e2e.test_journeys import COMMITTEE, PASSWORDS, banner, fill_date, region
from tests.mailbox import Mailbox, smtp_mailbox
from tracker import services
from tracker.models import Assessment, Conclusion, Meeting, Message

OFFICER = "olivia.officer@example.gov.uk"
CABINET = "callum.cabinet@example.gov.uk"
MEMBER = "mina.member@example.gov.uk"
OFFICE = "sam.scrutiny@example.gov.uk"


subject = Mailbox.subject


def subjects(mailbox: Mailbox, address: str) -> list[str]:
    return [subject(message) for message in mailbox.to(address)]


def link_in(message, path: str) -> str:
    """The page an e-mail links to (its path on the live server), found by where it leads."""
    return next(re.sub(r"^https?://[^/]+", "", url) for url in Mailbox.links(message) if path in url)


def reminders(day: datetime.date) -> None:
    call_command("send_reminders", "--date", day.isoformat(), stdout=io.StringIO())


def test_a_whole_round_runs_by_email(demo, visit, live_server):
    with smtp_mailbox(site_url=live_server.url) as mailbox:
        # --- The scrutiny office schedules the meeting and opens it for evidence.
        office = visit("scrutiny")
        page = office.page
        office.sign_in("scrutiny", PASSWORDS["scrutiny"])
        office.click(page.get_by_role("button", name="Run the tracking meetings"))
        office.click(page.get_by_role("button", name="Schedule a meeting"))
        page.get_by_label("Committee").select_option(label=COMMITTEE)
        fill_date(page.get_by_role("group", name="Date of the meeting"), 15, 6, 2016)
        fill_date(page.get_by_role("group", name="Evidence deadline"), 1, 6, 2016)
        office.click_button("Schedule the meeting")
        office.click_button("Track these recommendations")
        assert mailbox.messages == []  # nothing is sent for a meeting still being set up
        office.click_button("Open the meeting for evidence")
        expect(banner(page, "Success")).to_contain_text("Evidence open")
        meeting = Meeting.objects.get(date=scenes.MEETING_DATE)

        # The officer is told evidence is open, with the link to their page for this meeting;
        # the cabinet member that proposals are due. Members hear nothing yet.
        [opened] = mailbox.to(OFFICER)
        assert subject(opened) == f"Evidence is open for the {COMMITTEE} meeting on 15 June 2016"
        assert "1 June 2016" in Mailbox.text(opened)
        [proposals_due] = mailbox.to(CABINET)
        assert subject(proposals_due) == f"Your proposals are due for the {COMMITTEE} meeting on 15 June 2016"
        assert mailbox.to(MEMBER) == []

        # --- The officer follows the e-mail's link: signed out, the sign-in page brings them there.
        officer = visit("officer")
        opened_link = link_in(opened, "/my-recommendations/")
        assert opened_link == f"/my-recommendations/meetings/{meeting.pk}/"
        officer.go(opened_link, "signed-out")
        page = officer.page
        page.get_by_label("Username").fill("officer")
        page.get_by_label("Password").fill(PASSWORDS["officer"])
        officer.click(page.get_by_role("button", name="Sign in"))
        expect(officer.heading()).to_have_text("Your recommendations for the meeting of 15 June 2016")

        # --- Seven days before the deadline: the reminder, once, however often the schedule runs.
        reminders(datetime.date(2016, 5, 24))
        assert not any(s.startswith("Reminder") for s in subjects(mailbox, OFFICER))  # eight days before: not yet
        reminders(datetime.date(2016, 5, 25))
        reminders(datetime.date(2016, 5, 25))
        reminded = [m for m in mailbox.to(OFFICER) if subject(m).startswith("Reminder")]
        assert [subject(m) for m in reminded] == [
            f"Reminder: evidence for the {COMMITTEE} meeting is due by 1 June 2016"
        ]
        assert "R06" in Mailbox.text(reminded[0])

        # The officer adds R06's update from the reminder's link; it lands back on R06.
        officer.go(link_in(reminded[0], "/my-recommendations/"))
        r06 = region(page, "R06")
        r06.get_by_label("Evidence of progress").fill(scenes.R06_UPDATE)
        fill_date(r06.get_by_role("group", name="Date written"), 31, 5, 2016)
        officer.click(r06.get_by_role("button", name="Add update to R06"))
        expect(page).to_have_url(re.compile(r"#rec-\d+$"))
        expect(region(page, "R06")).to_contain_text("Your update for R06 has been added.")

        # --- The day after the deadline: the chaser names what is still missing, not R06; the
        # office gets the summary by owner. Run twice: sent once.
        reminders(datetime.date(2016, 6, 2))
        reminders(datetime.date(2016, 6, 2))
        [chaser] = [m for m in mailbox.to(OFFICER) if "has passed" in subject(m)]
        assert subject(chaser) == f"The evidence deadline for the {COMMITTEE} meeting has passed"
        assert "R04" in Mailbox.text(chaser) and "R06" not in Mailbox.text(chaser)
        [summary] = mailbox.to(OFFICE)
        assert subject(summary) == f"Evidence still missing for the {COMMITTEE} meeting on 15 June 2016"
        assert "Chair BSCB" in Mailbox.text(summary)

        # --- The cabinet member follows the proposals e-mail and proposes for the portfolio on one page.
        cabinet = visit("cabinet")
        page = cabinet.page
        cabinet.go(link_in(proposals_due, "/portfolio/"), "signed-out")
        page.get_by_label("Username").fill("cabinet")
        page.get_by_label("Password").fill(PASSWORDS["cabinet"])
        cabinet.click(page.get_by_role("button", name="Sign in"))
        expect(cabinet.heading()).to_have_text("Your portfolio for the meeting of 15 June 2016")
        cabinet.click_link("Propose for all your recommendations on one page")
        for number in PORTFOLIO:
            label = "3 – Not Achieved (Progress Made)" if number == "R04" else "2 – Achieved (Late)"
            page.get_by_label(f"Proposed category for {number}").select_option(label=label)
        fill_date(page.get_by_role("group", name="Anticipated date for R04"), 31, 12, 2016)
        cabinet.click_button("Save proposals")
        expect(banner(page, "Success")).to_contain_text("8 proposals saved.")

        # The other owners' proposals reached the office in writing; it enters them on their behalf.
        office_user = scenes.user("scrutiny")
        for assessment in meeting.assessments.filter(proposed_category__isnull=True):
            services.propose_category(assessment, scenes.category("2"), None, by=office_user)

        # --- The office publishes the pack: each member of the committee gets it by e-mail.
        page = office.page
        office.go(f"/meetings/{meeting.pk}/")
        office.click_link("publish the pack")
        office.click_button("Publish the pack")
        expect(banner(page, "Success")).to_contain_text("published")
        [pack_mail] = mailbox.to(MEMBER)
        assert subject(pack_mail) == f"The pack for the {COMMITTEE} meeting on 15 June 2016 is published"
        member = visit("member")
        member.go(link_in(pack_mail, f"/meetings/{meeting.pk}/"), "signed-out")
        member.page.get_by_label("Username").fill("member")
        member.page.get_by_label("Password").fill(PASSWORDS["member"])
        member.click(member.page.get_by_role("button", name="Sign in"))
        expect(member.main).to_contain_text("Published versions")
        expect(member.page.get_by_role("link", name="Version 1 (PDF)")).to_be_visible()

        # --- The committee agrees every proposal: recorded from one page, then marked recorded.
        office.go(f"/meetings/{meeting.pk}/")
        office.click_link("Record the committee’s decisions")
        office.click_button("Agree all as proposed")
        expect(banner(page, "Success")).to_contain_text("14 decisions recorded.")
        office.click_button("Mark the committee’s decisions as recorded")
        expect(page.locator(".app-meeting-facts")).to_contain_text("Decisions recorded")

        # The owners' people are told the outcome for their recommendations.
        [outcome] = [m for m in mailbox.to(OFFICER) if "decisions" in subject(m)]
        assert subject(outcome) == "The committee’s decisions from its meeting on 15 June 2016"
        assert "R06" in Mailbox.text(outcome) and "2 – Achieved (Late)" in Mailbox.text(outcome)

    assert Assessment.objects.filter(meeting=meeting, agreed_category__isnull=False).count() == 14
    assert Conclusion.objects.filter(meeting=meeting).count() > 0
    # Every e-mail is on record as delivered, and none went twice.
    assert not Message.objects.exclude(status=Message.Status.SENT).exists()
    assert len(mailbox.messages) == Message.objects.count()
