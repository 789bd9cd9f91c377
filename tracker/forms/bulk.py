"""The one-page forms: a row per recommendation, for proposals (the assessor) and decisions
(the scrutiny office at the committee). Each row is a form of a Django formset and carries
the version of the assessment it was read at; the rules are the services', row by row."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from tracker import categories
from tracker.forms import DecisionForm, NarrativeDecisionForm, ProposalForm

# What a row never counts as a change: its hidden bookkeeping.
BOOKKEEPING = ("assessment", "version")


class RowForm:
    """A row of a one-page form: one recommendation, named in every label."""

    def _as_row(self, assessment, label: str):
        self.row = assessment
        self.number = str(assessment.recommendation.number)
        self.fields["assessment"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        if "category" in self.fields:
            field = self.fields["category"]
            field.widget = forms.Select()
            field.choices = [("", "Choose a category")] + [(str(c.pk), str(c)) for c in self.scheme_categories]
            field.label = f"{label} for {self.number}"
        for name, words in (("anticipated_date", "Anticipated date"), ("reasons", "Reasons"),
                            ("reason", "Why the anticipated date is moving")):
            if name in self.fields:
                self.fields[name].label = f"{words} for {self.number}"
                self.fields[name].help_text = ""

    @property
    def pending(self) -> bool:
        """The row came back with a problem last time: it is saved as shown, whichever button."""
        return self.is_bound and self.data.get(f"{self.prefix}-pending") == "1"

    def changed(self) -> bool:
        """Did the user change what the row showed (not counting its bookkeeping)?"""
        return any(name not in BOOKKEEPING for name in self.changed_data)

    def layout(self):
        return Layout(
            Field.select("category"), *self._optional(), *self._more(), Field("version"), Field("assessment"),
        )

    def _optional(self):
        return [
            *([Field("anticipated_date")] if "anticipated_date" in self.fields else []),
            *([Field.textarea("reasons", rows=2)] if "reasons" in self.fields else []),
            *([Field.textarea("reason", rows=2)] if "reason" in self.fields else []),
        ]

    def _more(self):
        return []


class ProposalRowForm(RowForm, ProposalForm):
    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, scheme=assessment.meeting.scheme,
                         date_advised=assessment.anticipated_date is not None, **kwargs)
        self._as_row(assessment, "Proposed category")
        self.helper.layout = self.layout()


class DecisionRowForm(RowForm, DecisionForm):
    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, scheme=assessment.meeting.scheme,
                         date_advised=assessment.anticipated_date is not None, **kwargs)
        self._as_row(assessment, "Category agreed")
        self.fields["category"].error_messages["required"] = "Choose the category the committee agreed"
        self.fields["concluded"].label = f"Concluded: {self.number} leaves the tracking list"
        self.fields["concluded"].help_text = ""
        remark = self.fields["remark"]
        remark.label = f"Remark for {self.number} (optional)"
        remark.help_text = ""
        remark.widget = forms.TextInput()
        self.helper.layout = self.layout()

    def _more(self):
        return [Field.checkbox("concluded", small=True), Field.text("remark")]


class NarrativeRowForm(RowForm, NarrativeDecisionForm):
    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, scheme=assessment.meeting.scheme, **kwargs)
        self.scheme_categories = []
        self._as_row(assessment, "")
        outcome = self.fields["outcome"]
        outcome.label = f"The committee’s decision on {self.number}"
        self.fields["remark"].label = f"Remark for {self.number} (optional)"
        self.fields["remark"].help_text = ""
        self.fields["remark"].widget = forms.TextInput()
        self.helper.layout = self.layout()

    def layout(self):
        return Layout(Field.radios("outcome", legend_size=Size.SMALL, small=True, inline=True), Field.text("remark"),
                      Field("version"), Field("assessment"))


class RowFormSet(forms.BaseFormSet):
    """One form per assessment in ``rows``, in that order; ``required(assessment)`` says which
    rows must be filled in (the others are checked only when the user changed them)."""

    def __init__(self, *args, rows, initial_for, required=lambda assessment: False, **kwargs):
        self.rows = rows
        self.required = required
        super().__init__(*args, initial=[initial_for(a) for a in rows], **kwargs)

    def get_form_kwargs(self, index):
        assessment = self.rows[index]
        pending = self.is_bound and self.data.get(f"{self.add_prefix(index)}-pending") == "1"
        return {"assessment": assessment, "empty_permitted": not (pending or self.required(assessment))}

    def matches_rows(self) -> bool:
        """Was the page sent for the rows there are now (not a list since changed)?"""
        if not self.management_form.is_valid() or self.total_form_count() != len(self.rows):
            return False
        return all(
            str(self.data.get(f"{form.prefix}-assessment", "")) == str(form.row.pk) for form in self.forms
        )


def _choice(pk) -> str:
    """A category as the select sends it back (so an untouched row counts as unchanged)."""
    return "" if pk is None else str(pk)


def proposal_initial(assessment) -> dict:
    return {
        "assessment": assessment.pk,
        "category": _choice(assessment.proposed_category_id),
        "anticipated_date": assessment.anticipated_date,
        "reasons": assessment.reasons,
        "version": assessment.version,
    }


def decision_initial(assessment) -> dict:
    """The recorded decision, or, before one is, the proposal: concluded ticked where the
    proposal is an achieved category, since the committee normally concludes those."""
    conclusion = getattr(assessment.recommendation, "conclusion", None)
    here = conclusion is not None and conclusion.meeting_id == assessment.meeting_id
    initial = {
        "assessment": assessment.pk,
        "category": _choice(assessment.agreed_category_id or assessment.proposed_category_id),
        "anticipated_date": assessment.anticipated_date,
        "reasons": assessment.reasons,
        "version": assessment.version,
        "remark": conclusion.remark if here else "",
    }
    if assessment.meeting.scheme.is_narrative:
        initial["outcome"] = ("completed" if here else "continue") if assessment.decided else None
    else:
        initial["concluded"] = here if assessment.decided else categories.normally_concludes(
            assessment.proposed_category)
    return initial


def proposal_formset(data, rows):
    formset = forms.formset_factory(ProposalRowForm, formset=RowFormSet, extra=0)
    return formset(data, rows=rows, initial_for=proposal_initial, prefix="row")


def decision_formset(data, rows, *, narrative: bool, agree_all: bool = False):
    """``agree_all``: every row not yet decided is recorded, so each must be complete."""
    form = NarrativeRowForm if narrative else DecisionRowForm
    formset = forms.formset_factory(form, formset=RowFormSet, extra=0)
    return formset(data, rows=rows, initial_for=decision_initial, prefix="row",
                   required=lambda assessment: agree_all and not assessment.decided)
