"""Who may open or post to which page: every view × every role, and anonymous visitors.

Anonymous visitors are sent to the sign-in page; a signed-in user who may not do
something gets 403 with the reason, and nothing is written. "Own" means a
recommendation of an owner the demo officer and cabinet member act for (R06, Cabinet
Member for Children's Services); "other" is R05 (Chair BSCB only).
"""

import datetime

import pytest
from django.test import Client

from tests.pages import date_fields, evidence_fields, signed_in
from tracker import services
from tracker.demo import create_demo_users
from tracker.models import (
    Assessment,
    AssessmentScheme,
    Committee,
    Conclusion,
    EvidenceUpdate,
    Meeting,
    PackBuild,
    PublishedPack,
    Recommendation,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "officer", "cabinet", "member", "scrutiny"]
OK, MOVED, NO, LOGIN = 200, 302, 403, "login"


class World:
    """The seed, the demo users and a new meeting open for evidence, with one officer update on R06."""

    def __init__(self):
        create_demo_users()
        from django.contrib.auth import get_user_model

        users = {u.username: u for u in get_user_model().objects.all()}
        self.office = users["scrutiny"]
        self.committee = Committee.objects.get()
        self.meeting = services.schedule_meeting(
            self.committee, datetime.date(2016, 6, 15), datetime.date(2016, 6, 1), by=self.office
        )
        services.choose_recommendations(self.meeting, by=self.office)
        services.advance_meeting(self.meeting, Meeting.State.EVIDENCE_OPEN, self.office)
        self.meeting.refresh_from_db()
        self.own = Recommendation.objects.get(number="R06")
        self.other = Recommendation.objects.get(number="R05")
        self.own_here = Assessment.objects.get(meeting=self.meeting, recommendation=self.own)
        self.other_here = Assessment.objects.get(meeting=self.meeting, recommendation=self.other)
        self.update = services.add_evidence(
            self.own, self.meeting, "Training booked for May.", datetime.date(2016, 5, 2), by=users["officer"]
        )
        # The meeting the seed report was written for: its pack is out. Imported history takes
        # no part in the cycle, so it is made live here for its decisions to be recorded.
        Meeting.objects.filter(date__isnull=True).update(imported=False)
        self.published = Meeting.objects.get(date__isnull=True)
        self.own_published = Assessment.objects.get(meeting=self.published, recommendation=self.own)
        self.pack = PublishedPack.objects.create(
            meeting=self.published, version=1, pdf=b"%PDF-1.7 published", sha256="0" * 64, size=18
        )
        scheme = AssessmentScheme.default()
        self.category = {c.code: c for c in scheme.categories.all()}

    def snapshot(self):
        """What a refused post must leave as it was."""
        return (
            EvidenceUpdate.objects.count(),
            list(EvidenceUpdate.objects.order_by("pk").values_list("text", flat=True)),
            list(Assessment.objects.order_by("pk").values_list("proposed_category", "agreed_category", "version")),
            Meeting.objects.count(),
            list(Meeting.objects.order_by("pk").values_list("state", "date", "version")),
            Conclusion.objects.count(),
            PublishedPack.objects.count(),
            PackBuild.objects.count(),  # asking for a draft or to publish queues a build
        )


def evidence_post(w, recommendation):
    prefix = f"r{recommendation.pk}"
    return evidence_fields(prefix, "Posted update.", (3, 5, 2016))


