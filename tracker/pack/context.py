"""Everything a meeting pack prints, read in one place with a fixed number of queries.

``pack_for(meeting)`` is the only function that queries the database for the pack:
the templates get plain lists and dataclasses, so rendering triggers no queries
and the query count does not grow with the number of recommendations.

Which recommendations go where (tracking-process.md, "The meeting pack"):

- Appendix 2 (tracked today): an Assessment at this meeting and no Conclusion before it.
  The pack goes out before the meeting, so what the committee concludes at this very
  meeting is still tracked in it (the seed's R01–R03 were in Appendix 2 on 10 Feb 2016).
- Appendix 3 (concluded): a Conclusion at an earlier meeting (of this committee, or of
  the committee that tracked it before it was transferred here), for the inquiries this
  pack reports on. Its "Tracking Assessment" is the category the committee agreed at the
  concluding meeting (or, without categories, the scheme's "completed" words), with the
  conclusion's remark.
- Nothing is chosen by which committee a recommendation belongs to now: a pack is made of
  what happened at its meeting, so a transferred recommendation never leaves (or enters) an
  old pack, and a rebuilt pack is the one published.
- The pack prints the scheme its meeting used (a newer version of the scheme does not
  change it) and the council's words (tracker.words).
- Evidence is what was known for this meeting: the first text and every "Further
  information following the … meeting" addition for meetings before this one.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch, Q

from tracker.categories import anticipated_date_missing
from tracker.models import (
    Assessment,
    AssessmentScheme,
    Category,
    Committee,
    Conclusion,
    Council,
    CoverReport,
    EvidenceUpdate,
    Inquiry,
    Meeting,
    Recommendation,
    Responsibility,
    Theme,
    held_before,
)
from tracker.words import Words


def category_display(category: Category | None) -> str:
    """"2 – Achieved (Late)"; a colour marker is always printed with its label."""
    if category is None:
        return ""
    text = f"{category.code} – {category.label}"
    if category.marker and category.marker.casefold() != category.code.casefold():
        text += f" ({category.marker})"
    return text


def short_date(date: datetime.date | None) -> str:
    """"10 Feb 2016", as the seed prints the date a recommendation was concluded."""
    return date.strftime("%-d %b %Y") if date else "date not recorded"


@dataclass
class PackRecommendation:
    """One recommendation as a pack prints it (tracked today or concluded)."""

    recommendation: Recommendation
    sub_parts: list
    footnotes: dict[int, str]
    responsibility: str
    evidence: list[EvidenceUpdate]
    category: Category | None = None
    anticipated_date: datetime.date | None = None
    reasons: str = ""
    conclusion: Conclusion | None = None
    completed_words: str = ""  # without categories: what the committee agreed when it concluded it

    @property
    def number(self) -> str:
        return self.recommendation.number

    @property
    def category_display(self) -> str:
        return category_display(self.category)

    @property
    def first_sub_part(self):
        return self.sub_parts[0] if self.sub_parts else None

    @property
    def more_sub_parts(self) -> list:
        return self.sub_parts[1:]

    @property
    def row_count(self) -> int:
        """Table rows the recommendation takes: one per sub-part (at least one)."""
        return max(1, len(self.sub_parts))

    @property
    def needs_anticipated_date(self) -> bool:
        return bool(self.category and self.category.needs_anticipated_date)

    @property
    def anticipated_date_missing(self) -> bool:
        return anticipated_date_missing(self.category, self.anticipated_date)

    @property
    def concluded_on(self) -> str:
        return short_date(self.conclusion.meeting.date) if self.conclusion else ""

    @property
    def tracking_assessment(self) -> str:
        """"2 – Achieved (Late). Work will be ongoing." (Appendix 3)."""
        text = self.category_display or self.completed_words or "Category not recorded"
        remark = self.conclusion.remark.strip() if self.conclusion else ""
        return f"{text}. {remark}" if remark else text


def report_of(cover: CoverReport, assessor_title: str | None = None) -> str:
    """The committee's assessor title with the reporting owner: "Cabinet Member for Children's
    Services" (an owner named with the title already), else "Cabinet Member: Leader"."""
    title = cover.meeting.committee.assessor_title if assessor_title is None else assessor_title
    owner = cover.reporting_owner.name
    if not title or title.casefold() in owner.casefold():
        return owner
    return f"{title}: {owner}"


@dataclass
class ThemeGroup:
    theme: Theme | None  # None: the recommendations printed under no theme
    recommendations: list[PackRecommendation] = field(default_factory=list)


