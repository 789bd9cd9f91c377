"""Invented tracking data at the scale of a shared service: up to hundreds of thousands of recommendations.

``generate(M)`` fills the database up to M recommendations with the shape a council's
tracker has after five years: committees ("Scale Committee 7") with a pool of owners,
quarterly meetings, inquiries of 5–30 recommendations (some under themes) with sub-parts,
milestones, evidence for each meeting that tracked them, the categories proposed and
agreed there, and conclusions for about half of those reported more than two years ago.

Rows are written with ``bulk_create`` a few thousand at a time, one transaction per batch
of committees, so an interrupted run leaves whole committees. Nothing goes through the
services (no permission checks, no history rows): this is for measuring, never for a
council's real data. The same seed gives the same data.
"""

from __future__ import annotations

import calendar
import datetime
import importlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tracker import standing
from tracker.models import (
    Assessment,
    AssessmentScheme,
    Category,
    Committee,
    Conclusion,
    EvidenceUpdate,
    ExecutiveResponse,
    Inquiry,
    Meeting,
    Milestone,
    Owner,
    Recommendation,
    Responsibility,
    SubPart,
    Theme,
)

PREFIX = "Scale Committee "
BATCH = 5000  # rows per INSERT
RECOMMENDATIONS_PER_COMMITTEE = (300, 600)  # "a handful of committees per 2,000 recommendations"
RECOMMENDATIONS_PER_TRANSACTION = 5000
OWNERS_PER_COMMITTEE = 50
MEETINGS_PER_COMMITTEE = 20  # quarterly over five years
QUARTER = datetime.timedelta(days=91)

SERVICES = [
    "Housing", "Children’s Services", "Adult Social Care", "Public Health", "Highways", "Waste and Recycling",
    "Planning", "Libraries", "Leisure", "Community Safety",
]
ROLES = ["Director of", "Assistant Director of", "Head of", "Service Manager for", "Cabinet Member for"]
TOPICS = [
    "school readiness", "homelessness prevention", "fly-tipping", "youth services", "air quality",
    "road safety", "adult learning", "domestic abuse support", "care leavers", "rural bus services",
    "town centre regeneration", "flood resilience", "loneliness in older people", "digital inclusion",
    "private rented housing", "child obesity", "recycling rates", "library opening hours",
    "special educational needs", "fuel poverty", "apprenticeships", "street lighting", "social prescribing",
    "carers’ support", "empty homes",
]
VERBS = ["review", "publish", "develop", "consult on", "report on", "strengthen", "fund", "monitor", "extend"]
OBJECTS = [
    "a strategy for {topic}", "the guidance on {topic}", "an action plan for {topic}",
    "the partnership arrangements for {topic}", "the data collected on {topic}", "training on {topic}",
    "the budget for {topic}", "the information given to residents about {topic}",
]
WHO = ["the Council", "the Cabinet", "the Executive", "officers", "the Health and Wellbeing Board"]
EVIDENCE = [
    "A working group met in {month} and agreed the terms of reference.",
    "The draft {thing} was consulted on with partners and residents during {month}.",
    "Funding of £{amount},000 has been identified in the medium term financial plan.",
    "The {thing} was approved by Cabinet in {month} and is being put into practice.",
    "Progress has been slower than planned because of staffing changes; recruitment finished in {month}.",
    "Monitoring data for the quarter to {month} shows an improvement on the previous year.",
]
REASONS = "Staffing changes and a delayed procurement have held up the work; a revised plan is in place."


@dataclass
class Summary:
    before: int = 0
    committees: int = 0
    inquiries: int = 0
    recommendations: int = 0
    meetings: int = 0
    evidence_updates: int = 0
    assessments: int = 0
    conclusions: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.before + self.recommendations


def not_generated() -> int:
    """How many recommendations in the database the generator did not make (a council's real data)."""
    return Recommendation.objects.exclude(committee__name__startswith=PREFIX).count()


