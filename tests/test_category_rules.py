"""The category rules, as a cabinet member meets them when proposing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import AssessmentFactory, MeetingFactory, RecommendationFactory, UserFactory, default_category
from tracker import categories, services
from tracker.models import AssessmentScheme, Category, DateChange

JULY_2015 = datetime.date(2015, 7, 31)
BEFORE = datetime.date(2015, 6, 1)
AFTER = datetime.date(2016, 2, 10)


def proposal(code, anticipated=None, *, meeting=AFTER, completion=JULY_2015):
    return categories.check_proposal(
        default_category(code), anticipated, completion_date=completion, meeting_date=meeting
    )


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["3", "5"])
def test_category_3_and_5_need_an_anticipated_date(code):
    verdict = proposal(code)
    assert not verdict.ok
    assert "needs an anticipated date" in verdict.errors["anticipated_date"][0]
    assert proposal(code, datetime.date(2016, 9, 30)).ok


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["1", "2", "4", "6"])
def test_other_categories_need_no_anticipated_date(code):
    assert "anticipated_date" not in proposal(code, meeting=BEFORE).errors


@pytest.mark.django_db
def test_in_progress_is_refused_once_the_completion_date_has_passed():
    verdict = proposal("6", meeting=AFTER)
    assert "only right while the timescale has not expired" in verdict.errors["category"][0]
    assert "31 July 2015" in verdict.errors["category"][0]


@pytest.mark.django_db
def test_in_progress_is_accepted_before_the_completion_date():
    assert proposal("6", meeting=BEFORE).ok


@pytest.mark.django_db
def test_in_progress_is_always_right_for_an_ongoing_recommendation():
    assert proposal("6", meeting=AFTER, completion=None).ok


@pytest.mark.django_db
def test_achieved_fully_after_the_completion_date_is_accepted_with_a_warning_that_says_why():
    verdict = proposal("1", meeting=AFTER)
    assert verdict.ok
    assert len(verdict.warnings) == 1
    assert "within the timescale" in verdict.warnings[0]
    assert "31 July 2015" in verdict.warnings[0]


@pytest.mark.django_db
def test_achieved_fully_within_the_timescale_has_no_warning():
    verdict = proposal("1", meeting=BEFORE)
    assert verdict.ok and verdict.warnings == []


@pytest.mark.django_db
def test_an_anticipated_date_before_the_meeting_is_refused():
    verdict = proposal("3", datetime.date(2015, 1, 1))
    assert "must not be before the meeting" in verdict.errors["anticipated_date"][0]


@pytest.mark.django_db
def test_the_rules_read_the_flags_of_a_councils_own_scheme():
    rag = AssessmentScheme.objects.create(name="Red/amber/green")
    amber = Category.objects.create(
        scheme=rag, code="A", label="Amber", criteria="Behind plan.", position=2,
        needs_anticipated_date=True, marker="amber",
    )
    green = Category.objects.create(
        scheme=rag, code="G", label="Green", criteria="Done.", position=1, counts_as_achieved=True
    )
    assert not categories.check_proposal(amber, None, completion_date=JULY_2015, meeting_date=AFTER).ok
    assert categories.check_proposal(green, None, completion_date=JULY_2015, meeting_date=AFTER).warnings == []
    assert categories.normally_concludes(green) and not categories.normally_concludes(amber)


@pytest.mark.django_db
def test_achieved_categories_normally_conclude():
    concluding = {c.code for c in AssessmentScheme.default().categories.all() if categories.normally_concludes(c)}
    assert concluding == {"1", "2"}


@pytest.mark.django_db
class TestProposing:
    def setup_method(self):
        self.cabinet = UserFactory(username="cabinet")

    def assessment(self, meeting_date=AFTER):
        recommendation = RecommendationFactory(completion=JULY_2015)
        meeting = MeetingFactory(committee=recommendation.inquiry.committee, date=meeting_date)
        return AssessmentFactory(recommendation=recommendation, meeting=meeting)

    def test_a_proposal_of_3_without_a_date_is_refused_and_nothing_is_saved(self):
        assessment = self.assessment()
        with pytest.raises(ValidationError) as refused:
            services.propose_assessment(assessment, default_category("3"), None, by=self.cabinet)
        assert "anticipated_date" in refused.value.message_dict
        assessment.refresh_from_db()
        assert assessment.proposed_category is None

    def test_a_proposal_of_2_is_recorded_with_who_and_when(self):
        assessment = self.assessment()
        warnings = services.propose_assessment(assessment, default_category("2"), None, by=self.cabinet)
        assessment.refresh_from_db()
        assert warnings == []
        assert assessment.proposed_category.code == "2"
        assert assessment.proposed_by == self.cabinet and assessment.proposed_at is not None
        assert assessment.history.count() == 2  # created, then proposed

    def test_a_category_from_another_scheme_is_refused(self):
        other = AssessmentScheme.objects.create(name="Other")
        foreign = Category.objects.create(scheme=other, code="X", label="X", criteria="x", position=1)
        with pytest.raises(ValidationError):
            services.propose_assessment(self.assessment(), foreign, None, by=self.cabinet)

    def test_moving_an_anticipated_date_keeps_the_old_one_and_needs_a_reason(self):
        assessment = self.assessment()
        first, second = datetime.date(2016, 6, 30), datetime.date(2016, 12, 31)
        services.propose_assessment(assessment, default_category("3"), first, by=self.cabinet)
        with pytest.raises(ValidationError) as refused:
            services.propose_assessment(assessment, default_category("3"), second, by=self.cabinet)
        assert "reason" in refused.value.message_dict
        services.propose_assessment(
            assessment, default_category("3"), second, by=self.cabinet, reason="Recruitment delayed."
        )
        change = DateChange.objects.get(assessment=assessment)
        assert (change.previous_date, change.new_date, change.reason) == (first, second, "Recruitment delayed.")
        assert change.changed_by == self.cabinet

    def test_a_second_save_from_an_old_read_is_refused(self):
        assessment = self.assessment()
        version = assessment.version
        services.propose_assessment(assessment, default_category("2"), None, by=self.cabinet, expected_version=version)
        with pytest.raises(services.StaleEdit) as stale:
            services.propose_assessment(
                assessment, default_category("4"), None, by=self.cabinet, expected_version=version
            )
        assert stale.value.current.proposed_category.code == "2"


@pytest.mark.django_db
def test_moving_a_completion_date_never_overwrites_the_original():
    recommendation = RecommendationFactory(completion=JULY_2015)
    milestone = recommendation.milestones.get()
    user = UserFactory(username="scrutiny")
    services.move_completion_date(milestone, datetime.date(2016, 3, 31), reason="Legislation delayed.", by=user)
    milestone.refresh_from_db()
    assert milestone.due_date == JULY_2015
    assert milestone.current_date() == datetime.date(2016, 3, 31)
    assert recommendation.completion_date() == datetime.date(2016, 3, 31)
    with pytest.raises(ValidationError):
        services.move_completion_date(milestone, datetime.date(2016, 6, 30), reason="  ", by=user)
