"""A visitor, signed out, reads the public register: the committee, its inquiry, a recommendation's
published history, a search and a pack's PDF, each page checked (WCAG 2.2 AA, 320 px)."""

import re

from playwright.sync_api import expect

from tests.e2e import scenes
from tracker.models import Committee, PublishedPack


def test_a_visitor_reads_the_published_recommendations_searches_and_downloads_the_pack(demo, visit):
    assert Committee.objects.get().on_public_register  # load_demo switches the demo committee on
    meeting = scenes.meeting_open_for_evidence()
    scenes.officer_updates_r06(meeting)
    scenes.pack_published(meeting)

    visitor = visit("visitor")
    page = visitor.page
    visitor.go("/public/")
    expect(visitor.heading()).to_have_text(re.compile(r"scrutiny recommendations$"))
    expect(page.get_by_role("link", name="Staff sign in")).to_be_visible()
    expect(page.get_by_role("link", name="Sign out")).to_have_count(0)

    visitor.click_link(meeting.committee.name)
    expect(visitor.heading()).to_have_text(meeting.committee.name)
    expect(page.get_by_role("heading", name="15 June 2016")).to_be_visible()

    visitor.click_link("Child Sexual Exploitation")
    expect(visitor.heading()).to_have_text("Child Sexual Exploitation")
    visitor.click(page.get_by_role("link", name=re.compile(r"^Recommendation R06\b")))
    expect(visitor.heading()).to_have_text("Recommendation R06")
    expect(visitor.main).to_contain_text(scenes.R06_UPDATE)  # printed in the published pack

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download the pack \(PDF\) for the meeting of 15 June 2016")).click()
    pdf = download.value.path().read_bytes()
    assert pdf == bytes(PublishedPack.objects.get(meeting=meeting).pdf)
    assert download.value.suggested_filename.endswith("-2016-06-15-v1.pdf")

    visitor.click_link("Search")
    page.get_by_label("Search the recommendations").fill("taxi drivers")
    visitor.click_button("Search")
    expect(page.get_by_role("heading", name=re.compile(r"recommendations? found"))).to_be_visible()
    visitor.click(page.locator(".app-search-result").get_by_role("link", name="R06"))
    expect(visitor.heading()).to_have_text("Recommendation R06")
