"""The officer's pages: my recommendations for the next meeting, adding and correcting evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from tracker import cycle, permissions, selectors, services
from tracker.forms import EvidenceCorrectionForm, EvidenceForm, LateEvidenceForm
from tracker.models import Assessment, EvidenceUpdate, Meeting
from tracker.views.common import (
    redirect_back,
    render_form,
    safe_next,
    saved,
    section_of,
    stale_message,
    submit,
    tracked_detail_url,
)


@login_required
def officer_home(request):
    """Straight to the next meeting that tracks one of the officer's recommendations."""
    permissions.ensure(request.user, "use_officer_page")
    meeting = selectors.next_meeting_for(permissions.owner_ids(request.user), "add_evidence")
    if meeting is None:
        return render(request, "tracker/no_meeting.html", {"audience": "officer"})
    return redirect("officer_meeting", meeting_id=meeting.pk)


@login_required
def officer_meeting(request, meeting_id):
    permissions.ensure(request.user, "use_officer_page")
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=meeting_id)
    owners = permissions.owner_ids(request.user)
    rows = selectors.tracked_at(meeting, owner_ids=owners)
    evidence_open = cycle.allows(meeting, "add_evidence")
    today = timezone.localdate()
    for row in rows:
        row.evidence_form = None
        row.correctable_ids = set()
        if evidence_open and row.conclusion is None and permissions.can_add_evidence(request.user, row.recommendation):
            row.evidence_form = EvidenceForm.blank(row.recommendation, today)
            row.correctable_ids = {
                u.pk for u in row.evidence if permissions.can_edit_evidence(request.user, u, row.recommendation)
            }
    late_open = cycle.allows(meeting, "add_late_evidence")
    for row in rows:
        row.can_add_late = (
            late_open and row.conclusion is None and permissions.can_add_evidence(request.user, row.recommendation)
        )
    return render(request, "tracker/officer_meeting.html", {
        "meeting": meeting,
        "rows": rows,
        "evidence_open": evidence_open,
        "late_open": late_open,
        "closed_reason": None if evidence_open else cycle.ACTION_NAMES["add_evidence"],
        "narrative": meeting.scheme.is_narrative,
        "other_meetings": [m for m in selectors.upcoming_meetings(owners) if m.pk != meeting.pk],
        "previous": selectors.previous_meeting(meeting),
        "message_sections": {row.recommendation.pk for row in rows},
    })


def attach(update, data, user) -> None:
    """The file sent with a new update, attached to it in the same transaction (refused: neither is kept)."""
    if data.get("attachment"):
        services.add_attachment(update, data["attachment"], data["attachment_description"], by=user)


def _default_page(user, meeting, recommendation) -> str:
    """Where an update returns to when its form did not say: the person's own page for the
    meeting, or for the scrutiny office wherever the meeting shows the recommendation."""
    if permissions.can_use_officer_page(user):
        return reverse("officer_meeting", kwargs={"meeting_id": meeting.pk})
    if permissions.can_use_cabinet_page(user):
        return reverse("cabinet_meeting", kwargs={"meeting_id": meeting.pk})
    return tracked_detail_url(meeting.pk, recommendation)


@login_required
def add_evidence(request, meeting_id, recommendation_id):
    """A dated update for one recommendation (the officer's page posts its forms here too)."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("meeting__committee"), meeting_id=meeting_id, recommendation_id=recommendation_id
    )
    meeting = assessment.meeting
    recommendation = get_object_or_404(selectors.recommendation_with_owners(), pk=recommendation_id)
    permissions.ensure(request.user, "add_evidence", recommendation)

    def files(data):
        return request.FILES if data is not None else None

    def make_form(data, version=None):
        return EvidenceForm(data, files(data), **EvidenceForm.blank_kwargs(recommendation, timezone.localdate()))

    def save(data):
        with transaction.atomic():
            update = services.add_evidence(
                recommendation, meeting, data["text"], data["written_on"], by=request.user,
                submission_key=data["submission"],
            )
            attach(update, data, request.user)
        saved(request, messages.SUCCESS, recommendation, f"Your update for {recommendation} has been added.")
        return redirect_back(
            request, _default_page(request.user, meeting, recommendation), fragment=section_of(recommendation)
        )

    return render_form(request, "tracker/evidence_form.html", {
        "meeting": meeting,
        "recommendation": recommendation,
        "evidence_open": cycle.allows(meeting, "add_evidence"),
        "next": safe_next(request),
    }, submit(request, make_form, save))


@login_required
def add_late_evidence(request, meeting_id, recommendation_id):
    """An update received after the pack was published: from its author, or entered by the
    scrutiny office on an officer's behalf (it says whom it is from)."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("meeting__committee"), meeting_id=meeting_id, recommendation_id=recommendation_id
    )
    meeting = assessment.meeting
    recommendation = get_object_or_404(selectors.recommendation_with_owners(), pk=recommendation_id)
    permissions.ensure(request.user, "add_evidence", recommendation)
    on_behalf = permissions.is_scrutiny_office(request.user)
    officers = selectors.officers_for(recommendation) if on_behalf else None

    def files(data):
        return request.FILES if data is not None else None

    def make_form(data, version=None):
        return LateEvidenceForm(
            data, files(data), officers=officers,
            **LateEvidenceForm.blank_kwargs(recommendation, timezone.localdate()),
        )

    def save(data):
        with transaction.atomic():
            update = services.add_late_evidence(
                recommendation, meeting, by=request.user, text=data["text"], written_on=data["written_on"],
                author=data.get("author"), submission_key=data["submission"],
            )
            attach(update, data, request.user)
        if on_behalf:
            author = data["author"]
            done = (f"The update from {author.get_full_name() or author.get_username()} for {recommendation} "
                    "has been added, as received after the pack was published.")
        else:
            done = f"Your update for {recommendation} has been added, as received after the pack was published."
        saved(request, messages.SUCCESS, recommendation, done)
        return redirect_back(
            request, _default_page(request.user, meeting, recommendation), fragment=section_of(recommendation)
        )

    return render_form(request, "tracker/late_evidence_form.html", {
        "meeting": meeting,
        "recommendation": recommendation,
        "on_behalf": on_behalf,
        "closed_message": cycle.refusal(meeting, "add_late_evidence"),
        "next": safe_next(request),
    }, submit(request, make_form, save))


@login_required
def edit_evidence(request, update_id):
    """Its author corrects an update; the earlier version is kept and shown."""
    try:
        update, versions = selectors.evidence_update_with_versions(update_id)
    except EvidenceUpdate.DoesNotExist as missing:
        raise Http404("No such update") from missing
    permissions.ensure(request.user, "edit_evidence", update)
    initial = {"text": update.text, "written_on": update.written_on, "version": update.version}

    def save(data):
        services.edit_evidence(
            update, data["text"], data["written_on"], by=request.user, expected_version=data["version"],
        )
        saved(request, messages.SUCCESS, update.recommendation,
              f"Your correction to the update for {update.recommendation} has been saved. "
              "The earlier version is kept on its timeline.")
        return redirect_back(
            request, reverse("timeline", kwargs={"recommendation_id": update.recommendation_id}),
            fragment=section_of(update.recommendation) if safe_next(request) else "",
        )

    submission = submit(
        request, lambda data, version=None: EvidenceCorrectionForm(data, initial=initial), save,
        stale_message=lambda current: stale_message("this update", selectors.last_editor(current)),
    )
    return render_form(request, "tracker/evidence_edit.html", {
        "update": update,
        "versions": versions,
        "next": safe_next(request),
    }, submission)
