"""The forms of the council's set-up pages: the council and its words, its logo, committees,
assessment schemes and their categories.

The services check what only they can (a placeholder the pack does not know, a name
already taken, a picture that is not one); these forms check what a form can, with the
messages a council officer reads. crispy-forms-gds prints labels and hints as they are,
so anything a council typed is escaped before it becomes one.
"""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape

from tracker import categories as category_rules
from tracker import services
from tracker.forms import GovukForm, TextField, VersionField
from tracker.models import AssessmentScheme, Committee
from tracker.words import WORDING, WORDINGS

YES, NO = "yes", "no"
REMINDER_DAYS = Committee._meta.get_field("reminder_days").default


def _too_long(what: str) -> str:
    return what + " must be %(limit_value)s characters or fewer (it has %(show_value)s)."


def _text(label: str, *, max_length: int, required: str | None = None, help_text: str = "",
          multiline: bool = False, rows: int = 3) -> TextField:
    """A text box (or area) with GOV.UK messages: "Enter …" when empty, the limit when too long."""
    messages = {"max_length": _too_long(label)}
    if required:
        messages["required"] = required
    return TextField(
        label=label, help_text=help_text, max_length=max_length, required=bool(required), multiline=multiline,
        error_messages=messages, widget=forms.Textarea(attrs={"rows": rows}) if multiline else None,
    )


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def scheme_summary(scheme: AssessmentScheme) -> str:
    """A scheme in a line: its categories' labels, or what a scheme without categories tracks."""
    labels = [category.label for category in scheme.categories.all()]
    if not labels:
        return (f"No categories: narrative updates, and the committee agrees “{scheme.completed_words}” "
                f"or “{scheme.continue_words}”")
    return f"{_plural(len(labels), 'category', 'categories')}: " + ", ".join(labels)


# --- The council ---------------------------------------------------------------------------


class CouncilForm(GovukForm):
    name = _text("Name of the council", max_length=200, required="Enter the council’s name",
                 help_text="As the pack’s cover prints it, for example “Anytown Borough Council”.")
    name_in_sentences = _text(
        "How the pack’s sentences name the council", max_length=200,
        required="Enter how the pack’s sentences name the council",
        help_text="For example, “the Borough Council”, as in “In approving this Inquiry the Borough Council asked "
        "me …”.",
    )
    scrutiny_office_name = _text(
        "What the scrutiny office is called", max_length=100, required="Enter what the scrutiny office is called",
        help_text="For example, “Scrutiny Office” or “Democratic Services”. The pack and these pages use it.",
    )
    assessor_title = _text(
        "What new committees call the person who proposes categories", max_length=100,
        required="Enter what new committees call the person who proposes categories",
        help_text="For example, cabinet member, executive member or lead officer, written as the pack prints it. "
        "Each committee can call them something else.",
    )
    committee_kind = _text(
        "What its scrutiny committees are called in sentences", max_length=200,
        required="Enter what its scrutiny committees are called in sentences",
        help_text="For example, “Overview and Scrutiny Committee”, as in “… report on progress towards these "
        "recommendations to this Overview and Scrutiny Committee”.",
    )
    version = VersionField()


class LogoForm(GovukForm):
    logo = forms.FileField(
        label="Logo",
        help_text="A PNG or JPEG picture, 512 KB or smaller. It is printed at the top of the pack’s cover.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg", "class": "govuk-file-upload"}),
        error_messages={
            "required": "Choose a PNG or JPEG file of the logo",
            "empty": "The file is empty: choose a PNG or JPEG file of the logo",
            "invalid": "Choose a PNG or JPEG file of the logo",
        },
    )
    alt = _text(
        "What the logo shows", max_length=200, required="Describe what the logo shows",
        help_text="For people who cannot see it, for example “Anytown Borough Council crest”.",
    )

    def clean_logo(self):
        logo = self.cleaned_data["logo"]
        if logo.size > services.LOGO_LIMIT:
            raise ValidationError("The logo must be 512 KB or smaller. Save it smaller, or as a JPEG.")
        return logo


