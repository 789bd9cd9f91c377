"""Reading at length: an index on long pages and a return to the recommendation after saving,
pages that print without their navigation, the choose screen's words, search by number, the
recommendations list's filters, plain words for pack versions, and the member's home."""

import datetime
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.test import Client

from tests.factories import (
    CommitteeFactory,
    InquiryFactory,
    MeetingFactory,
    OwnerFactory,
    RecommendationFactory,
    SubPartFactory,
    ThemeFactory,
    UserFactory,
    default_category,
)
from tests.pages import evidence_fields, field_errors, hidden, text
from tests.test_page_queries import Committee, queries
from tracker import search, selectors
from tracker.models import Assessment, PublishedPack, Recommendation
from tracker.templatetags.reading_tags import messages_here

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_():
    committee = Committee()
    committee.add(3)
    return committee


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section(page: str, pk: int) -> str:
    """The HTML of one recommendation's section (``#rec-<pk>``)."""
    match = re.search(rf'<section class="app-tracked" id="rec-{pk}".*?</section>', page, re.S)
    assert match, f"no section rec-{pk}"
    return match.group(0)


def top(page: str) -> str:
    """The page above its first recommendation's section."""
    return page.split('<section class="app-tracked"', 1)[0]


# --- An index at the top of long pages, and back to the recommendation after saving -----------


@pytest.mark.parametrize("username, url", [
    ("member", "/meetings/{pk}/"), ("officer", "/my-recommendations/meetings/{pk}/"),
    ("cabinet", "/portfolio/meetings/{pk}/"),
])
def test_a_long_meeting_page_opens_with_contents_linking_to_each_recommendation(round_, username, url):
    page = client_of(round_.users[username]).get(url.format(pk=round_.meeting.pk)).content.decode()
    contents = re.search(r'<nav class="app-contents" id="contents".*?</nav>', page, re.S).group(0)
    assert page.index('id="contents"') < page.index('<section class="app-tracked"')
    rows = selectors.tracked_at(round_.meeting)
    for row in rows:
        recommendation = row.recommendation
        assert f'href="#rec-{recommendation.pk}"' in contents
        assert f'id="rec-{recommendation.pk}"' in page
        assert recommendation.first_words in contents
        assert '<a class="govuk-link" href="#contents">Back to contents' in section(page, recommendation.pk)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", contents))
    # Where each stands: new evidence since the last meeting and the proposal.
    assert words.count("(new evidence; proposed: 2 – Achieved (Late))") == len(rows)


def test_after_adding_an_update_the_officer_lands_at_the_recommendation_and_reads_the_message_there(round_):
    officer = client_of(round_.users["officer"])
    url = f"/my-recommendations/meetings/{round_.meeting.pk}/"
    page = officer.get(url)
    recommendation = round_.meeting.assessments.first().recommendation
    prefix = f"r{recommendation.pk}"
    response = officer.post(f"/meetings/{round_.meeting.pk}/recommendations/{recommendation.pk}/evidence/new/", {
        **evidence_fields(prefix, "The new pool opened.", submission=hidden(page, f"{prefix}-submission")),
        "next": url,
    })
    assert response.status_code == 302
    assert response["Location"] == f"{url}#rec-{recommendation.pk}"
    landed = officer.get(url).content.decode()
    assert f"Your update for {recommendation.number} has been added." in section(landed, recommendation.pk)
    assert "has been added" not in top(landed)


def test_a_next_page_elsewhere_is_refused_and_the_fragment_kept(round_):
    officer = client_of(round_.users["officer"])
    page = officer.get(f"/my-recommendations/meetings/{round_.meeting.pk}/")
    recommendation = round_.meeting.assessments.first().recommendation
    prefix = f"r{recommendation.pk}"
    response = officer.post(f"/meetings/{round_.meeting.pk}/recommendations/{recommendation.pk}/evidence/new/", {
        **evidence_fields(prefix, "Opened.", submission=hidden(page, f"{prefix}-submission")),
        "next": "https://elsewhere.example/steal",
    })
    assert response["Location"] == f"/my-recommendations/meetings/{round_.meeting.pk}/#rec-{recommendation.pk}"


def test_after_proposing_the_cabinet_member_lands_at_the_recommendation_with_the_message(round_):
    cabinet = client_of(round_.users["cabinet"])
    assessment = round_.meeting.assessments.first()
    form = cabinet.get(f"/assessments/{assessment.pk}/proposal/")
    response = cabinet.post(f"/assessments/{assessment.pk}/proposal/", {
        "category": default_category("6").pk, "version": hidden(form, "version"),
    })
    url = f"/portfolio/meetings/{round_.meeting.pk}/"
    assert response["Location"] == f"{url}#rec-{assessment.recommendation_id}"
    landed = cabinet.get(url).content.decode()
    assert "You proposed “6 – In Progress”" in section(landed, assessment.recommendation_id)
    assert "You proposed" not in top(landed)


