"""One function per thing a user does. Each is transactional and applies the rules.

This is the one way to write a tracked record: pages call these functions, and the
admin only reads tracked records. Each function decides who may act
(``permissions.ensure``: PermissionDenied with the sentence the user reads) and
whether the meeting's state allows it (tracker.cycle), then writes. A refused input is
a ValidationError keyed by form field; a save from an old read is StaleEdit; a record
that vanished meanwhile (taken off a meeting's list by someone else) is RecordGone.
Nothing written is ever deleted: evidence is corrected by new versions
(django-simple-history keeps the old).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from tracker import categories, cycle, permissions, selectors
from tracker import text as texts
from tracker.models import (
    Assessment,
    Category,
    Committee,
    Conclusion,
    DateChange,
    EvidenceUpdate,
    Meeting,
    Milestone,
    PublishedPack,
    Recommendation,
    held_before,
    latest_meeting_first,
    meetings_before,
)
from tracker.pack.context import pack_for
from tracker.pack.render import html_to_pdf, render_pack_html


class StaleEdit(Exception):
    """Someone else saved this record since it was read: the save is refused, nothing is lost."""

    def __init__(self, current):
        super().__init__("This record was changed by someone else while you were editing it.")
        self.current = current


class RecordGone(Exception):
    """The record was removed (or moved out of reach) by someone else while it was being edited."""


def locked_for_edit(instance, expected_version: int | None, *, gone: str = ""):
    """Re-read ``instance`` under a row lock; refuse if it moved past ``expected_version``.

    Optimistic locking, the app's only implementation: a form carries the version it was
    read at, and a second person saving from an older read gets StaleEdit instead of
    silently overwriting the first. A row deleted meanwhile is RecordGone(``gone``).
    """
    try:
        current = type(instance).objects.select_for_update().get(pk=instance.pk)
    except type(instance).DoesNotExist:
        raise RecordGone(gone or "This record was removed by someone else while you were editing it.") from None
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(current)
    current.version += 1
    return current


def _date_in_force(assessment: Assessment) -> tuple[datetime.date | None, bool]:
    """The date the category rules judge this recommendation against at this meeting, and whether
    it is a revised date (categories.date_in_force)."""
    meeting = assessment.meeting
    revised = None
    if meeting.scheme.revised_dates_count:
        revised = (
            Assessment.objects.filter(recommendation_id=assessment.recommendation_id, anticipated_date__isnull=False)
            .filter(held_before(meeting, "meeting__"))
            .order_by(*latest_meeting_first())
            .values_list("anticipated_date", flat=True)
            .first()
        )
    in_force = categories.date_in_force(
        assessment.recommendation.completion_date(), revised, revised_dates_count=meeting.scheme.revised_dates_count
    )
    return in_force, revised is not None and in_force == revised


def _set_category(
    assessment: Assessment,
    side: str,
    category: Category | None,
    anticipated_date: datetime.date | None,
    *,
    by,
    expected_version: int | None,
    reason: str,
    today: datetime.date | None,
    reasons: str = "",
    **also,
) -> tuple[Assessment, list[str]]:
    """Apply the category rules and record ``side`` ("proposed" or "agreed") of an assessment.

    Refused (ValidationError) when the category is not of the scheme the meeting uses or
    its rules say no (tracker.categories, judged against the date in force); a moved
    anticipated date needs a reason and is kept as a DateChange. Without categories
    (narrative tracking) there is no category to give, and none may be. ``also`` sets
    further fields of the saved row. Returns the saved row and the rules' warnings.
    """
    meeting = assessment.meeting
    scheme_categories = list(meeting.scheme.categories.all())
    reasons = (reasons or "").strip()
    warnings = []
    if category is None:
        if scheme_categories:
            raise ValidationError({"category": "Choose a category."})
        anticipated_date = None
    else:
        if category.scheme_id != meeting.scheme_id:
            raise ValidationError({"category": "Choose a category of the scheme this meeting uses."})
        completion_date, revised = _date_in_force(assessment)
        verdict = categories.check_proposal(
            category,
            anticipated_date,
            completion_date=completion_date,
            date_revised=revised,
            meeting_date=meeting.date,
            today=today,
            reasons=reasons,
            has_late_category=categories.late_category(scheme_categories) is not None,
        )
        moved = bool(
            assessment.anticipated_date and anticipated_date and anticipated_date != assessment.anticipated_date
        )
        if moved and not reason.strip():
            verdict.refuse("reason", "Say why the anticipated date is moving.")
        verdict.raise_if_refused()
        warnings = verdict.warnings
    texts.check_storable(reasons, "reasons")
    current = locked_for_edit(
        assessment, expected_version,
        gone=f"{assessment.recommendation} was taken off the list for the {meeting.date_display} meeting while you "
        "were editing, so nothing was saved. Ask the scrutiny office if it should be tracked.",
    )
    if category is not None and current.anticipated_date and anticipated_date \
            and anticipated_date != current.anticipated_date:
        _by(DateChange(
            assessment=current,
            previous_date=current.anticipated_date,
            new_date=anticipated_date,
            reason=reason.strip(),
            changed_by=by,
        ), by).save()
    setattr(current, f"{side}_category", category)
    setattr(current, f"{side}_by", by)
    setattr(current, f"{side}_at", timezone.now())
    current.anticipated_date = anticipated_date
    current.reasons = reasons
    for name, value in also.items():
        setattr(current, name, value)
    _by(current, by).save()
    _copy_fields(current, assessment)
    return current, warnings


@transaction.atomic
def propose_assessment(
    assessment: Assessment,
    category: Category,
    anticipated_date: datetime.date | None,
    *,
    by,
    expected_version: int | None = None,
    reason: str = "",
    reasons: str = "",
    today: datetime.date | None = None,
    on_behalf: bool = False,
) -> list[str]:
    """Record a proposed category for a recommendation at a meeting (the rules, no permission).

    Refused (ValidationError) when the category's rules say so: a category that needs an
    anticipated date without one, or reasons without them, or an in-progress category once
    the date in force has passed. Returns the warnings (e.g. "achieved fully" proposed
    after the completion date, where the scheme has a late category). Moving an anticipated
    date already advised needs a reason, and the move is kept. Permission and meeting state
    are checked by propose_category, which users go through.
    """
    _, warnings = _set_category(
        assessment, "proposed", category, anticipated_date,
        by=by, expected_version=expected_version, reason=reason, today=today, reasons=reasons,
        proposed_on_behalf=on_behalf,
    )
    return warnings


@transaction.atomic
def move_completion_date(milestone: Milestone, new_date: datetime.date, *, reason: str, by) -> DateChange:
    """The scrutiny office moves a completion date. The original stays; the move is kept with its reason."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the date is moving."})
    if milestone.kind == Milestone.Kind.ONGOING:
        raise ValidationError({"new_date": "An on-going recommendation has no completion date to move."})
    return DateChange.objects.create(
        milestone=milestone,
        previous_date=milestone.current_date(),
        new_date=new_date,
        reason=reason.strip(),
        changed_by=by,
    )