class WordsForm(GovukForm):
    """Every sentence of the pack, grouped by where it is printed; each holds the council's current words.

    Its fields are named by the sentences' keys (tracker.words), as the service's refusals are.
    """

    version = VersionField()

    def __init__(self, *args, council, **kwargs):
        stored = council.words or {}
        initial = {w.key: stored.get(w.key) or w.default for w in WORDINGS}
        super().__init__(*args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)

    def layout(self):
        groups: dict[str, list[str]] = {}
        for wording in WORDINGS:
            groups.setdefault(wording.where, []).append(wording.key)
        return Layout(
            *(
                Fieldset(
                    *(Field.textarea(key, rows=3) if WORDING[key].multiline else Field.text(key) for key in keys),
                    legend=where, legend_size=Size.MEDIUM,
                )
                for where, keys in groups.items()
            ),
            Field("version"),
        )


for _wording in WORDINGS:
    WordsForm.base_fields[_wording.key] = _text(
        _wording.label, max_length=2000 if _wording.multiline else 300, multiline=_wording.multiline,
        help_text=conditional_escape(f"Default: {_wording.default}"),
    )


# --- Committees ----------------------------------------------------------------------------


def assessed_by_choices(council) -> list[Choice]:
    """Who proposes each category, each with what it means in practice."""
    hints = {
        Committee.AssessedBy.EXECUTIVE: "The executive member responsible for each recommendation’s owners proposes "
        "its category before the meeting; the committee agrees or changes it.",
        Committee.AssessedBy.LEAD_OFFICER: "A lead officer acting for each recommendation’s owners proposes its "
        "category; the committee challenges it, and agrees or changes it.",
        Committee.AssessedBy.SCRUTINY_OFFICE: f"No one proposes ahead of the meeting: the "
        f"{council.scrutiny_office_name} enters each category on the owners’ behalf, and it is recorded as entered "
        "on their behalf.",
    }
    return [Choice(value, label, hint=hints[value]) for value, label in Committee.AssessedBy.choices]


