"""The council's set-up pages: its names, its logo and the pack's sentences (the scrutiny office).

Committees are in ``committees``, assessment schemes in ``schemes``. Every change goes
through tracker.services; these views read through tracker.selectors.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from tracker import permissions, selectors, services
from tracker.forms.council import CouncilForm, LogoForm, WordsForm
from tracker.models import Council
from tracker.views.common import render_form, stale_message, submit
from tracker.words import PLACEHOLDERS, WORDING, WORDINGS, Words

COUNCIL_FIELDS = ["name", "name_in_sentences", "scrutiny_office_name", "assessor_title", "committee_kind"]
# The sentences the words page previews, as they read for the first committee.
PREVIEWED = ["cover_paragraph_1", "assessment_column", "appendix_1_entry"]


def logo_data_uri(council: Council) -> str:
    """The council's logo inline (the Content-Security-Policy allows data: pictures), or "" without one."""
    if not council.logo:
        return ""
    return f"data:{council.logo_type};base64,{base64.b64encode(bytes(council.logo)).decode('ascii')}"


@login_required
def setup_council(request):
    """What the council is called, and what it calls things, with a link to change each."""
    permissions.ensure(request.user, "set_up")
    council = Council.current(logo=True)
    return render(request, "setup/council/council.html", {
        "council": council,
        "logo_uri": logo_data_uri(council),
        "changed_words": len(council.words or {}),
        "all_words": len(WORDINGS),
    })


@login_required
def setup_council_change(request):
    permissions.ensure(request.user, "set_up")
    council = Council.current()
    initial = {name: getattr(council, name) for name in COUNCIL_FIELDS} | {"version": council.version}

    def save(data):
        services.update_council(council, by=request.user, expected_version=data["version"],
                                **{name: data[name] for name in COUNCIL_FIELDS})
        messages.success(request, "The council’s details have been saved.")
        return redirect("setup_council")

    submission = submit(
        request, lambda data, version=None: CouncilForm(data, initial=initial), save,
        stale_message=lambda current: stale_message("the council’s details", selectors.last_editor(current)),
    )
    return render_form(request, "setup/council/council_form.html", {"council": council}, submission)


@login_required
def setup_council_logo(request):
    """Upload the logo printed on the pack's cover (a PNG or JPEG), or remove it."""
    permissions.ensure(request.user, "set_up")
    council = Council.current()
    if request.method == "POST" and "remove" in request.POST:
        services.set_council_logo(council, None, by=request.user)
        messages.success(request, "The logo has been removed: the pack’s cover prints none.")
        return redirect("setup_council")

    def make_form(data, version=None):
        return LogoForm(data, request.FILES if data is not None else None, initial={"alt": council.logo_alt})

    def save(data):
        services.set_council_logo(council, data["logo"].read(), by=request.user, alt=data["alt"])
        messages.success(request, "The logo has been saved. The pack’s cover prints it from now on.")
        return redirect("setup_council")

    return render_form(request, "setup/council/logo.html", {
        "council": council, "logo_uri": logo_data_uri(council),
    }, submit(request, make_form, save))


@login_required
def setup_council_words(request):
    """Every fixed sentence of the pack, in the council's words, with a preview for its first committee."""
    permissions.ensure(request.user, "set_up")
    council = Council.current()
    committee = selectors.first_committee()

    def make_form(data, version=None):
        return WordsForm(data, council=council, initial={"version": council.version})

    def save(data):
        services.update_council(council, by=request.user, expected_version=data["version"],
                                words={wording.key: data[wording.key] for wording in WORDINGS})
        messages.success(request, "The pack’s sentences have been saved.")
        return redirect("setup_council_words")

    submission = submit(
        request, make_form, save,
        stale_message=lambda current: stale_message("the pack’s sentences", selectors.last_editor(current)),
    )
    words = Words(council, committee)
    return render_form(request, "setup/council/words.html", {
        "council": council,
        "committee": committee,
        "placeholders": PLACEHOLDERS,
        "preview": [(WORDING[key].label, getattr(words, key)) for key in PREVIEWED],
        "saved_meanwhile": _saved_meanwhile(submission.stale, request.POST),
    }, submission)


def _saved_meanwhile(current: Council | None, sent) -> list[tuple[str, str]]:
    """The sentences someone else saved that differ from what this person sent."""
    if current is None:
        return []
    saved = current.words or {}
    return [
        (wording.label, saved.get(wording.key) or wording.default)
        for wording in WORDINGS
        if (saved.get(wording.key) or wording.default) != (sent.get(wording.key) or "").strip()
    ]
