"""A committee that tracks without categories runs its meeting in the pages, from scheduled to closed.

Its scheme has no categories: the officers write narrative updates and the committee only
agrees, for each recommendation, "Completed" (concluded) or "Continue tracking".
"""


import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory
from tests.pages import ask_and_follow, field_errors, hidden, text
from tracker import roles, services
from tracker.models import Assessment, Committee, ExecutiveResponse, Meeting, Recommendation
from tracker.paste import parse_recommendations

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client):
    user = UserFactory(username="clerk", first_name="Casey", last_name="Clerk")
    user.groups.add(Group.objects.get(name=roles.SCRUTINY_OFFICE))
    client.force_login(user)
    return user


@pytest.fixture
def committee(office):
    scheme = services.create_scheme(by=office, name="Narrative updates")
    services.update_scheme(scheme, by=office, completed_words="Completed", continue_words="Keep on the tracker")
    committee = services.create_committee(by=office, name="Task Groups Committee", scheme=scheme,
                                          assessed_by=Committee.AssessedBy.SCRUTINY_OFFICE)
    inquiry = services.create_inquiry(by=office, committee=committee, title="Task group reviews")
    services.add_recommendations(inquiry, parse_recommendations(
        "TG1 Rec 1 That bins are emptied weekly.\nResponsibility: Head of Waste\nDate: March 2016\n\n"
        "TG2 Rec 1 That parks open later.\nResponsibility: Head of Parks\nDate: On-going\n"
    ).recommendations, by=office, executive_response=ExecutiveResponse.ACCEPTED)
    return committee


def advance(client, meeting, button_state):
    page = client.get(f"/meetings/{meeting.pk}/")
    return client.post(f"/meetings/{meeting.pk}/advance/", {"to_state": button_state, "version": hidden(page, "version")},
                       follow=True)


def test_a_narrative_committee_runs_its_meeting_in_the_pages_from_scheduled_to_closed(
    client, office, committee, django_capture_on_commit_callbacks
):
    from tests.pages import date_fields

    response = client.post("/meetings/new/", {"committee": committee.pk, **date_fields("date", 15, 6, 2016),
                                              **date_fields("evidence_deadline", 1, 6, 2016)}, follow=True)
    meeting = Meeting.objects.get(committee=committee)
    assert "Meeting scheduled for 15 June 2016" in text(response)
    client.post(f"/meetings/{meeting.pk}/recommendations/",
                {"recommendations": list(Recommendation.objects.values_list("pk", flat=True))})
    assert "Evidence open" in text(advance(client, meeting, "evidence_open"))

    page = text(client.get(f"/meetings/{meeting.pk}/"))
    assert "no proposed category" not in page and "Enter the proposal" not in page  # nothing to propose
    versions = client.get(f"/meetings/{meeting.pk}/pack/")
    assert "not yet assessed" not in text(versions).lower()
    published = ask_and_follow(client, f"/meetings/{meeting.pk}/pack/publish/", django_capture_on_commit_callbacks)
    assert "Version 1 of the pack is published." in text(published)
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PACK_PUBLISHED

    done, going = (Assessment.objects.get(meeting=meeting, recommendation__number=n) for n in ("TG1 Rec 1", "TG2 Rec 1"))
    form = client.get(f"/assessments/{done.pk}/decision/")
    assert "Completed" in text(form) and "Keep on the tracker" in text(form) and "Category agreed" not in text(form)
    refused = client.post(f"/assessments/{done.pk}/decision/", {"version": hidden(form, "version")})
    assert field_errors(refused) == ["Choose what the committee decided"]
    client.post(f"/assessments/{done.pk}/decision/", {"outcome": "completed", "version": hidden(form, "version")})
    form = client.get(f"/assessments/{going.pk}/decision/")
    client.post(f"/assessments/{going.pk}/decision/", {"outcome": "continue", "version": hidden(form, "version")})

    page = text(advance(client, meeting, "decisions_recorded"))
    assert "Decisions recorded" in page
    assert "TG1 Rec 1 Completed First meeting Concluded at this meeting" in page
    assert "TG2 Rec 1 Keep on the tracker First meeting Tracked" in page
    assert "Closed" in text(advance(client, meeting, "closed"))
    assert list(Recommendation.objects.tracked().values_list("number", flat=True)) == ["TG2 Rec 1"]
    assert list(Recommendation.objects.concluded().values_list("number", flat=True)) == ["TG1 Rec 1"]
