"""The scrutiny office sets up its people and owners in a real browser, and an invited person joins.

Starts from the demo data with the June 2016 meeting open for evidence. The office is the
demo scrutiny user, in the Scrutiny Office group and not a superuser. Every page visited,
its error states included, is checked by axe-core, for script errors and for reflow at
320px (tests/e2e/browsing.py).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import scenes
from tests.e2e.test_journeys import PASSWORDS, banner, error_summary, fill_date, region

DANA = "dana.director@council.example"
DANA_PASSWORD = "dana-chooses-a-long-passphrase"
R07_UPDATE = "The Leader wrote to every school governing body about the awareness sessions."


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def invitation_link(outbox) -> str:
    return path_of(re.search(r"https?://\S+/accounts/welcome/\S+/", outbox[-1].body).group(0))


def people_row(page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def test_office_invites_an_officer_who_joins_writes_evidence_and_later_leaves(demo, visit):
    from django.core import mail

    scenes.meeting_open_for_evidence()
    mail.outbox.clear()  # the e-mails that evidence is open: tests/e2e/test_round_by_email.py reads those
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.click_link("Set up")
    office.click_link("People")
    expect(office.heading()).to_have_text("People")
    expect(people_row(page, "Callum Cabinet")).to_contain_text("Cabinet Member")  # the council's word

    # The list filtered by a role, with an ordinary form.
    page.get_by_label("Role").select_option(label="Officer")
    office.click(page.get_by_role("button", name="Show"), "people-officers")
    expect(page.get_by_role("table")).to_contain_text("Olivia Officer")
    expect(page.get_by_role("table")).not_to_contain_text("Callum Cabinet")

    office.click_button("Invite someone")
    expect(office.heading()).to_have_text("Invite someone")
    page.get_by_label("Full name").fill("Dana Director")
    page.get_by_label("E-mail address").fill(DANA)
    owners = page.get_by_role("group", name="Owners they act for")
    owners.get_by_label("Leader", exact=True).check()
    owners.get_by_label("Chair BSCB", exact=True).check()
    office.click(page.get_by_role("button", name="Send the invitation"), "invite-errors")  # no role chosen yet
    expect(page).to_have_title(re.compile(r"^Error: Invite someone"))
    expect(error_summary(page)).to_contain_text("Choose at least one role")
    expect(page.get_by_role("group", name="Roles").locator(".govuk-error-message")).to_have_text(
        "Error: Choose at least one role")
    expect(owners.get_by_label("Leader", exact=True)).to_be_checked()
    page.get_by_role("group", name="Roles").get_by_label("Officer", exact=True).check()
    office.click_button("Send the invitation")
    expect(banner(page, "Success")).to_contain_text(f"An invitation has been sent to Dana Director at {DANA}.")
    dana_row = people_row(page, "Dana Director")
    expect(dana_row).to_contain_text("Officer")
    expect(dana_row).to_contain_text("Chair BSCB")
    expect(dana_row).to_contain_text("Leader")
    expect(dana_row).to_contain_text("Invited")
    assert [message.to for message in mail.outbox] == [[DANA]]

    # Dana says the e-mail never came: the office sends it again from her page.
    office.click_link("Dana Director")
    expect(office.heading()).to_have_text("Dana Director")
    office.click_button("Send the invitation again")
    expect(banner(page, "Success")).to_contain_text(f"A new invitation has been sent to Dana Director at {DANA}.")
    assert len(mail.outbox) == 2
    link = invitation_link(mail.outbox)

    # Dana, on her own computer, opens the link and chooses a password.
    dana = visit("dana")
    dana.go(link)
    expect(dana.heading()).to_have_text("Welcome, Dana Director: choose your password")
    dana.page.get_by_label("New password", exact=True).fill(DANA_PASSWORD)
    dana.page.get_by_label("Confirm new password").fill(DANA_PASSWORD + "-typo")
    dana.click(dana.page.get_by_role("button", name="Save your password and sign in"), "welcome-errors")
    expect(error_summary(dana.page)).to_contain_text("The passwords do not match.")
    dana.page.get_by_label("New password", exact=True).fill(DANA_PASSWORD)
    dana.page.get_by_label("Confirm new password").fill(DANA_PASSWORD)
    dana.click(dana.page.get_by_role("button", name="Save your password and sign in"))
    expect(banner(dana.page, "Success")).to_contain_text(
        "Welcome, Dana Director. Your password is saved and you are signed in.")
    expect(dana.main).to_contain_text("Signed in as Dana Director")

    # She writes the evidence for R07, the Leader's recommendation.
    dana.click(dana.page.get_by_role("button", name="Your recommendations for the next meeting"))
    r07 = region(dana.page, "R07")
    r07.get_by_label("Evidence of progress").fill(R07_UPDATE)
    fill_date(r07.get_by_role("group", name="Date written"), 1, 6, 2016)
    dana.click(r07.get_by_role("button", name="Add update to R07"))
    expect(banner(dana.page, "Success")).to_contain_text("Your update for R07 has been added.")

    # The link worked once.
    stranger = visit("stranger")
    stranger.go(link, "used-invitation")
    expect(stranger.heading()).to_have_text("This link does not work")
    expect(stranger.main).to_contain_text("Ask the Scrutiny Office to send you a new invitation.")

    # Months later Dana leaves: the office deactivates her.
    office.click_link("Back to people")
    office.click_link("Dana Director")
    office.click_button("Deactivate Dana Director")
    expect(banner(page, "Success")).to_contain_text("Dana Director has been deactivated.")
    office.click_link("Back to people")
    expect(people_row(page, "Dana Director")).to_contain_text("Deactivated")

    # She is signed out, and can no longer sign in.
    dana.go("/")
    expect(dana.heading()).to_have_text("Sign in")
    dana.sign_in(DANA, DANA_PASSWORD)
    expect(error_summary(dana.page)).to_contain_text("Enter a correct username and password.")

    # Her name stays on what she wrote.
    office.click_link("Recommendations")
    office.click_link("R07")
    expect(office.main).to_contain_text(R07_UPDATE)
    expect(office.main).to_contain_text(re.compile(r"Written 1 June 2016 .* by Dana Director"))


def test_office_keeps_owners_with_their_spellings_and_the_people_acting_for_them(demo, visit):
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.go("/setup/")
    office.click_link("Owners")
    expect(office.heading()).to_have_text("Owners")
    children = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="Cabinet Member for Children’s Services", exact=True))
    expect(children).to_contain_text("Cabinet Member Children Services")  # another spelling
    expect(children).to_contain_text("Olivia Officer")
    expect(children).to_contain_text("Callum Cabinet")

    office.click_link("Leader")
    expect(office.heading()).to_have_text("Leader")
    page.get_by_label("Name", exact=True).fill("chair bscb")
    office.click(page.get_by_role("button", name="Save the changes"), "owner-errors")
    expect(error_summary(page)).to_contain_text("There is already an owner called “Chair BSCB”.")
    page.get_by_label("Name", exact=True).fill("Leader of the Council")
    page.get_by_label("Other spellings (optional)").fill("Council Leader")
    page.get_by_role("group", name="People who act for this owner (optional)").get_by_label(
        "Olivia Officer").check()
    office.click_button("Save the changes")
    expect(banner(page, "Success")).to_contain_text("“Leader of the Council” has been saved.")
    leader = page.get_by_role("row").filter(has=page.get_by_role("link", name="Leader of the Council", exact=True))
    expect(leader).to_contain_text("Council Leader")
    expect(leader).to_contain_text("Leader")  # the old name, kept as a spelling
    expect(leader).to_contain_text("Olivia Officer")

    office.click_button("Add an owner")
    expect(office.heading()).to_have_text("Add an owner")
    page.get_by_label("Name", exact=True).fill("Director of Public Health")
    office.click_button("Add the owner")
    expect(banner(page, "Success")).to_contain_text("“Director of Public Health” has been added.")
    expect(page.get_by_role("row").filter(
        has=page.get_by_role("link", name="Director of Public Health"))).to_contain_text("Nobody yet")
