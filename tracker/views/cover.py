"""The cover report of a meeting's pack, one per inquiry: the assessor writes the introduction,
the scrutiny office gives the contact officer (and may write the introduction on their behalf)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from tracker import cycle, permissions, selectors, services
from tracker.forms import CoverIntroductionForm, CoverReportForm
from tracker.models import CoverReport
from tracker.pack.context import report_of
from tracker.views.common import render_form, stale_message, submit

CONTACT_FIELDS = ("contact_name", "contact_title", "contact_telephone", "contact_email")


@login_required
def cover_report(request, meeting_id, inquiry_id):
    try:
        cover = selectors.cover_report(meeting_id, inquiry_id)
    except CoverReport.DoesNotExist as missing:
        raise Http404("No such cover report") from missing
    permissions.ensure(request.user, "write_cover_introduction", cover)
    office = permissions.can_set_cover_contact(request.user, cover)
    writable = cycle.allows(cover.meeting, "write_cover")
    here = reverse("cover_report", kwargs={"meeting_id": meeting_id, "inquiry_id": inquiry_id})

    def make_form(data, version=None):
        read = version or cover
        initial = {"introduction": read.introduction, "version": read.version,
                   **{name: getattr(read, name) for name in CONTACT_FIELDS}}
        return (CoverReportForm if office else CoverIntroductionForm)(data, initial=initial)

    def save(data):
        if office:
            services.update_cover_report(
                cover, by=request.user, expected_version=data["version"], introduction=data["introduction"],
                **{name: data[name] for name in CONTACT_FIELDS},
            )
            messages.success(request, f"The cover report for {cover.inquiry} has been saved.")
        else:
            services.write_cover_introduction(
                cover, by=request.user, expected_version=data["version"], introduction=data["introduction"]
            )
            messages.success(request, f"Your introduction to the report on {cover.inquiry} has been saved.")
        return redirect(here)

    submission = submit(request, make_form, save, stale_message=lambda current: stale_message(
        "this cover report", selectors.last_editor(current)))
    return render_form(request, "tracker/cover_report.html", {
        "cover": cover,
        "report_of": report_of(cover),
        "meeting": cover.meeting,
        "office": office,
        "writable": writable,
        "closed_message": cycle.refusal(cover.meeting, "write_cover"),
        "can_preview": permissions.can_build_pack(request.user),
        "back_url": reverse("meeting_detail" if office else "cabinet_meeting", kwargs={"meeting_id": meeting_id}),
    }, submission)
