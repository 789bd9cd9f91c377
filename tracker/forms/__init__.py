"""The forms of the tracking pages, rendered with crispy-forms-gds (GOV.UK Design System).

A form checks what a form can (a real date, a choice from the list); the domain rules
are the services' (they raise ValidationError keyed by these fields' names, which
``add_service_error`` puts next to the field). Every error is also listed in the error
summary at the top of the page (``error_links``).
"""

from __future__ import annotations

import datetime
import uuid

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from tracker import attachments
from tracker import text as texts
from tracker.models import Committee, Recommendation


class GovukDateField(DateInputField):
    """Day, month and year boxes; any nonsense typed in them is an error beside the field, never a crash."""

    def __init__(self, *, required=True, error_messages=None, **kwargs):
        super().__init__(require_all_fields=False, required=required, **kwargs)
        self.error_messages.update(error_messages or {})

    def clean(self, value):
        if isinstance(value, (list, tuple)):
            value = [v.strip() if isinstance(v, str) else v for v in value]
        return super().clean(value)

    def compress(self, data_list):
        if not data_list:
            return None
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            if len(str(year)) != 4:
                raise ValueError
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError) as error:
            raise ValidationError("Enter a real date, for example 31 3 2017", code="invalid") from error


class TextField(forms.CharField):
    """Words a person types or pastes, normalised once, here at the boundary (tracker.text).

    Line endings and pasted control characters are made storable, and a text of only
    invisible characters counts as empty (so a required field says "Enter …").
    ``multiline`` fields keep their line breaks; one-line fields turn them into spaces.
    """

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        value = texts.normalise(value, multiline=self.multiline)
        if self.strip:
            value = value.strip()
        return self.empty_value if texts.is_blank(value) else value


