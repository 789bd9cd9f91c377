"""The overview of the tracking round: each upcoming meeting's progress, the recommendations to watch,
missing evidence by owner and the categories in force, for the scrutiny office and committee members."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    CommitteeFactory,
    EvidenceUpdateFactory,
    InquiryFactory,
    OwnerFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
    default_category,
)
from tests.pages import field_errors, link, signed_in, text
from tracker import categories, overview, roles, services, standing
from tracker.demo import create_demo_users
from tracker.models import Assessment, AssessmentScheme, Meeting, Milestone, Recommendation

pytestmark = pytest.mark.django_db

# A day after every completion date of the seed (the latest is December 2015) and before its pack's
# undated meeting was worked on: the day the seed report's figures are counted for.
SEED_DAY = datetime.date(2016, 4, 1)


def numbers(recommendations):
    return [r.number for r in recommendations]


@pytest.fixture
def report_meeting(seed):
    """The seed report's own meeting (undated, its pack published): the 14 tracked today."""
    return Meeting.objects.get(committee=seed.committee, date__isnull=True)


# --- The seed, counted by hand ------------------------------------------------------------------


def test_the_seed_meetings_progress_matches_the_report_counted_by_hand(report_meeting):
    (found,) = overview.progress([report_meeting])
    # Appendix 2 of the seed report tracks 14: R04–R10, R12, R14–R19.
    assert found.tracked == 14
    # "Further information following the 10 February 2016 meeting" is printed under R04, R05, R06,
    # R07, R09, R10 and R12 (fixtures/seed_report.yaml: seven updates with following_meeting: feb2016).
    assert (found.evidence.done, found.evidence.total) == (7, 14)
    # Every one of the 14 has a Cabinet Member's Assessment; the committee has decided none yet.
    assert (found.proposals.done, found.proposals.total) == (14, 14)
    assert (found.decisions.done, found.decisions.total) == (0, 14)


def test_the_seed_missing_evidence_by_owner_matches_the_report_counted_by_hand(report_meeting):
    (found,) = overview.progress([report_meeting])
    # Without February updates: R08, R14, R15, R16, R17, R18, R19. Their owners (Responsibility column):
    # Children's Services R08, R16, R17, R19; Chair BSCB R14, R15, R16, R17; Regional CSE Co-ordinator R15;
    # Quartet R18.
    assert [(gap.owner_name, gap.count) for gap in found.missing_evidence] == [
        ("Cabinet Member for Children’s Services", 4),
        ("Chair BSCB", 4),
        ("Quartet", 1),
        ("Regional CSE Co-ordinator", 1),
    ]


def test_the_seed_recommendations_to_watch_match_the_report_counted_by_hand(seed):
    watch = overview.watchlists(SEED_DAY)
    # Of the 14 tracked, 13 are assessed 1 or 2 (achieved); R06 is "3 – Not Achieved (Progress Made)"
    # and its completion date, July 2015, has passed: the only one overdue.
    assert numbers(watch.overdue) == ["R06"]
    # No date was moved in the seed; R06's category needs a new anticipated date: it has slipped.
    assert numbers(watch.slipped) == ["R06"]
    # The seed advises no anticipated date (R06's is "not advised"), and no date waits on an event.
    assert watch.past_anticipated.count == 0
    assert watch.waiting.count == 0


def test_before_the_seed_completion_dates_nothing_is_overdue_yet(seed):
    # On 1 June 2015 R06's completion date (31 July 2015) is still ahead.
    assert overview.watchlists(datetime.date(2015, 6, 1)).overdue.count == 0


def test_the_seed_categories_in_force_match_the_report_counted_by_hand(seed):
    (chart,) = overview.by_category()
    # Appendix 2: R18 and R19 are 1; R06 is 3; the other 11 are 2. Concluded ones (R01–R03, R11, R13) are not counted.
    assert [(bar.label, bar.count) for bar in chart.bars] == [
        ("1 – Achieved (Fully)", 2),
        ("2 – Achieved (Late)", 11),
        ("3 – Not Achieved (Progress Made)", 1),
        ("4 – Not Achieved (Obstacle)", 0),
        ("5 – Not Achieved (Insufficient Progress)", 0),
        ("6 – In Progress", 0),
        ("", 0),
    ]
    assert chart.total == 14


def test_a_category_that_slips_is_one_the_scheme_flags_so():
    scheme = AssessmentScheme.default()
    slipped = {c.code for c in scheme.categories.all() if categories.means_slipped(c)}
    assert slipped == {"3", "5"}
    assert set(scheme.categories.filter(categories.slipped_categories()).values_list("code", flat=True)) == slipped


# --- A live round -------------------------------------------------------------------------------


