"""The forms of the inquiry set-up pages: inquiries, recommendations pasted, imported or typed one by one,
withdrawing and moving them.

A form reads what was typed as the report prints it (``tracker.paste``,
``tracker.timescales``) and checks what a form can; the services decide the rest and
their refusals come back beside these fields (their names are the services' keys).
No field sets ``maxlength`` on its input: a browser would cut a pasted number or text
without saying so, so a long one is refused beside the field instead.
"""

from __future__ import annotations

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from tracker.forms import CommitteeField, GovukDateField, GovukForm, TextField, VersionField
from tracker.models import Committee, ExecutiveResponse, Recommendation
from tracker.parsed import ParsedRecommendation
from tracker.paste import split_owners, split_recommendation_text
from tracker.timescales import parse_timescale

NUMBER_LIMIT = Recommendation._meta.get_field("number").max_length
PASTE_LIMIT = 500_000  # characters: several hundred recommendations
UPLOAD_LIMIT = 5 * 1024 * 1024  # bytes


class LongTextField(TextField):
    """A text field whose length is checked on the server only (never cut by the browser)."""

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def _too_long(what: str) -> dict:
    return {"max_length": f"{what} must be %(limit_value)s characters or fewer (it has %(show_value)s)."}


# The order the radios are offered in: the usual answer first.
RESPONSE_CHOICES = [
    (ExecutiveResponse.ACCEPTED, ExecutiveResponse.ACCEPTED.label),
    (ExecutiveResponse.ACCEPTED_IN_PRINCIPLE, ExecutiveResponse.ACCEPTED_IN_PRINCIPLE.label),
    (ExecutiveResponse.REJECTED, ExecutiveResponse.REJECTED.label),
    (ExecutiveResponse.PENDING, ExecutiveResponse.PENDING.label),
]


class ResponseForm(GovukForm):
    """The executive's response to the recommendations, and when it was given."""

    executive_response = forms.ChoiceField(
        choices=RESPONSE_CHOICES,
        widget=forms.RadioSelect,
        label="The executive’s response",
        help_text="Only recommendations accepted, or accepted in principle, are tracked by default.",
        error_messages={"required": "Choose the executive’s response",
                        "invalid_choice": "Choose one of the responses listed"},
    )
    responded_on = GovukDateField(
        required=False,
        label="Date of the response (optional)",
        help_text="For example, 27 3 2015",
    )

    def response_layout(self):
        return [Field.radios("executive_response", legend_size=Size.SMALL), Field("responded_on")]


# --- Inquiries -----------------------------------------------------------------------------------


class InquiryForm(GovukForm):
    committee = CommitteeField(
        queryset=Committee.objects.order_by("name"),
        label="Committee",
        help_text="The committee that made the report and will track its recommendations.",
        empty_label="Choose the committee",
        error_messages={"required": "Choose the committee", "invalid_choice": "Choose one of the committees listed"},
    )
    title = LongTextField(
        label="Title of the inquiry",
        help_text="As the report names it, for example “Child Sexual Exploitation”.",
        max_length=300,
        error_messages={"required": "Enter the title of the inquiry", **_too_long("The title")},
    )
    reported_on = GovukDateField(
        required=False,
        label="Date reported (optional)",
        help_text="When the report was made. For example, 27 3 2015",
    )

    def layout(self):
        return Layout(Field.select("committee"), Field.text("title"), Field("reported_on"))


class InquiryChangeForm(InquiryForm):
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["committee"]

    def layout(self):
        return Layout(Field.text("title"), Field("reported_on"), Field("version"))


# --- Pasting and importing -----------------------------------------------------------------------

PASTE_HELP = (
    "Paste the recommendations as the report prints them: the number, then the text "
    "(“That: a) … b) …”, bullets), then lines starting “Responsibility:” and “Date:”; or rows copied "
    "from a table in Word or Excel: No., Recommendation, Responsibility, Date."
)

PASTE_EXAMPLE = """<p class="govuk-body">Printed text, one recommendation after another:</p>
<p class="govuk-body app-example">Leisure Task Group Rec 1 That the Council:<br>
a) reviews the opening hours of its leisure centres;<br>
b) reports the results to the executive.<br>
Responsibility: Director of Place / Head of Leisure<br>
Date: Initial feedback April 2026 and completion December 2026</p>
<p class="govuk-body app-example">Leisure Task Group Rec 2 That a new pool is planned.<br>
Responsibility: Head of Planning<br>
Date: To be confirmed when the Planning and Infrastructure Act is passed</p>
<p class="govuk-body">A “Theme:” line puts the recommendations after it under that theme. Rows copied from a
table keep their columns; a header row (No., Recommendation, Responsibility, Date) says which is which.</p>"""


