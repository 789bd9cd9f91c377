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
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from tracker import attachments, categories, cycle, notifications, permissions, roles, selectors, standing
from tracker import text as texts
from tracker.models import (
    Assessment,
    AssessmentScheme,
    Category,
    Committee,
    Conclusion,
    Council,
    CoverReport,
    DateChange,
    EvidenceAttachment,
    EvidenceUpdate,
    ExecutiveResponse,
    Inquiry,
    Meeting,
    MessageOptOut,
    Milestone,
    Owner,
    OwnerAlias,
    PackBuild,
    PublishedPack,
    Recommendation,
    Responsibility,
    SubPart,
    Theme,
    Transfer,
    held_before,
    latest_meeting_first,
    meetings_before,
)
from tracker.pack import progress as pack_progress
from tracker.pack.context import pack_for, supplement_for
from tracker.pack.docx import pack_docx
from tracker.pack.render import html_to_pdf, render_pack_html, render_supplement_html
from tracker.parsed import ParsedRecommendation
from tracker.words import WORDING
from tracker.words import problem as word_problem

logger = logging.getLogger(__name__)


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
    """Refuse unless the meeting's state allows ``action`` (tracker.cycle).

    The state is read again under a row lock: the caller's copy may be from before someone
    moved the meeting on (a proposal arriving as the pack is published is refused).
    """
    meeting.state = Meeting.objects.select_for_update().values_list("state", flat=True).get(pk=meeting.pk)
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
    draft_cover_reports(meeting, by=by)
    return list(meeting.assessments.select_related("recommendation"))


@transaction.atomic
def advance_meeting(meeting: Meeting, to_state: str, by, *, expected_version: int | None = None) -> Meeting:
    """The scrutiny office moves a meeting to the next state of its cycle.

    Publishing the pack (tracker.pack.publish) makes the evidence-open → pack-published
    move itself; this service makes every move by hand, refusing to skip a state, to open
    a meeting with nothing to track, or to mark decisions recorded while some are missing.
    """
    permissions.ensure(by, "manage_meetings")
    current = locked_for_edit(meeting, expected_version)
    problems = cycle.blockers(current, to_state, selectors.tracked(current, selectors.previous_meeting(current)))
    if problems:
        raise ValidationError(problems, code="cycle")
    current.state = to_state
    _by(current, by).save()
    _copy_fields(current, meeting)
    if to_state == Meeting.State.EVIDENCE_OPEN:
        draft_cover_reports(current, by=by)
    if to_state == Meeting.State.DECISIONS_RECORDED:
        _public_facts_changed(current)
    notifications.meeting_changed(current)
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
    return _append_evidence(
        recommendation, meeting, text, written_on, author=by, by=by, today=today, submission_key=submission_key
    )


@transaction.atomic
def add_late_evidence(
    recommendation: Recommendation,
    meeting: Meeting,
    *,
    by,
    text: str,
    written_on: datetime.date | None,
    author=None,
    submission_key=None,
    today: datetime.date | None = None,
) -> EvidenceUpdate:
    """An update received after the meeting's pack was published, tabled as a late item.

    Its author (an officer who may add evidence for the recommendation) adds it, or the
    scrutiny office types it in on an officer's behalf: ``author`` is that officer and the
    office is recorded as having entered it. It is marked as received after the latest
    published pack, and printed under its own heading and date in a supplement or a
    republished pack. Allowed while the pack is published (tracker.cycle).
    """
    if author is None or author.pk == by.pk:
        author = by
        permissions.ensure(by, "add_evidence", recommendation)
    else:
        permissions.ensure(by, "enter_on_behalf")
        if not permissions.can_add_evidence(author, recommendation) or permissions.is_scrutiny_office(author):
            raise ValidationError(
                {"author": f"{author.get_full_name() or author.get_username()} does not act for an owner of "
                           f"{recommendation}: choose one of its owners’ officers."}
            )
    _require(meeting, "add_late_evidence")
    pack = meeting.published_packs.filter(supplement=False).defer("pdf").order_by("-version").first()
    if pack is None:
        raise ValidationError("The pack for this meeting has not been published yet: add the update as evidence.",
                              code="cycle")
    return _append_evidence(
        recommendation, meeting, text, written_on, author=author, by=by, today=today,
        submission_key=submission_key, entered_by=None if author.pk == by.pk else by, received_after=pack,
    )


def _append_evidence(
    recommendation, meeting, text, written_on, *, author, by, today, submission_key, entered_by=None,
    received_after=None,
) -> EvidenceUpdate:
    """The one path an update takes in, in time or late: the checks, then the next position."""
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
        author=author,
        entered_by=entered_by,
        received_after=received_after,
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