class Round:
    """A committee with four recommendations (two owners), a meeting scheduled and opened by the office."""

    def __init__(self, today):
        self.committee = CommitteeFactory(name="Housing Overview and Scrutiny Committee")
        self.inquiry = InquiryFactory(committee=self.committee, title="Empty Homes")
        theme = ThemeFactory(inquiry=self.inquiry)
        self.housing = OwnerFactory(name="Cabinet Member for Housing")
        self.licensing = OwnerFactory(name="Chair of Licensing Committee")
        self.users = {}
        for username, role in [("officer", roles.OFFICER), ("cabinet", roles.ASSESSOR),
                               ("member", roles.COMMITTEE_MEMBER), ("scrutiny", roles.SCRUTINY_OFFICE)]:
            user = UserFactory(username=username)
            user.groups.add(Group.objects.get(name=role))
            self.users[username] = user
        for owner in (self.housing, self.licensing):
            owner.delegates.add(self.users["officer"], self.users["cabinet"])
        self.recommendations = [
            RecommendationFactory(theme=theme, number=f"R0{n}", completion=today + datetime.timedelta(days=90),
                                  owner=self.housing if n <= 2 else self.licensing)
            for n in range(1, 5)
        ]
        office = self.users["scrutiny"]
        self.meeting = services.schedule_meeting(
            self.committee, today + datetime.timedelta(days=30), today + datetime.timedelta(days=20), by=office
        )
        services.choose_recommendations(self.meeting, by=office)
        services.advance_meeting(self.meeting, Meeting.State.EVIDENCE_OPEN, office)

    def assessment(self, number):
        return Assessment.objects.get(meeting=self.meeting, recommendation__number=number)

    def add_evidence(self, number, today):
        recommendation = Recommendation.objects.get(number=number, inquiry=self.inquiry)
        services.add_evidence(recommendation, self.meeting, "Twelve homes brought back into use.", today,
                              by=self.users["officer"])


@pytest.fixture
def live():
    return Round(timezone.localdate())


def test_a_live_meeting_shows_evidence_and_proposals_as_they_come_in(live):
    today = timezone.localdate()
    live.add_evidence("R01", today)
    live.add_evidence("R03", today)
    services.propose_category(live.assessment("R01"), default_category("6"), None, by=live.users["cabinet"])

    (found,) = overview.overview(today).meetings
    assert found.meeting == live.meeting
    assert (found.evidence.done, found.evidence.total) == (2, 4)
    assert (found.proposals.done, found.proposals.total) == (1, 4)
    assert (found.decisions.done, found.decisions.total) == (0, 4)
    assert [(gap.owner_name, gap.count) for gap in found.missing_evidence] == [
        ("Cabinet Member for Housing", 1), ("Chair of Licensing Committee", 1),
    ]
    page = text(signed_in_as(live.users["scrutiny"]).get("/overview/"))
    assert "Evidence: 2 of 4 recommendations have new evidence" in page
    assert "Proposals: 1 of 4 recommendations have a proposed category" in page
    assert "Decisions: 0 of 4 recommendations have the committee’s decision" in page


def test_a_meeting_with_nothing_chosen_yet_says_so(live):
    services.schedule_meeting(live.committee, timezone.localdate() + datetime.timedelta(days=120), None,
                              by=live.users["scrutiny"])
    page = text(signed_in_as(live.users["member"]).get("/overview/"))
    assert "No recommendations chosen yet." in page


def test_an_imported_or_closed_meeting_is_not_coming_up(live):
    Meeting.objects.create(committee=live.committee, scheme=live.committee.scheme, date=datetime.date(2015, 1, 1),
                           state=Meeting.State.PACK_PUBLISHED, imported=True)
    Meeting.objects.create(committee=live.committee, scheme=live.committee.scheme, date=datetime.date(2015, 6, 1),
                           state=Meeting.State.CLOSED)
    assert [p.meeting for p in overview.overview(timezone.localdate()).meetings] == [live.meeting]


