"""The things of a scrutiny tracking report, named as the report names them.

See ../shared/docs/tracking-process.md. The rules that decide whether an
assessment is acceptable live in ``tracker.categories``; this module holds the
data and the constraints the database can keep by itself.
"""

from __future__ import annotations

import datetime
import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone
from simple_history.models import HistoricalRecords

# How many words of a recommendation a list shows beside its number.
FIRST_WORDS = 12


class Council(models.Model):
    """The council this installation serves, and the words its process uses.

    One installation serves one council, so there is one row (``Council.current()``).
    The pack's fixed sentences are in ``words`` only where the council changed them;
    tracker.words holds every sentence's default (the seed council's words) and says
    which placeholders each may use.
    """

    name = models.CharField(max_length=200, blank=True, help_text='e.g. "Anytown Borough Council".')
    name_in_sentences = models.CharField(
        max_length=200, default="the Council", help_text='How the pack\'s sentences name the council: "the Borough Council".'
    )
    scrutiny_office_name = models.CharField(
        max_length=100, default="Scrutiny Office", help_text='What the scrutiny office is called: "Scrutiny Office".'
    )
    assessor_title = models.CharField(
        max_length=100, default="Cabinet Member",
        help_text='What the person who proposes categories is called, for new committees: "Cabinet Member".',
    )
    committee_kind = models.CharField(
        max_length=200, default="Overview and Scrutiny Committee",
        help_text='What its scrutiny committees are, in sentences: "Overview and Scrutiny Committee".',
    )
    words = models.JSONField(default=dict, blank=True, help_text="The pack's sentences the council has changed.")
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    logo_alt = models.CharField(max_length=200, blank=True, help_text="What the logo shows, for screen readers.")
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["logo"])

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_council_per_installation")]

    def __str__(self):
        return self.name or "The council"

    @classmethod
    def current(cls, *, logo: bool = False) -> Council:
        """The council's row, or its defaults when it has not been set up yet (nothing is written).

        The logo's bytes are read only when asked for (the pack prints it; pages do not).
        """
        rows = cls.objects.filter(pk=1)
        return (rows if logo else rows.defer("logo")).first() or cls(pk=1)


class AssessmentScheme(models.Model):
    """A committee's set of categories (the seed's six, a council's own, or none: narrative tracking).

    A scheme in use keeps its history: changing it makes a new version (``replaces`` the
    old, which is ``retired``), and meetings keep printing the version they used.
    """

    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by",
        help_text="The earlier version of this scheme, kept for the meetings that used it.",
    )
    retired = models.BooleanField(default=False, help_text="Replaced by a newer version: old meetings only.")
    guidance_intro = models.CharField(
        max_length=300,
        default="In making its assessment, the Committee may wish to consider:",
        help_text="The sentence above the questions in Appendix 1 of the pack.",
    )
    guidance_questions = models.TextField(
        blank=True, help_text="The questions printed in Appendix 1, one per line."
    )
    revised_dates_count = models.BooleanField(
        default=False,
        help_text="A date advised with a category (a revised date) becomes the date in force for later "
        "meetings, so an on-track category is judged against it, not the original date.",
    )
    completed_words = models.CharField(
        max_length=100, default="Completed", help_text="Without categories: what the committee agrees when it is done."
    )
    continue_words = models.CharField(
        max_length=100, default="Continue tracking", help_text="Without categories: what it agrees otherwise."
    )
    is_default = models.BooleanField(
        default=False, help_text="The scheme given to new committees."
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_assessment_scheme",
            ),
            models.UniqueConstraint(fields=["name", "version"], name="unique_scheme_name_and_version"),
        ]

    def __str__(self):
        return self.name if self.version == 1 else f"{self.name} (version {self.version})"

    @property
    def is_narrative(self) -> bool:
        """No categories: officers write narrative updates and the committee only agrees
        ``completed_words`` or ``continue_words`` for each recommendation."""
        return not self.categories.exists()

    @property
    def question_list(self) -> list[str]:
        return [q.strip() for q in self.guidance_questions.splitlines() if q.strip()]

    @classmethod
    def default(cls) -> AssessmentScheme | None:
        return cls.objects.filter(is_default=True).first()