class PasteForm(ResponseForm):
    text = LongTextField(
        multiline=True,
        label="Recommendations",
        help_text=PASTE_HELP,
        max_length=PASTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        error_messages={"required": "Paste the recommendations", **_too_long("The text")},
    )
    # The text as it was last checked: saving a text nobody has seen read is refused.
    checked = forms.CharField(required=False, widget=forms.HiddenInput)

    def layout(self):
        return Layout(
            Field.textarea("text", rows=16),
            HTML.details("See an example", PASTE_EXAMPLE),
            *self.response_layout(),
        )  # "checked" is written by the page, with the text just read


class ImportForm(ResponseForm):
    file = forms.FileField(
        label="The spreadsheet",
        help_text="An Excel workbook (.xlsx) or a CSV file (.csv), up to 5 MB. Its header row names the columns: "
        "number, recommendation, responsibility and date for completion; theme, progress and category "
        "if it has them.",
        error_messages={"required": "Choose the spreadsheet to upload",
                        "empty": "The file is empty: choose the spreadsheet with the recommendations in it",
                        "invalid": "Choose the spreadsheet to upload"},
    )
    agreed_on = GovukDateField(
        required=False,
        label="Date of the meeting that agreed the categories",
        help_text="Only needed when the spreadsheet has a category column (category, status or RAG). "
        "For example, 10 2 2016",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_LIMIT:
            raise ValidationError(
                f"The file is {filesizeformat(upload.size)}: it must be {filesizeformat(UPLOAD_LIMIT)} or smaller. "
                "Take out anything but the recommendations (pictures, other sheets), or save it as a CSV file."
            )
        return upload

    def layout(self):
        return Layout(Field("file"), *self.response_layout(), Field("agreed_on"))


class ImportConfirmForm(forms.Form):
    """The checked rows, carried to the save signed (see the import page)."""

    checked = forms.CharField(widget=forms.HiddenInput, max_length=5_000_000)


# --- One recommendation --------------------------------------------------------------------------


def recommendation_text(recommendation) -> str:
    """A stored recommendation's text as the form shows it: the opening words, then each sub-part on its line."""
    lines = [recommendation.lead]
    for part in recommendation.sub_parts.all():
        lines.append(f"{part.label} {part.text}" if part.label else f"• {part.text}")
    return "\n".join(line for line in lines if line)


class RecommendationForm(ResponseForm):
    number = LongTextField(
        label="Number",
        help_text="As the report prints it, for example “R04” or “Leisure Task Group Rec 1”. "
        f"Up to {NUMBER_LIMIT} characters.",
        error_messages={"required": "Enter the recommendation’s number as the report prints it"},
    )
    text = LongTextField(
        multiline=True,
        label="Recommendation",
        help_text="As the report prints it: the opening words (“That:”), then each sub-part on its own line "
        "starting “a)”, “b)” … or a bullet (•, - or *).",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter the recommendation’s text"},
    )
    owners = LongTextField(
        multiline=True,
        required=False,
        label="Responsibility",
        help_text="The owners, one per line (a “/” between two also separates them).",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    timescale = LongTextField(
        multiline=True,
        required=False,
        label="Original date for completion",
        help_text="As printed, for example “December 2016”, “Initial feedback April 2015 and completion Dec 2015”, "
        "“On-going” or “To be confirmed when the … Act is passed”.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    theme = forms.ChoiceField(
        required=False,
        label="One of this inquiry’s themes",
        error_messages={"invalid_choice": "Choose one of this inquiry’s themes"},
    )
    new_theme = LongTextField(
        required=False,
        label="Or type a new theme",
        help_text="As printed, for example “B Policies and Procedures”.",
        max_length=300,
        error_messages=_too_long("The theme"),
    )

    def __init__(self, *args, inquiry, date_in_use: bool = False, **kwargs):
        self.inquiry = inquiry
        self.themes = {str(theme.pk): theme for theme in inquiry.themes.all()}
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "No theme")] + [(pk, str(theme)) for pk, theme in self.themes.items()]
        if not self.themes:
            del self.fields["theme"]
            self.fields["new_theme"].label = "Type a theme"
            self.helper.layout = self.layout()
        if date_in_use:
            self.fields["timescale"].help_text = (
                "It has been tracked against, so it stays as it is. To move the date, record the move and "
                "its reason instead."
            )

    def layout(self):
        return Layout(*self.layout_items())

    def layout_items(self) -> list:
        return [
            Field.text("number"),
            Field.textarea("text", rows=8),
            HTML('{% include "setup/inquiries/_text_reading.html" %}'),
            Field.textarea("owners", rows=3),
            Field.textarea("timescale", rows=2),
            Fieldset(
                *([Field.select("theme")] if "theme" in self.fields else []),
                Field.text("new_theme"),
                legend="Theme (optional)",
                legend_size=Size.SMALL,
            ),
            *self.response_layout(),
        ]

    def clean_number(self):
        number = self.cleaned_data["number"]
        if len(number) > NUMBER_LIMIT:
            raise ValidationError(f"A number can be up to {NUMBER_LIMIT} characters long; this one has {len(number)}. "
                                  "Shorten it: nothing was cut.")
        return number

    def clean_text(self):
        text = self.cleaned_data["text"]
        lead, sub_parts = split_recommendation_text(text)
        if sub_parts and not lead:
            raise ValidationError("Start with the opening words before the first sub-part, for example “That:”")
        return text

    def clean_timescale(self):
        timescale = self.cleaned_data["timescale"]
        _, problems = parse_timescale(timescale)
        if problems:
            raise ValidationError(problems)
        return timescale

    def clean_theme(self):
        value = self.cleaned_data.get("theme")
        return self.themes.get(value) if value else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("theme") and cleaned.get("new_theme"):
            self.add_error("new_theme", "Choose a theme from the list or type a new one, not both")
        cleaned.setdefault("theme", None)
        return cleaned

    def reading(self) -> tuple[str, list[tuple[str, str]]] | None:
        """How the text in the box reads: (opening words, sub-parts), for the lines under the field."""
        text = self.data.get(self.add_prefix("text"), "") if self.is_bound else self.initial.get("text", "")
        if not text.strip():
            return None
        return split_recommendation_text(text)

    def parsed(self) -> ParsedRecommendation:
        """The recommendation as typed (call after is_valid())."""
        data = self.cleaned_data
        lead, sub_parts = split_recommendation_text(data["text"])
        milestones, _ = parse_timescale(data["timescale"])
        return ParsedRecommendation(
            number=data["number"], lead=lead, sub_parts=sub_parts, owners=split_owners(data["owners"]),
            timescale=data["timescale"], milestones=milestones,
            theme=str(data["theme"]) if data["theme"] else data["new_theme"],
        )


