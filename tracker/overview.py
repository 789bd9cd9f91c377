"""The overview of the tracking round: what the scrutiny office chases and committee members watch.

Every figure is counted by the database (aggregates and annotations), in a fixed number of
queries whatever the number of recommendations or meetings. ``today`` is a parameter, so the
figures can be checked for any day.

- Each upcoming meeting's progress: how many of the recommendations it tracks have new evidence
  for it (``tracker.evidence``), a proposed category, the committee's decision.
- Missing evidence by owner, for each upcoming meeting.
- Tracked recommendations (neither concluded nor withdrawn) that are overdue, have slipped, are past
  their anticipated date, or wait on an event.
- Tracked recommendations by category in force, per committee.

The date in force is ``categories.date_in_force`` worked out in SQL: the completion milestone's
latest move (``Recommendation.completion_date``), else its original date; or, where the committee's
scheme counts revised dates, the latest anticipated date advised.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)

from tracker import categories, cycle, evidence, selectors
from tracker.models import (
    Assessment,
    Category,
    Committee,
    DateChange,
    EvidenceUpdate,
    Inquiry,
    Meeting,
    Milestone,
    Recommendation,
    Responsibility,
    latest_meeting_first,
)

# --- Figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """x of y, as a progress bar shows it."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class OwnerGap:
    """An owner with recommendations still lacking new evidence for a meeting."""

    owner_name: str  # blank: recommendations with no owner recorded
    count: int


@dataclass
class MeetingProgress:
    meeting: Meeting
    tracked: int
    evidence: Figure
    proposals: Figure | None  # None where the meeting's scheme has no categories (nothing is proposed)
    decisions: Figure
    missing_evidence: list[OwnerGap] = field(default_factory=list)


def upcoming(committee: Committee | None = None) -> list[Meeting]:
    """The meetings still ahead of their committees (cycle.UPCOMING), live ones only: an imported
    meeting is history and takes no part in the round."""
    meetings = Meeting.objects.filter(cycle.upcoming())
    if committee is not None:
        meetings = meetings.filter(committee=committee)
    return list(
        meetings.select_related("committee")
        .annotate(has_categories=Exists(Category.objects.filter(scheme_id=OuterRef("scheme_id"))))
        .chronological()
    )


def progress(meetings, *, inquiry: Inquiry | None = None) -> list[MeetingProgress]:
    """Each meeting's progress, and its owners still without new evidence (three queries in all).

    With ``inquiry``, only that inquiry's recommendations count, and a meeting tracking none of
    them is left out.
    """
    meetings = list(meetings)
    if not meetings:
        return []
    rules = evidence.rules_for(meetings)
    has_new = reduce(or_, (
        Q(meeting_id=pk) & Exists(
            EvidenceUpdate.objects.filter(rule.q(), recommendation_id=OuterRef("recommendation_id"))
        )
        for pk, rule in rules.items()
    ))
    assessments = Assessment.objects.filter(meeting__in=meetings)
    if inquiry is not None:
        assessments = assessments.filter(recommendation__inquiry=inquiry)
    counts = {
        row["meeting_id"]: row
        for row in assessments.values("meeting_id").annotate(
            total=Count("pk"),
            evidence=Count("pk", filter=has_new),
            proposed=Count("pk", filter=Q(proposed_category__isnull=False)),
            decided=Count("pk", filter=Q(agreed_category__isnull=False) | Q(agreed_at__isnull=False)),
        ).order_by()
    }
    gaps: dict[int, list[OwnerGap]] = {}
    for row in (
        assessments.exclude(has_new)
        .values("meeting_id", "recommendation__responsibilities__owner__name")
        .annotate(count=Count("pk"))
        .order_by("meeting_id", "-count", "recommendation__responsibilities__owner__name")
    ):
        gaps.setdefault(row["meeting_id"], []).append(
            OwnerGap(row["recommendation__responsibilities__owner__name"] or "", row["count"])
        )
    found = []
    for meeting in meetings:
        row = counts.get(meeting.pk, {"total": 0, "evidence": 0, "proposed": 0, "decided": 0})
        if inquiry is not None and not row["total"]:
            continue
        total = row["total"]
        found.append(MeetingProgress(
            meeting=meeting,
            tracked=total,
            evidence=Figure(row["evidence"], total),
            proposals=Figure(row["proposed"], total) if getattr(meeting, "has_categories", True) else None,
            decisions=Figure(row["decided"], total),
            missing_evidence=gaps.get(meeting.pk, []),
        ))
    return found


