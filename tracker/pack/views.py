"""The pack's pages: preview and draft PDF for the scrutiny office, publishing, and the
published versions that every signed-in user can read and download byte for byte."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from tracker import cycle, permissions, selectors, services
from tracker.models import Meeting, PublishedPack
from tracker.pack import docx
from tracker.pack.context import pack_for
from tracker.pack.docx import build_pack_docx
from tracker.pack.render import build_pack, render_pack_html, stylesheet_source_hash


def _publish_refusal(meeting: Meeting) -> str | None:
    try:
        cycle.require(meeting, "publish_pack")
    except cycle.CycleError as error:
        return str(error)
    return None


def _filename(meeting: Meeting, suffix: str, extension: str = "pdf") -> str:
    when = meeting.date.isoformat() if meeting.date else f"meeting-{meeting.pk}"
    return f"tracking-report-{slugify(meeting.committee.name)[:60]}-{when}-{suffix}.{extension}"


def _pdf_response(pdf: bytes, filename: str, *, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(pdf))
    response["X-Content-Type-Options"] = "nosniff"
    if etag:
        response["ETag"] = f'"{etag}"'
    return response


@login_required
def pack_preview(request, meeting_id):
    permissions.ensure(request.user, "build_pack")
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    response = HttpResponse(render_pack_html(pack_for(meeting)))
    response["Cache-Control"] = "no-store"  # a draft: always today's data
    # The Content-Security-Policy lets this one inline stylesheet through, by its hash
    # (django-csp reads _csp_update, as its csp_update decorator sets it).
    response._csp_update = {"style-src": [stylesheet_source_hash()]}
    return response


@login_required
def pack_pdf(request, meeting_id):
    permissions.ensure(request.user, "build_pack")
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=meeting_id)
    built = build_pack(meeting)
    response = _pdf_response(built.pdf, _filename(meeting, "draft"))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def pack_docx(request, meeting_id):
    """The draft pack as a Word document, built from today's data, for the clerk to edit."""
    permissions.ensure(request.user, "build_pack")
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=meeting_id)
    document = build_pack_docx(meeting)
    response = HttpResponse(document, content_type=docx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(meeting, "draft", "docx")}"'
    response["Content-Length"] = str(len(document))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def pack_publish(request, meeting_id):
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    try:
        publication = services.publish_pack(meeting, by=request.user)
    except cycle.CycleError as error:
        messages.error(request, str(error))
    else:
        if publication.is_new:
            messages.success(request, f"Version {publication.pack.version} of the pack is published.")
        else:
            messages.success(request, f"Nothing has changed since version {publication.pack.version} was "
                                      "published, so it is still the latest version.")
    return redirect("pack_versions", meeting_id=meeting.pk)


@require_POST
@login_required
def pack_publish_supplement(request, meeting_id):
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    try:
        publication = services.publish_supplement(meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if publication.is_new:
            messages.success(request, "The supplement is published: it lists the updates received since the pack "
                                      "was published.")
        else:
            messages.success(request, "No update has come in since the last supplement, so it is still the latest.")
    return redirect("pack_versions", meeting_id=meeting.pk)


@login_required
def pack_versions(request, meeting_id):
    permissions.ensure(request.user, "view")
    meeting = get_object_or_404(Meeting.objects.select_related("committee", "scheme"), pk=meeting_id)
    versions = (
        meeting.published_packs.defer("pdf").select_related("published_by").order_by("-version")
    )
    can_build = permissions.can_build_pack(request.user)
    return render(request, "pack/versions.html", {
        "meeting": meeting,
        "versions": versions,
        "can_build": can_build,
        "can_publish": can_build and cycle.allows(meeting, "publish_pack"),
        "late_count": selectors.late_updates_count(meeting) if can_build else 0,
        "can_publish_supplement": can_build and cycle.allows(meeting, "publish_supplement"),
        "unassessed": selectors.unassessed(meeting) if can_build and not meeting.scheme.is_narrative else [],
        "publish_refusal": _publish_refusal(meeting) if can_build else None,
    })


@login_required
def pack_download(request, pk):
    permissions.ensure(request.user, "view")
    published = get_object_or_404(PublishedPack.objects.select_related("meeting__committee"), pk=pk)
    pdf = bytes(published.pdf)  # PostgreSQL hands back a memoryview
    response = _pdf_response(
        pdf, _filename(published.meeting, f"v{published.version}"), etag=published.sha256
    )
    # A published version never changes: any cache may keep it.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
