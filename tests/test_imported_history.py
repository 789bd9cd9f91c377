"""Imported history stays history: the seed's meetings are read and printed, never run."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from tests.pages import signed_in, text
from tracker import cycle, selectors, services
from tracker.demo import create_demo_users
from tracker.models import Category, Committee, Meeting, Recommendation

pytestmark = pytest.mark.django_db
NO_DATE = "no date recorded"


def user(name):
    return get_user_model().objects.get(username=name)


def undated():
    return Meeting.objects.get(date__isnull=True)


def schedule(day, by):
    meeting = services.schedule_meeting(Committee.objects.get(), day, None, by=by)
    services.choose_recommendations(meeting, by=by)
    return services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, by)


def test_every_meeting_the_seed_brought_in_is_imported(seed):
    assert set(Meeting.objects.values_list("imported", flat=True)) == {True}


def test_the_seeds_undated_meeting_is_not_coming_up(seed):
    create_demo_users()
    assert undated().state == Meeting.State.PACK_PUBLISHED
    assert selectors.upcoming_meetings() == []
    home = text(signed_in("scrutiny").get("/"))
    assert "date not recorded" not in home.casefold()


def test_an_imported_meeting_allows_nothing_and_says_why_in_words(seed):
    create_demo_users()
    meeting = undated()
    assert not cycle.allows(meeting, "record_decision")
    assert cycle.refusal(meeting, "record_decision") == (
        "The meeting from the imported report (date not recorded) is history brought in from an earlier report: "
        "you cannot record the committee’s decisions."
    )
    with pytest.raises(ValidationError, match="history brought in from an earlier report"):
        services.advance_meeting(meeting, Meeting.State.DECISIONS_RECORDED, user("scrutiny"))
    page = text(signed_in("scrutiny").get(f"/meetings/{meeting.pk}/"))
    assert "Mark the committee’s decisions as recorded" not in page
    assert "Record the decision" not in page


def test_the_officers_next_meeting_is_the_real_one_after_a_new_meeting_is_closed(seed):
    create_demo_users()
    office = user("scrutiny")
    first = schedule(datetime.date(2016, 6, 15), office)
    services.advance_meeting(first, Meeting.State.PACK_PUBLISHED, office)
    for assessment in first.assessments.all():
        services.record_decision(assessment, Category.objects.get(scheme=first.scheme, code="4"), by=office)
    services.advance_meeting(first, Meeting.State.DECISIONS_RECORDED, office)
    services.advance_meeting(first, Meeting.State.CLOSED, office)
    officer, cabinet = signed_in("officer"), signed_in("cabinet")
    assert "No meeting coming up" in text(officer.get("/my-recommendations/"))
    assert "No meeting coming up" in text(cabinet.get("/portfolio/"))
    second = schedule(datetime.date(2016, 9, 14), office)
    assert officer.get("/my-recommendations/").url == f"/my-recommendations/meetings/{second.pk}/"
    assert cabinet.get("/portfolio/").url == f"/portfolio/meetings/{second.pk}/"


def test_a_live_meeting_closes_without_decisions_on_recommendations_concluded_elsewhere(seed):
    create_demo_users()
    office = user("scrutiny")
    june = schedule(datetime.date(2016, 6, 15), office)
    july = schedule(datetime.date(2016, 7, 20), office)
    for meeting in (june, july):
        services.advance_meeting(meeting, Meeting.State.PACK_PUBLISHED, office)
    r06 = Recommendation.objects.get(number="R06")
    category = Category.objects.get(scheme=july.scheme, code="2")
    services.record_decision(july.assessments.get(recommendation=r06), category, by=office, concluded=True)
    for assessment in june.assessments.exclude(recommendation=r06):
        services.record_decision(assessment, Category.objects.get(scheme=june.scheme, code="4"), by=office)
    services.advance_meeting(june, Meeting.State.DECISIONS_RECORDED, office)
    services.advance_meeting(june, Meeting.State.CLOSED, office)
    assert Meeting.objects.get(pk=june.pk).state == Meeting.State.CLOSED


def test_a_meeting_still_waits_for_its_own_decisions(seed):
    create_demo_users()
    office = user("scrutiny")
    june = schedule(datetime.date(2016, 6, 15), office)
    services.advance_meeting(june, Meeting.State.PACK_PUBLISHED, office)
    with pytest.raises(ValidationError, match=r"still to be recorded on \d+ of the \d+ tracked recommendations \(R04"):
        services.advance_meeting(june, Meeting.State.DECISIONS_RECORDED, office)


def test_no_page_or_pack_says_no_date_recorded(seed):
    create_demo_users()
    office = user("scrutiny")
    june = schedule(datetime.date(2016, 6, 15), office)
    r06 = Recommendation.objects.get(number="R06")
    services.add_evidence(r06, june, "Taxi drivers trained.", datetime.date(2016, 6, 1), by=user("officer"))
    client = signed_in("scrutiny")
    pages = {
        "/meetings/": "Meeting (date not recorded, from the imported report)",
        f"/meetings/{undated().pk}/": "Meeting from the imported report (date not recorded)",
        f"/meetings/{june.pk}/": "Further information following the last meeting",
        f"/recommendations/{r06.pk}/": "after the last meeting",
        f"/meetings/{june.pk}/pack/preview/": "Further information following the last meeting",
        f"/meetings/{undated().pk}/pack/preview/": "Tracking Report",
    }
    for url, expected in pages.items():
        page = text(client.get(url))
        assert expected in page, url
        assert NO_DATE not in page, url
    officer_page = text(signed_in("officer").get(f"/my-recommendations/meetings/{june.pk}/"))
    assert "Further information following the last meeting" in officer_page and NO_DATE not in officer_page


def test_the_data_migration_recognises_meetings_that_imports_made(seed):
    from importlib import import_module

    from django.apps import apps

    create_demo_users()
    live = schedule(datetime.date(2016, 6, 15), user("scrutiny"))
    Meeting.objects.update(imported=False)
    import_module("tracker.migrations.0012_imported_meetings").mark_imported(apps, None)
    assert list(Meeting.objects.filter(imported=False)) == [live]
    assert Meeting.objects.filter(imported=True).count() == 3