class SchemeChoiceField(forms.ChoiceField):
    """One of the schemes listed (radios with each scheme's categories as the hint); cleans to the scheme."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.RadioSelect, **kwargs)
        self.schemes: dict[str, AssessmentScheme] = {}

    def set_schemes(self, schemes, *, extra: list[Choice] | None = None, label=str):
        self.schemes = {str(scheme.pk): scheme for scheme in schemes}
        self.choices = [
            Choice(pk, label(scheme), hint=scheme_summary(scheme)) for pk, scheme in self.schemes.items()
        ] + (extra or [])

    def clean(self, value):
        value = super().clean(value)
        return self.schemes.get(value, value)


class CommitteeForm(GovukForm):
    name = _text("Name of the committee", max_length=200, required="Enter the committee’s name",
                 help_text="As the pack prints it, for example “Communities Overview and Scrutiny Committee”.")
    scheme = SchemeChoiceField(
        label="Assessment scheme",
        error_messages={"required": "Choose the committee’s assessment scheme",
                        "invalid_choice": "Choose one of the schemes listed"},
    )
    assessed_by = forms.ChoiceField(
        label="Who proposes a category for each recommendation",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who proposes the categories",
                        "invalid_choice": "Choose one of the options listed"},
    )
    assessor_title = _text("What the person who proposes is called here", max_length=100)
    on_public_register = forms.MultipleChoiceField(
        label="Public register",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[Choice(YES, "Show this committee on the public register",
                        hint="Its published packs and recommendations will be shown on the public register.")],
        error_messages={"invalid_choice": "Tick the box or leave it empty"},
    )
    members = forms.ModelMultipleChoiceField(
        label="Members",
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="They are sent the pack by e-mail each time it is published. People with the committee "
        "member role are listed (Set up › People).",
        error_messages={"invalid_choice": "Choose from the people listed",
                        "invalid_pk_value": "Choose from the people listed"},
    )
    reminder_days = forms.IntegerField(
        label="Days before the evidence deadline to remind officers",
        min_value=0,
        max_value=60,
        required=False,
        help_text="Officers whose recommendations have no new evidence yet are sent a reminder this many days "
        f"before the deadline. 0 sends no reminder; leave it empty for {REMINDER_DAYS}.",
        error_messages={"invalid": "Enter the number of days as a whole number, like 7",
                        "min_value": "The number of days must be 0 or more",
                        "max_value": "The number of days must be 60 or fewer"},
    )
    version = VersionField()

    def __init__(self, *args, council, schemes, people, committee=None, **kwargs):
        self.committee = committee
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = people
        self.fields["members"].label_from_instance = lambda user: (
            f"{user.get_full_name()} ({user.email})" if user.get_full_name() and user.email
            else user.get_full_name() or user.email or user.get_username()
        )
        self.fields["scheme"].set_schemes(schemes)
        self.fields["assessed_by"].choices = assessed_by_choices(council)
        self.fields["assessor_title"].help_text = conditional_escape(
            f"As the pack prints it, for example in “{council.assessor_title}’s Assessment”. "
            f"Leave it empty to use the council’s: {council.assessor_title}."
        )
        if committee is None:
            del self.fields["version"]
        else:
            self.fields["scheme"].help_text = (
                "If you change it, meetings whose categories are on record keep the scheme they used; "
                "meetings still ahead with nothing assessed take the new one."
            )
        self.helper.layout = self.layout()

    def clean_on_public_register(self):
        return YES in self.cleaned_data["on_public_register"]

    def clean_reminder_days(self):
        days = self.cleaned_data["reminder_days"]
        return REMINDER_DAYS if days is None else days

    @staticmethod
    def initial_for(committee) -> dict:
        return {
            "name": committee.name, "scheme": committee.scheme_id, "assessed_by": committee.assessed_by,
            "assessor_title": committee.assessor_title, "version": committee.version,
            "on_public_register": [YES] if committee.on_public_register else [],
            "members": [member.pk for member in committee.members.all()],
            "reminder_days": committee.reminder_days,
        }

    def layout(self):
        return Layout(
            Field.text("name"),
            Field.radios("scheme", legend_size=Size.MEDIUM),
            Field.radios("assessed_by", legend_size=Size.MEDIUM),
            Field.text("assessor_title", field_width=20),
            Field.checkboxes("on_public_register", legend_size=Size.MEDIUM),
            Field.checkboxes("members", legend_size=Size.MEDIUM, small=True),
            Field.text("reminder_days", field_width=2),
            *([Field("version")] if "version" in self.fields else []),
        )


# --- Assessment schemes --------------------------------------------------------------------

NOTHING = "nothing"


class SchemeNewForm(GovukForm):
    name = _text("Name of the scheme", max_length=200, required="Enter the scheme’s name",
                 help_text="For example, “Four categories” or “Red, amber, green”.")
    start_from = SchemeChoiceField(
        label="Start from",
        error_messages={"required": "Choose what the scheme starts from",
                        "invalid_choice": "Choose one of the options listed"},
    )

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        completed = AssessmentScheme._meta.get_field("completed_words").default
        carry_on = AssessmentScheme._meta.get_field("continue_words").default
        nothing = Choice(
            NOTHING, "Nothing: no categories",
            hint=f"Narrative tracking: each recommendation has a narrative update, and the committee only agrees "
            f"“{completed}” or “{carry_on}”. You can add categories afterwards.",
        )
        field = self.fields["start_from"]
        field.set_schemes(schemes, extra=[nothing], label=lambda scheme: f"A copy of {scheme.name}")
        if field.choices[:-1]:
            field.choices[-2].divider = "or"

    def layout(self):
        return Layout(Field.text("name"), Field.radios("start_from", legend_size=Size.MEDIUM))



class SchemeForm(GovukForm):
    name = _text("Name of the scheme", max_length=200, required="Enter the scheme’s name")
    guidance_intro = _text(
        "The sentence above the questions", max_length=300, required="Enter the sentence above the questions",
        help_text="Printed in Appendix 1 of the pack, for example “In making its assessment, the Committee may "
        "wish to consider:”.",
    )
    guidance_questions = _text(
        "The questions", max_length=5000, multiline=True, rows=6,
        help_text="The questions the committee considers for each recommendation, one per line.",
    )
    revised_dates_count = forms.ChoiceField(
        label="Which date is a recommendation judged against?",
        widget=forms.RadioSelect,
        choices=[
            Choice(NO, "Its completion date", hint="The original date for completion, or the date the scrutiny "
                   "office moved it to, with a reason. A date advised with a category is shown, but an "
                   "“on track” category is judged against the completion date."),
            Choice(YES, "The latest revised date, once one is advised", hint="A date advised with a category (for "
                   "example “Slipped”, with its revised date) becomes the date in force for later meetings: an "
                   "“on track” category is then judged against it, not the original date."),
        ],
        error_messages={"required": "Choose which date a recommendation is judged against",
                        "invalid_choice": "Choose one of the options listed"},
    )
    completed_words = _text(
        "Without categories: what the committee agrees when a recommendation is done", max_length=100,
        required="Enter what the committee agrees when a recommendation is done",
        help_text="Used only while the scheme has no categories, for example “Completed”.",
    )
    continue_words = _text(
        "Without categories: what it agrees otherwise", max_length=100,
        required="Enter what the committee agrees otherwise",
        help_text="For example, “Continue tracking”.",
    )

    def clean_revised_dates_count(self):
        return self.cleaned_data["revised_dates_count"] == YES

    def layout(self):
        return Layout(
            Field.text("name"),
            Fieldset(Field.text("guidance_intro"), Field.textarea("guidance_questions"),
                     legend="Appendix 1: guidance for the committee", legend_size=Size.MEDIUM),
            Field.radios("revised_dates_count", legend_size=Size.MEDIUM),
            Fieldset(Field.text("completed_words", field_width=20), Field.text("continue_words", field_width=20),
                     legend="Narrative tracking", legend_size=Size.MEDIUM),
        )

    @staticmethod
    def initial_for(scheme: AssessmentScheme) -> dict:
        return {
            "name": scheme.name, "guidance_intro": scheme.guidance_intro,
            "guidance_questions": scheme.guidance_questions,
            "revised_dates_count": YES if scheme.revised_dates_count else NO,
            "completed_words": scheme.completed_words, "continue_words": scheme.continue_words,
        }


RULE_FIELDS = ["needs_anticipated_date", "needs_reasons", "only_before_completion", "warn_after_completion",
               "counts_as_achieved"]


def rule_choices(late_category) -> list[Choice]:
    """The category's rules as checkboxes, each with what it does in plain words."""
    if late_category is not None:
        late = f"This scheme’s late category is “{late_category}”."
    else:
        late = ("This scheme has no late category (one that counts as achieved without meaning “within the "
                "timescale”), so nothing is asked.")
    return [
        Choice("needs_anticipated_date", "Needs an anticipated date",
               hint="A proposal must give the date by which the recommendation is expected to be achieved."),
        Choice("needs_reasons", "Needs reasons",
               hint="A proposal must say why, for example why it slipped. The reasons are printed in the pack."),
        Choice("only_before_completion", "Only while the date in force has not passed",
               hint="For categories such as “on track” or “in progress”: refused once the completion date (or the "
               "revised date, where the scheme counts revised dates) has passed."),
        Choice("warn_after_completion", "Means achieved within the timescale",
               hint="Proposing it after the date in force asks whether it was achieved late. " + late),
        Choice("counts_as_achieved", "Counts as achieved",
               hint="The recommendation is achieved, and the committee normally concludes it."),
    ]


