"""Many recommendations at once: pasted from the report, or imported from the council's tracker spreadsheet.

Both pages show a preview before anything is saved, without JavaScript: the page comes
back with every recommendation as it was read and every problem naming its line (a
paste) or its row and column (a spreadsheet). Nothing is saved while there is a
problem.

A paste is read again from the text in the box when it is saved, and only a text that
was checked as it stands is saved. A spreadsheet is not asked for twice: the checked
recommendations go to the save in a hidden field signed with the site's secret key
(``django.core.signing``), so what is saved is exactly what the preview showed, and a
field changed or kept too long is refused with a message.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from tracker import permissions, services
from tracker.forms import add_service_error
from tracker.forms.inquiries import ImportConfirmForm, ImportForm, PasteForm
from tracker.models import ExecutiveResponse
from tracker.parsed import ParsedMilestone, ParsedRecommendation, Problem
from tracker.paste import parse_recommendations
from tracker.spreadsheet import read_tracker
from tracker.views.setup.inquiries import inquiry_or_404, long_date, milestone_words

IMPORT_SALT = "tracker.setup.inquiry-import"
IMPORT_MAX_AGE = 24 * 60 * 60  # seconds: a checked spreadsheet is saved the same day or checked again
# The signed rows go back in the form: well under what Django reads of a form (DATA_UPLOAD_MAX_MEMORY_SIZE).
IMPORT_SIGNED_LIMIT = 2_000_000  # characters
IMPORT_OUT_OF_DATE = ("The checked spreadsheet could not be saved: the page was changed or is more than a day old. "
                      "Nothing was saved. Upload the spreadsheet again to check it.")


@dataclass
class PreviewRow:
    """One recommendation as it was read, for the preview."""

    recommendation: ParsedRecommendation
    where: str  # "Line 3", "Row 5"
    reading: list[str]  # how the original date was read
    problems: list[str]


def preview_rows(recommendations: list[ParsedRecommendation], problems: list[Problem], place: str) -> list[PreviewRow]:
    """The recommendations read, each with how its date was read and the problems found on its line or row."""
    rows = []
    for parsed in recommendations:
        rows.append(PreviewRow(
            recommendation=parsed,
            where=f"{place.capitalize()} {parsed.source_row}" if parsed.source_row else "",
            reading=[milestone_words(milestone) for milestone in parsed.milestones],
            problems=[problem.message for problem in problems
                      if problem.row is not None and problem.row == parsed.source_row],
        ))
    return rows


def _saved_message(created, inquiry) -> str:
    count = len(created)
    return f"Added {count} recommendation{'' if count == 1 else 's'} to “{inquiry.title}”."


# --- Pasting -------------------------------------------------------------------------------------


def checksum(text: str) -> str:
    """What the preview read, so the save can tell whether the text changed since."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _category_problems(recommendations: list[ParsedRecommendation]) -> list[Problem]:
    """A pasted table with a category column: categories need the meeting that agreed them (the import asks)."""
    with_category = [parsed for parsed in recommendations if parsed.category]
    if not with_category:
        return []
    first = with_category[0]
    return [Problem(f"Line {first.source_row}: {first.number} has a category (“{first.category}”). Categories come in "
                    "with “Import a spreadsheet”, which asks for the meeting that agreed them. Take the category "
                    "column out to paste the rest.", row=first.source_row)]


@login_required
def inquiry_paste(request, inquiry_id):
    """Paste recommendations as the report prints them, check how they were read, then save them."""
    permissions.ensure(request.user, "set_up")
    inquiry = inquiry_or_404(inquiry_id)
    form = PasteForm(request.POST if request.method == "POST" else None,
                     initial={"executive_response": ExecutiveResponse.ACCEPTED})
    context = {"inquiry": inquiry, "form": form, "rows": None}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)  # kept whole: an error added below takes its field out of cleaned_data
        result = parse_recommendations(data["text"])
        problems = result.problems + _category_problems(result.recommendations)
        messages_found = [problem.message for problem in problems]
        if not messages_found:
            messages_found = services.recommendation_problems(inquiry, result.recommendations, place="line")
        saving = request.POST.get("action") == "save"
        unchanged = data["checked"] == checksum(data["text"])
        if saving and unchanged and not messages_found:
            try:
                created = services.add_recommendations(
                    inquiry, result.recommendations, by=request.user,
                    executive_response=data["executive_response"], responded_on=data["responded_on"], place="line")
            except ValidationError as error:
                messages_found = error.messages
            else:
                messages.success(request, _saved_message(created, inquiry))
                return redirect("setup_inquiry", inquiry_id=inquiry.pk)
        for message in messages_found:
            form.add_error("text", message)
        context.update(
            rows=preview_rows(result.recommendations, problems, "line"),
            checked=checksum(data["text"]),
            changed_since_checked=saving and not unchanged,
            can_save=not messages_found and bool(result.recommendations),
        )
    return render(request, "setup/inquiries/paste.html", context, status=400 if form.errors else 200)


# --- Importing a spreadsheet ---------------------------------------------------------------------


def _packed(parsed: ParsedRecommendation) -> dict:
    data = dataclasses.asdict(parsed)
    for milestone in data["milestones"]:
        milestone["due_date"] = milestone["due_date"].isoformat() if milestone["due_date"] else None
    return data


