"""The pack's pages: preview, drafts and publishing for the scrutiny office, and the published
versions that every signed-in user can read and download byte for byte.

Drafts and publishing are built in the background (services.ask_for_pack_build, then
tracker.tasks.build_pack): asking redirects to the build's page, which shows its progress
and then its outcome. No request waits on WeasyPrint."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from tracker import cycle, permissions, selectors, services
from tracker.models import Meeting, PackBuild, PublishedPack
from tracker.pack import docx, progress
from tracker.pack.context import pack_for
from tracker.pack.render import render_pack_html, stylesheet_source_hash


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


# Where each kind of build is asked for (the "Try again" button posts there).
ASK_URL = {
    PackBuild.Kind.DRAFT_PDF: "pack_pdf",
    PackBuild.Kind.DRAFT_WORD: "pack_docx",
    PackBuild.Kind.PUBLISH_PACK: "pack_publish",
    PackBuild.Kind.PUBLISH_SUPPLEMENT: "pack_publish_supplement",
}
# A build still waiting after this long is said to be waiting on the background worker.
WAITING_LONG = datetime.timedelta(minutes=1)


def _ask(request, meeting_id, kind: str):
    """Ask for a build and go to its page; a refusal (the cycle, nothing late) goes back to the pack page."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    try:
        build = services.ask_for_pack_build(meeting, kind, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("pack_versions", meeting_id=meeting.pk)
    return redirect("pack_build", meeting_id=meeting.pk, build_id=build.pk)


@login_required
def pack_pdf(request, meeting_id):
    """The draft pack as PDF, built from today's data in the background (POST asks for it; the
    build's page shows its progress and then the download). A GET, from an old link, is shown
    the pack page, where the button is."""
    permissions.ensure(request.user, "build_pack")
    if request.method != "POST":
        return redirect(reverse("pack_versions", args=[meeting_id]) + "#draft")
    return _ask(request, meeting_id, PackBuild.Kind.DRAFT_PDF)


@login_required
def pack_docx(request, meeting_id):
    """The draft pack as a Word document, built from today's data, for the clerk to edit (as ``pack_pdf``)."""
    permissions.ensure(request.user, "build_pack")
    if request.method != "POST":
        return redirect(reverse("pack_versions", args=[meeting_id]) + "#draft")
    return _ask(request, meeting_id, PackBuild.Kind.DRAFT_WORD)


@require_POST
@login_required
def pack_publish(request, meeting_id):
    return _ask(request, meeting_id, PackBuild.Kind.PUBLISH_PACK)


@require_POST
@login_required
def pack_publish_supplement(request, meeting_id):
    return _ask(request, meeting_id, PackBuild.Kind.PUBLISH_SUPPLEMENT)


def _build_or_none(request, meeting_id, build_id) -> PackBuild | None:
    permissions.ensure(request.user, "build_pack")
    return selectors.pack_build(meeting_id, build_id)


def _gone(request, meeting_id):
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=meeting_id)
    return render(request, "pack/build_gone.html", {"meeting": meeting}, status=404)


def _build_context(request, build: PackBuild) -> dict:
    meeting = build.meeting
    action = services.BUILD_NEEDS.get(build.kind)
    return {
        "build": build,
        "meeting": meeting,
        "step_words": progress.step_in_words(build),
        "waiting_long": build.state == PackBuild.State.WAITING and build.asked_at < timezone.now() - WAITING_LONG,
        "again_url": reverse(ASK_URL[build.kind], args=[meeting.pk]),
        "can_try_again": action is None or cycle.allows(meeting, action),
    }


@login_required
def pack_build(request, meeting_id, build_id):
    """A build's page: its progress bar and step while it runs (the "Check progress" button reloads it;
    static/js/pack-build.mjs follows it without reloading), then the draft's download, the version
    published, or what went wrong and how to try again."""
    build = _build_or_none(request, meeting_id, build_id)
    if build is None:
        return _gone(request, meeting_id)
    return render(request, "pack/build.html", _build_context(request, build))


@login_required
def pack_build_progress(request, meeting_id, build_id):
    """How far a build has got, for the build page's script: the bar's percentage and the step in words
    while it runs; once it has finished, the page's finished part as HTML, to put in place of the bar."""
    build = _build_or_none(request, meeting_id, build_id)
    if build is None:
        raise Http404
    context = _build_context(request, build)
    if build.in_progress:
        data = {"finished": False, "percent": build.percent, "status": context["step_words"],
                "waiting_long": context["waiting_long"]}
    else:
        data = {"finished": True, "percent": 100 if build.is_ready else build.percent,
                "html": render_to_string("pack/_build_outcome.html", context, request=request)}
    response = JsonResponse(data)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def pack_build_download(request, meeting_id, build_id):
    """A finished draft, as it was built: its bytes come from the database, so any app server hands it out."""
    permissions.ensure(request.user, "build_pack")
    build = selectors.draft_to_download(meeting_id, build_id)
    if build is None:
        return _gone(request, meeting_id)
    content = bytes(build.content)  # PostgreSQL hands back a memoryview
    if build.kind == PackBuild.Kind.DRAFT_WORD:
        response = HttpResponse(content, content_type=docx.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{_filename(build.meeting, "draft", "docx")}"'
        response["Content-Length"] = str(len(content))
        response["X-Content-Type-Options"] = "nosniff"
    else:
        response = _pdf_response(content, _filename(build.meeting, "draft"))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def pack_versions(request, meeting_id):
    permissions.ensure(request.user, "view")
    meeting = get_object_or_404(Meeting.objects.select_related("committee", "scheme"), pk=meeting_id)
    versions = (
        meeting.published_packs.defer("pdf").select_related("published_by").order_by("-version")
    )
    can_build = permissions.can_build_pack(request.user)
    builds = selectors.pack_builds_to_show(meeting) if can_build else []
    return render(request, "pack/versions.html", {
        "meeting": meeting,
        "versions": versions,
        "can_build": can_build,
        "builds": [(build, progress.step_in_words(build)) for build in builds],
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