def test_recommendations_overdue_slipped_past_their_anticipated_date_and_waiting(live):
    today = timezone.localdate()
    office, cabinet = live.users["scrutiny"], live.users["cabinet"]
    r01, r02, r03, r04 = live.recommendations
    # R01: its completion date moved three months later: slipped, and overdue once that has passed.
    services.move_completion_date(r01.milestones.get(), today + datetime.timedelta(days=180),
                                  reason="The contractor went into administration.", by=office)
    # R02: proposed "3 – Not Achieved (Progress Made)" with an anticipated date 60 days after the meeting.
    anticipated = live.meeting.date + datetime.timedelta(days=60)
    services.propose_category(live.assessment("R02"), default_category("3"), anticipated, by=cabinet)
    # R03: proposed "1 – Achieved (Fully)": never overdue, whatever the day.
    services.propose_category(live.assessment("R03"), default_category("1"), None, by=cabinet)
    # R04: its completion waits on an event instead of a day.
    Milestone.objects.filter(recommendation=r04).update(due_date=None, event="When the Renters Act is passed")
    standing.refresh([r04.pk])

    now = overview.watchlists(today)
    assert numbers(now.overdue) == []
    assert numbers(now.slipped) == ["R01", "R02"]
    assert numbers(now.past_anticipated) == []
    assert numbers(now.waiting) == ["R04"]
    assert now.waiting[0].awaited_event == "When the Renters Act is passed"

    later = overview.watchlists(today + datetime.timedelta(days=200))
    # R01 (moved to day 180) and R02 (day 90, not achieved) are overdue; R03 is achieved; R04 waits.
    assert numbers(later.overdue) == ["R01", "R02"]
    assert numbers(later.past_anticipated) == ["R02"]
    assert later.slipped[0].original_date == today + datetime.timedelta(days=90)
    assert later.slipped[0].date_in_force == today + datetime.timedelta(days=180)


def test_a_concluded_or_withdrawn_recommendation_is_not_watched(live):
    r01 = live.recommendations[0]
    Recommendation.objects.filter(pk=r01.pk).update(withdrawn_on=timezone.localdate(), withdrawn_reason="A mistake.")
    later = overview.watchlists(timezone.localdate() + datetime.timedelta(days=200))
    assert "R01" not in numbers(later.overdue)
    assert numbers(later.overdue) == ["R02", "R03", "R04"]


# --- Filters -------------------------------------------------------------------------------------


@pytest.fixture
def two_committees(live):
    """The live round's committee, and the seed's with its own meeting coming up."""
    from tracker.importer import SEED_REPORT, import_report, read_report

    seed = import_report(read_report(SEED_REPORT))
    # The seed's own meeting is imported history: the committee schedules its next one.
    office = live.users["scrutiny"]
    today = timezone.localdate()
    meeting = services.schedule_meeting(
        seed.committee, today + datetime.timedelta(days=40), today + datetime.timedelta(days=25), by=office
    )
    services.choose_recommendations(meeting, by=office)
    return live, seed


def test_the_filters_apply_to_every_figure_and_list(two_committees):
    live, seed = two_committees
    later = timezone.localdate() + datetime.timedelta(days=200)
    everything = overview.overview(later)
    assert len(everything.meetings) == 2
    assert [chart.committee.name for chart in everything.charts] == [
        "Education and Vulnerable Children Overview and Scrutiny Committee", "Housing Overview and Scrutiny Committee",
    ]
    assert numbers(everything.watch.overdue) == ["R06", "R01", "R02", "R03", "R04"]

    housing = overview.overview(later, committee=live.committee)
    assert [p.meeting for p in housing.meetings] == [live.meeting]
    assert [chart.committee for chart in housing.charts] == [live.committee]
    assert numbers(housing.watch.overdue) == ["R01", "R02", "R03", "R04"]

    cse = overview.overview(later, inquiry=seed)
    assert [p.meeting.committee for p in cse.meetings] == [seed.committee]
    assert [chart.committee for chart in cse.charts] == [seed.committee]
    assert numbers(cse.watch.overdue) == ["R06"]


def test_the_page_filters_by_a_get_form(two_committees):
    live, seed = two_committees
    client = signed_in_as(live.users["member"])
    page = text(client.get("/overview/", {"committee": live.committee.pk, "inquiry": ""}))
    assert "Figures on" in page and "for the Housing Overview and Scrutiny Committee" in page
    assert "Education and Vulnerable Children" not in page.split("Show every committee and inquiry")[1]
    page = text(client.get("/overview/", {"inquiry": seed.pk}))
    assert "for the Child Sexual Exploitation inquiry" in page
    assert "Housing Overview and Scrutiny Committee" not in page.split("Show every committee and inquiry")[1]


def test_with_more_committees_than_a_page_holds_the_overview_asks_for_one_first(two_committees, monkeypatch):
    """A shared service's installation has hundreds of committees: the overview shows one
    committee's (or inquiry's) figures at a time rather than working out every one."""
    live, seed = two_committees
    monkeypatch.setattr(overview, "ALL_AT_ONCE_UP_TO", 1)
    client = signed_in_as(live.users["member"])
    page = text(client.get("/overview/"))
    assert "There are too many committees to show all their figures on one page." in page
    assert "Meetings coming up" not in page and "Figures on" not in page
    one = text(client.get("/overview/", {"committee": live.committee.pk}))
    assert "Figures on" in one and "for the Housing Overview and Scrutiny Committee" in one
    assert "Meetings coming up" in one and "too many committees" not in one


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "1" * 40])
def test_a_filter_not_in_the_list_is_said_beside_it(live, value):
    response = signed_in_as(live.users["member"]).get("/overview/", {"committee": value})
    assert response.status_code == 400
    assert field_errors(response) == ["Choose one of the committees listed"]
    assert "Evidence: 0 of 4" in text(response)


