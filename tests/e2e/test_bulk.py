"""Bulk work in a real browser: the committee's decisions and the assessor's proposals, each on one page.

Clicks are counted as a person makes them (a click on a link, a button, a box or a
choice in a list; typing a date is not a click). Before these pages, the committee's
decisions on the seed round's 14 recommendations took about 45 clicks (open each one,
choose, tick, save), and the cabinet member needed 3 clicks per recommendation (24 for
a portfolio of 8).
"""

from __future__ import annotations

import datetime
import re

from playwright.sync_api import expect

from tests.e2e import scenes
from tests.e2e.test_journeys import COMMITTEE, PASSWORDS, banner, error_summary, fill_date
from tracker import services
from tracker.models import Assessment, Conclusion

DECEMBER = datetime.date(2016, 12, 31)
PORTFOLIO = ["R04", "R06", "R08", "R10", "R12", "R16", "R17", "R19"]


def test_scrutiny_office_records_the_committees_decisions_for_the_whole_round_from_one_page(demo, visit):
    meeting = scenes.meeting_open_for_evidence()
    office_user = scenes.user("scrutiny")
    for assessment in meeting.assessments.select_related("recommendation"):
        code, date = ("3", DECEMBER) if assessment.recommendation.number == "R04" else ("2", None)
        services.propose_category(assessment, scenes.category(code), date, by=office_user)
    scenes.pack_marked_published(meeting)

    office = visit("scrutiny")
    page = office.page
    office.sign_in("scrutiny", PASSWORDS["scrutiny"])
    office.click(page.get_by_role("link", name=f"{COMMITTEE}: 15 June 2016"))
    # The next step is blocked: the page says why and how many, and offers no button for it.
    expect(office.main).to_contain_text(
        "The committee’s decision is still to be recorded on 14 of the 14 tracked recommendations")
    expect(page.get_by_role("button", name="Mark the committee’s decisions as recorded")).to_have_count(0)

    clicks = 0
    office.click_link("Record the committee’s decisions")
    clicks += 1
    expect(office.heading()).to_have_text("Record the committee’s decisions")
    expect(office.main).to_contain_text("14 of 14 tracked recommendations still wait for the committee’s decision.")
    expect(page.get_by_label("Category agreed for R06")).to_have_value(str(scenes.category("2").pk))
    expect(page.get_by_label("Concluded: R06 leaves the tracking list")).to_be_checked()
    expect(page.get_by_label("Concluded: R04 leaves the tracking list")).not_to_be_checked()

    # One exception: the committee keeps R05 on the list, progress made, by 31 December 2016.
    page.get_by_label("Category agreed for R05").select_option(label="3 – Not Achieved (Progress Made)")
    clicks += 1
    page.get_by_label("Concluded: R05 leaves the tracking list").uncheck()
    clicks += 1
    # Forgetting its date: refused beside R05; the other 13 are recorded.
    office.click_button("Agree all as proposed")
    clicks += 1
    expect(banner(page, "Success")).to_contain_text("13 decisions recorded.")
    expect(error_summary(page)).to_contain_text("R05: “3 – Not Achieved (Progress Made)” needs an anticipated date")
    error_summary(page).get_by_role("link", name=re.compile("^R05: ")).click()
    clicks += 1
    r05_date = page.get_by_role("group", name="Anticipated date for R05")
    expect(r05_date.get_by_label("Day")).to_be_focused()
    fill_date(r05_date, 31, 12, 2016)
    office.click_button("Save decisions")
    clicks += 1

    # Every decision is in: back on the meeting page, the warning gone and the step offered.
    expect(office.heading()).to_have_text("Meeting of 15 June 2016")
    expect(banner(page, "Success")).to_contain_text("1 decision recorded.")
    expect(office.main).not_to_contain_text("still to be recorded")
    office.click_button("Mark the committee’s decisions as recorded")
    expect(page.locator(".app-meeting-facts")).to_contain_text("Decisions recorded")

    # Before: about 45 clicks for the 14. Now: 2 (open the page, "Agree all as proposed") when the
    # committee agrees every proposal; 6 here, with one exception and one mistake put right.
    assert clicks == 6
    assert Assessment.objects.filter(meeting=meeting, agreed_category__isnull=False).count() == 14
    assert Assessment.objects.get(meeting=meeting, recommendation__number="R05").anticipated_date == DECEMBER
    concluded = set(Conclusion.objects.filter(meeting=meeting).values_list("recommendation__number", flat=True))
    assert concluded == set(scenes.SEED_TRACKED) - {"R04", "R05"}


def test_cabinet_member_proposes_for_the_whole_portfolio_from_one_page(demo, visit):
    meeting = scenes.meeting_open_for_evidence()
    scenes.officer_updates_r06(meeting)
    cabinet = visit("cabinet")
    page = cabinet.page
    cabinet.sign_in("cabinet", PASSWORDS["cabinet"])
    cabinet.click(page.get_by_role("button", name="Your portfolio: propose categories"))

    clicks = 0
    cabinet.click_link("Propose for all your recommendations on one page")
    clicks += 1
    expect(cabinet.heading()).to_have_text("Propose categories on one page")
    expect(page.get_by_role("link", name="Read the evidence for R06")).to_have_attribute(
        "href", re.compile(rf"/portfolio/meetings/{meeting.pk}/#rec-"))
    for number in PORTFOLIO:
        label = "3 – Not Achieved (Progress Made)" if number == "R04" else "2 – Achieved (Late)"
        page.get_by_label(f"Proposed category for {number}").select_option(label=label)
        clicks += 1
    fill_date(page.get_by_role("group", name="Anticipated date for R04"), 31, 12, 2016)
    cabinet.click_button("Save proposals")
    clicks += 1

    expect(cabinet.heading()).to_have_text("Your portfolio for the meeting of 15 June 2016")
    expect(banner(page, "Success")).to_contain_text("8 proposals saved.")
    expect(page.get_by_role("row", name=re.compile(r"^R04 "))).to_contain_text("3 – Not Achieved (Progress Made)")
    expect(page.get_by_role("row", name=re.compile(r"^R19 "))).to_contain_text("2 – Achieved (Late)")

    # Before: 3 clicks per recommendation, 24 for the 8. Now: 10 (open the page, one choice per
    # recommendation, one save).
    assert clicks == 10
    assert sorted(Assessment.objects.filter(meeting=meeting, proposed_category__isnull=False)
                  .values_list("recommendation__number", flat=True)) == PORTFOLIO