class Category(models.Model):
    """One category of a scheme; the rules read its flags, never its number."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.CharField(max_length=40, help_text='As printed, e.g. "1" or "Green".')
    label = models.CharField(max_length=200, help_text='e.g. "Achieved (Fully)".')
    criteria = models.TextField(help_text="The criteria text of Appendix 1.")
    position = models.PositiveSmallIntegerField()
    needs_anticipated_date = models.BooleanField(
        default=False,
        help_text="A proposal must give the date by which it is expected to be achieved.",
    )
    only_before_completion = models.BooleanField(
        default=False,
        help_text="Only right while the completion date has not yet passed (e.g. In Progress).",
    )
    warn_after_completion = models.BooleanField(
        default=False,
        help_text="Means 'within the timescale': proposing it after the completion date "
        "is accepted with a warning (e.g. Achieved (Fully)).",
    )
    counts_as_achieved = models.BooleanField(
        default=False,
        help_text="The recommendation is achieved and is normally concluded.",
    )
    needs_reasons = models.BooleanField(
        default=False,
        help_text="A proposal must give the reasons (e.g. for slippage), printed in the pack.",
    )
    marker = models.CharField(
        max_length=20,
        blank=True,
        help_text="Optional colour name for red/amber/green schemes; always shown with the label.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "position"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unique_category_code_per_scheme"),
            models.UniqueConstraint(
                fields=["scheme", "position"], name="unique_category_position_per_scheme"
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.label}"


class Committee(models.Model):
    class AssessedBy(models.TextChoices):
        """Who proposes a category for each recommendation before the committee decides."""

        EXECUTIVE = "executive", "The cabinet member (or executive member) responsible for the owners"
        LEAD_OFFICER = "lead_officer", "A lead officer for the owners"
        SCRUTINY_OFFICE = "scrutiny_office", "The scrutiny office, on the owners’ behalf"

    name = models.CharField(max_length=200, unique=True)
    scheme = models.ForeignKey(
        AssessmentScheme,
        on_delete=models.PROTECT,
        related_name="committees",
        help_text="The categories this committee assesses recommendations with.",
    )
    assessed_by = models.CharField(max_length=20, choices=AssessedBy.choices, default=AssessedBy.EXECUTIVE)
    assessor_title = models.CharField(
        max_length=100, default="Cabinet Member",
        help_text='What the person who proposes is called here, as the pack prints it: "Cabinet Member".',
    )
    on_public_register = models.BooleanField(
        default=False, help_text="Its published packs and recommendations are on the public register."
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="committees",
        help_text="Its members: they are sent the pack when it is published.",
    )
    reminder_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="How many days before the evidence deadline officers without new evidence are reminded.",
    )
    changed_at = models.DateTimeField(
        auto_now=True, db_index=True, editable=False,
        help_text="When what the public register and the open data show of it last changed (harvesters ask "
        "for what changed since).",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ExecutiveResponse(models.TextChoices):
    PENDING = "pending", "Awaiting the executive’s response"
    ACCEPTED = "accepted", "Accepted"
    ACCEPTED_IN_PRINCIPLE = "accepted_in_principle", "Accepted in principle"
    REJECTED = "rejected", "Rejected"


# Only what the executive accepted is normally tracked (tracking-process.md, "Responses first").
TRACKED_BY_DEFAULT = [ExecutiveResponse.ACCEPTED, ExecutiveResponse.ACCEPTED_IN_PRINCIPLE]


class Inquiry(models.Model):
    """A scrutiny report whose recommendations are tracked."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="inquiries",
        help_text="The committee now responsible for it (transfers are kept as Transfer records).",
    )
    title = models.CharField(max_length=300)
    reported_on = models.DateField(null=True, blank=True, help_text="When the report was made.")
    changed_at = models.DateTimeField(
        auto_now=True, db_index=True, editable=False,
        help_text="When what the public register and the open data show of it last changed (harvesters ask "
        "for what changed since).",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee", "title"]
        verbose_name_plural = "inquiries"
        constraints = [
            models.UniqueConstraint(fields=["committee", "title"], name="unique_inquiry_title_per_committee")
        ]

    def __str__(self):
        return self.title


class Theme(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="themes")
    letter = models.CharField(max_length=20, blank=True, help_text='As printed before its title, e.g. "A"; optional.')
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["inquiry", "letter", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry", "letter"], condition=~Q(letter=""), name="unique_theme_letter_per_inquiry"
            ),
            models.UniqueConstraint(fields=["inquiry", "title"], name="unique_theme_title_per_inquiry"),
        ]

    def __str__(self):
        return f"{self.letter} {self.title}".strip()


class Owner(models.Model):
    """A role or body responsible for recommendations ("Chair BSCB", "Leader")."""

    name = models.CharField(max_length=300, unique=True)
    delegates = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="owners",
        help_text="The people who act for this owner (officers of the service, the cabinet member).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OwnerAlias(models.Model):
    """Another spelling of an owner found in a report, so imports map to one record."""

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "owner aliases"

    def __str__(self):
        return self.name


