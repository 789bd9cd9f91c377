"""The scrutiny office's back office: every thing of the report, to read, with its history.

The admin is for reading and for setting up reference data (schemes, committees,
inquiries, owners). Records with a workflow (evidence, assessments, conclusions, date
changes, meetings) are read-only here: each links to the page that changes it, where
tracker.services applies the rules, the version check and the history. A recommendation
edited here is saved through tracker.services with the same version check as every page.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from tracker import selectors, services
from tracker.forms import OUT_OF_DATE, TextField
from tracker.models import (
    Assessment,
    AssessmentScheme,
    Category,
    Committee,
    Conclusion,
    CoverReport,
    DateChange,
    EvidenceAttachment,
    EvidenceUpdate,
    Footnote,
    Inquiry,
    Meeting,
    Message,
    Milestone,
    Owner,
    OwnerAlias,
    PackBuild,
    Recommendation,
    Responsibility,
    SubPart,
    Theme,
)
from tracker.templatetags.pack_tags import FOOTNOTE_MARKER


class NormalisedText:
    """Text typed into the admin is normalised as on every page (tracker.text).

    Plain text and long-text fields only: e-mail addresses and choices keep their own fields.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
            kwargs.update(form_class=TextField, multiline=isinstance(db_field, models.TextField))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class HistoryAdmin(SimpleHistoryAdmin):
    """A record's history, to read. Nothing is saved from an old version: a "revert" would
    skip the rules, the version check and the meeting cycle (SIMPLE_HISTORY_REVERT_DISABLED
    only hides its button, so the page itself refuses to save)."""

    def history_view(self, request, object_id, extra_context=None):
        _id_or_404(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _id_or_404(object_id)
        _id_or_404(version_id)
        if request.method == "POST":
            raise PermissionDenied("An earlier version is for reading: make a change on the record itself.")
        return super().history_form_view(request, object_id, version_id, extra_context)


def _id_or_404(value) -> None:
    """The history pages take ids as text and hand them to the database unchecked."""
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise Http404("No such record.")


class ReadOnly:
    """A record with a workflow: read here, changed on its own page through tracker.services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    show_change_link = False


class CategoryInline(NormalisedText, admin.TabularInline):
    model = Category
    extra = 0
    fields = [
        "position", "code", "label", "criteria", "needs_anticipated_date", "only_before_completion",
        "warn_after_completion", "counts_as_achieved", "marker",
    ]


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(NormalisedText, admin.ModelAdmin):
    list_display = ["name", "is_default"]
    inlines = [CategoryInline]


@admin.register(Committee)
class CommitteeAdmin(NormalisedText, admin.ModelAdmin):
    list_display = ["name", "scheme", "assessed_by"]
    list_select_related = ["scheme"]
    search_fields = ["name"]


class ThemeInline(NormalisedText, admin.TabularInline):
    model = Theme
    extra = 0


@admin.register(Inquiry)
class InquiryAdmin(NormalisedText, admin.ModelAdmin):
    list_display = ["title", "committee", "reported_on"]
    list_select_related = ["committee"]
    list_filter = ["committee"]
    search_fields = ["title"]
    inlines = [ThemeInline]


class OwnerAliasInline(NormalisedText, admin.TabularInline):
    model = OwnerAlias
    extra = 0


@admin.register(Owner)
class OwnerAdmin(NormalisedText, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name", "aliases__name"]
    filter_horizontal = ["delegates"]
    inlines = [OwnerAliasInline]


class SubPartInline(NormalisedText, admin.TabularInline):
    model = SubPart
    extra = 0
    fields = ["position", "label", "text"]


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["owner"]


class FootnoteInline(NormalisedText, admin.TabularInline):
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


class EvidenceUpdateInline(ReadOnlyInline):
    """Evidence is added and corrected on the officer's pages; every version is kept."""

    model = EvidenceUpdate
    fields = ["position", "following_meeting", "written_on", "author", "text"]
    readonly_fields = fields


class AssessmentInline(ReadOnlyInline):
    """Proposed on the cabinet member's page, decided on the meeting page."""

    model = Assessment
    fields = ["meeting", "proposed_category", "anticipated_date", "agreed_category", "date_flag"]
    readonly_fields = fields

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
        value = self.value()
        if not value:
            return queryset
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise IncorrectLookupParameters(f"No such category: {value}")
        return queryset.filter(current_category_id=int(value))


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


class RecommendationForm(forms.ModelForm):
    """A recommendation's set-up, saved through tracker.services from the version it was read at."""

    # Not "version": the model's own field is not editable, so the form carries what it read.
    seen_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1,
        error_messages={key: OUT_OF_DATE for key in ("required", "invalid", "min_value")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
        else:
            del self.fields["seen_version"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("seen_version") is not None:
            # The admin saves in one transaction: the row stays locked from here to the save.
            try:
                services.locked_for_edit(self.instance, cleaned["seen_version"])
            except services.StaleEdit as stale:
                raise ValidationError(self._stale_message(stale.current), code="stale") from None
        return cleaned

    def _stale_message(self, current) -> str:
        seen = current.history.filter(version=self.cleaned_data["seen_version"]).order_by("history_date").last()
        changed = [
            str(field.verbose_name)
            for field in Recommendation._meta.concrete_fields
            if seen is not None and field.name in self.fields
            and getattr(seen, field.attname) != getattr(current, field.attname)
        ]
        editor = selectors.last_editor(current)
        who = f" by {editor}" if editor else ""
        return (
            f"This recommendation was saved{who} while you were editing it, so your changes were not saved. "
            f"Changed since you opened it: {', '.join(changed) or 'related details'}. "
            "Open it again to see the latest version, then make your change."
        )


@admin.register(Recommendation)
class RecommendationAdmin(NormalisedText, HistoryAdmin):
    form = RecommendationForm
    # Few columns, so the list fits a laptop's screen; the inquiry tells two "R01"s apart.
    list_display = ["number", "inquiry", "short_text", "owners_list", "current_category", "status"]
    list_select_related = ["inquiry"]
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
        return selectors.recommendations_for_admin(super().get_queryset(request)).with_conclusion_flag()

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "seen_version"}
        if change:
            services.update_recommendation(obj, by=request.user, expected_version=form.cleaned_data["seen_version"],
                                           **fields)
        else:
            services.add_recommendation(obj, by=request.user)

    @admin.display(description="Recommendation")
    def short_text(self, obj):
        parts = obj.sub_parts.all()
        text = FOOTNOTE_MARKER.sub("", obj.lead + (" " + parts[0].text if parts else ""))
        return text if len(text) < 70 else text[:67] + "…"

    @admin.display(description="Theme", ordering="theme__letter")
    def theme_letter(self, obj):
        return obj.theme.letter if obj.theme_id else "—"

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


def _link(url: str, words: str):
    return format_html('<a href="{}">{}</a>', url, words)


@admin.register(Meeting)
class MeetingAdmin(ReadOnly, HistoryAdmin):
    readonly_fields = ["page"]
    list_display = ["__str__", "state", "evidence_deadline", "page"]
    list_select_related = ["committee"]
    list_filter = ["committee", "state"]
    search_fields = ["committee__name", "date"]

    @admin.display(description="Run it on")
    def page(self, obj):
        return _link(reverse("meeting_detail", args=[obj.pk]), "the meeting page")


@admin.register(EvidenceUpdate)
class EvidenceUpdateAdmin(ReadOnly, HistoryAdmin):
    readonly_fields = ["page"]
    list_display = ["recommendation", "following_meeting", "written_on", "author", "created_at", "page"]
    list_select_related = ["recommendation", "following_meeting__committee", "author"]
    list_filter = ["recommendation__inquiry"]
    search_fields = ["recommendation__number", "text"]

    @admin.display(description="Correct it on")
    def page(self, obj):
        return _link(reverse("timeline", args=[obj.recommendation_id]) + f"#evidence-{obj.pk}", "its timeline")


@admin.register(EvidenceAttachment)
class EvidenceAttachmentAdmin(ReadOnly, admin.ModelAdmin):
    """Files are attached on the officer's pages and never changed or removed."""

    list_display = ["name", "description", "evidence", "content_type", "size", "uploaded_by", "uploaded_at", "download"]
    list_select_related = ["evidence__recommendation", "uploaded_by"]
    search_fields = ["name", "description", "evidence__recommendation__number"]
    readonly_fields = ["download"]
    exclude = ["file"]

    @admin.display(description="File")
    def download(self, obj):
        return _link(reverse("attachment", args=[obj.pk]), "download")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly, HistoryAdmin):
    readonly_fields = ["page"]
    list_display = ["recommendation", "meeting", "proposed_category", "anticipated_date", "agreed_category", "page"]
    list_select_related = ["recommendation", "meeting__committee", "proposed_category", "agreed_category"]
    list_filter = ["meeting__committee", "meeting"]
    search_fields = ["recommendation__number"]

    @admin.display(description="Change it on")
    def page(self, obj):
        return _link(reverse("tracked_recommendation", args=[obj.meeting_id, obj.recommendation_id]),
                     "its page at the meeting")


@admin.register(Conclusion)
class ConclusionAdmin(ReadOnly, HistoryAdmin):
    list_display = ["recommendation", "meeting", "remark"]
    list_select_related = ["recommendation", "meeting__committee"]


@admin.register(DateChange)
class DateChangeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "milestone", "assessment", "reason", "changed_by", "changed_at"]
    list_select_related = ["milestone__recommendation", "assessment__recommendation",
                           "assessment__meeting__committee", "changed_by"]


