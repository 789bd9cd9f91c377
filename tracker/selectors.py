"""The read queries that pages, the admin and the pack need, each in a fixed number of queries.

Pages get plain rows with everything they show already fetched: a template never
triggers a query. "What changed since the last meeting" is worked out here: in Python,
over the prefetched rows, for the pages that show each recommendation in full
(``tracked_at``); by the database, the same rules, where a meeting is counted or read a page
of its table at a time (``tracked``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from tracker import cycle, paging, standing
from tracker import evidence as evidence_rules
from tracker.models import (
    Assessment,
    AssessmentScheme,
    Category,
    Committee,
    Conclusion,
    DateChange,
    EvidenceUpdate,
    Meeting,
    Milestone,
    PackBuild,
    PublishedPack,
    Recommendation,
    Responsibility,
    Transfer,
    latest_meeting_first,
    meetings_before,
)

# What a page shows beside an update: who wrote it, which meeting it follows and was written
# for (its deadline), and the published pack it was corrected after.
EVIDENCE_WITH = (
    "author", "entered_by", "following_meeting__committee", "for_meeting", "corrected_after__meeting", "received_after",
)


def recommendations_for_admin(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """The recommendation list: theme, owners, first sub-part and the category in force."""
    return (
        queryset.with_current_category()
        .select_related("theme", "inquiry")
        .prefetch_related(
            "sub_parts",
            Prefetch("responsibilities", queryset=Responsibility.objects.select_related("owner")),
        )
    )


# --- Meetings ------------------------------------------------------------------------------


def chronological_key(meeting: Meeting):
    """The order of Meeting.objects.chronological(), for meetings already in hand."""
    return (meeting.placed_on is not None, meeting.placed_on or datetime.date.min, meeting.date is None, meeting.pk)


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The committee's meeting before this one (in Meeting.objects.chronological() order)."""
    return Meeting.objects.filter(committee_id=meeting.committee_id).before(meeting).latest_first().first()


def _count(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("meeting").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def meetings_list() -> QuerySet[Meeting]:
    """Every meeting, latest first, with its committee and how many recommendations it tracks."""
    return (
        Meeting.objects.select_related("committee")
        .annotate(
            # Two separate counts: joining both tables at once would multiply their rows.
            tracked_count=_count(Assessment.objects.filter(meeting=OuterRef("pk"))),
            concluded_count=_count(Conclusion.objects.filter(meeting=OuterRef("pk"))),
        )
        .latest_first()
    )


def upcoming_meetings(owner_ids: set[int] | None = None) -> list[Meeting]:
    """Meetings still ahead, in date order; with owner_ids, only those tracking one of their recommendations.

    Imported history (Meeting.imported) is never ahead, whatever state the report left it in.
    """
    meetings = Meeting.objects.filter(cycle.upcoming()).select_related("committee")
    if owner_ids is not None:
        meetings = meetings.filter(assessments__recommendation__responsibilities__owner_id__in=owner_ids)
    return list(meetings.distinct().chronological())


def next_meeting_for(owner_ids: set[int], action: str) -> Meeting | None:
    """The first upcoming meeting tracking the owners' recommendations, preferring one that allows ``action``."""
    meetings = upcoming_meetings(owner_ids)
    for meeting in meetings:
        if cycle.allows(meeting, action):
            return meeting
    return meetings[0] if meetings else None


def committees() -> QuerySet[Committee]:
    return Committee.objects.order_by("name")


# --- Setting up the council's committees and schemes -------------------------------------------


def committees_for_setup() -> QuerySet[Committee]:
    """Every committee with the scheme it assesses with, by name."""
    return Committee.objects.select_related("scheme").order_by("name")


def possible_members(committee: Committee | None):
    """The people a committee's members are chosen from: active committee members, and anyone already
    a member of it, by name."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from tracker import roles

    chosen = Q(groups__name=roles.COMMITTEE_MEMBER)
    if committee is not None:
        chosen |= Q(committees=committee)
    return (
        get_user_model().objects.filter(chosen, is_active=True).distinct()
        .order_by("first_name", "last_name", "pk")
    )


def first_committee() -> Committee | None:
    """The committee the words page previews its sentences for."""
    return Committee.objects.order_by("name").first()


def _categories_in_order() -> Prefetch:
    return Prefetch("categories", queryset=Category.objects.order_by("position"))


def schemes_for_setup() -> QuerySet[AssessmentScheme]:
    """The schemes in use now (not earlier versions), each with its category count and committees."""
    return (
        AssessmentScheme.objects.filter(retired=False)
        .annotate(category_count=Count("categories"))
        .prefetch_related(Prefetch("committees", queryset=Committee.objects.order_by("name")))
        .order_by("name")
    )


def schemes_to_choose() -> QuerySet[AssessmentScheme]:
    """The schemes a committee may take (or a new scheme copy), each with its categories for the hint."""
    return AssessmentScheme.objects.filter(retired=False).prefetch_related(_categories_in_order()).order_by("name")


def scheme_for_setup(pk: int) -> AssessmentScheme:
    """One scheme with its categories in order and the committees that use it (DoesNotExist if none)."""
    return AssessmentScheme.objects.prefetch_related(
        _categories_in_order(), Prefetch("committees", queryset=Committee.objects.order_by("name"))
    ).get(pk=pk)


@dataclass
class SchemeVersions:
    """A scheme's place among its versions: the earlier ones (newest first) and the one in use now."""

    earlier: list[AssessmentScheme]
    latest: AssessmentScheme


def scheme_versions(scheme: AssessmentScheme) -> SchemeVersions:
    """Follow ``replaces`` both ways over every scheme's row at once (a council has a handful)."""
    rows = {s.pk: s for s in AssessmentScheme.objects.only("pk", "name", "version", "replaces_id", "retired")}
    earlier, pk = [], scheme.replaces_id
    while pk is not None and pk in rows:
        earlier.append(rows[pk])
        pk = rows[pk].replaces_id
    replaced_by = {s.replaces_id: s for s in rows.values() if s.replaces_id is not None}
    latest = scheme
    while latest.pk in replaced_by:
        latest = replaced_by[latest.pk]
    return SchemeVersions(earlier=earlier, latest=latest)


def meetings_using(scheme: AssessmentScheme) -> list[Meeting]:
    """The meetings that assess with (and print) this version of a scheme, in the order they were held."""
    return list(Meeting.objects.filter(scheme=scheme).select_related("committee").chronological())


# --- A meeting's tracked recommendations -----------------------------------------------------


@dataclass
class DateMove:
    what: str  # "Completion date" / "Anticipated date"
    change: DateChange


class _AtTheMeeting:
    """What a tracked recommendation's row says of it at the meeting (``TrackedRow``, ``TrackedLine``)."""

    @property
    def category(self):
        return self.assessment.category

    @property
    def changed(self) -> bool:
        return self.has_new_evidence or self.category_changed or self.date_moved

    @property
    def concluded_here(self) -> bool:
        return self.conclusion is not None and self.conclusion.meeting_id == self.assessment.meeting_id


@dataclass
class TrackedRow(_AtTheMeeting):
    """One recommendation tracked at a meeting, with what the pages show about it."""

    assessment: Assessment
    recommendation: Recommendation
    evidence: list[EvidenceUpdate]
    new_evidence_ids: set[int] = field(default_factory=set)
    previous_assessment: Assessment | None = None
    category_changed: bool = False
    date_moves: list[DateMove] = field(default_factory=list)
    conclusion: Conclusion | None = None

    @property
    def previous_category(self):
        return self.previous_assessment.category if self.previous_assessment else None

    @property
    def has_new_evidence(self) -> bool:
        return bool(self.new_evidence_ids)

    @property
    def date_moved(self) -> bool:
        return bool(self.date_moves)


def _tracked_assessments(meeting: Meeting) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(meeting=meeting)
        .select_related(
            "meeting__committee",
            "meeting__scheme",
            "recommendation__theme",
            "recommendation__inquiry",
            "recommendation__conclusion__meeting",
            "proposed_category",
            "agreed_category",
            "proposed_by",
            "agreed_by",
        )
        .prefetch_related(
            "recommendation__sub_parts",
            "recommendation__footnotes",
            Prefetch("recommendation__responsibilities", queryset=Responsibility.objects.select_related("owner")),
            Prefetch(
                "recommendation__milestones",
                queryset=Milestone.objects.prefetch_related(
                    Prefetch("date_changes", queryset=DateChange.objects.select_related("changed_by"))
                ),
            ),
            Prefetch(
                "recommendation__evidence_updates",
                queryset=EvidenceUpdate.objects.select_related(*EVIDENCE_WITH).prefetch_related("attachments"),
            ),
            Prefetch(
                "recommendation__assessments",
                queryset=Assessment.objects.select_related("meeting", "proposed_category", "agreed_category")
                .prefetch_related(Prefetch("date_changes", queryset=DateChange.objects.select_related("changed_by"))),
            ),
        )
        .order_by("recommendation__inquiry_id", "recommendation__position", "recommendation__number")
    )


