"""Files attached to evidence: attaching one to an update already written, and reading them.

Signed in, everyone who reads a recommendation's timeline downloads its attachments; signed
out, only the attachments the public may see (tracker.public.attachments), which a proxy may
keep for a day.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from tracker import permissions, public, selectors, services
from tracker.forms import AttachmentForm
from tracker.models import EvidenceAttachment, EvidenceUpdate
from tracker.views.common import redirect_back, render_form, safe_next, saved, submit

PUBLIC_CACHE = "public, max-age=86400"


@login_required
def attach_to_evidence(request, update_id):
    """Attach a document or image to an update its author (or the scrutiny office) may still correct."""
    try:
        update, _versions = selectors.evidence_update_with_versions(update_id)
    except EvidenceUpdate.DoesNotExist as missing:
        raise Http404("No such update") from missing
    permissions.ensure(request.user, "edit_evidence", update)
    meeting, _action = services.attachment_meeting(update)

    def make_form(data, version=None):
        return AttachmentForm(
            data, request.FILES if data is not None else None, initial={"submission": uuid.uuid4()}
        )

    def save(data):
        services.add_attachment(update, data["attachment"], data["attachment_description"], by=request.user)
        saved(request, messages.SUCCESS, update.recommendation,
              f"“{data['attachment_description']}” is attached to the update for {update.recommendation}.")
        return redirect_back(request, reverse("timeline", kwargs={"recommendation_id": update.recommendation_id}))

    return render_form(request, "tracker/attach_form.html", {
        "update": update,
        "open": meeting is not None,
        "next": safe_next(request),
    }, submit(request, make_form, save))


def _file_response(attachment: EvidenceAttachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing from storage") from missing
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.name, safe='')}"
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_safe
def download(request, attachment_id):
    """An attachment, for anyone signed in who may read the recommendation's timeline."""
    permissions.ensure(request.user, "view")
    attachment = get_object_or_404(EvidenceAttachment, pk=attachment_id)
    return _file_response(attachment)


@require_safe
def public_download(request, attachment_id):
    """An attachment the public may see (its update printed in a published pack after it was attached)."""
    attachment = get_object_or_404(public.attachments(), pk=attachment_id)
    response = _file_response(attachment)
    response["Cache-Control"] = PUBLIC_CACHE
    return response
