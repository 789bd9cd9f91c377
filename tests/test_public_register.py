"""The public register (/public/): anyone, signed out, reads what the council has published about
its committees' recommendations, and nothing else."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.crawl import crawl
from tests.factories import (
    CommitteeFactory,
    EvidenceUpdateFactory,
    InquiryFactory,
    OwnerFactory,
    RecommendationFactory,
    SubPartFactory,
    ThemeFactory,
    default_category,
)
from tests.pages import signed_in, text
from tracker import services
from tracker.models import Assessment, Committee, Conclusion, Meeting, PublishedPack, Recommendation

pytestmark = pytest.mark.django_db

DRAFT_EVIDENCE = "MARKER-DRAFT-EVIDENCE: taxi drivers are still being booked onto the course."
CORRECTION = "MARKER-CORRECTION: the first courses ran in May, not March."
LATE_UPDATE = "MARKER-LATE-UPDATE: the last course was held on 10 June."
DRAFT_DATE = datetime.date(2017, 3, 17)  # a proposal's anticipated date, printed "17 March 2017"
MARKERS = [DRAFT_EVIDENCE, CORRECTION, LATE_UPDATE, "17 March 2017"]


def user(name):
    return get_user_model().objects.get(username=name)


def r(number):
    return Recommendation.objects.get(number=number)


def public_crawl():
    return crawl(Client(), ["/public/", "/public/search/?q=R06", "/public/search/?q=taxi"], "/public/")


def pages_showing(pages, marker):
    return [url for url, response in pages.items() if marker.encode() in response.content]


# --- Reading the register ------------------------------------------------------------------------


def test_a_signed_out_visitor_finds_the_committee_its_inquiry_and_how_many_are_tracked(on_register):
    page = Client().get("/public/")
    assert page.status_code == 200
    words = text(page)
    assert on_register.name in words
    assert "Latest published: the meeting from the imported report (date not recorded)." in words
    assert "Birmingham City Council scrutiny recommendations" in words
    assert "Sign out" not in words and "Staff sign in" in words

    words = text(Client().get(f"/public/committees/{on_register.pk}/"))
    assert "Still tracked Concluded Child Sexual Exploitation" in words and "14 5" in words


def test_the_register_lists_committees_twenty_to_a_page_with_their_inquiries_on_their_own_pages(on_register):
    from tracker.views.public import COMMITTEES_PER_PAGE

    for number in range(COMMITTEES_PER_PAGE):
        Committee.objects.create(name=f"Zz Committee {number:02}", scheme=on_register.scheme, on_public_register=True)
    first, second = Client().get("/public/"), Client().get("/public/?page=2")
    assert on_register.name in text(first) and "Zz Committee 18" in text(first)
    assert "Zz Committee 19" not in text(first) and "Zz Committee 19" in text(second)
    assert "Nothing has been published for this committee yet." in text(second)
    assert "Child Sexual Exploitation" not in text(first)  # the inquiries are on the committee's page


def test_the_inquiry_lists_every_recommendation_by_theme_with_its_published_status(on_register, seed):
    words = text(Client().get(f"/public/inquiries/{seed.pk}/"))
    for number in ("R01", "R06", "R19"):
        assert f"Recommendation {number}" in words
    assert "A Delivery of training and awareness raising on Child Sexual Exploitation" in words
    assert "Concluded at the meeting of 10 February 2016: 2 – Achieved (Late). Work will be ongoing." in words
    assert "Still tracked : 3 – Not Achieved (Progress Made)" in words


def test_a_recommendation_shows_its_evidence_as_printed_and_each_meetings_decision(on_register):
    words = text(Client().get(f"/public/recommendations/{r('R01').pk}/"))
    assert "Recommendation R01" in words
    assert "Further information following the 25 November 2015 meeting" in words
    assert "Concluded at the meeting of 10 February 2016: 2 – Achieved (Late)" in words
    assert "The committee’s decision 2 – Achieved (Late)" in words


def test_the_committee_page_lists_its_meetings_and_every_version_of_a_published_pack(open_meeting):
    office = user("scrutiny")
    services.publish_pack(open_meeting, by=office)
    services.add_late_evidence(r("R06"), open_meeting, text="Late news.", written_on=datetime.date(2016, 6, 10),
                               author=user("officer"), by=office)
    services.publish_pack(open_meeting, by=office)
    page = Client().get(f"/public/committees/{open_meeting.committee_id}/")
    words = text(page)
    assert "15 June 2016" in words and "10 February 2016" in words
    assert words.count("Download the pack (PDF)") == 2
    assert "version 1" in words and "version 2" in words

    first = PublishedPack.objects.get(meeting=open_meeting, version=1)
    download = Client().get(f"/public/packs/{first.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        'attachment; filename="tracking-report-education-and-vulnerable-children-overview-and-scrutiny-comm-'
        '2016-06-15-v1.pdf"'
    )
    assert download.content == bytes(first.pdf) and download.content.startswith(b"%PDF")
    assert download["Cache-Control"] == "public, max-age=86400, immutable"
    assert not download.cookies


# --- Nothing that is not public ---------------------------------------------------------------


def test_a_committee_off_the_register_is_not_found_anywhere(open_meeting, seed):
    services.publish_pack(open_meeting, by=user("scrutiny"))
    pack = PublishedPack.objects.get()
    Committee.objects.update(on_public_register=False)
    client = Client()
    assert open_meeting.committee.name not in text(client.get("/public/"))
    for url in (
        f"/public/committees/{open_meeting.committee_id}/",
        f"/public/inquiries/{seed.pk}/",
        f"/public/recommendations/{r('R06').pk}/",
        f"/public/packs/{pack.pk}/download/",
    ):
        assert client.get(url).status_code == 404, url
    assert "0 recommendations found" in text(client.get("/public/search/?q=R06"))


def test_a_recommendation_never_tracked_at_a_published_meeting_is_not_found(on_register, seed):
    hidden = RecommendationFactory(theme=None, inquiry=seed, committee=on_register, number="R99", lead="Not yet.")
    assert Client().get(f"/public/recommendations/{hidden.pk}/").status_code == 404
    assert "0 recommendations found" in text(Client().get("/public/search/?q=R99"))


def test_nothing_only_in_a_draft_shows_on_any_public_page_until_it_is_published(open_meeting):
    """Evidence for a meeting whose pack is not out, a proposal for it, a correction made since the
    last pack and an update received after the pack: no page under /public/ shows any of them,
    until a pack that prints them is published."""
    officer, office = user("officer"), user("scrutiny")
    services.add_evidence(r("R06"), open_meeting, DRAFT_EVIDENCE, datetime.date(2016, 6, 1), by=officer)
    assessment = Assessment.objects.get(meeting=open_meeting, recommendation=r("R06"))
    services.propose_category(assessment, default_category("3"), DRAFT_DATE, by=user("cabinet"),
                              today=datetime.date(2016, 6, 1))
    imported = r("R06").evidence_updates.order_by("position").first()
    services.edit_evidence(imported, CORRECTION, imported.written_on, by=office)

    pages = public_crawl()
    assert len(pages) >= 24 and all(response.status_code == 200 for response in pages.values())
    for marker in MARKERS:
        assert pages_showing(pages, marker) == [], marker

    services.publish_pack(open_meeting, by=office)
    services.add_late_evidence(r("R06"), open_meeting, text=LATE_UPDATE, written_on=datetime.date(2016, 6, 10),
                               author=officer, by=office)
    pages = public_crawl()
    recommendation_page = f"/public/recommendations/{r('R06').pk}/"
    for marker in (DRAFT_EVIDENCE, CORRECTION, "17 March 2017"):
        assert recommendation_page in pages_showing(pages, marker), marker
    assert pages_showing(pages, LATE_UPDATE) == []

    services.publish_pack(open_meeting, by=office)
    assert recommendation_page in pages_showing(public_crawl(), LATE_UPDATE)


def test_a_search_never_finds_words_only_in_a_draft(open_meeting):
    services.add_evidence(r("R06"), open_meeting, DRAFT_EVIDENCE, datetime.date(2016, 6, 1), by=user("officer"))
    assert "0 recommendations found" in text(Client().get("/public/search/?q=MARKER-DRAFT-EVIDENCE"))
    services.publish_pack(open_meeting, by=user("scrutiny"))
    assert "1 recommendation found" in text(Client().get("/public/search/?q=MARKER-DRAFT-EVIDENCE"))


# --- Search ------------------------------------------------------------------------------------


def test_search_finds_a_recommendation_by_its_number_and_by_its_words(on_register):
    by_number = Client().get("/public/search/?q=r6")
    assert f'href="/public/recommendations/{r("R06").pk}/"' in by_number.content.decode()
    by_words = text(Client().get("/public/search/?q=taxi"))
    assert "R06" in by_words and "R09" in by_words


def test_search_results_come_in_pages(on_register, monkeypatch):
    monkeypatch.setattr("tracker.views.public.RESULTS_PER_PAGE", 2)
    first = Client().get("/public/search/?q=taxi")
    assert "3 recommendations found" in text(first)
    assert 'rel="next"' in first.content.decode()
    second = Client().get("/public/search/?q=taxi&page=2")
    shown = [re.findall(r'href="(/public/recommendations/\d+/)"', page.content.decode()) for page in (first, second)]
    assert len(shown[0]) == 2 and len(shown[1]) == 1 and not set(shown[0]) & set(shown[1])


@pytest.mark.parametrize("url", [
    "/public/search/?q=%00", "/public/search/?q=%00&page=%00", "/public/search/?q=taxi&page=abc",
    "/public/search/?q=taxi&page=99999999999999999999", "/public/search/?q=" + "x" * 5000,
    "/public/search/?q=%22unbalanced", "/public/committees/99999999999999999/",
    "/public/inquiries/99999999999999999999999/", "/public/recommendations/0/", "/public/packs/999999/download/",
])
def test_bad_input_is_never_a_server_error(on_register, url):
    assert Client().get(url).status_code in (200, 404)


def test_the_register_only_answers_reading(on_register):
    assert Client().post("/public/search/", {"q": "taxi"}).status_code == 405


# --- Caching -----------------------------------------------------------------------------------


@pytest.mark.parametrize("client", ["signed out", "signed in"])
def test_every_page_may_be_kept_by_a_shared_cache_and_never_sets_a_cookie(open_meeting, client):
    services.publish_pack(open_meeting, by=user("scrutiny"))
    browser = Client() if client == "signed out" else signed_in("member")
    for url, response in crawl(browser, ["/public/", "/public/search/?q=taxi"], "/public/").items():
        assert response.status_code == 200, url
        if "download" in url:
            assert response["Cache-Control"] == "public, max-age=86400, immutable", url
        else:
            assert response["Cache-Control"] == "public, max-age=300", url
            assert response.has_header("ETag") and response.has_header("Last-Modified"), url
        assert response["Vary"] == "Accept-Encoding", url
        assert not response.cookies, url
        assert b"csrfmiddlewaretoken" not in response.content, url


def test_the_pages_never_read_the_session_even_without_the_cookie_guard(open_meeting, settings):
    """The guard strips cookies from any public response; the pages do not need it: nothing in them
    asks who is signed in (reading the session would add "Vary: Cookie")."""
    services.publish_pack(open_meeting, by=user("scrutiny"))
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("PublicResponsesMiddleware")]
    for url, response in crawl(Client(), ["/public/", "/public/search/?q=taxi"], "/public/").items():
        assert response["Vary"] == "Accept-Encoding", url
        assert not response.cookies, url


def test_a_page_unchanged_since_the_visitors_copy_is_answered_not_modified(open_meeting):
    client = Client()
    page = client.get("/public/")
    assert client.get("/public/", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304
    assert client.get("/public/", HTTP_IF_MODIFIED_SINCE=page["Last-Modified"]).status_code == 304

    services.publish_pack(open_meeting, by=user("scrutiny"))
    again = client.get("/public/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 200 and again["ETag"] != page["ETag"]


def test_how_long_a_cache_may_keep_a_page_is_a_setting(on_register, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    assert Client().get("/public/")["Cache-Control"] == "public, max-age=60"


# --- Fast --------------------------------------------------------------------------------------


class Register:
    """A committee on the register with a published meeting, growing by ``add(n)``."""

    def __init__(self):
        self.committee = CommitteeFactory(on_public_register=True)
        self.inquiries = []
        self.owner = OwnerFactory(name="Cabinet Member for Everything")
        self.meetings = []
        self.add_meeting()

    def add_meeting(self):
        meeting = Meeting.objects.create(
            committee=self.committee, scheme=self.committee.scheme, state=Meeting.State.CLOSED,
            date=datetime.date(2016, 2, 10) + datetime.timedelta(days=90 * len(self.meetings)),
        )
        PublishedPack.objects.create(meeting=meeting, version=1, pdf=b"%PDF-1.7", sha256="0" * 64, size=8)
        self.meetings.append(meeting)
        return meeting

    def add(self, n):
        """n more inquiries and meetings, each inquiry with n recommendations and all a page shows."""
        two = default_category("2")
        for _ in range(n):
            meeting = self.add_meeting()
            theme = ThemeFactory(inquiry=InquiryFactory(committee=self.committee))
            self.inquiries.append(theme.inquiry)
            for index in range(n):
                recommendation = RecommendationFactory(theme=theme, owner=self.owner, lead="That: the plan works.")
                SubPartFactory(recommendation=recommendation)
                EvidenceUpdateFactory(recommendation=recommendation, following_meeting=self.meetings[0])
                update = EvidenceUpdateFactory(recommendation=recommendation)
                update.text, update.version = "Corrected.", 2
                update.save()
                for at in (self.meetings[0], meeting):
                    Assessment.objects.create(recommendation=recommendation, meeting=at, agreed_category=two,
                                              proposed_category=two, proposed_at=datetime.datetime(2016, 1, 1,
                                              tzinfo=datetime.UTC))
                if index % 3 == 0:
                    Conclusion.objects.create(recommendation=recommendation, meeting=meeting)
        return self


def queries(url):
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_every_page_runs_the_same_number_of_queries_however_much_is_published(db):
    register = Register().add(2)
    inquiry, recommendation = register.inquiries[0], register.inquiries[0].recommendations.first()
    urls = lambda: [  # noqa: E731
        "/public/", f"/public/committees/{register.committee.pk}/", f"/public/inquiries/{inquiry.pk}/",
        f"/public/recommendations/{recommendation.pk}/", "/public/search/?q=plan", "/public/search/?q=R01",
        f"/public/packs/{PublishedPack.objects.first().pk}/download/",
    ]
    small = {url: queries(url) for url in urls()}
    register.add(5)
    large = {url: queries(url) for url in urls()}
    assert Recommendation.objects.count() == 2 * 2 + 5 * 5
    assert large == small
