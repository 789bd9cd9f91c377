"""The people pages: who has an account and what they do, inviting someone, changing their roles
and owners, deactivating a leaver; the owners themselves; and the page an invited person opens
to choose their password.

Roles are shown in the council's words (tracker.roles.in_words), never by their group's name.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from scrutiny.passwords import ChooseNewPasswordForm
from tracker import invitations, permissions, roles, selectors, services
from tracker.forms.people import OwnerForm, PersonForm, person_label
from tracker.models import Council, Owner
from tracker.views.common import render_form, submit

NOT_SENT = ("The e-mail could not be sent just now, so nothing was saved. Check the address and try again in a "
            "few minutes.")


@dataclass
class PersonRow:
    """One person as the pages show them: their name, roles in the council's words and owners."""

    person: object
    name: str
    roles: list[str]
    owners: list[Owner]

    @property
    def invited(self) -> bool:
        """Invited, but no password chosen yet."""
        return not self.person.has_usable_password()


def _row(person, words: list[roles.RoleInWords]) -> PersonRow:
    held = {group.name for group in person.groups.all()}
    return PersonRow(person, person_label(person), [role.name for role in words if role.role in held],
                     list(person.owners.all()))


def _invitation_url(request):
    """How an invitation's link is written: the welcome page, on this site, with the person's token."""
    return lambda user: request.build_absolute_uri(reverse("accept_invitation", args=[invitations.token_for(user)]))


def _sent(send):
    """Send an invitation; a mail server that refuses leaves nothing saved and says so beside the form."""
    try:
        return send()
    except (smtplib.SMTPException, OSError) as error:
        raise ValidationError(NOT_SENT) from error


def _mine_first(records, mine) -> list:
    """Records already chosen first (so none hides down a long list), each part in its own order."""
    chosen = {record.pk for record in mine}
    return sorted(records, key=lambda record: record.pk not in chosen)


# --- People ---------------------------------------------------------------------------------------


@login_required
def setup_people(request):
    """Everyone with an account, active first, with their roles and owners; filtered by a role."""
    permissions.ensure(request.user, "set_up")
    council = Council.current()
    words = roles.in_words(council)
    chosen = next((role for role in words if role.key == request.GET.get("role")), None)
    rows = [_row(person, words) for person in selectors.people(chosen.role if chosen else None)]
    return render(request, "setup/people/people.html", {
        "council": council, "rows": rows, "roles": words, "chosen": chosen,
    })


@login_required
def setup_person_invite(request):
    """The office invites someone by e-mail: their roles and the owners they act for."""
    permissions.ensure(request.user, "set_up")
    council = Council.current()
    owners = list(Owner.objects.order_by("name"))

    def save(data):
        person = _sent(lambda: services.invite_person(
            by=request.user, email=data["email"], full_name=data["full_name"], roles_given=data["roles"],
            owners=data["owners"], invitation_url=_invitation_url(request),
        ))
        messages.success(request, f"An invitation has been sent to {person_label(person)} at {person.email}.")
        return redirect("setup_people")

    submission = submit(request, lambda data, version=None: PersonForm(data, council=council, owners=owners), save)
    return render_form(request, "setup/people/invite.html", {
        "council": council, "lasts_days": invitations.LASTS_DAYS,
    }, submission)


@login_required
def setup_person(request, person_id):
    """One person: change their name, e-mail, roles and owners; deactivate or bring them back;
    send the invitation again while they have not chosen a password."""
    permissions.ensure(request.user, "set_up")
    council = Council.current()
    person = get_object_or_404(selectors.people(), pk=person_id)
    words = roles.in_words(council)
    row = _row(person, words)
    owners = _mine_first(Owner.objects.order_by("name"), row.owners)
    held = {group.name for group in person.groups.all()}
    initial = {
        "full_name": person.get_full_name(),
        "email": person.email,
        "roles": [role.key for role in words if role.role in held],
        "owners": [str(owner.pk) for owner in row.owners],
    }

    def save(data):
        services.update_person(person, by=request.user, full_name=data["full_name"], email=data["email"],
                               roles_given=data["roles"], owners=data["owners"])
        messages.success(request, f"The changes to {person_label(person)} have been saved.")
        return redirect("setup_person", person_id=person.pk)

    submission = submit(
        request, lambda data, version=None: PersonForm(
        data, initial=initial, council=council, owners=owners, changing=True), save
    )
    return render_form(request, "setup/people/person.html", {
        "council": council, "row": row, "person": person,
    }, submission)


def _person(person_id):
    return get_object_or_404(get_user_model(), pk=person_id)