def _require(meeting: Meeting, action: str) -> None:
    try:
        cycle.require(meeting, action)
    except cycle.CycleError as error:
        raise ValidationError(str(error), code="cycle") from error


def _by(instance, user):
    """Record who made this version in its history (also outside a request)."""
    instance._history_user = user
    return instance


def _copy_fields(source, target) -> None:
    """Bring the caller's instance up to date with what was saved (no second read)."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


# --- The scrutiny office runs the meetings ------------------------------------------------


@transaction.atomic
def schedule_meeting(
    committee: Committee, date: datetime.date, evidence_deadline: datetime.date | None, *, by
) -> Meeting:
    """The scrutiny office schedules a tracking meeting of a committee, with an evidence deadline.

    Dates must be ones a person can mean (tracker.cycle: not before 2000, not more than
    ten years ahead) and the deadline on or before the meeting.
    """
    permissions.ensure(by, "manage_meetings")
    errors = cycle.meeting_date_problems(date, evidence_deadline, timezone.localdate())
    if date and Meeting.objects.filter(committee=committee, date=date).exists():
        errors["date"] = f"{committee} already has a meeting on {date:%-d %B %Y}."
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(committee=committee, scheme=committee.scheme, date=date, evidence_deadline=evidence_deadline)
    _by(meeting, by).save()
    return meeting


@transaction.atomic
def change_meeting(
    meeting: Meeting,
    date: datetime.date,
    evidence_deadline: datetime.date | None,
    *,
    by,
    expected_version: int | None = None,
) -> Meeting:
    """The scrutiny office moves a meeting's date or evidence deadline before its pack is out."""
    permissions.ensure(by, "manage_meetings")
    _require(meeting, "change_meeting")
    errors = cycle.meeting_date_problems(date, evidence_deadline, timezone.localdate())
    if date and Meeting.objects.filter(committee_id=meeting.committee_id, date=date).exclude(pk=meeting.pk).exists():
        errors["date"] = f"{meeting.committee} already has a meeting on {date:%-d %B %Y}."
    if errors:
        raise ValidationError(errors)
    current = locked_for_edit(meeting, expected_version)
    current.date = date
    current.evidence_deadline = evidence_deadline
    _by(current, by).save()
    _copy_fields(current, meeting)
    return current


