"""A tracking round in a real browser, one journey per person, each as they would do it.

The round is the seed committee's meeting of 15 June 2016. Each journey starts from the
demo data brought to where that person picks it up (tests/e2e/scenes.py), signs in
through the sign-in page, and checks what the page shows. Every page visited is checked
by axe-core and photographed (tests/e2e/browsing.py). The officer and the committee
member use the keyboard alone.
"""

from __future__ import annotations

import hashlib
import io
import re

import docx
from django.core.management import call_command
from django.template.defaultfilters import filesizeformat
from django.test import override_settings
from playwright.sync_api import expect

from tests.e2e import scenes
from tracker.demo import DEMO_USERS
from tracker.models import PublishedPack

PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}
COMMITTEE = "Education and Vulnerable Children Overview and Scrutiny Committee"


def region(page, number: str):
    """One recommendation's section of a page (a region named by its heading, e.g. "R06 A Delivery …")."""
    return page.get_by_role("region", name=re.compile(rf"^{number}\b"))


def error_summary(page):
    return page.locator(".govuk-error-summary")


def banner(page, kind: str):
    """The notification banner headed "Success" or "Check this"."""
    return page.locator(".govuk-notification-banner").filter(
        has=page.get_by_role("heading", name=kind, exact=True)
    )


def fill_date(group, day, month, year):
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def ticked_boxes(page) -> list[tuple[str, bool]]:
    """Each checkbox on the page as its label starts (the recommendation's number), and whether it is ticked."""
    return page.evaluate(
        "() => [...document.querySelectorAll('input[type=checkbox]')]"
        ".map(box => [box.labels[0].innerText.trim().split(' ')[0], box.checked])"
    )


# --- (a) The scrutiny office ----------------------------------------------------------------


