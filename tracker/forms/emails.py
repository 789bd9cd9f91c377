"""The form of a person's "Your e-mails" page: which optional e-mails they are sent."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from tracker import notifications
from tracker.forms import GovukForm


class EmailChoicesForm(GovukForm):
    wanted = forms.MultipleChoiceField(
        label="Send me these e-mails",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick the ones you do not want. You can read what they say on the service’s pages.",
        error_messages={"invalid_choice": "Choose from the e-mails listed"},
    )

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for kind in notifications.OPTIONAL:
            name, when = notifications.in_words(kind, council)
            choices.append(Choice(kind, name, hint=when))
        self.fields["wanted"].choices = choices
        self.helper.layout = self.layout()

    def layout(self):
        return Layout(Field.checkboxes("wanted", legend_size=Size.MEDIUM))
