"""generate_scale_data fills a database with invented tracking data the app reads like its own."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min
from django.test import Client

from tests.pages import signed_in
from tracker import scale, selectors
from tracker.demo import create_demo_users
from tracker.models import (
    Assessment,
    Committee,
    Conclusion,
    EvidenceUpdate,
    Inquiry,
    Meeting,
    Recommendation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(db):
    summary = scale.generate(300)
    create_demo_users()
    return summary


def test_it_fills_an_empty_database_with_exactly_the_number_asked_for(generated):
    assert Recommendation.objects.count() == 300
    assert generated.recommendations == 300
    assert generated.committees == Committee.objects.count() >= 1
    assert Meeting.objects.count() == generated.meetings == 20 * generated.committees
    assert EvidenceUpdate.objects.count() == generated.evidence_updates


def test_every_inquiry_has_5_to_30_recommendations_numbered_once_each(generated):
    sizes = Inquiry.objects.annotate(n=Count("recommendations")).aggregate(least=Min("n"), most=Max("n"))
    assert 5 <= sizes["least"] and sizes["most"] <= 30
    numbers = Counter(Recommendation.objects.values_list("inquiry_id", "number"))
    assert max(numbers.values()) == 1
    assert Recommendation.objects.filter(number="R01").count() == Inquiry.objects.count()


def test_each_recommendation_has_evidence_in_order_and_was_assessed(generated):
    positions = Counter(EvidenceUpdate.objects.values_list("recommendation_id", "position"))
    assert max(positions.values()) == 1
    per_recommendation = Recommendation.objects.annotate(
        updates=Count("evidence_updates", distinct=True), assessed=Count("assessments", distinct=True)
    )
    assert per_recommendation.filter(updates__lt=1).count() == 0
    assert per_recommendation.filter(updates__gt=6).count() == 0
    assert per_recommendation.filter(assessed=0).count() == 0


def test_categories_follow_the_scheme_and_older_ones_are_concluded_as_achieved(generated):
    decided = Assessment.objects.filter(agreed_category__isnull=False).select_related("agreed_category")
    assert decided.exists()
    for assessment in decided:
        assert assessment.meeting.state == Meeting.State.CLOSED
        if assessment.agreed_category.needs_anticipated_date:
            assert assessment.anticipated_date is not None
    conclusions = Conclusion.objects.select_related("recommendation", "meeting")
    assert conclusions.exists()
    for conclusion in conclusions:
        last = conclusion.recommendation.assessments.get(meeting=conclusion.meeting)
        assert last.agreed_category.counts_as_achieved
    # Each committee's latest meeting is live and open for evidence; the rest are history.
    assert Meeting.objects.filter(state=Meeting.State.EVIDENCE_OPEN, imported=False).count() == generated.committees
    assert not Meeting.objects.exclude(placed_on=F("date")).exists()


def test_the_app_reads_it_as_its_own(generated):
    assert selectors.recommendations_list().count() == 300
    office = signed_in("scrutiny")
    recommendation = Recommendation.objects.filter(conclusion__isnull=False).first()
    for url in [
        "/recommendations/",
        "/recommendations/?page=2",
        "/overview/",
        f"/recommendations/{recommendation.pk}/",
        f"/meetings/{Meeting.objects.filter(state=Meeting.State.EVIDENCE_OPEN).first().pk}/",
        "/api/v1/recommendations/",
    ]:
        assert office.get(url).status_code == 200, url
    assert Committee.objects.filter(on_public_register=True).exists()
    assert Client().get("/public/").status_code == 200


def test_running_again_fills_up_to_the_new_number_and_no_further():
    first = scale.generate(300)
    second = scale.generate(400)
    assert (first.recommendations, second.before, second.recommendations) == (300, 300, 100)
    assert Recommendation.objects.count() == 400
    assert Committee.objects.filter(name__startswith=scale.PREFIX).count() == first.committees + second.committees
    again = scale.generate(350)
    assert again.recommendations == 0 and Recommendation.objects.count() == 400


def _shape():
    return list(
        Recommendation.objects.order_by("committee__name", "inquiry__title", "number").values_list(
            "committee__name", "inquiry__title", "number", "lead"
        )
    )


class RolledBack(Exception):
    pass


def _shape_of_a_run(seed):
    """What a run with ``seed`` makes on an empty database (then undone)."""
    try:
        with transaction.atomic():
            scale.generate(120, seed=seed)
            shape = list(
                Recommendation.objects.order_by("committee__name", "inquiry__title", "number").values_list(
                    "committee__name", "inquiry__title", "number", "lead"
                )
            )
            raise RolledBack
    except RolledBack:
        return shape


def test_the_same_seed_gives_the_same_data():
    first = _shape_of_a_run(7)
    assert len(first) == 120 and not Recommendation.objects.exists()
    assert _shape_of_a_run(7) == first
    assert _shape_of_a_run(8) != first


def test_the_command_says_what_it_added_and_refuses_to_mix_into_real_data(seed):
    out = StringIO()
    with pytest.raises(CommandError, match="not generated"):
        call_command("generate_scale_data", recommendations=100, stdout=out)
    assert Recommendation.objects.count() == 19

    call_command("generate_scale_data", recommendations=100, yes=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Adding 81 recommendations to the 19 already there…"
    assert "Added 81 of 81 recommendations…" in lines
    assert lines[-1].startswith("Done in ")
    assert "81 recommendations" in lines[-1] and "The database now holds 100 recommendations." in lines[-1]
    assert Recommendation.objects.count() == 100

    out = StringIO()
    call_command("generate_scale_data", recommendations=50, stdout=out)
    assert out.getvalue() == "The database already holds 100 recommendations: nothing added.\n"
