"""The overview of the tracking round: the scrutiny office's, with links to act, and committee members'
to read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from tracker import overview as figures
from tracker import permissions
from tracker.forms.overview import OverviewFilterForm


def _overdue_list(committee, inquiry) -> str:
    """The recommendations list showing every overdue one of the overview's choice."""
    query = {"overdue": "on", "status": "tracked"}
    if committee is not None:
        query["committee"] = committee.pk
    if inquiry is not None:
        query["inquiry"] = inquiry.pk
    return f"{reverse('recommendation_list')}?{urlencode(query)}"


@login_required
def overview(request):
    """Each upcoming meeting's progress, the recommendations to watch and the categories in force,
    for one committee or inquiry or for all. A filter that is not one of the choices is said beside
    its field, and the figures are for all."""
    permissions.ensure(request.user, "see_overview")
    form = OverviewFilterForm(request.GET or None)
    committee = inquiry = None
    if form.is_bound and form.is_valid():
        committee, inquiry = form.cleaned_data["committee"], form.cleaned_data["inquiry"]
    narrow = figures.needs_a_choice(committee, inquiry)
    found = None if narrow else figures.overview(timezone.localdate(), committee=committee, inquiry=inquiry)
    return render(request, "tracker/overview.html", {
        "choose_first": narrow,
        "today": timezone.localdate(),
        "form": form,
        "committee": committee,
        "inquiry": inquiry,
        "filtered": committee is not None or inquiry is not None,
        "overview": found,
        "can_act": permissions.can_manage_meetings(request.user),
        "overdue_url": _overdue_list(committee, inquiry),
    }, status=400 if form.errors else 200)
