"""The set-up pages for inquiries and their recommendations (scrutiny office).

Every inquiry by committee; adding and changing one; its recommendations in printed
order, each changed, moved up or down, withdrawn or moved to another committee; one
recommendation typed in. Pasting and importing many at once are in ``inquiry_imports``.
Every change goes through tracker.services.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.views.decorators.http import require_POST

from tracker import permissions, selectors, services
from tracker.forms.inquiries import (
    InquiryChangeForm,
    InquiryForm,
    InquiryTransferForm,
    RecommendationChangeForm,
    RecommendationForm,
    TransferForm,
    WithdrawForm,
    recommendation_text,
)
from tracker.models import Committee, ExecutiveResponse, Inquiry, Milestone, Recommendation
from tracker.views.common import render_form, stale_message, submit

LONG_DATE = "j F Y"


def long_date(day) -> str:
    return format_date(day, LONG_DATE)


def milestone_words(milestone) -> str:
    """How a milestone of the original date was read: "Completion: 31 December 2015", "Waiting on: …", "On-going".

    Takes a stored Milestone or a parsed one (tracker.parsed.ParsedMilestone).
    """
    if milestone.kind == Milestone.Kind.ONGOING:
        return Milestone.Kind.ONGOING.label
    kind = Milestone.Kind(milestone.kind).label
    if milestone.due_date:
        return f"{kind}: {long_date(milestone.due_date)}"
    if milestone.kind == Milestone.Kind.COMPLETION:
        return f"Waiting on: {milestone.event}"
    return f"{kind}, waiting on: {milestone.event}"


def response_words(recommendation) -> str:
    words = recommendation.get_executive_response_display()
    if recommendation.executive_response_on:
        words += f" on {long_date(recommendation.executive_response_on)}"
    return words


def status_words(recommendation, inquiry) -> str:
    """Tracked, concluded or withdrawn, and the committee tracking it when it moved from the inquiry's."""
    if recommendation.withdrawn_on:
        return f"Withdrawn on {long_date(recommendation.withdrawn_on)}"
    conclusion = getattr(recommendation, "conclusion", None)
    if conclusion is not None:
        return f"Concluded by the committee on {conclusion.meeting.date_display}"
    if recommendation.committee_id != inquiry.committee_id:
        return f"Tracked by {recommendation.committee}"
    if recommendation.executive_response not in (ExecutiveResponse.ACCEPTED, ExecutiveResponse.ACCEPTED_IN_PRINCIPLE):
        return "Not tracked by default"
    return "Tracked"


@dataclass
class SetupRow:
    recommendation: Recommendation
    owners: list[str]
    response: str
    status: str
    first: bool
    last: bool


def inquiry_or_404(inquiry_id) -> Inquiry:
    inquiry = selectors.inquiry_for_setup(inquiry_id)
    if inquiry is None:
        raise Http404("No such inquiry")
    return inquiry


def recommendation_or_404(recommendation_id) -> Recommendation:
    recommendation = selectors.recommendation_for_setup(recommendation_id)
    if recommendation is None:
        raise Http404("No such recommendation")
    return recommendation


def _other_committees(committee) -> bool:
    return Committee.objects.exclude(pk=committee.pk).exists()


def inquiry_url(inquiry, recommendation=None) -> str:
    url = reverse("setup_inquiry", kwargs={"inquiry_id": inquiry.pk})
    return f"{url}#recommendation-{recommendation.pk}" if recommendation else url


# --- Inquiries -----------------------------------------------------------------------------------


@login_required
def inquiry_list(request):
    permissions.ensure(request.user, "set_up")
    return render(request, "setup/inquiries/inquiry_list.html", {"groups": selectors.inquiries_by_committee()})


@login_required
def inquiry_new(request):
    permissions.ensure(request.user, "set_up")

    def save(data):
        inquiry = services.create_inquiry(by=request.user, committee=data["committee"], title=data["title"],
                                          reported_on=data["reported_on"])
        messages.success(request, f"“{inquiry.title}” was added. Now add its recommendations.")
        return redirect("setup_inquiry", inquiry_id=inquiry.pk)

    submission = submit(request, lambda data, version=None: InquiryForm(data), save)
    return render_form(request, "setup/inquiries/inquiry_form.html", {"inquiry": None}, submission)


