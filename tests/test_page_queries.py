"""Every list page runs the same number of queries for 20 recommendations as for 200.

The pages read through selectors that fetch everything at once (select_related,
prefetch_related); a template that fetched per recommendation would make the count
grow with the list, and these tests would fail.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CommitteeFactory,
    InquiryFactory,
    OwnerFactory,
    RecommendationFactory,
    SubPartFactory,
    ThemeFactory,
    UserFactory,
    default_category,
)
from tracker import roles, services, standing
from tracker.models import Assessment, Conclusion, DateChange, EvidenceUpdate, Meeting

pytestmark = pytest.mark.django_db


class Committee:
    """A committee with a closed meeting and one open for evidence, growing by ``add(n)``."""

    def __init__(self):
        self.committee = CommitteeFactory()
        self.theme = ThemeFactory(inquiry=InquiryFactory(committee=self.committee))
        self.owner = OwnerFactory(name="Cabinet Member for Everything")
        self.users = {}
        for username, role in [("officer", roles.OFFICER), ("cabinet", roles.ASSESSOR),
                               ("member", roles.COMMITTEE_MEMBER), ("scrutiny", roles.SCRUTINY_OFFICE)]:
            user = UserFactory(username=username, first_name=username.title())
            user.groups.add(Group.objects.get(name=role))
            self.users[username] = user
        self.owner.delegates.add(self.users["officer"], self.users["cabinet"])
        self.previous = Meeting.objects.create(
            committee=self.committee, scheme=self.committee.scheme, date=datetime.date(2016, 2, 10),
            state=Meeting.State.CLOSED,
        )
        self.meeting = Meeting.objects.create(
            committee=self.committee, scheme=self.committee.scheme, date=datetime.date(2016, 6, 15),
            state=Meeting.State.EVIDENCE_OPEN,
        )
        self.count = 0

    def add(self, n):
        """n more tracked recommendations, each with all a page shows, and one concluded for every ten."""
        three, two = default_category("3"), default_category("2")
        for _ in range(n):
            self.count += 1
            recommendation = RecommendationFactory(
                theme=self.theme, completion=datetime.date(2016, 12, 31), owner=self.owner
            )
            SubPartFactory(recommendation=recommendation)
            EvidenceUpdate.objects.create(recommendation=recommendation, text="First evidence.", position=0)
            update = EvidenceUpdate.objects.create(
                recommendation=recommendation, text="Since February.", following_meeting=self.previous,
                written_on=datetime.date(2016, 5, 1), author=self.users["officer"], position=1,
            )
            update.text, update.version = "Since February (corrected).", 2
            update.save()
            before = Assessment.objects.create(
                recommendation=recommendation, meeting=self.previous, agreed_category=three,
                anticipated_date=datetime.date(2016, 9, 30),
            )
            DateChange.objects.create(
                assessment=before, previous_date=datetime.date(2016, 9, 30), new_date=datetime.date(2016, 12, 31),
                reason="Recruitment delayed.", changed_by=self.users["cabinet"],
            )
            services.move_completion_date(
                recommendation.milestones.get(), datetime.date(2017, 3, 31), reason="Slipped.", by=self.users["scrutiny"]
            )
            if self.count % 10 == 0:
                Assessment.objects.filter(pk=before.pk).update(agreed_category=two)
                standing.refresh([recommendation.pk])
                Conclusion.objects.create(recommendation=recommendation, meeting=self.previous, remark="Done.")
            else:
                Assessment.objects.create(
                    recommendation=recommendation, meeting=self.meeting, proposed_category=two,
                    proposed_by=self.users["cabinet"],
                )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


# The meeting page shows each recommendation's detail up to 30 and its table alone beyond, so it
# is counted in each of its two forms at two sizes in tests/test_meeting_page.py.
PAGES = [
    ("officer", lambda c: f"/my-recommendations/meetings/{c.meeting.pk}/"),
    ("cabinet", lambda c: f"/portfolio/meetings/{c.meeting.pk}/"),
    ("member", lambda c: "/meetings/"),
    ("member", lambda c: "/recommendations/"),
    ("officer", lambda c: "/"),
]


@pytest.mark.parametrize("username, page", PAGES, ids=[
    "officer's page", "cabinet member's page", "meetings", "recommendations", "home",
])
def test_a_list_page_runs_as_many_queries_for_200_recommendations_as_for_20(username, page):
    committee = Committee()
    committee.add(20)
    client = Client()
    client.force_login(committee.users[username])
    url = page(committee)
    at_20 = queries(client, url)
    committee.add(180)
    at_200 = queries(client, url)
    assert at_200 == at_20


def test_the_pages_show_what_they_counted(db):
    """The counts above are of full pages: every recommendation and its evidence is on them."""
    committee = Committee()
    committee.add(20)
    client = Client()
    client.force_login(committee.users["member"])
    page = client.get(f"/meetings/{committee.meeting.pk}/").content.decode()
    assert page.count("Since February (corrected).") == 18
    assert page.count("Category changed: was 3 – Not Achieved (Progress Made)") == 18
    assert page.count("Completion date moved from 31 December 2016 to 31 March 2017: Slipped.") == 18
    assert "Concluded at earlier meetings (2)" in page


def test_a_timeline_runs_as_many_queries_for_twenty_updates_as_for_two(db):
    committee = Committee()
    committee.add(1)
    recommendation = committee.meeting.assessments.get().recommendation
    client = Client()
    client.force_login(committee.users["member"])
    at_2 = queries(client, f"/recommendations/{recommendation.pk}/")
    for index in range(18):
        update = EvidenceUpdate.objects.create(
            recommendation=recommendation, text=f"Update {index}.", position=index + 2,
            author=committee.users["officer"], written_on=datetime.date(2016, 5, 2),
        )
        update.text, update.version = f"Update {index}, corrected.", 2
        update.save()
    at_20 = queries(client, f"/recommendations/{recommendation.pk}/")
    assert at_20 == at_2