class RecommendationQuerySet(models.QuerySet):
    def tracked(self):
        """Still being tracked: neither concluded nor withdrawn.

        NOT EXISTS rather than a left join tested for null: PostgreSQL estimates the anti-join's
        rows well, and so reads a page of a long list in report order from its index instead of
        sorting every tracked recommendation."""
        concluded = Conclusion.objects.filter(recommendation_id=models.OuterRef("pk"))
        return self.filter(~models.Exists(concluded), withdrawn_on__isnull=True)

    def concluded(self):
        return self.filter(conclusion__isnull=False)

    def withdrawn(self):
        return self.filter(withdrawn_on__isnull=False)

    def tracked_by_default(self):
        """Still tracked, and accepted (or accepted in principle) by the executive."""
        return self.tracked().filter(executive_response__in=TRACKED_BY_DEFAULT)

    def with_current_category(self):
        """Annotate the category in force (tracker.standing: the latest meeting's agreed category, else
        its proposal), as current_category_id/_code/_label/_position, and anticipated_date_missing
        (the category needs an anticipated date and none was advised), read from the stored standing.
        """
        return self.annotate(
            current_category_id=F("standing_category_id"),
            current_category_code=F("standing_category__code"),
            current_category_label=F("standing_category__label"),
            current_category_position=F("standing_category__position"),
            anticipated_date_missing=F("standing_date_missing"),
        )

    def with_conclusion_flag(self):
        """Annotate ``is_concluded`` from its one conclusion, joined (an EXISTS here had PostgreSQL read
        every conclusion first; lists that need no conclusion leave the join out)."""
        return self.annotate(is_concluded=models.Case(
            models.When(conclusion__isnull=False, then=models.Value(True)), default=models.Value(False),
            output_field=models.BooleanField(),
        ))


# Where a recommendation stands, kept on it by tracker.standing (and by nothing else).
STANDING_FIELDS = ("standing_category", "standing_date_missing", "standing_completion_date", "standing_revised_date",
                   "standing_date")


class Recommendation(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="recommendations")
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="recommendations",
        help_text="The committee now tracking it: its inquiry's, unless it was moved on its own.",
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations",
        help_text="Optional: the heading it is printed under.",
    )
    number = models.CharField(max_length=60, help_text='As printed, e.g. "R04" or "Leisure Task Group Rec 1".')
    lead = models.TextField(help_text='The opening words, e.g. "That:".')
    position = models.PositiveIntegerField(default=0)
    owners = models.ManyToManyField(Owner, through="Responsibility", related_name="recommendations")
    responsibility_text = models.TextField(
        blank=True,
        help_text="The Responsibility column as printed in the source; blank to print the owners.",
    )
    original_timescale = models.TextField(
        blank=True,
        help_text="The original date for completion as printed; the milestones hold it structured.",
    )
    executive_response = models.CharField(
        max_length=30, choices=ExecutiveResponse.choices, default=ExecutiveResponse.PENDING
    )
    executive_response_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(
        null=True, blank=True, help_text="Withdrawn as a mistake after something referred to it; kept with its history."
    )
    withdrawn_reason = models.TextField(blank=True)
    changed_at = models.DateTimeField(
        auto_now=True, db_index=True, editable=False,
        help_text="When what the public register and the open data show of it last changed (harvesters ask "
        "for what changed since).",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    # Where it stands now, worked out by tracker.standing whenever what it reads changes, so that
    # lists, filters and the overview read a column (with_current_category, with_date_in_force).
    standing_category = models.ForeignKey(
        "Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False,
        help_text="The category in force: the latest meeting's agreed category, else its proposal.",
    )
    standing_date_missing = models.BooleanField(
        default=False, editable=False, help_text="The category in force needs an anticipated date and none was advised.",
    )
    standing_completion_date = models.DateField(
        null=True, blank=True, editable=False, help_text="The completion milestone's date, as last moved.",
    )
    standing_revised_date = models.DateField(
        null=True, blank=True, editable=False, help_text="The latest anticipated date advised.",
    )
    standing_date = models.DateField(
        null=True, blank=True, editable=False,
        help_text="The date in force: the revised date where the scheme counts it, else the completion date.",
    )
    history = HistoricalRecords(excluded_fields=list(STANDING_FIELDS))

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["inquiry", "position", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "number"], name="unique_recommendation_number_per_inquiry")
        ]
        # Report order: the lists' pages seek straight to where the last page ended (tracker.paging).
        indexes = [models.Index(fields=["inquiry", "position", "number"], name="recommendation_report_order")]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        # The standing columns are tracker.standing's to write: saving a recommendation read before
        # a refresh never puts its stale copy back.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in STANDING_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def owner_display(self) -> str:
        if self.responsibility_text:
            return self.responsibility_text
        return "\n".join(r.owner.name for r in self.responsibilities.all())

    @property
    def first_words(self) -> str:
        """The lead and the first sub-part's text, cut at about twelve words: how a list names a
        recommendation beside its number (reads the prefetched sub-parts)."""
        sub_parts = list(self.sub_parts.all())
        text = self.lead + (" " + sub_parts[0].text if sub_parts else "")
        words = re.sub(r"\[\^\d+\]", "", text).split()
        return " ".join(words[:FIRST_WORDS]) + ("…" if len(words) > FIRST_WORDS else "")

    def completion_milestone(self) -> Milestone | None:
        """The milestone that decides whether the timescale has expired (uses prefetched rows)."""
        milestones = list(self.milestones.all())
        for kind in (Milestone.Kind.COMPLETION, Milestone.Kind.ONGOING):
            for milestone in milestones:
                if milestone.kind == kind:
                    return milestone
        return milestones[-1] if milestones else None

    def completion_date(self) -> datetime.date | None:
        milestone = self.completion_milestone()
        return milestone.current_date() if milestone else None