def _unpacked(data: dict) -> ParsedRecommendation:
    milestones = [
        ParsedMilestone(kind=m["kind"], event=m["event"],
                        due_date=datetime.date.fromisoformat(m["due_date"]) if m["due_date"] else None)
        for m in data["milestones"]
    ]
    return ParsedRecommendation(**{**data, "sub_parts": [tuple(part) for part in data["sub_parts"]],
                                   "milestones": milestones})


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def sign_import(inquiry, filename: str, data: dict, recommendations: list[ParsedRecommendation]) -> str:
    """The checked recommendations and the answers given with them, signed for the save."""
    return signing.dumps({
        "inquiry": inquiry.pk,
        "file": filename,
        "executive_response": data["executive_response"],
        "responded_on": _iso(data["responded_on"]),
        "agreed_on": _iso(data["agreed_on"]) if any(r.category for r in recommendations) else None,
        "recommendations": [_packed(parsed) for parsed in recommendations],
    }, salt=IMPORT_SALT, compress=True)


def read_signed_import(inquiry, token: str) -> dict:
    """What ``sign_import`` signed for this inquiry; BadSignature when it was changed, is too old or is another's."""
    checked = signing.loads(token, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    if not isinstance(checked, dict) or checked.get("inquiry") != inquiry.pk:
        raise signing.BadSignature("Checked for another inquiry.")
    return {
        **checked,
        "responded_on": _day(checked["responded_on"]),
        "agreed_on": _day(checked["agreed_on"]),
        "recommendations": [_unpacked(data) for data in checked["recommendations"]],
    }


def _check_rows(form: ImportForm, inquiry, recommendations: list[ParsedRecommendation]) -> list[str]:
    """The services' refusals, before anything is saved: the meeting that agreed the categories, numbers used."""
    scheme = None
    if any(parsed.category for parsed in recommendations):
        agreed_on = form.cleaned_data["agreed_on"]
        if agreed_on is None:
            form.add_error("agreed_on", "The spreadsheet has a category column: enter the date of the meeting that "
                                        "agreed those categories")
            return []
        try:
            scheme = services.scheme_at(inquiry.committee, agreed_on)
        except ValidationError as error:
            add_service_error(form, error)
            return []
    return services.recommendation_problems(inquiry, recommendations, scheme=scheme, place="row")


@login_required
def inquiry_import(request, inquiry_id):
    """Upload the council's tracker (.xlsx or .csv), check every row, then save them all or none."""
    permissions.ensure(request.user, "set_up")
    inquiry = inquiry_or_404(inquiry_id)
    if request.method == "POST" and "checked" in request.POST:
        return _save_import(request, inquiry)
    form = ImportForm(request.POST if request.method == "POST" else None,
                      request.FILES if request.method == "POST" else None,
                      initial={"executive_response": ExecutiveResponse.ACCEPTED})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = read_tracker(upload, upload.name)
        problems = [problem.message for problem in result.problems]
        if not problems:
            problems = _check_rows(form, inquiry, result.recommendations)
        for problem in problems:
            form.add_error("file", problem)
        token = "" if form.errors else sign_import(inquiry, upload.name, form.cleaned_data, result.recommendations)
        if len(token) > IMPORT_SIGNED_LIMIT:
            rows = len(result.recommendations)
            form.add_error("file", f"The spreadsheet holds too much to check in one go ({rows} "
                                   f"row{'' if rows == 1 else 's'}). Split it into two files and import each.")
        if not form.errors:
            return _preview(request, inquiry, {
                "file": upload.name,
                "executive_response": form.cleaned_data["executive_response"],
                "responded_on": form.cleaned_data["responded_on"],
                "agreed_on": form.cleaned_data["agreed_on"] if any(r.category for r in result.recommendations) else None,
                "recommendations": result.recommendations,
            }, token=token)
    return render(request, "setup/inquiries/import.html", {"inquiry": inquiry, "form": form},
                  status=400 if form.errors else 200)


def _preview(request, inquiry, checked: dict, *, token: str = "", problems=(), status: int = 200):
    recommendations = checked["recommendations"]
    return render(request, "setup/inquiries/import_preview.html", {
        "inquiry": inquiry,
        "file": checked["file"],
        "response": ExecutiveResponse(checked["executive_response"]).label,
        "responded_on": checked["responded_on"] and long_date(checked["responded_on"]),
        "agreed_on": checked["agreed_on"] and long_date(checked["agreed_on"]),
        "rows": preview_rows(recommendations, [], "row"),
        "count": len(recommendations),
        "token": token,
        "problems": list(problems),
    }, status=status)


def _save_import(request, inquiry):
    confirm = ImportConfirmForm(request.POST)
    try:
        if not confirm.is_valid():
            raise signing.BadSignature("No checked rows.")
        checked = read_signed_import(inquiry, confirm.cleaned_data["checked"])
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        form = ImportForm(initial={"executive_response": ExecutiveResponse.ACCEPTED})
        return render(request, "setup/inquiries/import.html", {
            "inquiry": inquiry, "form": form, "refusal": IMPORT_OUT_OF_DATE}, status=400)
    try:
        created = services.import_recommendations(
            inquiry, checked["recommendations"], by=request.user, executive_response=checked["executive_response"],
            responded_on=checked["responded_on"], agreed_on=checked["agreed_on"])
    except ValidationError as error:
        return _preview(request, inquiry, checked, problems=error.messages, status=400)
    messages.success(request, _saved_message(created, inquiry))
    return redirect("setup_inquiry", inquiry_id=inquiry.pk)