def _new_evidence_rule(meeting: Meeting, previous: Meeting | None) -> evidence_rules.NewEvidence:
    """Which evidence is new for the meeting (tracker.evidence), given the committee's previous one."""
    earlier_ids = (
        set(Meeting.objects.filter(committee_id=meeting.committee_id).before(previous).values_list("pk", flat=True))
        if previous else set()
    )
    return evidence_rules.rule_for(meeting, previous, earlier_ids)


def tracked_at(
    meeting: Meeting, *, owner_ids: set[int] | None = None, recommendation_id: int | None = None
) -> list[TrackedRow]:
    """The recommendations tracked at a meeting (only the owners' ones, given owner_ids; only
    one, given recommendation_id), each with its evidence and what changed since the
    committee's previous meeting: new evidence, a category different from its last one, moved
    dates. Every row is loaded in full: for a page that shows each one's detail.
    """
    previous = previous_meeting(meeting)
    assessments = _tracked_assessments(meeting)
    if owner_ids is not None:
        assessments = assessments.filter(
            recommendation__in=Recommendation.objects.filter(responsibilities__owner_id__in=owner_ids)
        )
    if recommendation_id is not None:
        assessments = assessments.filter(recommendation_id=recommendation_id)
    here = chronological_key(meeting)
    # "Since the previous meeting": after its date, or, when its date is not recorded, after
    # the date it is placed on; evidence headed for a meeting before it is never new.
    since = previous and (previous.date or previous.placed_on)
    new_evidence = _new_evidence_rule(meeting, previous)
    rows = []
    for assessment in assessments:
        recommendation = assessment.recommendation
        evidence = list(recommendation.evidence_updates.all())
        row = TrackedRow(
            assessment=assessment,
            recommendation=recommendation,
            evidence=evidence,
            conclusion=getattr(recommendation, "conclusion", None),
        )
        earlier = sorted(
            (
                a for a in recommendation.assessments.all()
                if a.category is not None and chronological_key(a.meeting) < here
            ),
            key=lambda a: chronological_key(a.meeting),
        )
        row.previous_assessment = earlier[-1] if earlier else None
        row.category_changed = bool(
            row.previous_assessment and assessment.category and assessment.category != row.previous_assessment.category
        )
        row.new_evidence_ids = {u.pk for u in evidence if new_evidence.is_new(u)}
        if previous is not None:
            if since:
                moves = [
                    DateMove(f"{m.get_kind_display()} date", c)
                    for m in recommendation.milestones.all() for c in m.date_changes.all()
                ] + [
                    DateMove("Anticipated date", c)
                    for a in recommendation.assessments.all() for c in a.date_changes.all()
                ]
                row.date_moves = sorted(
                    (move for move in moves if timezone_date(move.change.changed_at) > since),
                    key=lambda move: (move.change.changed_at, move.change.pk),
                )
        rows.append(row)
    return rows


