"""Pages every signed-in user reads: all recommendations, and one recommendation's timeline."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from tracker import cycle, exports, paging, permissions, selectors
from tracker.filters import RecommendationFilter
from tracker.models import Council, Recommendation

PER_PAGE = 50


@login_required
def recommendation_list(request):
    """Tracked and concluded (or, when asked, withdrawn) recommendations, each list in pages of 50
    in report order (``tracker.paging``: the last page costs what the first does), filtered by
    committee, inquiry, owner, category in force and overdue (a GET form)."""
    filters = RecommendationFilter(
        request.GET, queryset=selectors.with_date_in_force(selectors.recommendations_list())
    )
    recommendations = filters.qs
    shown = filters.statuses_shown()
    lists = {}
    for name, part in (("tracked", recommendations.tracked()),
                       ("concluded", selectors.with_conclusions(recommendations.concluded())),
                       ("withdrawn", recommendations.withdrawn())):
        if name in shown:
            lists[name] = paging.keyset_page(
                part, after=request.GET.get(f"{name}_after"), before=request.GET.get(f"{name}_before"),
                per_page=PER_PAGE,
            )
    for recommendation in lists.get("concluded", ()):
        recommendation.tracking_assessment = selectors.tracking_assessment(recommendation)
    return render(request, "tracker/recommendation_list.html", {
        "filters": filters,
        "filtered": any(request.GET.get(name) for name in filters.filters),
        "download_query": _filters_query(request, filters),
        **lists,
    })


def _filters_query(request, filters) -> str:
    """The querystring of the filters alone (not the page numbers), for the download links."""
    query = request.GET.copy()
    for name in list(query):
        if name not in filters.filters:
            del query[name]
    return query.urlencode()


# An Excel workbook is built in memory up to this size, then in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


@login_required
def recommendation_download(request, extension):
    """The recommendations the list shows with the same filters, as an Excel workbook or a CSV
    file (``tracker.exports``). Filters the list would question go back to the list, which
    says what is wrong beside each one."""
    filters = RecommendationFilter(request.GET, queryset=selectors.with_date_in_force(Recommendation.objects.all()))
    if not filters.is_valid():
        return redirect(f"{reverse('recommendation_list')}?{_filters_query(request, filters)}")
    rows = selectors.tracker_rows(filters.shown())
    council = Council.current()
    name = exports.file_name(council.name, timezone.localdate(), extension)
    if extension == "csv":
        response = StreamingHttpResponse(exports.csv_lines(rows), content_type=exports.CONTENT_TYPES["csv"])
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    workbook = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    exports.write_xlsx(rows, workbook, council_name=council.name)
    workbook.seek(0)
    return FileResponse(workbook, as_attachment=True, filename=name, content_type=exports.CONTENT_TYPES["xlsx"])


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
