"""The pack's pages: the scrutiny office previews, downloads drafts and publishes; everyone
signed in reads and downloads the published versions, byte for byte."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from tests.factories import EvidenceUpdateFactory
from tests.pages import ask_and_follow, text
from tests.test_pack_support import make_user, page_texts, scrutiny_officer, small_meeting
from tracker import roles
from tracker.models import Meeting, PackBuild, PublishedPack
from tracker.services import publish_pack

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return small_meeting(text="Training delivered. <script>alert('x')</script>")


@pytest.fixture
def office(client):
    user = scrutiny_officer()
    client.force_login(user)
    return user


@pytest.fixture
def member(client):
    user = make_user(roles.COMMITTEE_MEMBER)
    client.force_login(user)
    return user


def urls(meeting, published=None):
    found = {name: reverse(name, args=[meeting.pk]) for name in
             ("pack_preview", "pack_pdf", "pack_publish", "pack_versions")}
    if published:
        found["pack_download"] = reverse("pack_download", args=[published.pk])
    return found


def test_signed_out_visitors_are_sent_to_sign_in(client, meeting):
    published = publish_pack(meeting, by=scrutiny_officer()).pack
    for name, url in urls(meeting, published).items():
        response = client.post(url) if name == "pack_publish" else client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_the_scrutiny_office_previews_the_pack_in_the_browser(client, office, meeting):
    response = client.get(reverse("pack_preview", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="en-GB">' in html and "Appendix 2: Progress with Recommendations" in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "<script>" not in html


def test_the_scrutiny_office_downloads_a_draft_pdf_without_publishing(
    client, office, meeting, django_capture_on_commit_callbacks
):
    page = ask_and_follow(client, reverse("pack_pdf", args=[meeting.pk]), django_capture_on_commit_callbacks)
    assert page.status_code == 200 and "The draft pack is ready." in text(page)
    build = PackBuild.objects.get()
    download = reverse("pack_build_download", args=[meeting.pk, build.pk])
    assert f'href="{download}">Download the draft pack (PDF, ' in page.content.decode()

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('-draft.pdf"')
    assert response.content.startswith(b"%PDF")
    assert "Appendix 2: Progress with Recommendations" in "\n".join(page_texts(response.content))
    assert not PublishedPack.objects.exists()


def test_publishing_from_the_versions_page(client, office, meeting, django_capture_on_commit_callbacks):
    page = client.get(reverse("pack_versions", args=[meeting.pk])).content.decode()
    assert "Publish the pack" in page and "has not been published yet" in page

    response = ask_and_follow(client, reverse("pack_publish", args=[meeting.pk]), django_capture_on_commit_callbacks)

    build = PackBuild.objects.get()
    assert response.request["PATH_INFO"] == reverse("pack_build", args=[meeting.pk, build.pk])
    published = PublishedPack.objects.get()
    assert "Version 1 of the pack is published." in text(response)
    assert f'href="{reverse("pack_download", args=[published.pk])}">Download version 1 (PDF, ' in response.content.decode()
    page = client.get(reverse("pack_versions", args=[meeting.pk])).content.decode()
    assert reverse("pack_download", args=[published.pk]) in page
    # The version is told by its fingerprint (the start of its SHA-256), in plain words.
    assert f'<code class="app-hash">{published.sha256[:12]}</code>' in page
    assert "SHA-256" not in page
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PACK_PUBLISHED


def test_publishing_needs_a_post(client, office, meeting):
    assert client.get(reverse("pack_publish", args=[meeting.pk])).status_code == 405
    assert not PublishedPack.objects.exists()


def test_publishing_at_the_wrong_point_of_the_cycle_says_why(client, office):
    meeting = small_meeting(state=Meeting.State.SCHEDULED)
    response = client.post(reverse("pack_publish", args=[meeting.pk]), follow=True)
    assert "you cannot publish its pack now" in response.content.decode()
    assert not PublishedPack.objects.exists()


def test_committee_members_cannot_preview_download_drafts_or_publish(client, member, meeting):
    assert client.get(reverse("pack_preview", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("pack_pdf", args=[meeting.pk])).status_code == 403
    assert client.post(reverse("pack_publish", args=[meeting.pk])).status_code == 403
    assert not PublishedPack.objects.exists()


def test_every_signed_in_user_downloads_published_versions_byte_for_byte(client, member, meeting):
    office = scrutiny_officer()
    first = publish_pack(meeting, by=office).pack
    EvidenceUpdateFactory(recommendation=meeting.assessments.get().recommendation, text="Later evidence.")
    second = publish_pack(meeting, by=office).pack

    page = client.get(reverse("pack_versions", args=[meeting.pk])).content.decode()
    assert "Version 1" in page and "Version 2" in page
    assert "Publish the pack" not in page and "Download the draft" not in page

    for published in (first, second):
        response = client.get(reverse("pack_download", args=[published.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content == bytes(published.pdf)
        assert hashlib.sha256(response.content).hexdigest() == published.sha256
        assert response["ETag"] == f'"{published.sha256}"'
        assert response["Content-Disposition"].endswith(f'-v{published.version}.pdf"')