def test_scrutiny_office_schedules_a_meeting_and_opens_it_for_evidence(demo, visit):
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    expect(office.main).to_contain_text("Signed in as Sam Scrutiny")

    office.click(page.get_by_role("button", name="Run the tracking meetings"))
    expect(office.heading()).to_have_text("Tracking meetings")
    earlier = page.get_by_role("row", name=re.compile(r"^10 February 2016"))
    expect(earlier).to_contain_text(COMMITTEE)
    expect(earlier).to_contain_text("Closed")

    office.click(page.get_by_role("button", name="Schedule a meeting"))
    expect(office.heading()).to_have_text("Schedule a meeting")
    page.get_by_label("Committee").select_option(label=COMMITTEE)
    fill_date(page.get_by_role("group", name="Date of the meeting"), 15, 6, 2016)
    deadline = page.get_by_role("group", name="Evidence deadline")
    fill_date(deadline, 20, 6, 2016)  # a slip: after the meeting
    office.click_button("Schedule the meeting")

    # Refused, with the reason beside the field and in the summary that links to it.
    problem = "The evidence deadline must be on or before the meeting date."
    expect(page).to_have_title("Error: Schedule a meeting – Scrutiny tracking")
    expect(error_summary(page)).to_contain_text("There is a problem")
    expect(deadline.locator(".govuk-error-message")).to_have_text(f"Error: {problem}")
    error_summary(page).get_by_role("link", name=problem).click()
    expect(deadline.get_by_label("Day")).to_be_focused()
    expect(page.get_by_role("group", name="Date of the meeting").get_by_label("Day")).to_have_value("15")

    deadline.get_by_label("Day").fill("1")
    office.click_button("Schedule the meeting")

    # Choosing what it tracks: by default every recommendation not yet concluded.
    expect(banner(page, "Success")).to_contain_text("Meeting scheduled for 15 June 2016. Now choose what it tracks.")
    expect(office.heading()).to_have_text("Choose the recommendations for the meeting of 15 June 2016")
    assert ticked_boxes(page) == [[number, True] for number in scenes.SEED_TRACKED]
    office.click_button("Track these recommendations")

    expect(banner(page, "Success")).to_contain_text("14 recommendations will be tracked at this meeting.")
    expect(office.heading()).to_have_text("Meeting of 15 June 2016")
    facts = page.locator(".app-meeting-facts")
    expect(facts).to_contain_text("State Scheduled")
    expect(facts).to_contain_text("Evidence deadline 1 June 2016")
    # The report meeting of the seed (its date not recorded) came before this one.
    expect(facts).to_contain_text("Previous meeting Meeting (date not recorded, from the imported report)")
    expect(page.get_by_role("heading", name="Tracked at this meeting (14)")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^R06 "))).to_contain_text("Not proposed Not decided")
    expect(page.get_by_role("heading", name="Concluded at earlier meetings (5)")).to_be_visible()

    office.click_button("Open the meeting for evidence")
    expect(banner(page, "Success")).to_contain_text("The meeting is now “Evidence open”.")
    expect(facts).to_contain_text("State Evidence open")
    expect(page.get_by_role("button", name="Open the meeting for evidence")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark the pack as published")).to_be_visible()

    office.click_link("Home")
    expect(page.get_by_role("link", name=f"{COMMITTEE}: 15 June 2016")).to_be_visible()
    expect(office.main).to_contain_text(f"{COMMITTEE}: 15 June 2016 (evidence open)")


# --- (b) An officer, by keyboard alone --------------------------------------------------------


def skip_to_main_content(person):
    """The skip link is the first Tab stop, and Enter on it puts focus on the main content."""
    info = person.press("Tab")
    assert info["describe"].startswith("<a> Skip to main content"), info
    person.press("Enter")
    expect(person.main).to_be_focused()


def test_officer_adds_an_update_for_r06_by_keyboard_alone(demo, visit):
    scenes.meeting_open_for_evidence()
    officer = visit("officer")
    page = officer.page
    officer.sign_in_by_keyboard("officer", PASSWORDS["officer"])
    expect(officer.main).to_contain_text("Signed in as Olivia Officer")

    skip_to_main_content(officer)
    start = page.get_by_role("button", name="Your recommendations for the next meeting")
    assert officer.tab_to(start) == 1  # the first thing in the main content
    officer.press_to_load("Enter")

    expect(officer.heading()).to_have_text("Your recommendations for the meeting of 15 June 2016")
    r06 = region(page, "R06")
    expect(r06).to_contain_text("nightwatch campaign")
    expect(region(page, "R05")).to_have_count(0)  # Chair BSCB's alone: not an owner the officer acts for

    # The update, with a slip in the year.
    officer.tab_to(r06.get_by_label("Evidence of progress"))
    officer.type(scenes.R06_UPDATE)
    written = r06.get_by_role("group", name="Date written")
    for box, value in (("Day", "1"), ("Month", "6"), ("Year", "2061")):
        officer.press("Tab")
        expect(written.get_by_label(box)).to_be_focused()
        officer.type(value)
    officer.tab_to(r06.get_by_role("button", name="Add update to R06"))
    officer.press_to_load("Enter")

    # Refused: the summary takes focus; its link takes the officer to the date.
    problem = "The date written cannot be in the future."
    expect(officer.heading()).to_have_text("Add an update to R06")
    expect(page).to_have_title(re.compile(r"^Error: Add an update to R06"))
    expect(error_summary(page)).to_be_focused()
    written = page.get_by_role("group", name="Date written")
    expect(written.locator(".govuk-error-message")).to_have_text(f"Error: {problem}")
    expect(page.get_by_label("Evidence of progress")).to_have_value(scenes.R06_UPDATE)
    officer.press("Tab")
    expect(error_summary(page).get_by_role("link", name=problem)).to_be_focused()
    officer.press("Enter")
    expect(written.get_by_label("Day")).to_be_focused()
    officer.press("Tab")
    officer.press("Tab")
    expect(written.get_by_label("Year")).to_be_focused()
    officer.type("2016")
    officer.tab_to(page.get_by_role("button", name="Add update"))
    officer.press_to_load("Enter")

    # Back on the officer's page, the update is there with its date and author.
    expect(officer.heading()).to_have_text("Your recommendations for the meeting of 15 June 2016")
    expect(banner(page, "Success")).to_contain_text("Your update for R06 has been added.")
    expect(banner(page, "Success")).to_be_focused()  # read out first; the next Tab goes on from it
    update = region(page, "R06").locator(".app-evidence__update").last
    expect(update).to_contain_text(scenes.R06_UPDATE)
    expect(update).to_contain_text("New since the last meeting")
    expect(update).to_contain_text("Further information following the last meeting.")
    expect(update).to_contain_text("Written 1 June 2016 by Olivia Officer.")


# --- (c) The cabinet member -------------------------------------------------------------------

NEEDS_DATE = ("“3 – Not Achieved (Progress Made)” needs an anticipated date by which the recommendation "
              "is expected to be achieved.")
LATE_WARNING = ("R06: “1 – Achieved (Fully)” means achieved within the timescale, but the completion date "
                "(31 July 2015) passed before the meeting (15 June 2016). Check whether it was achieved late.")


def test_cabinet_member_meets_the_category_rules_for_r06_and_proposes_2(demo, visit):
    meeting = scenes.meeting_open_for_evidence()
    scenes.officer_updates_r06(meeting)
    cabinet = visit("cabinet")
    page = cabinet.page
    cabinet.sign_in("cabinet", PASSWORDS["cabinet"])
    expect(cabinet.main).to_contain_text("Signed in as Callum Cabinet")

    cabinet.click(page.get_by_role("button", name="Your portfolio: propose categories"))
    expect(cabinet.heading()).to_have_text("Your portfolio for the meeting of 15 June 2016")
    r06 = region(page, "R06")
    expect(r06).to_contain_text(scenes.R06_UPDATE)  # the officer's update is there to read
    expect(page.get_by_role("row", name=re.compile(r"^R06 "))).to_contain_text("Not proposed yet")
    cabinet.click(r06.get_by_role("button", name="Propose a category for R06"))

    # 3 without a date: refused, the reason beside the date and in the summary.
    expect(cabinet.heading()).to_have_text("Propose a category for R06")
    page.get_by_role("radio", name="3 – Not Achieved (Progress Made)").check()
    cabinet.click_button("Save the proposal")
    expect(page).to_have_title("Error: Propose a category for R06 – Scrutiny tracking")
    anticipated = page.get_by_role("group", name="Anticipated date")
    expect(anticipated.locator(".govuk-error-message")).to_have_text(f"Error: {NEEDS_DATE}")
    expect(error_summary(page)).to_contain_text("There is a problem")
    error_summary(page).get_by_role("link", name=NEEDS_DATE).click()
    expect(anticipated.get_by_label("Day")).to_be_focused()
    expect(page.get_by_role("radio", name="3 – Not Achieved (Progress Made)")).to_be_checked()

    # 1 after the completion date: accepted, with a warning that says why.
    page.get_by_role("radio", name="1 – Achieved (Fully)").check()
    cabinet.click_button("Save the proposal")
    expect(cabinet.heading()).to_have_text("Your portfolio for the meeting of 15 June 2016")
    expect(banner(page, "Success")).to_contain_text("You proposed “1 – Achieved (Fully)” for R06.")
    expect(banner(page, "Check this")).to_contain_text(LATE_WARNING)
    expect(page.get_by_role("row", name=re.compile(r"^R06 "))).to_contain_text("1 – Achieved (Fully)")

    # Fixed: 2 – Achieved (Late), with no warning.
    cabinet.click(region(page, "R06").get_by_role("button", name="Change the proposal for R06"))
    expect(page.get_by_text("Proposed now: 1 – Achieved (Fully)")).to_be_visible()
    page.get_by_role("radio", name="2 – Achieved (Late)").check()
    cabinet.click_button("Save the proposal")
    expect(banner(page, "Success")).to_contain_text("You proposed “2 – Achieved (Late)” for R06.")
    expect(banner(page, "Check this")).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile(r"^R06 "))).to_contain_text("2 – Achieved (Late)")
    expect(region(page, "R06").locator(".app-assessment")).to_contain_text("2 – Achieved (Late) by Callum Cabinet")


