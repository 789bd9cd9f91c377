"""The meeting pages: every meeting; scheduling and running one (scrutiny office); the
meeting page with every tracked recommendation, and each one's own page (everyone); recording
decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
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
    NarrativeDecisionForm,
)
from tracker.models import Meeting, Recommendation
from tracker.views.cabinet import assessment_or_404
from tracker.views.common import (
    back_to,
    details_inline,
    pack_links,
    render_form,
    saved,
    section_of,
    stale_message,
    submit,
    tracked_detail_url,
)


@login_required
def meeting_list(request):
    return render(request, "tracker/meeting_list.html", {
        "meetings": selectors.meetings_list(),
        "can_manage": permissions.can_manage_meetings(request.user),
    })


@login_required
def meeting_new(request):
    permissions.ensure(request.user, "manage_meetings")

    def save(data):
        meeting = services.schedule_meeting(data["committee"], data["date"], data["evidence_deadline"], by=request.user)
        messages.success(request, f"Meeting scheduled for {meeting.date_display}. Now choose what it tracks.")
        return redirect("meeting_choose", meeting_id=meeting.pk)

    submission = submit(request, lambda data, version=None: MeetingForm(data), save)
    return render_form(request, "tracker/meeting_form.html", {"meeting": None}, submission)


def _meeting(meeting_id) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("committee", "scheme"), pk=meeting_id)


# The meeting page's table of tracked recommendations, and of those concluded earlier, a page at a time.
TRACKED_PER_PAGE = 100
CONCLUDED_PER_PAGE = 100


def _acting(user, meeting: Meeting) -> dict:
    """What the meeting's pages offer this person now: the same on the meeting page and on a
    tracked recommendation's own page."""
    can_manage = permissions.can_manage_meetings(user)
    narrative = meeting.scheme.is_narrative
    return {
        "can_manage": can_manage,
        "narrative": narrative,
        "proposing": can_manage and not narrative and cycle.allows(meeting, "propose"),
        "late_open": can_manage and cycle.allows(meeting, "add_late_evidence"),
        "can_record": permissions.can_record_decisions(user) and cycle.allows(meeting, "record_decision"),
    }


def _offer(rows, acting: dict) -> None:
    """The links each recommendation's detail offers: none for one already concluded."""
    for row in rows:
        row.can_propose_on_behalf = acting["proposing"] and row.conclusion is None
        row.can_add_late = acting["late_open"] and row.conclusion is None


def _pages(paginator_page) -> list:
    """The page numbers a pagination shows: the first, the last and those near this one, "…" between."""
    return list(paginator_page.paginator.get_elided_page_range(paginator_page.number, on_each_side=2, on_ends=1))


@login_required
def meeting_detail(request, meeting_id):
    """The meeting, whatever its size: its state and next step, what stops it, and the tracked
    recommendations in a table a page at a time (proposal, decision, what changed). Up to
    DETAILS_INLINE_UP_TO, each one's detail follows the table; above it, each row links to the
    recommendation's own page. Counts and warnings are counted by the database, never by
    loading every recommendation."""
    meeting = _meeting(meeting_id)
    previous = selectors.previous_meeting(meeting)
    tracked = selectors.tracked(meeting, previous)
    inline = details_inline(tracked.count)
    page = Paginator(tracked.rows, TRACKED_PER_PAGE).get_page(request.GET.get("page"))
    rows = selectors.tracked_at(meeting) if inline else []
    acting = _acting(request.user, meeting)
    _offer(rows, acting)
    can_manage = acting["can_manage"]
    step = cycle.next_step(meeting)
    concluded = Paginator(selectors.concluded_before(meeting), CONCLUDED_PER_PAGE).get_page(
        request.GET.get("concluded_page"))
    return render(request, "tracker/meeting_detail.html", {
        **acting,
        "meeting": meeting,
        "previous": previous,
        "tracked": tracked,
        "inline": inline,
        "page": page,
        "pages": _pages(page),
        "lines": selectors.tracked_lines(page.object_list, meeting),
        "rows": rows,
        "concluded": concluded,
        "concluded_pages": _pages(concluded),
        "concluded_rows": selectors.concluded_rows(concluded.object_list),
        # The next step is offered as a button only when nothing stops it; else the page says why.
        "step_blockers": cycle.step_blockers(meeting, tracked) if can_manage else [],
        "can_change": can_manage and cycle.allows(meeting, "change_meeting"),
        "can_choose": can_manage and cycle.allows(meeting, "choose_recommendations"),
        "step": step if can_manage else None,
        "pack_links": pack_links(meeting, request.user),
        "covers": selectors.cover_reports(meeting) if can_manage else [],
        "cover_open": cycle.allows(meeting, "write_cover"),
        "publish_url": reverse("pack_versions", kwargs={"meeting_id": meeting.pk}),
        "step_explanation": step.explain(meeting) if step else "",
        "message_sections": {row.recommendation.pk for row in rows},
    })


@login_required
def tracked_recommendation(request, meeting_id, recommendation_id):
    """One recommendation tracked at a meeting, on its own page: what the meeting page's section
    shows (text, what changed, evidence, category, conclusion, the links to act), the messages of
    the actions that return here, and the recommendations either side in the meeting's order.
    A recommendation the meeting does not track is not found."""
    meeting = _meeting(meeting_id)
    rows = selectors.tracked_at(meeting, recommendation_id=recommendation_id)
    if not rows:
        raise Http404("The meeting does not track this recommendation.")
    row = rows[0]
    acting = _acting(request.user, meeting)
    _offer(rows, acting)
    place = selectors.place_at(meeting, row.recommendation)
    meeting_url = reverse("meeting_detail", kwargs={"meeting_id": meeting.pk})
    if not details_inline(place.count):  # back to the page of the table it is on
        page = (place.position - 1) // TRACKED_PER_PAGE + 1
        meeting_url += f"?page={page}" if page > 1 else ""
    return render(request, "tracker/tracked_recommendation.html", {
        **acting,
        "meeting": meeting,
        "row": row,
        "place": place,
        "previous": selectors.previous_meeting(meeting),
        "back_url": f"{meeting_url}#{section_of(row.recommendation)}",
        "message_sections": {row.recommendation.pk},
    })


