"""The meeting pages: every meeting; scheduling and running one (scrutiny office); the
meeting page with every tracked recommendation (everyone); recording decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker import cycle, permissions, selectors, services
from tracker.forms import (
    AdvanceForm,
    ChooseRecommendationsForm,
    DecisionForm,
    MeetingChangeForm,
    MeetingForm,
    add_service_error,
)
from tracker.models import Assessment, Meeting, Recommendation
from tracker.views.common import forbidden, pack_links, rebound_at, stale_message

ONLY_THE_OFFICE = "Only the scrutiny office schedules and runs meetings."


@login_required
def meeting_list(request):
    return render(request, "tracker/meeting_list.html", {
        "meetings": selectors.meetings_list(),
        "can_manage": permissions.can_manage_meetings(request.user),
    })


@login_required
def meeting_new(request):
    if not permissions.can_manage_meetings(request.user):
        return forbidden(request, ONLY_THE_OFFICE)
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.schedule_meeting(
                data["committee"], data["date"], data["evidence_deadline"], by=request.user
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Meeting scheduled for {meeting.date_display}. Now choose what it tracks.")
            return redirect("meeting_choose", meeting_id=meeting.pk)
    return render(request, "tracker/meeting_form.html", {"form": form, "meeting": None},
                  status=400 if form.errors else 200)


def _meeting(meeting_id) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("committee__scheme"), pk=meeting_id)


@login_required
def meeting_detail(request, meeting_id):
    """Every tracked recommendation with its evidence, proposal and decision, and what changed."""
    meeting = _meeting(meeting_id)
    rows = selectors.tracked_at(meeting)
    can_manage = permissions.can_manage_meetings(request.user)
    step = cycle.next_step(meeting)
    return render(request, "tracker/meeting_detail.html", {
        "meeting": meeting,
        "rows": rows,
        "concluded": selectors.concluded_before(meeting),
        "previous": selectors.previous_meeting(meeting),
        "can_manage": can_manage,
        "can_record": permissions.can_record_decisions(request.user) and cycle.allows(meeting, "record_decision"),
        "can_change": can_manage and cycle.allows(meeting, "change_meeting"),
        "can_choose": can_manage and cycle.allows(meeting, "choose_recommendations"),
        "step": step if can_manage else None,
        "pack_links": pack_links(meeting, request.user),
        "publish_url": reverse("pack_versions", kwargs={"meeting_id": meeting.pk}),
        "changed_count": sum(1 for row in rows if row.changed),
    })


@login_required
def meeting_change(request, meeting_id):
    if not permissions.can_manage_meetings(request.user):
        return forbidden(request, ONLY_THE_OFFICE)
    meeting = _meeting(meeting_id)
    initial = {"date": meeting.date, "evidence_deadline": meeting.evidence_deadline, "version": meeting.version}
    form = MeetingChangeForm(request.POST if request.method == "POST" else None, initial=initial)
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_meeting(
                meeting, data["date"], data["evidence_deadline"], by=request.user, expected_version=data["version"]
            )
        except services.StaleEdit as error:
            stale = error.current
            form = rebound_at(MeetingChangeForm, request.POST, stale.version)
            form.add_error(None, stale_message("this meeting", selectors.last_editor(stale)))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The meeting has been changed.")
            return redirect("meeting_detail", meeting_id=meeting.pk)
    return render(request, "tracker/meeting_form.html", {
        "form": form, "meeting": meeting, "stale": stale,
        "closed_message": cycle.refusal(meeting, "change_meeting"),
    }, status=409 if stale else (400 if form.errors else 200))


@login_required
def meeting_choose(request, meeting_id):
    """Choose the recommendations to track: by default every one of the committee not yet concluded."""
    if not permissions.can_manage_meetings(request.user):
        return forbidden(request, ONLY_THE_OFFICE)
    meeting = _meeting(meeting_id)
    trackable = Recommendation.objects.filter(inquiry__committee_id=meeting.committee_id).tracked().order_by(
        "inquiry_id", "position", "number"
    )
    chosen = list(meeting.assessments.values_list("recommendation_id", flat=True))
    form = ChooseRecommendationsForm(
        request.POST if request.method == "POST" else None,
        queryset=trackable,
        initial={"recommendations": chosen or [r.pk for r in trackable]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessments = services.choose_recommendations(
                meeting, list(form.cleaned_data["recommendations"]), by=request.user
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{len(assessments)} recommendations will be tracked at this meeting.")
            return redirect("meeting_detail", meeting_id=meeting.pk)
    return render(request, "tracker/meeting_choose.html", {
        "form": form, "meeting": meeting,
        "closed_message": cycle.refusal(meeting, "choose_recommendations"),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def meeting_advance(request, meeting_id):
    """Move the meeting to the next state of its cycle (the button on the meeting page)."""
    if not permissions.can_manage_meetings(request.user):
        return forbidden(request, ONLY_THE_OFFICE)
    meeting = _meeting(meeting_id)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "This page was out of date. Check the meeting’s state and try again.")
        return redirect("meeting_detail", meeting_id=meeting.pk)
    try:
        services.advance_meeting(
            meeting, form.cleaned_data["to_state"], request.user, expected_version=form.cleaned_data["version"]
        )
    except services.StaleEdit:
        messages.error(request, "Someone else changed this meeting while you were looking at it. "
                                "Check its state below and try again.")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        meeting.refresh_from_db()
        messages.success(request, f"The meeting is now “{meeting.get_state_display()}”.")
    return redirect("meeting_detail", meeting_id=meeting.pk)


@login_required
def decide(request, assessment_id):
    """The scrutiny office records the committee's category and whether it concluded the recommendation."""
    if not permissions.can_record_decisions(request.user):
        return forbidden(request, "Only the scrutiny office records the committee’s decisions.")
    try:
        assessment = selectors.assessment_for_form(assessment_id)
    except Assessment.DoesNotExist as missing:
        raise Http404("No such assessment") from missing
    recommendation = assessment.recommendation
    meeting = assessment.meeting
    scheme = meeting.committee.scheme
    conclusion = getattr(recommendation, "conclusion", None)
    initial = {
        "category": assessment.agreed_category_id or assessment.proposed_category_id,
        "anticipated_date": assessment.anticipated_date,
        "version": assessment.version,
        "concluded": conclusion is not None and conclusion.meeting_id == meeting.pk,
        "remark": conclusion.remark if conclusion else "",
    }
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        scheme=scheme, initial=initial, date_advised=assessment.anticipated_date is not None,
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            warnings = services.record_decision(
                assessment, data["category"], data["anticipated_date"], by=request.user,
                expected_version=data["version"], reason=data["reason"],
                concluded=data["concluded"], remark=data["remark"],
            )
        except PermissionDenied as refusal:
            return forbidden(request, str(refusal))
        except services.StaleEdit as error:
            stale = selectors.assessment_for_form(error.current.pk)
            form = rebound_at(
                DecisionForm, request.POST, stale.version, scheme=scheme, date_advised=stale.anticipated_date is not None
            )
            form.add_error(None, stale_message(f"the decision for {recommendation}", stale.agreed_by or stale.proposed_by))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            done = f"Recorded: the committee agreed “{data['category']}” for {recommendation}"
            messages.success(request, done + (" and concluded it." if data["concluded"] else "."))
            for warning in warnings:
                messages.warning(request, f"{recommendation}: {warning}")
            return redirect("meeting_detail", meeting_id=meeting.pk)
    return render(request, "tracker/decide.html", {
        "assessment": assessment,
        "recommendation": recommendation,
        "meeting": meeting,
        "form": form,
        "stale": stale,
        "stale_display": stale,
        "closed_message": cycle.refusal(meeting, "record_decision"),
    }, status=409 if stale else (400 if form.errors else 200))

