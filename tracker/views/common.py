"""What every page module shares: the form-page pattern, refusing politely, safe redirects,
links to the pack."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from tracker import permissions, selectors, services
from tracker.forms import add_service_error
from tracker.templatetags.reading_tags import section_tag


def pack_links(meeting, user) -> list[tuple[str, str]]:
    """The pack pages this user may open: drafts for the scrutiny office, published versions for all."""
    links = []
    if permissions.can_build_pack(user):
        links += [
            ("Preview the pack", reverse("pack_preview", kwargs={"meeting_id": meeting.pk})),
            ("Build a draft of the pack (PDF or Word)",
             reverse("pack_versions", kwargs={"meeting_id": meeting.pk}) + "#draft"),
        ]
    links.append(("Published versions of the pack", reverse("pack_versions", kwargs={"meeting_id": meeting.pk})))
    return links


def permission_denied(request, exception=None):
    """The one 403 page (handler403): it says why, in the sentence the refusing rule gave."""
    message = str(exception or "") or "You do not have permission to see this page."
    return render(request, "tracker/forbidden.html", {"message": message}, status=403)


# A meeting tracking up to this many recommendations shows each one's detail (text, evidence,
# category, the links to act) on its page, below the table; a larger one shows the table alone,
# a page at a time, and each recommendation's detail on its own page (``tracked_recommendation``),
# so that the meeting page weighs the same whatever the meeting's size.
DETAILS_INLINE_UP_TO = 30


def details_inline(tracked_count: int) -> bool:
    """Does the meeting page show each tracked recommendation's detail below its table?"""
    return tracked_count <= DETAILS_INLINE_UP_TO


def tracked_detail_url(meeting_id: int, recommendation) -> str:
    """Where a recommendation tracked at a meeting is read in full, with its links to act: its
    section of the meeting page (``#rec-<pk>``) while the meeting shows details there, else its own page."""
    if details_inline(selectors.tracked_count(meeting_id)):
        return reverse("meeting_detail", kwargs={"meeting_id": meeting_id}) + f"#{section_of(recommendation)}"
    return reverse("tracked_recommendation", kwargs={"meeting_id": meeting_id, "recommendation_id": recommendation.pk})


def back_to(request, default: str, *, fragment: str = "") -> str:
    """The page the form was opened from (the 'next' field), if it is one of ours, else ``default``;
    with ``fragment``, at that place of it (a recommendation's section, ``rec-<pk>``)."""
    target = safe_next(request) or default
    if fragment:
        target = target.split("#", 1)[0] + "#" + fragment
    return target


def redirect_back(request, default: str, *, fragment: str = ""):
    """Back to the page the form was sent from (``back_to``)."""
    return redirect(back_to(request, default, fragment=fragment))


def section_of(recommendation) -> str:
    """The anchor of a recommendation on the meeting pages (``#rec-<pk>``): its section, its row of
    the table when the meeting page shows no sections, or the top of its own page."""
    return f"rec-{recommendation.pk}"


def saved(request, level, recommendation, text: str) -> None:
    """A message about one recommendation after saving: the page the user is sent back to
    shows it inside that recommendation's section, where the redirect lands (or at the top
    of a page that has no such section), so it is seen without scrolling back up."""
    messages.add_message(request, level, text, extra_tags=section_tag(recommendation))


def safe_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@dataclass
class Submission:
    """What became of a form page's request: the form to show, or the response after saving."""

    form: object
    saved: HttpResponse | None = None
    stale: object = None  # the record as someone else saved it (StaleEdit)
    gone: str = ""  # the record was removed meanwhile (RecordGone)

    @property
    def status(self) -> int:
        if self.stale is not None or self.gone:
            return 409
        return 400 if self.form.errors else 200


def submit(
    request,
    make_form: Callable[..., object],
    save: Callable[[dict], HttpResponse],
    *,
    stale_message: Callable[[object], str] | None = None,
) -> Submission:
    """The form-page pattern, written once: bind, validate, save through a service, explain.

    ``make_form(data, version=None)`` builds the form (``data`` is None on GET; ``version``
    re-binds the user's input at the version someone else saved). ``save(cleaned_data)``
    calls the service and returns the response to send (a redirect). A refusal
    (ValidationError) goes beside the fields it names; a stale save (StaleEdit) keeps what
    the user typed, shows what the other person saved and answers 409; a record removed
    meanwhile (RecordGone) answers 409 with why. PermissionDenied is left to handler403.
    """
    form = make_form(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return Submission(form)
    try:
        return Submission(form, saved=save(form.cleaned_data))
    except services.StaleEdit as error:
        data = request.POST.copy()
        data["version"] = str(error.current.version)
        form = make_form(data, version=error.current)
        form.is_valid()
        if stale_message:
            form.add_error(None, stale_message(error.current))
        return Submission(form, stale=error.current)
    except services.RecordGone as error:
        form.add_error(None, str(error))
        return Submission(form, gone=str(error))
    except ValidationError as error:
        add_service_error(form, error)
        return Submission(form)


def render_form(request, template: str, context: dict, submission: Submission):
    """The response to a form page: where saving led, else the form page answered 200, 400
    (errors beside the fields) or 409 (someone else saved first, or the record is gone)."""
    if submission.saved is not None:
        return submission.saved
    return render(request, template, {**context, "form": submission.form, "stale": submission.stale},
                  status=submission.status)


def stale_message(what: str, who=None) -> str:
    by = f" ({who.get_full_name() or who.get_username()})" if who else ""
    return (
        f"Someone else{by} saved {what} while you were editing it, so your changes were not saved. "
        "What they saved is shown below beside what you entered. Check yours and save again to "
        "replace theirs, or leave this page to keep theirs."
    )