@admin.register(Message)
class MessageAdmin(ReadOnly, admin.ModelAdmin):
    """Every e-mail the tracker sent or tried to: who, what, when, and whether it was delivered."""

    list_display = ["created_at", "to", "kind", "meeting", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["meeting__committee"]
    search_fields = ["to", "subject", "recipient__first_name", "recipient__last_name"]
    date_hierarchy = "created_at"
    fields = ["recipient", "to", "kind", "meeting", "event", "subject", "status", "attempts", "last_error",
              "created_at", "sent_at", "body_text"]


@admin.register(PackBuild)
class PackBuildAdmin(ReadOnly, admin.ModelAdmin):
    """Drafts and publishing built in the background: asked for on the meeting pack's page, each with its own page."""

    list_display = ["asked_at", "meeting", "kind", "state", "step", "steps", "percent", "asked_by", "finished_at",
                    "page"]
    list_filter = ["state", "kind"]
    list_select_related = ["meeting__committee", "asked_by"]
    date_hierarchy = "asked_at"
    exclude = ["content"]
    readonly_fields = ["page"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    @admin.display(description="Its page")
    def page(self, obj):
        return _link(reverse("pack_build", args=[obj.meeting_id, obj.pk]), "the build’s page")


@admin.register(CoverReport)
class CoverReportAdmin(NormalisedText, HistoryAdmin):
    list_display = ["__str__", "reporting_owner", "contact_name"]
    list_select_related = ["inquiry", "meeting__committee", "reporting_owner"]
