"""Pages every signed-in user reads: all recommendations, and one recommendation's timeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from tracker import cycle, permissions, selectors
from tracker.filters import STATUSES, RecommendationFilter
from tracker.models import Recommendation

PER_PAGE = 50


@login_required
def recommendation_list(request):
    """Tracked and concluded (or, when asked, withdrawn) recommendations, each list in pages of 50,
    filtered by committee, inquiry, owner, category in force and overdue (a GET form)."""
    filters = RecommendationFilter(
        request.GET, queryset=selectors.with_date_in_force(selectors.recommendations_list())
    )
    recommendations = filters.qs
    status = request.GET.get("status", "")
    shown = {status} if status in dict(STATUSES) else {"tracked", "concluded"}
    lists = {}
    for name, part in (("tracked", recommendations.tracked), ("concluded", recommendations.concluded),
                       ("withdrawn", recommendations.withdrawn)):
        if name in shown:
            lists[name] = Paginator(part(), PER_PAGE).get_page(request.GET.get(f"{name}_page"))
    for recommendation in lists.get("concluded", ()):
        recommendation.tracking_assessment = selectors.tracking_assessment(recommendation)
    return render(request, "tracker/recommendation_list.html", {
        "filters": filters,
        "filtered": any(request.GET.get(name) for name in filters.filters),
        **lists,
    })


@login_required
def timeline(request, recommendation_id):
    """Everything that happened to one recommendation, in order."""
    try:
        recommendation, entries = selectors.timeline(recommendation_id)
    except Recommendation.DoesNotExist as missing:
        raise Http404("No such recommendation") from missing
    return render(request, "tracker/timeline.html", {
        "recommendation": recommendation,
        "entries": entries,
        "user_can_edit": {
            entry.subject.pk for entry in entries
            if entry.kind == "evidence" and permissions.can_edit_evidence(request.user, entry.subject, recommendation)
        } if cycle.collecting_evidence(a.meeting for a in recommendation.assessments.all()) else set(),
    })
