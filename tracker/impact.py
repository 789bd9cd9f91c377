"""The annual impact report: what each committee's recommendations came to in a year.

The Centre for Governance and Scrutiny asks councils to show their impact each year: how many
recommendations were made, accepted and achieved. Per committee and inquiry, for one year:

- **made**: the recommendations of inquiries reported in the year (``Inquiry.reported_on``),
  withdrawn ones included (they were made); an inquiry without a report date is never counted as
  made in any year, and the page says so;
- **accepted**: of those made, the ones the executive accepted or accepted in principle
  (``models.TRACKED_BY_DEFAULT``);
- **concluded** in the year: the committee concluded them at a meeting held in the year (a meeting
  whose date was not recorded is in no year). Each is one of:
  - **not achieved**: the category agreed at the concluding meeting does not count as achieved
    (``Category.counts_as_achieved``; the seed's "4 – Not Achieved (Obstacle)", concluded because
    nothing more can be done);
  - **achieved late** or **achieved on time**: where the concluding meeting's scheme can say which
    (it has an achieved category meaning "within the timescale", ``warn_after_completion``, and an
    achieved one that does not: the seed's 1 and 2), the agreed category says it, as the committee
    agreed it. Otherwise (a scheme with one achieved category, or none at all: narrative tracking,
    where a conclusion means completed) it is late when the concluding meeting came after the date
    in force (``selectors.with_date_in_force``), and on time when it did not or there was no date;
- **withdrawn**: withdrawn in the year (``Recommendation.withdrawn_on``);
- **median time to conclude**: over the recommendations concluded in the year whose inquiry has a
  report date, from that date to the concluding meeting.

A recommendation counts under the committee now responsible for it (``Recommendation.committee``:
its inquiry's, unless it was moved), so a committee's report includes what it took over.

The categories are read by their flags, never their numbers. Every figure is counted by the
database in a fixed number of queries, whatever the number of inquiries or recommendations.
"""

from __future__ import annotations

import calendar
import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from tracker import selectors
from tracker.models import TRACKED_BY_DEFAULT, Assessment, Category, Committee, Inquiry, Recommendation

# The council's municipal year usually starts in May (the annual council meeting).
MUNICIPAL_YEAR_STARTS = 5

ON_TIME, LATE, NOT_ACHIEVED = "on_time", "late", "not_achieved"