def timezone_date(moment: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localdate(moment)


# --- A meeting's tracked recommendations at any size: counted, and a page of the table at a time ---

# A sentence names at most this many recommendations ("R03, R07, … and 212 others").
NAMED_UP_TO = 20
# No proposed category yet: the pack prints it "Not yet assessed".
UNASSESSED = Q(proposed_category__isnull=True, agreed_category__isnull=True)
# What changed since the previous meeting, on assessments annotated by _with_changes: new
# evidence, a moved date, or a category other than its last one (a NULL on either side never differs).
CHANGED = (
    Q(has_new_evidence=True) | Q(date_moved=True)
    | Q(previous_category_id__lt=F("current_category_id")) | Q(previous_category_id__gt=F("current_category_id"))
)


@dataclass(frozen=True)
class Named:
    """How many recommendations a sentence is about, and the first of them by number, in report
    order (tracker.words.listed says them: "R03, R07 and 212 others")."""

    count: int
    numbers: tuple[str, ...] = ()


@dataclass
class Tracked:
    """A meeting's tracked recommendations whatever their number: counted by the database (how
    many; how many changed since the previous meeting; those with no proposed category yet and
    those still awaiting the committee's decision, cycle.awaiting_decision), and ``rows``, every
    assessment in report order with what the table shows, to be read a page at a time
    (``tracked_lines``)."""

    count: int
    changed: int
    unassessed: Named
    undecided: Named
    rows: QuerySet[Assessment]


def _with_changes(assessments: QuerySet[Assessment], meeting: Meeting, previous: Meeting | None,
                  new_evidence: evidence_rules.NewEvidence) -> QuerySet[Assessment]:
    """``tracked_at``'s "what changed since the previous meeting", worked out by the database:
    ``has_new_evidence``; ``current_category_id`` (agreed, else proposed) and
    ``previous_category_id`` (the category at the latest earlier meeting that gave one, at any
    committee); ``date_moved`` (a milestone's or an anticipated date moved after the previous
    meeting's date, in the council's time zone)."""
    from django.utils import timezone

    recommendation = OuterRef("recommendation_id")
    earlier = (
        Assessment.objects.filter(meetings_before(meeting, "meeting__"), recommendation_id=recommendation)
        .filter(Q(agreed_category__isnull=False) | Q(proposed_category__isnull=False))
        .order_by(*latest_meeting_first())
        .values(category=Coalesce("agreed_category_id", "proposed_category_id"))[:1]
    )
    since = previous and (previous.date or previous.placed_on)
    if since:
        day_after = timezone.make_aware(datetime.datetime.combine(since + datetime.timedelta(days=1), datetime.time()))
        moves = DateChange.objects.filter(changed_at__gte=day_after)
        # One EXISTS per kind of date, each through its own index (an OR across both joins would
        # read every date moved since, for each row).
        moved = ExpressionWrapper(
            Q(Exists(moves.filter(milestone__recommendation_id=recommendation)))
            | Q(Exists(moves.filter(assessment__recommendation_id=recommendation))),
            output_field=BooleanField(),
        )
    else:
        moved = Value(False)
    return assessments.annotate(
        has_new_evidence=Exists(EvidenceUpdate.objects.filter(new_evidence.q(), recommendation_id=recommendation)),
        current_category_id=Coalesce("agreed_category_id", "proposed_category_id"),
        previous_category_id=Subquery(earlier, output_field=IntegerField()),
        date_moved=moved,
    )


def _first_numbers(assessments: QuerySet[Assessment], count: int) -> Named:
    numbers = () if not count else tuple(
        assessments.order_by(*paging.report_order("recommendation__"))
        .values_list("recommendation__number", flat=True)[:NAMED_UP_TO]
    )
    return Named(count, numbers)


def tracked(meeting: Meeting, previous: Meeting | None) -> Tracked:
    """What the meeting page says of every recommendation the meeting tracks, in a fixed number of
    queries whatever their number (``previous``: the committee's meeting before it): the counts in
    one query, the first of the unassessed and of the undecided by number in one each."""
    assessments = _with_changes(
        Assessment.objects.filter(meeting=meeting), meeting, previous, _new_evidence_rule(meeting, previous)
    )
    awaiting = cycle.awaiting_decision()
    counts = assessments.aggregate(
        count=Count("pk"),
        changed=Count("pk", filter=CHANGED),
        unassessed=Count("pk", filter=UNASSESSED),
        undecided=Count("pk", filter=awaiting),
    )
    return Tracked(
        count=counts["count"],
        changed=counts["changed"],
        unassessed=_first_numbers(assessments.filter(UNASSESSED), counts["unassessed"]),
        undecided=_first_numbers(assessments.filter(awaiting), counts["undecided"]),
        rows=assessments.select_related(
            "recommendation__theme", "recommendation__conclusion__meeting", "proposed_category", "agreed_category",
        ).prefetch_related("recommendation__sub_parts").order_by(*paging.report_order("recommendation__")),
    )


@dataclass
class TrackedLine(_AtTheMeeting):
    """One row of a meeting's table of tracked recommendations: where it stands and whether it
    changed since the previous meeting, without its evidence (``TrackedRow`` has that)."""

    assessment: Assessment
    recommendation: Recommendation
    has_new_evidence: bool
    date_moved: bool
    previous_category: Category | None
    conclusion: Conclusion | None

    @property
    def category_changed(self) -> bool:
        return bool(self.previous_category and self.category and self.category.pk != self.previous_category.pk)


def tracked_lines(rows, meeting: Meeting) -> list[TrackedLine]:
    """The table's rows for a page of ``Tracked.rows``: the page, the sub-parts its first words
    need, and the earlier categories it names, in one query each."""
    assessments = list(rows)
    earlier = {a.previous_category_id for a in assessments if a.previous_category_id is not None}
    categories = Category.objects.in_bulk(earlier) if earlier else {}
    lines = []
    for assessment in assessments:
        assessment.meeting = meeting
        recommendation = assessment.recommendation
        lines.append(TrackedLine(
            assessment=assessment,
            recommendation=recommendation,
            has_new_evidence=assessment.has_new_evidence,
            date_moved=assessment.date_moved,
            previous_category=categories.get(assessment.previous_category_id),
            conclusion=getattr(recommendation, "conclusion", None),
        ))
    return lines


def tracked_count(meeting_id: int) -> int:
    return Assessment.objects.filter(meeting_id=meeting_id).count()


@dataclass(frozen=True)
class Place:
    """Where one recommendation stands among those a meeting tracks, in report order: its
    position (from 1) of ``count``, and the recommendations either side (None at the ends)."""

    position: int
    count: int
    previous: Recommendation | None
    next: Recommendation | None


def place_at(meeting: Meeting, recommendation: Recommendation) -> Place:
    """In three queries whatever the meeting's size: the counts, the one before, the one after."""
    before = paging.beyond(recommendation, after=False, prefix="recommendation__")
    counts = Assessment.objects.filter(meeting=meeting).aggregate(count=Count("pk"), before=Count("pk", filter=before))
    neighbours = Recommendation.objects.filter(assessments__meeting=meeting).select_related("theme")

    def beside(after: bool):
        return (
            neighbours.filter(paging.beyond(recommendation, after=after))
            .order_by(*paging.report_order(backwards=not after)).first()
        )

    return Place(counts["before"] + 1, counts["count"], beside(after=False), beside(after=True))


@dataclass
class ConcludedRow:
    recommendation: Recommendation
    conclusion: Conclusion
    assessment: Assessment | None

    @property
    def tracking_assessment(self):
        return self.assessment.agreed_category if self.assessment else None


def concluded_before(meeting: Meeting) -> QuerySet[Conclusion]:
    """The committee's recommendations concluded at earlier meetings ("for information only"), in
    report order, to be read a page at a time (``concluded_rows``)."""
    return (
        Conclusion.objects.filter(meetings_before(meeting, "meeting__"), meeting__committee_id=meeting.committee_id)
        .select_related("meeting", "recommendation__theme")
        .prefetch_related(
            Prefetch(
                "recommendation__assessments",
                queryset=Assessment.objects.select_related("agreed_category", "proposed_category"),
            ),
            Prefetch("recommendation__responsibilities", queryset=Responsibility.objects.select_related("owner")),
        )
        .order_by("recommendation__inquiry_id", "recommendation__position", "recommendation__number")
    )


def concluded_rows(conclusions) -> list[ConcludedRow]:
    """A page of ``concluded_before``, each with the category it was concluded with."""
    return [_concluded_row(conclusion) for conclusion in conclusions]


def _concluded_row(conclusion: Conclusion) -> ConcludedRow:
    assessment = next(
        (a for a in conclusion.recommendation.assessments.all() if a.meeting_id == conclusion.meeting_id), None
    )
    return ConcludedRow(conclusion.recommendation, conclusion, assessment)


# --- Recommendations ---------------------------------------------------------------------------


def recommendations_list() -> QuerySet[Recommendation]:
    """Every recommendation with its owners and the category in force (``with_conclusions`` adds, for
    those concluded, when and how: the tracked list's query leaves those joins out)."""
    return recommendations_for_admin(Recommendation.objects.all()).select_related("inquiry__committee")


def with_conclusions(recommendations: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Concluded recommendations with the meeting that concluded them and the categories agreed (for
    ``tracking_assessment``)."""
    return recommendations.select_related("conclusion__meeting").prefetch_related(
        Prefetch(
            "assessments",
            queryset=Assessment.objects.filter(agreed_category__isnull=False).select_related("agreed_category"),
            to_attr="agreed_assessments",
        )
    )


def tracking_assessment(recommendation: Recommendation):
    """The category agreed at the meeting that concluded it (uses ``with_conclusions``'s prefetch)."""
    conclusion = getattr(recommendation, "conclusion", None)
    if conclusion is None:
        return None
    for assessment in recommendation.agreed_assessments:
        if assessment.meeting_id == conclusion.meeting_id:
            return assessment.agreed_category
    return None


def recommendation_with_owners(queryset: QuerySet[Recommendation] | None = None) -> QuerySet[Recommendation]:
    """A recommendation as a form page shows it: text, owners, milestones and evidence."""
    queryset = queryset if queryset is not None else Recommendation.objects.all()
    return queryset.select_related("theme", "inquiry__committee").prefetch_related(
        "sub_parts",
        "footnotes",
        Prefetch("responsibilities", queryset=Responsibility.objects.select_related("owner")),
        Prefetch("milestones", queryset=Milestone.objects.prefetch_related("date_changes")),
        Prefetch(
            "evidence_updates", queryset=EvidenceUpdate.objects.select_related(*EVIDENCE_WITH).prefetch_related("attachments")
        ),
    )


def assessment_for_form(pk: int) -> Assessment:
    """An assessment with its meeting, categories and recommendation, for the proposal and decision pages."""
    return (
        Assessment.objects.select_related(
            "meeting__committee", "meeting__scheme", "proposed_category", "agreed_category", "proposed_by", "agreed_by",
            "recommendation__conclusion__meeting",
        )
        .prefetch_related(
            Prefetch("recommendation", queryset=recommendation_with_owners()),
        )
        .get(pk=pk)
    )


def meeting_for_rows(pk: int) -> Meeting:
    """A meeting with its committee and its scheme's categories, for the pages that save many rows."""
    return Meeting.objects.select_related("committee", "scheme").prefetch_related("scheme__categories").get(pk=pk)


def rows_to_assess(meeting: Meeting, *, owner_ids: set[int] | None = None) -> list[Assessment]:
    """The recommendations tracked at a meeting (only the owners' ones, given owner_ids), each
    with what a row of the one-page proposals and decisions shows and what the rules read
    (theme, first sub-part, owners, milestones, the conclusion). Every row shares ``meeting``,
    so its scheme's categories are fetched once."""
    assessments = Assessment.objects.filter(meeting=meeting)
    if owner_ids is not None:
        assessments = assessments.filter(
            recommendation__in=Recommendation.objects.filter(responsibilities__owner_id__in=owner_ids)
        )
    rows = list(
        assessments.select_related(
            "recommendation__theme", "recommendation__conclusion__meeting",
            "proposed_category", "agreed_category", "proposed_by", "agreed_by",
        )
        .prefetch_related(
            "recommendation__sub_parts",
            Prefetch("recommendation__responsibilities", queryset=Responsibility.objects.select_related("owner")),
            Prefetch("recommendation__milestones", queryset=Milestone.objects.prefetch_related("date_changes")),
        )
        .order_by("recommendation__inquiry_id", "recommendation__position", "recommendation__number")
    )
    for assessment in rows:
        assessment.meeting = meeting
    return rows


# --- The timeline of one recommendation -------------------------------------------------------


@dataclass
class TimelineEntry:
    """One thing that happened to a recommendation, in the order it happened."""

    kind: str  # evidence / proposal / decision / date_change / conclusion / transfer / withdrawn
    when: str
    key: tuple
    who: object = None
    subject: object = None
    versions: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    committee: object = None  # the committee whose meeting it happened at


def timeline(recommendation_id: int) -> tuple[Recommendation, list[TimelineEntry]]:
    """Every meeting's proposed and agreed category, every evidence update with author, date and
    earlier versions, the date changes, moves to another committee, the conclusion or its
    withdrawal, in one chronological list. Each entry at a meeting names its committee.

    Order: a recommendation's history goes round by round, meeting by meeting (as in
    Meeting.objects.chronological(), where an undated meeting keeps its place). Within a
    round: evidence and moved dates before the meeting, then the proposal, the
    committee's decision, the conclusion; evidence "following" a meeting comes after it.
    """
    recommendation = (
        recommendation_with_owners(Recommendation.objects.filter(pk=recommendation_id))
        .select_related("conclusion__meeting", "conclusion__concluded_by")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related(
                    "meeting__committee", "meeting__scheme", "proposed_category", "agreed_category", "proposed_by",
                    "agreed_by",
                ).prefetch_related(Prefetch("date_changes", queryset=DateChange.objects.select_related("changed_by"))),
            ),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.prefetch_related(
                    Prefetch("date_changes", queryset=DateChange.objects.select_related("changed_by"))
                ),
                to_attr="milestones_with_changes",
            ),
            Prefetch(
                "transfers",
                queryset=Transfer.objects.select_related("from_committee", "to_committee", "transferred_by"),
            ),
        )
        .get()
    )
    committees = {recommendation.committee_id, recommendation.inquiry.committee_id}
    committees |= {c for t in recommendation.transfers.all() for c in (t.from_committee_id, t.to_committee_id)}
    meetings = sorted(
        Meeting.objects.filter(committee_id__in=committees).select_related("committee"), key=chronological_key
    )
    order = {m.pk: index for index, m in enumerate(meetings)}
    updates = list(recommendation.evidence_updates.all())
    prefetch_related_objects(updates, "attachments")
    versions = {}
    for version in (
        EvidenceUpdate.history.filter(id__in=[u.pk for u in updates])
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        versions.setdefault(version.id, []).append(version)

    def round_of(day: datetime.date | None) -> int:
        """The index of the first meeting on or after ``day`` (meetings without a date come last)."""
        if day is None:
            return len(meetings)
        for index, meeting in enumerate(meetings):
            if meeting.date is None or meeting.date >= day:
                return index
        return len(meetings)

    assessments = list(recommendation.assessments.all())
    earlier_proposals = _earlier_proposals(assessments)

    entries = []
    for update in updates:
        if update.following_meeting_id in order:
            key = (order[update.following_meeting_id], 4)
            when = f"After {update.following_meeting.in_words}"
        elif update.written_on:
            key = (round_of(update.written_on), 0)
            when = ""
        else:
            key = (-1, 4)
            when = "Before the first tracking meeting"
        if update.written_on:
            # "After the 10 February 2016 meeting" → "(after the 10 February 2016 meeting)": the month keeps its capital.
            when = f"Written {update.written_on:%-d %B %Y}" + (f" ({when[0].lower()}{when[1:]})" if when else "")
        earlier = [v for v in versions.get(update.pk, []) if v.version != update.version]
        entries.append(TimelineEntry(
            "evidence", when, key + (update.written_on or datetime.date.min, update.position),
            who=update.author, subject=update, versions=earlier,
            committee=update.following_meeting.committee if update.following_meeting_id else None,
        ))
    for assessment in assessments:
        index = order.get(assessment.meeting_id, len(meetings))
        committee = assessment.meeting.committee
        if assessment.proposed_category_id:
            entries.append(TimelineEntry(
                "proposal", f"For {assessment.meeting.in_words}", (index, 1, datetime.date.min, 0),
                who=assessment.proposed_by, subject=assessment, versions=earlier_proposals.get(assessment.pk, []),
                committee=committee,
            ))
        if assessment.decided:
            entries.append(TimelineEntry(
                "decision", f"At {assessment.meeting.in_words}", (index, 2, datetime.date.min, 0),
                who=assessment.agreed_by, subject=assessment, committee=committee,
            ))
        for change in assessment.date_changes.all():
            entries.append(TimelineEntry(
                "date_change", f"Moved {timezone_date(change.changed_at):%-d %B %Y}",
                (index, 0, timezone_date(change.changed_at), change.pk),
                who=change.changed_by, subject=change, extra={"what": "Anticipated date"},
            ))
    for milestone in recommendation.milestones_with_changes:
        for change in milestone.date_changes.all():
            day = timezone_date(change.changed_at)
            entries.append(TimelineEntry(
                "date_change", f"Moved {day:%-d %B %Y}", (round_of(day), 0, day, change.pk),
                who=change.changed_by, subject=change, extra={"what": f"{milestone.get_kind_display()} date"},
            ))
    for transfer in recommendation.transfers.all():
        entries.append(TimelineEntry(
            "transfer", f"Moved {transfer.transferred_on:%-d %B %Y}",
            (round_of(transfer.transferred_on), 0, transfer.transferred_on, transfer.pk),
            who=transfer.transferred_by, subject=transfer,
        ))
    conclusion = getattr(recommendation, "conclusion", None)
    if conclusion is not None:
        concluding = next((a for a in assessments if a.meeting_id == conclusion.meeting_id), None)
        agreed = concluding.agreed_category if concluding else None
        entries.append(TimelineEntry(
            "conclusion", f"At {conclusion.meeting.in_words}",
            (order.get(conclusion.meeting_id, len(meetings)), 3, datetime.date.min, 0),
            who=conclusion.concluded_by, subject=conclusion,
            extra={"tracking_assessment": agreed,
                   "completed_words": concluding.meeting.scheme.completed_words if concluding else ""},
            committee=concluding.meeting.committee if concluding else None,
        ))
    if recommendation.withdrawn_on:
        entries.append(TimelineEntry(
            "withdrawn", f"Withdrawn {recommendation.withdrawn_on:%-d %B %Y}",
            (round_of(recommendation.withdrawn_on), 5, recommendation.withdrawn_on, 0), subject=recommendation,
        ))
    entries.sort(key=lambda entry: entry.key)
    return recommendation, entries


def _earlier_proposals(assessments) -> dict[int, list]:
    """Each assessment's proposals before the one in force (a proposal changed is kept, and shown)."""
    history = (
        Assessment.history.filter(id__in=[a.pk for a in assessments], proposed_category__isnull=False)
        .select_related("proposed_category", "proposed_by")
        .order_by("history_date", "history_id")
    )
    proposals: dict[int, list] = {}
    for record in history:
        kept = proposals.setdefault(record.id, [])
        state = (record.proposed_category_id, record.anticipated_date)
        if not kept or (kept[-1].proposed_category_id, kept[-1].anticipated_date) != state:
            kept.append(record)
    current = {a.pk: (a.proposed_category_id, a.anticipated_date) for a in assessments}
    return {
        pk: [r for r in kept if (r.proposed_category_id, r.anticipated_date) != current.get(pk)] or []
        for pk, kept in proposals.items()
    }


def evidence_update_with_versions(pk: int):
    """An update with its recommendation and every earlier version, for the correction page."""
    update = EvidenceUpdate.objects.select_related(*EVIDENCE_WITH, "recommendation").prefetch_related(
        Prefetch("recommendation__responsibilities", queryset=Responsibility.objects.select_related("owner"))
    ).get(pk=pk)
    versions = list(
        EvidenceUpdate.history.filter(id=update.pk).exclude(version=update.version)
        .select_related("history_user").order_by("history_date", "history_id")
    )
    return update, versions


def last_editor(instance):
    """Who saved the latest version of a record with history (for "someone else saved this")."""
    latest = instance.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    return latest.history_user if latest else None


def unassessed(meeting: Meeting) -> list[str]:
    """The tracked recommendations with no proposed category yet, by number (for the scrutiny office,
    before it publishes: the pack would print them "Not yet assessed")."""
    return list(
        Assessment.objects.filter(meeting=meeting, proposed_category__isnull=True, agreed_category__isnull=True)
        .order_by("recommendation__position", "recommendation__number")
        .values_list("recommendation__number", flat=True)
    )


# --- Setting up ---------------------------------------------------------------------------------


def setup_counts() -> dict[str, int]:
    """How many of each thing the scrutiny office has set up (a count each, whatever the numbers)."""
    from django.contrib.auth import get_user_model

    from tracker.models import AssessmentScheme, Inquiry, Owner

    return dict(
        committees=Committee.objects.count(),
        schemes=AssessmentScheme.objects.filter(retired=False).count(),
        inquiries=Inquiry.objects.count(),
        people=get_user_model().objects.filter(is_active=True).count(),
        owners=Owner.objects.count(),
    )


# --- Setting up: people and owners ----------------------------------------------------------------


def _people_by_name() -> QuerySet:
    """Accounts, active first, then as their names read."""
    from django.contrib.auth import get_user_model
    from django.db.models.functions import Lower

    return get_user_model().objects.order_by("-is_active", Lower("first_name"), Lower("last_name"), "username")


def people(role: str | None = None) -> QuerySet:
    """Everyone with an account (or only those with ``role``), with their roles and the owners they act for."""
    from django.contrib.auth.models import Group

    from tracker.models import Owner

    found = _people_by_name().prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("name")),
        Prefetch("owners", queryset=Owner.objects.order_by("name")),
    )
    return found.filter(groups__name=role) if role else found


