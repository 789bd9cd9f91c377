"""How each public fact reads in the open data: one serializer per resource, shared by the JSON
pages, the CSV downloads and the OpenAPI document (which is generated from them, so it cannot
drift from what is served).

Each serializer reads what the view's queryset (from ``tracker.public``) fetched: the public
assessments, packs and conclusion come prefetched or annotated, never from the raw relations.
"""

from __future__ import annotations

from django.db.models import Manager
from django.utils import dateformat, timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from tracker import public
from tracker.models import (
    Assessment,
    Category,
    Committee,
    EvidenceAttachment,
    EvidenceUpdate,
    Footnote,
    Inquiry,
    Meeting,
    PublishedPack,
    Recommendation,
    SubPart,
)

STATUSES = ["tracked", "concluded", "withdrawn"]
NULLABLE_TEXT = serializers.CharField(allow_null=True)
NULLABLE_DATE = serializers.DateField(allow_null=True)
NULLABLE_URL = serializers.URLField(allow_null=True)


def pack_download_path(pack_id: int) -> str:
    """Where the public register serves a published pack's PDF."""
    return reverse("public:pack_download", args=[pack_id])


def _link(name: str) -> serializers.HyperlinkedRelatedField:
    return serializers.HyperlinkedRelatedField(view_name=f"api:{name}-detail", read_only=True)


def _identity(name: str) -> serializers.HyperlinkedIdentityField:
    return serializers.HyperlinkedIdentityField(view_name=f"api:{name}-detail")


class _Linking(serializers.ModelSerializer):
    def build_unknown_field(self, field_name, model_class):
        if field_name.endswith("_id"):  # a related record's id, read from the row itself
            return serializers.IntegerField, {"read_only": True}
        return super().build_unknown_field(field_name, model_class)

    def _url(self, name: str, pk: int) -> str:
        return reverse(f"api:{name}-detail", args=[pk], request=self.context.get("request"))

    def _list_url(self, name: str, **filters) -> str:
        query = "&".join(f"{key}={value}" for key, value in filters.items())
        return reverse(f"api:{name}-list", request=self.context.get("request")) + f"?{query}"


