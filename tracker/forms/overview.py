"""The overview's filters: one committee, one inquiry, or all (a GET form that works without JavaScript)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout

from tracker.forms import CommitteeField, GovukForm, any_committee, shorten_long_lists
from tracker.models import Inquiry


class InquiryField(CommitteeField):
    """An inquiry, named with its committee (two committees may each have an inquiry of the same title)."""

    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.committee.name})"


class OverviewFilterForm(GovukForm):
    committee = any_committee()
    inquiry = InquiryField(
        queryset=Inquiry.objects.select_related("committee").order_by("committee__name", "title"),
        required=False,
        label="Inquiry",
        empty_label="All inquiries",
        error_messages={"invalid_choice": "Choose one of the inquiries listed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shorten_long_lists(self, self.data)

    def layout(self):
        return Layout(Field.select("committee"), Field.select("inquiry"))
