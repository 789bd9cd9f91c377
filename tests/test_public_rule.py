"""What the public may see (tracker.public): only what a published pack or recorded decisions
made public, and only for committees the council put on the public register."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from tracker import public, services
from tracker.models import Assessment, Committee, Inquiry, Recommendation

pytestmark = pytest.mark.django_db
DRAFT = "DRAFT-ONLY-MARKER: the training plan is still being written."


def user(name):
    return get_user_model().objects.get(username=name)


def r06():
    return Recommendation.objects.get(number="R06")


def test_a_committee_not_on_the_register_shows_nothing(seed):
    assert not public.committees().exists()
    assert not public.recommendations().exists()
    assert not public.evidence().exists()
    assert not public.meetings().exists()


def test_the_imported_report_is_public_once_the_committee_is_on_the_register(on_register):
    # The seed report was itself published: its 19 recommendations and all their evidence.
    assert public.recommendations().count() == Recommendation.objects.count() == 19
    assert public.evidence().count() == r06().evidence_updates.model.objects.count()
    assert public.conclusions().count() == 5


def test_evidence_for_an_open_meeting_is_public_only_once_its_pack_is_published(open_meeting):
    services.add_evidence(r06(), open_meeting, DRAFT, datetime.date(2016, 6, 1), by=user("officer"))
    assert not public.evidence().filter(text__contains="DRAFT-ONLY-MARKER").exists()
    assert open_meeting not in public.meetings()

    services.publish_pack(open_meeting, by=user("scrutiny"))
    assert public.evidence().filter(text__contains="DRAFT-ONLY-MARKER").exists()
    assert open_meeting in public.meetings()


def test_a_late_update_is_public_only_once_a_later_version_prints_it(open_meeting):
    office = user("scrutiny")
    services.publish_pack(open_meeting, by=office)
    open_meeting.refresh_from_db()
    services.add_late_evidence(r06(), open_meeting, text=DRAFT, written_on=datetime.date(2016, 6, 10),
                               author=user("officer"), by=office)
    assert not public.evidence().filter(text__contains="DRAFT-ONLY-MARKER").exists()

    services.publish_pack(open_meeting, by=office)
    assert public.evidence().filter(text__contains="DRAFT-ONLY-MARKER").exists()


def test_a_proposal_is_public_with_the_pack_and_a_decision_once_decisions_are_recorded(open_meeting):
    assessment = Assessment.objects.get(meeting=open_meeting, recommendation=r06())
    category = open_meeting.scheme.categories.get(code="2")
    services.propose_category(assessment, category, None, by=user("cabinet"), today=datetime.date(2016, 6, 1))
    row = public.assessments().filter(pk=assessment.pk)
    assert not row.exists()  # the meeting's pack is not out

    services.publish_pack(open_meeting, by=user("scrutiny"))
    row = public.assessments().get(pk=assessment.pk)
    assert row.proposal_public and not row.decision_public


def test_an_inquiry_is_public_with_its_recommendations_and_a_category_with_its_scheme(seed):
    assert not public.inquiries().exists() and not public.categories().exists()
    Committee.objects.update(on_public_register=True)
    assert list(public.inquiries()) == [seed]
    assert public.categories().count() == 6
    entering = Inquiry.objects.create(committee=Committee.objects.get(), title="Being entered")
    assert entering not in public.inquiries()  # nothing of it is published yet


def test_a_correction_to_imported_history_shows_only_once_a_pack_prints_it(open_meeting):
    update = r06().evidence_updates.order_by("position").first()
    printed = update.text
    services.edit_evidence(update, DRAFT, update.written_on, by=user("scrutiny"))
    shown = public.published_text(list(public.evidence().filter(pk=update.pk)))
    assert shown[0].public_text == printed  # the imported report printed the earlier text

    services.publish_pack(open_meeting, by=user("scrutiny"))
    shown = public.published_text(list(public.evidence().filter(pk=update.pk)))
    assert shown[0].public_text == DRAFT
