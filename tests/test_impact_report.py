"""The annual impact report: recommendations made, accepted, achieved on time or late, not achieved and
withdrawn, per committee and year, by inquiry, with the median time to conclude; on a page for the
scrutiny office and committee members, and as PDF and Word sections for the annual scrutiny report."""

import datetime
import io

import docx
import pypdf
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    CommitteeFactory,
    InquiryFactory,
    MeetingFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
    default_category,
)
from tests.pages import field_errors, signed_in, text
from tracker import impact, roles, services
from tracker.demo import create_demo_users
from tracker.models import Assessment, AssessmentScheme, Category, Conclusion, Inquiry, Meeting

pytestmark = pytest.mark.django_db

MUNICIPAL_2015 = impact.Year(2015)  # 1 May 2015 to 30 April 2016: the seed's closed meetings fall in it


def figures_of(report, committee=None):
    (found,) = [c for c in report.committees if committee is None or c.committee == committee]
    return found


def counts(figures):
    return (figures.made, figures.accepted, figures.on_time, figures.late, figures.not_achieved, figures.withdrawn)


def conclude(recommendation, on: datetime.date, code: str | None, committee=None):
    """The committee concluded ``recommendation`` at a meeting on ``on`` with category ``code`` (None:
    a committee without categories agreed it is completed)."""
    committee = committee or recommendation.committee
    meeting = (Meeting.objects.filter(committee=committee, date=on).first()
               or MeetingFactory(committee=committee, date=on, state="closed"))
    category = Category.objects.get(scheme=committee.scheme, code=code) if code else None
    Assessment.objects.create(recommendation=recommendation, meeting=meeting, agreed_category=category,
                              agreed_at=timezone.now())
    Conclusion.objects.create(recommendation=recommendation, meeting=meeting)


# --- The seed, counted by hand --------------------------------------------------------------------


def test_the_seed_years_conclusions_match_appendix_3_counted_by_hand(seed):
    report = impact.impact(MUNICIPAL_2015)
    found = figures_of(report)
    # Appendix 3: concluded on 10 February 2016 are R01, R02 and R03 ("2 – Achieved (Late)") and R11 and
    # R13 ("1 – Achieved (Fully)"); the 25 November 2015 meeting concluded none. None was withdrawn.
    assert (found.total.on_time, found.total.late, found.total.not_achieved, found.total.withdrawn) == (2, 3, 0, 0)
    assert found.total.concluded == 5
    # The seed prints no date for the inquiry's report: nothing counts as made, and the page says why.
    assert (found.total.made, found.total.accepted) == (0, 0)
    assert found.undated_inquiries == 1
    assert found.total.median_in_words == "Not known"
    assert [row.title for row in found.rows] == ["Child Sexual Exploitation"]
    assert report.covers == "The year 2015 to 2016 covers 1 May 2015 to 30 April 2016."


def test_the_seed_with_its_report_date_counts_the_19_made_and_accepted_and_the_time_to_conclude(seed):
    office = UserFactory(username="office")
    office.groups.add(Group.objects.get(name=roles.SCRUTINY_OFFICE))
    # The report was made "a year ago" (cover report) and its first tracking was due in March 2015 (R19):
    # say 13 January 2015.
    services.update_inquiry(seed, by=office, expected_version=None, title=seed.title,
                            reported_on=datetime.date(2015, 1, 13))
    made_in = figures_of(impact.impact(impact.Year(2014)))
    # All 19 recommendations, all accepted ("In approving this Inquiry the City Council asked me …").
    assert counts(made_in.total) == (19, 19, 0, 0, 0, 0)
    concluded_in = figures_of(impact.impact(MUNICIPAL_2015))
    assert counts(concluded_in.total) == (0, 0, 2, 3, 0, 0)
    # 13 January 2015 to 10 February 2016 for all five: 393 days.
    assert concluded_in.total.median_in_words == "about 13 months (393 days)"
    assert concluded_in.undated_inquiries == 0


def test_in_the_calendar_year_the_february_conclusions_fall_in_2016(seed):
    assert figures_of(impact.impact(impact.Year(2016, starts=1))).total.concluded == 5
    assert figures_of(impact.impact(impact.Year(2015, starts=1))).total.concluded == 0
    assert impact.Year(2016, starts=1).name == "2016"
    assert (impact.Year(2016, starts=1).first_day, impact.Year(2016, starts=1).last_day) == (
        datetime.date(2016, 1, 1), datetime.date(2016, 12, 31))


