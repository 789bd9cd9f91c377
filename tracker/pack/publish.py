"""Publishing a meeting pack: the PDF is frozen, byte for byte, as a new version."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from tracker import cycle, permissions
from tracker.models import Meeting, PublishedPack
from tracker.pack.render import build_pack


@transaction.atomic
def publish_pack(meeting: Meeting, *, by) -> PublishedPack:
    """The scrutiny office publishes the meeting's pack for members and the council's website.

    The PDF built from today's data is stored with its SHA-256, size and time, as the next
    version for the meeting; earlier versions stay as they were and later edits to the data
    never change a published pack. Allowed while evidence is open or once a pack is out
    (``cycle.require(meeting, "publish_pack")``); the first publication moves the meeting
    from "Evidence open" to "Pack published". Raises PermissionDenied or cycle.CycleError.
    """
    if not permissions.can_build_pack(by):
        raise PermissionDenied("Only the scrutiny office publishes meeting packs.")
    # Lock the meeting row: two people publishing at once get consecutive versions.
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    cycle.require(meeting, "publish_pack")

    built = build_pack(meeting)
    latest = meeting.published_packs.aggregate(latest=Max("version"))["latest"] or 0
    published = PublishedPack.objects.create(
        meeting=meeting,
        version=latest + 1,
        pdf=built.pdf,
        sha256=hashlib.sha256(built.pdf).hexdigest(),
        size=len(built.pdf),
        published_by=by,
    )
    if meeting.state == Meeting.State.EVIDENCE_OPEN:
        meeting.state = cycle.NEXT_STATE[Meeting.State.EVIDENCE_OPEN]
        meeting.version += 1  # a form holding the meeting from before sees it moved on
        meeting._history_user = by
        meeting.save(update_fields=["state", "version"])
    return published
