"""The impact report's chooser: a committee (or all), the year, and the month the year starts (a GET
form that works without JavaScript)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout
from django import forms

from tracker import impact
from tracker.forms import GovukForm, any_committee
from tracker.models import Committee


class ImpactForm(GovukForm):
    committee = any_committee()
    year = forms.TypedChoiceField(
        coerce=int,
        required=False,
        label="Year starting in",
        help_text="The municipal year from May 2015 to April 2016 is the year starting in 2015.",
        error_messages={"invalid_choice": "Choose one of the years listed"},
    )
    starts = forms.TypedChoiceField(
        coerce=int,
        required=False,
        label="The year starts in",
        help_text="May for the municipal year; January for the calendar year.",
        choices=[(number, f"{name} (the municipal year)" if number == impact.MUNICIPAL_YEAR_STARTS
                  else f"{name} (the calendar year)" if number == 1 else name)
                 for number, name in impact.MONTHS],
        error_messages={"invalid_choice": "Choose one of the months listed"},
    )

    def __init__(self, *args, years: impact.Years, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(start, str(start)) for start in years.starts]
        self.fields["year"].initial = years.default(today).start
        self.fields["starts"].initial = impact.MUNICIPAL_YEAR_STARTS
        self.years, self.today = years, today

    def layout(self):
        return Layout(Field.select("committee"), Field.select("year"), Field.select("starts"))

    def chosen(self) -> tuple[Committee | None, impact.Year]:
        """The committee and year asked for; what is missing or refused is all committees and the
        latest year with figures, in the municipal year."""
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        starts = data.get("starts") or impact.MUNICIPAL_YEAR_STARTS
        default = self.years.default(self.today, starts)
        start = data.get("year") or default.start
        return data.get("committee"), impact.Year(start, starts)
