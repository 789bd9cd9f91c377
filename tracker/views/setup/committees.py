"""The committees' set-up pages: each committee's scheme, who proposes its categories and
what they are called, whether it is on the public register, its members and its reminder
days (the scrutiny office)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from tracker import permissions, selectors, services
from tracker.forms.council import CommitteeForm
from tracker.models import Committee, Council
from tracker.views.common import render_form, stale_message, submit

FIELDS = ["name", "scheme", "assessed_by", "assessor_title", "on_public_register", "members", "reminder_days"]


@login_required
def setup_committees(request):
    permissions.ensure(request.user, "set_up")
    return render(request, "setup/council/committees.html", {"committees": selectors.committees_for_setup()})


def _fields(data, council) -> dict:
    """The form's answers as the services take them; an empty title is the council's."""
    return {name: data[name] for name in FIELDS} | {"assessor_title": data["assessor_title"] or council.assessor_title}


@login_required
def setup_committee_new(request):
    permissions.ensure(request.user, "set_up")
    council = Council.current()
    schemes = list(selectors.schemes_to_choose())
    default = next((scheme for scheme in schemes if scheme.is_default), schemes[0] if schemes else None)
    initial = {"scheme": default.pk if default else None, "assessed_by": Committee.AssessedBy.EXECUTIVE,
               "assessor_title": council.assessor_title,
               "reminder_days": Committee._meta.get_field("reminder_days").default}
    people = selectors.possible_members(None)

    def save(data):
        committee = services.create_committee(by=request.user, **_fields(data, council))
        messages.success(request, f"{committee.name} has been added.")
        return redirect("setup_committees")

    submission = submit(
        request, lambda data, version=None: CommitteeForm(data, council=council, schemes=schemes, people=people,
                                                         initial=initial),
        save,
    )
    return render_form(request, "setup/council/committee_form.html", {"council": council, "committee": None},
                       submission)


@login_required
def setup_committee(request, committee_id):
    """Change a committee. A new scheme applies from its next meeting with nothing assessed."""
    permissions.ensure(request.user, "set_up")
    council = Council.current()
    committee = get_object_or_404(Committee.objects.select_related("scheme"), pk=committee_id)
    schemes = list(selectors.schemes_to_choose())
    if committee.scheme_id not in {scheme.pk for scheme in schemes}:
        schemes.append(selectors.scheme_for_setup(committee.scheme_id))
    initial = CommitteeForm.initial_for(committee)
    people = selectors.possible_members(committee)

    def make_form(data, version=None):
        return CommitteeForm(data, council=council, schemes=schemes, people=people, committee=committee,
                             initial=initial)

    def save(data):
        scheme_before = committee.scheme_id
        services.update_committee(committee, by=request.user, expected_version=data["version"],
                                  **_fields(data, council))
        if committee.scheme_id != scheme_before:
            messages.success(
                request,
                f"{committee.name} now assesses with {data['scheme']}. Its meetings whose categories are on record "
                "keep the scheme they used; its meetings still ahead with nothing assessed take the new one.",
            )
        else:
            messages.success(request, f"{committee.name} has been saved.")
        return redirect("setup_committees")

    submission = submit(
        request, make_form, save,
        stale_message=lambda current: stale_message("this committee", selectors.last_editor(current)),
    )
    return render_form(request, "setup/council/committee_form.html", {
        "council": council, "committee": committee,
        "stale_scheme": _scheme_of(submission.stale, schemes),
    }, submission)


def _scheme_of(committee: Committee | None, schemes):
    """The scheme of the committee as someone else saved it, from those already read."""
    if committee is None:
        return None
    return next((scheme for scheme in schemes if scheme.pk == committee.scheme_id), None) or committee.scheme