@transaction.atomic
def choose_recommendations(meeting: Meeting, recommendations=None, *, by) -> list[Assessment]:
    """The scrutiny office picks the recommendations to track at a meeting.

    By default every recommendation the committee tracks that the executive accepted (or
    accepted in principle) and that is not yet concluded: what was not concluded last time
    carries forward. Any of its recommendations not concluded or withdrawn may be chosen.
    Each chosen one gets its Assessment row for the meeting. One taken off the list loses
    its row only while nobody has assessed it.
    """
    permissions.ensure(by, "manage_meetings")
    _require(meeting, "choose_recommendations")
    trackable = Recommendation.objects.filter(committee_id=meeting.committee_id).tracked()
    if recommendations is None:
        chosen = list(trackable.tracked_by_default())
    else:
        chosen = list(recommendations)
        allowed = set(trackable.values_list("pk", flat=True))
        wrong = [str(r) for r in chosen if r.pk not in allowed]
        if wrong:
            raise ValidationError(
                {"recommendations": f"Only this committee’s recommendations not yet concluded can be tracked "
                 f"(not {', '.join(wrong)})."}
            )
    chosen_ids = {r.pk for r in chosen}
    # Locked: a proposal saved while this runs is seen here and keeps its row.
    existing = {
        a.recommendation_id: a
        for a in meeting.assessments.select_related("recommendation").select_for_update(of=("self",))
    }
    dropped = [a for rec_id, a in existing.items() if rec_id not in chosen_ids]
    kept_back = [
        str(a.recommendation) for a in dropped if a.proposed_category_id or a.decided
    ]
    if kept_back:
        raise ValidationError(
            {"recommendations": "These already have a category proposed or agreed at this meeting and "
             f"stay on its list: {', '.join(kept_back)}."}
        )
    for assessment in dropped:
        _by(assessment, by).delete()
    for recommendation in chosen:
        if recommendation.pk not in existing:
            _by(Assessment(recommendation=recommendation, meeting=meeting), by).save()
    return list(meeting.assessments.select_related("recommendation"))


@transaction.atomic
def advance_meeting(meeting: Meeting, to_state: str, by, *, expected_version: int | None = None) -> Meeting:
    """The scrutiny office moves a meeting to the next state of its cycle.

    Publishing the pack (tracker.pack.publish) makes the evidence-open → pack-published
    move itself; this service makes every move by hand, refusing to skip a state, to open
    a meeting with nothing to track, or to mark decisions recorded while some are missing.
    """
    permissions.ensure(by, "manage_meetings")
    problems = cycle.blockers(meeting, to_state, list(meeting.assessments.select_related("recommendation")))
    if problems:
        raise ValidationError(problems, code="cycle")
    current = locked_for_edit(meeting, expected_version)
    current.state = to_state
    _by(current, by).save()
    _copy_fields(current, meeting)
    return current


