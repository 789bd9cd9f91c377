"""The one-page forms: the assessor proposes for a whole portfolio, the scrutiny office
records the committee's decisions on every tracked recommendation.

Each row is saved through the services one by one (each in its own savepoint): the rows
that pass the rules are saved, the others come back with the reason beside them, and a
row someone else saved meanwhile is reported there and not overwritten.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from tracker import categories, cycle, permissions, selectors, services
from tracker.forms import add_service_error
from tracker.forms.bulk import decision_formset, proposal_formset
from tracker.models import Meeting
from tracker.views.common import stale_message

OUT_OF_DATE = ("The list of recommendations changed while you were editing, so nothing was saved. "
               "The page below is up to date: enter your changes again.")


def _meeting(meeting_id) -> Meeting:
    try:
        return selectors.meeting_for_rows(meeting_id)
    except Meeting.DoesNotExist as missing:
        raise Http404("No such meeting") from missing


def _error_links(formset) -> list[tuple[str, str]]:
    """The error summary: each row's errors, named by its recommendation, linking to the field
    (or to the row, for an error about the whole row)."""
    links = []
    for form in formset.forms:
        for anchor, message in form.error_links():
            links.append((anchor or f"row-{form.row.pk}", f"{form.number}: {message}"))
    return links


def _save_rows(request, formset, changes, save):
    """Save the changed rows through ``save`` (a service over many rows) and put each row's
    refusal beside it. Returns (how many were saved, the formset to show again or None)."""
    try:
        results = save(changes)
    except ValidationError as error:  # the meeting's state: nothing was written
        formset.page_errors = error.messages
        return 0, formset
    saved = [result for result in results if result.saved]
    for result in saved:
        for warning in result.warnings:
            messages.warning(request, f"{result.assessment.recommendation}: {warning}")
    failed = [result for result in results if not result.saved]
    if not failed and not any(form.errors for form in formset.forms):
        return len(saved), None
    # Show the page again: the saved rows at their new version, the others with their reasons.
    data = request.POST.copy()
    by_pk = {result.assessment.pk: result for result in results}
    for form in formset.forms:
        result = by_pk.get(form.row.pk)
        if result and (result.saved or result.stale is not None):
            data[f"{form.prefix}-version"] = str((result.stale or result.assessment).version)
    again = formset.rebuild(data)
    again.is_valid()
    for form in again.forms:
        result = by_pk.get(form.row.pk)
        if result is None or result.saved:
            continue
        if result.error is not None:
            add_service_error(form, result.error)
        elif result.stale is not None:
            form.stale = result.stale
            form.add_error(None, stale_message(
                f"{form.number}", result.stale.agreed_by or result.stale.proposed_by))
        elif result.gone:
            form.add_error(None, result.gone)
    again.stale_rows = any(result.stale is not None or result.gone for result in failed)
    return len(saved), again


def _render(request, template, context, formset, *, status=200):
    if formset.page_errors or any(form.errors for form in formset.forms):
        status = 409 if formset.stale_rows else 400
    return render(request, template, {**context, "formset": formset, "error_links": _error_links(formset)},
                  status=status)


class _Rows:
    """A formset and how to build it again from other data (after a partial save)."""

    def __init__(self, build, data):
        self.build = build
        self.formset = self.rebuild(data)

    def rebuild(self, data):
        formset = self.build(data)
        formset.page_errors, formset.stale_rows = [], False
        formset.rebuild = self.rebuild
        return formset


def _annotate(rows):
    for assessment in rows:
        conclusion = getattr(assessment.recommendation, "conclusion", None)
        assessment.concluded_here = conclusion is not None and conclusion.meeting_id == assessment.meeting_id
    return rows


@login_required
def meeting_decisions(request, meeting_id):
    """The committee's decisions on every tracked recommendation, from one page.

    "Agree all as proposed" records every recommendation not yet decided as the page shows it:
    the proposal, unless changed, and concluded where ticked. "Save decisions" records only the
    rows that were changed (the exceptions, or a correction to one already recorded).
    """
    permissions.ensure(request.user, "record_decisions")
    meeting = _meeting(meeting_id)
    narrative = meeting.scheme.is_narrative
    rows = _annotate([a for a in selectors.rows_to_assess(meeting) if not _concluded_earlier(a)])
    posted = request.method == "POST"
    agree_all = posted and "agree_all" in request.POST and not narrative
    rows_set = _Rows(lambda data: decision_formset(data, rows, narrative=narrative, agree_all=agree_all),
                     request.POST if posted else None)
    formset = rows_set.formset
    context = {
        "meeting": meeting,
        "narrative": narrative,
        "closed_message": cycle.refusal(meeting, "record_decision"),
        "undecided": sum(1 for a in rows if not a.decided),
        **categories.hints(meeting.scheme),
    }
    if not posted:
        return _render(request, "tracker/meeting_decisions.html", context, formset)
    if not formset.matches_rows():
        messages.error(request, OUT_OF_DATE)
        return _render(request, "tracker/meeting_decisions.html", context, rows_set.rebuild(None), status=409)
    formset.is_valid()
    changes = []
    for form in formset.forms:
        wanted = (agree_all and not form.row.decided) or form.pending
        if not form.is_valid() or not (wanted or form.changed()):
            continue
        data = form.cleaned_data
        concluded = data["outcome"] == "completed" if narrative else data["concluded"]
        changes.append(services.RowChange(
            form.row, data.get("category"), data.get("anticipated_date"), reasons=data.get("reasons", ""),
            reason=data.get("reason", ""), expected_version=data["version"], concluded=concluded,
            remark=data.get("remark", ""),
        ))
    count, again = _save_rows(request, formset, changes, lambda changes: services.record_decisions(
        meeting, changes, by=request.user))
    if count or again is None:
        messages.success(request, _recorded(count))
    if again is not None:
        context["undecided"] = sum(1 for a in rows if not a.decided)
        return _render(request, "tracker/meeting_decisions.html", context, again)
    if all(a.decided for a in rows):
        return redirect("meeting_detail", meeting_id=meeting.pk)
    return redirect("meeting_decisions", meeting_id=meeting.pk)


def _concluded_earlier(assessment) -> bool:
    """Concluded at an earlier meeting: nothing for the committee to decide here."""
    conclusion = getattr(assessment.recommendation, "conclusion", None)
    return conclusion is not None and conclusion.meeting_id != assessment.meeting_id


def _recorded(count: int) -> str:
    if not count:
        return "Nothing was changed, so no decision was recorded."
    return f"{count} decision{'s' if count != 1 else ''} recorded."


@login_required
def portfolio_proposals(request, meeting_id):
    """The assessor proposes a category for every recommendation of their portfolio on one page
    (the scrutiny office: for every one, on the owners' behalf). Unchanged rows are not saved."""
    meeting = _meeting(meeting_id)
    office = permissions.is_scrutiny_office(request.user) and permissions.can_view(request.user)
    if not office:
        permissions.ensure(request.user, "use_cabinet_page")
    rows = selectors.rows_to_assess(meeting, owner_ids=None if office else permissions.owner_ids(request.user))
    narrative = meeting.scheme.is_narrative  # nothing to propose without categories
    rows = _annotate([a for a in rows if not narrative and getattr(a.recommendation, "conclusion", None) is None
                      and permissions.can_propose(request.user, a)])
    posted = request.method == "POST"
    rows_set = _Rows(lambda data: proposal_formset(data, rows), request.POST if posted else None)
    formset = rows_set.formset
    back_url = reverse("meeting_detail" if office else "cabinet_meeting", kwargs={"meeting_id": meeting.pk})
    context = {
        "meeting": meeting,
        "office": office,
        "narrative": narrative,
        "closed_message": cycle.refusal(meeting, "propose"),
        "back_url": back_url,
        **categories.hints(meeting.scheme),
    }
    if not posted:
        return _render(request, "tracker/portfolio_proposals.html", context, formset)
    if not formset.matches_rows():
        messages.error(request, OUT_OF_DATE)
        return _render(request, "tracker/portfolio_proposals.html", context, rows_set.rebuild(None), status=409)
    formset.is_valid()
    changes = []
    for form in formset.forms:
        if not form.is_valid() or not (form.changed() or form.pending):
            continue
        data = form.cleaned_data
        changes.append(services.RowChange(
            form.row, data["category"], data["anticipated_date"], reasons=data["reasons"], reason=data["reason"],
            expected_version=data["version"],
        ))
    count, again = _save_rows(request, formset, changes, lambda changes: services.propose_categories(
        meeting, changes, by=request.user))
    if count or again is None:
        words = "Nothing was changed, so no proposal was saved." if not count else \
            f"{count} proposal{'s' if count != 1 else ''} saved" + (" on the owners’ behalf." if office else ".")
        messages.success(request, words)
    if again is not None:
        return _render(request, "tracker/portfolio_proposals.html", context, again)
    return redirect(back_url)
