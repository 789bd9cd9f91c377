"""The home page: each role is sent on to its own page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from tracker import permissions, selectors


@dataclass
class Destination:
    title: str
    url: str
    description: str


@login_required
def home(request):
    user = request.user
    destinations = []
    if permissions.can_use_officer_page(user):
        destinations.append(Destination(
            "Your recommendations for the next meeting",
            reverse("officer_home"),
            "Read the evidence so far and add a dated update for the recommendations you are responsible for.",
        ))
    if permissions.can_use_cabinet_page(user):
        destinations.append(Destination(
            "Your portfolio: propose categories",
            reverse("cabinet_home"),
            "Read the evidence and propose a category, with an anticipated date where it needs one.",
        ))
    if permissions.can_manage_meetings(user):
        destinations.append(Destination(
            "Run the tracking meetings",
            reverse("meeting_list"),
            "Schedule a meeting, choose what it tracks, open it for evidence, record the committee’s decisions.",
        ))
    else:
        destinations.append(Destination(
            "Tracking meetings",
            reverse("meeting_list"),
            "Every tracked recommendation with its evidence, the proposed category and what changed "
            "since the last meeting.",
        ))
    if permissions.can_see_overview(user):
        destinations.append(Destination(
            "Overview of the tracking round",
            reverse("overview"),
            "Each coming meeting’s evidence, proposals and decisions so far, missing evidence by owner, and the "
            "recommendations overdue, slipped, past their anticipated date or waiting on an event.",
        ))
    if permissions.can_see_impact_report(user):
        destinations.append(Destination(
            "Annual impact report",
            reverse("impact_report"),
            "Recommendations made, accepted and achieved by each committee in a year, by inquiry, with charts; "
            "to download as PDF or Word for the annual scrutiny report.",
        ))
    destinations.append(Destination(
        "All recommendations",
        reverse("recommendation_list"),
        "Every recommendation with its category, and its full history on its timeline.",
    ))
    return render(request, "tracker/home.html", {
        "destinations": destinations,
        "upcoming": selectors.upcoming_meetings(),
        "is_office": permissions.is_scrutiny_office(user),
        "packs": selectors.latest_packs_for(user),
    })