def people_to_choose(also=()) -> list:
    """The active people, and those in ``also`` (an owner's deactivated delegates), with their roles:
    the people the office may tick as acting for an owner."""
    from django.db.models import Q

    return list(
        _people_by_name().filter(Q(is_active=True) | Q(pk__in=[person.pk for person in also]))
        .prefetch_related("groups")
    )


def owners() -> QuerySet:
    """Every owner with its other spellings, the people acting for it and how many recommendations it has."""
    from tracker.models import Owner

    return Owner.objects.order_by("name").annotate(
        recommendation_count=Count("responsibilities", distinct=True)
    ).prefetch_related("aliases", Prefetch("delegates", queryset=_people_by_name()))

# --- Setting up inquiries and recommendations --------------------------------------------------


@dataclass
class CommitteeInquiries:
    committee: Committee
    inquiries: list


def inquiries_by_committee() -> list[CommitteeInquiries]:
    """Every committee with its inquiries, each counting its recommendations tracked, concluded and withdrawn.

    Two queries whatever the numbers: committees, then inquiries with their counts.
    """
    from django.db.models import Q

    from tracker.models import Inquiry

    tracked = Q(recommendations__conclusion__isnull=True, recommendations__withdrawn_on__isnull=True)
    inquiries = Inquiry.objects.annotate(
        tracked_count=Count("recommendations", filter=tracked),
        concluded_count=Count("recommendations", filter=Q(recommendations__conclusion__isnull=False)),
        withdrawn_count=Count("recommendations", filter=Q(recommendations__withdrawn_on__isnull=False)),
    ).order_by("committee_id", "title", "pk")
    by_committee: dict[int, list] = {}
    for inquiry in inquiries:
        by_committee.setdefault(inquiry.committee_id, []).append(inquiry)
    return [CommitteeInquiries(committee, by_committee.get(committee.pk, []))
            for committee in Committee.objects.order_by("name")]