@login_required
def inquiry_detail(request, inquiry_id):
    permissions.ensure(request.user, "set_up")
    inquiry = inquiry_or_404(inquiry_id)
    recommendations = selectors.inquiry_recommendations(inquiry)
    rows = [
        SetupRow(recommendation, [r.owner.name for r in recommendation.responsibilities.all()],
                 response_words(recommendation), status_words(recommendation, inquiry),
                 first=index == 0, last=index == len(recommendations) - 1)
        for index, recommendation in enumerate(recommendations)
    ]
    return render(request, "setup/inquiries/inquiry_detail.html", {"inquiry": inquiry, "rows": rows})


@login_required
def inquiry_change(request, inquiry_id):
    permissions.ensure(request.user, "set_up")
    inquiry = inquiry_or_404(inquiry_id)
    initial = {"title": inquiry.title, "reported_on": inquiry.reported_on, "version": inquiry.version}

    def save(data):
        services.update_inquiry(inquiry, by=request.user, expected_version=data["version"], title=data["title"],
                                reported_on=data["reported_on"])
        messages.success(request, "The inquiry’s details were changed.")
        return redirect("setup_inquiry", inquiry_id=inquiry.pk)

    submission = submit(
        request, lambda data, version=None: InquiryChangeForm(data, initial=initial), save,
        stale_message=lambda current: stale_message("this inquiry", selectors.last_editor(current)),
    )
    return render_form(request, "setup/inquiries/inquiry_form.html", {"inquiry": inquiry}, submission)


@login_required
def inquiry_transfer(request, inquiry_id):
    """Move the inquiry, and the recommendations its committee tracks, to the committee now responsible."""
    permissions.ensure(request.user, "set_up")
    inquiry = inquiry_or_404(inquiry_id)
    initial = {"transferred_on": timezone.localdate(), "version": inquiry.version}

    def make_form(data, version=None):
        return InquiryTransferForm(data, initial=initial, current_committee=inquiry.committee)

    def save(data):
        transfers = services.transfer_inquiry(inquiry, data["to_committee"], by=request.user,
                                              on=data["transferred_on"], reason=data["reason"],
                                              expected_version=data["version"])
        messages.success(request, f"“{inquiry.title}” and {len(transfers)} of its recommendations are now "
                                  f"{data['to_committee']}’s.")
        return redirect("setup_inquiry", inquiry_id=inquiry.pk)

    submission = submit(request, make_form, save, stale_message=lambda current: stale_message(
        "this inquiry", selectors.last_editor(current)))
    moving = inquiry.recommendations.filter(committee_id=inquiry.committee_id).count()
    return render_form(request, "setup/inquiries/transfer.html", {
        "inquiry": inquiry, "recommendation": None, "committee": inquiry.committee, "moving": moving,
        "back": inquiry_url(inquiry), "other_committees": _other_committees(inquiry.committee),
    }, submission)


# --- One recommendation --------------------------------------------------------------------------


@login_required
def recommendation_new(request, inquiry_id):
    permissions.ensure(request.user, "set_up")
    inquiry = inquiry_or_404(inquiry_id)

    forms = []

    def make_form(data, version=None):
        forms.append(RecommendationForm(data, inquiry=inquiry,
                                        initial={"executive_response": ExecutiveResponse.ACCEPTED}))
        return forms[-1]

    def save(data):
        recommendation = services.add_one_recommendation(
            inquiry, forms[-1].parsed(), by=request.user, executive_response=data["executive_response"],
            responded_on=data["responded_on"])
        messages.success(request, f"{recommendation.number} was added. Check below how its text was read.")
        return redirect("setup_recommendation", recommendation_id=recommendation.pk)

    submission = submit(request, make_form, save)
    return render_form(request, "setup/inquiries/recommendation_form.html", {
        "inquiry": inquiry, "recommendation": None,
    }, submission)