# --- Who sees it ------------------------------------------------------------------------------


def signed_in_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_visitor_not_signed_in_is_sent_to_sign_in(db):
    response = Client().get("/overview/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("username", ["officer", "cabinet"])
def test_officers_and_assessors_are_told_the_overview_is_not_theirs(seed, username):
    create_demo_users()
    response = signed_in(username).get("/overview/")
    assert response.status_code == 403
    assert "The overview of the tracking round is for the Scrutiny Office and committee members." in text(response)


def test_the_scrutiny_office_gets_links_to_act_and_members_read_only(live):
    office = signed_in_as(live.users["scrutiny"]).get("/overview/")
    member = signed_in_as(live.users["member"]).get("/overview/")
    assert office.status_code == member.status_code == 200
    meeting_page = f'href="/meetings/{live.meeting.pk}/"'
    assert meeting_page in office.content.decode()
    assert meeting_page not in member.content.decode()
    assert "This page is to read." in text(member)
    assert "This page is to read." not in text(office)


def test_the_home_page_and_the_menu_link_to_it_for_the_office_and_members_only(seed):
    create_demo_users()
    for username, linked in [("scrutiny", True), ("member", True), ("officer", False), ("cabinet", False)]:
        page = signed_in(username).get("/").content.decode()
        assert (page.count('href="/overview/"') == 2) is linked, username
        assert ('href="/overview/"' in page) is linked, username


# --- Fast whatever the numbers -----------------------------------------------------------------


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/overview/")
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("username", ["scrutiny", "member"])
def test_the_page_runs_as_many_queries_for_the_seed_plus_30_as_for_the_seed(seed, username):
    create_demo_users()
    client = signed_in(username)
    meeting = services.schedule_meeting(seed.committee, timezone.localdate() + datetime.timedelta(days=30), None,
                                        by=signed_in_user("scrutiny"))
    services.choose_recommendations(meeting, by=signed_in_user("scrutiny"))
    at_seed = page_queries(client)
    theme = seed.themes.first()
    owner = OwnerFactory(name="Cabinet Member for Extra Work")
    for n in range(30):
        recommendation = RecommendationFactory(theme=theme, number=f"X{n:02d}", owner=owner,
                                               completion=datetime.date(2015, 1, 31))
        EvidenceUpdateFactory(recommendation=recommendation, for_meeting=meeting, written_on=timezone.localdate())
        Assessment.objects.create(recommendation=recommendation, meeting=meeting,
                                  proposed_category=default_category("3"), anticipated_date=datetime.date(2015, 6, 30))
    grown = signed_in(username)
    at_seed_plus_30 = page_queries(grown)
    assert at_seed_plus_30 == at_seed
    page = text(grown.get("/overview/"))
    assert "Evidence: 30 of 44 recommendations have new evidence" in page
    assert "Overdue (31)" in page


def signed_in_user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_a_long_list_shows_its_first_recommendations_and_links_to_every_overdue_one(seed, monkeypatch):
    """Hundreds overdue make a page nobody reads: each list shows the first few in printed order,
    says how many there are, and the overdue list links to the recommendations list that has them all."""
    create_demo_users()
    monkeypatch.setattr(overview, "WATCH_SHOWN", 2)
    watch = overview.watchlists(SEED_DAY)
    assert watch.overdue.count == 1  # the seed's R06 alone
    # Three more not achieved after all: their committee's category becomes "3 – Not Achieved".
    Assessment.objects.filter(recommendation__number__in=["R04", "R05", "R07"]).update(
        agreed_category=default_category("3")
    )
    standing.refresh(Recommendation.objects.all())
    watch = overview.watchlists(SEED_DAY)
    assert watch.overdue.count == 4 and numbers(watch.overdue) == ["R04", "R05"] and watch.overdue.more == 2

    today = overview.watchlists(timezone.localdate()).overdue  # the page is for today
    assert today.count > 2
    response = signed_in("member").get("/overview/")
    page = text(response)
    assert f"Overdue ({today.count})" in page
    assert f"These are the first 2 of {today.count}, in the order the reports print them." in page
    listed = text(signed_in("member").get(link(response, f"See all {today.count} overdue recommendations in the list")))
    assert all(recommendation.number in listed for recommendation in today.rows)
    assert f"Still tracked ({today.count})" in listed