def inquiry_for_setup(pk: int):
    """An inquiry with its committee (404 is the caller's)."""
    from tracker.models import Inquiry

    return Inquiry.objects.select_related("committee").filter(pk=pk).first()


def inquiry_recommendations(inquiry) -> list[Recommendation]:
    """An inquiry's recommendations in printed order, with all the set-up page shows: theme, owners,
    sub-parts, the committee tracking it and, if concluded, when."""
    return list(
        inquiry.recommendations.order_by("position", "number", "pk")
        .select_related("theme", "committee", "conclusion__meeting")
        .prefetch_related(
            "sub_parts", Prefetch("responsibilities", queryset=Responsibility.objects.select_related("owner"))
        )
    )


def recommendation_for_setup(pk: int) -> Recommendation | None:
    """A recommendation as its set-up pages show it: inquiry, committee, theme, sub-parts, owners, milestones."""
    return (
        Recommendation.objects.select_related("inquiry__committee", "committee", "theme", "conclusion__meeting")
        .prefetch_related(
            "sub_parts", "milestones", "footnotes",
            Prefetch("responsibilities", queryset=Responsibility.objects.select_related("owner")),
        )
        .filter(pk=pk)
        .first()
    )


def cover_reports(meeting: Meeting, inquiry_ids: set[int] | None = None) -> list:
    """The meeting's cover reports (one per inquiry), by inquiry title; with ``inquiry_ids``, only those."""
    from tracker.models import CoverReport

    covers = CoverReport.objects.filter(meeting=meeting).select_related(
        "inquiry", "reporting_owner", "meeting__committee"
    )
    if inquiry_ids is not None:
        covers = covers.filter(inquiry_id__in=inquiry_ids)
    return list(covers.order_by("inquiry__title", "pk"))