class RecommendationChangeForm(RecommendationForm):
    version = VersionField()

    def layout_items(self) -> list:
        return [*super().layout_items(), Field("version")]


# --- Withdrawing and moving ----------------------------------------------------------------------


class WithdrawForm(GovukForm):
    reason = LongTextField(
        multiline=True,
        required=False,
        label="Why is it withdrawn?",
        help_text="Kept on its timeline with the date.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_too_long("The reason"),
    )

    def layout(self):
        return Layout(Field.textarea("reason", rows=3))


class TransferForm(GovukForm):
    to_committee = CommitteeField(
        queryset=Committee.objects.none(),
        label="The committee now responsible",
        empty_label="Choose the committee",
        error_messages={"required": "Choose the committee now responsible",
                        "invalid_choice": "Choose one of the committees listed"},
    )
    transferred_on = GovukDateField(
        label="Date of the move",
        help_text="For example, 20 5 2016",
        error_messages={"required": "Enter the date of the move"},
    )
    reason = LongTextField(
        multiline=True,
        label="Why does it move?",
        help_text="For example, “Children’s services moved to the new committee in May 2016.” Kept on the "
        "timeline of every recommendation that moves.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it moves", **_too_long("The reason")},
    )

    def __init__(self, *args, current_committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_committee"].queryset = Committee.objects.exclude(pk=current_committee.pk).order_by("name")

    def layout(self):
        return Layout(Field.select("to_committee"), Field("transferred_on"), Field.textarea("reason", rows=3),
                      *([Field("version")] if "version" in self.fields else []))


class InquiryTransferForm(TransferForm):
    version = VersionField()