@login_required
def meeting_change(request, meeting_id):
    permissions.ensure(request.user, "manage_meetings")
    meeting = _meeting(meeting_id)
    initial = {"date": meeting.date, "evidence_deadline": meeting.evidence_deadline, "version": meeting.version}

    def save(data):
        services.change_meeting(
            meeting, data["date"], data["evidence_deadline"], by=request.user, expected_version=data["version"]
        )
        messages.success(request, "The meeting has been changed.")
        return redirect("meeting_detail", meeting_id=meeting.pk)

    submission = submit(
        request, lambda data, version=None: MeetingChangeForm(data, initial=initial), save,
        stale_message=lambda current: stale_message("this meeting", selectors.last_editor(current)),
    )
    return render_form(request, "tracker/meeting_form.html", {
        "meeting": meeting, "closed_message": cycle.refusal(meeting, "change_meeting"),
    }, submission)


@login_required
def meeting_choose(request, meeting_id):
    """Choose the recommendations to track: by default every one of the committee not yet concluded."""
    permissions.ensure(request.user, "manage_meetings")
    meeting = _meeting(meeting_id)
    trackable = (
        Recommendation.objects.filter(committee_id=meeting.committee_id).tracked()
        .select_related("theme").prefetch_related("sub_parts")
        .order_by("inquiry_id", "position", "number")
    )
    chosen = list(meeting.assessments.values_list("recommendation_id", flat=True))

    def make_form(data, version=None):
        return ChooseRecommendationsForm(
            data, queryset=trackable,
            initial={"recommendations": chosen or list(trackable.tracked_by_default().values_list("pk", flat=True))},
        )

    def save(data):
        assessments = services.choose_recommendations(meeting, list(data["recommendations"]), by=request.user)
        messages.success(request, f"{len(assessments)} recommendations will be tracked at this meeting.")
        return redirect("meeting_detail", meeting_id=meeting.pk)

    return render_form(request, "tracker/meeting_choose.html", {
        "meeting": meeting, "closed_message": cycle.refusal(meeting, "choose_recommendations"),
    }, submit(request, make_form, save))


@login_required
@require_POST
def meeting_advance(request, meeting_id):
    """Move the meeting to the next state of its cycle (the button on the meeting page)."""
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
        messages.success(request, f"The meeting is now “{meeting.get_state_display()}”.")
    return redirect("meeting_detail", meeting_id=meeting.pk)


@login_required
def decide(request, assessment_id):
    """The scrutiny office records the committee's category and whether it concluded the recommendation."""
    permissions.ensure(request.user, "record_decisions")
    assessment = assessment_or_404(assessment_id)
    recommendation = assessment.recommendation
    meeting = assessment.meeting
    scheme = meeting.scheme
    conclusion = getattr(recommendation, "conclusion", None)
    initial = {
        "category": assessment.agreed_category_id or assessment.proposed_category_id,
        "anticipated_date": assessment.anticipated_date,
        "reasons": assessment.reasons,
        "version": assessment.version,
        "concluded": conclusion is not None and conclusion.meeting_id == meeting.pk,
        "remark": conclusion.remark if conclusion else "",
    }

    narrative = scheme.is_narrative
    # Back where the decision was asked for (the meeting page, or the recommendation's own page).
    back_url = back_to(request, tracked_detail_url(meeting.pk, recommendation), fragment=section_of(recommendation))
    if narrative:
        initial["outcome"] = ("completed" if initial["concluded"] else "continue") if assessment.decided else None

    def make_form(data, version=None):
        if narrative:
            return NarrativeDecisionForm(data, scheme=scheme, initial=initial)
        read = version or assessment
        return DecisionForm(data, scheme=scheme, initial=initial, date_advised=read.anticipated_date is not None)

    def save(data):
        concluded = data["outcome"] == "completed" if narrative else data["concluded"]
        warnings = services.record_decision(
            assessment, data.get("category"), data.get("anticipated_date"), by=request.user,
            expected_version=data["version"], reason=data.get("reason", ""), reasons=data.get("reasons", ""),
            concluded=concluded, remark=data["remark"],
        )
        if narrative:
            words = scheme.completed_words if concluded else scheme.continue_words
            done = f"Recorded: “{words}” for {recommendation}"
        else:
            done = f"Recorded: the committee agreed “{data['category']}” for {recommendation}"
        saved(request, messages.SUCCESS, recommendation, done + (" and concluded it." if concluded else "."))
        for warning in warnings:
            saved(request, messages.WARNING, recommendation, f"{recommendation}: {warning}")
        return redirect(back_url)

    submission = submit(request, make_form, save, stale_message=lambda current: stale_message(
        f"the decision for {recommendation}", current.agreed_by or current.proposed_by))
    return render_form(request, "tracker/decide.html", {
        "assessment": assessment,
        "recommendation": recommendation,
        "meeting": meeting,
        "narrative": narrative,
        "concluded_here": conclusion is not None and conclusion.meeting_id == meeting.pk,
        "closed_message": cycle.refusal(meeting, "record_decision"),
        "back_url": back_url,
    }, submission)