@login_required
def recommendation_change(request, recommendation_id):
    """Correct a recommendation: saved from the version it was read at (409 when someone saved first)."""
    permissions.ensure(request.user, "set_up")
    recommendation = recommendation_or_404(recommendation_id)
    inquiry = recommendation.inquiry
    initial = {
        "number": recommendation.number,
        "text": recommendation_text(recommendation),
        "owners": "\n".join(r.owner.name for r in recommendation.responsibilities.all()),
        "timescale": recommendation.original_timescale,
        "theme": str(recommendation.theme_id or ""),
        "executive_response": recommendation.executive_response,
        "responded_on": recommendation.executive_response_on,
        "version": recommendation.version,
    }
    date_in_use = services.original_date_in_use(recommendation)
    forms = []

    def make_form(data, version=None):
        forms.append(RecommendationChangeForm(data, inquiry=inquiry, initial=initial, date_in_use=date_in_use))
        return forms[-1]

    def save(data):
        saved = services.edit_recommendation(
            recommendation, forms[-1].parsed(), by=request.user, expected_version=data["version"],
            theme=data["theme"], new_theme=data["new_theme"], executive_response=data["executive_response"],
            responded_on=data["responded_on"])
        messages.success(request, f"{saved.number} was saved. Check below how its text was read.")
        return redirect("setup_recommendation", recommendation_id=recommendation.pk)

    submission = submit(request, make_form, save, stale_message=lambda current: stale_message(
        f"recommendation {current.number}", selectors.last_editor(current)))
    saved_meanwhile = None
    if submission.stale is not None:
        saved_meanwhile = recommendation_or_404(recommendation_id)
    return render_form(request, "setup/inquiries/recommendation_form.html", {
        "inquiry": inquiry,
        "recommendation": recommendation,
        "saved_meanwhile": saved_meanwhile,
        "saved_owners": [r.owner.name for r in saved_meanwhile.responsibilities.all()] if saved_meanwhile else [],
        "saved_response": response_words(saved_meanwhile) if saved_meanwhile else "",
        "status": status_words(recommendation, inquiry),
    }, submission)


@login_required
def recommendation_withdraw(request, recommendation_id):
    """Take back a recommendation entered by mistake: deleted while nothing refers to it, else withdrawn."""
    permissions.ensure(request.user, "set_up")
    recommendation = recommendation_or_404(recommendation_id)
    inquiry = recommendation.inquiry
    number = recommendation.number

    def save(data):
        deleted = services.withdraw_recommendation(recommendation, by=request.user, reason=data["reason"])
        if deleted:
            messages.success(request, f"{number} was deleted.")
        else:
            messages.success(request, f"{number} was withdrawn. It is kept with its history, off every list "
                                      "still to come.")
        return redirect("setup_inquiry", inquiry_id=inquiry.pk)

    if recommendation.withdrawn_on:
        submission = submit(request, lambda data, version=None: WithdrawForm(None), save)
    else:
        submission = submit(request, lambda data, version=None: WithdrawForm(data), save)
    return render_form(request, "setup/inquiries/withdraw.html", {
        "inquiry": inquiry,
        "recommendation": recommendation,
        "references": services.recommendation_references(recommendation),
        "withdrawn_on": recommendation.withdrawn_on and long_date(recommendation.withdrawn_on),
    }, submission)


@login_required
@require_POST
def recommendation_move(request, recommendation_id):
    """Move a recommendation up or down its inquiry's printed order (the buttons on the inquiry's page)."""
    permissions.ensure(request.user, "set_up")
    recommendation = recommendation_or_404(recommendation_id)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, "This page was out of date. Check the order below and try again.")
    else:
        services.move_recommendation(recommendation, by=request.user, up=direction == "up")
        messages.success(request, f"{recommendation.number} was moved {direction}.")
    return redirect(inquiry_url(recommendation.inquiry, recommendation))


@login_required
def recommendation_transfer(request, recommendation_id):
    """Move one recommendation to the committee now responsible for it; its inquiry stays where it is."""
    permissions.ensure(request.user, "set_up")
    recommendation = recommendation_or_404(recommendation_id)
    inquiry = recommendation.inquiry

    def make_form(data, version=None):
        return TransferForm(data, initial={"transferred_on": timezone.localdate()},
                            current_committee=recommendation.committee)

    def save(data):
        services.transfer_recommendations([recommendation], data["to_committee"], by=request.user,
                                          on=data["transferred_on"], reason=data["reason"])
        messages.success(request, f"{recommendation.number} is now tracked by {data['to_committee']}.")
        return redirect(inquiry_url(inquiry, recommendation))

    return render_form(request, "setup/inquiries/transfer.html", {
        "inquiry": inquiry, "recommendation": recommendation, "committee": recommendation.committee,
        "back": reverse("setup_recommendation", kwargs={"recommendation_id": recommendation.pk}),
        "other_committees": _other_committees(recommendation.committee),
    }, submit(request, make_form, save))
