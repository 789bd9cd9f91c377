"""Attaching a document to evidence in a real browser: the officer adds an update with a PDF,
sees it listed under the update, and attaches a picture to it on its own page (a web page
renamed .png is refused beside the field)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import scenes
from tracker.demo import DEMO_USERS

PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}
UPDATE = "The taxi drivers' training register for June is attached."
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


@pytest.fixture
def media(tmp_path, settings):
    """The live server stores files in a folder of the test's own, never in the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def test_officer_adds_evidence_with_a_pdf_attached_and_sees_it_listed(demo, media, visit):
    meeting = scenes.meeting_open_for_evidence()
    officer = visit("officer")
    page = officer.page
    officer.sign_in("officer", PASSWORDS["officer"])
    officer.go(f"/my-recommendations/meetings/{meeting.pk}/")
    r06 = page.get_by_role("region", name=re.compile(r"^R06\b"))
    r06.get_by_label("Evidence of progress").fill(UPDATE)
    r06.get_by_label("Attach a document or image (optional)").set_input_files(
        files=[{"name": "training-register.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    r06.get_by_label("What it is or shows").fill("Training register, June 2016")
    officer.click_button("Add update to R06", within=r06)

    r06 = page.get_by_role("region", name=re.compile(r"^R06\b"))
    update = r06.locator(".app-evidence__update").last
    expect(update).to_contain_text(UPDATE)
    expect(update.get_by_role("link", name="Training register, June 2016")).to_be_visible()
    expect(update).to_contain_text("Training register, June 2016 (PDF, 1 KB)")

    officer.click(update.get_by_role("link", name="Attach a file to this update"))
    expect(officer.heading()).to_have_text("Attach a file to an update")
    page.get_by_label("Document or image").set_input_files(
        files=[{"name": "rank.png", "mimeType": "image/png", "buffer": b"<html><script>alert(1)</script></html>"}]
    )
    page.get_by_label("What it is or shows").fill("The new taxi rank sign")
    officer.click_button("Attach the file")
    expect(page.locator(".govuk-error-message")).to_contain_text(
        "The file must be a PDF, a Word document or an image (PNG, JPEG or GIF)"
    )