# (name, method, url, data, expected per role: anonymous, officer, cabinet, member, scrutiny)
VIEWS = [
    ("home", "get", lambda w: "/", None, (LOGIN, OK, OK, OK, OK)),
    ("officer home", "get", lambda w: "/my-recommendations/", None, (LOGIN, MOVED, NO, NO, NO)),
    ("officer meeting page", "get", lambda w: f"/my-recommendations/meetings/{w.meeting.pk}/", None,
     (LOGIN, OK, NO, NO, NO)),
    ("evidence form, own recommendation", "get",
     lambda w: f"/meetings/{w.meeting.pk}/recommendations/{w.own.pk}/evidence/new/", None, (LOGIN, OK, OK, NO, OK)),
    ("evidence form, other owner's recommendation", "get",
     lambda w: f"/meetings/{w.meeting.pk}/recommendations/{w.other.pk}/evidence/new/", None, (LOGIN, NO, NO, NO, OK)),
    ("add evidence, own recommendation", "post",
     lambda w: f"/meetings/{w.meeting.pk}/recommendations/{w.own.pk}/evidence/new/",
     lambda w: evidence_post(w, w.own), (LOGIN, MOVED, MOVED, NO, MOVED)),
    ("add evidence, other owner's recommendation", "post",
     lambda w: f"/meetings/{w.meeting.pk}/recommendations/{w.other.pk}/evidence/new/",
     lambda w: evidence_post(w, w.other), (LOGIN, NO, NO, NO, MOVED)),
    ("correct the officer's own update", "get", lambda w: f"/evidence/{w.update.pk}/correct/", None,
     (LOGIN, OK, NO, NO, OK)),
    ("post a correction to the officer's update", "post", lambda w: f"/evidence/{w.update.pk}/correct/",
     lambda w: {"text": "Training booked for June.", **date_fields("written_on", 2, 5, 2016),
                "version": w.update.version}, (LOGIN, MOVED, NO, NO, MOVED)),
    ("cabinet home", "get", lambda w: "/portfolio/", None, (LOGIN, NO, MOVED, NO, NO)),
    ("cabinet meeting page", "get", lambda w: f"/portfolio/meetings/{w.meeting.pk}/", None,
     (LOGIN, NO, OK, NO, NO)),
    # The scrutiny office may enter a proposal on the owners' behalf (recorded as such).
    ("proposal form, own recommendation", "get", lambda w: f"/assessments/{w.own_here.pk}/proposal/", None,
     (LOGIN, NO, OK, NO, OK)),
    ("proposal form, other owner's recommendation", "get", lambda w: f"/assessments/{w.other_here.pk}/proposal/",
     None, (LOGIN, NO, NO, NO, OK)),
    ("propose, own recommendation", "post", lambda w: f"/assessments/{w.own_here.pk}/proposal/",
     lambda w: {"category": w.category["2"].pk, "version": w.own_here.version}, (LOGIN, NO, MOVED, NO, MOVED)),
    ("propose, other owner's recommendation", "post", lambda w: f"/assessments/{w.other_here.pk}/proposal/",
     lambda w: {"category": w.category["2"].pk, "version": w.other_here.version}, (LOGIN, NO, NO, NO, MOVED)),
    ("meetings", "get", lambda w: "/meetings/", None, (LOGIN, OK, OK, OK, OK)),
    ("meeting page", "get", lambda w: f"/meetings/{w.meeting.pk}/", None, (LOGIN, OK, OK, OK, OK)),
    ("schedule form", "get", lambda w: "/meetings/new/", None, (LOGIN, NO, NO, NO, OK)),
    ("schedule a meeting", "post", lambda w: "/meetings/new/",
     lambda w: {"committee": w.committee.pk, **date_fields("date", 14, 9, 2016)}, (LOGIN, NO, NO, NO, MOVED)),
    ("change form", "get", lambda w: f"/meetings/{w.meeting.pk}/change/", None, (LOGIN, NO, NO, NO, OK)),
    ("change a meeting", "post", lambda w: f"/meetings/{w.meeting.pk}/change/",
     lambda w: {**date_fields("date", 16, 6, 2016), "version": w.meeting.version}, (LOGIN, NO, NO, NO, MOVED)),
    ("choose form", "get", lambda w: f"/meetings/{w.meeting.pk}/recommendations/", None, (LOGIN, NO, NO, NO, OK)),
    ("choose the recommendations", "post", lambda w: f"/meetings/{w.meeting.pk}/recommendations/",
     lambda w: {"recommendations": [w.own.pk, w.other.pk]}, (LOGIN, NO, NO, NO, MOVED)),
    ("advance a meeting", "post", lambda w: f"/meetings/{w.meeting.pk}/advance/",
     lambda w: {"to_state": "pack_published", "version": w.meeting.version}, (LOGIN, NO, NO, NO, MOVED)),
    ("decision form", "get", lambda w: f"/assessments/{w.own_published.pk}/decision/", None,
     (LOGIN, NO, NO, NO, OK)),
    ("record a decision", "post", lambda w: f"/assessments/{w.own_published.pk}/decision/",
     lambda w: {"category": w.category["2"].pk, "concluded": "on", "version": w.own_published.version},
     (LOGIN, NO, NO, NO, MOVED)),
    ("recommendations", "get", lambda w: "/recommendations/", None, (LOGIN, OK, OK, OK, OK)),
    ("timeline", "get", lambda w: f"/recommendations/{w.own.pk}/", None, (LOGIN, OK, OK, OK, OK)),
    ("search", "get", lambda w: "/search/?q=training", None, (LOGIN, OK, OK, OK, OK)),
    ("pack versions", "get", lambda w: f"/meetings/{w.meeting.pk}/pack/", None, (LOGIN, OK, OK, OK, OK)),
    ("pack preview", "get", lambda w: f"/meetings/{w.meeting.pk}/pack/preview/", None, (LOGIN, NO, NO, NO, OK)),
    ("draft pack PDF", "post", lambda w: f"/meetings/{w.meeting.pk}/pack.pdf", lambda w: {},
     (LOGIN, NO, NO, NO, MOVED)),
    ("draft pack Word", "post", lambda w: f"/meetings/{w.meeting.pk}/pack.docx", lambda w: {},
     (LOGIN, NO, NO, NO, MOVED)),
    ("publish the pack", "post", lambda w: f"/meetings/{w.meeting.pk}/pack/publish/", lambda w: {},
     (LOGIN, NO, NO, NO, MOVED)),
    ("download a published pack", "get", lambda w: f"/packs/{w.pack.pk}/download/", None, (LOGIN, OK, OK, OK, OK)),
]