class Responsibility(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="responsibilities"
    )
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="responsibilities")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["recommendation", "position"]
        verbose_name_plural = "responsibilities"
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "owner"], name="unique_owner_per_recommendation")
        ]

    def __str__(self):
        return f"{self.recommendation} – {self.owner}"


class SubPart(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="sub_parts")
    label = models.CharField(max_length=20, blank=True, help_text='"a)"; blank for a bullet.')
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "position"], name="unique_sub_part_position")
        ]

    def __str__(self):
        return f"{self.recommendation} {self.label or '•'}"


class Footnote(models.Model):
    """A note (usually a URL) referenced in a recommendation's text as [^N]."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="footnotes")
    number = models.PositiveSmallIntegerField(help_text="The marker used in the text: [^N].")
    text = models.TextField()

    class Meta:
        ordering = ["recommendation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "number"], name="unique_footnote_number")
        ]

    def __str__(self):
        return f"{self.recommendation} [^{self.number}]"


class Milestone(models.Model):
    """One structured date of the original timescale (initial feedback, completion, ...).

    ``due_date`` is the original date and is never overwritten: a moved date is a
    ``DateChange`` with its reason.
    """

    class Kind(models.TextChoices):
        INITIAL_FEEDBACK = "initial_feedback", "Initial feedback"
        INTERIM = "interim", "Interim"
        COMPLETION = "completion", "Completion"
        CHANGES_SUSTAINED = "changes_sustained", "Changes sustained"
        ONGOING = "ongoing", "On-going"

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_date = models.DateField(
        null=True, blank=True, help_text="The original date (the last day of the month given)."
    )
    event = models.TextField(
        blank=True,
        help_text="What it waits on when there is no date (\"To be confirmed when the … Act is passed\"): "
        "never expired until a date is set.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["recommendation", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="ongoing", due_date__isnull=True)
                | (~Q(kind="ongoing") & Q(due_date__isnull=False))
                | (~Q(kind="ongoing") & Q(due_date__isnull=True) & ~Q(event="")),
                name="milestone_has_a_date_or_an_event_unless_ongoing",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.due_date or self.event}".strip()

    def current_date(self) -> datetime.date | None:
        """The date in force: the latest change, else the original (uses prefetched changes)."""
        changes = sorted(self.date_changes.all(), key=lambda c: (c.changed_at, c.pk))
        return changes[-1].new_date if changes else self.due_date


def meetings_before(meeting, prefix: str = "", *, inclusive: bool = False) -> Q:
    """The meetings that come before ``meeting`` in chronological() order, as a filter.

    The order is (placed_on, undated after dated, pk): see Meeting.placed_on. ``prefix``
    is the lookup path to the meeting, e.g. "meeting__".
    """
    placed_on, date, pk = f"{prefix}placed_on", f"{prefix}date", f"{prefix}pk"
    entered_before = Q(**{f"{pk}__lte" if inclusive else f"{pk}__lt": meeting.pk})
    if meeting.placed_on is None:  # entered before any dated meeting: only others like it come first
        return Q(**{f"{placed_on}__isnull": True}) & entered_before
    same_place = Q(**{placed_on: meeting.placed_on})
    if meeting.date is None:  # after the dated meeting it is placed on, and undated ones entered before it
        same_place &= Q(**{f"{date}__isnull": False}) | entered_before
    else:
        same_place &= Q(**{f"{date}__isnull": False}) & entered_before
    return Q(**{f"{placed_on}__isnull": True}) | Q(**{f"{placed_on}__lt": meeting.placed_on}) | same_place


def held_before(meeting, prefix: str = "") -> Q:
    """Meetings of any committee held before ``meeting``, as a filter.

    Its own committee's earlier meetings (``meetings_before``, which keeps an undated
    meeting in its place), and other committees' meetings placed on an earlier date: the
    history a recommendation brings with it when it moves to another committee.
    """
    committee = f"{prefix}committee_id"
    own = Q(**{committee: meeting.committee_id}) & meetings_before(meeting, prefix)
    if meeting.placed_on is None:
        return own
    others = ~Q(**{committee: meeting.committee_id}) & Q(**{f"{prefix}placed_on__lt": meeting.placed_on})
    return own | others


# The latest meeting first, as chronological() ordered backwards, through a relation.
def latest_meeting_first(prefix: str = "meeting__"):
    return (
        F(f"{prefix}placed_on").desc(nulls_last=True),
        F(f"{prefix}date").desc(nulls_first=True),
        F(f"{prefix}id").desc(),
    )


class MeetingQuerySet(models.QuerySet):
    def chronological(self):
        return self.order_by(*CHRONOLOGICAL)

    def before(self, meeting):
        return self.filter(meetings_before(meeting))

    def latest_first(self):
        return self.order_by(*(order.copy().reverse_ordering() for order in CHRONOLOGICAL))


# Meetings in the order they were held: by placed_on (a date, or none for an undated
# meeting entered before any dated one), a dated meeting before the undated ones placed
# on its date, then in the order they were entered.
CHRONOLOGICAL = (
    F("placed_on").asc(nulls_first=True),
    F("date").asc(nulls_last=True),
    F("pk").asc(),
)


class Meeting(models.Model):
    """A tracking meeting of a committee. The cycle's rules are in tracker.cycle."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        EVIDENCE_OPEN = "evidence_open", "Evidence open"
        PACK_PUBLISHED = "pack_published", "Pack published"
        DECISIONS_RECORDED = "decisions_recorded", "Decisions recorded"
        CLOSED = "closed", "Closed"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.PROTECT, related_name="meetings",
        help_text="The categories its assessments use, and its pack prints (the committee's when scheduled).",
    )
    date = models.DateField(null=True, blank=True, help_text="Blank when the date is not known.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.SCHEDULED)
    evidence_deadline = models.DateField(null=True, blank=True)
    imported = models.BooleanField(
        default=False,
        help_text="History brought in from an earlier report or tracker: it is read and printed, "
        "but takes no part in the live cycle.",
    )
    placed_on = models.DateField(
        null=True,
        editable=False,
        db_index=True,
        help_text="Where the meeting stands in the committee's order: its date, or, when its date is not "
        "recorded, the latest date among the committee's meetings entered before it (so an imported meeting "
        "without a date stays after the ones it followed and before the ones scheduled since).",
    )
    changed_at = models.DateTimeField(
        auto_now=True, db_index=True, editable=False,
        help_text="When what the public register and the open data show of it last changed (harvesters ask "
        "for what changed since).",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = CHRONOLOGICAL
        constraints = [
            models.UniqueConstraint(fields=["committee", "date"], name="one_meeting_per_committee_per_day"),
            models.CheckConstraint(
                condition=Q(evidence_deadline__isnull=True)
                | Q(date__isnull=True)
                | Q(evidence_deadline__lte=F("date")),
                name="evidence_deadline_not_after_meeting",
            ),
        ]

    def __str__(self):
        return f"{self.committee} – {self.date_display}"

    def save(self, *args, **kwargs):
        date_changed = self.pk is None or self.date != getattr(self, "_saved_date", None)
        self.placed_on = self.date or self._latest_date_entered_before()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "placed_on"}
        new = self._state.adding
        super().save(*args, **kwargs)
        self._saved_date = self.date
        if date_changed:
            place_undated_meetings(self.committee_id)
            if not new:  # which of the committee's meetings is the latest may have changed
                from tracker import standing

                standing.refresh(Recommendation.objects.filter(assessments__meeting__committee_id=self.committee_id))

    @classmethod
    def from_db(cls, db, field_names, values):
        meeting = super().from_db(db, field_names, values)
        meeting._saved_date = meeting.__dict__.get("date")
        return meeting

    def _latest_date_entered_before(self):
        earlier = Meeting.objects.filter(committee_id=self.committee_id, date__isnull=False)
        if self.pk is not None:
            earlier = earlier.filter(pk__lt=self.pk)
        return earlier.aggregate(latest=models.Max("date"))["latest"]

    @property
    def date_display(self) -> str:
        return self.date.strftime("%-d %B %Y") if self.date else "date not recorded"

    @property
    def in_words(self) -> str:
        """The meeting as a sentence names it: "the 10 February 2016 meeting".

        Without a date (history from an earlier report) it is "the last meeting", as
        "Further information following the last meeting" reads in a report.
        """
        return f"the {self.date_display} meeting" if self.date else "the last meeting"

    @property
    def name_in_full(self) -> str:
        """"meeting of 10 February 2016", or what it is when its date was never recorded."""
        if self.date:
            return f"meeting of {self.date_display}"
        if self.imported:
            return "meeting from the imported report (date not recorded)"
        return "meeting (date not recorded)"

    @property
    def listed_as(self) -> str:
        """How a list of meetings names it: its date, or in words when the date was never recorded."""
        if self.date:
            return self.date_display
        if self.imported:
            return "Meeting (date not recorded, from the imported report)"
        return "Meeting (date not recorded)"


def place_undated_meetings(committee_id) -> None:
    """Re-place a committee's undated meetings after a meeting's date is set or moved."""
    undated = Meeting.objects.filter(committee_id=committee_id, date__isnull=True)
    latest_before = (
        Meeting.objects.filter(committee_id=committee_id, date__isnull=False, pk__lt=models.OuterRef("pk"))
        .order_by("-date")
        .values("date")[:1]
    )
    undated.update(placed_on=models.Subquery(latest_before))


class EvidenceUpdate(models.Model):
    """A dated addition to a recommendation's evidence of progress (append-only)."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="evidence_updates"
    )
    following_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text='Printed as "Further information following the <date> meeting".',
    )
    text = models.TextField()
    written_on = models.DateField(null=True, blank=True, help_text="Blank for imported history with no date.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Who typed it in on the author's behalf (the scrutiny office); blank when the author did.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    position = models.PositiveIntegerField(default=0)
    received_after = models.ForeignKey(
        "PublishedPack",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="late_updates",
        help_text="Received after this pack was published: printed under its own heading and date, "
        "in a supplement or a later version of the pack.",
    )
    for_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The meeting it was written for (blank for imported history): its evidence deadline says "
        "whether it came in late.",
    )
    corrected_after = models.ForeignKey(
        "PublishedPack",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The published pack that printed an earlier version of this update, when it was corrected since.",
    )
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="The form it was sent from: sending the same form twice (a double click, a retry) adds it once.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="evidence_update_has_text"),
            models.UniqueConstraint(fields=["recommendation", "position"], name="one_evidence_update_per_position"),
        ]

    def __str__(self):
        return f"{self.recommendation} evidence {self.position}"


def attachment_path(instance: EvidenceAttachment, filename: str) -> str:
    """Where an attachment's file is stored: a random name (never the uploader's), kept by its type."""
    extension = ATTACHMENT_TYPES.get(instance.content_type, "")
    return f"evidence/{instance.uploaded_on_path()}/{uuid.uuid4().hex}{extension}"


# The types an attachment may be (read from its content), and the extension each is stored with.
ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
}


class EvidenceAttachment(models.Model):
    """A document or image attached to an evidence update (append-only, as the update is).

    The file is kept through Django's storage API (the filesystem by default, S3-compatible
    storage in production); its type was read from its content when it was uploaded.
    """

    evidence = models.ForeignKey(EvidenceUpdate, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=255, help_text="The file's name as the uploader had it, shown to readers.")
    description = models.CharField(
        max_length=300, blank=True,
        help_text="What it is or shows, in words: the link text, and the alternative text of an image.",
    )
    content_type = models.CharField(max_length=100, choices=[(t, t) for t in ATTACHMENT_TYPES])
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evidence", "uploaded_at", "pk"]

    def __str__(self):
        return self.name

    def uploaded_on_path(self) -> str:
        return (self.uploaded_at or timezone.now()).strftime("%Y/%m")


class StoredFile(models.Model):
    """A file kept in the database rather than on a machine's disk (``FILE_STORAGE=database``,
    through ``tracker.storage.DatabaseStorage``): every app server reads the same bytes, a
    file is written in the transaction that writes the row naming it, and ``pg_dump`` backs
    it up with the rows. Never changed once saved; a name is used once."""

    name = models.CharField(max_length=300, unique=True)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(size=Length("content")), name="stored_file_size_is_its_length"),
        ]

    def __str__(self):
        return self.name


class Assessment(models.Model):
    """A recommendation at one meeting: the cabinet member's proposal and the committee's decision.

    A row exists for every recommendation tracked at the meeting, before anyone assesses it.
    """

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="assessments")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="assessments")
    proposed_category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    anticipated_date = models.DateField(null=True, blank=True)
    reasons = models.TextField(blank=True, help_text="The reasons a category asks for (e.g. for slippage).")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    proposed_on_behalf = models.BooleanField(
        default=False, help_text="Entered by the scrutiny office on the owners' behalf, not by the assessor."
    )
    agreed_category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "recommendation"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "meeting"], name="one_assessment_per_recommendation_per_meeting"
            )
        ]

    def __str__(self):
        return f"{self.recommendation} at {self.meeting.date_display}"

    @property
    def category(self) -> Category | None:
        return self.agreed_category or self.proposed_category

    @property
    def decided(self) -> bool:
        """The committee's decision is recorded (a category, or, without categories, completed or not)."""
        return self.agreed_category_id is not None or self.agreed_at is not None

    @property
    def anticipated_date_missing(self) -> bool:
        """True where the category needs an anticipated date and none was advised (R06)."""
        from tracker.categories import anticipated_date_missing

        return anticipated_date_missing(self.category, self.anticipated_date)

    def clean(self):
        from tracker.categories import check_scheme

        check_scheme(self)