@transaction.atomic
def add_attachment(update: EvidenceUpdate, uploaded_file, description: str, *, by) -> EvidenceAttachment:
    """An officer (or the scrutiny office on their behalf) attaches a document or image to an update.

    Who may: whoever may correct the update (its author, the scrutiny office). When: while
    the update can still be corrected (a meeting is collecting evidence for its
    recommendation), or, for an update received after the pack was published, while that
    pack is the latest (tracker.cycle). The file's type is read from its content and its
    size limited (tracker.attachments). Append-only: an attachment is never changed or
    removed. The same file sent twice with the same form (a retry) is attached once.
    """
    permissions.ensure(by, "edit_evidence", update)
    meeting, action = attachment_meeting(update)
    if meeting is None:
        raise ValidationError(
            f"No meeting is collecting evidence for {update.recommendation} now, so nothing can be attached to "
            "its evidence. Add a new update when the next meeting opens for evidence.",
            code="cycle",
        )
    _require(meeting, action)
    checked = attachments.check(uploaded_file)
    description = attachments.check_description(description)
    already = update.attachments.filter(sha256=checked.sha256, name=checked.name, description=description).first()
    if already is not None:
        return already
    attachment = EvidenceAttachment(
        evidence=update, name=checked.name, description=description, content_type=checked.content_type,
        size=checked.size, sha256=checked.sha256, uploaded_by=by,
    )
    uploaded_file.seek(0)
    # The storage chooses the stored name (models.attachment_path: random, never the uploader's).
    attachment.file.save(checked.name, uploaded_file, save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachment_meeting(update: EvidenceUpdate) -> tuple[Meeting | None, str]:
    """The meeting whose state lets files be attached to the update now, and the action it allows."""
    meeting = evidence_meeting(update)
    if meeting is not None:
        return meeting, "edit_evidence"
    if update.received_after_id and update.for_meeting_id:
        late_meeting = Meeting.objects.get(pk=update.for_meeting_id)
        latest = late_meeting.published_packs.filter(supplement=False).order_by("-version").values_list(
            "pk", flat=True
        ).first()
        if cycle.allows(late_meeting, "add_late_evidence") and latest == update.received_after_id:
            return late_meeting, "add_late_evidence"
    return None, ""


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
    if meeting.state == Meeting.State.DECISIONS_RECORDED:  # a correction is public at once
        _public_facts_changed(meeting, recommendation_id=assessment.recommendation_id)
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


# --- Many recommendations from one page ---------------------------------------------------


@dataclass
class RowChange:
    """One recommendation's row of a page that saves many: what the user entered for it."""

    assessment: Assessment
    category: Category | None
    anticipated_date: datetime.date | None = None
    reasons: str = ""
    reason: str = ""  # why an anticipated date already advised moves
    expected_version: int | None = None
    concluded: bool = False  # decisions only
    remark: str = ""  # decisions only


@dataclass
class RowResult:
    """What became of one row: saved (with the rules' warnings), refused, or someone else's save kept."""

    assessment: Assessment
    saved: bool = False
    warnings: list[str] = dataclass_field(default_factory=list)
    error: ValidationError | None = None
    stale: Assessment | None = None  # the row as someone else saved it since it was read
    gone: str = ""


def _row_by_row(meeting: Meeting, rows, apply) -> list[RowResult]:
    """Apply ``apply`` to each row in its own savepoint: a refused or stale row is rolled back
    alone and reported beside that row; the others are saved."""
    results = []
    with standing.deferred():  # the rows' recommendations refreshed together, at the end
        for row in rows:
            if row.assessment.meeting_id != meeting.pk:
                raise ValueError(f"{row.assessment} is not tracked at {meeting}")
            result = RowResult(row.assessment)
            try:
                with transaction.atomic():
                    result.warnings = apply(row)
            except StaleEdit as error:
                result.stale = error.current
            except RecordGone as error:
                result.gone = str(error)
            except ValidationError as error:
                result.error = error
            else:
                result.saved = True
            results.append(result)
    return results


@transaction.atomic
def record_decisions(meeting: Meeting, decisions: list[RowChange], *, by,
                     today: datetime.date | None = None) -> list[RowResult]:
    """The scrutiny office records many of the committee's decisions from one page.

    Each row goes through ``record_decision`` (the category rules, the optimistic lock,
    concluding) in its own savepoint, so a refused row leaves the others saved. Who may
    and whether the meeting's state allows it are asked once, before anything is written.
    """
    permissions.ensure(by, "record_decisions")
    _require(meeting, "record_decision")
    return _row_by_row(meeting, decisions, lambda row: record_decision(
        row.assessment, row.category, row.anticipated_date, by=by, expected_version=row.expected_version,
        reason=row.reason, reasons=row.reasons, concluded=row.concluded, remark=row.remark, today=today,
    ))


@transaction.atomic
def propose_categories(meeting: Meeting, proposals: list[RowChange], *, by,
                       today: datetime.date | None = None) -> list[RowResult]:
    """The assessor proposes categories for many recommendations of their portfolio from one
    page (or the scrutiny office, on the owners' behalf).

    Each row goes through ``propose_category`` (its permission, the category rules, the
    optimistic lock) in its own savepoint, so a refused row leaves the others saved.
    """
    _require(meeting, "propose")
    return _row_by_row(meeting, proposals, lambda row: propose_category(
        row.assessment, row.category, row.anticipated_date, by=by, expected_version=row.expected_version,
        reason=row.reason, reasons=row.reasons, today=today,
    ))


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


# --- The scrutiny office sets up the council, its committees and schemes ---------------------


def _check_words(words: dict[str, str]) -> dict[str, str]:
    """The council's sentences, normalised, checked (tracker.words) and kept only where they differ."""
    errors, kept = {}, {}
    for key, text in words.items():
        wording = WORDING[key]
        text = texts.normalise((text or "").strip(), multiline=wording.multiline)
        if texts.is_blank(text) or text == wording.default:
            continue
        if problem := word_problem(text):
            errors[key] = problem
        kept[key] = text
    if errors:
        raise ValidationError(errors)
    return kept


@transaction.atomic
def update_council(council: Council, *, by, expected_version: int | None, words: dict[str, str] | None = None,
                   **fields) -> Council:
    """The scrutiny office sets the council's name and the words its process uses.

    Sentences equal to their default are not stored (a later, better default reaches
    them); a sentence with an unknown placeholder is refused beside it.
    """
    permissions.ensure(by, "set_up")
    checked = _check_words(words or {})
    # A council not set up yet is saved with its defaults first, so that a form read from them
    # (version 1) and saved second is refused like any other stale edit.
    Council.objects.get_or_create(pk=1)
    current = locked_for_edit(Council(pk=1), expected_version)
    for name, value in fields.items():
        setattr(current, name, value)
    if words is not None:
        current.words = checked
    current.full_clean()
    _by(current, by).save()
    return current


LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
LOGO_LIMIT = 512 * 1024


@transaction.atomic
def set_council_logo(council: Council, data: bytes | None, *, by, alt: str = "") -> Council:
    """The council's logo for the pack's cover: a PNG or JPEG (checked by its content, not its name)."""
    permissions.ensure(by, "set_up")
    current, _ = Council.objects.select_for_update().get_or_create(pk=1)
    if data:
        if len(data) > LOGO_LIMIT:
            raise ValidationError({"logo": "The logo must be 512 KB or smaller."})
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                kind = image.format
        except (UnidentifiedImageError, OSError, ValueError):
            kind = None
        if kind not in LOGO_TYPES:
            raise ValidationError({"logo": "The logo must be a PNG or JPEG picture."})
        current.logo, current.logo_type = data, LOGO_TYPES[kind]
    else:
        current.logo, current.logo_type = b"", ""
    current.logo_alt = alt.strip() or current.logo_alt
    current.version += 1
    _by(current, by).save()
    return current


def _unique_name(model, name: str, field: str, exclude_pk=None, message: str = "") -> None:
    clash = model.objects.filter(**{f"{field}__iexact": name})
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({field: message or f"There is already one called “{name}”."})


@transaction.atomic
def create_committee(*, by, name: str, scheme: AssessmentScheme, assessed_by: str, assessor_title: str = "",
                     on_public_register: bool = False, members=(), reminder_days: int = 7) -> Committee:
    """The scrutiny office adds a committee: its scheme, who assesses and what they are called, its
    members (sent the pack) and how many days before the evidence deadline officers are reminded."""
    permissions.ensure(by, "set_up")
    _unique_name(Committee, name, "name", message=f"There is already a committee called “{name}”.")
    if scheme.retired:
        raise ValidationError({"scheme": "Choose the latest version of the scheme."})
    committee = Committee(
        name=name, scheme=scheme, assessed_by=assessed_by,
        assessor_title=assessor_title or Council.current().assessor_title, on_public_register=on_public_register,
        reminder_days=reminder_days,
    )
    committee.full_clean()
    _by(committee, by).save()
    committee.members.set(members)
    return committee


def _has_history(meetings) -> object:
    """Those of these meetings whose categories are on record: a proposal, a decision or a published pack."""
    return meetings.filter(
        Q(assessments__proposed_category__isnull=False) | Q(assessments__agreed_category__isnull=False)
        | Q(assessments__agreed_at__isnull=False) | Q(published_packs__isnull=False)
    ).distinct()


def _move_open_meetings(meetings, scheme: AssessmentScheme, by) -> None:
    """Meetings still ahead with nothing assessed take the new scheme; the rest keep the one they used."""
    with_history = _has_history(meetings).values("pk")
    for meeting in meetings.exclude(state=Meeting.State.CLOSED).exclude(pk__in=with_history):
        meeting.scheme = scheme
        _by(meeting, by).save(update_fields=["scheme"])


@transaction.atomic
def update_committee(committee: Committee, *, by, expected_version: int | None, **fields) -> Committee:
    """The scrutiny office changes a committee's name, scheme, assessor or public-register switch.

    A new scheme applies from the next meeting with nothing assessed: meetings whose
    categories are on record keep printing the scheme they used.
    """
    permissions.ensure(by, "set_up")
    current = locked_for_edit(committee, expected_version)
    if "name" in fields:
        _unique_name(Committee, fields["name"], "name", exclude_pk=committee.pk,
                     message=f"There is already a committee called “{fields['name']}”.")
    scheme = fields.get("scheme")
    if scheme is not None and scheme.retired and scheme.pk != current.scheme_id:
        raise ValidationError({"scheme": "Choose the latest version of the scheme."})
    members = fields.pop("members", None)
    switched = "on_public_register" in fields and fields["on_public_register"] != current.on_public_register
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    _by(current, by).save()
    if switched:  # everything it published appears on (or leaves) the register: harvesters see it as changed
        for model in (Recommendation, Inquiry, Meeting):
            model.objects.filter(committee=current).update(changed_at=current.changed_at)
    if members is not None:
        current.members.set(members)
    if scheme is not None:
        _move_open_meetings(Meeting.objects.filter(committee=current), current.scheme, by)
        standing.refresh(Recommendation.objects.filter(committee=current))  # its scheme's rules for dates
    _copy_fields(current, committee)
    return current


def scheme_in_use(scheme: AssessmentScheme) -> bool:
    """A meeting using it has categories on record (so they must keep printing as they were)."""
    return _has_history(Meeting.objects.filter(scheme=scheme)).exists()


def _copy_categories(source: AssessmentScheme, target: AssessmentScheme, by) -> dict[int, Category]:
    copies = {}
    for category in source.categories.all():
        old_pk = category.pk
        category.pk = None
        category._state.adding = True
        category.scheme = target
        _by(category, by).save()
        copies[old_pk] = category
    return copies


def _editable(scheme: AssessmentScheme, by) -> tuple[AssessmentScheme, dict[int, Category]]:
    """The scheme to change: itself while no meeting's categories depend on it, else a new version.

    The new version replaces it for its committees and their meetings with nothing assessed
    yet; the old one is retired and kept, exactly, for the meetings that used it. Returns the
    scheme to change and its categories by the pk of the category they copy.
    """
    if scheme.retired:
        raise ValidationError("This is an earlier version of the scheme, kept for the meetings that used it. "
                              "Change the latest version instead.")
    if not scheme_in_use(scheme):
        return scheme, {c.pk: c for c in scheme.categories.all()}
    old = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    new = AssessmentScheme.objects.get(pk=old.pk)
    new.pk = None
    new._state.adding = True
    new.version = old.version + 1
    new.replaces = old
    new.is_default = False
    old.retired = True
    was_default = old.is_default
    old.is_default = False
    _by(old, by).save()
    new.is_default = was_default
    _by(new, by).save()
    copies = _copy_categories(old, new, by)
    for committee in Committee.objects.filter(scheme=old):
        committee.scheme = new
        committee.version += 1
        _by(committee, by).save()
        _move_open_meetings(Meeting.objects.filter(committee=committee), new, by)
    return new, copies


@transaction.atomic
def create_scheme(*, by, name: str, copy_from: AssessmentScheme | None = None) -> AssessmentScheme:
    """The scrutiny office starts a scheme: from a copy of another, or from nothing (no categories:
    narrative tracking, until it adds some)."""
    permissions.ensure(by, "set_up")
    _unique_name(AssessmentScheme, name, "name", message=f"There is already a scheme called “{name}”.")
    scheme = AssessmentScheme(name=name)
    if copy_from is not None:
        for field in ("guidance_intro", "guidance_questions", "revised_dates_count", "completed_words",
                      "continue_words"):
            setattr(scheme, field, getattr(copy_from, field))
    scheme.full_clean()
    _by(scheme, by).save()
    if copy_from is not None:
        _copy_categories(copy_from, scheme, by)
    return scheme


@transaction.atomic
def update_scheme(scheme: AssessmentScheme, *, by, **fields) -> AssessmentScheme:
    """The scrutiny office changes a scheme's name, its Appendix 1 guidance or its rule flags.

    A scheme in use is not changed: the change makes its next version (see ``_editable``).
    """
    permissions.ensure(by, "set_up")
    if "name" in fields and AssessmentScheme.objects.filter(name__iexact=fields["name"]).exclude(
            name=scheme.name).exists():
        raise ValidationError({"name": f"There is already a scheme called “{fields['name']}”."})
    target, _ = _editable(scheme, by)
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean(validate_constraints=False)
    _by(target, by).save()
    standing.refresh(Recommendation.objects.filter(committee__scheme=target))  # whether revised dates count
    return target


CATEGORY_FIELDS = ("code", "label", "criteria", "marker", "needs_anticipated_date", "needs_reasons",
                   "only_before_completion", "warn_after_completion", "counts_as_achieved")


@transaction.atomic
def save_category(scheme: AssessmentScheme, category: Category | None = None, *, by, **fields) -> Category:
    """The scrutiny office adds a category to a scheme, or changes one (a scheme in use gets a new version)."""
    permissions.ensure(by, "set_up")
    target, copies = _editable(scheme, by)
    if category is None:
        category = Category(scheme=target, position=(target.categories.aggregate(m=Max("position"))["m"] or 0) + 1)
    else:
        category = copies[category.pk]
    code = fields.get("code", category.code)
    if target.categories.filter(code__iexact=code).exclude(pk=category.pk).exists():
        raise ValidationError({"code": f"This scheme already has a category “{code}”."})
    for name, value in fields.items():
        setattr(category, name, value)
    category.full_clean()
    _by(category, by).save()
    return category


@transaction.atomic
def remove_category(scheme: AssessmentScheme, category: Category, *, by) -> AssessmentScheme:
    """The scrutiny office takes a category out of a scheme (a scheme in use keeps it in its old version)."""
    permissions.ensure(by, "set_up")
    target, copies = _editable(scheme, by)
    _by(copies[category.pk], by).delete()
    return target


@transaction.atomic
def move_category(scheme: AssessmentScheme, category: Category, *, by, up: bool) -> AssessmentScheme:
    """The scrutiny office moves a category up or down the scheme's list (its printed order)."""
    permissions.ensure(by, "set_up")
    target, copies = _editable(scheme, by)
    ordered = list(target.categories.order_by("position"))
    index = ordered.index(copies[category.pk])
    other = index - 1 if up else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        top = len(ordered) + 1
        for offset, item in enumerate(ordered):  # out of the way first: positions are unique
            Category.objects.filter(pk=item.pk).update(position=top + offset)
        for position, item in enumerate(ordered, 1):
            item.position = position
            _by(item, by).save(update_fields=["position"])
    return target


# --- The scrutiny office sets up inquiries and recommendations ------------------------------


@transaction.atomic
def create_inquiry(*, by, committee: Committee, title: str, reported_on: datetime.date | None = None) -> Inquiry:
    """The scrutiny office adds an inquiry whose recommendations a committee will track."""
    permissions.ensure(by, "set_up")
    if Inquiry.objects.filter(committee=committee, title__iexact=title).exists():
        raise ValidationError({"title": f"{committee} already has an inquiry called “{title}”."})
    inquiry = Inquiry(committee=committee, title=title, reported_on=reported_on)
    inquiry.full_clean()
    _by(inquiry, by).save()
    return inquiry


@transaction.atomic
def update_inquiry(inquiry: Inquiry, *, by, expected_version: int | None, title: str,
                   reported_on: datetime.date | None) -> Inquiry:
    permissions.ensure(by, "set_up")
    if Inquiry.objects.filter(committee=inquiry.committee_id, title__iexact=title).exclude(pk=inquiry.pk).exists():
        raise ValidationError({"title": f"{inquiry.committee} already has an inquiry called “{title}”."})
    current = locked_for_edit(inquiry, expected_version)
    current.title, current.reported_on = title, reported_on
    current.full_clean()
    _by(current, by).save()
    _copy_fields(current, inquiry)
    return current


def find_or_create_owner(name: str) -> Owner:
    """The owner of that name or one of its other spellings (any case), or a new one."""
    name = texts.normalise(name.strip(), multiline=False)
    found = Owner.objects.filter(name__iexact=name).first()
    if found is None:
        alias = OwnerAlias.objects.select_related("owner").filter(name__iexact=name).first()
        found = alias.owner if alias else None
    return found or Owner.objects.create(name=name)


def find_or_create_theme(inquiry: Inquiry, words: str) -> Theme | None:
    """The inquiry's theme printed as ``words`` ("A Delivery of training", or just a title), or a new one.

    Only this inquiry's themes are looked at. A theme whose whole title is ``words`` is
    found first, so a title starting with a short word ("IT Systems") is not read as a
    letter and a title.
    """
    words = texts.normalise(words.strip(), multiline=False)
    if not words:
        return None
    theme = Theme.objects.filter(inquiry=inquiry, title__iexact=words).first()
    if theme is not None:
        return theme
    letter, _, title = words.partition(" ")
    if not (title and len(letter) <= 2 and letter.isalnum() and letter[:1].isupper()):
        letter, title = "", words
    theme = Theme.objects.filter(inquiry=inquiry, title__iexact=title).first()
    if theme is None:
        if letter and Theme.objects.filter(inquiry=inquiry, letter=letter).exists():
            letter = ""
        theme = Theme.objects.create(inquiry=inquiry, letter=letter, title=title)
    return theme


def _set_parts(recommendation: Recommendation, parsed: ParsedRecommendation, by, *, milestones: bool = True) -> None:
    """A recommendation's sub-parts, owners and (``milestones``) original dates, replaced by what was typed
    or pasted."""
    for part in recommendation.sub_parts.all():
        _by(part, by).delete()
    for position, (label, text) in enumerate(parsed.sub_parts):
        _by(SubPart(recommendation=recommendation, label=label, text=text, position=position), by).save()
    recommendation.responsibilities.all().delete()
    for position, name in enumerate(dict.fromkeys(parsed.owners)):
        Responsibility.objects.create(recommendation=recommendation, owner=find_or_create_owner(name),
                                      position=position)
    if not milestones:
        return
    recommendation.milestones.all().delete()
    for position, milestone in enumerate(parsed.milestones):
        Milestone.objects.create(recommendation=recommendation, kind=milestone.kind, due_date=milestone.due_date,
                                 event=milestone.event, position=position)


def _check_parsed(parsed: ParsedRecommendation, field_names: dict[str, str]) -> None:
    errors = {}
    if not parsed.number:
        errors[field_names["number"]] = "Enter the recommendation’s number as the report prints it."
    if texts.is_blank(parsed.lead):
        errors[field_names["text"]] = "Enter the recommendation’s text."
    limit = Recommendation._meta.get_field("number").max_length
    if len(parsed.number) > limit:
        errors[field_names["number"]] = f"A number can be up to {limit} characters long; this one has {len(parsed.number)}."
    if errors:
        raise ValidationError(errors)


def recommendation_problems(
    inquiry: Inquiry, recommendations: list[ParsedRecommendation], *, scheme: AssessmentScheme | None = None,
    place: str = "",
) -> list[str]:
    """What stops these recommendations being added to the inquiry, each a sentence naming the recommendation.

    The checks ``add_recommendations`` makes, for a preview to show before anything is
    saved: a number and a text, a number no longer than the database holds and not used
    in the inquiry already, and a category the ``scheme`` has (the scheme of the meeting
    that agreed the categories; None when no meeting is given). ``place`` ("row" or
    "line") names where each one was read, from its ``source_row``.
    """
    taken = {n.casefold() for n in inquiry.recommendations.values_list("number", flat=True)}
    categories_by_words = _category_lookup(scheme) if scheme else {}
    problems = []
    for parsed in recommendations:
        where = f"{place.capitalize()} {parsed.source_row}: " if place and parsed.source_row else ""
        named = f"{where}{parsed.number or 'A recommendation'}"
        try:
            _check_parsed(parsed, {"number": "recommendations", "text": "recommendations"})
        except ValidationError as error:
            problems += [f"{named}: {m}" for m in error.messages]
        if parsed.number and parsed.number.casefold() in taken:
            problems.append(f"{where}{inquiry} already has a recommendation {parsed.number}.")
        taken.add(parsed.number.casefold())
        if parsed.category and scheme is None:
            problems.append(f"{named}: give the date of the meeting that agreed its category (“{parsed.category}”).")
        elif parsed.category and parsed.category.casefold() not in categories_by_words:
            problems.append(f"{named}: “{parsed.category}” is not a category of {scheme}.")
    return problems


@transaction.atomic
def add_recommendations(
    inquiry: Inquiry,
    recommendations: list[ParsedRecommendation],
    *,
    by,
    executive_response: str = ExecutiveResponse.PENDING,
    responded_on: datetime.date | None = None,
    agreed_at: Meeting | None = None,
    place: str = "",
) -> list[Recommendation]:
    """The scrutiny office adds recommendations to an inquiry: pasted, imported or typed one by one.

    Each is checked before any is saved (numbers unique in the inquiry, as long as councils
    write them; a text: ``recommendation_problems``, whose sentences name the ``place``);
    owners are found by name or any spelling, or added; themes by their printed words.
    From a spreadsheet, the evidence so far becomes the first (undated) update, and a
    category becomes the one agreed at ``agreed_at`` (a meeting already held).
    """
    permissions.ensure(by, "set_up")
    problems = recommendation_problems(inquiry, recommendations, scheme=agreed_at.scheme if agreed_at else None,
                                       place=place)
    if problems:
        raise ValidationError({"recommendations": problems})
    categories_by_words = _category_lookup(agreed_at.scheme) if agreed_at else {}
    last = inquiry.recommendations.aggregate(m=Max("position"))["m"] or 0
    created = []
    for offset, parsed in enumerate(recommendations, 1):
        recommendation = Recommendation(
            inquiry=inquiry, committee=inquiry.committee, number=parsed.number, lead=parsed.lead,
            theme=find_or_create_theme(inquiry, parsed.theme), position=last + offset,
            original_timescale=parsed.timescale, executive_response=executive_response,
            executive_response_on=responded_on,
        )
        _by(recommendation, by).save()
        _set_parts(recommendation, parsed, by)
        if parsed.evidence:
            _by(EvidenceUpdate(recommendation=recommendation, text=parsed.evidence, position=0), by).save()
        if parsed.category:
            _by(Assessment(recommendation=recommendation, meeting=agreed_at,
                           agreed_category=categories_by_words[parsed.category.casefold()]), by).save()
        created.append(recommendation)
    return created


@transaction.atomic
def add_one_recommendation(
    inquiry: Inquiry, parsed: ParsedRecommendation, *, by, executive_response: str = ExecutiveResponse.PENDING,
    responded_on: datetime.date | None = None,
) -> Recommendation:
    """The scrutiny office types one recommendation in (``add_recommendations``, with its refusals
    keyed by the form's fields: number, text)."""
    permissions.ensure(by, "set_up")
    _check_parsed(parsed, {"number": "number", "text": "text"})
    if inquiry.recommendations.filter(number__iexact=parsed.number).exists():
        raise ValidationError({"number": f"{inquiry} already has a recommendation {parsed.number}."})
    return add_recommendations(inquiry, [parsed], by=by, executive_response=executive_response,
                               responded_on=responded_on)[0]


def _held_meeting_problem(committee: Committee, held_on: datetime.date | None, meeting: Meeting | None) -> str:
    """Why no meeting of the committee on that day can have agreed an imported tracker's categories ("" if one can)."""
    if held_on is None:
        return "Enter the date of the meeting that agreed the categories."
    if held_on > timezone.localdate():
        return "The meeting that agreed the categories cannot be in the future."
    if held_on < cycle.EARLIEST_DATE:
        from django.utils.dateformat import format as format_date

        return f"The meeting that agreed the categories must be on or after {format_date(cycle.EARLIEST_DATE, 'j F Y')}."
    if meeting is not None and meeting.state not in (Meeting.State.DECISIONS_RECORDED, Meeting.State.CLOSED):
        return (f"{committee}’s meeting on {meeting.date_display} is still “{meeting.get_state_display()}”: "
                "record its categories at that meeting instead.")
    return ""


def scheme_at(committee: Committee, held_on: datetime.date | None) -> AssessmentScheme:
    """The categories an imported tracker's categories are read against: those of the committee's meeting
    on that day if it is recorded, else the committee's own (the ones ``meeting_held_on`` gives a meeting
    it records). Refused, keyed "agreed_on", when no meeting on that day can have agreed them."""
    meeting = Meeting.objects.select_related("scheme").filter(committee=committee, date=held_on).first()
    problem = _held_meeting_problem(committee, held_on, meeting)
    if problem:
        raise ValidationError({"agreed_on": problem})
    return meeting.scheme if meeting else committee.scheme


@transaction.atomic
def meeting_held_on(committee: Committee, held_on: datetime.date, *, by) -> Meeting:
    """The committee's meeting on that day, found or recorded as already held (closed, on the committee's scheme).

    An imported tracker's categories were agreed at a meeting before this service was
    used: its categories become that meeting's decisions. A day in the future, or a
    meeting on that day that is still running, is refused: a running meeting's
    categories are recorded at the meeting itself.
    """
    permissions.ensure(by, "set_up")
    meeting = Meeting.objects.select_for_update().filter(committee=committee, date=held_on).first()
    problem = _held_meeting_problem(committee, held_on, meeting)
    if problem:
        raise ValidationError({"agreed_on": problem})
    if meeting is None:
        meeting = Meeting(committee=committee, scheme=committee.scheme, date=held_on, state=Meeting.State.CLOSED,
                          imported=True)
        _by(meeting, by).save()
    return meeting


@transaction.atomic
def import_recommendations(
    inquiry: Inquiry, recommendations: list[ParsedRecommendation], *, by, executive_response: str,
    responded_on: datetime.date | None = None, agreed_on: datetime.date | None = None,
) -> list[Recommendation]:
    """The scrutiny office imports the council's tracker spreadsheet into an inquiry.

    When its rows carry categories, they are the decisions of the committee's meeting on
    ``agreed_on`` (found, or recorded as already held: ``meeting_held_on``); a category
    the meeting's scheme does not have is refused naming its row. Nothing is saved while
    any row is refused.
    """
    permissions.ensure(by, "set_up")
    agreed_at = None
    if any(parsed.category for parsed in recommendations):
        if agreed_on is None:
            raise ValidationError({"agreed_on": "The spreadsheet gives categories: enter the date of the "
                                                "meeting that agreed them."})
        agreed_at = meeting_held_on(inquiry.committee, agreed_on, by=by)
    return add_recommendations(inquiry, recommendations, by=by, executive_response=executive_response,
                               responded_on=responded_on, agreed_at=agreed_at, place="row")


def _category_lookup(scheme: AssessmentScheme) -> dict[str, Category]:
    """A scheme's categories by the words a spreadsheet may use: "2", "Achieved (Late)", "2 – Achieved (Late)", "Amber"."""
    lookup = {}
    for category in scheme.categories.all():
        for words in (category.code, category.label, f"{category.code} – {category.label}",
                      f"{category.code} - {category.label}", category.marker):
            if words:
                lookup.setdefault(words.casefold(), category)
    return lookup


def recommendation_references(recommendation: Recommendation) -> set[str]:
    """What refers to a recommendation, so that it is withdrawn rather than deleted: any of "evidence",
    "proposal", "decision", "conclusion", "transfer" and "pack" (on a meeting whose pack was published)."""
    found = set()
    if recommendation.evidence_updates.exists():
        found.add("evidence")
    assessments = recommendation.assessments.all()
    if assessments.filter(proposed_category__isnull=False).exists():
        found.add("proposal")
    if assessments.filter(Q(agreed_category__isnull=False) | Q(agreed_at__isnull=False)).exists():
        found.add("decision")
    if assessments.filter(meeting__published_packs__isnull=False).exists():
        found.add("pack")
    if Conclusion.objects.filter(recommendation=recommendation).exists():
        found.add("conclusion")
    if recommendation.transfers.exists():
        found.add("transfer")
    return found


def recommendation_in_use(recommendation: Recommendation) -> bool:
    """Something refers to it: evidence, a proposal or decision, a conclusion, a transfer or a published pack."""
    return bool(recommendation_references(recommendation))


def original_date_in_use(recommendation: Recommendation) -> bool:
    """Tracking has used its original date (a category proposed or agreed, or the date moved), so it stays."""
    return (
        DateChange.objects.filter(milestone__recommendation=recommendation).exists()
        or recommendation.assessments.filter(
            Q(proposed_category__isnull=False) | Q(agreed_category__isnull=False)).exists()
    )


@transaction.atomic
def edit_recommendation(
    recommendation: Recommendation, parsed: ParsedRecommendation, *, by, expected_version: int | None,
    theme: Theme | None, executive_response: str, responded_on: datetime.date | None, new_theme: str = "",
) -> Recommendation:
    """The scrutiny office corrects a recommendation: its number, text, owners, original date, theme, response.

    The theme is one of the inquiry's, or ``new_theme``: words found among the inquiry's
    themes or added as a new one. The original date is kept once tracking has used it (a
    moved date is a date change with its reason); everything else keeps its earlier
    versions in the history.
    """
    permissions.ensure(by, "set_up")
    _check_parsed(parsed, {"number": "number", "text": "text"})
    if recommendation.inquiry.recommendations.filter(number__iexact=parsed.number).exclude(
            pk=recommendation.pk).exists():
        raise ValidationError({"number": f"{recommendation.inquiry} already has a recommendation {parsed.number}."})
    if theme is not None and theme.inquiry_id != recommendation.inquiry_id:
        raise ValidationError({"theme": "Choose one of this inquiry’s themes."})
    current = locked_for_edit(recommendation, expected_version)
    date_changed = parsed.timescale.strip() != current.original_timescale.strip()
    if date_changed and original_date_in_use(current):
        raise ValidationError({"timescale": "Its original date has been tracked against, so it stays as it was. "
                                            "To move the date, record the move and its reason instead."})
    if new_theme.strip():
        theme = find_or_create_theme(current.inquiry, new_theme)
    current.number, current.lead, current.theme = parsed.number, parsed.lead, theme
    current.executive_response, current.executive_response_on = executive_response, responded_on
    if date_changed:
        current.original_timescale = parsed.timescale
    current.full_clean()
    _by(current, by).save()
    _set_parts(current, parsed, by, milestones=date_changed)
    _copy_fields(current, recommendation)
    return current


@transaction.atomic
def move_recommendation(recommendation: Recommendation, *, by, up: bool) -> None:
    """The scrutiny office moves a recommendation up or down its inquiry's printed order."""
    permissions.ensure(by, "set_up")
    ordered = list(recommendation.inquiry.recommendations.select_for_update().order_by("position", "number"))
    index = next(i for i, r in enumerate(ordered) if r.pk == recommendation.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, 1):
        if item.position != position:
            item.position = position
            item.version += 1
            _by(item, by).save(update_fields=["position", "version"])


@transaction.atomic
def withdraw_recommendation(recommendation: Recommendation, *, by, reason: str,
                            today: datetime.date | None = None) -> bool:
    """The scrutiny office takes back a recommendation entered by mistake.

    Deleted while nothing refers to it (its history records the deletion); once something
    does (evidence, a proposal, a decision, a pack), withdrawn instead: kept with its
    history, off every list still to come. Returns True when it was deleted.
    """
    permissions.ensure(by, "set_up")
    if not recommendation_in_use(recommendation):
        for assessment in recommendation.assessments.all():
            _by(assessment, by).delete()
        for part in recommendation.sub_parts.all():
            _by(part, by).delete()
        _by(Recommendation.objects.get(pk=recommendation.pk), by).delete()
        return True
    if texts.is_blank(reason):
        raise ValidationError({"reason": "Say why it is withdrawn: the reason is kept on its timeline."})
    current = locked_for_edit(recommendation, None)
    current.withdrawn_on = today or timezone.localdate()
    current.withdrawn_reason = reason.strip()
    _by(current, by).save()
    upcoming = current.assessments.filter(meeting__state__in=[Meeting.State.SCHEDULED, Meeting.State.EVIDENCE_OPEN],
                                          proposed_category__isnull=True, agreed_category__isnull=True)
    for assessment in upcoming:
        _by(assessment, by).delete()
    return False


@transaction.atomic
def transfer_recommendations(
    recommendations, to_committee: Committee, *, by, on: datetime.date, reason: str, inquiry: Inquiry | None = None,
) -> list[Transfer]:
    """The scrutiny office moves recommendations to the committee now responsible, as dated records.

    Their history stays where it happened: the old committee's meetings and packs are not
    touched, and the category in force carries over. One on the list of an old committee's
    meeting that has not started on it (no proposal, no pack) is taken off that list; a
    meeting already assessing it finishes its round with it.
    """
    permissions.ensure(by, "set_up")
    reason = (reason or "").strip()
    errors = {}
    if texts.is_blank(reason):
        errors["reason"] = "Say why it moves: the reason is kept on its timeline."
    problem = cycle.written_on_problem(on, timezone.localdate())
    if problem:
        errors["transferred_on"] = problem.replace("date written", "date of the move")
    if errors:
        raise ValidationError(errors)
    transfers = []
    for recommendation in recommendations:
        current = locked_for_edit(recommendation, None)
        if current.committee_id == to_committee.pk:
            raise ValidationError({"to_committee": f"{current} is already tracked by {to_committee}."})
        not_started = current.assessments.filter(
            meeting__committee_id=current.committee_id,
            meeting__state__in=[Meeting.State.SCHEDULED, Meeting.State.EVIDENCE_OPEN],
            proposed_category__isnull=True, agreed_category__isnull=True, agreed_at__isnull=True,
        )
        for assessment in not_started:
            _by(assessment, by).delete()
        transfer = Transfer(recommendation=current, inquiry=inquiry, from_committee_id=current.committee_id,
                            to_committee=to_committee, transferred_on=on, reason=reason, transferred_by=by)
        transfer.save()
        current.committee = to_committee
        _by(current, by).save()
        transfers.append(transfer)
    standing.refresh([transfer.recommendation_id for transfer in transfers])  # the new committee's scheme's rules
    return transfers


@transaction.atomic
def transfer_inquiry(inquiry: Inquiry, to_committee: Committee, *, by, on: datetime.date, reason: str,
                     expected_version: int | None = None) -> list[Transfer]:
    """The scrutiny office moves an inquiry, and every recommendation its committee tracks, to another committee."""
    permissions.ensure(by, "set_up")
    if inquiry.committee_id == to_committee.pk:
        raise ValidationError({"to_committee": f"{inquiry} is already {to_committee}’s."})
    if Inquiry.objects.filter(committee=to_committee, title__iexact=inquiry.title).exists():
        raise ValidationError({"to_committee": f"{to_committee} already has an inquiry called “{inquiry.title}”."})
    current = locked_for_edit(inquiry, expected_version)
    moving = list(current.recommendations.filter(committee_id=current.committee_id))
    transfers = transfer_recommendations(moving, to_committee, by=by, on=on, reason=reason, inquiry=current)
    current.committee = to_committee
    _by(current, by).save()
    _copy_fields(current, inquiry)
    return transfers


# --- The scrutiny office invites people and gives them their roles --------------------------


def _username_for(email: str) -> str:
    """Invited people sign in with their e-mail address, whatever characters it holds (an apostrophe,
    say, which Django's usual username rule refuses), up to a username's length."""
    username = email.strip().lower()
    limit = get_user_model()._meta.get_field("username").max_length
    if len(username) > limit:
        raise ValidationError({"email": f"The e-mail address must be {limit} characters or fewer to sign in with."})
    return username


@transaction.atomic
def invite_person(*, by, email: str, full_name: str, roles_given: list[str], owners: list[Owner],
                  invitation_url) -> object:
    """The scrutiny office gives someone an account: their roles, the owners they act for, and an
    e-mail inviting them to choose a password. No superuser is needed to run the service."""
    permissions.ensure(by, "set_up")
    user = _new_account(email, full_name, taken=f"{email} already has an account. Find them in the list of people.")
    _give_access(user, roles_given, owners)
    _send_invitation(user, invitation_url(user), by)
    return user


def _new_account(email: str, full_name: str, *, taken: str):
    """An account that signs in with its e-mail address and has no password until its owner chooses one."""
    User = get_user_model()
    username = _username_for(email)
    if User.objects.filter(Q(username__iexact=username) | Q(email__iexact=username)).exists():
        raise ValidationError({"email": taken})
    first, _, last = full_name.strip().partition(" ")
    user = User(username=username, email=username, first_name=first, last_name=last)
    user.set_unusable_password()
    user.full_clean(exclude=["password", "username"])
    user.save()
    return user


@transaction.atomic
def add_first_scrutiny_officer(*, email: str, full_name: str):
    """A new installation's first scrutiny-office user, made from the server's command line
    (``manage.py add_scrutiny_officer``): whoever runs commands on the server already has the
    installation's keys. Not a superuser: the pages are all the office needs. They choose
    their password from the invitation link the command prints."""
    user = _new_account(email, full_name, taken=f"{email} already has an account.")
    _give_access(user, [roles.SCRUTINY_OFFICE], [])
    return user


def _give_access(user, roles_given: list[str], owners: list[Owner]) -> None:
    from django.contrib.auth.models import Group

    unknown = set(roles_given) - set(roles.ROLES)
    if unknown:
        raise ValidationError({"roles": "Choose from the roles listed."})
    user.groups.set(Group.objects.filter(name__in=roles_given))
    user.owners.set(owners)
    for cached in ("_tracker_roles", "_tracker_owner_ids"):
        user.__dict__.pop(cached, None)


def _send_invitation(user, url: str, by) -> None:
    council = Council.current()
    inviter = by.get_full_name() or by.get_username()
    send_mail(
        subject=f"You have an account on {council.name or 'the council'}’s scrutiny tracking service",
        message=render_to_string("tracker/email/invitation.txt", {
            "user": user, "url": url, "council": council, "inviter": inviter,
        }),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def update_person(user, *, by, full_name: str, email: str, roles_given: list[str], owners: list[Owner]) -> object:
    """The scrutiny office changes someone's name, e-mail, roles or the owners they act for. Nobody
    takes the office's role from themselves (they would lose this page with it)."""
    permissions.ensure(by, "set_up")
    if user.pk == by.pk and not by.is_superuser and roles.SCRUTINY_OFFICE not in roles_given:
        office = Council.current().scrutiny_office_name
        raise ValidationError({"roles": f"You cannot take the {office} role from yourself. Ask someone else in "
                                        "your office."})
    User = get_user_model()
    email = _username_for(email)
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exclude(pk=user.pk).exists():
        raise ValidationError({"email": f"{email} is already someone else’s."})
    user.first_name, _, user.last_name = full_name.strip().partition(" ")
    if user.username.lower() == (user.email or "").lower():
        user.username = email  # invited people sign in with their e-mail address: it follows the new one
    user.email = email
    user.full_clean(exclude=["password", "username"])
    user.save()
    _give_access(user, roles_given, owners)
    return user


@transaction.atomic
def send_invitation_again(user, *, by, invitation_url) -> object:
    """The scrutiny office sends a new link to someone who has not chosen a password yet (the e-mail
    was lost, or the link expired). Earlier links keep working until a password is chosen."""
    permissions.ensure(by, "set_up")
    if user.has_usable_password():
        raise ValidationError(f"{user.get_full_name() or user.email} has already chosen a password. If they have "
                              "forgotten it, they can reset it from the sign-in page.")
    if not user.is_active:
        raise ValidationError("Bring them back first: someone deactivated cannot use an invitation.")
    if not user.email:
        raise ValidationError("Give them an e-mail address first.")
    _send_invitation(user, invitation_url(user), by)
    return user


@transaction.atomic
def set_person_active(user, active: bool, *, by) -> object:
    """The scrutiny office deactivates a leaver (or brings them back). Their name stays on everything
    they wrote; they can no longer sign in. Nobody deactivates themselves."""
    permissions.ensure(by, "set_up")
    if user.pk == by.pk and not active:
        raise ValidationError("You cannot deactivate your own account. Ask someone else in your office.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


OWNER_NAME_LIMIT = Owner._meta.get_field("name").max_length


def _owner_spellings(owner_pk=None) -> dict[str, tuple[str, bool]]:
    """Every other owner's name and other spellings: casefolded words -> (owner's name, is its name)."""
    spellings = {}
    for name in Owner.objects.exclude(pk=owner_pk).values_list("name", flat=True):
        spellings[name.casefold()] = (name, True)
    for alias, owner_name in OwnerAlias.objects.exclude(owner_id=owner_pk).values_list("name", "owner__name"):
        spellings.setdefault(alias.casefold(), (owner_name, False))
    return spellings


def _owner_words(words: str) -> str:
    return " ".join(texts.normalise(words or "", multiline=False).split())


def _checked_owner_words(name: str, aliases: list[str], owner_pk=None) -> tuple[str, list[str]]:
    """An owner's name and other spellings, tidied (one of each, any case, none its name), and refused beside
    the field where another owner already answers to them: imports and pastes must find one owner."""
    name = _owner_words(name)
    kept: dict[str, str] = {}
    for alias in aliases:
        alias = _owner_words(alias)
        if alias and alias.casefold() != name.casefold():
            kept.setdefault(alias.casefold(), alias)
    errors = {}
    others = _owner_spellings(owner_pk)
    if not name:
        errors["name"] = "Enter the owner’s name"
    elif len(name) > OWNER_NAME_LIMIT:
        errors["name"] = f"The name must be {OWNER_NAME_LIMIT} characters or fewer."
    elif name.casefold() in others:
        other, is_name = others[name.casefold()]
        errors["name"] = (f"There is already an owner called “{other}”." if is_name else
                          f"“{name}” is another spelling of “{other}”. Use that owner, or take the spelling "
                          "off it first.")
    problems = []
    for alias in kept.values():
        if len(alias) > OWNER_NAME_LIMIT:
            problems.append(f"“{alias[:40]}…” is longer than {OWNER_NAME_LIMIT} characters.")
        elif alias.casefold() in others:
            problems.append(f"“{alias}” is already used for “{others[alias.casefold()][0]}”.")
    if problems:
        errors["aliases"] = problems
    if errors:
        raise ValidationError(errors)
    return name, list(kept.values())


def _set_owner(owner: Owner, aliases: list[str], delegates) -> None:
    wanted = {alias.casefold(): alias for alias in aliases}
    for alias in owner.aliases.all():
        if wanted.get(alias.name.casefold()) == alias.name:
            del wanted[alias.name.casefold()]
        else:
            alias.delete()
    for alias in wanted.values():
        OwnerAlias.objects.create(owner=owner, name=alias)
    owner.delegates.set(delegates)


@transaction.atomic
def create_owner(*, by, name: str, aliases: list[str] = (), delegates=()) -> Owner:
    """The scrutiny office adds an owner (a role or body responsible for recommendations), the other
    spellings reports use for it, and the people who act for it."""
    permissions.ensure(by, "set_up")
    name, aliases = _checked_owner_words(name, list(aliases))
    owner = Owner(name=name)
    owner.full_clean()
    owner.save()
    _set_owner(owner, aliases, delegates)
    return owner


@transaction.atomic
def update_owner(owner: Owner, *, by, name: str, aliases: list[str], delegates) -> Owner:
    """The scrutiny office renames an owner, changes its other spellings or who acts for it.

    No version to compare (the last save wins, under a row lock), but nothing is lost: a
    renamed owner keeps its old name as another spelling, so the reports, pastes and imports
    that use it still find this owner (the office may take it off afterwards).
    """
    permissions.ensure(by, "set_up")
    try:
        current = Owner.objects.select_for_update().get(pk=owner.pk)
    except Owner.DoesNotExist:
        raise RecordGone("This owner was removed by someone else while you were editing it.") from None
    aliases = list(aliases)
    if _owner_words(name).casefold() != current.name.casefold():
        aliases.append(current.name)
    name, aliases = _checked_owner_words(name, aliases, owner_pk=current.pk)
    current.name = name
    current.full_clean()
    current.save()
    _set_owner(current, aliases, delegates)
    _copy_fields(current, owner)
    return current


# --- Each person's e-mails -----------------------------------------------------------------


@transaction.atomic
def choose_messages(user, *, by, wanted: set[str]) -> set[str]:
    """Someone chooses which of the optional e-mails they are sent (notifications.OPTIONAL: the reminder
    before the evidence deadline, the pack, the decisions); the others ask for work and always go.
    Only they choose for themselves. Returns the kinds now turned off."""
    permissions.ensure(by, "view")
    if by.pk != user.pk:
        raise PermissionDenied("Only they can choose which e-mails they are sent.")
    unknown = set(wanted) - set(notifications.OPTIONAL)
    if unknown:
        raise ValidationError({"wanted": "Choose from the e-mails listed."})
    off = set(notifications.OPTIONAL) - set(wanted)
    MessageOptOut.objects.filter(user=user).exclude(kind__in=off).delete()
    for kind in off:
        MessageOptOut.objects.get_or_create(user=user, kind=kind)
    return off


# --- The scrutiny office publishes the pack -------------------------------------------------


# How often publishing lays the pages out before it gives up on data that keeps changing meanwhile.
MOST_LAYOUTS = 3

NOTHING_LATE = ("No update has been received since the pack was published, so there is nothing to put in a "
                "supplement.")


class PackKeptChanging(Exception):
    """The data changed each time the pack was laid out, so nothing was published."""


def _unwatched(step: str) -> None:
    """Published in the request or on the command line: nobody follows the steps."""


def _source_sha256(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _pack_html(meeting: Meeting) -> str:
    cycle.require(meeting, "publish_pack")
    return render_pack_html(pack_for(meeting))


def _supplement_html(meeting: Meeting) -> str:
    try:
        cycle.require(meeting, "publish_supplement")
    except cycle.CycleError as error:
        raise ValidationError(str(error), code="cycle") from error
    supplement = supplement_for(meeting)
    if supplement.pack is None or not supplement.recommendations:
        raise ValidationError(NOTHING_LATE, code="empty")
    return render_supplement_html(supplement)


def _latest_published(meeting: Meeting, *, supplement: bool) -> PublishedPack | None:
    return meeting.published_packs.filter(supplement=supplement).defer("pdf").order_by("-version").first()


def _publish(meeting: Meeting, *, by, supplement: bool, progress: Callable[[str], None]) -> Publication:
    """Publish the pack (or a supplement) without holding the meeting while WeasyPrint works.

    (a) The data is read and the HTML rendered, holding no lock; (b) the PDF is laid out
    with no transaction open, so the build's progress is seen from other connections and
    other writers are not held up (SQLite has one writer at a time); (c) in one short
    transaction with the meeting locked, the cycle is checked and the HTML rendered again:
    if it is what was laid out, the version is stored; if the data changed meanwhile, the
    new HTML is laid out, at most MOST_LAYOUTS times in all. The HTML is compared by its
    SHA-256, kept as the version's ``source_sha256``: publishing what is already out gives
    that version back without laying anything out.
    """
    html_of = _supplement_html if supplement else _pack_html
    progress("gather")
    html = html_of(Meeting.objects.get(pk=meeting.pk))
    for _ in range(MOST_LAYOUTS):
        source = _source_sha256(html)
        latest = _latest_published(meeting, supplement=supplement)
        if latest is not None and latest.source_sha256 == source:
            return Publication(latest, is_new=False)
        pdf, _ = html_to_pdf(html, on_step=progress)
        progress("store")
        with transaction.atomic():
            # The meeting's row lock: two people publishing at once get consecutive versions,
            # and no service that writes for the meeting (they lock it too) changes the data
            # between the comparison and the new version.
            locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
            html = html_of(locked)
            if _source_sha256(html) == source:
                return _store_version(locked, pdf, source, supplement=supplement, by=by)
    raise PackKeptChanging(
        f"The data changed each of the {MOST_LAYOUTS} times the pages were laid out, so nothing was published. "
        "Try again when fewer people are saving changes to this meeting."
    )


def _store_version(meeting: Meeting, pdf: bytes, source: str, *, supplement: bool, by) -> Publication:
    """Store the PDF as the meeting's next version (the meeting locked by the caller), unless
    someone published the same data meanwhile."""
    latest = _latest_published(meeting, supplement=supplement)
    if latest is not None and latest.source_sha256 == source:
        return Publication(latest, is_new=False)
    number = meeting.published_packs.aggregate(latest=Max("version"))["latest"] or 0
    published = PublishedPack.objects.create(
        meeting=meeting, version=number + 1, supplement=supplement, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
        source_sha256=source, size=len(pdf), published_by=by,
    )
    if not supplement and meeting.state == Meeting.State.EVIDENCE_OPEN:
        meeting.state = cycle.NEXT_STATE[Meeting.State.EVIDENCE_OPEN]
        meeting.version += 1  # a form holding the meeting from before sees it moved on
        meeting._history_user = by
        meeting.save(update_fields=["state", "version"])
    _public_facts_changed(meeting)
    if not supplement:
        notifications.meeting_changed(meeting)
    return Publication(published, is_new=True)


def publish_pack(meeting: Meeting, *, by, progress: Callable[[str], None] | None = None) -> Publication:
    """The scrutiny office publishes the meeting's pack for members and the council's website.

    The PDF built from today's data is stored with its SHA-256, size and time, as the next
    version for the meeting; earlier versions stay as they were and later edits to the data
    never change a published pack. Publishing again with nothing changed (a double click,
    a retry) gives back the latest version instead of a copy: the HTML the PDF is laid out
    from is compared, so no PDF is even built. Allowed while evidence is open or once a
    pack is out (``cycle.require(meeting, "publish_pack")``); the first publication moves
    the meeting from "Evidence open" to "Pack published". The meeting is locked only to
    compare and store, not while the pages are laid out (``_publish``). Pages ask for it
    through ``ask_for_pack_build`` (the background worker calls this, telling ``progress``
    each step). Raises PermissionDenied, cycle.CycleError or PackKeptChanging.
    """
    permissions.ensure(by, "build_pack")
    return _publish(meeting, by=by, supplement=False, progress=progress or _unwatched)


def publish_supplement(meeting: Meeting, *, by, progress: Callable[[str], None] | None = None) -> Publication:
    """The scrutiny office publishes a supplement to the pack: only the updates received since
    the pack was published, by recommendation, under a heading with the pack's date.

    Stored as the meeting's next pack version, marked as a supplement; the pack itself is
    unchanged. Publishing again with nothing new gives back the supplement already out.
    Allowed while the pack is published (tracker.cycle); published as ``publish_pack`` is,
    without holding the meeting while the pages are laid out. Raises PermissionDenied,
    ValidationError (the cycle, or nothing late) or PackKeptChanging.
    """
    permissions.ensure(by, "build_pack")
    return _publish(meeting, by=by, supplement=True, progress=progress or _unwatched)


# --- The pack built in the background, with its progress --------------------------------------

# A build that has not moved on for this long was left by a worker that stopped (a restart, a crash):
# asking again starts a new one. The longest step (laying out the pages) takes about a minute for
# a thousand recommendations.
BUILD_STALLED_AFTER = datetime.timedelta(minutes=30)
# A finished draft is kept a day, and an hour once a newer draft of the same meeting is ready;
# the record of other builds (publishing, failures) for 30 days.
DRAFT_KEPT = datetime.timedelta(days=1)
REPLACED_DRAFT_KEPT = datetime.timedelta(hours=1)
BUILD_RECORD_KEPT = datetime.timedelta(days=30)

BUILD_NEEDS = {PackBuild.Kind.PUBLISH_PACK: "publish_pack", PackBuild.Kind.PUBLISH_SUPPLEMENT: "publish_supplement"}

BUILD_STALLED = "It stopped without finishing, probably because the server was restarted. Try again."
BUILD_WENT_WRONG = ("Something went wrong on the server while it was being built. Try again. If it goes wrong "
                    "again, tell whoever looks after this service: the details are in the background worker’s log.")
BUILD_ASKER_GONE = "The account of the person who asked for it was removed, so it was not built. Try again."


def ask_for_pack_build(meeting: Meeting, kind: str, *, by) -> PackBuild:
    """The scrutiny office asks for the draft pack (PDF or Word), or to publish the pack or a
    supplement: the build is recorded and queued for the background worker
    (tracker.tasks.build_pack, once this transaction commits), and its page follows it.

    Asking again while the same build of the same meeting is waiting or under way gives back
    that build, whoever asked: a double click queues nothing twice (and the database keeps
    one at a time). A build that stopped moving long ago (BUILD_STALLED_AFTER) is marked as
    failed and a new one is queued. Publishing is refused here already when the meeting's
    cycle does not allow it, or when a supplement would have nothing in it. Old drafts are
    pruned first. Raises PermissionDenied or ValidationError.
    """
    from tracker import tasks

    permissions.ensure(by, "build_pack")
    prune_pack_builds()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        action = BUILD_NEEDS.get(kind)
        if action:
            try:
                cycle.require(meeting, action)
            except cycle.CycleError as error:
                raise ValidationError(str(error), code="cycle") from error
        if kind == PackBuild.Kind.PUBLISH_SUPPLEMENT and not selectors.late_updates_count(meeting):
            raise ValidationError(NOTHING_LATE, code="empty")
        now = timezone.now()
        current = (
            meeting.pack_builds.filter(kind=kind, state__in=PackBuild.IN_PROGRESS).defer("content").first()
        )
        if current is not None:
            if current.progress_at > now - BUILD_STALLED_AFTER:
                return current
            PackBuild.objects.filter(pk=current.pk).update(
                state=PackBuild.State.FAILED, failure=BUILD_STALLED, finished_at=now
            )
        build = PackBuild.objects.create(
            meeting=meeting, kind=kind, asked_by=by, asked_at=now, progress_at=now, steps=pack_progress.steps_for(kind)
        )
        transaction.on_commit(lambda: tasks.build_pack.enqueue(build.pk), robust=True)
    return build


def run_pack_build(build_id: int) -> PackBuild | None:
    """The background worker builds what was asked for: a draft, kept in the build's row for any
    app server to hand out, or publishing (``publish_pack``, ``publish_supplement``).

    Each step is written to the build as it starts (tracker.pack.progress). A build that is no
    longer waiting (already built, or given up on as stopped) is left alone: None. Whatever
    stops it is said in the build's ``failure``, in words the person who asked can act on;
    an unexpected error is also logged and raised again, for the task's own record.
    """
    now = timezone.now()
    started = PackBuild.objects.filter(pk=build_id, state=PackBuild.State.WAITING).update(
        state=PackBuild.State.BUILDING, started_at=now, progress_at=now
    )
    if not started:
        return None
    build = PackBuild.objects.select_related("meeting", "asked_by").defer("content").get(pk=build_id)
    step = pack_progress.Progress(build.pk, build.kind)
    try:
        if build.asked_by is None:
            raise PermissionDenied(BUILD_ASKER_GONE)
        permissions.ensure(build.asked_by, "build_pack")
        outcome = _build(build, step)
    except (PermissionDenied, ValidationError, cycle.CycleError, PackKeptChanging) as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        _finish_build(build, PackBuild.State.FAILED, failure=reason)
    except Exception:
        logger.exception("The background build of the pack failed (build %s, %s)", build.pk, build.kind)
        _finish_build(build, PackBuild.State.FAILED, failure=BUILD_WENT_WRONG)
        raise
    else:
        _finish_build(build, PackBuild.State.READY, step=build.steps, percent=100, **outcome)
    return PackBuild.objects.defer("content").get(pk=build_id)


def _build(build: PackBuild, step: Callable[[str], None]) -> dict:
    """Do the work of ``build``; returns what its row keeps of the outcome."""
    meeting, by = build.meeting, build.asked_by
    Kind = PackBuild.Kind
    if build.kind == Kind.PUBLISH_PACK:
        publication = publish_pack(meeting, by=by, progress=step)
        return {"published": publication.pack, "published_new": publication.is_new}
    if build.kind == Kind.PUBLISH_SUPPLEMENT:
        publication = publish_supplement(meeting, by=by, progress=step)
        return {"published": publication.pack, "published_new": publication.is_new}
    step("gather")
    pack = pack_for(meeting)
    if build.kind == Kind.DRAFT_PDF:
        content, _ = html_to_pdf(render_pack_html(pack), on_step=step)
    else:
        step("write")
        content = pack_docx(pack)
    step("store")
    return {"content": content, "size": len(content)}


def _finish_build(build: PackBuild, state: str, **fields) -> None:
    now = timezone.now()
    PackBuild.objects.filter(pk=build.pk, state=PackBuild.State.BUILDING).update(
        state=state, finished_at=now, progress_at=now, **fields
    )


def prune_pack_builds(now: datetime.datetime | None = None) -> int:
    """Remove finished drafts a day old (an hour old once a newer draft of the same meeting is
    ready), and the record of other finished builds after 30 days; returns how many went.

    Cheap enough to run whenever a build is asked for (one DELETE); the daily run
    (tracker.tasks.send_reminders) runs it too.
    """
    now = now or timezone.now()
    newer_draft = PackBuild.objects.filter(
        meeting=OuterRef("meeting"), kind=OuterRef("kind"), state=PackBuild.State.READY,
        asked_at__gt=OuterRef("asked_at"),
    )
    finished = Q(state__in=PackBuild.FINISHED)
    drafts = Q(kind__in=PackBuild.DRAFTS)
    old = PackBuild.objects.filter(
        finished & drafts & Q(finished_at__lt=now - DRAFT_KEPT)
        | finished & drafts & Q(finished_at__lt=now - REPLACED_DRAFT_KEPT) & Exists(newer_draft)
        | finished & Q(finished_at__lt=now - BUILD_RECORD_KEPT)
    )
    deleted, _ = old.delete()
    return deleted


def _public_facts_changed(meeting: Meeting, *, recommendation_id: int | None = None) -> None:
    """What the public register and the open data show of a meeting and its recommendations changed
    (a pack or supplement published, decisions recorded or corrected): mark them, and their
    inquiries, changed now, so that a harvester asking for what changed since finds them."""
    now = timezone.now()
    tracked = Recommendation.objects.filter(assessments__meeting=meeting)
    if recommendation_id is not None:
        tracked = tracked.filter(pk=recommendation_id)
    Recommendation.objects.filter(pk__in=tracked.values("pk")).update(changed_at=now)
    Inquiry.objects.filter(recommendations__in=tracked.values("pk")).update(changed_at=now)
    Meeting.objects.filter(pk=meeting.pk).update(changed_at=now)


# --- The cover report: the assessor's introduction, the scrutiny office's contact ---------


def _reporting_owner(meeting: Meeting, inquiry_id: int) -> Owner | None:
    """Who reports when no earlier cover says: the owner of the inquiry's tracked recommendations
    that an assessor acts for (the one with most of them)."""
    return (
        Owner.objects.filter(
            responsibilities__recommendation__inquiry_id=inquiry_id,
            responsibilities__recommendation__assessments__meeting=meeting,
            delegates__groups__name=roles.ASSESSOR,
        )
        .annotate(tracked=Count("responsibilities", distinct=True))
        .order_by("-tracked", "name", "pk")
        .first()
    )


@transaction.atomic
def draft_cover_reports(meeting: Meeting, *, by) -> list[CoverReport]:
    """A cover report for each inquiry the meeting tracks that has none yet, drafted from the
    same inquiry's cover at the committee's previous meeting (introduction, contact officer,
    who reports), for the assessor and the scrutiny office to bring up to date.

    Without an earlier cover, the reporting owner is the one of the inquiry's recommendations
    that the assessor acts for, and the contact is left for the scrutiny office to give.
    Done when the recommendations are chosen and again when the meeting opens for evidence.
    """
    permissions.ensure(by, "manage_meetings")
    tracked = set(
        Recommendation.objects.filter(assessments__meeting=meeting).values_list("inquiry_id", flat=True)
    )
    missing = tracked - set(meeting.cover_reports.values_list("inquiry_id", flat=True))
    drafted = []
    for inquiry_id in sorted(missing):
        earlier = (
            CoverReport.objects.filter(inquiry_id=inquiry_id, meeting__committee_id=meeting.committee_id)
            .filter(meetings_before(meeting, "meeting__"))
            .order_by(*latest_meeting_first())
            .first()
        )
        cover = CoverReport(meeting=meeting, inquiry_id=inquiry_id)
        if earlier is not None:
            for name in ("reporting_owner_id", "introduction", "contact_name", "contact_title",
                         "contact_telephone", "contact_email"):
                setattr(cover, name, getattr(earlier, name))
        else:
            owner = _reporting_owner(meeting, inquiry_id)
            if owner is None:
                continue  # nobody to report yet: the pack says "The appropriate …" until there is
            cover.reporting_owner = owner
        _by(cover, by).save()
        drafted.append(cover)
    return drafted


def _check_cover_text(value: str, field: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    texts.check_storable(value, field)
    if limit is not None and len(value) > limit:
        raise ValidationError({field: f"This must be {limit} characters or fewer."})
    return value


@transaction.atomic
def write_cover_introduction(cover: CoverReport, *, by, expected_version: int | None, introduction: str) -> CoverReport:
    """The assessor writes the introduction to their report (paragraph 4 of the cover); the
    scrutiny office may write it on their behalf. Editable until the pack is published."""
    permissions.ensure(by, "write_cover_introduction", cover)
    _require(cover.meeting, "write_cover")
    introduction = _check_cover_text(introduction, "introduction", texts.MAX_EVIDENCE_LENGTH)
    current = locked_for_edit(cover, expected_version)
    current.introduction = introduction
    _by(current, by).save()
    _copy_fields(current, cover)
    return current


@transaction.atomic
def set_cover_contact(
    cover: CoverReport, *, by, expected_version: int | None, contact_name: str, contact_title: str = "",
    contact_telephone: str = "", contact_email: str = "",
) -> CoverReport:
    """The scrutiny office gives the contact officer printed at the foot of the cover report."""
    from django.core.validators import validate_email

    permissions.ensure(by, "set_cover_contact", cover)
    _require(cover.meeting, "write_cover")
    fields = {
        "contact_name": _check_cover_text(contact_name, "contact_name", 200),
        "contact_title": _check_cover_text(contact_title, "contact_title", 200),
        "contact_telephone": _check_cover_text(contact_telephone, "contact_telephone", 50),
        "contact_email": _check_cover_text(contact_email, "contact_email", 254),
    }
    if not fields["contact_name"]:
        raise ValidationError({"contact_name": "Enter the contact officer’s name."})
    if fields["contact_email"]:
        try:
            validate_email(fields["contact_email"])
        except ValidationError:
            raise ValidationError({"contact_email": "Enter an e-mail address like name@example.gov.uk."}) from None
    current = locked_for_edit(cover, expected_version)
    for name, value in fields.items():
        setattr(current, name, value)
    _by(current, by).save()
    _copy_fields(current, cover)
    return current


@transaction.atomic
def update_cover_report(cover: CoverReport, *, by, expected_version: int | None, introduction: str,
                        **contact) -> CoverReport:
    """The scrutiny office saves the whole cover in one go: the introduction on the assessor's
    behalf (``write_cover_introduction``) and the contact officer (``set_cover_contact``)."""
    current = write_cover_introduction(cover, by=by, expected_version=expected_version, introduction=introduction)
    return set_cover_contact(current, by=by, expected_version=current.version, **contact)