def scheme_to_use() -> AssessmentScheme:
    """The default scheme if it has categories, else any scheme that has, else the seed's six made afresh."""
    default = AssessmentScheme.default()
    if default is not None and default.categories.exists():
        return default
    existing = AssessmentScheme.objects.filter(categories__isnull=False, retired=False).order_by("pk").first()
    if existing is not None:
        return existing
    seed = importlib.import_module("tracker.migrations.0002_default_scheme_and_roles")
    scheme = AssessmentScheme.objects.create(
        name=f"{PREFIX.strip()} categories (1–6)", guidance_questions=seed.QUESTIONS,
        is_default=default is None,
    )
    for position, (code, label, criteria, needs, before, warn, achieved) in enumerate(seed.CATEGORIES, 1):
        Category.objects.create(
            scheme=scheme, code=code, label=label, criteria=criteria, position=position,
            needs_anticipated_date=needs, only_before_completion=before, warn_after_completion=warn,
            counts_as_achieved=achieved,
        )
    return scheme


def _next_committee_number() -> int:
    numbers = [0]
    for name in Committee.objects.filter(name__startswith=PREFIX).values_list("name", flat=True):
        tail = name[len(PREFIX):]
        if tail.isdigit():
            numbers.append(int(tail))
    return max(numbers) + 1


def _month_end(day: datetime.date, months_on: int) -> datetime.date:
    month0 = day.month - 1 + months_on
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


class _Categories:
    """The scheme's categories sorted by what the rules read from them (their flags, never their codes)."""

    def __init__(self, scheme: AssessmentScheme):
        categories = list(scheme.categories.order_by("position"))
        achieved = [c for c in categories if c.counts_as_achieved]
        self.on_time = next((c for c in achieved if c.warn_after_completion), achieved[0] if achieved else None)
        self.late = next((c for c in achieved if not c.warn_after_completion), self.on_time)
        self.in_progress = [c for c in categories if c.only_before_completion and not c.counts_as_achieved]
        self.not_achieved = [
            c for c in categories if not c.counts_as_achieved and not c.only_before_completion
        ] or categories


def generate(recommendations: int, *, seed: int = 1, progress: Callable[[int, int], None] | None = None,
             today: datetime.date | None = None) -> Summary:
    """Add recommendations (with everything around them) until the database holds ``recommendations``."""
    started = time.monotonic()
    summary = Summary(before=Recommendation.objects.count())
    wanted = recommendations - summary.before
    if wanted <= 0:
        summary.seconds = time.monotonic() - started
        return summary
    today = today or timezone.localdate()
    scheme = scheme_to_use()
    categories = _Categories(scheme)
    number = _next_committee_number()
    rng = random.Random(f"scale:{seed}:{number}")
    while summary.recommendations < wanted:
        plan = []  # (committee number, recommendations) for one transaction
        in_batch = 0
        while summary.recommendations + in_batch < wanted and in_batch < RECOMMENDATIONS_PER_TRANSACTION:
            size = min(rng.randint(*RECOMMENDATIONS_PER_COMMITTEE), wanted - summary.recommendations - in_batch)
            plan.append((number, size))
            number += 1
            in_batch += size
        with transaction.atomic():
            _Batch(plan, scheme, categories, rng, today, summary).write()
        if progress:
            progress(summary.recommendations, wanted)
    summary.seconds = time.monotonic() - started
    return summary