def test_after_recording_a_decision_the_office_lands_at_the_recommendation_with_the_message(round_):
    round_.meeting.state = "pack_published"
    round_.meeting.save()
    office = client_of(round_.users["scrutiny"])
    assessment = round_.meeting.assessments.first()
    form = office.get(f"/assessments/{assessment.pk}/decision/")
    response = office.post(f"/assessments/{assessment.pk}/decision/", {
        "category": default_category("6").pk, "version": hidden(form, "version"), "remark": "",
    })
    url = f"/meetings/{round_.meeting.pk}/"
    assert response["Location"] == f"{url}#rec-{assessment.recommendation_id}"
    landed = office.get(url).content.decode()
    assert "Recorded: the committee agreed “6 – In Progress”" in section(landed, assessment.recommendation_id)
    assert "Recorded:" not in top(landed)


def test_a_message_about_a_recommendation_the_page_does_not_show_stays_at_the_top():
    about_5 = Message(constants.SUCCESS, "Saved R05.", extra_tags="section:rec-5")
    plain = Message(constants.SUCCESS, "Saved.")
    assert messages_here([about_5, plain], section=5) == [about_5]
    assert messages_here([about_5, plain], sections={5}) == [plain]
    assert messages_here([about_5, plain], sections={6}) == [about_5, plain]
    assert messages_here([about_5, plain]) == [about_5, plain]


# --- Printing ------------------------------------------------------------------------------


def test_every_page_links_a_print_stylesheet_that_hides_the_navigation(round_):
    page = client_of(round_.users["member"]).get("/").content.decode()
    assert re.search(r'<link rel="stylesheet" href="/static/css/print\.css" media="print">', page)
    css = (Path(settings.BASE_DIR) / "static/css/print.css").read_text()
    hidden_rule = re.search(r"([^{}]*)\{\s*display:\s*none !important;", css).group(1)
    for part in (".govuk-service-navigation", ".govuk-skip-link", ".govuk-footer", ".govuk-button", ".app-contents"):
        assert part in hidden_rule
    assert 'a[href^="http"]::after' in css and "break-inside: avoid" in css


# --- The choose screen ----------------------------------------------------------------------


def test_the_choose_screen_names_each_recommendation_by_number_theme_and_first_words(round_):
    recommendation = RecommendationFactory(theme=round_.theme, lead="That the council:")
    SubPartFactory(recommendation=recommendation, text="reviews the opening hours of every leisure centre in the "
                                                         "borough with the users")
    round_.meeting.state = "scheduled"
    round_.meeting.save()
    page = text(client_of(round_.users["scrutiny"]).get(f"/meetings/{round_.meeting.pk}/recommendations/"))
    assert (f"{recommendation.number} – {round_.theme}: That the council: reviews the opening hours of every "
            "leisure centre in…") in page


def test_the_choose_screen_runs_as_many_queries_for_200_recommendations_as_for_20():
    committee = Committee()
    committee.add(20)
    office = client_of(committee.users["scrutiny"])
    url = f"/meetings/{committee.meeting.pk}/recommendations/"
    at_20 = queries(office, url)
    committee.add(180)
    assert queries(office, url) == at_20


# --- Search by number -----------------------------------------------------------------------


@pytest.fixture
def numbered():
    theme = ThemeFactory()
    r06 = RecommendationFactory(theme=theme, number="R06", lead="That the taxi drivers are trained.")
    r16 = RecommendationFactory(theme=theme, number="R16", lead="That R6 is mentioned here.")
    rec1 = RecommendationFactory(theme=theme, number="Leisure Task Group Rec 1", lead="That the pools open.")
    rec11 = RecommendationFactory(theme=theme, number="Leisure Task Group Rec 11", lead="That the gyms open.")
    return {"R06": r06, "R16": r16, "Rec 1": rec1, "Rec 11": rec11}


@pytest.mark.parametrize("query, first", [
    ("R06", ["R06"]), ("r06", ["R06"]), ("R6", ["R06"]), ("6", ["R06"]),
    ("Rec 1", ["Rec 1"]), ("Leisure Task Group Rec 1", ["Rec 1"]), ("rec 11", ["Rec 11"]),
])
def test_search_finds_a_recommendation_by_its_number_first(numbered, query, first):
    hits = search.search(query)
    found = [hit.recommendation.number for hit in hits]
    assert found[: len(first)] == [numbered[name].number for name in first]
    assert numbered["R16"].number not in found[: len(first)]