# --- (d) The scrutiny office at the committee -------------------------------------------------


def test_scrutiny_office_publishes_the_pack_and_records_the_committee_concluding_r06(demo, visit):
    scenes.meeting_with_proposals()
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.click(page.get_by_role("link", name=f"{COMMITTEE}: 15 June 2016"))
    expect(office.heading()).to_have_text("Meeting of 15 June 2016")
    expect(page.locator(".app-meeting-facts")).to_contain_text("State Evidence open")

    # The pack goes out: published, then downloaded as members will get it.
    office.click_link("publish the pack")
    expect(office.heading()).to_have_text("Meeting pack")
    expect(page.get_by_text("The pack for this meeting has not been published yet.")).to_be_visible()
    office.click_button("Publish the pack")
    # The build's page: published by the time it opens (the tests' task queue runs at once).
    expect(office.heading()).to_have_text("Publishing the pack")
    published = banner(page, "Success")
    expect(published).to_contain_text("Version 1 of the pack is published.")
    expect(published.get_by_role("link", name=re.compile(r"^Download version 1 \(PDF, "))).to_be_visible()
    office.click_link("See every version on the meeting pack’s page")
    version_1 = page.get_by_role("row", name=re.compile(r"^Version 1 "))
    expect(version_1).to_contain_text("Sam Scrutiny")
    with page.expect_download() as download:
        version_1.get_by_role("link", name="Version 1 (PDF)").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf == bytes(PublishedPack.objects.get(meeting__date=scenes.MEETING_DATE, version=1).pdf)
    assert download.value.suggested_filename.endswith("-2016-06-15-v1.pdf")
    expect(version_1).to_contain_text(f"PDF, {filesizeformat(len(pdf))}")
    expect(version_1.locator("code")).to_have_text(hashlib.sha256(pdf).hexdigest()[:12])  # its fingerprint

    office.click_link("Back to the meeting")
    facts = page.locator(".app-meeting-facts")
    expect(facts).to_contain_text("State Pack published")

    # The committee agrees the proposal for R06 and concludes it.
    office.click(region(page, "R06").get_by_role("button", name="Record the decision on R06"))
    expect(office.heading()).to_have_text("Record the committee’s decision on R06")
    expect(office.main).to_contain_text(re.compile(r"The Cabinet Member proposed:\s+2 – Achieved \(Late\)\s*\."))
    expect(page.get_by_role("radio", name="2 – Achieved (Late)")).to_be_checked()
    page.get_by_role("checkbox", name="The committee concluded this recommendation").check()
    page.get_by_label("Remark for the tracking assessment (optional)").fill(scenes.REMARK)
    office.click_button("Record the decision")
    expect(banner(page, "Success")).to_contain_text(
        "Recorded: the committee agreed “2 – Achieved (Late)” for R06 and concluded it.")
    expect(page.get_by_role("row", name=re.compile(r"^R06 "))).to_have_text(re.compile(
        r"R06\s+2 – Achieved \(Late\)\s+2 – Achieved \(Late\)\s+New evidence; Category changed from 3 – Not Achieved \(Progress Made\) to 2 – Achieved \(Late\)\s+Concluded at this meeting"))
    expect(region(page, "R06")).to_contain_text(
        f"Concluded by the committee on 15 June 2016: 2 – Achieved (Late). {scenes.REMARK}")

    # And keeps R04 on the list with progress made, by 31 December 2016.
    office.click(region(page, "R04").get_by_role("button", name="Record the decision on R04"))
    expect(office.main).to_contain_text(re.compile(r"The Cabinet Member proposed:\s+no category\s*\."))
    page.get_by_role("radio", name="3 – Not Achieved (Progress Made)").check()
    fill_date(page.get_by_role("group", name="Anticipated date"), 31, 12, 2016)
    office.click_button("Record the decision")
    expect(banner(page, "Success")).to_contain_text(
        "Recorded: the committee agreed “3 – Not Achieved (Progress Made)” for R04.")
    r04 = page.get_by_role("row", name=re.compile(r"^R04 "))
    expect(r04).to_contain_text("Not proposed 3 – Not Achieved (Progress Made)")
    expect(r04).to_contain_text("Tracked")
    expect(region(page, "R04")).to_contain_text("Anticipated date 31 December 2016")


