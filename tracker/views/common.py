"""What every page module shares: refusing politely, safe redirects, links to the pack."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from tracker import permissions


def pack_links(meeting, user) -> list[tuple[str, str]]:
    """The pack pages this user may open: drafts for the scrutiny office, published versions for all."""
    links = []
    if permissions.can_build_pack(user):
        links += [
            ("Preview the pack", reverse("pack_preview", kwargs={"meeting_id": meeting.pk})),
            ("Download the draft pack (PDF)", reverse("pack_pdf", kwargs={"meeting_id": meeting.pk})),
        ]
    links.append(("Published versions of the pack", reverse("pack_versions", kwargs={"meeting_id": meeting.pk})))
    return links


def forbidden(request, message: str):
    """A 403 page that says why, instead of a bare "Forbidden"."""
    return render(request, "tracker/forbidden.html", {"message": message}, status=403)


def redirect_back(request, default: str):
    """Back to the page the form was sent from (the 'next' field), if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def safe_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""



def rebound_at(form_class, data, version, **kwargs):
    """The user's own input again, now at the current version: saving again replaces the other person's."""
    data = data.copy()
    data["version"] = str(version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


def stale_message(what: str, who=None) -> str:
    by = f" ({who.get_full_name() or who.get_username()})" if who else ""
    return (
        f"Someone else{by} saved {what} while you were editing it, so your changes were not saved. "
        "What they saved is shown below beside what you entered. Check yours and save again to "
        "replace theirs, or leave this page to keep theirs."
    )