class Conclusion(models.Model):
    """The committee concluded a recommendation: it leaves the tracking list."""

    recommendation = models.OneToOneField(Recommendation, on_delete=models.PROTECT, related_name="conclusion")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="conclusions")
    remark = models.TextField(blank=True, help_text='Added to the tracking assessment, e.g. "Work will be ongoing."')
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concluded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"{self.recommendation} concluded {self.meeting.date_display}"


class DateChange(models.Model):
    """A completion or anticipated date moved, with who moved it and why.

    The original date stays where it was; the date in force is the latest change.
    """

    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="date_changes"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="date_changes"
    )
    previous_date = models.DateField(null=True, blank=True)
    new_date = models.DateField()
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(milestone__isnull=False, assessment__isnull=True)
                | Q(milestone__isnull=True, assessment__isnull=False),
                name="date_change_is_for_one_date",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="date_change_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.previous_date} → {self.new_date}"


class Transfer(models.Model):
    """A recommendation moved to the committee now responsible for it, on a date, with why.

    Its history stays where it happened: meetings and packs of the old committee are
    untouched, and the category in force carries over.
    """

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="transfers")
    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers",
        help_text="Set when the whole inquiry moved.",
    )
    from_committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")
    to_committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")
    transferred_on = models.DateField()
    reason = models.TextField()
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["transferred_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_committee=F("to_committee")), name="transfer_moves_somewhere"),
            models.CheckConstraint(condition=~Q(reason=""), name="transfer_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.recommendation} to {self.to_committee} on {self.transferred_on}"


class CoverReport(models.Model):
    """The cover of a meeting pack for one inquiry: the cabinet member's introduction and contact."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="cover_reports")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="cover_reports")
    reporting_owner = models.ForeignKey(
        Owner, on_delete=models.PROTECT, related_name="+", help_text="The cabinet member who reports."
    )
    introduction = models.TextField(blank=True)
    contact_name = models.CharField(max_length=200)
    contact_title = models.CharField(max_length=200, blank=True)
    contact_telephone = models.CharField(max_length=50, blank=True)
    contact_email = models.EmailField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "inquiry"], name="one_cover_report_per_inquiry_per_meeting")
        ]

    def __str__(self):
        return f"{self.inquiry} – {self.meeting.date_display}"


class PublishedPack(models.Model):
    """A meeting pack as published: the exact PDF bytes, never changed afterwards.

    Publishing again makes a new version; every old version stays downloadable.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="published_packs")
    version = models.PositiveIntegerField()
    supplement = models.BooleanField(
        default=False, help_text="A supplement listing only the updates received after the pack was published."
    )
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    source_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text="The SHA-256 of the HTML the PDF was laid out from: publishing unchanged data gives back "
        "this version instead of a copy.",
    )
    size = models.PositiveIntegerField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="unique_pack_version_per_meeting"),
        ]

    def __str__(self):
        return f"Pack v{self.version} for {self.meeting}"


