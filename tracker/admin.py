"""The scrutiny office's back office: every thing of the report, with its history."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from tracker import selectors
from tracker.models import (
    Assessment,
    AssessmentScheme,
    Category,
    Committee,
    Conclusion,
    CoverReport,
    DateChange,
    EvidenceUpdate,
    Footnote,
    Inquiry,
    Meeting,
    Milestone,
    Owner,
    OwnerAlias,
    Recommendation,
    Responsibility,
    SubPart,
    Theme,
)


class VersionedForm(forms.ModelForm):
    """Refuses a save made from a stale page: someone else saved the record since it was opened.

    The page carries the version it was read at; the row is re-read under a lock
    (the request is one transaction) and the message names what the other person changed.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None:
            model = type(self.instance)
            current = model.objects.select_for_update().get(pk=self.instance.pk)
            if current.version != seen:
                seen_row = current.history.filter(version=seen).order_by("history_date").last()
                changed = [
                    str(model._meta.get_field(name).verbose_name)
                    for name in self.fields
                    if name != "seen_version"
                    and seen_row is not None
                    and getattr(seen_row, model._meta.get_field(name).attname)
                    != getattr(current, model._meta.get_field(name).attname)
                ]
                last = current.history.first() if hasattr(current, "history") else None
                who = f" by {last.history_user}" if last and last.history_user else ""
                raise forms.ValidationError(
                    f"This record was saved{who} while you were editing it, so your changes were not "
                    f"saved. Changed since you opened it: {', '.join(changed) or 'related details'}. "
                    "Open it again to see the latest version, then make your change.",
                    code="stale",
                )
        return cleaned

    def save(self, commit=True):
        if self.instance.pk:
            self.instance.version = (self.cleaned_data.get("seen_version") or self.instance.version) + 1
        return super().save(commit)


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = [
        "position", "code", "label", "criteria", "needs_anticipated_date", "only_before_completion",
        "warn_after_completion", "counts_as_achieved", "marker",
    ]


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]
    inlines = [CategoryInline]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "scheme"]
    list_select_related = ["scheme"]
    search_fields = ["name"]


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ["title", "committee", "reported_on"]
    list_select_related = ["committee"]
    list_filter = ["committee"]
    search_fields = ["title"]
    inlines = [ThemeInline]


class OwnerAliasInline(admin.TabularInline):
    model = OwnerAlias
    extra = 0


@admin.register(Owner)
class OwnerAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name", "aliases__name"]
    filter_horizontal = ["delegates"]
    inlines = [OwnerAliasInline]


class SubPartInline(admin.TabularInline):
    model = SubPart
    extra = 0
    fields = ["position", "label", "text"]


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["owner"]


class FootnoteInline(admin.TabularInline):
    model = Footnote
    extra = 0


class MilestoneForm(forms.ModelForm):
    """The original date is set once; a moved date is recorded as a date change with its reason."""

    class Meta:
        model = Milestone
        fields = ["position", "kind", "due_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["due_date"].disabled = True
            self.fields["kind"].disabled = True


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneForm
    extra = 0
    can_delete = False


class EvidenceUpdateInline(admin.StackedInline):
    """Evidence is append-only: no deletes; an edit is kept in the history."""

    model = EvidenceUpdate
    extra = 0
    can_delete = False
    fields = ["position", "following_meeting", "written_on", "author", "text"]
    autocomplete_fields = ["following_meeting"]
    raw_id_fields = ["author"]


class AssessmentInline(admin.TabularInline):
    model = Assessment
    extra = 0
    can_delete = False
    fields = ["meeting", "proposed_category", "anticipated_date", "agreed_category", "date_flag"]
    readonly_fields = ["date_flag"]
    autocomplete_fields = ["meeting"]

    @admin.display(description="Anticipated date")
    def date_flag(self, obj):
        if obj.pk and obj.anticipated_date_missing:
            return format_html("<strong>{}</strong>", "⚠ Not advised")
        return "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "meeting", "proposed_category", "agreed_category"
        )


