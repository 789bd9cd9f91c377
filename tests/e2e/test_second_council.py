"""A second council adopts the service from an empty database, without a developer.

Anytown District Council's clerk gets the first account from the server's command line
(a scrutiny-office user, not a superuser), chooses a password from the link, and in the
pages: names the council and its words, builds its four-category scheme whose "Slipped"
needs a revised date and reasons, adds a committee where a lead officer assesses, creates
an inquiry by pasting its recommendations (long numbers, two owners, a date waiting on
legislation), invites its lead officer and gives them an owner, and runs a meeting through
to a published pack and a closed meeting. The pack holds Anytown's words and scheme and
nothing of the seed council's. Every page is checked by axe-core and for reflow at 320px.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from tracker.models import Assessment, Meeting, PublishedPack, Recommendation

TODAY = datetime.date.today()
MEETING = TODAY + datetime.timedelta(days=42)
DEADLINE = TODAY + datetime.timedelta(days=28)
REVISED = MEETING + datetime.timedelta(days=120)
LAST_SPRING = (TODAY.replace(day=1) - datetime.timedelta(days=150)).strftime("%B %Y")

PASTED = f"""Leisure Task Group Rec 1 That the Council:
a) reviews the opening hours of its leisure centres;
b) reports the results to the executive.
Responsibility: Director of Place / Executive Member for Leisure
Date: {LAST_SPRING}