# --- Small cases ------------------------------------------------------------------------------------


@pytest.fixture
def committee():
    return CommitteeFactory(name="Communities Scrutiny Committee")


def recommendation_of(inquiry, **kwargs):
    return RecommendationFactory(theme=ThemeFactory(inquiry=inquiry), **kwargs)


def test_each_outcome_is_read_from_the_agreed_categorys_flags(committee):
    inquiry = InquiryFactory(committee=committee, title="Leisure Centres", reported_on=datetime.date(2016, 6, 1))
    conclude(recommendation_of(inquiry), datetime.date(2016, 9, 1), "1")   # achieved within the timescale
    conclude(recommendation_of(inquiry), datetime.date(2016, 11, 1), "2")  # achieved late
    conclude(recommendation_of(inquiry), datetime.date(2017, 1, 10), "4")  # not achieved: an obstacle
    recommendation_of(inquiry, withdrawn_on=datetime.date(2016, 10, 1))
    recommendation_of(inquiry, executive_response="rejected")
    conclude(recommendation_of(inquiry), datetime.date(2017, 6, 1), "1")   # next year
    found = figures_of(impact.impact(impact.Year(2016)), committee)
    assert counts(found.total) == (6, 5, 1, 1, 1, 1)
    # 92, 153 and 223 days from the report to the concluding meeting.
    assert found.total.median_in_words == "about 5 months (153 days)"
    assert counts(figures_of(impact.impact(impact.Year(2017)), committee).total) == (0, 0, 1, 0, 0, 0)


def test_achieved_late_follows_the_category_not_the_meeting_date_where_the_scheme_says_which(committee):
    # Completion by 31 July 2016; the committee agreed "1 – Achieved (Fully)" in September: achieved
    # within the timescale and concluded at the next meeting, as the committee agreed.
    inquiry = InquiryFactory(committee=committee, reported_on=datetime.date(2016, 6, 1))
    conclude(recommendation_of(inquiry, completion=datetime.date(2016, 7, 31)), datetime.date(2016, 9, 1), "1")
    assert counts(figures_of(impact.impact(impact.Year(2016)), committee).total)[2:4] == (1, 0)


def test_a_scheme_with_one_achieved_category_is_judged_late_by_the_date_in_force():
    scheme = AssessmentScheme.objects.create(name="Complete or not")
    Category.objects.create(scheme=scheme, code="C", label="Complete", criteria="Done.", position=1,
                            counts_as_achieved=True)
    Category.objects.create(scheme=scheme, code="O", label="Ongoing", criteria="Not done.", position=2)
    committee = CommitteeFactory(scheme=scheme)
    inquiry = InquiryFactory(committee=committee, reported_on=datetime.date(2016, 6, 1))
    conclude(recommendation_of(inquiry, completion=datetime.date(2016, 12, 31)), datetime.date(2016, 11, 1), "C")
    conclude(recommendation_of(inquiry, completion=datetime.date(2016, 7, 31)), datetime.date(2016, 11, 1), "C")
    conclude(recommendation_of(inquiry), datetime.date(2016, 11, 1), "C")  # no date: nothing to be late for
    conclude(recommendation_of(inquiry, completion=datetime.date(2016, 7, 31)), datetime.date(2016, 11, 1), "O")
    assert counts(figures_of(impact.impact(impact.Year(2016)), committee).total)[2:5] == (2, 1, 1)


def test_a_committee_without_categories_counts_a_conclusion_as_completed_on_time_or_late_by_date():
    committee = CommitteeFactory(scheme=AssessmentScheme.objects.create(name="Narrative"))
    inquiry = InquiryFactory(committee=committee, reported_on=datetime.date(2016, 6, 1))
    conclude(recommendation_of(inquiry, completion=datetime.date(2016, 12, 31)), datetime.date(2016, 11, 1), None)
    conclude(recommendation_of(inquiry, completion=datetime.date(2016, 7, 31)), datetime.date(2016, 11, 1), None)
    assert counts(figures_of(impact.impact(impact.Year(2016)), committee).total)[2:5] == (1, 1, 0)


