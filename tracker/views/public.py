"""The public register (/public/): what the council has published, for anyone, signed out.

Every query here starts from tracker.public, the one rule of what is public, so nothing
that exists only in a draft (evidence not yet printed, a proposal made after the pack,
a decision not yet recorded) can show. The pages are the same for everyone: they never
read the session or who is signed in, and any cache may keep them for
PUBLIC_CACHE_SECONDS (a published pack's PDF, which never changes, for a day).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header, http_date
from django.utils.text import slugify
from django.views.decorators.http import condition, require_safe
from django.views.decorators.vary import vary_on_headers

from tracker import public
from tracker import search as search_service
from tracker.models import (
    Assessment,
    Committee,
    Council,
    Footnote,
    Inquiry,
    Meeting,
    PublishedPack,
    Recommendation,
    Responsibility,
    SubPart,
)
from tracker.selectors import chronological_key

RESULTS_PER_PAGE = 20
MAX_RESULTS = 200
PDF_CACHE_SECONDS = 24 * 60 * 60


# --- Caching: what a proxy needs to serve the register ------------------------------------------


def _latest(model, field: str) -> Subquery:
    return Subquery(model.objects.order_by(f"-{field}").values(field)[:1])


def _stamps(request) -> dict:
    """When anything the register could show last changed, in one query of index look-ups (kept on the
    request). Any committee's, inquiry's, recommendation's or meeting's change counts, and any pack's,
    published or not on the register: more than the register shows, so a cache is sometimes asked to
    fetch a page that did not change, but never keeps one that did (working out exactly what is public
    here cost more than the page itself)."""
    if not hasattr(request, "_public_stamps"):
        row = (
            Council.objects.filter(pk=1)
            .annotate(
                committees_at=_latest(Committee, "changed_at"),
                inquiries_at=_latest(Inquiry, "changed_at"),
                recommendations_at=_latest(Recommendation, "changed_at"),
                meetings_at=_latest(Meeting, "changed_at"),
                packs_at=_latest(PublishedPack, "published_at"),
                council_at=F("version"),
            )
            .values("committees_at", "inquiries_at", "recommendations_at", "meetings_at", "packs_at", "council_at")
            .first()
        )
        request._public_stamps = row or {}
    return request._public_stamps


def _last_modified(request, *args, **kwargs) -> datetime.datetime | None:
    times = [value for key, value in _stamps(request).items() if key != "council_at" and value is not None]
    return max(times) if times else None


def _etag(request, *args, **kwargs) -> str | None:
    stamps = _stamps(request)
    if not stamps:
        return None
    text = "|".join(f"{key}={stamps[key]}" for key in sorted(stamps))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def public_page(view):
    """A register page: GET or HEAD only, answered 304 when nothing changed since the caller's
    copy, and kept by any cache for PUBLIC_CACHE_SECONDS (the same page for everyone)."""

    conditional = vary_on_headers("Accept-Encoding")(condition(etag_func=_etag, last_modified_func=_last_modified)(view))

    @wraps(view)
    def page(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        return response

    return require_safe(page)


# --- What a recommendation's status is, as published ----------------------------------------------


@dataclass
class Status:
    """A recommendation's status on the register: still tracked (with the category in force as
    published), concluded (where, with what outcome) or withdrawn."""

    kind: str  # "tracked", "concluded" or "withdrawn"
    category: object = None
    conclusion: object = None
    outcome: object = None
    withdrawn_on: datetime.date | None = None


def _status(recommendation: Recommendation, conclusion, assessments: list[Assessment]) -> Status:
    """From the recommendation's public assessments (chronological) and its public conclusion."""
    if recommendation.withdrawn_on:
        return Status("withdrawn", withdrawn_on=recommendation.withdrawn_on)
    if conclusion is not None:
        concluding = next((a for a in assessments if a.meeting_id == conclusion.meeting_id), None)
        return Status("concluded", conclusion=conclusion,
                      outcome=concluding.agreed_category if concluding and concluding.decision_public else None)
    return Status("tracked", category=public.category_in_force(reversed(assessments))[0])


def _public_assessments():
    return public.assessments().select_related("meeting", "proposed_category", "agreed_category")