def test_a_number_found_by_number_then_by_its_text_is_listed_once(numbered):
    found = [hit.recommendation.number for hit in search.search("R6")]
    assert found == ["R06", "R16"]  # R06 by its number, then R16, whose text says "R6"


def test_the_search_page_shows_the_number_found(numbered, client):
    client.force_login(UserFactory())
    page = text(client.get("/search/", {"q": "r06"}))
    assert "1 recommendation found for “r06”" in page
    assert "R06" in page and "Number: R06" in page


# --- The recommendations list's filters -------------------------------------------------------


def numbers_on(response) -> list[str]:
    return re.findall(r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="/recommendations/\d+/">'
                      r"([^<]+)</a></th>", response.content.decode())


@pytest.fixture
def two_committees():
    today = datetime.date.today()
    leisure = CommitteeFactory(name="Leisure Committee")
    children = CommitteeFactory(name="Children Committee")
    pools = ThemeFactory(inquiry=InquiryFactory(committee=leisure, title="Pools Inquiry"))
    schools = ThemeFactory(inquiry=InquiryFactory(committee=children, title="Schools Inquiry"))
    sport, education = OwnerFactory(name="Head of Sport"), OwnerFactory(name="Head of Education")
    late = RecommendationFactory(theme=pools, number="P01", owner=sport, completion=today - datetime.timedelta(30),
                                 lead="That the council builds a new pool before the old one closes.")
    done_late = RecommendationFactory(theme=pools, number="P02", owner=sport,
                                      completion=today - datetime.timedelta(30))
    ahead = RecommendationFactory(theme=schools, number="S01", owner=education,
                                  completion=today + datetime.timedelta(300))
    gone = RecommendationFactory(theme=schools, number="S02", owner=education, withdrawn_on=today,
                                 withdrawn_reason="Entered twice.")
    past = MeetingFactory(committee=leisure, date=today - datetime.timedelta(60), state="closed")
    Assessment.objects.create(recommendation=late, meeting=past, agreed_category=default_category("3"),
                              anticipated_date=today - datetime.timedelta(10))
    Assessment.objects.create(recommendation=done_late, meeting=past, agreed_category=default_category("2"))
    return {"late": late, "done_late": done_late, "ahead": ahead, "gone": gone,
            "leisure": leisure, "children": children, "sport": sport}


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(username="reader"))
    return client


def test_the_list_shows_first_words_owners_category_and_date_in_force(reader, two_committees):
    page = text(reader.get("/recommendations/"))
    assert ("P01 Pools Inquiry That the council builds a new pool before the old one closes. Head of Sport "
            "3 – Not Achieved (Progress Made)") in page
    assert two_committees["ahead"].completion_date().strftime("%-d %B %Y") in page


@pytest.mark.parametrize("filters, shown", [
    ({}, ["P01", "P02", "S01"]),
    ({"committee": "leisure"}, ["P01", "P02"]),
    ({"owner": "sport"}, ["P01", "P02"]),
    ({"category": "2"}, ["P02"]),
    ({"overdue": "on"}, ["P01"]),
    ({"status": "withdrawn"}, ["S02"]),
    ({"committee": "children", "status": "tracked"}, ["S01"]),
])
def test_the_list_filters_by_committee_owner_category_status_and_overdue(reader, two_committees, filters, shown):
    params = {key: (two_committees[value].pk if value in two_committees else value) for key, value in filters.items()}
    response = reader.get("/recommendations/", params)
    assert response.status_code == 200
    assert sorted(numbers_on(response)) == shown


def test_the_list_filters_by_inquiry(reader, two_committees):
    inquiry = two_committees["ahead"].inquiry
    assert numbers_on(reader.get("/recommendations/", {"inquiry": inquiry.pk})) == ["S01"]


def test_overdue_is_a_passed_date_in_force_and_a_category_not_achieved(two_committees):
    today = datetime.date.today()
    assert [r.number for r in selectors.overdue(Recommendation.objects.all(), today)] == ["P01"]
    # P02's completion date passed too, but its category in force counts as achieved; S01's is ahead.
    assert not selectors.overdue(Recommendation.objects.all(), today - datetime.timedelta(31)).exists()