@dataclass
class PackReport:
    """The tracking report for one inquiry: cover report and Appendices 1–3."""

    inquiry: Inquiry
    cover: CoverReport | None
    themes: list[ThemeGroup]
    concluded: list[PackRecommendation]
    words: Words
    assessor_title: str = ""

    @property
    def report_of(self) -> str:
        """"Report of": who reports (``report_of``); the council's "The appropriate …" words only
        when no cover names one."""
        if self.cover is None:
            return self.words.report_of
        return report_of(self.cover, self.assessor_title)

    @property
    def tracked_count(self) -> int:
        return sum(len(group.recommendations) for group in self.themes)


@dataclass
class Pack:
    meeting: Meeting
    committee: Committee
    scheme: AssessmentScheme
    categories: list[Category]
    reports: list[PackReport]
    council: Council
    words: Words

    @property
    def has_categories(self) -> bool:
        return bool(self.categories)

    @property
    def logo_data_uri(self) -> str:
        """The council's logo, inline (the pack is one self-contained document)."""
        if not self.council.logo:
            return ""
        return f"data:{self.council.logo_type};base64,{base64.b64encode(bytes(self.council.logo)).decode('ascii')}"

    @property
    def title(self) -> str:
        inquiries = "; ".join(report.inquiry.title for report in self.reports) or "no inquiries"
        return f"Tracking report: {inquiries} – {self.committee.name}, {self.meeting.date_display}"

    @property
    def running_header(self) -> str:
        return f"{self.committee.name} – {self.meeting.date_display}"


def _pack_recommendations(meeting: Meeting):
    assessed_here = Assessment.objects.filter(recommendation=OuterRef("pk"), meeting=meeting)
    concluded_by_then = Conclusion.objects.filter(recommendation=OuterRef("pk")).filter(
        held_before(meeting, "meeting__")
    )
    inquiries_here = Inquiry.objects.filter(
        Q(recommendations__assessments__meeting=meeting) | Q(cover_reports__meeting=meeting)
    ).values("pk")
    # The assessment that decides the printed category: this meeting's (proposal) for a
    # tracked recommendation, the concluding meeting's (agreed) for a concluded one.
    printed_assessments = Assessment.objects.filter(
        Q(meeting=meeting) | Q(meeting=F("recommendation__conclusion__meeting"))
    ).select_related("proposed_category", "agreed_category", "meeting__scheme")
    known_evidence = (
        EvidenceUpdate.objects.filter(
            Q(following_meeting__isnull=True) | held_before(meeting, "following_meeting__")
        )
        .select_related("following_meeting", "for_meeting", "received_after")
        .prefetch_related("attachments")
        .order_by("position", "pk")
    )
    return (
        Recommendation.objects.annotate(assessed_here=Exists(assessed_here), concluded_by_then=Exists(concluded_by_then))
        .filter(Q(assessed_here=True) | Q(concluded_by_then=True, inquiry_id__in=inquiries_here))
        .select_related("inquiry", "theme", "conclusion__meeting")
        .prefetch_related(
            "sub_parts",
            "footnotes",
            Prefetch("responsibilities", queryset=Responsibility.objects.select_related("owner")),
            Prefetch("evidence_updates", queryset=known_evidence, to_attr="pack_evidence"),
            Prefetch("assessments", queryset=printed_assessments, to_attr="pack_assessments"),
        )
        .order_by("inquiry__title", "position", "number")
    )


def _item(recommendation: Recommendation, meeting: Meeting) -> PackRecommendation:
    item = PackRecommendation(
        recommendation=recommendation,
        sub_parts=list(recommendation.sub_parts.all()),
        footnotes={note.number: note.text for note in recommendation.footnotes.all()},
        responsibility=recommendation.owner_display,
        evidence=recommendation.pack_evidence,
    )
    if recommendation.concluded_by_then:
        item.conclusion = recommendation.conclusion
        for assessment in recommendation.pack_assessments:
            if assessment.meeting_id == item.conclusion.meeting_id:
                item.category = assessment.category
                if item.category is None and assessment.decided:
                    item.completed_words = assessment.meeting.scheme.completed_words
    else:
        for assessment in recommendation.pack_assessments:
            if assessment.meeting_id == meeting.pk:
                # Appendix 2 prints the assessor's assessment, the proposal.
                item.category = assessment.proposed_category
                item.anticipated_date = assessment.anticipated_date
                item.reasons = assessment.reasons
    return item