def test_scrutiny_office_previews_the_pack_before_publishing(demo, visit):
    meeting = scenes.meeting_with_proposals()
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.go(f"/meetings/{meeting.pk}/")
    office.click_link("Preview the pack")
    expect(office.heading()).to_have_text("Tracking Report: Child Sexual Exploitation")
    expect(page.get_by_text(scenes.R06_UPDATE)).to_be_visible()
    # The pack's own stylesheet applies (the Content-Security-Policy lets it through by its hash).
    expect(page.locator(".cover-details")).to_have_css("border-collapse", "collapse")

    # The clerk takes the draft in Word to edit it before it goes into the committee system.
    office.go(f"/meetings/{meeting.pk}/pack/")
    expect(office.heading()).to_have_text("Meeting pack")
    office.click_button("Build the draft pack (Word)")
    expect(banner(page, "Success")).to_contain_text("The draft pack is ready.")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download the draft pack \(Word, ")).click()
    assert download.value.suggested_filename.endswith("-2016-06-15-draft.docx")
    document = docx.Document(download.value.path())
    assert document.paragraphs[0].style.name == "Heading 1"
    assert document.paragraphs[0].text == "Tracking Report: Child Sexual Exploitation"


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_the_worker():
    """The background worker (bin/worker's db_worker), until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0",
                 verbosity=0, stdout=io.StringIO())


def test_scrutiny_office_follows_a_draft_built_by_the_background_worker(demo, visit, monkeypatch):
    """A pack queued for the worker, as in production: with JavaScript the page moves its bar and shows
    the download by itself; without, it says where the build is and "Check progress" reloads it."""
    from tracker import services

    meeting = scenes.meeting_with_proposals()
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    status = page.get_by_role("status")
    bar = page.get_by_role("progressbar", name=re.compile(r"^How far it has got"))
    real_layout = services.html_to_pdf

    def layout_watched_from_the_page(html, on_step=None):
        def step(code):
            on_step(code)
            if code == "layout":
                # The worker is laying out the pages: the open page asks how far it has got, without reloading.
                expect(status).to_have_text("Laying out the pages (step 2 of 4)")
                expect(bar).to_have_attribute("value", "2")
                expect(page.get_by_text("How far it has got: 2%")).to_be_visible()
                office.check_page("draft-being-laid-out")
        return real_layout(html, step)

    with override_settings(TASKS=DATABASE_QUEUE):
        office.go(f"/meetings/{meeting.pk}/pack/")
        office.click_button("Build the draft pack (PDF)")
        expect(office.heading()).to_have_text("Draft pack (PDF)")
        expect(status).to_have_text("Waiting to start")
        expect(bar).to_have_attribute("value", "0")
        monkeypatch.setattr(services, "html_to_pdf", layout_watched_from_the_page)
        run_the_worker()
    ready = banner(page, "Success")
    expect(ready).to_contain_text("The draft pack is ready.")
    expect(ready).to_be_focused()  # put in place of the bar, and read out
    expect(page.get_by_role("button", name="Check progress")).to_have_count(0)
    office.check_page("draft-ready")
    with page.expect_download() as download:
        ready.get_by_role("link", name=re.compile(r"^Download the draft pack \(PDF, ")).click()
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename.endswith("-2016-06-15-draft.pdf")
    monkeypatch.undo()

    # Without the page's scripts (they failed to load, or JavaScript is off). The scripts are blocked
    # rather than JavaScript turned off, which would stop axe-core too.
    plain = visit("scrutiny-without-scripts")
    plain.page.route("**/*.mjs", lambda route: route.fulfill(status=200, content_type="text/javascript", body=""))
    plain.sign_in("scrutiny", PASSWORDS["scrutiny"])
    with override_settings(TASKS=DATABASE_QUEUE):
        plain.go(f"/meetings/{meeting.pk}/pack/")
        expect(plain.main).to_contain_text("Download the draft pack (PDF)")  # the draft just built, listed
        plain.click_button("Build the draft pack (Word)")
        expect(plain.page.get_by_role("status")).to_have_text("Waiting to start")
        plain.click_button("Check progress")
        expect(plain.page.get_by_role("status")).to_have_text("Waiting to start")
        run_the_worker()
        plain.click_button("Check progress")
    ready = banner(plain.page, "Success")
    expect(ready).to_contain_text("The draft pack is ready.")
    with plain.page.expect_download() as download:
        ready.get_by_role("link", name=re.compile(r"^Download the draft pack \(Word, ")).click()
    assert download.value.suggested_filename.endswith("-2016-06-15-draft.docx")


# --- (e) A committee member, by keyboard alone ------------------------------------------------


def test_committee_member_reads_the_timeline_of_r06_by_keyboard_alone(demo, visit):
    scenes.round_with_r06_concluded()
    member = visit("member")
    page = member.page
    member.sign_in_by_keyboard("member", PASSWORDS["member"])
    expect(member.main).to_contain_text("Signed in as Mina Member")
    expect(page.get_by_role("button", name="Run the tracking meetings")).to_have_count(0)

    skip_to_main_content(member)
    member.tab_to(page.get_by_role("link", name="All recommendations"))
    member.press_to_load("Enter")
    expect(member.heading()).to_have_text("Recommendations")
    expect(page.get_by_role("heading", name="Concluded (6)")).to_be_visible()
    concluded = page.locator("#concluded-R06")
    expect(concluded).to_have_text(re.compile(
        rf"R06\s+Child Sexual Exploitation\s+That business forums and networks are identified to work with to "
        rf"ensure…\s+15 June 2016\s+2 – Achieved \(Late\)\s+{scenes.REMARK}"))
    member.tab_to(concluded.get_by_role("link", name="R06"))
    member.press_to_load("Enter")

    expect(member.heading()).to_have_text("Timeline of R06")
    expect(member.main).to_contain_text("Concluded by the committee on 15 June 2016.")
    # The round of 15 June 2016, in the order things happened.
    entries = page.locator(".app-timeline__entry")
    titles = entries.locator("h3").all_inner_texts()
    whens = entries.locator(".app-timeline__when").all_inner_texts()
    first = whens.index("Written 1 June 2016 (after the last meeting) · by Olivia Officer")
    assert titles[first:first + 4] == [
        "Evidence update", "Category proposed", "Category agreed by the committee", "Concluded"]
    assert re.fullmatch(r"For the 15 June 2016 meeting · by Callum Cabinet on \d+ \w+ \d{4}", whens[first + 1])
    assert whens[first + 2:first + 4] == ["At the 15 June 2016 meeting · recorded by Sam Scrutiny"] * 2
    evidence, proposal, decision, conclusion = (entries.nth(first + n) for n in range(4))
    expect(evidence).to_contain_text(scenes.R06_UPDATE)
    expect(proposal).to_contain_text("2 – Achieved (Late)")
    expect(decision).to_contain_text("2 – Achieved (Late)")
    expect(conclusion).to_contain_text(
        f"Date concluded by the committee: 15 June 2016. Tracking assessment: 2 – Achieved (Late) {scenes.REMARK}")
    expect(page.get_by_role("link", name="Correct this update")).to_have_count(0)  # a member only reads

    # The proposal the cabinet member changed is kept: opened with the keyboard.
    earlier = proposal.locator("summary")
    expect(earlier).to_have_text("Earlier proposals for this meeting (1)")
    expect(proposal.get_by_text("1 – Achieved (Fully), by Callum Cabinet")).to_be_hidden()
    member.tab_to(earlier)
    member.press("Space")
    expect(proposal.get_by_text("1 – Achieved (Fully), by Callum Cabinet")).to_be_visible()
    member.check_page("timeline-with-earlier-proposals-open")

    # Back to every recommendation, going backwards.
    member.tab_to(page.get_by_role("link", name="All recommendations"), backwards=True)
    member.press_to_load("Enter")
    expect(member.heading()).to_have_text("Recommendations")


# --- (f) Anyone: their own password ------------------------------------------------------------


def test_officer_changes_their_password_and_later_resets_a_forgotten_one_by_email(demo, visit):
    from django.contrib.auth import get_user_model
    from django.core import mail

    get_user_model().objects.filter(username="officer").update(email="olivia.officer@council.example")
    officer = visit("officer")
    page = officer.page
    officer.sign_in("officer", PASSWORDS["officer"])
    officer.click_link("Change your password")
    expect(officer.heading()).to_have_text("Change your password")
    expect(page.get_by_label("New password", exact=True)).to_have_attribute("autocomplete", "new-password")
    expect(page.get_by_label("Confirm new password")).to_have_attribute("autocomplete", "new-password")

    # A wrong current password and two new ones that differ: said at the top and beside each field.
    page.get_by_label("Current password").fill("not-my-password")
    page.get_by_label("New password", exact=True).fill("a-new-passphrase")
    page.get_by_label("Confirm new password").fill("a-new-passphrase-typo")
    officer.click(page.get_by_role("button", name="Change password"), "change-password-errors")
    expect(error_summary(page)).to_contain_text("Your current password is not right. Enter it again.")
    expect(error_summary(page)).to_contain_text("The passwords do not match.")
    page.get_by_label("Current password").fill(PASSWORDS["officer"])
    page.get_by_label("New password", exact=True).fill("a-new-passphrase")
    page.get_by_label("Confirm new password").fill("a-new-passphrase")
    officer.click(page.get_by_role("button", name="Change password"))
    expect(officer.heading()).to_have_text("Your password has been changed")
    officer.click_button("Sign out")
    officer.sign_in("officer", "a-new-passphrase")
    expect(officer.main).to_contain_text("Signed in as Olivia Officer")

    # Weeks later, on another computer, the new password is forgotten.
    later = visit("officer")
    page = later.page
    later.go("/accounts/login/")
    later.click_link("Forgotten your password?")
    expect(later.heading()).to_have_text("Reset your password")
    later.click(page.get_by_role("button", name="Send the link"), "reset-password-errors")
    expect(error_summary(page)).to_contain_text("Enter your email address")
    page.get_by_label("Email address").fill("olivia.officer@council.example")
    later.click(page.get_by_role("button", name="Send the link"))
    expect(later.heading()).to_have_text("Check your email")
    assert [message.to for message in mail.outbox] == [["olivia.officer@council.example"]]
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", mail.outbox[0].body).group(0)
    later.go(re.sub(r"^https?://[^/]+", "", link))
    expect(later.heading()).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill("officer-2016-passphrase")
    page.get_by_label("Confirm new password").fill("officer-2016-passphrase")
    later.click(page.get_by_role("button", name="Save new password"))
    expect(later.heading()).to_have_text("Your password has been reset")
    later.click_link("Sign in")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("officer-2016-passphrase")
    later.click(page.get_by_role("button", name="Sign in"))
    expect(later.main).to_contain_text("Signed in as Olivia Officer")
    # The link in the email worked once.
    later.go(re.sub(r"^https?://[^/]+", "", link))
    expect(later.heading()).to_have_text("This link does not work")
