"""Pages every signed-in user reads: all recommendations, and one recommendation's timeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from tracker import cycle, permissions, selectors
from tracker.models import Recommendation


@login_required
def recommendation_list(request):
    recommendations = list(selectors.recommendations_list())
    for recommendation in recommendations:
        recommendation.tracking_assessment = selectors.tracking_assessment(recommendation)
    tracked = [r for r in recommendations if not r.is_concluded]
    concluded = [r for r in recommendations if r.is_concluded]
    return render(request, "tracker/recommendation_list.html", {
        "tracked": tracked,
        "concluded": concluded,
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
