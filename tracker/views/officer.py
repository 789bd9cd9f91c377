"""The officer's pages: my recommendations for the next meeting, adding and correcting evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from tracker import cycle, permissions, selectors, services
from tracker.forms import EvidenceCorrectionForm, EvidenceForm, add_service_error
from tracker.models import Assessment, EvidenceUpdate, Meeting
from tracker.views.common import forbidden, rebound_at, redirect_back, safe_next, stale_message

NOT_AN_OFFICER = "This page is for officers: it lists the recommendations of the owners they act for."


@login_required
def officer_home(request):
    """Straight to the next meeting that tracks one of the officer's recommendations."""
    if not permissions.can_use_officer_page(request.user):
        return forbidden(request, NOT_AN_OFFICER)
    meeting = selectors.next_meeting_for(permissions.owner_ids(request.user), "add_evidence")
    if meeting is None:
        return render(request, "tracker/no_meeting.html", {"audience": "officer"})
    return redirect("officer_meeting", meeting_id=meeting.pk)


@login_required
def officer_meeting(request, meeting_id):
    if not permissions.can_use_officer_page(request.user):
        return forbidden(request, NOT_AN_OFFICER)
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=meeting_id)
    owners = permissions.owner_ids(request.user)
    rows = selectors.tracked_at(meeting, owner_ids=owners)
    evidence_open = cycle.allows(meeting, "add_evidence")
    today = timezone.localdate()
    for row in rows:
        row.evidence_form = None
        row.correctable_ids = set()
        if evidence_open and row.conclusion is None and permissions.can_add_evidence(request.user, row.recommendation):
            row.evidence_form = EvidenceForm(
                prefix=EvidenceForm.prefix_for(row.recommendation), initial={"written_on": today}
            )
            row.correctable_ids = {
                u.pk for u in row.evidence if permissions.can_edit_evidence(request.user, u, row.recommendation)
            }
    return render(request, "tracker/officer_meeting.html", {
        "meeting": meeting,
        "rows": rows,
        "evidence_open": evidence_open,
        "closed_reason": None if evidence_open else cycle.ACTION_NAMES["add_evidence"],
        "other_meetings": [m for m in selectors.upcoming_meetings(owners) if m.pk != meeting.pk],
        "previous": selectors.previous_meeting(meeting),
    })


def _default_page(user, meeting) -> str:
    if permissions.can_use_officer_page(user):
        return reverse("officer_meeting", kwargs={"meeting_id": meeting.pk})
    if permissions.can_use_cabinet_page(user):
        return reverse("cabinet_meeting", kwargs={"meeting_id": meeting.pk})
    return reverse("meeting_detail", kwargs={"meeting_id": meeting.pk})


@login_required
def add_evidence(request, meeting_id, recommendation_id):
    """A dated update for one recommendation (the officer's page posts its forms here too)."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("meeting__committee"), meeting_id=meeting_id, recommendation_id=recommendation_id
    )
    meeting = assessment.meeting
    recommendation = get_object_or_404(selectors.recommendation_with_owners(), pk=recommendation_id)
    if not permissions.can_add_evidence(request.user, recommendation):
        return forbidden(request, f"You do not act for an owner of {recommendation}, so you cannot write its evidence.")
    prefix = EvidenceForm.prefix_for(recommendation)
    form = EvidenceForm(
        request.POST if request.method == "POST" else None,
        prefix=prefix,
        initial={"written_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_evidence(
                recommendation, meeting, form.cleaned_data["text"], form.cleaned_data["written_on"], by=request.user
            )
        except PermissionDenied as refusal:
            return forbidden(request, str(refusal))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Your update for {recommendation} has been added.")
            # No #fragment: the banner at the top of the page says what was saved.
            return redirect_back(request, _default_page(request.user, meeting))
    return render(request, "tracker/evidence_form.html", {
        "meeting": meeting,
        "recommendation": recommendation,
        "form": form,
        "evidence_open": cycle.allows(meeting, "add_evidence"),
        "next": safe_next(request),
    }, status=400 if form.errors else 200)


@login_required
def edit_evidence(request, update_id):
    """Its author corrects an update; the earlier version is kept and shown."""
    try:
        update, versions = selectors.evidence_update_with_versions(update_id)
    except EvidenceUpdate.DoesNotExist as missing:
        raise Http404("No such update") from missing
    if not permissions.can_edit_evidence(request.user, update):
        return forbidden(request, "Only the update’s author (or the scrutiny office) can correct it. "
                                  "You can add a new update instead.")
    initial = {"text": update.text, "written_on": update.written_on, "version": update.version}
    form = EvidenceCorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_evidence(
                update, form.cleaned_data["text"], form.cleaned_data["written_on"],
                by=request.user, expected_version=form.cleaned_data["version"],
            )
        except PermissionDenied as refusal:
            return forbidden(request, str(refusal))
        except services.StaleEdit as error:
            stale = error.current
            form = rebound_at(EvidenceCorrectionForm, request.POST, stale.version)
            form.add_error(None, stale_message("this update", selectors.last_editor(stale)))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Your correction to the update for {update.recommendation} has been saved. "
                                      "The earlier version is kept on its timeline.")
            return redirect_back(request, reverse("timeline", kwargs={"recommendation_id": update.recommendation_id}))
    return render(request, "tracker/evidence_edit.html", {
        "update": update,
        "versions": versions,
        "form": form,
        "stale": stale,
        "next": safe_next(request),
    }, status=409 if stale else (400 if form.errors else 200))

