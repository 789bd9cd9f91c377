"""The scrutiny office sets the council up in a browser, without a developer.

Signed in as the demo scrutiny office user (not a superuser), it names the council, uploads
its logo, rewords a sentence of the pack, builds a four-category scheme whose "Slipped"
needs a revised date and reasons, adds a committee assessed by a lead officer, and starts
a narrative-only scheme; then changes the seed's scheme, which the seed's meetings used,
and finds the earlier version kept for them. Every page visited, error states included,
is checked by axe-core and for reflow at 320px (tests/e2e/browsing.py).
"""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect

from tracker.demo import DEMO_USERS
from tracker.models import AssessmentScheme, Committee, Council

PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}
SEED_COMMITTEE = "Education and Vulnerable Children Overview and Scrutiny Committee"
SEED_SCHEME = "Scrutiny tracking categories (1–6)"


def banner(page, kind: str):
    return page.locator(".govuk-notification-banner").filter(has=page.get_by_role("heading", name=kind, exact=True))


def error_summary(page):
    return page.locator(".govuk-error-summary")


def crest() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (0, 94, 165)).save(buffer, "PNG")
    return buffer.getvalue()


def add_category(office, code: str, label: str, criteria: str, rules: list[str]):
    page = office.page
    office.click_button("Add a category")
    expect(office.heading()).to_have_text("Add a category")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Label", exact=True).fill(label)
    page.get_by_label("Criteria", exact=True).fill(criteria)
    for rule in rules:
        page.get_by_label(rule, exact=True).check()
    office.click_button("Add the category")
    expect(banner(page, "Success")).to_contain_text(f"“{code} – {label}” has been added.")


def test_scrutiny_office_sets_up_its_council_words_schemes_and_a_committee(demo, visit):
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.click_link("Set up")
    office.click_link("The council and its words")
    expect(office.heading()).to_have_text("The council")

    # Its name, and how the pack's sentences name it.
    office.click_link("Change the council’s name")
    expect(office.heading()).to_have_text("Change the council’s details")
    page.get_by_label("Name of the council").fill("Anytown Borough Council")
    page.get_by_label("How the pack’s sentences name the council").fill("the Borough Council")
    office.click_button("Save the council’s details")
    expect(banner(page, "Success")).to_contain_text("The council’s details have been saved.")
    details = page.locator(".govuk-summary-list")
    expect(details).to_contain_text("Anytown Borough Council")
    expect(details).to_contain_text("the Borough Council")

    # The logo: a file that is not a picture is refused beside the field; a PNG is taken.
    office.click_link("Change the logo")
    expect(office.heading()).to_have_text("The council’s logo")
    page.get_by_label("Logo", exact=True).set_input_files(
        files=[{"name": "crest.png", "mimeType": "image/png", "buffer": b"%PDF-1.7 a document, not a picture"}])
    page.get_by_label("What the logo shows").fill("Anytown Borough Council crest")
    office.click_button("Upload the logo")
    expect(page).to_have_title(re.compile(r"^Error: The council’s logo"))
    expect(page.locator("#div_id_logo .govuk-error-message")).to_have_text(
        "Error: The logo must be a PNG or JPEG picture.")
    page.get_by_label("Logo", exact=True).set_input_files(files=[{"name": "crest.png", "mimeType": "image/png",
                                                      "buffer": crest()}])
    office.click_button("Upload the logo")
    expect(banner(page, "Success")).to_contain_text("The logo has been saved.")
    expect(page.get_by_role("img", name="Anytown Borough Council crest")).to_be_visible()

    # A sentence of the pack: a mistyped placeholder is refused beside it, then put right.
    office.click_link("Change the pack’s sentences")
    expect(office.heading()).to_have_text("The pack’s words")
    paragraph = page.get_by_label("Cover paragraph 1", exact=True)
    paragraph.fill("In approving this Inquiry {counsil} asked me to report progress to the {committee}.")
    office.click_button("Save the pack’s words")
    problem = "{counsil} is not a placeholder."
    expect(page.locator("#div_id_cover_paragraph_1 .govuk-error-message")).to_contain_text(problem)
    error_summary(page).get_by_role("link", name=re.compile(re.escape(problem))).click()
    expect(paragraph).to_be_focused()
    paragraph.fill("In approving this Inquiry {council} asked me to report progress to the {committee}.")
    office.click_button("Save the pack’s words")
    expect(banner(page, "Success")).to_contain_text("The pack’s sentences have been saved.")
    expect(page.locator("#preview + .govuk-inset-text")).to_contain_text(
        f"In approving this Inquiry the Borough Council asked me to report progress to the {SEED_COMMITTEE}.")

    # A four-category scheme from nothing: "On Track" is judged against the revised date.
    office.click_link("Set up")
    office.click_link("Assessment schemes")
    office.click_button("Add a scheme")
    page.get_by_label("Name of the scheme").fill("Four categories")
    page.get_by_label("Nothing: no categories").check()
    office.click_button("Add the scheme")
    expect(office.heading()).to_have_text("Four categories")
    expect(office.main).to_contain_text("No categories: narrative tracking.")
    office.click_link("Change the name, guidance, date rule or narrative words of Four categories")
    page.get_by_label("The latest revised date, once one is advised").check()
    office.click_button("Save the scheme")
    expect(banner(page, "Success")).to_contain_text("Four categories has been saved.")
    expect(office.main).to_contain_text("The latest revised date, once one is advised")

    add_category(office, "1", "Achieved", "Fully implemented.", ["Counts as achieved",
                                                                   "Means achieved within the timescale"])
    add_category(office, "2", "On Track", "Not yet due for completion.",
                 ["Only while the date in force has not passed"])
    add_category(office, "3", "Slipped", "Behind its date: the revised date and the reasons are given.",
                 ["Needs an anticipated date", "Needs reasons"])
    add_category(office, "4", "Not Achieved", "Will not be achieved.", [])
    slipped = page.get_by_role("row", name=re.compile(r"^3 Slipped"))
    expect(slipped).to_contain_text("A proposal must give the date by which it is expected to be achieved.")
    expect(slipped).to_contain_text("A proposal must give the reasons")
    expect(page.get_by_role("row", name=re.compile(r"^2 On Track"))).to_contain_text(
        "Only allowed while the date in force has not passed")

    # A committee assessing with it, where a lead officer proposes.
    office.click_link("Set up")
    office.click_link("Committees")
    office.click_button("Add a committee")
    page.get_by_label("Name of the committee").fill("Communities Scrutiny Committee")
    page.get_by_label("Four categories", exact=True).check()
    page.get_by_label("A lead officer for the owners").check()
    page.get_by_label("What the person who proposes is called here").fill("Lead Officer")
    office.click_button("Add the committee")
    expect(banner(page, "Success")).to_contain_text("Communities Scrutiny Committee has been added.")
    expect(page.get_by_role("row", name=re.compile(r"^Communities Scrutiny Committee"))).to_contain_text(
        "Four categories A lead officer for the owners Lead Officer No")

    # A scheme with no categories at all: narrative tracking.
    office.click_link("Set up")
    office.click_link("Assessment schemes")
    office.click_button("Add a scheme")
    page.get_by_label("Name of the scheme").fill("Narrative updates")
    page.get_by_label("Nothing: no categories").check()
    office.click_button("Add the scheme")
    expect(office.main).to_contain_text("agrees “Completed” or “Continue tracking”")

    council = Council.current()
    assert (council.name, council.name_in_sentences, council.logo_type) == (
        "Anytown Borough Council", "the Borough Council", "image/png")
    # Only the sentence changed is kept: every other box went back as its default (line breaks and all).
    assert council.words == {
        "cover_paragraph_1": "In approving this Inquiry {council} asked me to report progress to the {committee}."}
    committee = Committee.objects.get(name="Communities Scrutiny Committee")
    assert (committee.assessed_by, committee.assessor_title, committee.scheme.name) == (
        "lead_officer", "Lead Officer", "Four categories")
    assert committee.scheme.revised_dates_count
    assert [(c.code, c.needs_anticipated_date, c.needs_reasons) for c in committee.scheme.categories.all()] == [
        ("1", False, False), ("2", False, False), ("3", True, True), ("4", False, False)]
    assert AssessmentScheme.objects.get(name="Narrative updates").categories.count() == 0


