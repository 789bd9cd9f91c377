"""The open data API's views: read-only lists and records of the public facts, their CSV
downloads, and the OpenAPI document.

Every queryset starts from ``tracker.public``. The answers are the same for everyone, so no
view reads a session or sets a cookie, and any cache may keep an answer for five minutes.
"""

from __future__ import annotations

import csv
import io
import re
from itertools import islice

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import JsonResponse, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import exceptions, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.reverse import reverse
from rest_framework.routers import APIRootView

from tracker import public
from tracker.api import serializers
from tracker.models import latest_meeting_first

CACHE_SECONDS = 300
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
LARGEST_ID = 2**63 - 1
CSV_BATCH = 500
CSV_DOWNLOADS = ["recommendations", "evidence", "assessments", "meetings"]

CHANGED_SINCE_HELP = (
    "Only what changed after this date and time (ISO 8601, e.g. 2016-02-10T00:00:00Z; write a + in an offset "
    "as %2B): ask with the time of your last harvest to collect what changed since."
)


class PublicData:
    """What every open data view shares: no visitor (no session read, no cookie set), cache headers."""

    def dispatch(self, request, *args, **kwargs):
        forget_visitor(request)
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        return response


def forget_visitor(request) -> None:
    """The answer is the same for anyone: drop the session, so the session middleware neither reads
    nor saves it (no Set-Cookie, no "Vary: Cookie"), and nothing asks who is signed in."""
    request.__dict__.pop("session", None)
    request.user = AnonymousUser()


def _whole_number(value: str, least: int, *, digits: int = 19) -> int | None:
    """The value as a whole number of ASCII digits (not "³" or "٣", which Python calls digits too),
    no longer than ``digits`` and at least ``least``; None otherwise."""
    if not re.fullmatch(rf"[0-9]{{1,{digits}}}", value) or int(value) < least:
        return None
    return int(value)


class Pages(CursorPagination):
    """100 to a page (``?page_size=`` up to 1000), in the order records were made, each page found
    from where the last one ended (``next`` carries the place): page 2,500 of a quarter of a million
    costs what the first does, and no page counts the whole list. A page size that is not a positive
    number, or a place in the list that cannot be read, is refused with 400 and says why."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "pk"

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not _whole_number(value, 1):
            raise exceptions.ValidationError({"page_size": f"Give a whole number from 1 to {MAX_PAGE_SIZE}."})
        return min(int(value), self.max_page_size)

    def decode_cursor(self, request):
        unreadable = exceptions.ValidationError({self.cursor_query_param: (
            "This is not a place in the list: follow the next and previous links, or leave it out to start "
            "at the beginning."
        )})
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise unreadable from error
        # The place is a record's id: a whole number the database can hold, or the list's start.
        if cursor is not None and cursor.position is not None and not _whole_number(str(cursor.position), 0):
            raise unreadable
        return cursor


class IdFilter(django_filters.NumberFilter):
    """A related record's id: a whole number the database can hold (anything else is a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(*args, **kwargs)


def changed_since(field_name="changed_at", help_text=CHANGED_SINCE_HELP):
    return django_filters.IsoDateTimeFilter(field_name=field_name, lookup_expr="gt", help_text=help_text)


class CommitteeFilter(django_filters.FilterSet):
    changed_since = changed_since()


class InquiryFilter(django_filters.FilterSet):
    changed_since = changed_since()
    committee = IdFilter(help_text="Only this committee's inquiries.")


class RecommendationFilter(django_filters.FilterSet):
    changed_since = changed_since()
    committee = IdFilter(help_text="Only the recommendations this committee now tracks.")
    inquiry = IdFilter(help_text="Only this inquiry's recommendations.")


class MeetingFilter(django_filters.FilterSet):
    changed_since = changed_since()
    committee = IdFilter(help_text="Only this committee's meetings.")


class EvidenceFilter(django_filters.FilterSet):
    changed_since = changed_since(
        "recommendation__changed_at",
        "Only the evidence of recommendations that changed after this date and time (ISO 8601): a pack that "
        "printed new evidence changes its recommendations. " + CHANGED_SINCE_HELP.split(": ", 1)[1],
    )
    recommendation = IdFilter(help_text="Only this recommendation's evidence.")