def test_each_committee_has_its_rows_by_inquiry_and_a_total(committee):
    other = CommitteeFactory(name="Health Scrutiny Committee")
    pools = InquiryFactory(committee=committee, title="Pools", reported_on=datetime.date(2016, 6, 1))
    parks = InquiryFactory(committee=committee, title="Parks", reported_on=datetime.date(2016, 7, 1))
    recommendation_of(pools)
    recommendation_of(pools)
    recommendation_of(parks)
    recommendation_of(InquiryFactory(committee=other, reported_on=datetime.date(2016, 8, 1)))
    report = impact.impact(impact.Year(2016))
    assert [c.committee.name for c in report.committees] == ["Communities Scrutiny Committee",
                                                             "Health Scrutiny Committee"]
    mine = figures_of(report, committee)
    assert [(row.title, row.figures.made) for row in mine.rows] == [("Pools", 2), ("Parks", 1)]
    assert mine.total.made == 3
    only = impact.impact(impact.Year(2016), committee=committee)
    assert [c.committee for c in only.committees] == [committee]


# --- The page -------------------------------------------------------------------------------------


@pytest.fixture
def users(seed):
    create_demo_users()


def test_the_scrutiny_office_reads_the_figures_with_a_chart_and_its_table(users):
    page = signed_in("scrutiny").get("/impact/", {"year": "2015", "starts": "5"})
    assert page.status_code == 200
    words = text(page)
    assert "The year 2015 to 2016 covers 1 May 2015 to 30 April 2016." in words
    assert "Child Sexual Exploitation Report date not recorded 0 0 2 3 0 0 Not known" in words
    assert "Total 0 0 2 3 0 0 Not known" in words
    body = page.content.decode()
    assert 'role="img"' in body and "<desc" in body
    assert "Made: 0. Accepted: 0. Achieved on time: 2. Achieved late: 3. Not achieved: 0. Withdrawn: 0." in body
    assert 'class="app-table-scroll" role="region"' in body
    assert "Download as PDF" in words and "Download as Word" in words


def test_the_page_shows_the_latest_year_with_figures_first(users):
    page = signed_in("member").get("/impact/")
    assert page.status_code == 200
    assert "The year 2015 to 2016 covers 1 May 2015 to 30 April 2016." in text(page)


def test_a_committee_member_reads_it_and_the_home_page_links_to_it(users):
    member = signed_in("member")
    assert member.get("/impact/").status_code == 200
    assert "Annual impact report" in text(member.get("/"))
    assert "Annual impact report" not in text(signed_in("officer").get("/"))


@pytest.mark.parametrize("url", ["/impact/", "/impact/report.pdf", "/impact/report.docx"])
def test_signed_out_visitors_are_sent_to_sign_in(users, url):
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("username", ["officer", "cabinet"])
@pytest.mark.parametrize("url", ["/impact/", "/impact/report.pdf", "/impact/report.docx"])
def test_officers_and_assessors_are_refused_with_a_sentence(users, username, url):
    response = signed_in(username).get(url)
    assert response.status_code == 403
    assert "The impact report is for the Scrutiny Office and committee members." in text(response)