# --- The year ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Year:
    """Twelve months from the first day of ``starts`` (a month number) in ``start``."""

    start: int
    starts: int = MUNICIPAL_YEAR_STARTS

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.start, self.starts, 1)

    @property
    def last_day(self) -> datetime.date:
        if self.starts == 1:
            return datetime.date(self.start, 12, 31)
        return datetime.date(self.start + 1, self.starts, 1) - datetime.timedelta(days=1)

    @property
    def name(self) -> str:
        """"2015" for a calendar year, "2015 to 2016" otherwise."""
        return str(self.start) if self.starts == 1 else f"{self.start} to {self.start + 1}"

    @property
    def span(self) -> tuple[datetime.date, datetime.date]:
        return self.first_day, self.last_day

    def contains(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day

    @classmethod
    def containing(cls, day: datetime.date, starts: int = MUNICIPAL_YEAR_STARTS) -> Year:
        return cls(day.year if day.month >= starts else day.year - 1, starts)


MONTHS = [(number, calendar.month_name[number]) for number in range(1, 13)]


@dataclass(frozen=True)
class Years:
    """What the year chooser offers: the years starting from the one before the first report,
    conclusion or withdrawal up to this one, newest first (a year that starts in May holds the
    January to April of the next calendar year), and the latest day something happened."""

    starts: list[int]
    latest: datetime.date | None

    def default(self, today: datetime.date, starts: int = MUNICIPAL_YEAR_STARTS) -> Year:
        """The year shown first: the latest in which something was reported, concluded or withdrawn."""
        return Year.containing(min(self.latest, today) if self.latest else today, starts)


def years(today: datetime.date) -> Years:
    """The years with figures to show (one query)."""
    dates = Recommendation.objects.aggregate(
        first_reported=Min("inquiry__reported_on"), last_reported=Max("inquiry__reported_on"),
        first_concluded=Min("conclusion__meeting__date"), last_concluded=Max("conclusion__meeting__date"),
        first_withdrawn=Min("withdrawn_on"), last_withdrawn=Max("withdrawn_on"),
    )
    firsts = [d for key, d in dates.items() if key.startswith("first") and d]
    lasts = [d for key, d in dates.items() if key.startswith("last") and d]
    earliest = min(firsts).year - 1 if firsts else today.year - 1
    newest = max([today.year, *(d.year for d in lasts)])
    return Years(list(range(newest, earliest - 1, -1)), max(lasts) if lasts else None)


# --- The figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """One inquiry's figures (or a committee's total) for the year."""

    made: int = 0
    accepted: int = 0
    on_time: int = 0
    late: int = 0
    not_achieved: int = 0
    withdrawn: int = 0
    days_to_conclude: list[int] = field(default_factory=list)

    @property
    def concluded(self) -> int:
        return self.on_time + self.late + self.not_achieved

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_conclude) if self.days_to_conclude else None

    @property
    def median_in_words(self) -> str:
        return time_in_words(self.median_days)

    def add(self, other: Figures) -> None:
        for name in ("made", "accepted", "on_time", "late", "not_achieved", "withdrawn"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days_to_conclude += other.days_to_conclude

    @property
    def bars(self) -> list[Bar]:
        """The chart's bars, in the order the table reads."""
        pairs = [
            ("Made", self.made), ("Accepted", self.accepted), ("Achieved on time", self.on_time),
            ("Achieved late", self.late), ("Not achieved", self.not_achieved), ("Withdrawn", self.withdrawn),
        ]
        longest = max((count for _, count in pairs), default=0)
        return [
            Bar(label, count, round(100 * count / longest) if longest else 0, colour)
            for (label, count), colour in zip(pairs, BAR_COLOURS, strict=True)
        ]


# Each at least 4.5:1 against white (GOV.UK colours), so a bar reads as well as its label; every bar is
# also labelled with its name and figure, so colour is never the only cue.
BAR_COLOURS = ["#1d70b8", "#003078", "#00703c", "#4c2c92", "#d4351c", "#505a5f"]


@dataclass
class Bar:
    label: str
    count: int
    width: int  # of 100: the longest bar of its chart is 100
    colour: str


def time_in_words(days: float | None) -> str:
    """A median time to conclude as a clerk would say it: "45 days", "about 11 months (335 days)"."""
    if days is None:
        return "Not known"
    days = round(days)
    if days < 62:
        return f"{days} day{'' if days == 1 else 's'}"
    return f"about {round(days / 30.4375)} months ({days} days)"


@dataclass
class InquiryRow:
    inquiry_id: int
    title: str
    reported_on: datetime.date | None
    figures: Figures


@dataclass
class CommitteeImpact:
    committee: Committee
    rows: list[InquiryRow]
    total: Figures
    undated_inquiries: int  # inquiries with no report date: never counted as made

    @property
    def chart_id(self) -> str:
        return f"impact-chart-{self.committee.pk}"


@dataclass
class ImpactReport:
    year: Year
    committees: list[CommitteeImpact]
    committee: Committee | None = None  # the one asked for, or None for every committee

    @property
    def title(self) -> str:
        return f"Impact of scrutiny recommendations, {self.year.name}"

    @property
    def file_name(self) -> str:
        """For a download: "impact-report-2015-to-2016"."""
        return "impact-report-" + self.year.name.replace(" ", "-")

    @property
    def covers(self) -> str:
        """Which dates the year covers, in a sentence."""
        return (f"The year {self.year.name} covers {self.year.first_day:%-d %B %Y} to "
                f"{self.year.last_day:%-d %B %Y}.")


# How the figures are counted, in the words the page, the PDF and the Word document print.
RULES = [
    "Made: the recommendations of inquiries reported in the year. Accepted: of those, the ones the "
    "executive accepted or accepted in principle.",
    "Achieved on time, achieved late and not achieved: the recommendations the committee concluded at a "
    "meeting held in the year, by the category it agreed (where its categories say whether it was achieved "
    "within the timescale), else by whether the meeting came after the date in force.",
    "Withdrawn: withdrawn in the year. Median time to conclude: from the inquiry's report to the meeting "
    "that concluded the recommendation, for those concluded in the year.",
]


def with_outcome(recommendations):
    """Alias ``outcome``: what a concluded recommendation came to (ON_TIME, LATE or NOT_ACHIEVED, by the
    module's rules), worked out by the database."""
    concluding = Assessment.objects.filter(recommendation=OuterRef("pk"), meeting=OuterRef("conclusion__meeting")).order_by()
    scheme = Category.objects.filter(scheme=OuterRef("conclusion__meeting__scheme"), counts_as_achieved=True)
    says_timing = Q(Exists(scheme.filter(warn_after_completion=True))) & Q(
        Exists(scheme.filter(warn_after_completion=False))
    )
    return (
        selectors.with_date_in_force(recommendations)
        .alias(
            concluding_achieved=Subquery(concluding.values("agreed_category__counts_as_achieved")[:1]),
            concluding_within=Subquery(concluding.values("agreed_category__warn_after_completion")[:1]),
        )
        .alias(outcome=Case(
            When(Q(concluding_achieved=False), then=Value(NOT_ACHIEVED)),
            When(says_timing & Q(concluding_achieved=True, concluding_within=True), then=Value(ON_TIME)),
            When(says_timing & Q(concluding_achieved=True, concluding_within=False), then=Value(LATE)),
            When(Q(date_in_force__lt=F("conclusion__meeting__date")), then=Value(LATE)),
            default=Value(ON_TIME),
            output_field=CharField(),
        ))
    )


def impact(year: Year, *, committee: Committee | None = None) -> ImpactReport:
    """The figures of ``year`` for one committee or every committee (four queries)."""
    first, last = year.span
    recommendations = Recommendation.objects.all()
    if committee is not None:
        recommendations = recommendations.filter(committee=committee)
    made = Q(inquiry__reported_on__range=(first, last))
    concluded = Q(conclusion__meeting__date__range=(first, last))
    withdrawn = Q(withdrawn_on__range=(first, last))
    counted = (
        with_outcome(recommendations)
        .filter(made | concluded | withdrawn)
        .values("committee_id", "inquiry_id", "inquiry__title", "inquiry__reported_on")
        .annotate(
            made=Count("pk", filter=made),
            accepted=Count("pk", filter=made & Q(executive_response__in=TRACKED_BY_DEFAULT)),
            on_time=Count("pk", filter=concluded & Q(outcome=ON_TIME)),
            late=Count("pk", filter=concluded & Q(outcome=LATE)),
            not_achieved=Count("pk", filter=concluded & Q(outcome=NOT_ACHIEVED)),
            withdrawn=Count("pk", filter=withdrawn),
        )
        .order_by()
    )
    rows: dict[int, dict[int, InquiryRow]] = {}
    for row in counted:
        figures = Figures(**{name: row[name] for name in
                             ("made", "accepted", "on_time", "late", "not_achieved", "withdrawn")})
        rows.setdefault(row["committee_id"], {})[row["inquiry_id"]] = InquiryRow(
            row["inquiry_id"], row["inquiry__title"], row["inquiry__reported_on"], figures
        )
    for committee_id, inquiry_id, reported_on, concluded_on in (
        recommendations.filter(concluded, inquiry__reported_on__isnull=False)
        .values_list("committee_id", "inquiry_id", "inquiry__reported_on", "conclusion__meeting__date")
    ):
        rows[committee_id][inquiry_id].figures.days_to_conclude.append((concluded_on - reported_on).days)

    committees = Committee.objects.order_by("name")
    if committee is not None:
        committees = committees.filter(pk=committee.pk)
    undated = dict(
        Inquiry.objects.filter(reported_on__isnull=True, recommendations__isnull=False)
        .values("committee_id").annotate(count=Count("pk", distinct=True)).values_list("committee_id", "count")
        .order_by()
    )
    found = []
    for each in committees:
        inquiry_rows = sorted(
            rows.get(each.pk, {}).values(),
            key=lambda r: (r.reported_on is None, r.reported_on or datetime.date.min, r.title),
        )
        total = Figures()
        for row in inquiry_rows:
            total.add(row.figures)
        found.append(CommitteeImpact(each, inquiry_rows, total, undated.get(each.pk, 0)))
    return ImpactReport(year, found, committee)
