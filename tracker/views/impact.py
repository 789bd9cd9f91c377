"""The annual impact report: recommendations made, accepted and achieved per committee and year, on a
page and as a PDF or Word section for the annual scrutiny report (the scrutiny office and committee
members)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from tracker import impact, impact_documents, permissions
from tracker.forms.impact import ImpactForm
from tracker.models import Council

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _chosen(request):
    """The form and the report it asks for: a choice that is not one of the listed ones is said beside
    its field, and the report is of every committee in the latest year with figures."""
    today = timezone.localdate()
    form = ImpactForm(request.GET or None, years=impact.years(today), today=today)
    if form.is_bound:
        form.is_valid()
    committee, year = form.chosen()
    return form, impact.impact(year, committee=committee)


def _page(request, form, report):
    chosen = {"year": report.year.start, "starts": report.year.starts}
    if report.committee is not None:
        chosen["committee"] = report.committee.pk
    query = urlencode(chosen)
    return render(request, "tracker/impact.html", {
        "form": form,
        "report": report,
        "rules": impact.RULES,
        "pdf_url": f"{reverse('impact_pdf')}?{query}",
        "docx_url": f"{reverse('impact_docx')}?{query}",
        "is_office": permissions.is_scrutiny_office(request.user),
    }, status=400 if form.errors else 200)


@login_required
def impact_report(request):
    """Per committee and year: recommendations made, accepted, achieved on time or late, not achieved,
    withdrawn, and the median time to conclude, by inquiry, with a chart of each committee's total."""
    permissions.ensure(request.user, "see_impact_report")
    form, report = _chosen(request)
    return _page(request, form, report)


def _download(request, make, content_type: str, extension: str):
    permissions.ensure(request.user, "see_impact_report")
    form, report = _chosen(request)
    if form.errors:
        return _page(request, form, report)
    content = make(report, Council.current())
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}.{extension}"'
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "no-store"  # today's figures
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def impact_pdf(request):
    """The report as a PDF section (PDF/UA-1) for the annual scrutiny report."""
    return _download(request, impact_documents.to_pdf, "application/pdf", "pdf")


@login_required
def impact_docx(request):
    """The report as a Word section for the annual scrutiny report."""
    return _download(request, impact_documents.to_docx, DOCX, "docx")