Leisure Task Group Rec 2 That a new pool is planned once the law allows.
Responsibility: Head of Planning
Date: To be confirmed when the Planning and Infrastructure Act is passed
"""
REASONS = "The contractor went into administration; the review restarts with a new provider."
SEED_WORDS = ["City Council", "Birmingham", "Cabinet Member", "Scrutiny Office", "Overview and Scrutiny",
              "Achieved (Late)", "In Progress", "Children", "CSE"]


@pytest.fixture
def empty_database(transactional_db, django_db_serialized_rollback):
    """What migrate leaves: the schema, the roles and the built-in scheme; no council, no people."""
    assert not get_user_model().objects.exists()


def banner(page, kind: str):
    return page.locator(".govuk-notification-banner").filter(has=page.get_by_role("heading", name=kind, exact=True))


def fill_date(group, day: datetime.date):
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def add_category(clerk, code, label, criteria, rules):
    page = clerk.page
    clerk.click_button("Add a category")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Label", exact=True).fill(label)
    page.get_by_label("Criteria", exact=True).fill(criteria)
    for rule in rules:
        page.get_by_label(rule, exact=True).check()
    clerk.click_button("Add the category")
    expect(banner(page, "Success")).to_contain_text(f"“{code} – {label}” has been added.")


def choose_password(person, link: str, password: str):
    person.go(path_of(link))
    expect(person.heading()).to_contain_text("choose your password")
    person.page.get_by_label("New password", exact=True).fill(password)
    person.page.get_by_label("Confirm new password").fill(password)
    person.click_button("Save your password and sign in")
    expect(banner(person.page, "Success")).to_be_visible()


def test_a_second_council_sets_itself_up_and_publishes_its_own_pack(empty_database, live_server, visit):
    out = io.StringIO()
    call_command("add_scrutiny_officer", "clerk@anytown.gov.uk", "--name", "Casey Clerk", "--site", live_server.url,
                 stdout=out)
    clerk_user = get_user_model().objects.get()
    assert not clerk_user.is_superuser and not clerk_user.is_staff

    clerk = visit("clerk")
    page = clerk.page
    choose_password(clerk, re.search(r"https?://\S+", out.getvalue()).group(0), "anytown-clerk-pass-2026")

    # The council and its words.
    clerk.click_link("Set up")
    clerk.click_link("The council and its words")
    clerk.click_link("Change the council’s name")
    for label, value in [
        ("Name of the council", "Anytown District Council"),
        ("How the pack’s sentences name the council", "the District Council"),
        ("What the scrutiny office is called", "Democratic Services"),
        ("What new committees call the person who proposes categories", "Lead Officer"),
        ("What its scrutiny committees are called in sentences", "Scrutiny Committee"),
    ]:
        page.get_by_label(label).fill(value)
    clerk.click_button("Save the council’s details")
    expect(banner(page, "Success")).to_be_visible()
    clerk.click_link("Change the pack’s sentences")
    page.get_by_label("Heading above the evidence", exact=True).fill(
        "Progress update (and the revised date where a recommendation has slipped)")
    clerk.click_button("Save the pack’s words")
    expect(banner(page, "Success")).to_contain_text("The pack’s sentences have been saved.")

    # Its scheme: four categories; "Slipped" needs a revised date and reasons.
    clerk.click_link("Set up")
    clerk.click_link("Assessment schemes")
    clerk.click_button("Add a scheme")
    page.get_by_label("Name of the scheme").fill("Anytown tracking categories")
    page.get_by_label("Nothing: no categories").check()
    clerk.click_button("Add the scheme")
    clerk.click_link("Change the name, guidance, date rule or narrative words of Anytown tracking categories")
    page.get_by_label("The sentence above the questions").fill("For each recommendation the committee asks:")
    page.get_by_label("The questions", exact=True).fill("Has it been done?\nIf not, when will it be, and why the delay?")
    page.get_by_label("The latest revised date, once one is advised").check()
    clerk.click_button("Save the scheme")
    add_category(clerk, "1", "Achieved", "Fully implemented.", ["Counts as achieved", "Means achieved within the timescale"])
    add_category(clerk, "2", "On Track", "Not yet due.", ["Only while the date in force has not passed"])
    add_category(clerk, "3", "Slipped", "Behind its date: the revised date and the reasons are given.",
                 ["Needs an anticipated date", "Needs reasons"])
    add_category(clerk, "4", "Not Achieved", "Will not be achieved.", [])

    # Its committee: a lead officer proposes.
    clerk.click_link("Set up")
    clerk.click_link("Committees")
    clerk.click_button("Add a committee")
    page.get_by_label("Name of the committee").fill("Communities Scrutiny Committee")
    page.get_by_label("Anytown tracking categories", exact=True).check()
    page.get_by_label("A lead officer for the owners").check()
    clerk.click_button("Add the committee")
    expect(page.get_by_role("row", name=re.compile(r"^Communities Scrutiny Committee"))).to_contain_text("Lead Officer")

    # Its inquiry, pasted as the report prints it.
    clerk.click_link("Set up")
    clerk.click_link("Inquiries and recommendations")
    clerk.click_button("Add an inquiry")
    page.get_by_label("Committee").select_option(label="Communities Scrutiny Committee")
    page.get_by_label("Title of the inquiry").fill("Leisure Services Review")
    clerk.click_button("Add the inquiry")
    clerk.click_link("Paste recommendations")
    page.get_by_label("Recommendations").fill(PASTED)
    page.get_by_label("Accepted", exact=True).check()
    clerk.click_button("Check the recommendations")
    expect(page.locator(".govuk-summary-card").filter(has_text="Leisure Task Group Rec 2")).to_contain_text(
        "Waiting on: To be confirmed when the Planning and Infrastructure Act is passed")
    clerk.click_button("Save these 2 recommendations")
    expect(banner(page, "Success")).to_contain_text("Added 2 recommendations to “Leisure Services Review”.")
    first = Recommendation.objects.get(number="Leisure Task Group Rec 1")
    assert [r.owner.name for r in first.responsibilities.all()] == ["Director of Place", "Executive Member for Leisure"]

    # Its lead officer, invited by e-mail and given the owner they act for.
    clerk.click_link("Set up")
    clerk.click_link("People")
    clerk.click_button("Invite someone")
    page.get_by_label("Full name").fill("Lee Lead")
    page.get_by_label("E-mail address").fill("lee.lead@anytown.gov.uk")
    page.get_by_role("group", name="Roles").get_by_label("Lead Officer", exact=True).check()
    page.get_by_role("group", name="Owners they act for").get_by_label("Director of Place", exact=True).check()
    clerk.click_button("Send the invitation")
    expect(banner(page, "Success")).to_contain_text("An invitation has been sent to Lee Lead")
    lee = visit("lead-officer")
    choose_password(lee, re.search(r"https?://\S+/accounts/welcome/\S+/", mail.outbox[-1].body).group(0),
                    "anytown-lead-pass-2026")

    # The meeting: scheduled, its recommendations chosen, open for evidence.
    clerk.click_link("Meetings")
    clerk.click_button("Schedule a meeting")
    page.get_by_label("Committee").select_option(label="Communities Scrutiny Committee")
    fill_date(page.get_by_role("group", name="Date of the meeting"), MEETING)
    fill_date(page.get_by_role("group", name="Evidence deadline"), DEADLINE)
    clerk.click_button("Schedule the meeting")
    clerk.click_button("Track these recommendations")
    clerk.click_button("Open the meeting for evidence")
    expect(banner(page, "Success")).to_contain_text("The meeting is now “Evidence open”.")

    # The lead officer proposes "Slipped": refused without its revised date and reasons, then accepted.
    lee.click(lee.page.get_by_role("button", name="Your portfolio: propose categories"))
    lee.click(lee.page.get_by_role("button", name="Propose a category for Leisure Task Group Rec 1"))
    lee.page.get_by_label("3 – Slipped").check()
    lee.click_button("Save the proposal")
    expect(lee.page.locator(".govuk-error-summary")).to_contain_text("“3 – Slipped” needs the reasons")
    fill_date(lee.page.get_by_role("group", name="Anticipated date"), REVISED)
    lee.page.get_by_label("Reasons", exact=True).fill(REASONS)
    lee.click_button("Save the proposal")
    expect(banner(lee.page, "Success")).to_contain_text("You proposed “3 – Slipped” for Leisure Task Group Rec 1.")

    # The office enters the other proposal on its owner's behalf (emailed in), then publishes.
    meeting = Meeting.objects.get(date=MEETING)
    clerk.go(f"/meetings/{meeting.pk}/")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Leisure Task Group Rec 2")
    clerk.click_link("Enter the proposal on the owners’ behalf for Leisure Task Group Rec 2")
    page.get_by_label("2 – On Track").check()
    clerk.click_button("Save the proposal")
    expect(banner(page, "Success")).to_contain_text("on the owners’ behalf")
    clerk.click_link("Published versions of the pack")
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    clerk.click_button("Publish the pack")
    expect(banner(page, "Success")).to_contain_text("Version 1 of the pack is published.")

    # The committee's decisions, and the meeting closed.
    clerk.click_link("Back to the meeting pack")
    clerk.click_link("Back to the meeting")
    for number, label in [("Leisure Task Group Rec 1", "3 – Slipped"), ("Leisure Task Group Rec 2", "2 – On Track")]:
        clerk.click(page.get_by_role("button", name=f"Record the decision on {number}"))
        expect(page.get_by_label(label)).to_be_checked()
        clerk.click_button("Record the decision")
        expect(banner(page, "Success")).to_contain_text(f"the committee agreed “{label}” for {number}")
    clerk.click_button("Mark the committee’s decisions as recorded")
    clerk.click_button("Close the meeting")
    expect(page.locator(".app-meeting-facts")).to_contain_text("Closed")

    # The pack as members get it: Anytown's words and scheme, nothing of the seed council's.
    here = Assessment.objects.get(meeting=meeting, recommendation=first)
    assert here.reasons == REASONS and here.anticipated_date == REVISED and not here.proposed_on_behalf
    assert Assessment.objects.get(meeting=meeting, recommendation__number="Leisure Task Group Rec 2").proposed_on_behalf
    pdf = bytes(PublishedPack.objects.get(meeting=meeting).pdf)
    words = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    for expected in [
        "Tracking Report: Leisure Services Review",
        "Report of Lead Officer: Director of Place",  # the cover drafted for the owner the lead officer acts for
        "In approving this Inquiry the District Council asked me, as the appropriate Director of Place, to report on "
        "progress towards these recommendations to this Scrutiny Committee.",
        "Democratic Services guidance on the tracking process",
        "For each recommendation the committee asks:",
        "3: Slipped",
        "Lead Officer’s Assessment",
        "Progress update (and the revised date where a recommendation has slipped)",
        f"Anticipated completion date: {long(REVISED)}",
        REASONS,
        "Leisure Task Group Rec 2",
        "To be confirmed when the Planning and Infrastructure Act is passed",
    ]:
        assert expected in words, expected
    for seed_word in SEED_WORDS:
        assert seed_word not in words, seed_word