class PackBuild(models.Model):
    """One request to build the pack in the background: a draft to download, or publishing.

    The scrutiny office asks (tracker.services.ask_for_pack_build); the background worker
    builds (tracker.tasks.build_pack) and writes each step here as it starts, outside any
    long transaction, so every app server's page can read how far it has got. A draft's file
    is kept in this row, never on one machine's disk, until it is pruned
    (services.prune_pack_builds); publishing points to the version it published.
    """

    class Kind(models.TextChoices):
        DRAFT_PDF = "draft_pdf", "Draft pack (PDF)"
        DRAFT_WORD = "draft_word", "Draft pack (Word)"
        PUBLISH_PACK = "publish_pack", "Publishing the pack"
        PUBLISH_SUPPLEMENT = "publish_supplement", "Publishing a supplement"

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting to start"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be finished"

    DRAFTS = (Kind.DRAFT_PDF, Kind.DRAFT_WORD)
    IN_PROGRESS = (State.WAITING, State.BUILDING)
    FINISHED = (State.READY, State.FAILED)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="pack_builds")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    step = models.PositiveSmallIntegerField(default=0, help_text="The step under way (0: not started yet).")
    steps = models.PositiveSmallIntegerField(help_text="How many steps the build takes.")
    percent = models.PositiveSmallIntegerField(default=0, help_text="About how much of the work is done.")
    layouts = models.PositiveSmallIntegerField(
        default=0, help_text="How often the pages were laid out: more than once when the data changed meanwhile."
    )
    progress_at = models.DateTimeField(
        default=timezone.now,
        help_text="When it was asked for or last moved on: a build that stops moving was left by a stopped worker.",
    )
    failure = models.TextField(blank=True, help_text="What went wrong, in words the person who asked can act on.")
    content = models.BinaryField(null=True, blank=True, editable=False, help_text="The finished draft's file.")
    size = models.PositiveIntegerField(null=True, blank=True)
    published = models.ForeignKey(
        PublishedPack, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The version it published, or the one already out when nothing had changed.",
    )
    published_new = models.BooleanField(
        null=True, blank=True, help_text="False: nothing had changed, so the version already out was given back."
    )

    class Meta:
        ordering = ["-asked_at", "-pk"]
        constraints = [
            # Asking again while the same build is waiting or under way gives back that build.
            models.UniqueConstraint(
                fields=["meeting", "kind"], condition=Q(state__in=["waiting", "building"]),
                name="one_pack_build_of_a_kind_at_a_time",
            ),
            models.CheckConstraint(
                condition=Q(step__lte=F("steps")) & Q(percent__lte=100), name="pack_build_progress_in_range"
            ),
            models.CheckConstraint(
                condition=Q(content__isnull=True) | Q(kind__in=["draft_pdf", "draft_word"]),
                name="only_drafts_keep_a_file",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.meeting} ({self.get_state_display().lower()})"

    @property
    def is_draft(self) -> bool:
        return self.kind in self.DRAFTS

    @property
    def in_progress(self) -> bool:
        return self.state in self.IN_PROGRESS

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY

    @property
    def has_failed(self) -> bool:
        return self.state == self.State.FAILED

    @property
    def publishes(self) -> bool:
        return not self.is_draft

    @property
    def publishes_supplement(self) -> bool:
        return self.kind == self.Kind.PUBLISH_SUPPLEMENT

    @property
    def file_type(self) -> str:
        """What kind of file it makes, as people name it."""
        return "Word" if self.kind == self.Kind.DRAFT_WORD else "PDF"


class Message(models.Model):
    """An e-mail the tracker sent (or tried to): who, what, when, and whether it was delivered.

    ``event`` names what it is about ("meeting 5: evidence open"): one person gets one
    message per event, however often the reminders run.
    """

    class Kind(models.TextChoices):
        EVIDENCE_OPEN = "evidence_open", "Evidence is open"
        DEADLINE_NEAR = "deadline_near", "The evidence deadline is near"
        DEADLINE_PASSED = "deadline_passed", "The evidence deadline has passed"
        MISSING_SUMMARY = "missing_summary", "Evidence still missing (to the scrutiny office)"
        PROPOSALS_DUE = "proposals_due", "Proposals are due"
        PACK_PUBLISHED = "pack_published", "The pack is published"
        DECISIONS_RECORDED = "decisions_recorded", "The committee’s decisions"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not delivered"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages")
    to = models.EmailField(help_text="The address it was sent to.")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="messages")
    event = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="one_message_per_person_per_event"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to}"


class MessageOptOut(models.Model):
    """A person turned off one of the optional messages."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_opt_outs")
    kind = models.CharField(max_length=30, choices=Message.Kind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_opt_out_per_kind")]
