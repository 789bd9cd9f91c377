"""What the database itself refuses, whatever code writes to it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import (
    AssessmentFactory,
    MeetingFactory,
    RecommendationFactory,
    default_category,
)
from tracker.models import (
    AssessmentScheme,
    Category,
    DateChange,
    EvidenceUpdate,
    Milestone,
    Recommendation,
)

pytestmark = pytest.mark.django_db


def refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_a_recommendation_number_is_unique_within_its_inquiry():
    first = RecommendationFactory(number="R04")
    refused(lambda: Recommendation.objects.create(
        inquiry=first.inquiry, committee=first.committee, theme=first.theme, number="R04", lead="That:"
    ))
    # The same number in another inquiry is fine.
    RecommendationFactory(number="R04")


def test_a_recommendation_has_one_assessment_per_meeting():
    assessment = AssessmentFactory()
    refused(lambda: AssessmentFactory(recommendation=assessment.recommendation, meeting=assessment.meeting))


def test_an_assessment_category_must_come_from_the_committees_scheme():
    assessment = AssessmentFactory()
    other = AssessmentScheme.objects.create(name="Red/amber/green")
    assessment.proposed_category = Category.objects.create(
        scheme=other, code="R", label="Red", criteria="Off track.", position=1
    )
    with pytest.raises(ValidationError) as error:
        assessment.full_clean()
    assert "proposed_category" in error.value.message_dict
    assessment.proposed_category = default_category("2")
    assessment.full_clean()


def test_only_one_scheme_is_the_default():
    refused(lambda: AssessmentScheme.objects.create(name="Another", is_default=True))


def test_category_codes_are_unique_within_a_scheme():
    refused(lambda: Category.objects.create(
        scheme=AssessmentScheme.default(), code="1", label="Again", criteria="x", position=99
    ))


def test_a_milestone_has_a_date_unless_it_is_ongoing():
    recommendation = RecommendationFactory()
    refused(lambda: Milestone.objects.create(recommendation=recommendation, kind="completion"))
    refused(lambda: Milestone.objects.create(
        recommendation=recommendation, kind="ongoing", due_date=datetime.date(2016, 1, 31)
    ))
    Milestone.objects.create(recommendation=recommendation, kind="ongoing")


def test_a_date_change_needs_a_reason():
    recommendation = RecommendationFactory(completion=datetime.date(2015, 7, 31))
    milestone = recommendation.milestones.get()
    refused(lambda: DateChange.objects.create(
        milestone=milestone, previous_date=milestone.due_date, new_date=datetime.date(2016, 1, 31), reason=""
    ))


def test_evidence_cannot_be_empty():
    recommendation = RecommendationFactory()
    refused(lambda: EvidenceUpdate.objects.create(recommendation=recommendation, text=""))


def test_a_committee_has_one_meeting_a_day_and_the_evidence_deadline_comes_first():
    meeting = MeetingFactory(date=datetime.date(2016, 2, 10))
    refused(lambda: MeetingFactory(committee=meeting.committee, date=meeting.date))
    refused(lambda: MeetingFactory(date=datetime.date(2016, 2, 10), evidence_deadline=datetime.date(2016, 2, 11)))


def test_evidence_is_never_deleted_while_its_recommendation_exists():
    from django.db.models import ProtectedError

    update = EvidenceUpdate.objects.create(recommendation=RecommendationFactory(), text="Done.")
    with pytest.raises(ProtectedError):
        update.recommendation.delete()