class CategoryForm(GovukForm):
    code = _text("Code", max_length=40, required="Enter the category’s code",
                 help_text="As printed before the label, for example “1” or “Green”.")
    label = _text("Label", max_length=200, required="Enter the category’s label",
                  help_text="For example, “Achieved (Fully)” or “Slipped”.")
    criteria = _text("Criteria", max_length=2000, multiline=True, required="Enter the category’s criteria",
                     help_text="When the category applies, as Appendix 1 of the pack prints it.")
    rules = forms.MultipleChoiceField(
        label="Rules",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each that applies.",
        error_messages={"invalid_choice": "Choose from the rules listed"},
    )
    marker = _text("Colour marker (optional)", max_length=20,
                   help_text="For red, amber and green schemes: a colour name such as “Green”. It is always "
                   "shown beside the label, never on its own.")

    def __init__(self, *args, scheme_categories, category=None, **kwargs):
        late = category_rules.late_category([c for c in scheme_categories if category is None or c.pk != category.pk])
        super().__init__(*args, **kwargs)
        self.fields["rules"].choices = rule_choices(late)

    def layout(self):
        return Layout(
            Field.text("code", field_width=10), Field.text("label"), Field.textarea("criteria", rows=3),
            Field.checkboxes("rules", legend_size=Size.MEDIUM), Field.text("marker", field_width=10),
        )

    @staticmethod
    def initial_for(category) -> dict:
        return {
            "code": category.code, "label": category.label, "criteria": category.criteria, "marker": category.marker,
            "rules": [name for name in RULE_FIELDS if getattr(category, name)],
        }

    @staticmethod
    def service_fields(data: dict) -> dict:
        """What services.save_category takes from the form's answers: the texts and each rule as a flag."""
        chosen = set(data["rules"])
        return {"code": data["code"], "label": data["label"], "criteria": data["criteria"],
                "marker": data["marker"], **{name: name in chosen for name in RULE_FIELDS}}