class AssessmentFilter(django_filters.FilterSet):
    changed_since = django_filters.IsoDateTimeFilter(
        method="filter_changed_since",
        help_text="Only the assessments whose recommendation or meeting changed after this date and time (ISO 8601). "
        + CHANGED_SINCE_HELP.split(": ", 1)[1],
    )
    recommendation = IdFilter(help_text="Only this recommendation's assessments.")
    meeting = IdFilter(help_text="Only the assessments at this meeting.")

    def filter_changed_since(self, queryset, name, value):
        return queryset.filter(Q(recommendation__changed_at__gt=value) | Q(meeting__changed_at__gt=value))


class PackFilter(django_filters.FilterSet):
    changed_since = changed_since("published_at", "Only the packs published after this date and time (ISO 8601).")
    meeting = IdFilter(help_text="Only this meeting's packs.")


class CategoryFilter(django_filters.FilterSet):
    scheme = IdFilter(help_text="Only this assessment scheme's categories.")


class PublicViewSet(PublicData, viewsets.ReadOnlyModelViewSet):
    pagination_class = Pages

    def get_object(self):
        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if _whole_number(value, 0) is None or int(value) > LARGEST_ID:
            raise exceptions.NotFound("There is no such record.")
        return super().get_object()


class CommitteeViewSet(PublicViewSet):
    """The committees the council has put on its public register."""

    serializer_class = serializers.CommitteeSerializer
    filterset_class = CommitteeFilter

    def get_queryset(self):
        return public.committees().select_related("scheme").order_by("pk")


class InquiryViewSet(PublicViewSet):
    """The inquiries (scrutiny reports) whose recommendations are published."""

    serializer_class = serializers.InquirySerializer
    filterset_class = InquiryFilter

    def get_queryset(self):
        return public.inquiries().select_related("committee").order_by("pk")


class RecommendationViewSet(PublicViewSet):
    """The published recommendations: their words, owners, dates, status and category in force."""

    serializer_class = serializers.RecommendationSerializer
    filterset_class = RecommendationFilter

    def get_queryset(self):
        conclusion = public.conclusions().filter(recommendation_id=OuterRef("pk"))
        return (
            public.recommendations()
            .select_related("inquiry", "committee", "theme")
            .prefetch_related(
                "sub_parts", "footnotes", "responsibilities__owner", "milestones__date_changes",
                Prefetch(
                    "assessments",
                    queryset=public.assessments()
                    .select_related("proposed_category", "agreed_category")
                    .order_by(*latest_meeting_first()),
                    to_attr="public_assessments",
                ),
            )
            .annotate(
                public_conclusion_meeting_id=Subquery(conclusion.values("meeting_id")[:1]),
                public_conclusion_remark=Subquery(conclusion.values("remark")[:1]),
            )
            .order_by("pk")
        )


class MeetingViewSet(PublicViewSet):
    """The published meetings: their pack is published, or they are history from a published report."""

    serializer_class = serializers.MeetingSerializer
    filterset_class = MeetingFilter

    def get_queryset(self):
        return (
            public.meetings()
            .select_related("committee")
            .annotate(decisions_public=Q(imported=True) | Q(state__in=public.DECIDED))
            .prefetch_related(Prefetch("published_packs", queryset=public.packs(), to_attr="public_packs"))
            .order_by("pk")
        )


class EvidenceViewSet(PublicViewSet):
    """The published evidence of progress, as the packs printed it."""

    serializer_class = serializers.EvidenceSerializer
    filterset_class = EvidenceFilter

    def get_queryset(self):
        return (
            public.evidence()
            .select_related("recommendation", "following_meeting", "received_after")
            .prefetch_related(Prefetch("attachments", queryset=public.attachments(), to_attr="public_attachments"))
            .order_by("pk")
        )

    def get_object(self):
        return public.published_text([super().get_object()])[0]