def _statuses(recommendations: list[Recommendation]) -> None:
    """Set ``status`` on each (their ``public_assessments`` prefetched), in one query for the conclusions."""
    conclusions = {
        c.recommendation_id: c
        for c in public.conclusions().filter(recommendation__in=[r.pk for r in recommendations])
        .select_related("meeting")
    }
    for recommendation in recommendations:
        assessments = sorted(recommendation.public_assessments, key=lambda a: chronological_key(a.meeting))
        recommendation.status = _status(recommendation, conclusions.get(recommendation.pk), assessments)


def _with_text_and_owners(queryset):
    return queryset.select_related("theme", "inquiry").prefetch_related(
        Prefetch("sub_parts", queryset=SubPart.objects.order_by("position", "pk")),
        Prefetch("footnotes", queryset=Footnote.objects.order_by("number")),
        Prefetch("responsibilities", queryset=Responsibility.objects.select_related("owner")),
        Prefetch("assessments", queryset=_public_assessments(), to_attr="public_assessments"),
    )


def _inquiry_counts(recommendations) -> list[dict]:
    """Per inquiry: how many of its public recommendations are tracked, concluded and withdrawn."""
    concluded = Case(When(public.concluded_publicly(), then=Value(True)), default=Value(False))
    return list(
        recommendations.annotate(publicly_concluded=concluded)
        .values("committee_id", "inquiry_id", "inquiry__title", "inquiry__reported_on")
        .annotate(
            withdrawn=Count("pk", filter=Q(withdrawn_on__isnull=False)),
            concluded=Count("pk", filter=Q(withdrawn_on__isnull=True, publicly_concluded=True)),
            tracked=Count("pk", filter=Q(withdrawn_on__isnull=True, publicly_concluded=False)),
        )
        .order_by("inquiry__title", "inquiry_id")
    )


# --- Pages -----------------------------------------------------------------------------------------


COMMITTEES_PER_PAGE = 20


@public_page
def home(request):
    """The committees on the register, twenty to a page, each with its latest published pack (or
    meeting); a committee's inquiries are on its own page, so this page costs the same however
    many recommendations the council has published."""
    committees = (
        public.committees()
        .annotate(
            latest_pack_id=Subquery(
                public.packs().filter(meeting__committee_id=OuterRef("pk")).order_by("-published_at", "-pk")
                .values("pk")[:1]
            ),
            latest_meeting_id=Subquery(
                public.meetings().filter(committee_id=OuterRef("pk")).latest_first().values("pk")[:1]
            ),
        )
        .order_by("name", "pk")
    )
    page = Paginator(committees, COMMITTEES_PER_PAGE).get_page(request.GET.get("page"))
    latest = _latest_packs([c.latest_pack_id for c in page if c.latest_pack_id])
    meetings = Meeting.objects.in_bulk([c.latest_meeting_id for c in page if c.latest_meeting_id and not c.latest_pack_id])
    for committee in page:
        committee.latest_pack = latest.get(committee.latest_pack_id)
        committee.latest_meeting = meetings.get(committee.latest_meeting_id)
    return render(request, "public/home.html", {"committees": page, "page": page})


def _latest_packs(ids):
    return public.packs().select_related("meeting").in_bulk(ids) if ids else {}


@public_page
def committee(request, committee_id):
    """A committee's published meetings, every version of each pack, and its inquiries."""
    committee = get_object_or_404(public.committees(), pk=committee_id)
    meetings = list(
        public.meetings().filter(committee=committee).latest_first()
        .prefetch_related(Prefetch("published_packs", queryset=public.packs().order_by("version"), to_attr="packs"))
    )
    return render(request, "public/committee.html", {
        "committee": committee,
        "meetings": meetings,
        "inquiry_rows": _inquiry_counts(public.recommendations().filter(committee=committee)),
    })