# --- Recommendations to watch -----------------------------------------------------------------


def with_dates_in_force(recommendations, today: datetime.date):
    """Annotate what the overview's lists read, each worked out by the database.

    selectors.with_date_in_force's date in force and ``achieved``, with original_date, the latest
    anticipated date and the awaited event; and, for ``today``, overdue (selectors.is_overdue, the
    one rule), slipped, past_anticipated, waiting (a milestone waits on an event: no date).
    """
    milestone = selectors.completion_milestone()
    latest = (
        Assessment.objects.filter(recommendation=OuterRef("pk"))
        .filter(Q(agreed_category__isnull=False) | Q(proposed_category__isnull=False))
        .order_by(*latest_meeting_first())
    )
    waiting = Milestone.objects.filter(recommendation=OuterRef("pk"), due_date__isnull=True).exclude(event="").exclude(
        Exists(DateChange.objects.filter(milestone=OuterRef("pk")))
    ).order_by("position", "pk")
    category = Category.objects.filter(pk=OuterRef("current_category_id"))
    not_achieved = Q(achieved=False)
    return (
        selectors.with_date_in_force(recommendations.with_current_category())
        .annotate(
            original_date=Subquery(milestone.values("due_date")[:1], output_field=DateField()),
            latest_anticipated_date=Subquery(latest.values("anticipated_date")[:1], output_field=DateField()),
            awaited_event=Subquery(waiting.values("event")[:1]),
            slipped_category=Exists(category.filter(categories.slipped_categories())),
        )
        .annotate(
            overdue=Case(When(selectors.is_overdue(today), then=Value(True)), default=Value(False)),
            slipped=Case(
                When(Q(date_in_force__gt=F("original_date")) | Q(slipped_category=True), then=Value(True)),
                default=Value(False),
            ),
            past_anticipated=Case(
                When(Q(latest_anticipated_date__lt=today) & not_achieved, then=Value(True)), default=Value(False)
            ),
            waiting=Exists(waiting),
        )
    )


# Each list on the overview shows this many recommendations at most, in printed order, with how many
# there are in all: the page stays the same size however many are overdue.
WATCH_SHOWN = 20


@dataclass
class Watchlist:
    """The first WATCH_SHOWN recommendations of one list, and how many it has in all."""

    rows: list[Recommendation]
    count: int

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


@dataclass
class Watchlists:
    overdue: Watchlist
    slipped: Watchlist
    past_anticipated: Watchlist
    waiting: Watchlist


LISTS = ("overdue", "slipped", "past_anticipated", "waiting")


def watchlists(today: datetime.date, *, committee=None, inquiry=None) -> Watchlists:
    """The tracked recommendations to watch, in printed order (three queries: which are on which list,
    then the rows shown, then their owners). Only the rows shown are read in full."""
    watched = with_dates_in_force(_tracked(committee, inquiry), today).filter(
        Q(overdue=True) | Q(slipped=True) | Q(past_anticipated=True) | Q(waiting=True)
    )
    order = ("committee__name", "inquiry__title", "position", "number")
    members: dict[str, list[int]] = {name: [] for name in LISTS}
    for pk, *flags in watched.order_by(*order).values_list("pk", *LISTS):
        for name, on in zip(LISTS, flags, strict=True):
            if on:
                members[name].append(pk)
    shown = {pk for pks in members.values() for pk in pks[:WATCH_SHOWN]}
    rows = watched.filter(pk__in=shown).select_related("inquiry", "committee").prefetch_related(
        Prefetch("responsibilities", queryset=Responsibility.objects.select_related("owner"))
    ).in_bulk() if shown else {}
    return Watchlists(**{
        name: Watchlist([rows[pk] for pk in pks[:WATCH_SHOWN]], len(pks)) for name, pks in members.items()
    })


