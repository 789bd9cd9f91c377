"""Publishing freezes a pack: the exact PDF is kept as a version, later edits never touch it."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import EvidenceUpdateFactory
from tests.test_pack_support import make_user, page_texts, scrutiny_officer, small_meeting
from tracker import cycle, roles
from tracker.models import Meeting, PublishedPack
from tracker.services import publish_pack

pytestmark = pytest.mark.django_db


def text_of(pdf) -> str:
    return "\n".join(page_texts(bytes(pdf)))


def test_the_scrutiny_office_publishes_a_pack_and_the_exact_pdf_is_kept():
    meeting = small_meeting(state=Meeting.State.EVIDENCE_OPEN)
    office = scrutiny_officer()

    published = publish_pack(meeting, by=office).pack

    stored = PublishedPack.objects.get(pk=published.pk)
    pdf = bytes(stored.pdf)
    assert pdf.startswith(b"%PDF-1.7")
    assert stored.version == 1
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest()
    assert stored.size == len(pdf)
    assert stored.published_by == office and stored.published_at is not None
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PACK_PUBLISHED


def test_later_edits_never_change_a_published_pack_and_a_new_version_can_be_published():
    meeting = small_meeting(state=Meeting.State.EVIDENCE_OPEN)
    office = scrutiny_officer()
    first = publish_pack(meeting, by=office).pack
    first_bytes = bytes(first.pdf)

    rec = meeting.assessments.get().recommendation
    EvidenceUpdateFactory(recommendation=rec, text="A correction sent in after publication.")
    second = publish_pack(meeting, by=office).pack

    assert [p.version for p in meeting.published_packs.order_by("version")] == [1, 2]
    kept = PublishedPack.objects.get(pk=first.pk)
    assert bytes(kept.pdf) == first_bytes
    assert hashlib.sha256(bytes(kept.pdf)).hexdigest() == kept.sha256 == first.sha256
    assert "A correction sent in after publication." not in text_of(kept.pdf)
    assert "A correction sent in after publication." in text_of(second.pdf)
    assert second.sha256 != first.sha256
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PACK_PUBLISHED  # publishing again does not move it on


def test_publishing_again_with_nothing_changed_gives_back_the_same_version():
    meeting = small_meeting(state=Meeting.State.EVIDENCE_OPEN)
    office = scrutiny_officer()
    first = publish_pack(meeting, by=office)
    again = [publish_pack(meeting, by=office) for _ in range(3)]

    assert first.is_new and not any(publication.is_new for publication in again)
    assert {publication.pack.pk for publication in again} == {first.pack.pk}
    assert list(meeting.published_packs.values_list("version", flat=True)) == [1]


@pytest.mark.parametrize("role", [roles.OFFICER, roles.ASSESSOR, roles.COMMITTEE_MEMBER])
def test_only_the_scrutiny_office_publishes(role):
    meeting = small_meeting(state=Meeting.State.EVIDENCE_OPEN)
    with pytest.raises(PermissionDenied):
        publish_pack(meeting, by=make_user(role))
    assert not PublishedPack.objects.exists()
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.EVIDENCE_OPEN


@pytest.mark.parametrize("state", [Meeting.State.SCHEDULED, Meeting.State.DECISIONS_RECORDED, Meeting.State.CLOSED])
def test_a_pack_is_published_only_while_evidence_is_open_or_a_pack_is_out(state):
    meeting = small_meeting(state=state)
    with pytest.raises(cycle.CycleError):
        publish_pack(meeting, by=scrutiny_officer())
    assert not PublishedPack.objects.exists()
    meeting.refresh_from_db()
    assert meeting.state == state