@public_page
def inquiry(request, inquiry_id):
    """An inquiry's public recommendations by theme, each with its status as published."""
    inquiry = get_object_or_404(public.inquiries().select_related("committee"), pk=inquiry_id)
    recommendations = list(
        _with_text_and_owners(public.recommendations().filter(inquiry=inquiry).select_related("committee"))
        .order_by("position", "number")
    )
    _statuses(recommendations)
    themes: list[tuple[object, list[Recommendation]]] = []
    for recommendation in recommendations:
        if not themes or themes[-1][0] != recommendation.theme:
            themes.append((recommendation.theme, []))
        themes[-1][1].append(recommendation)
    return render(request, "public/inquiry.html", {"inquiry": inquiry, "themes": themes,
                                                   "committees": sorted({r.committee for r in recommendations}, key=lambda c: c.name)})


@public_page
def recommendation(request, recommendation_id):
    """One recommendation's published history: the evidence as the packs printed it, and at each
    published meeting what was proposed, what the committee decided, and its conclusion."""
    recommendation = get_object_or_404(
        _with_text_and_owners(public.recommendations()).select_related("committee", "inquiry__committee"),
        pk=recommendation_id,
    )
    _statuses([recommendation])
    evidence = public.published_text(list(
        public.evidence().filter(recommendation=recommendation)
        .select_related("following_meeting", "for_meeting", "received_after")
        .defer("received_after__pdf")
        .order_by("position", "pk")
    ))
    assessments = sorted(recommendation.public_assessments, key=lambda a: chronological_key(a.meeting))
    packs: dict[int, list] = {}
    for pack in public.packs().filter(meeting__in=[a.meeting_id for a in assessments]).order_by("version"):
        packs.setdefault(pack.meeting_id, []).append(pack)
    conclusion = recommendation.status.conclusion
    rounds = [
        {
            "meeting": assessment.meeting,
            "packs": packs.get(assessment.meeting_id, []),
            "proposal": assessment if assessment.proposal_public and assessment.proposed_category_id else None,
            "decision": assessment.agreed_category if assessment.decision_public else None,
            "conclusion": conclusion if conclusion and conclusion.meeting_id == assessment.meeting_id else None,
        }
        for assessment in reversed(assessments)
    ]
    return render(request, "public/recommendation.html", {
        "recommendation": recommendation,
        "evidence": evidence,
        "rounds": rounds,
    })


@public_page
def search(request):
    """Public recommendations by number or by words in their text or their published evidence."""
    query = search_service.clean_query(request.GET.get("q", ""))
    hits = search_service.search(query, limit=MAX_RESULTS, within=_public_scope()) if query else []
    page = Paginator(hits, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    if shown:
        found = {
            r.pk: r
            for r in public.recommendations().filter(pk__in=[hit.recommendation.pk for hit in shown])
            .prefetch_related(Prefetch("assessments", queryset=_public_assessments(), to_attr="public_assessments"))
        }
        _statuses(list(found.values()))
        for hit in shown:
            hit.status = found[hit.recommendation.pk].status
    return render(request, "public/search.html", {"query": query, "page": page, "hits": shown,
                                                  "count": len(hits)})


def _public_scope() -> search_service.Scope:
    recommendations = public.recommendations()
    return search_service.Scope(
        recommendations=recommendations,
        sub_parts=SubPart.objects.filter(recommendation__in=recommendations),
        # Only evidence never corrected: a corrected update's text may not be what was printed,
        # and a search must not find (or quote) words no pack has published.
        evidence=public.evidence().filter(version=1),
    )


def _pdf_filename(pack) -> str:
    meeting = pack.meeting
    when = meeting.date.isoformat() if meeting.date else f"meeting-{meeting.pk}"
    kind = "supplement" if pack.supplement else f"v{pack.version}"
    return f"tracking-report-{slugify(meeting.committee.name)[:60]}-{when}-{kind}.pdf"


@require_safe
def pack_download(request, pack_id):
    """A published pack's PDF, byte for byte as it was published (it never changes)."""
    pack = get_object_or_404(public.packs().defer(None).select_related("meeting__committee"), pk=pack_id)
    pdf = bytes(pack.pdf)  # PostgreSQL hands back a memoryview
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, _pdf_filename(pack))
    response["Content-Length"] = str(len(pdf))
    response["ETag"] = f'"{pack.sha256}"'
    response["Last-Modified"] = http_date(pack.published_at.timestamp())
    response["Cache-Control"] = f"public, max-age={PDF_CACHE_SECONDS}, immutable"
    response["Vary"] = "Accept-Encoding"
    return response