@pytest.mark.parametrize("url", ["/impact/", "/impact/report.pdf", "/impact/report.docx"])
def test_a_choice_not_listed_is_said_beside_its_field(users, url):
    response = signed_in("scrutiny").get(url, {"year": "abc", "committee": "99999999999999999999",
                                                "starts": "13"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert field_errors(response) == ["Choose one of the committees listed", "Choose one of the years listed",
                                      "Choose one of the months listed"]


def test_a_year_long_past_is_not_offered(users):
    response = signed_in("scrutiny").get("/impact/", {"year": "1900"})
    assert response.status_code == 400
    assert field_errors(response) == ["Choose one of the years listed"]


# --- The downloads ----------------------------------------------------------------------------------


def test_the_word_version_has_the_figures_heading_styles_and_header_rows(users):
    response = signed_in("scrutiny").get("/impact/report.docx", {"year": "2015", "starts": "5"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="impact-report-2015-to-2016.docx"'
    document = docx.Document(io.BytesIO(response.content))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == [
        ("Heading 1", "Impact of scrutiny recommendations, 2015 to 2016"),
        ("Heading 2", "Education and Vulnerable Children Overview and Scrutiny Committee"),
    ]
    by_inquiry, in_figures = document.tables
    rows = [[cell.text for cell in row.cells] for row in by_inquiry.rows]
    assert rows == [
        ["Inquiry", "Made", "Accepted", "Achieved on time", "Achieved late", "Not achieved", "Withdrawn",
         "Median time to conclude"],
        ["Child Sexual Exploitation", "0", "0", "2", "3", "0", "0", "Not known"],
        ["Total", "0", "0", "2", "3", "0", "0", "Not known"],
    ]
    assert [[cell.text for cell in row.cells] for row in in_figures.rows][3:5] == [
        ["Achieved on time", "2"], ["Achieved late", "3"]]
    for table in document.tables:
        assert 'w:tblHeader w:val="true"' in table.rows[0]._tr.xml
        assert "tblHeader" not in table.rows[1]._tr.xml
    assert document.core_properties.title == "Impact of scrutiny recommendations, 2015 to 2016"


def test_the_pdf_version_is_tagged_and_has_the_figures(users):
    response = signed_in("member").get("/impact/report.pdf", {"year": "2015", "starts": "5"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="impact-report-2015-to-2016.pdf"'
    pdf = pypdf.PdfReader(io.BytesIO(response.content))
    assert pdf.trailer["/Root"]["/MarkInfo"]["/Marked"]
    words = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "The year 2015 to 2016 covers 1 May 2015 to 30 April 2016." in words
    assert "Total 0 0 2 3 0 0 Not known" in words
    assert "Achieved late 3" in words  # the chart's own labels


def test_a_download_is_of_the_committee_chosen(users):
    other = CommitteeFactory(name="Health Scrutiny Committee")
    office = signed_in("scrutiny")
    page = office.get("/impact/", {"committee": str(other.pk), "year": "2015", "starts": "5"})
    assert f"committee={other.pk}" in page.content.decode()
    document = docx.Document(io.BytesIO(office.get("/impact/report.docx", {"committee": str(other.pk),
                                                                            "year": "2015"}).content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["Health Scrutiny Committee"]


# --- Queries ------------------------------------------------------------------------------------------


def grow(committee, inquiries: int, each: int):
    """``inquiries`` more inquiries reported in 2016 of ``each`` recommendations, one in three concluded,
    one withdrawn."""
    for _ in range(inquiries):
        inquiry = InquiryFactory(committee=committee, reported_on=datetime.date(2016, 6, 1))
        theme = ThemeFactory(inquiry=inquiry)
        for k in range(each):
            recommendation = RecommendationFactory(theme=theme, completion=datetime.date(2016, 8, 31))
            if k % 3 == 0:
                meeting = MeetingFactory(committee=committee, date=datetime.date(2016, 9, 1) + datetime.timedelta(
                    days=Inquiry.objects.count() * 40 + k))
                Assessment.objects.create(recommendation=recommendation, meeting=meeting,
                                          agreed_category=default_category("2"))
                Conclusion.objects.create(recommendation=recommendation, meeting=meeting)
        RecommendationFactory(theme=theme, withdrawn_on=datetime.date(2016, 10, 1))


@pytest.mark.parametrize("url", ["/impact/?year=2016", "/impact/report.docx?year=2016"])
def test_the_report_runs_as_many_queries_for_200_recommendations_as_for_20(users, url):
    committee = CommitteeFactory()
    grow(committee, 2, 9)
    office = signed_in("scrutiny")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert office.get(url).status_code == 200
        return len(captured)

    small = queries()
    grow(committee, 10, 19)
    assert queries() == small
    assert figures_of(impact.impact(impact.Year(2016)), committee).total.made == 2 * 10 + 10 * 20


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["committee", "year", "starts"]), value=st.one_of(
    st.text(max_size=100), st.sampled_from(["\x00", "9" * 40, "-1", "1e9", "2015.0", " 2015", "<script>"])))
def test_any_choice_in_the_query_string_gives_the_page_or_its_message(users, key, value):
    response = signed_in("scrutiny").get("/impact/", {key: value})
    assert response.status_code in (200, 400), (key, value)
    if response.status_code == 400:
        assert 'class="govuk-error-message"' in response.content.decode(), (key, value)
