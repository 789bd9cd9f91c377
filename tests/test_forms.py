"""Whatever is typed or posted into the forms, the answer is a page with the error beside
the field and in the summary, never a server error, and nothing half-written."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.pages import date_fields, field_errors, signed_in, summary_errors
from tracker import services
from tracker.demo import create_demo_users
from tracker.forms import EvidenceForm, GovukDateField, MeetingForm, ProposalForm
from tracker.models import Assessment, AssessmentScheme, Committee, EvidenceUpdate, Meeting, Recommendation

pytestmark = pytest.mark.django_db

hostile = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "31", "2016", "99999999999999999999", "1e9", "٣", "\x00", "<script>",
                     "'; DROP TABLE tracker_meeting; --", "NaN", "12.5"]),
)


@given(day=hostile, month=hostile, year=hostile)
@settings(max_examples=300, deadline=None)
def test_a_date_field_turns_any_input_into_a_date_or_an_error(day, month, year):
    form = EvidenceForm({"text": "Evidence.", **date_fields("written_on", day, month, year)})
    if form.is_valid():
        assert isinstance(form.cleaned_data["written_on"], datetime.date)
    else:
        assert form.errors["written_on"]
        assert form.error_links()[0][0] == "id_written_on_0"


@pytest.fixture
def browsers(seed):
    """The seed, the demo users signed in, and a meeting open for evidence."""
    create_demo_users()
    browsers = {name: signed_in(name) for name in ("officer", "cabinet", "scrutiny")}
    office = get_user_model().objects.get(username="scrutiny")
    meeting = services.schedule_meeting(Committee.objects.get(), datetime.date(2016, 6, 15), None, by=office)
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    return browsers


post_values = st.dictionaries(
    st.sampled_from(["text", "written_on_0", "written_on_1", "written_on_2", "category", "anticipated_date_0",
                     "anticipated_date_1", "anticipated_date_2", "reason", "version", "committee", "date_0",
                     "date_1", "date_2", "evidence_deadline_0", "evidence_deadline_1", "evidence_deadline_2",
                     "recommendations", "concluded", "remark", "to_state", "next"]),
    hostile,
    max_size=10,
)


@pytest.mark.parametrize("who, url", [
    ("cabinet", "proposal"),
    ("scrutiny", "decision"),
    ("scrutiny", "/meetings/new/"),
    ("scrutiny", "change"),
    ("scrutiny", "choose"),
    ("scrutiny", "advance"),
    ("officer", "evidence"),
    ("officer", "correct"),
])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=post_values)
def test_hostile_posts_never_give_a_server_error(browsers, who, url, data):
    meeting = Meeting.objects.get(date="2016-06-15")
    r06 = Recommendation.objects.get(number="R06")
    # An earlier example may have untracked it (posting an empty list is a fair choice).
    assessment, _ = Assessment.objects.get_or_create(meeting=meeting, recommendation=r06)
    update = EvidenceUpdate.objects.filter(recommendation=r06).order_by("pk").first()
    target = {
        "proposal": f"/assessments/{assessment.pk}/proposal/",
        "decision": f"/assessments/{assessment.pk}/decision/",
        "change": f"/meetings/{meeting.pk}/change/",
        "choose": f"/meetings/{meeting.pk}/recommendations/",
        "advance": f"/meetings/{meeting.pk}/advance/",
        "evidence": f"/meetings/{meeting.pk}/recommendations/{r06.pk}/evidence/new/",
        "correct": f"/evidence/{update.pk}/correct/",
    }.get(url, url)
    if url == "evidence":
        data = {f"r{r06.pk}-{key}": value for key, value in data.items()}
    response = browsers[who].post(target, data)
    assert response.status_code < 500
    if response.status_code == 400:
        assert summary_errors(response), "an error page without an error summary"


def test_errors_are_beside_the_field_and_in_the_summary_at_the_top(browsers):
    response = browsers["scrutiny"].post("/meetings/new/", {"committee": "", **date_fields("date", "", 13, 2016)})
    assert response.status_code == 400
    assert field_errors(response) == ["Choose the committee", "Enter the day of the month"]
    assert summary_errors(response) == field_errors(response)
    body = response.content.decode()
    assert body.index('class="govuk-error-summary"') < body.index("<h1")
    assert '<a href="#id_committee">Choose the committee</a>' in body
    assert '<a href="#id_date_0">Enter the day of the month</a>' in body
    assert "<title>Error: Schedule a meeting" in body


def test_a_category_from_outside_the_list_is_refused_by_the_form():
    scheme = AssessmentScheme.default()
    form = ProposalForm({"category": "999999", "version": "1"}, scheme=scheme)
    assert not form.is_valid()
    assert form.errors["category"] == ["Choose one of the categories listed"]
    assert form.error_links()[0] == ("id_category_1", "Choose one of the categories listed")


def test_a_meeting_form_needs_a_committee_and_a_date():
    form = MeetingForm({})
    assert not form.is_valid()
    assert set(form.errors) == {"committee", "date"}


def test_a_two_digit_year_is_not_guessed():
    field = GovukDateField()
    with pytest.raises(Exception) as refused:
        field.clean(["1", "6", "16"])
    assert "Enter a real date" in str(refused.value)


def test_a_number_too_big_for_the_database_is_an_unknown_choice_not_a_crash(browsers):
    meeting = Meeting.objects.get(date="2016-06-15")
    office = browsers["scrutiny"]
    response = office.post(f"/meetings/{meeting.pk}/recommendations/", {"recommendations": "99999999999999999999"})
    assert response.status_code == 400
    assert field_errors(response) == ["Choose from the recommendations listed"]
    response = office.post("/meetings/new/", {"committee": "99999999999999999999", **date_fields("date", 1, 7, 2016)})
    assert field_errors(response) == ["Choose one of the committees listed"]