class CommitteeSerializer(_Linking):
    url = _identity("committee")
    scheme = serializers.StringRelatedField(help_text="The assessment scheme it assesses recommendations with.")
    categories = serializers.SerializerMethodField(help_text="The categories of its scheme.")
    recommendations = serializers.SerializerMethodField(help_text="Its recommendations.")

    class Meta:
        model = Committee
        fields = ["id", "url", "name", "assessor_title", "scheme", "scheme_id", "categories", "recommendations",
                  "changed_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_categories(self, committee) -> str:
        return self._list_url("category", scheme=committee.scheme_id)

    @extend_schema_field(OpenApiTypes.URI)
    def get_recommendations(self, committee) -> str:
        return self._list_url("recommendation", committee=committee.pk)


class InquirySerializer(_Linking):
    url = _identity("inquiry")
    committee = _link("committee")
    committee_name = serializers.CharField(source="committee.name")
    recommendations = serializers.SerializerMethodField(help_text="Its published recommendations.")

    class Meta:
        model = Inquiry
        fields = ["id", "url", "title", "reported_on", "committee", "committee_id", "committee_name",
                  "recommendations", "changed_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_recommendations(self, inquiry) -> str:
        return self._list_url("recommendation", inquiry=inquiry.pk)


class SubPartSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubPart
        fields = ["label", "text"]


class FootnoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Footnote
        fields = ["number", "text"]


def category_in_force(recommendation) -> tuple[Category | None, object]:
    """The category in force as published and its anticipated date (``public_assessments``
    prefetched latest meeting first)."""
    return public.category_in_force(recommendation.public_assessments)


class RecommendationSerializer(_Linking):
    url = _identity("recommendation")
    inquiry = _link("inquiry")
    inquiry_title = serializers.CharField(source="inquiry.title")
    committee = _link("committee")
    committee_name = serializers.CharField(source="committee.name", help_text="The committee now tracking it.")
    theme = serializers.StringRelatedField(help_text="The heading it is printed under, if any.")
    sub_parts = SubPartSerializer(many=True, read_only=True)
    footnotes = FootnoteSerializer(many=True, read_only=True, help_text="Notes referred to in the text as [^N].")
    owners = serializers.SerializerMethodField(help_text="Who is responsible for it.")
    completion_date = serializers.SerializerMethodField(
        help_text="The completion date in force: the original date, or the latest date it was moved to."
    )
    status = serializers.SerializerMethodField(
        help_text="tracked: still being tracked; concluded: the committee concluded it; withdrawn: taken back "
        "as a mistake."
    )
    concluded_at = serializers.SerializerMethodField(help_text="The meeting that concluded it.")
    conclusion_remark = serializers.SerializerMethodField(help_text="What the committee added when it concluded it.")
    category_code = serializers.SerializerMethodField(help_text="The category in force, as published.")
    category_label = serializers.SerializerMethodField(help_text="The category in force, as published.")
    anticipated_date = serializers.SerializerMethodField(
        help_text="The date by which it is expected to be achieved, advised with the category in force."
    )
    evidence = serializers.SerializerMethodField(help_text="Its published evidence of progress.")
    assessments = serializers.SerializerMethodField(help_text="Its assessments at published meetings.")

    class Meta:
        model = Recommendation
        fields = [
            "id", "url", "number", "inquiry", "inquiry_id", "inquiry_title", "committee", "committee_id",
            "committee_name", "theme", "lead", "sub_parts", "footnotes", "owners", "original_timescale",
            "completion_date", "status", "withdrawn_on", "concluded_at", "conclusion_remark", "category_code",
            "category_label", "anticipated_date", "evidence", "assessments", "changed_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_owners(self, recommendation) -> list[str]:
        return [responsibility.owner.name for responsibility in recommendation.responsibilities.all()]

    @extend_schema_field(NULLABLE_DATE)
    def get_completion_date(self, recommendation):
        return recommendation.completion_date()

    @extend_schema_field(serializers.ChoiceField(choices=STATUSES))
    def get_status(self, recommendation) -> str:
        if recommendation.withdrawn_on:
            return "withdrawn"
        return "concluded" if recommendation.public_conclusion_meeting_id else "tracked"

    @extend_schema_field(NULLABLE_URL)
    def get_concluded_at(self, recommendation):
        meeting_id = recommendation.public_conclusion_meeting_id
        return self._url("meeting", meeting_id) if meeting_id else None

    @extend_schema_field(NULLABLE_TEXT)
    def get_conclusion_remark(self, recommendation):
        return recommendation.public_conclusion_remark if recommendation.public_conclusion_meeting_id else None

    @extend_schema_field(NULLABLE_TEXT)
    def get_category_code(self, recommendation):
        category, _ = category_in_force(recommendation)
        return category.code if category else None

    @extend_schema_field(NULLABLE_TEXT)
    def get_category_label(self, recommendation):
        category, _ = category_in_force(recommendation)
        return category.label if category else None

    @extend_schema_field(NULLABLE_DATE)
    def get_anticipated_date(self, recommendation):
        return category_in_force(recommendation)[1]

    @extend_schema_field(OpenApiTypes.URI)
    def get_evidence(self, recommendation) -> str:
        return self._list_url("evidence", recommendation=recommendation.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_assessments(self, recommendation) -> str:
        return self._list_url("assessment", recommendation=recommendation.pk)


class PublishedTextList(serializers.ListSerializer):
    """Evidence as the public may read it: each update's text as the last pack that printed it had it."""

    def to_representation(self, data):
        updates = list(data.all() if isinstance(data, Manager) else data)
        return super().to_representation(public.published_text(updates))


def evidence_heading(update: EvidenceUpdate) -> str | None:
    """The heading the pack printed it under, if any."""
    if update.received_after_id:
        published = dateformat.format(timezone.localtime(update.received_after.published_at), "j F Y")
        return f"Received after the pack was published on {published}"
    if update.following_meeting_id:
        return f"Further information following {update.following_meeting.in_words}"
    return None


class AttachmentSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField(help_text="What it is or shows.")
    download = serializers.SerializerMethodField(help_text="Where the file is served.")

    class Meta:
        model = EvidenceAttachment
        fields = ["name", "description", "content_type", "size", "sha256", "download"]

    def get_description(self, attachment) -> str:
        return attachment.description or attachment.name

    def get_download(self, attachment) -> str:
        path = reverse("public_attachment", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class EvidenceSerializer(_Linking):
    url = _identity("evidence")
    recommendation = _link("recommendation")
    recommendation_number = serializers.CharField(source="recommendation.number")
    heading = serializers.SerializerMethodField(help_text="The heading the pack printed it under, if any.")
    text = serializers.CharField(
        source="public_text", help_text="As the last published pack printed it (a later correction shows once a "
        "pack prints it)."
    )

    attachments = AttachmentSerializer(
        source="public_attachments", many=True, read_only=True,
        help_text="The files attached to it that a published pack listed.",
    )

    class Meta:
        model = EvidenceUpdate
        list_serializer_class = PublishedTextList
        fields = ["id", "url", "recommendation", "recommendation_id", "recommendation_number", "written_on",
                  "heading", "text", "attachments"]

    @extend_schema_field(NULLABLE_TEXT)
    def get_heading(self, update):
        return evidence_heading(update)


class AssessmentSerializer(_Linking):
    url = _identity("assessment")
    recommendation = _link("recommendation")
    recommendation_number = serializers.CharField(source="recommendation.number")
    meeting = _link("meeting")
    meeting_date = serializers.DateField(source="meeting.date", allow_null=True)
    proposed_category_code = serializers.SerializerMethodField(help_text="Proposed before the meeting; once its pack "
                                                               "printed the proposal.")
    proposed_category_label = serializers.SerializerMethodField()
    anticipated_date = serializers.SerializerMethodField(help_text="Advised with the proposal or the decision.")
    reasons = serializers.SerializerMethodField(help_text="The reasons given with the proposal (e.g. for slippage).")
    agreed_category_code = serializers.SerializerMethodField(help_text="Agreed by the committee; once its decisions "
                                                             "are recorded.")
    agreed_category_label = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "url", "recommendation", "recommendation_id", "recommendation_number", "meeting",
                  "meeting_id", "meeting_date", "proposed_category_code", "proposed_category_label",
                  "anticipated_date", "reasons", "agreed_category_code", "agreed_category_label"]

    def _proposed(self, assessment):
        return assessment.proposed_category if assessment.proposal_public else None

    def _agreed(self, assessment):
        return assessment.agreed_category if assessment.decision_public else None

    @extend_schema_field(NULLABLE_TEXT)
    def get_proposed_category_code(self, assessment):
        return getattr(self._proposed(assessment), "code", None)

    @extend_schema_field(NULLABLE_TEXT)
    def get_proposed_category_label(self, assessment):
        return getattr(self._proposed(assessment), "label", None)

    @extend_schema_field(NULLABLE_DATE)
    def get_anticipated_date(self, assessment):
        return assessment.anticipated_date if assessment.proposal_public or assessment.decision_public else None

    @extend_schema_field(NULLABLE_TEXT)
    def get_reasons(self, assessment):
        return assessment.reasons if assessment.proposal_public else None

    @extend_schema_field(NULLABLE_TEXT)
    def get_agreed_category_code(self, assessment):
        return getattr(self._agreed(assessment), "code", None)

    @extend_schema_field(NULLABLE_TEXT)
    def get_agreed_category_label(self, assessment):
        return getattr(self._agreed(assessment), "label", None)


class PackSerializer(_Linking):
    url = _identity("pack")
    meeting = _link("meeting")
    size = serializers.IntegerField(help_text="The PDF's size in bytes.")
    download = serializers.SerializerMethodField(help_text="Where to download the PDF.")

    class Meta:
        model = PublishedPack
        fields = ["id", "url", "meeting", "meeting_id", "version", "supplement", "published_at", "size", "sha256",
                  "download"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, pack) -> str:
        request = self.context.get("request")
        path = pack_download_path(pack.pk)
        return request.build_absolute_uri(path) if request else path


class MeetingSerializer(_Linking):
    url = _identity("meeting")
    committee = _link("committee")
    committee_name = serializers.CharField(source="committee.name")
    name = serializers.CharField(source="listed_as", help_text="Its date in words, or what it is when undated.")
    state = serializers.SerializerMethodField(help_text="How far it has gone, in words.")
    packs = serializers.SerializerMethodField(help_text="Every published version of its pack, latest first.")
    assessments = serializers.SerializerMethodField(help_text="The recommendations it tracked.")

    class Meta:
        model = Meeting
        fields = ["id", "url", "committee", "committee_id", "committee_name", "date", "name", "state", "packs",
                  "assessments", "changed_at"]

    @extend_schema_field(serializers.ChoiceField(choices=[
        str(Meeting.State.PACK_PUBLISHED.label), str(Meeting.State.DECISIONS_RECORDED.label)
    ]))
    def get_state(self, meeting) -> str:
        state = Meeting.State.DECISIONS_RECORDED if meeting.decisions_public else Meeting.State.PACK_PUBLISHED
        return str(state.label)

    @extend_schema_field(PackSerializer(many=True))
    def get_packs(self, meeting):
        return PackSerializer(meeting.public_packs, many=True, context=self.context).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_assessments(self, meeting) -> str:
        return self._list_url("assessment", meeting=meeting.pk)


class CategorySerializer(_Linking):
    url = _identity("category")
    scheme = serializers.StringRelatedField(help_text="The assessment scheme it belongs to.")

    class Meta:
        model = Category
        fields = ["id", "url", "scheme", "scheme_id", "position", "code", "label", "criteria", "marker",
                  "needs_anticipated_date", "only_before_completion", "warn_after_completion",
                  "counts_as_achieved", "needs_reasons"]