# --- Officers and cabinet members write the evidence --------------------------------------


def _check_written_on(written_on: datetime.date | None, today: datetime.date | None):
    problem = cycle.written_on_problem(written_on, today or timezone.localdate())
    if problem:
        raise ValidationError({"written_on": problem})


def _check_evidence_text(text: str) -> str:
    """The text as stored: already normalised by the form or import (tracker.text); refused if empty."""
    if texts.is_blank(text):
        raise ValidationError({"text": "Enter the evidence of progress."})
    text = text.strip()
    texts.check_storable(text, "text")
    if len(text) > texts.MAX_EVIDENCE_LENGTH:
        raise ValidationError(
            {"text": f"Evidence must be {texts.MAX_EVIDENCE_LENGTH} characters or fewer. Split it into two updates."}
        )
    return text


@transaction.atomic
def add_evidence(
    recommendation: Recommendation,
    meeting: Meeting,
    text: str,
    written_on: datetime.date | None,
    *,
    by,
    today: datetime.date | None = None,
    submission_key=None,
) -> EvidenceUpdate:
    """An officer (or the cabinet member) adds a dated update to a recommendation's evidence.

    Append-only: earlier text is never touched. The update is printed as "Further
    information following the <previous meeting> meeting". The same form sent twice
    (``submission_key``: a double click, a retry after a lost answer) adds it once and
    gives back the update already added.
    """
    permissions.ensure(by, "add_evidence", recommendation)
    _require(meeting, "add_evidence")
    if submission_key is not None:
        already = EvidenceUpdate.objects.filter(submission_key=submission_key).first()
        if already is not None:
            return already
    if not meeting.assessments.filter(recommendation=recommendation).exists():
        raise ValidationError(f"{recommendation} is not tracked at the meeting of {meeting.date_display}.")
    if Conclusion.objects.filter(recommendation=recommendation).exists():
        raise ValidationError(f"{recommendation} has been concluded; it takes no more evidence.")
    text = _check_evidence_text(text)
    _check_written_on(written_on, today)
    # One writer at a time per recommendation: positions follow on without gaps or twins.
    list(Recommendation.objects.select_for_update().filter(pk=recommendation.pk).values_list("pk"))
    last = recommendation.evidence_updates.order_by("-position").values_list("position", flat=True).first()
    update = EvidenceUpdate(
        recommendation=recommendation,
        following_meeting=selectors.previous_meeting(meeting),
        for_meeting=meeting,
        text=text,
        written_on=written_on,
        author=by,
        position=(last if last is not None else -1) + 1,
        submission_key=submission_key,
    )
    try:
        with transaction.atomic():
            _by(update, by).save()
    except IntegrityError:
        # The same form, sent twice at the same moment: the first one in is the update.
        already = EvidenceUpdate.objects.filter(submission_key=submission_key).first() if submission_key else None
        if already is None:
            raise
        return already
    return update


def evidence_meeting(update: EvidenceUpdate) -> Meeting | None:
    """The meeting now collecting evidence for the update's recommendation, if any."""
    for meeting in Meeting.objects.filter(assessments__recommendation_id=update.recommendation_id).chronological():
        if cycle.allows(meeting, "edit_evidence"):
            return meeting
    return None


def pack_that_printed(update: EvidenceUpdate) -> PublishedPack | None:
    """The latest published pack that printed this update as it stands (before a correction)."""
    printed = PublishedPack.objects.filter(
        meeting__assessments__recommendation_id=update.recommendation_id,
        published_at__gt=update.created_at,
    )
    if update.following_meeting_id:
        printed = printed.exclude(
            meeting__in=Meeting.objects.filter(
                meetings_before(update.following_meeting, inclusive=True),
                committee_id=update.following_meeting.committee_id,
            )
        )
    return printed.select_related("meeting").order_by("-published_at", "-pk").first()


