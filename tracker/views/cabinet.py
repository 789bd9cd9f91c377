"""The cabinet member's pages: their portfolio's recommendations for a meeting, and proposing a category."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from tracker import cycle, permissions, selectors, services
from tracker.forms import ProposalForm, add_service_error
from tracker.models import Assessment, Meeting
from tracker.views.common import forbidden, rebound_at, redirect_back, stale_message

NOT_A_CABINET_MEMBER = "This page is for cabinet members: it lists their portfolio’s recommendations."


@login_required
def cabinet_home(request):
    if not permissions.can_use_cabinet_page(request.user):
        return forbidden(request, NOT_A_CABINET_MEMBER)
    meeting = selectors.next_meeting_for(permissions.owner_ids(request.user), "propose")
    if meeting is None:
        return render(request, "tracker/no_meeting.html", {"audience": "cabinet"})
    return redirect("cabinet_meeting", meeting_id=meeting.pk)


@login_required
def cabinet_meeting(request, meeting_id):
    if not permissions.can_use_cabinet_page(request.user):
        return forbidden(request, NOT_A_CABINET_MEMBER)
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=meeting_id)
    owners = permissions.owner_ids(request.user)
    rows = selectors.tracked_at(meeting, owner_ids=owners)
    proposing_open = cycle.allows(meeting, "propose")
    evidence_open = cycle.allows(meeting, "add_evidence")
    for row in rows:
        row.can_propose = (
            proposing_open and row.conclusion is None and permissions.can_propose(request.user, row.recommendation)
        )
        row.can_add_evidence = (
            evidence_open and row.conclusion is None and permissions.can_add_evidence(request.user, row.recommendation)
        )
    return render(request, "tracker/cabinet_meeting.html", {
        "meeting": meeting,
        "rows": rows,
        "proposing_open": proposing_open,
        "other_meetings": [m for m in selectors.upcoming_meetings(owners) if m.pk != meeting.pk],
        "previous": selectors.previous_meeting(meeting),
    })


@login_required
def propose(request, assessment_id):
    """Propose a category, with an anticipated date where the category needs one."""
    try:
        assessment = selectors.assessment_for_form(assessment_id)
    except Assessment.DoesNotExist as missing:
        raise Http404("No such assessment") from missing
    recommendation = assessment.recommendation
    if not permissions.can_propose(request.user, recommendation):
        return forbidden(request, f"Only the cabinet member responsible for {recommendation} proposes its category.")
    scheme = assessment.meeting.committee.scheme
    initial = {
        "category": assessment.proposed_category_id,
        "anticipated_date": assessment.anticipated_date,
        "version": assessment.version,
    }
    form = ProposalForm(
        request.POST if request.method == "POST" else None,
        scheme=scheme, initial=initial, date_advised=assessment.anticipated_date is not None,
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            warnings = services.propose_category(
                assessment, data["category"], data["anticipated_date"], by=request.user,
                expected_version=data["version"], reason=data["reason"],
            )
        except PermissionDenied as refusal:
            return forbidden(request, str(refusal))
        except services.StaleEdit as error:
            stale = selectors.assessment_for_form(error.current.pk)
            form = rebound_at(
                ProposalForm, request.POST, stale.version, scheme=scheme, date_advised=stale.anticipated_date is not None
            )
            form.add_error(None, stale_message(f"the proposal for {recommendation}", stale.proposed_by))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"You proposed “{data['category']}” for {recommendation}.")
            for warning in warnings:
                messages.warning(request, f"{recommendation}: {warning}")
            # No #fragment: the banners at the top (and any warning) must be seen.
            return redirect_back(request, reverse("cabinet_meeting", kwargs={"meeting_id": assessment.meeting_id}))
    return render(request, "tracker/propose.html", {
        "assessment": assessment,
        "recommendation": recommendation,
        "meeting": assessment.meeting,
        "form": form,
        "stale": stale,
        "stale_display": stale,
        "proposing_open": cycle.allows(assessment.meeting, "propose"),
        "closed_message": cycle.refusal(assessment.meeting, "propose"),
    }, status=409 if stale else (400 if form.errors else 200))

