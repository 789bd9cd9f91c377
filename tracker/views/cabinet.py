"""The cabinet member's pages: their portfolio's recommendations for a meeting, and proposing a category."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from tracker import categories, cycle, permissions, selectors, services
from tracker.forms import ProposalForm
from tracker.models import Assessment, Meeting
from tracker.views.common import (
    back_to,
    render_form,
    saved,
    section_of,
    stale_message,
    submit,
    tracked_detail_url,
)


@login_required
def cabinet_home(request):
    permissions.ensure(request.user, "use_cabinet_page")
    meeting = selectors.next_meeting_for(permissions.owner_ids(request.user), "propose")
    if meeting is None:
        return render(request, "tracker/no_meeting.html", {"audience": "cabinet"})
    return redirect("cabinet_meeting", meeting_id=meeting.pk)


@login_required
def cabinet_meeting(request, meeting_id):
    permissions.ensure(request.user, "use_cabinet_page")
    meeting = get_object_or_404(Meeting.objects.select_related("committee", "scheme"), pk=meeting_id)
    owners = permissions.owner_ids(request.user)
    rows = selectors.tracked_at(meeting, owner_ids=owners)
    proposing_open = cycle.allows(meeting, "propose")
    evidence_open = cycle.allows(meeting, "add_evidence")
    for row in rows:
        row.can_propose = (
            proposing_open and row.conclusion is None and permissions.can_propose(request.user, row.assessment)
        )
        row.can_add_evidence = (
            evidence_open and row.conclusion is None and permissions.can_add_evidence(request.user, row.recommendation)
        )
    covers = []
    if cycle.allows(meeting, "write_cover"):
        inquiries = {row.recommendation.inquiry_id for row in rows}
        covers = [
            cover for cover in selectors.cover_reports(meeting, inquiries)
            if permissions.can_write_cover_introduction(request.user, cover)
        ]
    return render(request, "tracker/cabinet_meeting.html", {
        "meeting": meeting,
        "rows": rows,
        "covers": covers,
        "proposing_open": proposing_open,
        "can_propose_any": not meeting.scheme.is_narrative and any(row.can_propose for row in rows),
        "needs_dates": categories.hints(meeting.scheme)["dated"],
        "narrative": meeting.scheme.is_narrative,
        "other_meetings": [m for m in selectors.upcoming_meetings(owners) if m.pk != meeting.pk],
        "previous": selectors.previous_meeting(meeting),
        "message_sections": {row.recommendation.pk for row in rows},
    })


def assessment_or_404(assessment_id) -> Assessment:
    try:
        return selectors.assessment_for_form(assessment_id)
    except Assessment.DoesNotExist as missing:
        raise Http404("No such assessment") from missing


@login_required
def propose(request, assessment_id):
    """Propose a category, with an anticipated date where the category needs one."""
    assessment = assessment_or_404(assessment_id)
    recommendation = assessment.recommendation
    permissions.ensure(request.user, "propose", assessment)
    scheme = assessment.meeting.scheme
    # The scrutiny office enters a proposal the assessor sent in; it is recorded as such.
    on_behalf = not permissions.assesses_for(request.user, assessment)
    # Back where the proposal was asked for, at the recommendation: by default the assessor's
    # portfolio page, or for the scrutiny office wherever the meeting shows the recommendation.
    default = (
        tracked_detail_url(assessment.meeting_id, recommendation) if on_behalf
        else reverse("cabinet_meeting", kwargs={"meeting_id": assessment.meeting_id})
    )
    back_url = back_to(request, default, fragment=section_of(recommendation))

    def make_form(data, version=None):
        read = version or assessment
        return ProposalForm(data, scheme=scheme, date_advised=read.anticipated_date is not None, initial={
            "category": assessment.proposed_category_id,
            "anticipated_date": assessment.anticipated_date,
            "reasons": assessment.reasons,
            "version": assessment.version,
        })

    def save(data):
        warnings = services.propose_category(
            assessment, data["category"], data["anticipated_date"], by=request.user,
            expected_version=data["version"], reason=data["reason"], reasons=data["reasons"],
        )
        saved(request, messages.SUCCESS, recommendation, f"You proposed “{data['category']}” for {recommendation}" + (
            " on the owners’ behalf." if on_behalf else "."))
        for warning in warnings:
            saved(request, messages.WARNING, recommendation, f"{recommendation}: {warning}")
        # Back at the recommendation's section, which shows these banners (and any warning).
        return redirect(back_url)

    submission = submit(request, make_form, save, stale_message=lambda current: stale_message(
        f"the proposal for {recommendation}", current.proposed_by))
    return render_form(request, "tracker/propose.html", {
        "assessment": assessment,
        "recommendation": recommendation,
        "meeting": assessment.meeting,
        "on_behalf": on_behalf,
        "narrative": scheme.is_narrative,
        "back_url": back_url,
        "closed_message": cycle.refusal(assessment.meeting, "propose"),
    }, submission)
