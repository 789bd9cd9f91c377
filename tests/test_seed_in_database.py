"""The seed report, once loaded, holds every word of the source and its quirks."""

import pytest

from tests.seedtext import seed_squashed, squash
from tracker.models import (
    Assessment,
    Conclusion,
    EvidenceUpdate,
    Owner,
    OwnerAlias,
    Recommendation,
)

pytestmark = pytest.mark.django_db

TRACKED = ["R04", "R05", "R06", "R07", "R08", "R09", "R10", "R12", "R14", "R15", "R16", "R17", "R18", "R19"]
CONCLUDED = ["R01", "R02", "R03", "R11", "R13"]


def test_every_recommendation_text_in_the_database_is_the_seeds_word_for_word(seed):
    source = seed_squashed()
    wrong = []
    for recommendation in Recommendation.objects.prefetch_related("sub_parts"):
        texts = [("lead", recommendation.lead)] + [(p.label, p.text) for p in recommendation.sub_parts.all()]
        for where, text in texts:
            if squash(text) not in source:
                wrong.append(f"{recommendation.number} {where}")
    assert wrong == []
    assert Recommendation.objects.count() == 19


def test_every_evidence_paragraph_in_the_database_is_the_seeds_word_for_word(seed):
    source = seed_squashed()
    wrong = [
        f"{update.recommendation.number} #{update.position}: {paragraph[:60]}"
        for update in EvidenceUpdate.objects.select_related("recommendation")
        for paragraph in update.text.split("\n\n")
        if squash(paragraph) not in source
    ]
    assert wrong == []


def test_the_database_keeps_the_fixture_text_unchanged(seed, seed_data):
    for row in seed_data["recommendations"]:
        recommendation = Recommendation.objects.get(number=row["number"])
        assert recommendation.lead == row["lead"]
        assert [(p.label, p.text) for p in recommendation.sub_parts.all()] == [
            (p["label"], p["text"]) for p in row["sub_parts"]
        ]
        assert [e.text for e in recommendation.evidence_updates.all()] == [e["text"] for e in row["evidence"]]
        assert recommendation.responsibility_text == row["responsibility"]
        assert recommendation.original_timescale == row["original_timescale"]


def test_r06_keeps_category_3_with_no_anticipated_date_and_is_flagged(seed):
    assessment = Assessment.objects.get(recommendation__number="R06", proposed_category__isnull=False)
    assert assessment.proposed_category.code == "3"
    assert assessment.anticipated_date is None
    assert assessment.anticipated_date_missing
    flagged = Recommendation.objects.with_current_category().filter(anticipated_date_missing=True)
    assert [r.number for r in flagged] == ["R06"]


def test_r07s_bullets_are_sub_parts_without_labels(seed):
    parts = Recommendation.objects.get(number="R07").sub_parts.all()
    assert [p.label for p in parts] == ["", "", ""]
    assert parts[0].text.startswith("CSE awareness features as part of induction training")


def test_an_owner_spelled_several_ways_is_one_owner(seed):
    children = Owner.objects.get(name="Cabinet Member for Children’s Services")
    for spelling in ["Cabinet Member for Children Services", "Cabinet Member Children Services",
                     "Cabinet Member Children’s Services"]:
        assert OwnerAlias.objects.get(name=spelling).owner == children
    numbers = sorted(children.recommendations.values_list("number", flat=True))
    assert numbers == ["R01", "R02", "R03", "R04", "R06", "R08", "R10", "R12", "R16", "R17", "R19"]
    assert Owner.objects.filter(name__icontains="Children").count() == 1


def test_the_tracked_and_concluded_recommendations_are_those_of_the_seed(seed):
    annotated = {r.number: r for r in Recommendation.objects.with_current_category()}
    assert sorted(Recommendation.objects.tracked().values_list("number", flat=True)) == TRACKED
    assert sorted(Recommendation.objects.concluded().values_list("number", flat=True)) == CONCLUDED
    codes = {n: annotated[n].current_category_code for n in TRACKED + CONCLUDED}
    assert codes["R06"] == "3"
    assert codes["R18"] == codes["R19"] == codes["R11"] == codes["R13"] == "1"
    assert {codes[n] for n in TRACKED + CONCLUDED if n not in ("R06", "R18", "R19", "R11", "R13")} == {"2"}


def test_the_concluded_recommendations_carry_their_date_and_tracking_assessment(seed):
    r01 = Conclusion.objects.select_related("meeting").get(recommendation__number="R01")
    assert r01.meeting.date.isoformat() == "2016-02-10"
    assert r01.remark == "Work will be ongoing."
    agreed = Assessment.objects.get(recommendation__number="R01", meeting=r01.meeting).agreed_category
    assert str(agreed) == "2 – Achieved (Late)"


def test_evidence_additions_keep_the_meeting_they_follow(seed):
    headings = [
        u.following_meeting.date.isoformat() if u.following_meeting else None
        for u in EvidenceUpdate.objects.filter(recommendation__number="R06").select_related("following_meeting")
    ]
    assert headings == [None, "2015-11-25", "2016-02-10"]


def test_original_timescales_keep_the_text_and_the_completion_milestone(seed):
    r07 = Recommendation.objects.get(number="R07")
    assert r07.original_timescale == "Initial feedback April 2015 and completion Dec 2015"
    assert [(m.kind, m.due_date.isoformat()) for m in r07.milestones.all()] == [
        ("initial_feedback", "2015-04-30"), ("completion", "2015-12-31")
    ]
    r18 = Recommendation.objects.get(number="R18")
    assert r18.original_timescale == "On-going" and r18.completion_date() is None


def test_footnotes_are_attached_to_the_text_that_cites_them(seed):
    r01 = Recommendation.objects.get(number="R01")
    assert [f.number for f in r01.footnotes.all()] == [2, 3, 4]
    assert "[^2]" in r01.sub_parts.get(label="a)").text
    assert Recommendation.objects.get(number="R03").footnotes.get().text.startswith("www.rotherham.gov.uk")
