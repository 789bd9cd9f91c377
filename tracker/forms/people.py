"""The forms of the people pages: inviting someone, changing what they do, and the owners they act for.

Roles are offered in the council's words (tracker.roles.in_words); choices are the records
the page has already read, so checking a form asks the database nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from tracker import roles
from tracker.forms import GovukForm, TextField
from tracker.models import Owner

# The names of a user (first and last names are 150 characters each in Django's user).
NAME_LIMIT = 150
OWNER_NAME_LIMIT = Owner._meta.get_field("name").max_length
ALIASES_LIMIT = 20_000


class RecordsField(forms.MultipleChoiceField):
    """Checkboxes for records already read, each with an optional hint; cleans to the records ticked."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, what: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(error_messages={"invalid_choice": f"Choose from the {what} listed",
                                         "required": f"Choose at least one of the {what}"}, **kwargs)
        self.records: dict[str, object] = {}

    def offer(self, records: Iterable, label: Callable[[object], str],
              hint: Callable[[object], str] | None = None) -> None:
        self.records = {str(record.pk): record for record in records}
        choices = []
        for key, record in self.records.items():
            words = hint(record) if hint else ""
            choices.append(Choice(key, label(record), **({"hint": words} if words else {})))
        self.choices = choices

    def clean(self, value):
        return [self.records[key] for key in super().clean(value)]


def scrolling_checkboxes(name: str) -> Field:
    """A long list of checkboxes that scrolls in its own box, under its legend and hint (app.css)."""
    field = Field.checkboxes(name, legend_size=Size.MEDIUM, small=True)
    field.context["wrapper_class"] = "app-scroll-choices"
    return field


def role_choices(council) -> list[Choice]:
    return [Choice(role.key, role.name, hint=role.does) for role in roles.in_words(council)]


def person_label(person) -> str:
    return person.get_full_name() or person.email or person.get_username()


class PersonForm(GovukForm):
    """Who someone is, what they do and the owners they act for (an invitation, or a change)."""

    full_name = TextField(
        label="Full name",
        max_length=NAME_LIMIT,
        error_messages={"required": "Enter their full name",
                        "max_length": f"The name must be {NAME_LIMIT} characters or fewer."},
    )
    email = forms.EmailField(
        label="E-mail address",
        help_text="They sign in with it, and the invitation goes to it.",
        max_length=254,
        error_messages={"required": "Enter their e-mail address",
                        "invalid": "Enter an e-mail address in the correct format, like name@example.com",
                        "max_length": "The e-mail address must be 254 characters or fewer."},
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        help_text="Choose every one that applies.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role", "invalid_choice": "Choose from the roles listed"},
    )
    owners = RecordsField(
        what="owners",
        label="Owners they act for",
        help_text="Officers write the evidence, and those who propose categories propose them, for these "
        "owners’ recommendations. An owner not listed can be added under Owners, in Set up.",
    )

    def __init__(self, *args, council, owners, changing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if changing:
            self.fields["email"].help_text = ("Their invitations and password reset links go to it. Someone who "
                                              "signs in with their e-mail address signs in with the new one.")
        self.fields["roles"].choices = role_choices(council)
        self.groups = {role.key: role.role for role in roles.in_words(council)}
        self.fields["owners"].offer(owners, label=str)
        self.fields["email"].widget.attrs.update(spellcheck="false", autocomplete="off")
        self.fields["full_name"].widget.attrs.update(spellcheck="false", autocomplete="off")

    def clean_roles(self):
        return [self.groups[key] for key in self.cleaned_data["roles"]]

    def layout(self):
        return Layout(
            Field.text("full_name", field_width=20),
            Field.text("email", field_width=30),
            Field.checkboxes("roles", legend_size=Size.MEDIUM),
            scrolling_checkboxes("owners"),
        )


class OwnerForm(GovukForm):
    """An owner's name, the other spellings reports use for it, and the people who act for it."""

    name = TextField(
        label="Name",
        help_text="The role or body, as the council’s reports name it: for example “Director of Public Health”.",
        max_length=OWNER_NAME_LIMIT,
        error_messages={"required": "Enter the owner’s name",
                        "max_length": f"The name must be {OWNER_NAME_LIMIT} characters or fewer."},
    )
    aliases = TextField(
        multiline=True,
        required=False,
        label="Other spellings (optional)",
        help_text="Each on its own line. Recommendations pasted or imported with one of these spellings are given to "
        "this owner.",
        max_length=ALIASES_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        error_messages={"max_length": f"The other spellings must be {ALIASES_LIMIT} characters or fewer."},
    )
    delegates = RecordsField(
        what="people",
        label="People who act for this owner (optional)",
        help_text="They write the evidence for its recommendations, or propose their categories, as their roles say.",
    )

    def __init__(self, *args, council, people, renaming: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if renaming:
            self.fields["name"].help_text = (
                "Changing it keeps the old name as another spelling, so reports that use it still find this owner."
            )
        names = {role.role: role.name for role in roles.in_words(council)}

        def roles_of(person) -> str:
            held = {group.name for group in person.groups.all()}
            words = [names[role] for role in roles.ROLES if role in held] or ["No role"]
            return ", ".join(words + ([] if person.is_active else ["deactivated"]))

        self.fields["delegates"].offer(people, label=person_label, hint=roles_of)

    def clean_aliases(self):
        return [line.strip() for line in (self.cleaned_data["aliases"] or "").splitlines() if line.strip()]

    def layout(self):
        return Layout(
            Field.text("name"),
            Field.textarea("aliases", rows=4),
            scrolling_checkboxes("delegates"),
        )