def _tracked(committee, inquiry):
    recommendations = Recommendation.objects.tracked()
    if committee is not None:
        recommendations = recommendations.filter(committee=committee)
    if inquiry is not None:
        recommendations = recommendations.filter(inquiry=inquiry)
    return recommendations


# --- Recommendations by category in force ----------------------------------------------------------


@dataclass
class Bar:
    label: str  # "2 – Achieved (Late)", or "" for "no category yet"
    count: int
    width: int = 0  # of 100: the longest bar of its chart is 100


@dataclass
class CategoryChart:
    committee: Committee
    bars: list[Bar]
    narrative: bool  # the committee tracks without categories

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def height(self) -> int:
        """The chart's height in its own units: a label and a bar for each category."""
        return len(self.bars) * 44 + 4


def by_category(*, committee=None, inquiry=None) -> list[CategoryChart]:
    """Tracked recommendations by category in force, per committee: every category of the committee's
    scheme (none too), any category in force from an earlier scheme, and those not yet assessed
    (three queries: committees, their categories, the counts)."""
    counts: dict[int, dict] = {}
    rows = (
        _tracked(committee, inquiry).with_current_category()
        .values("committee_id", "current_category_id", "current_category_code", "current_category_label")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["committee_id"], {})[row["current_category_id"]] = row
    committees = Committee.objects.order_by("name")
    if committee is not None:
        committees = committees.filter(pk=committee.pk)
    elif inquiry is not None:
        committees = committees.filter(pk__in=counts.keys())
    committees = list(committees)
    scheme_categories: dict[int, list[Category]] = {}
    for category in Category.objects.filter(scheme_id__in={c.scheme_id for c in committees}).order_by("position"):
        scheme_categories.setdefault(category.scheme_id, []).append(category)
    charts = []
    for each in committees:
        counted = dict(counts.get(each.pk, {}))
        bars = [Bar(str(c), counted.pop(c.pk, {}).get("count", 0)) for c in scheme_categories.get(each.scheme_id, [])]
        unassessed = counted.pop(None, {}).get("count", 0)
        bars += [
            Bar(f"{row['current_category_code']} – {row['current_category_label']}", row["count"])
            for row in sorted(counted.values(), key=lambda row: row["current_category_code"] or "")
        ]
        bars.append(Bar("", unassessed))
        longest = max((bar.count for bar in bars), default=0)
        for bar in bars:
            bar.width = round(100 * bar.count / longest) if longest else 0
        charts.append(CategoryChart(each, bars, narrative=each.scheme_id not in scheme_categories))
    return charts


# --- The whole page ------------------------------------------------------------------------------

# Every committee's figures on one page up to this many committees (a council has a handful);
# past it, one committee or inquiry at a time, so that the page stays the size of one.
ALL_AT_ONCE_UP_TO = 20


def needs_a_choice(committee: Committee | None, inquiry: Inquiry | None) -> bool:
    """Whether the overview must be narrowed to a committee or inquiry before it is worked out."""
    if committee is not None or inquiry is not None:
        return False
    return Committee.objects.all()[: ALL_AT_ONCE_UP_TO + 1].count() > ALL_AT_ONCE_UP_TO


@dataclass
class Overview:
    today: datetime.date
    meetings: list[MeetingProgress]
    watch: Watchlists
    charts: list[CategoryChart]


def overview(today: datetime.date, *, committee: Committee | None = None, inquiry: Inquiry | None = None) -> Overview:
    """Everything the overview shows for ``today``, for one committee or inquiry or for all."""
    return Overview(
        today=today,
        meetings=progress(upcoming(committee), inquiry=inquiry),
        watch=watchlists(today, committee=committee, inquiry=inquiry),
        charts=by_category(committee=committee, inquiry=inquiry),
    )