@login_required
@require_POST
def setup_person_deactivate(request, person_id):
    return _set_active(request, _person(person_id), False)


@login_required
@require_POST
def setup_person_reactivate(request, person_id):
    return _set_active(request, _person(person_id), True)


def _set_active(request, person, active: bool):
    permissions.ensure(request.user, "set_up")
    try:
        services.set_person_active(person, active, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = person_label(person)
        messages.success(request, (
            f"{name} has been deactivated. They can no longer sign in; their name stays on everything they wrote."
            if not active else f"{name} can sign in again."
        ))
    return redirect("setup_person", person_id=person.pk)


@login_required
@require_POST
def setup_person_invite_again(request, person_id):
    """A new invitation link for someone who has not chosen a password yet."""
    permissions.ensure(request.user, "set_up")
    person = _person(person_id)
    try:
        _sent(lambda: services.send_invitation_again(person, by=request.user, invitation_url=_invitation_url(request)))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new invitation has been sent to {person_label(person)} at {person.email}.")
    return redirect("setup_person", person_id=person.pk)


# --- Owners ---------------------------------------------------------------------------------------


@dataclass
class OwnerRow:
    """One owner as the list shows it: its other spellings, and who acts for it (name, still active)."""

    owner: Owner
    aliases: list
    delegates: list[tuple[str, bool]]


@login_required
def setup_owners(request):
    """Every owner with its other spellings, who acts for it and how many recommendations it has."""
    permissions.ensure(request.user, "set_up")
    rows = [
        OwnerRow(owner, list(owner.aliases.all()), [(person_label(p), p.is_active) for p in owner.delegates.all()])
        for owner in selectors.owners()
    ]
    return render(request, "setup/people/owners.html", {"rows": rows})


@login_required
def setup_owner_new(request):
    permissions.ensure(request.user, "set_up")
    council = Council.current()
    people = selectors.people_to_choose()

    def save(data):
        owner = services.create_owner(by=request.user, name=data["name"], aliases=data["aliases"],
                                      delegates=data["delegates"])
        messages.success(request, f"“{owner.name}” has been added.")
        return redirect("setup_owners")

    submission = submit(request, lambda data, version=None: OwnerForm(data, council=council, people=people), save)
    return render_form(request, "setup/people/owner_form.html", {"council": council, "owner": None}, submission)


@login_required
def setup_owner(request, owner_id):
    """Rename an owner, change its other spellings, or who acts for it."""
    permissions.ensure(request.user, "set_up")
    council = Council.current()
    owner = get_object_or_404(selectors.owners(), pk=owner_id)
    aliases, delegates = list(owner.aliases.all()), list(owner.delegates.all())
    people = _mine_first(selectors.people_to_choose(also=delegates), delegates)
    initial = {"name": owner.name, "aliases": "\n".join(alias.name for alias in aliases),
               "delegates": [str(person.pk) for person in delegates]}

    def save(data):
        saved = services.update_owner(owner, by=request.user, name=data["name"], aliases=data["aliases"],
                                      delegates=data["delegates"])
        messages.success(request, f"“{saved.name}” has been saved.")
        return redirect("setup_owners")

    submission = submit(request, lambda data, version=None: OwnerForm(
        data, initial=initial, council=council, people=people, renaming=True), save)
    return render_form(request, "setup/people/owner_form.html", {"council": council, "owner": owner}, submission)


# --- The invited person chooses their password ----------------------------------------------------


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def accept_invitation(request, token):
    """The link in an invitation: choose a password, and be signed in.

    A link that is wrong, used, too old, or for someone since deactivated gets one plain
    page, the same whatever the reason, so the link tells nobody whether an account exists.
    """
    person = invitations.invited_by_token(token)
    if person is None:
        return _link_does_not_work(request)

    def save(data):
        with transaction.atomic():
            locked = invitations.invited_by_token(token, for_update=True)
            if locked is None or locked.pk != person.pk:
                return _link_does_not_work(request)
            locked.set_password(data["new_password1"])
            locked.save(update_fields=["password"])
        login(request, locked, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {person_label(locked)}. Your password is saved and you are signed in.")
        return redirect("home")

    submission = submit(request, lambda data, version=None: ChooseNewPasswordForm(person, data), save)
    return render_form(request, "setup/people/welcome.html", {"person": person, "name": person_label(person)},
                       submission)


def _link_does_not_work(request):
    return render(request, "setup/people/welcome_link_does_not_work.html", {"lasts_days": invitations.LASTS_DAYS})