class CurrentCategoryFilter(admin.SimpleListFilter):
    title = "current category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(c.pk, f"{c} ({c.scheme})") for c in Category.objects.select_related("scheme")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(current_category_id=self.value())
        return queryset


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("tracked", "Tracked"), ("concluded", "Concluded")]

    def queryset(self, request, queryset):
        if self.value() == "tracked":
            return queryset.tracked()
        if self.value() == "concluded":
            return queryset.concluded()
        return queryset


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    form = VersionedForm
    list_display = ["number", "short_text", "theme_letter", "owners_list", "original_timescale",
                    "current_category", "status"]
    list_display_links = ["number", "short_text"]
    list_filter = [
        ("inquiry__committee", admin.RelatedOnlyFieldListFilter),
        ("inquiry", admin.RelatedOnlyFieldListFilter),
        ("theme", admin.RelatedOnlyFieldListFilter),
        CurrentCategoryFilter,
        StatusFilter,
    ]
    search_fields = ["number", "lead", "sub_parts__text", "evidence_updates__text"]
    ordering = ["inquiry", "position", "number"]
    fields = [
        "inquiry", "theme", "number", "position", "lead", "responsibility_text", "original_timescale",
        "executive_response", "executive_response_on", "seen_version",
    ]
    inlines = [
        SubPartInline, ResponsibilityInline, MilestoneInline, FootnoteInline, EvidenceUpdateInline,
        AssessmentInline,
    ]

    def get_queryset(self, request):
        return selectors.recommendations_for_admin(super().get_queryset(request))

    @admin.display(description="Recommendation")
    def short_text(self, obj):
        parts = obj.sub_parts.all()
        text = obj.lead + (" " + parts[0].text if parts else "")
        return text if len(text) < 90 else text[:87] + "…"

    @admin.display(description="Theme", ordering="theme__letter")
    def theme_letter(self, obj):
        return obj.theme.letter

    @admin.display(description="Responsibility")
    def owners_list(self, obj):
        return "; ".join(r.owner.name for r in obj.responsibilities.all())

    @admin.display(description="Current category", ordering="current_category_position")
    def current_category(self, obj):
        if not obj.current_category_code:
            return "—"
        flag = " ⚠ anticipated date not advised" if obj.anticipated_date_missing else ""
        return f"{obj.current_category_code} – {obj.current_category_label}{flag}"

    @admin.display(description="Status")
    def status(self, obj):
        return "Concluded" if obj.is_concluded else "Tracked"


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    form = VersionedForm
    list_display = ["__str__", "state", "evidence_deadline"]
    list_select_related = ["committee"]
    list_filter = ["committee", "state"]
    search_fields = ["committee__name", "date"]


@admin.register(EvidenceUpdate)
class EvidenceUpdateAdmin(SimpleHistoryAdmin):
    form = VersionedForm
    list_display = ["recommendation", "following_meeting", "written_on", "author", "created_at"]
    list_select_related = ["recommendation", "following_meeting__committee", "author"]
    list_filter = ["recommendation__inquiry"]
    search_fields = ["recommendation__number", "text"]
    raw_id_fields = ["recommendation", "author"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    form = VersionedForm
    list_display = ["recommendation", "meeting", "proposed_category", "anticipated_date", "agreed_category"]
    list_select_related = ["recommendation", "meeting__committee", "proposed_category", "agreed_category"]
    list_filter = ["meeting__committee", "meeting"]
    search_fields = ["recommendation__number"]
    raw_id_fields = ["recommendation", "proposed_by", "agreed_by"]


@admin.register(Conclusion)
class ConclusionAdmin(SimpleHistoryAdmin):
    list_display = ["recommendation", "meeting", "remark"]
    list_select_related = ["recommendation", "meeting__committee"]
    raw_id_fields = ["recommendation", "concluded_by"]


@admin.register(DateChange)
class DateChangeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "milestone", "assessment", "reason", "changed_by", "changed_at"]
    list_select_related = ["milestone__recommendation", "assessment__recommendation",
                           "assessment__meeting__committee", "changed_by"]
    raw_id_fields = ["milestone", "assessment", "changed_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CoverReport)
class CoverReportAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "reporting_owner", "contact_name"]
    list_select_related = ["inquiry", "meeting__committee", "reporting_owner"]