@transaction.atomic
def edit_evidence(
    update: EvidenceUpdate,
    text: str,
    written_on: datetime.date | None,
    *,
    by,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> EvidenceUpdate:
    """Its author corrects an update while evidence is being collected; every earlier version is kept.

    An update already printed in a published pack can still be corrected, and then says
    so: the pack keeps the version it printed, the timeline shows both.
    """
    permissions.ensure(by, "edit_evidence", update)
    meeting = evidence_meeting(update)
    if meeting is None:
        raise ValidationError(
            f"No meeting is collecting evidence for {update.recommendation} now, so its evidence cannot be "
            "corrected. Add a new update when the next meeting opens for evidence.",
            code="cycle",
        )
    text = _check_evidence_text(text)
    if update.written_on is not None or written_on is not None:
        _check_written_on(written_on, today)
    current = locked_for_edit(update, expected_version)
    if current.text != text or current.written_on != written_on:
        current.corrected_after = pack_that_printed(current) or current.corrected_after
    current.text = text
    current.written_on = written_on
    _by(current, by).save()
    return current


# --- The cabinet member proposes, the committee decides -----------------------------------


@transaction.atomic
def propose_category(
    assessment: Assessment,
    category: Category,
    anticipated_date: datetime.date | None,
    *,
    by,
    expected_version: int | None = None,
    reason: str = "",
    reasons: str = "",
    today: datetime.date | None = None,
) -> list[str]:
    """The assessor proposes a category for a recommendation of their portfolio, or the
    scrutiny office enters one on the owners' behalf (recorded as such).

    Only while the meeting is open for evidence; the category rules are those of
    propose_assessment. Returns its warnings.
    """
    permissions.ensure(by, "propose", assessment)
    _require(assessment.meeting, "propose")
    return propose_assessment(
        assessment, category, anticipated_date, by=by, expected_version=expected_version, reason=reason,
        reasons=reasons, today=today, on_behalf=not permissions.assesses_for(by, assessment),
    )


@transaction.atomic
def record_decision(
    assessment: Assessment,
    category: Category | None,
    anticipated_date: datetime.date | None = None,
    *,
    by,
    expected_version: int | None = None,
    reason: str = "",
    reasons: str = "",
    concluded: bool = False,
    remark: str = "",
    today: datetime.date | None = None,
) -> list[str]:
    """The scrutiny office records the committee's category (which may differ from the proposal).

    The proposal stays as it was; the agreed category is kept beside it. The same rules
    apply as to a proposal. Without categories (narrative tracking) the decision is only
    whether it is completed (``concluded``) or tracking continues. With ``concluded`` the
    committee concludes the recommendation (see ``conclude``). Returns the warnings.
    """
    permissions.ensure(by, "record_decisions")
    meeting = assessment.meeting
    _require(meeting, "record_decision")
    current, warnings = _set_category(
        assessment, "agreed", category, anticipated_date,
        by=by, expected_version=expected_version, reason=reason, today=today, reasons=reasons,
    )
    existing = Conclusion.objects.filter(recommendation_id=assessment.recommendation_id).first()
    if concluded:
        if existing is None:
            warnings += conclude(current, remark, by=by)
        elif existing.meeting_id != meeting.pk:
            raise ValidationError(
                {"concluded": f"{assessment.recommendation} was already concluded on {existing.meeting.date_display}."}
            )
        elif existing.remark != remark.strip():
            existing.remark = remark.strip()
            _by(existing, by).save()
    elif existing is not None and existing.meeting_id == meeting.pk:
        # Recorded by mistake at this meeting: withdrawn; its history keeps that it was there.
        _by(existing, by).delete()
    return warnings


@transaction.atomic
def conclude(assessment: Assessment, remark: str = "", *, by) -> list[str]:
    """The committee concludes a recommendation: it leaves the tracking list for good.

    The tracking assessment printed afterwards is the category agreed at this meeting
    with the remark. Returns a warning when the agreed category is not an achieved one.
    """
    permissions.ensure(by, "record_decisions")
    _require(assessment.meeting, "record_decision")
    assessment.refresh_from_db()
    if not assessment.decided:
        raise ValidationError({"category": "Record the committee’s decision before concluding."})
    try:
        with transaction.atomic():
            _by(Conclusion(
                recommendation=assessment.recommendation,
                meeting=assessment.meeting,
                remark=remark.strip(),
                concluded_by=by,
            ), by).save()
    except IntegrityError as error:
        raise ValidationError({"concluded": f"{assessment.recommendation} is already concluded."}) from error
    if assessment.agreed_category is not None and not categories.normally_concludes(assessment.agreed_category):
        return [
            f"“{assessment.agreed_category}” is not an achieved category; "
            f"{assessment.recommendation} is concluded because the committee decided so."
        ]
    return []


@dataclass
class Publication:
    pack: PublishedPack
    is_new: bool  # False: nothing had changed since this version, so it was given back


# --- The scrutiny office sets up inquiries and recommendations ------------------------------


@transaction.atomic
def add_recommendation(recommendation: Recommendation, *, by) -> Recommendation:
    """The scrutiny office adds a recommendation to an inquiry (its history starts here)."""
    permissions.ensure(by, "set_up")
    recommendation.full_clean()
    _by(recommendation, by).save()
    return recommendation


@transaction.atomic
def update_recommendation(recommendation: Recommendation, *, by, expected_version: int | None, **fields):
    """The scrutiny office corrects a recommendation's set-up (number, text, theme, response…).

    Saved from the version it was read at: someone else's save meanwhile is StaleEdit,
    never silently overwritten; the earlier version stays in its history.
    """
    permissions.ensure(by, "set_up")
    current = locked_for_edit(recommendation, expected_version)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    _by(current, by).save()
    _copy_fields(current, recommendation)
    return current


# --- The scrutiny office publishes the pack -------------------------------------------------


@transaction.atomic
def publish_pack(meeting: Meeting, *, by) -> Publication:
    """The scrutiny office publishes the meeting's pack for members and the council's website.

    The PDF built from today's data is stored with its SHA-256, size and time, as the next
    version for the meeting; earlier versions stay as they were and later edits to the data
    never change a published pack. Publishing again with nothing changed (a double click,
    a retry) gives back the latest version instead of a copy: the HTML the PDF is laid out
    from is compared, so no PDF is even built. Allowed while evidence is open or once a
    pack is out (``cycle.require(meeting, "publish_pack")``); the first publication moves
    the meeting from "Evidence open" to "Pack published". Raises PermissionDenied or
    cycle.CycleError.
    """
    permissions.ensure(by, "build_pack")
    # Lock the meeting row: two people publishing at once get consecutive versions.
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    cycle.require(meeting, "publish_pack")

    html = render_pack_html(pack_for(meeting))
    source_sha256 = hashlib.sha256(html.encode("utf-8")).hexdigest()
    latest = meeting.published_packs.defer("pdf").order_by("-version").first()
    if latest is not None and latest.source_sha256 == source_sha256:
        return Publication(latest, is_new=False)

    pdf, _ = html_to_pdf(html)
    number = meeting.published_packs.aggregate(latest=Max("version"))["latest"] or 0
    published = PublishedPack.objects.create(
        meeting=meeting,
        version=number + 1,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        source_sha256=source_sha256,
        size=len(pdf),
        published_by=by,
    )
    if meeting.state == Meeting.State.EVIDENCE_OPEN:
        meeting.state = cycle.NEXT_STATE[Meeting.State.EVIDENCE_OPEN]
        meeting.version += 1  # a form holding the meeting from before sees it moved on
        meeting._history_user = by
        meeting.save(update_fields=["state", "version"])
    return Publication(published, is_new=True)