class _Batch:
    """A few committees' worth of rows, built in memory and written table by table."""

    def __init__(self, plan, scheme, categories, rng, today, summary):
        self.plan, self.scheme, self.categories, self.rng = plan, scheme, categories, rng
        self.today, self.summary = today, summary

    def write(self):
        rng = self.rng
        committees = Committee.objects.bulk_create(
            [
                Committee(
                    name=f"{PREFIX}{n}", scheme=self.scheme, on_public_register=n % 2 == 1,  # half of them
                    assessor_title="Cabinet Member",
                )
                for n, _ in self.plan
            ],
            batch_size=BATCH,
        )
        owners = Owner.objects.bulk_create(
            [
                Owner(name=f"{role} {service} ({committee.name})")
                for committee in committees
                for role in ROLES
                for service in SERVICES
            ],
            batch_size=BATCH,
        )
        pools = [owners[i * OWNERS_PER_COMMITTEE:(i + 1) * OWNERS_PER_COMMITTEE] for i in range(len(committees))]

        meetings = []
        first = self.today - QUARTER * (MEETINGS_PER_COMMITTEE - 1)
        for committee in committees:
            offset = datetime.timedelta(days=rng.randint(0, 30))
            for index in range(MEETINGS_PER_COMMITTEE):
                day = first + QUARTER * index + offset
                latest = index == MEETINGS_PER_COMMITTEE - 1
                meetings.append(
                    Meeting(
                        committee=committee, scheme=self.scheme, date=day, placed_on=day,
                        evidence_deadline=day - datetime.timedelta(days=14),
                        # History is imported and over; the latest meeting is live and open for evidence.
                        imported=not latest,
                        state=Meeting.State.EVIDENCE_OPEN if latest else Meeting.State.CLOSED,
                    )
                )
        meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        schedules = [
            meetings[i * MEETINGS_PER_COMMITTEE:(i + 1) * MEETINGS_PER_COMMITTEE] for i in range(len(committees))
        ]

        # Inquiries: each starts being tracked at one of its committee's meetings.
        inquiries, sizes, starts, pools_of = [], [], [], []
        for (_, size), committee, schedule, pool in zip(self.plan, committees, schedules, pools, strict=True):
            left, k = size, 0
            while left > 0:
                count = rng.randint(5, 30)
                if left - count < 5:
                    count = left if left <= 30 else left - 5
                count = min(count, left)
                left -= count
                k += 1
                start = rng.randrange(len(schedule))
                topic = rng.choice(TOPICS)
                reported = schedule[start].date - datetime.timedelta(days=rng.randint(20, 80))
                inquiries.append(
                    Inquiry(committee=committee, title=f"Inquiry {k}: {topic.capitalize()}", reported_on=reported)
                )
                sizes.append(count)
                starts.append((schedule, start, topic))
                pools_of.append(pool)
        inquiries = Inquiry.objects.bulk_create(inquiries, batch_size=BATCH)

        themes, themes_of = [], []
        for inquiry in inquiries:
            mine = []
            if rng.random() < 0.4:
                for letter in "ABCD"[: rng.randint(2, 4)]:
                    mine.append(Theme(inquiry=inquiry, letter=letter, title=f"{rng.choice(TOPICS).capitalize()}"
                                      f" and {rng.choice(SERVICES).lower()} ({letter})"))
            themes.extend(mine)
            themes_of.append(mine)
        Theme.objects.bulk_create(themes, batch_size=BATCH)

        recs, plans = [], []
        for inquiry, count, (schedule, start, topic), pool, mine in zip(
            inquiries, sizes, starts, pools_of, themes_of, strict=True
        ):
            accepted = rng.random() < 0.9
            for position in range(1, count + 1):
                completion = _month_end(inquiry.reported_on, rng.randint(6, 24))
                recs.append(
                    Recommendation(
                        inquiry=inquiry, committee=inquiry.committee, number=f"R{position:02d}",
                        theme=mine[(position - 1) * len(mine) // count] if mine else None,
                        lead=f"That {rng.choice(WHO)} {rng.choice(VERBS)} "
                        f"{rng.choice(OBJECTS).format(topic=topic)}",
                        position=position,
                        original_timescale=completion.strftime("%B %Y"),
                        executive_response=(
                            ExecutiveResponse.ACCEPTED if accepted else ExecutiveResponse.ACCEPTED_IN_PRINCIPLE
                        ),
                        executive_response_on=inquiry.reported_on + datetime.timedelta(days=rng.randint(20, 60)),
                    )
                )
                plans.append((schedule, start, topic, pool, completion))
        recs = Recommendation.objects.bulk_create(recs, batch_size=BATCH)
        self._children(recs, plans)
        self.summary.committees += len(committees)
        self.summary.inquiries += len(inquiries)
        self.summary.recommendations += len(recs)
        self.summary.meetings += len(meetings)

    def _children(self, recs, plans):
        rng, categories, today = self.rng, self.categories, self.today
        two_years_ago = today - datetime.timedelta(days=730)
        sub_parts, responsibilities, milestones, evidence, assessments, conclusions = [], [], [], [], [], []
        for rec, (schedule, start, topic, pool, completion) in zip(recs, plans, strict=True):
            for index in range(rng.randint(0, 4)):
                sub_parts.append(
                    SubPart(
                        recommendation=rec, label=f"{'abcd'[index]})", position=index,
                        text=f"{rng.choice(VERBS).capitalize()} {rng.choice(OBJECTS).format(topic=topic)};",
                    )
                )
            for index, owner in enumerate(rng.sample(pool, rng.randint(1, 2))):
                responsibilities.append(Responsibility(recommendation=rec, owner=owner, position=index))
            reported = rec.inquiry.reported_on
            if rng.random() < 0.3:
                milestones.append(
                    Milestone(recommendation=rec, kind=Milestone.Kind.INITIAL_FEEDBACK,
                              due_date=_month_end(reported, 3), position=0)
                )
            milestones.append(
                Milestone(recommendation=rec, kind=Milestone.Kind.COMPLETION, due_date=completion, position=1)
            )

            tracked = schedule[start:start + rng.randint(1, 6)]
            concludes = reported < two_years_ago and tracked[-1].state == Meeting.State.CLOSED and rng.random() < 0.5
            previous = None
            for position, meeting in enumerate(tracked):
                written = meeting.evidence_deadline - datetime.timedelta(days=rng.randint(0, 20))
                evidence.append(
                    EvidenceUpdate(
                        recommendation=rec, for_meeting=meeting, following_meeting=previous, position=position,
                        written_on=written,
                        text=rng.choice(EVIDENCE).format(
                            month=written.strftime("%B %Y"), amount=rng.randint(5, 250),
                            thing=rng.choice(OBJECTS).format(topic=topic).split(" ", 1)[1],
                        ),
                    )
                )
                previous = meeting
                if meeting.state != Meeting.State.CLOSED:
                    assessments.append(Assessment(recommendation=rec, meeting=meeting))  # not yet assessed
                    continue
                at = timezone.make_aware(datetime.datetime.combine(meeting.date, datetime.time(18)))
                last = position == len(tracked) - 1
                if last and concludes:
                    category = categories.on_time if meeting.date <= completion else categories.late
                elif meeting.date <= completion and categories.in_progress:
                    category = rng.choice(categories.in_progress)
                else:
                    category = rng.choice(categories.not_achieved)
                assessments.append(
                    Assessment(
                        recommendation=rec, meeting=meeting, proposed_category=category, agreed_category=category,
                        anticipated_date=(
                            _month_end(meeting.date, rng.randint(3, 12)) if category.needs_anticipated_date else None
                        ),
                        reasons=REASONS if category.needs_reasons else "",
                        proposed_at=at - datetime.timedelta(days=21), agreed_at=at,
                    )
                )
                if last and concludes:
                    conclusions.append(Conclusion(recommendation=rec, meeting=meeting))
        for model, rows in (
            (SubPart, sub_parts), (Responsibility, responsibilities), (Milestone, milestones),
            (EvidenceUpdate, evidence), (Assessment, assessments), (Conclusion, conclusions),
        ):
            model.objects.bulk_create(rows, batch_size=BATCH)
        standing.refresh([rec.pk for rec in recs])
        self.summary.evidence_updates += len(evidence)
        self.summary.assessments += len(assessments)
        self.summary.conclusions += len(conclusions)
