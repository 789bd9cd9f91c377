"""What arrives at the edge of the app: forms in odd encodings, and what caches may keep."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CommitteeFactory, UserFactory
from tests.pages import text
from tests.test_pack_support import make_user, scrutiny_officer, small_meeting
from tracker import roles
from tracker.models import Meeting, PackBuild
from tracker.services import publish_pack

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
UNREADABLE = "This form was sent in a way the service cannot read. Go back and try again."


def browser(username: str | None = None) -> Client:
    """A browser that sends the CSRF token as a real one does, signed in if a username is given.

    The token goes in the X-CSRFToken header: the odd bodies below could not carry it.
    """
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    if username:
        response = client.post("/accounts/login/", {
            "username": username, "password": "pass-word-123", "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        })
        assert response.status_code == 302
    return client


def send(client: Client, url: str, body: bytes, content_type: str):
    return client.generic("POST", url, body, content_type=content_type,
                          headers={"X-CSRFToken": client.cookies["csrftoken"].value})


SIGN_IN = "username=s\u00e9m&password=pass-word-123"
ODD_BODIES = {
    "latin-1, said": (SIGN_IN.encode("latin-1"), f"{FORM}; charset=latin-1"),
    "latin-1 %-encoded, said": (b"username=s%E9m&password=pass-word-123", f"{FORM}; charset=ISO-8859-1"),
    "UTF-16, said": (SIGN_IN.encode("utf-16"), f"{FORM}; charset=utf-16"),
    "UTF-8, said to be UTF-16": (SIGN_IN.encode(), f"{FORM}; charset=utf-16"),
    "UTF-16 with a byte-order mark, not said": (SIGN_IN.encode("utf-16"), FORM),
    "UTF-16 without a byte-order mark, not said": (SIGN_IN.encode("utf-16-le"), FORM),
    "latin-1, not said": (SIGN_IN.encode("latin-1"), FORM),
    "latin-1 %-encoded, not said": (b"username=s%E9m&password=pass-word-123", FORM),
    "an unknown charset": (SIGN_IN.encode(), f"{FORM}; charset=no-such-encoding"),
    "multipart, said to be UTF-16": (
        b'--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nsam\r\n--b--\r\n',
        "multipart/form-data; boundary=b; charset=utf-16",
    ),
}


@pytest.mark.parametrize("body, content_type", ODD_BODIES.values(), ids=ODD_BODIES.keys())
def test_a_sign_in_form_in_another_encoding_gets_a_plain_400_page_not_a_server_error(body, content_type):
    UserFactory(username="s\u00e9m")
    client = browser()
    response = send(client, "/accounts/login/", body, content_type)
    assert response.status_code == 400
    assert UNREADABLE in text(response)
    assert "<title>The form could not be read" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("body, content_type", ODD_BODIES.values(), ids=ODD_BODIES.keys())
def test_a_signed_in_form_in_another_encoding_gets_the_same_page_and_changes_nothing(body, content_type):
    CommitteeFactory(name="Children")
    office = scrutiny_officer(username="office")
    client = browser(office.username)
    meetings = Meeting.objects.count()
    response = send(client, "/meetings/new/", body, content_type)
    assert response.status_code == 400
    assert UNREADABLE in text(response)
    assert Meeting.objects.count() == meetings
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("content_type", [FORM, f"{FORM}; charset=utf-8", f"{FORM}; charset=UTF-8",
                                          f"{FORM}; charset=utf8", f'{FORM}; charset="utf-8"'])
def test_utf8_forms_sign_in_with_or_without_a_charset(content_type):
    UserFactory(username="s\u00e9m")
    client = browser()
    response = send(client, "/accounts/login/", SIGN_IN.encode(), content_type)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_multipart_form_signs_in():
    UserFactory(username="s\u00e9m")
    client = browser()
    response = client.post("/accounts/login/", {
        "username": "s\u00e9m", "password": "pass-word-123", "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
    })  # the test client sends multipart/form-data
    assert response.status_code == 302


def test_a_nul_typed_into_a_utf8_form_is_left_to_the_form():
    UserFactory(username="sam")
    response = send(browser(), "/accounts/login/", b"username=sa%00m&password=x", FORM)
    assert response.status_code == 200
    assert "Null characters are not allowed." in text(response)


# --- What caches may keep ----------------------------------------------------------------


@pytest.fixture
def meeting():
    return small_meeting()


@pytest.mark.parametrize("url", ["/", "/meetings/", "/recommendations/", "/search/?q=training",
                                 "/accounts/password/"])
def test_pages_for_a_signed_in_person_are_kept_by_no_cache(client, meeting, url):
    client.force_login(make_user(roles.COMMITTEE_MEMBER))
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_meeting_page_and_its_pack_versions_are_kept_by_no_cache(client, meeting):
    client.force_login(scrutiny_officer())
    for url in (f"/meetings/{meeting.pk}/", reverse("pack_versions", args=[meeting.pk])):
        assert client.get(url)["Cache-Control"] == "private, no-store", url


def test_draft_packs_are_no_store_and_a_published_version_is_kept_for_a_year(
    client, meeting, django_capture_on_commit_callbacks
):
    client.force_login(scrutiny_officer())
    assert client.get(reverse("pack_preview", args=[meeting.pk]))["Cache-Control"] == "no-store"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pack_pdf", args=[meeting.pk]))
    draft = reverse("pack_build_download", args=[meeting.pk, PackBuild.objects.get().pk])
    assert client.get(draft)["Cache-Control"] == "no-store"
    published = publish_pack(meeting, by=scrutiny_officer()).pack
    response = client.get(reverse("pack_download", args=[published.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"


def test_the_sign_in_page_keeps_its_own_never_cache_headers(client):
    response = client.get("/accounts/login/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
