"""The recommendations list's filters (django-filter): a GET form that works without JavaScript,
laid out in GOV.UK style by crispy-forms-gds. The rules are the domain's: "overdue" is
``selectors.overdue``, the category in force is ``with_current_category``'s."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from tracker import selectors
from tracker.forms import GovukForm, Select, shorten_long_lists
from tracker.models import Category, Committee, Inquiry, Owner

STATUSES = [("tracked", "Still tracked"), ("concluded", "Concluded"), ("withdrawn", "Withdrawn")]


class FilterForm(GovukForm):
    pass


def _categories():
    """Each category code once, with its label, from every scheme (a code means one thing to readers)."""
    seen = {}
    for code, label in Category.objects.order_by("code", "-pk").values_list("code", "label"):
        seen.setdefault(code, f"{code} – {label}")
    return list(seen.items())


class RecommendationFilter(django_filters.FilterSet):
    committee = django_filters.ModelChoiceFilter(
        queryset=Committee.objects.order_by("name"), label="Committee", empty_label="All committees",
        widget=Select,
    )
    inquiry = django_filters.ModelChoiceFilter(
        queryset=Inquiry.objects.order_by("title"), label="Inquiry", empty_label="All inquiries",
        widget=Select,
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=Owner.objects.order_by("name"), field_name="responsibilities__owner", distinct=True,
        label="Owner", empty_label="All owners", widget=Select,
    )
    category = django_filters.ChoiceFilter(
        choices=_categories, field_name="current_category_code", label="Category in force",
        empty_label="Any category",
    )
    status = django_filters.ChoiceFilter(
        choices=STATUSES, method="filter_status", label="Status", empty_label="Still tracked and concluded",
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", widget=forms.CheckboxInput, label="Only overdue recommendations",
        help_text="Still tracked, the date in force has passed and the category in force is not achieved.",
    )

    class Meta:
        form = FilterForm
        fields = []

    @property
    def form(self):
        if not hasattr(self, "_form"):
            super().form  # noqa: B018 (builds self._form)
            shorten_long_lists(self._form, self.data)
        return self._form

    def statuses_shown(self) -> set[str]:
        """The lists shown: the status chosen, or, with none chosen, tracked and concluded."""
        status = self.data.get("status", "")
        return {status} if status in dict(STATUSES) else {"tracked", "concluded"}

    def shown(self):
        """Every recommendation the list shows, in one queryset (the downloads of the list)."""
        if self.statuses_shown() == {"tracked", "concluded"}:
            return self.qs.filter(Q(conclusion__isnull=False) | Q(withdrawn_on__isnull=True))
        return self.qs

    def filter_status(self, queryset, name, value):
        return {"tracked": queryset.tracked, "concluded": queryset.concluded, "withdrawn": queryset.withdrawn}[value]()

    def filter_overdue(self, queryset, name, value):
        return selectors.overdue(queryset, timezone.localdate()) if value else queryset