def test_scrutiny_office_changes_the_seed_scheme_and_old_meetings_keep_the_version_they_used(demo, visit):
    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.go("/setup/schemes/")
    office.click_link(SEED_SCHEME)
    expect(office.main).to_contain_text("Meetings have used this scheme, so a change makes version 2")

    office.click_link("Change 6 – In Progress")
    label = page.get_by_label("Label", exact=True)
    label.fill("")
    office.click_button("Save the category")
    expect(page.locator("#div_id_label .govuk-error-message")).to_have_text("Error: Enter the category’s label")
    label.fill("On Track")
    office.click_button("Save the category")
    expect(office.heading()).to_have_text(f"{SEED_SCHEME} (version 2)")
    expect(banner(page, "Success")).to_contain_text("Meetings had used version 1, so this is version 2")
    expect(page.get_by_role("row", name=re.compile(r"^6 On Track"))).to_be_visible()

    office.click_link(f"{SEED_SCHEME}, version 1")
    expect(office.main).to_contain_text("This is version 1, kept exactly as it was for the meetings that used it")
    expect(office.main).to_contain_text(f"{SEED_COMMITTEE}, 10 February 2016")
    expect(page.get_by_role("row", name=re.compile(r"^6 In Progress"))).to_be_visible()
    expect(office.main.get_by_role("link", name=re.compile(r"^(Change|Remove)"))).to_have_count(0)
    expect(office.main.get_by_role("button", name=re.compile(r"^Move"))).to_have_count(0)
    office.click_link(f"{SEED_SCHEME} (version 2)")

    # Version 2 is not used yet: further changes are made to it in place.
    office.click_button("Move down 1 – Achieved (Fully)")
    expect(banner(page, "Success")).to_have_text(re.compile(r"“1 – Achieved \(Fully\)” has been moved down\.\s*$"))
    office.click_link("Remove 5 – Not Achieved (Insufficient Progress)")
    expect(office.heading()).to_have_text("Remove “5 – Not Achieved (Insufficient Progress)”")
    office.click_button("Remove the category")
    expect(banner(page, "Success")).to_contain_text("has been removed.")
    codes = page.locator("tbody tr td:first-child").all_inner_texts()
    assert codes == ["2", "1", "3", "4", "6"]

    # The committee now assesses with version 2; its page says what a change of scheme does.
    office.go("/setup/committees/")
    office.click_link(SEED_COMMITTEE)
    expect(office.main).to_contain_text("meetings still ahead with nothing assessed take the new one")
    expect(page.get_by_label(f"{SEED_SCHEME} (version 2)")).to_be_checked()
    page.get_by_label("Show this committee on the public register").check()
    office.click_button("Save the committee")
    expect(banner(page, "Success")).to_contain_text(f"{SEED_COMMITTEE} has been saved.")
    expect(page.get_by_role("row", name=re.compile(rf"^{SEED_COMMITTEE}"))).to_contain_text("Yes")