class AssessmentViewSet(PublicViewSet):
    """Each recommendation at each published meeting: the proposal once its pack printed it, the
    committee's decision once its decisions are recorded."""

    serializer_class = serializers.AssessmentSerializer
    filterset_class = AssessmentFilter

    def get_queryset(self):
        return (
            public.assessments()
            .filter(recommendation__in=public.recommendations())
            .select_related("recommendation", "meeting", "proposed_category", "agreed_category")
            .order_by("pk")
        )


class CategoryViewSet(PublicViewSet):
    """The categories of the assessment schemes the public committees use."""

    serializer_class = serializers.CategorySerializer
    filterset_class = CategoryFilter

    def get_queryset(self):
        return public.categories().select_related("scheme").order_by("pk")


class PackViewSet(PublicViewSet):
    """Every published version of every meeting pack (the PDF is at ``download``)."""

    serializer_class = serializers.PackSerializer
    filterset_class = PackFilter

    def get_queryset(self):
        return public.packs().order_by("pk")


VIEWSETS = {
    "committees": (CommitteeViewSet, "committee"),
    "inquiries": (InquiryViewSet, "inquiry"),
    "recommendations": (RecommendationViewSet, "recommendation"),
    "meetings": (MeetingViewSet, "meeting"),
    "evidence": (EvidenceViewSet, "evidence"),
    "assessments": (AssessmentViewSet, "assessment"),
    "categories": (CategoryViewSet, "category"),
    "packs": (PackViewSet, "pack"),
}

ABOUT = (
    "The published facts of the council's scrutiny recommendations, for anyone to read and reuse. Only what "
    "the council has published is here, for the committees on its public register. Each list comes 100 to a "
    "page (ask for up to 1000 with page_size) in a fixed order; follow next to read on. To collect only what "
    "changed, add changed_since with the date and time you last read (ISO 8601). The same facts are CSV files "
    "too (csv below), and openapi describes every field."
)


class Root(PublicData, APIRootView):
    """What the open data holds, and where."""

    schema = None

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data = {
            "about": ABOUT,
            "openapi": reverse("api:openapi", request=request),
            "resources": response.data,
            "csv": {name: reverse(f"api:{name}-csv", request=request) for name in CSV_DOWNLOADS},
        }
        return response


class OpenAPI(PublicData, SpectacularJSONAPIView):
    """The OpenAPI 3 description of the open data, generated from the same serializers."""


# --- CSV downloads of the same facts ----------------------------------------------------------

UNSAFE_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A value as a spreadsheet cell: lists one item to a line, and a formula's first character
    made harmless with an apostrophe (so a spreadsheet shows the text and runs nothing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = "\n".join(_line(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(UNSAFE_STARTS) else text


def _line(item) -> str:
    """One item of a list in a cell: a pack by its download address, a sub-part as "a) its text"."""
    if not isinstance(item, dict):
        return str(item)
    if "download" in item:
        return item["download"]
    return " ".join(str(part) for part in item.values() if part not in (None, ""))


def csv_download(name: str):
    """The view of ``<name>.csv``: every row the list would page through (with its filters), the
    columns of its JSON, streamed as UTF-8 with a header row."""
    viewset_class, _ = VIEWSETS[name]

    def view(request):
        forget_visitor(request)
        viewset = viewset_class(request=Request(request), format_kwarg=None, action="list", kwargs={}, args=())
        try:
            rows = viewset.filter_queryset(viewset.get_queryset())
        except exceptions.ValidationError as error:
            response = JsonResponse(error.detail, status=400)
        else:
            response = StreamingHttpResponse(_csv_lines(viewset, rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        return response

    view.__name__ = f"{name}_csv"
    return view


def _csv_lines(viewset, rows):
    serializer_class = viewset.get_serializer_class()
    context = viewset.get_serializer_context()
    columns = list(serializer_class(context=context).fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        line = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return line

    writer.writerow(columns)
    yield flush()
    records = rows.iterator(chunk_size=CSV_BATCH)
    while batch := list(islice(records, CSV_BATCH)):
        for item in serializer_class(batch, many=True, context=context).data:
            writer.writerow([_cell(item[column]) for column in columns])
        yield flush()