CASES = [
    pytest.param(name, method, url, data, role, expected[index], id=f"{name} | {role}")
    for name, method, url, data, expected in VIEWS
    for index, role in enumerate(ROLES)
]


@pytest.mark.parametrize("name, method, url, data, role, expected", CASES)
def test_each_role_may_use_only_its_own_pages(seed, name, method, url, data, role, expected):
    world = World()
    client = Client() if role == "anonymous" else signed_in(role)
    target = url(world)
    before = world.snapshot()
    response = getattr(client, method)(target, data(world) if data else None)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected, response.content.decode()[:3000]
        if expected != MOVED and method == "post":
            assert world.snapshot() == before, "a refused post wrote something"
        if expected == MOVED and method == "post":
            assert world.snapshot() != before, "an allowed post wrote nothing"


def test_the_sign_in_page_is_open_to_anonymous_visitors_and_sign_out_ends_the_session(db):
    assert Client().get("/accounts/login/").status_code == 200
    create_demo_users()
    client = signed_in("member")
    assert client.get("/accounts/login/").status_code == 302  # already signed in
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").url.startswith("/accounts/login/")


def test_a_forbidden_page_says_why(seed):
    world = World()
    response = signed_in("officer").get(f"/meetings/{world.meeting.pk}/recommendations/{world.other.pk}/evidence/new/")
    assert response.status_code == 403
    assert "You do not act for an owner of R05, so you cannot write its evidence." in response.content.decode()


def test_the_service_refuses_an_officer_writing_for_another_owners_recommendation_whatever_the_page_does(seed):
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    world = World()
    officer = get_user_model().objects.get(username="officer")
    with pytest.raises(PermissionDenied):
        services.add_evidence(world.other, world.meeting, "Not mine.", datetime.date(2016, 5, 3), by=officer)
    cabinet = get_user_model().objects.get(username="cabinet")
    with pytest.raises(PermissionDenied):
        services.record_decision(world.own_published, world.category["2"], by=cabinet)
    with pytest.raises(PermissionDenied):
        services.propose_category(world.own_here, world.category["2"], None, by=officer)