class GovukForm(forms.Form):
    """A form laid out by crispy-forms-gds; the page template writes the <form> tag and buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page template's <form> carries the token
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = self.layout()

    def layout(self):
        return Layout(*self.fields)

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary: each error links to its field's first input."""
        links = [("", str(error)) for error in self.non_field_errors()]
        for name, field in self.fields.items():
            bound = self[name]
            if field.widget.is_hidden:
                links += [("", str(error)) for error in bound.errors]
                continue
            if isinstance(field, forms.MultiValueField):
                anchor = f"{bound.auto_id}_0"
            elif isinstance(field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                anchor = f"id_{bound.html_name}_1"
            else:
                anchor = bound.auto_id
            links += [(anchor, str(error)) for error in bound.errors]
        return links


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it names (or at the top when it names none)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


OUT_OF_DATE = "This form is out of date. Reload the page and try again."


class VersionField(forms.IntegerField):
    """The version of the record the form was read at (optimistic locking)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(
            min_value=1,
            max_value=2**31 - 1,
            error_messages={key: OUT_OF_DATE for key in ("required", "invalid", "min_value", "max_value")},
            **kwargs,
        )


# --- Evidence ------------------------------------------------------------------------------


class EvidenceForm(GovukForm):
    """An officer's dated update. One per recommendation on the officer's page, so each has its own prefix."""

    text = TextField(
        multiline=True,
        label="Evidence of progress",
        help_text="What has been done since the last update. Earlier evidence stays as it is.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=texts.MAX_EVIDENCE_LENGTH,
        error_messages={
            "required": "Enter the evidence of progress",
            "max_length": "Evidence must be %(limit_value)s characters or fewer (it has %(show_value)s). "
            "Split it into two updates, or shorten it.",
        },
    )
    written_on = GovukDateField(
        label="Date written",
        help_text="For example, 27 3 2016",
        error_messages={"required": "Enter the date the update was written"},
    )
    # Which form this is: sending it twice (a double click, a retry) adds the update once.
    submission = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
    )

    @staticmethod
    def prefix_for(recommendation) -> str:
        return f"r{recommendation.pk}"

    @classmethod
    def blank_kwargs(cls, recommendation, today: datetime.date) -> dict:
        """A new, empty update form for the recommendation, dated today, with its own submission key."""
        return {"prefix": cls.prefix_for(recommendation), "initial": {"written_on": today, "submission": uuid.uuid4()}}

    @classmethod
    def blank(cls, recommendation, today: datetime.date):
        return cls(**cls.blank_kwargs(recommendation, today))

    attachment = forms.FileField(
        required=False,
        label="Attach a document or image (optional)",
        help_text="A PDF, a Word document or an image (PNG, JPEG or GIF), smaller than 10 MB.",
        error_messages={"invalid": attachments.EMPTY, "empty": attachments.EMPTY,
                        "missing": attachments.CHOOSE, "required": attachments.CHOOSE},
    )
    attachment_description = TextField(
        required=False,
        label="What it is or shows",
        help_text="For example, “Minutes of the project board, 3 March 2016”. Readers see these words as the "
        "link to the file, and in place of an image.",
        max_length=attachments.MAX_DESCRIPTION,
        error_messages={"max_length": "What the file is or shows must be %(limit_value)s characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "attachment" in self.fields:
            self.fields["attachment"].help_text = (
                "A PDF, a Word document or an image (PNG, JPEG or GIF), smaller than "
                f"{attachments.size_in_words(attachments.max_bytes())}."
            )

    def clean(self):
        cleaned = super().clean()
        if "attachment" not in self.fields:
            return cleaned
        uploaded = cleaned.get("attachment")
        if not uploaded and cleaned.get("attachment_description") and "attachment" not in self.errors:
            # A browser never keeps a chosen file when the page comes back with an error.
            self.add_error("attachment", attachments.CHOOSE_AGAIN)
        if uploaded:
            try:
                attachments.check(uploaded)
                cleaned["attachment_description"] = attachments.check_description(
                    cleaned.get("attachment_description") or ""
                )
            except ValidationError as error:
                for name, errors in error.error_dict.items():
                    self.add_error(name, errors)
        return cleaned

    def attachment_fields(self) -> list:
        return [Field("attachment"), Field.text("attachment_description")] if "attachment" in self.fields else []

    def layout(self):
        return Layout(Field.textarea("text"), Field("written_on"), *self.attachment_fields(), Field("submission"))


class AttachmentForm(GovukForm):
    """A file attached to an update already written: the file, and what it is or shows."""

    attachment = forms.FileField(
        label="Document or image",
        error_messages={"invalid": attachments.EMPTY, "empty": attachments.EMPTY,
                        "missing": attachments.CHOOSE, "required": attachments.CHOOSE},
    )
    attachment_description = TextField(
        label="What it is or shows",
        help_text="Readers see these words as the link to the file, and in place of an image.",
        max_length=attachments.MAX_DESCRIPTION,
        error_messages={"required": attachments.DESCRIBE,
                        "max_length": "What the file is or shows must be %(limit_value)s characters or fewer"},
    )
    submission = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = (
            "A PDF, a Word document or an image (PNG, JPEG or GIF), smaller than "
            f"{attachments.size_in_words(attachments.max_bytes())}."
        )

    def clean_attachment(self):
        uploaded = self.cleaned_data["attachment"]
        try:
            attachments.check(uploaded)
        except ValidationError as error:
            raise ValidationError(error.error_dict["attachment"]) from error
        return uploaded

    def layout(self):
        return Layout(Field("attachment"), Field.text("attachment_description"), Field("submission"))


class EvidenceCorrectionForm(EvidenceForm):
    submission = None  # a correction carries the version it was read at instead
    attachment = None  # files are attached on their own page
    attachment_description = None
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = "The earlier version is kept and shown on the recommendation’s timeline."
        self.fields["written_on"].required = False

    def layout(self):
        return Layout(Field.textarea("text"), Field("written_on"), Field("version"))


class LateEvidenceForm(EvidenceForm):
    """An update received after the pack was published; the scrutiny office says whom it is from."""

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = (
            "What has happened since the pack was published. It is shown as received after the pack, with its date."
        )
        if officers is not None:
            self.fields["author"] = forms.ModelChoiceField(
                queryset=officers,
                label="From",
                help_text="The officer who sent the update: it is recorded as theirs, entered by you.",
                empty_label="Choose the officer",
                error_messages={"required": "Choose the officer the update is from",
                                "invalid_choice": "Choose one of the officers listed"},
            )
            self.fields["author"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
            self.helper.layout = self.layout()

    def layout(self):
        fields = [Field("author")] if "author" in self.fields else []
        return Layout(
            *fields, Field.textarea("text"), Field("written_on"), *self.attachment_fields(), Field("submission")
        )


# --- The cover report ----------------------------------------------------------------------


class CoverIntroductionForm(GovukForm):
    """Paragraph 4 of the cover report: the assessor's introduction."""

    introduction = TextField(
        multiline=True,
        required=False,
        label="Introduction",
        help_text="Printed as paragraph 4 of the report. Leave a blank line between paragraphs.",
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=texts.MAX_EVIDENCE_LENGTH,
        error_messages={"max_length": "The introduction must be %(limit_value)s characters or fewer."},
    )
    version = VersionField()

    def layout(self):
        return Layout(Field.textarea("introduction"), Field("version"))


class CoverReportForm(CoverIntroductionForm):
    """The scrutiny office's form: the introduction (on the assessor's behalf) and the contact officer."""

    contact_name = TextField(label="Contact officer’s name", max_length=200,
                             error_messages={"required": "Enter the contact officer’s name"})
    contact_title = TextField(label="Job title", required=False, max_length=200)
    contact_telephone = TextField(label="Telephone", required=False, max_length=50)
    contact_email = forms.EmailField(
        label="E-mail address", required=False, max_length=254,
        error_messages={"invalid": "Enter an e-mail address like name@example.gov.uk"},
    )

    def layout(self):
        return Layout(
            Field.textarea("introduction"),
            Fieldset(
                Field.text("contact_name"), Field.text("contact_title"), Field.text("contact_telephone"),
                Field.text("contact_email"),
                legend="Contact officer", legend_size=Size.MEDIUM,
            ),
            Field("version"),
        )


# --- Categories ----------------------------------------------------------------------------


def category_choices(categories) -> list[Choice]:
    """Each category with its number and label, and its criteria as the hint (never colour alone)."""
    return [
        Choice(str(category.pk), str(category), hint=category.criteria.replace("\n", " "))
        for category in categories
    ]


def _named(categories) -> str:
    names = [f"“{category}”" for category in categories]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class CategoryForm(GovukForm):
    """A category for a recommendation at a meeting, with what the scheme's categories ask for.

    The anticipated date and the reasons are asked for only where a category of the
    scheme needs them, and their hints name those categories (never a council's numbers).
    """

    category = forms.ChoiceField(
        label="Category",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a category", "invalid_choice": "Choose one of the categories listed"},
    )
    anticipated_date = GovukDateField(
        required=False,
        label="Anticipated date",
    )
    reasons = TextField(
        multiline=True,
        label="Reasons",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = TextField(
        multiline=True,
        label="Why is the anticipated date moving?",
        help_text="Only needed when you change an anticipated date already advised.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()

    def __init__(self, *args, scheme, date_advised: bool = True, **kwargs):
        self.scheme = scheme
        self.scheme_categories = list(scheme.categories.all())
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(self.scheme_categories)
        dated = [c for c in self.scheme_categories if c.needs_anticipated_date]
        if dated:
            self.fields["anticipated_date"].help_text = (
                f"The date by which the recommendation is expected to be achieved. Needed for {_named(dated)}. "
                "For example, 31 3 2017"
            )
        else:
            del self.fields["anticipated_date"]
        with_reasons = [c for c in self.scheme_categories if c.needs_reasons]
        if with_reasons:
            self.fields["reasons"].help_text = (
                f"Needed for {_named(with_reasons)}: say why, in a sentence or two. They are printed in the pack."
            )
        else:
            del self.fields["reasons"]
        if not (date_advised and dated):
            # Nothing to move yet, so no reason to ask for.
            del self.fields["reason"]
        self.helper.layout = self.layout()

    def clean(self):
        cleaned = super().clean()
        for name in ("reason", "reasons"):
            cleaned.setdefault(name, "")
        cleaned.setdefault("anticipated_date", None)
        return cleaned

    def clean_category(self):
        value = self.cleaned_data["category"]
        for category in self.scheme_categories:
            if str(category.pk) == value:
                return category
        raise ValidationError("Choose one of the categories listed")

    def _optional(self):
        return [
            *([Field("anticipated_date")] if "anticipated_date" in self.fields else []),
            *([Field.textarea("reasons")] if "reasons" in self.fields else []),
            *([Field.textarea("reason")] if "reason" in self.fields else []),
        ]

    def layout(self):
        return Layout(Field.radios("category", legend_size=Size.MEDIUM), *self._optional(), Field("version"))


class ProposalForm(CategoryForm):
    """The assessor's proposal (or the scrutiny office's, on the owners' behalf)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].label = "Proposed category"


class DecisionForm(CategoryForm):
    """The committee's decision, recorded by the scrutiny office."""

    concluded = forms.BooleanField(
        required=False,
        label="The committee concluded this recommendation",
        help_text="It leaves the tracking list and is shown as concluded, with this meeting’s date.",
    )
    remark = TextField(
        multiline=True,
        label="Remark for the tracking assessment (optional)",
        help_text="Printed after the category, for example “Work will be ongoing.”",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].label = "Category agreed by the committee"

    def layout(self):
        return Layout(
            Field.radios("category", legend_size=Size.MEDIUM),
            *self._optional(),
            Fieldset(Field.checkbox("concluded"), Field.textarea("remark"), legend="Conclusion", legend_size=Size.MEDIUM),
            Field("version"),
        )


class NarrativeDecisionForm(GovukForm):
    """The committee's decision where the scheme has no categories: completed, or tracking continues."""

    outcome = forms.ChoiceField(
        label="The committee’s decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the committee decided"},
    )
    remark = TextField(
        multiline=True,
        label="Remark (optional)",
        help_text="Printed with the decision when the recommendation is completed.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            Choice("completed", scheme.completed_words,
                   hint="It leaves the tracking list and is shown as concluded, with this meeting’s date."),
            Choice("continue", scheme.continue_words, hint="It stays on the list for the committee’s next meeting."),
        ]

    def layout(self):
        return Layout(Field.radios("outcome", legend_size=Size.MEDIUM), Field.textarea("remark"), Field("version"))


# --- Meetings ------------------------------------------------------------------------------

BIGGEST_ID = 2**63 - 1


def _plausible_id(value) -> bool:
    """A primary key the database can be asked about (a huge number crashes SQLite's driver)."""
    text = str(value).strip()
    return text.isascii() and text.isdigit() and 0 < int(text) <= BIGGEST_ID


class Select(forms.Select):
    """A drop-down written in one pass. Django's own renders two templates for each option (about
    40 µs apiece): an installation with hundreds of committees paid 20 ms a page for its filters.
    Named as Django's because crispy-forms-gds styles a widget (GOV.UK class, error state) by its
    class's name."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, group, _ in widget["optgroups"]:
            options = format_html_join(
                "\n", '<option value="{}"{}>{}</option>',
                ((option["value"], flatatt(option["attrs"]), option["label"]) for option in group),
            )
            groups.append(format_html('<optgroup label="{}">\n{}\n</optgroup>', group_name, options)
                          if group_name else options)
        return format_html('<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]),
                           format_html_join("\n", "{}", ((group,) for group in groups)))


class CommitteeField(forms.ModelChoiceField):
    widget = Select

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not _plausible_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def any_committee() -> CommitteeField:
    """A filter's "Committee" choice: one committee, or all of them when none is chosen."""
    return CommitteeField(
        queryset=Committee.objects.order_by("name"),
        required=False,
        label="Committee",
        empty_label="All committees",
        error_messages={"invalid_choice": "Choose one of the committees listed"},
    )


# A drop-down lists every inquiry (or owner) up to this many; beyond, those of the committee
# chosen, so that a filter's page stays the same size however many an installation holds.
LONGEST_LIST = 250


def shorten_long_lists(form, data) -> None:
    """Past LONGEST_LIST inquiries or owners, a filter form's "inquiry" and "owner" drop-downs
    offer those of the committee chosen (and the one already chosen) instead of every one; the
    field itself still accepts any, so a link naming one keeps working."""
    committee = form.fields["committee"].queryset.filter(pk=_number(data.get("committee"))).first()
    lists = {
        "inquiry": ("committee", "inquiries"),
        "owner": ("responsibilities__recommendation__committee", "owners"),
    }
    for name, (of_committee, plural) in lists.items():
        field = form.fields.get(name)
        if field is None or field.queryset[: LONGEST_LIST + 1].count() <= LONGEST_LIST:
            continue
        offered = Q(pk=_number(data.get(name)))
        if committee is not None:
            offered |= Q(**{of_committee: committee})
        choices = field.queryset.filter(offered).distinct()[:LONGEST_LIST]
        field.widget.choices = [("", field.empty_label)] + [(each.pk, field.label_from_instance(each)) for each in choices]
        field.help_text = (
            f"The {plural} of the committee chosen." if committee
            else f"Choose a committee and apply the filters to list its {plural}."
        )


def _number(value) -> int | None:
    value = str(value or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class RecommendationsField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not _plausible_id(pk):
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": pk})
        return super()._check_values(value)



class MeetingForm(GovukForm):
    committee = CommitteeField(
        queryset=Committee.objects.order_by("name"),
        label="Committee",
        empty_label="Choose the committee",
        error_messages={"required": "Choose the committee", "invalid_choice": "Choose one of the committees listed"},
    )
    date = GovukDateField(label="Date of the meeting", help_text="For example, 15 6 2016")
    evidence_deadline = GovukDateField(
        required=False,
        label="Evidence deadline",
        help_text="Officers and cabinet members send their evidence and proposals by this date. "
        "On or before the meeting date.",
    )

    def layout(self):
        return Layout(Field.select("committee"), Field("date"), Field("evidence_deadline"))


class MeetingChangeForm(MeetingForm):
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["committee"]

    def layout(self):
        return Layout(Field("date"), Field("evidence_deadline"), Field("version"))


class ChooseRecommendationsForm(GovukForm):
    recommendations = RecommendationsField(
        queryset=Recommendation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Recommendations to track at this meeting",
        help_text="Every recommendation of the committee not yet concluded is ticked unless you untick it.",
        error_messages={"invalid_choice": "Choose from the recommendations listed", "invalid_pk_value": "Choose from the recommendations listed"},
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["recommendations"]
        field.queryset = queryset
        field.label_from_instance = choice_label

    def layout(self):
        return Layout(Field.checkboxes("recommendations", legend_size=Size.MEDIUM, small=True))


def choice_label(recommendation) -> str:
    """"R04 – Leisure facilities: That: the Council reviews …": number, theme and first words,
    so that each box can be told from the next without opening the recommendation."""
    theme = f"{recommendation.theme}: " if recommendation.theme_id else ""
    return f"{recommendation.number} – {theme}{recommendation.first_words}"


class AdvanceForm(forms.Form):
    to_state = forms.CharField(max_length=30)
    version = VersionField()


# --- Signing in ----------------------------------------------------------------------------


class SignInForm(AuthenticationForm):
    """Django's sign-in form, laid out the GOV.UK way."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page template's <form> carries the token
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("username", field_width=20), Field.text("password", field_width=20)
        )

    error_links = GovukForm.error_links
