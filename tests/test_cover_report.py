"""The cover report in the app: drafted from the last meeting's, the assessor writes the
introduction, the scrutiny office the contact, and the pack prints it."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from tests.pages import field_errors, hidden, signed_in, text
from tracker import services
from tracker.demo import create_demo_users
from tracker.models import Committee, CoverReport, Inquiry, Meeting
from tracker.pack.render import build_pack

pytestmark = pytest.mark.django_db


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def meeting(seed):
    """The seed, the demo users and a new meeting (15 June 2016) with its recommendations chosen."""
    create_demo_users()
    office = user("scrutiny")
    meeting = services.schedule_meeting(
        Committee.objects.get(), datetime.date(2016, 6, 15), datetime.date(2016, 6, 1), by=office
    )
    services.choose_recommendations(meeting, by=office)
    return meeting


def url(meeting):
    return f"/meetings/{meeting.pk}/cover/{Inquiry.objects.get().pk}/"


def test_the_new_meetings_cover_is_drafted_from_the_last_meetings(meeting, seed_data):
    cover = CoverReport.objects.get(meeting=meeting)
    earlier = CoverReport.objects.get(meeting__date__isnull=True)
    assert cover.reporting_owner.name == "Cabinet Member for Children’s Services"
    assert cover.introduction == earlier.introduction == seed_data["cover_report"]["introduction"]
    assert (cover.contact_name, cover.contact_email) == (earlier.contact_name, earlier.contact_email)
    assert cover.contact_name


def test_without_an_earlier_cover_the_assessors_owner_reports_and_the_contact_is_left_blank(seed):
    create_demo_users()
    CoverReport.objects.all().delete()
    office = user("scrutiny")
    meeting = services.schedule_meeting(Committee.objects.get(), datetime.date(2016, 6, 15), None, by=office)
    services.choose_recommendations(meeting, by=office)
    cover = CoverReport.objects.get(meeting=meeting)
    assert cover.reporting_owner.name == "Cabinet Member for Children’s Services"  # the owner "cabinet" acts for
    assert (cover.introduction, cover.contact_name) == ("", "")


def test_the_pack_says_who_reports_never_the_appropriate_cabinet_member(meeting):
    preview = text(signed_in("scrutiny").get(f"/meetings/{meeting.pk}/pack/preview/"))
    assert "Report of Cabinet Member for Children’s Services" in preview
    assert "The appropriate" not in preview


def test_the_assessor_writes_the_introduction_and_sees_the_contact_read_only(meeting):
    cabinet = signed_in("cabinet")
    portfolio = cabinet.get(f"/portfolio/meetings/{meeting.pk}/")
    assert "Write the introduction to the report" in text(portfolio)
    page = cabinet.get(url(meeting))
    assert page.status_code == 200
    assert 'name="contact_name"' not in page.content.decode()
    assert "Contact officer" in text(page)
    saved = cabinet.post(url(meeting), {"introduction": "A year of steady work.\n\nMore to do.",
                                        "version": hidden(page, "version")})
    assert saved.status_code == 302
    cover = CoverReport.objects.get(meeting=meeting)
    assert cover.introduction == "A year of steady work.\n\nMore to do."
    assert cover.history.first().history_user == user("cabinet")


def test_the_office_gives_the_contact_and_the_preview_and_pdf_print_it(meeting):
    office = signed_in("scrutiny")
    assert "Write the cover report" in text(office.get(f"/meetings/{meeting.pk}/"))
    page = office.get(url(meeting))
    saved = office.post(url(meeting), {
        "introduction": "Progress since February.", "contact_name": "Rose Kiely", "contact_title": "Research Officer",
        "contact_telephone": "0121 303 1730", "contact_email": "rose.kiely@example.gov.uk",
        "version": hidden(page, "version"),
    }, follow=True)
    assert "Preview the pack" in text(saved)
    preview = text(office.get(f"/meetings/{meeting.pk}/pack/preview/"))
    assert "4. Introduction Progress since February." in preview
    assert "Contact Officer: Rose Kiely Title: Research Officer" in preview
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(build_pack(meeting).pdf)).pages[:2])
    assert "Progress since February." in pdf_text and "Rose Kiely" in pdf_text


def test_an_officer_is_refused_and_nothing_is_written(meeting):
    before = CoverReport.objects.get(meeting=meeting).version
    officer = signed_in("officer")
    assert officer.get(url(meeting)).status_code == 403
    assert officer.post(url(meeting), {"introduction": "Mine now", "version": before}).status_code == 403
    assert CoverReport.objects.get(meeting=meeting).version == before


def test_the_assessor_cannot_set_the_contact(meeting):
    cover = CoverReport.objects.get(meeting=meeting)
    with pytest.raises(Exception, match="contact officer"):
        services.set_cover_contact(cover, by=user("cabinet"), expected_version=cover.version, contact_name="Me")


def test_anonymous_is_sent_to_sign_in(meeting, client):
    response = client.get(url(meeting))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_edit_from_an_old_read_is_refused_and_keeps_what_was_typed(meeting):
    cabinet, office = signed_in("cabinet"), signed_in("scrutiny")
    version = hidden(cabinet.get(url(meeting)), "version")
    office.post(url(meeting), {"introduction": "The office's words.", "contact_name": "Rose Kiely",
                               "version": version})
    stale = cabinet.post(url(meeting), {"introduction": "The cabinet member's words.", "version": version})
    assert stale.status_code == 409
    assert "The cabinet member's words." in stale.content.decode().replace("&#x27;", "'")
    assert CoverReport.objects.get(meeting=meeting).introduction == "The office's words."


def test_a_bad_email_is_refused_beside_the_field(meeting):
    office = signed_in("scrutiny")
    page = office.get(url(meeting))
    response = office.post(url(meeting), {"introduction": "", "contact_name": "Rose", "contact_email": "not an address",
                                          "version": hidden(page, "version")})
    assert response.status_code == 400
    assert field_errors(response) == ["Enter an e-mail address like name@example.gov.uk"]


def test_the_cover_cannot_be_changed_once_the_pack_is_out(meeting):
    office = user("scrutiny")
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    services.advance_meeting(meeting, Meeting.State.PACK_PUBLISHED, office)
    page = signed_in("cabinet").get(url(meeting))
    assert "you cannot write its cover report now" in text(page)
    assert "<form method=\"post\" novalidate>" not in page.content.decode()
    assert "Write the introduction to the report" not in text(signed_in("cabinet").get(
        f"/portfolio/meetings/{meeting.pk}/"))


def test_the_cover_page_reads_a_fixed_number_of_queries(meeting, django_assert_max_num_queries):
    cabinet = signed_in("cabinet")
    with django_assert_max_num_queries(14):
        assert cabinet.get(url(meeting)).status_code == 200


def _page_queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_cover_page_costs_the_same_queries_with_twenty_more_recommendations_and_edits(meeting):
    from tests.factories import OwnerFactory, RecommendationFactory
    from tracker.models import Theme

    cabinet = signed_in("cabinet")
    before = _page_queries(cabinet, url(meeting))
    theme = Theme.objects.filter(inquiry=Inquiry.objects.get()).first()
    for n in range(20):
        owner = OwnerFactory(name=f"Head of Service {n}")
        owner.delegates.add(user("cabinet"))
        RecommendationFactory(theme=theme, number=f"X{n:02d}", owner=owner)
    services.choose_recommendations(meeting, by=user("scrutiny"))
    cover = CoverReport.objects.get(meeting=meeting)
    for n in range(5):
        cover = services.write_cover_introduction(cover, by=user("cabinet"), expected_version=cover.version,
                                                  introduction=f"Draft {n}.")
    assert _page_queries(cabinet, url(meeting)) == before