def cover_report(meeting_id: int, inquiry_id: int):
    from tracker.models import CoverReport

    return CoverReport.objects.select_related("meeting__committee", "meeting__scheme", "inquiry", "reporting_owner").get(
        meeting_id=meeting_id, inquiry_id=inquiry_id
    )


def officers_for(recommendation: Recommendation) -> QuerySet:
    """The officers who act for one of the recommendation's owners (an update may come from them)."""
    from django.contrib.auth import get_user_model

    from tracker import roles

    return (
        get_user_model().objects.filter(
            is_active=True, groups__name=roles.OFFICER, owners__responsibilities__recommendation=recommendation
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def pack_build(meeting_id: int, build_id: int) -> PackBuild | None:
    """A build of a meeting's pack, for its page: without a draft's file (one query)."""
    return (
        PackBuild.objects.filter(pk=build_id, meeting_id=meeting_id)
        .select_related("meeting__committee", "asked_by", "published")
        .defer("content", "published__pdf")
        .first()
    )


def draft_to_download(meeting_id: int, build_id: int) -> PackBuild | None:
    """A finished draft with its file (None once it has been pruned)."""
    return (
        PackBuild.objects.filter(
            pk=build_id, meeting_id=meeting_id, kind__in=PackBuild.DRAFTS, state=PackBuild.State.READY,
            content__isnull=False,
        )
        .select_related("meeting__committee")
        .first()
    )


def pack_builds_to_show(meeting: Meeting, limit: int = 10) -> list[PackBuild]:
    """The meeting pack page's builds: those under way, and the drafts ready to download, latest first."""
    return list(
        meeting.pack_builds.filter(
            Q(state__in=PackBuild.IN_PROGRESS)
            | Q(kind__in=PackBuild.DRAFTS, state=PackBuild.State.READY)
        )
        .select_related("asked_by")
        .defer("content")
        .order_by("-asked_at", "-pk")[:limit]
    )


def late_updates_count(meeting: Meeting) -> int:
    """How many updates came in after the meeting's latest published pack (not a supplement)."""
    pack = meeting.published_packs.filter(supplement=False).order_by("-version").values("pk")[:1]
    return EvidenceUpdate.objects.filter(received_after__in=pack).count()


# --- Reading: the recommendations list's filters, the member's home -----------------------------


def completion_milestone() -> QuerySet[Milestone]:
    """A recommendation's completion milestone as a subquery (on OuterRef("pk")), picked as
    Recommendation.completion_milestone picks it: the first completion milestone, else the first
    on-going one, else the last; ``in_force`` is its latest move, else its original date."""
    return standing.completion_milestone(Milestone=Milestone, DateChange=DateChange)


def with_date_in_force(recommendations: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Annotate ``date_in_force`` (``categories.date_in_force`` as tracker.standing keeps it: the
    completion milestone's latest move, else its original date; or, where the committee's scheme
    counts revised dates, the latest anticipated date advised), ``completion_date_in_force``,
    ``revised_date`` and ``achieved`` (the category in force counts as achieved), beside
    ``with_current_category``'s annotations."""
    if "current_category_id" not in recommendations.query.annotations:
        recommendations = recommendations.with_current_category()
    return recommendations.annotate(
        completion_date_in_force=F("standing_completion_date"),
        revised_date=F("standing_revised_date"),
        achieved=Coalesce(F("standing_category__counts_as_achieved"), Value(False), output_field=BooleanField()),
        date_in_force=F("standing_date"),
    )


def overdue(recommendations: QuerySet[Recommendation], today: datetime.date) -> QuerySet[Recommendation]:
    """The recommendations that are overdue on ``today``: still tracked (neither concluded nor
    withdrawn), their date in force has passed, and their category in force is not an achieved one.
    The one place this rule is written (the recommendations list's filter and the overview)."""
    if "date_in_force" not in recommendations.query.annotations:
        recommendations = with_date_in_force(recommendations)
    return recommendations.tracked().filter(is_overdue(today))


def is_overdue(today: datetime.date) -> Q:
    """``overdue``'s test on a queryset annotated by ``with_date_in_force`` (for tracked rows)."""
    return Q(date_in_force__lt=today, achieved=False)


@dataclass
class CommitteePack:
    committee: Committee
    pack: PublishedPack | None  # its latest published pack (not a supplement), without the PDF


def latest_packs_for(user) -> list[CommitteePack]:
    """The latest published pack of each committee the user sits on (``Committee.members``), or of
    every committee when they sit on none; in two queries."""
    latest = (
        PublishedPack.objects.filter(meeting__committee=OuterRef("pk"), supplement=False)
        .order_by("-published_at", "-pk").values("pk")[:1]
    )
    committees = Committee.objects.annotate(latest_pack_id=Subquery(latest)).order_by("name")
    member_of = list(committees.filter(members=user)) if user.is_authenticated else []
    chosen = member_of or list(committees)
    packs = (
        PublishedPack.objects.defer("pdf").select_related("meeting__committee")
        .in_bulk([c.latest_pack_id for c in chosen if c.latest_pack_id])
    )
    return [CommitteePack(committee, packs.get(committee.latest_pack_id)) for committee in chosen]


# --- The tracker as a spreadsheet (Excel and CSV downloads, export_tracker) -----------------------


@dataclass(frozen=True)
class TrackerRow:
    """One recommendation as the tracker spreadsheet has it: plain values, nothing left to fetch."""

    committee: str
    inquiry: str
    number: str
    lead: str
    sub_parts: tuple[tuple[str, str], ...]  # (label, text); a blank label is a bullet
    footnotes: dict[int, str]
    owners: tuple[str, ...]
    original_timescale: str
    original_completion_date: datetime.date | None
    date_in_force: datetime.date | None
    category_code: str | None
    category_label: str | None
    anticipated_date: datetime.date | None
    latest_evidence_on: datetime.date | None
    concluded: bool
    concluded_on: datetime.date | None  # the date of the meeting that concluded it, if recorded
    withdrawn_on: datetime.date | None


# Recommendations read at a time: their sub-parts, footnotes and owners come in one query each
# per batch, so a tracker of up to this many is read in a fixed number of queries, and a larger
# one in a few more while memory stays flat.
TRACKER_BATCH = 2000
_TRACKER_FIELDS = (
    "pk", "committee__name", "inquiry__title", "number", "lead", "original_timescale", "original_completion_date",
    "date_in_force", "current_category_code", "current_category_label", "revised_date", "latest_evidence_on",
    "conclusion__pk", "conclusion__meeting__date", "withdrawn_on",
)


def tracker_rows(recommendations: QuerySet[Recommendation]):
    """Each recommendation of ``recommendations`` (filtered as the list filters them) as a
    ``TrackerRow``, in the list's order: its committee, inquiry, text with sub-parts and
    footnotes, owners, original and in-force dates, category in force, latest anticipated date
    (the ``revised_date`` of ``with_date_in_force``), the date of its latest evidence, and
    whether it was concluded or withdrawn. Plain values, not model instances: a long tracker
    is read quickly."""
    from itertools import islice

    from tracker.models import Footnote, SubPart

    if "date_in_force" not in recommendations.query.annotations:
        recommendations = with_date_in_force(recommendations)
    latest_evidence = (
        EvidenceUpdate.objects.filter(recommendation=OuterRef("pk"), written_on__isnull=False)
        .order_by("-written_on").values("written_on")[:1]
    )
    found = recommendations.annotate(
        original_completion_date=Subquery(completion_milestone().values("due_date")[:1], output_field=DateField()),
        latest_evidence_on=Subquery(latest_evidence, output_field=DateField()),
    ).values_list(*_TRACKER_FIELDS)
    rows = found.iterator(chunk_size=TRACKER_BATCH)
    while batch := list(islice(rows, TRACKER_BATCH)):
        ids = [row[0] for row in batch]
        sub_parts, footnotes, owners = {}, {}, {}
        for pk, label, text in SubPart.objects.filter(recommendation_id__in=ids).order_by(
                "recommendation_id", "position").values_list("recommendation_id", "label", "text"):
            sub_parts.setdefault(pk, []).append((label, text))
        for pk, number, text in Footnote.objects.filter(recommendation_id__in=ids).values_list(
                "recommendation_id", "number", "text"):
            footnotes.setdefault(pk, {})[number] = text
        for pk, name in Responsibility.objects.filter(recommendation_id__in=ids).order_by(
                "recommendation_id", "position", "pk").values_list("recommendation_id", "owner__name"):
            owners.setdefault(pk, []).append(name)
        for (pk, committee, inquiry, number, lead, timescale, original, in_force, code, label, anticipated,
             evidence_on, conclusion, concluded_on, withdrawn_on) in batch:
            yield TrackerRow(
                committee=committee, inquiry=inquiry, number=number, lead=lead,
                sub_parts=tuple(sub_parts.get(pk, ())), footnotes=footnotes.get(pk, {}),
                owners=tuple(owners.get(pk, ())), original_timescale=timescale,
                original_completion_date=original, date_in_force=in_force, category_code=code,
                category_label=label, anticipated_date=anticipated, latest_evidence_on=evidence_on,
                concluded=conclusion is not None, concluded_on=concluded_on, withdrawn_on=withdrawn_on,
            )