def pack_for(meeting: Meeting) -> Pack:
    """Read everything the pack of ``meeting`` prints (a fixed number of queries, whatever its size)."""
    meeting = Meeting.objects.select_related("committee", "scheme").get(pk=meeting.pk)
    committee = meeting.committee
    council = Council.current(logo=True)
    words = Words(council, committee)
    categories = list(meeting.scheme.categories.order_by("position"))
    covers = {
        cover.inquiry_id: cover
        for cover in CoverReport.objects.filter(meeting=meeting).select_related("inquiry", "reporting_owner")
    }

    inquiries: dict[int, Inquiry] = {cover.inquiry_id: cover.inquiry for cover in covers.values()}
    themes: dict[int, dict[int | None, ThemeGroup]] = {}
    concluded: dict[int, list[PackRecommendation]] = {}
    for recommendation in _pack_recommendations(meeting):
        item = _item(recommendation, meeting)
        if item.conclusion:
            concluded.setdefault(recommendation.inquiry_id, []).append(item)
            continue
        inquiries.setdefault(recommendation.inquiry_id, recommendation.inquiry)
        groups = themes.setdefault(recommendation.inquiry_id, {})
        group = groups.setdefault(recommendation.theme_id, ThemeGroup(recommendation.theme))
        group.recommendations.append(item)

    # An inquiry is in the pack when something of it is tracked at this meeting or it
    # has a cover report; its earlier conclusions come with it "for information only".
    # Recommendations under no theme come first, then the themes in letter order.
    reports = [
        PackReport(
            inquiry=inquiry,
            cover=covers.get(inquiry_id),
            themes=sorted(
                themes.get(inquiry_id, {}).values(),
                key=lambda g: (g.theme is not None, g.theme.letter if g.theme else "", g.theme.pk if g.theme else 0),
            ),
            concluded=concluded.get(inquiry_id, []),
            words=words.for_report(
                reporter=covers[inquiry_id].reporting_owner.name if inquiry_id in covers else "",
                inquiry=inquiry.title,
            ),
            assessor_title=committee.assessor_title or council.assessor_title,
        )
        for inquiry_id, inquiry in sorted(inquiries.items(), key=lambda pair: (pair[1].title, pair[0]))
    ]
    return Pack(
        meeting=meeting,
        committee=committee,
        scheme=meeting.scheme,
        categories=categories,
        reports=reports,
        council=council,
        words=words,
    )


@dataclass
class SupplementRecommendation:
    recommendation: Recommendation
    responsibility: str
    updates: list[EvidenceUpdate]


@dataclass
class Supplement:
    """The updates received after a meeting's pack was published, by recommendation."""

    meeting: Meeting
    committee: Committee
    council: Council
    pack: object  # the PublishedPack they came in after (None: no pack yet)
    recommendations: list[SupplementRecommendation]

    @property
    def title(self) -> str:
        return f"Supplement: updates received after the pack was published – {self.committee.name}, " \
               f"{self.meeting.date_display}"

    @property
    def running_header(self) -> str:
        return f"{self.committee.name} – {self.meeting.date_display} – supplement"


def supplement_for(meeting: Meeting) -> Supplement:
    """Read what a supplement prints: the updates marked received after the meeting's latest
    published pack (not after a supplement), in the pack's order of recommendations."""
    meeting = Meeting.objects.select_related("committee").get(pk=meeting.pk)
    pack = meeting.published_packs.filter(supplement=False).defer("pdf").order_by("-version").first()
    rows: list[SupplementRecommendation] = []
    if pack is not None:
        late = (
            EvidenceUpdate.objects.filter(received_after=pack).select_related("author", "received_after")
            .prefetch_related("attachments")
        )
        recommendations = (
            Recommendation.objects.filter(evidence_updates__received_after=pack)
            .distinct()
            .select_related("inquiry", "theme")
            .prefetch_related(
                Prefetch("responsibilities", queryset=Responsibility.objects.select_related("owner")),
                Prefetch("evidence_updates", queryset=late.order_by("position", "pk"), to_attr="late_updates"),
            )
            .order_by("inquiry__title", "position", "number")
        )
        rows = [
            SupplementRecommendation(r, r.owner_display, r.late_updates) for r in recommendations
        ]
    return Supplement(meeting=meeting, committee=meeting.committee, council=Council.current(), pack=pack,
                      recommendations=rows)