def test_a_filter_that_names_nothing_says_so_beside_the_field(reader, two_committees):
    response = reader.get("/recommendations/", {"committee": "999999", "category": "nine"})
    assert response.status_code == 200
    assert len(field_errors(response)) == 2


def test_page_links_keep_the_filters(reader):
    owner = OwnerFactory(name="Head of Sport")
    theme = ThemeFactory()
    for n in range(60):
        RecommendationFactory(theme=theme, number=f"P{n:03d}", owner=owner, position=n)
    first = reader.get("/recommendations/", {"owner": owner.pk})
    link = re.search(r'href="(\?[^"]*)#tracked" rel="next"', first.content.decode()).group(1)
    assert link.startswith(f"?owner={owner.pk}&amp;tracked_after=")
    second = reader.get("/recommendations/" + html.unescape(link))
    assert numbers_on(second) == [f"P{n:03d}" for n in range(50, 60)]


def test_the_filtered_list_runs_as_many_queries_for_200_recommendations_as_for_20():
    committee = Committee()
    committee.add(20)
    client = client_of(committee.users["member"])
    url = f"/recommendations/?committee={committee.committee.pk}&owner={committee.owner.pk}&overdue=on&category=2"
    at_20 = queries(client, url)
    committee.add(180)
    assert queries(client, url) == at_20


# --- Plain words ------------------------------------------------------------------------------


def publish(meeting, version=1, size=126_044) -> PublishedPack:
    return PublishedPack.objects.create(meeting=meeting, version=version, pdf=b"%PDF-1.7", size=size,
                                        sha256="0123456789abcdef" * 4, source_sha256="f" * 64,
                                        published_by=UserFactory())


def test_pack_versions_say_pdf_size_and_fingerprint_not_bytes_and_sha(round_):
    publish(round_.previous)
    page = text(client_of(round_.users["member"]).get(f"/meetings/{round_.previous.pk}/pack/"))
    assert "PDF, 123.1 KB" in page
    assert "Fingerprint" in page and "0123456789ab" in page and "0123456789abc" not in page
    assert "identifies the exact file" in page
    for developer_word in ("bytes", "SHA", "126,044"):
        assert developer_word not in page


def test_a_changed_category_is_named_by_its_code_and_label(round_):
    page = text(client_of(round_.users["member"]).get(f"/meetings/{round_.meeting.pk}/"))
    assert "Category changed from 3 – Not Achieved (Progress Made) to 2 – Achieved (Late)" in page
    assert "(was 3)" not in page


def test_the_publish_step_is_explained_in_plain_words(round_):
    page = text(client_of(round_.users["scrutiny"]).get(f"/meetings/{round_.meeting.pk}/"))
    assert "evidence and proposals close at the same time, so there is nothing to mark here" in page
    assert "does this by itself" not in page


# --- The member's home ------------------------------------------------------------------------


def test_a_member_finds_the_latest_pack_of_their_committees_and_what_changed(round_):
    other = CommitteeFactory(name="Another Committee")
    publish(MeetingFactory(committee=other, date=datetime.date(2016, 3, 1), state="closed"))
    publish(round_.previous, version=1)
    latest = publish(round_.previous, version=2)
    member = round_.users["member"]
    round_.committee.members.add(member)
    page = client_of(member).get("/").content.decode()
    assert f'href="/packs/{latest.pk}/download/"' in page
    words = text(client_of(member).get("/"))
    assert f"Download the pack for {round_.previous.in_words} (PDF, 123.1 KB, version 2)" in words
    assert f'href="/meetings/{round_.previous.pk}/#tracked"' in page
    assert "Another Committee" not in words


def test_someone_on_no_committee_finds_every_committee_s_latest_pack(round_):
    other = CommitteeFactory(name="Another Committee")
    publish(MeetingFactory(committee=other, date=datetime.date(2016, 3, 1), state="closed"))
    words = text(client_of(round_.users["member"]).get("/"))
    assert "Another Committee" in words and "Download the pack for the 1 March 2016 meeting" in words
    assert f"{round_.committee.name} No pack has been published yet." in words


def test_the_home_page_runs_as_many_queries_for_ten_committees_as_for_one(round_):
    member = round_.users["member"]
    client = client_of(member)
    publish(round_.previous)
    at_1 = queries(client, "/")
    for n in range(9):
        committee = CommitteeFactory()
        publish(MeetingFactory(committee=committee, date=datetime.date(2016, 3, n + 1), state="closed"))
        publish(MeetingFactory(committee=committee, date=datetime.date(2016, 4, n + 1), state="closed"))
    assert queries(client, "/") == at_1
