"""One function per thing a user does. Each is transactional and applies the rules.

Views call these; they never write two models by hand. The functions a page calls
check who is asking (tracker.permissions, PermissionDenied) and the meeting's state
(tracker.cycle, CycleError) before they write; a refused input is a ValidationError
keyed by form field; a save from an old read is StaleEdit. Nothing written is ever
deleted: evidence is corrected by new versions (django-simple-history keeps the old).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker import categories, cycle, permissions, selectors
from tracker.models import (
    Assessment,
    Category,
    Committee,
    Conclusion,
    DateChange,
    EvidenceUpdate,
    Meeting,
    Milestone,
    Recommendation,
)


class StaleEdit(Exception):
    """Someone else saved this record since it was read: the save is refused, nothing is lost."""

    def __init__(self, current):
        super().__init__("This record was changed by someone else while you were editing it.")
        self.current = current


def locked_for_edit(instance, expected_version: int | None):
    """Re-read ``instance`` under a row lock; refuse if it moved past ``expected_version``.

    Optimistic locking: a form carries the version it was read at, and a second person
    saving from an older read gets StaleEdit instead of silently overwriting the first.
    """
    current = type(instance).objects.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(current)
    current.version += 1
    return current


def _set_category(
    assessment: Assessment,
    side: str,
    category: Category,
    anticipated_date: datetime.date | None,
    *,
    by,
    expected_version: int | None,
    reason: str,
    today: datetime.date | None,
) -> tuple[Assessment, list[str]]:
    """Apply the category rules and record ``side`` ("proposed" or "agreed") of an assessment.

    Refused (ValidationError) when the category is not of the committee's scheme or its
    rules say no; a moved anticipated date needs a reason and is kept as a DateChange.
    Returns the saved row and the rules' warnings.
    """
    meeting = assessment.meeting
    if category.scheme_id != meeting.committee.scheme_id:
        raise ValidationError({"category": "Choose a category of this committee’s scheme."})
    verdict = categories.check_proposal(
        category,
        anticipated_date,
        completion_date=assessment.recommendation.completion_date(),
        meeting_date=meeting.date,
        today=today,
    )
    moved = bool(assessment.anticipated_date and anticipated_date and anticipated_date != assessment.anticipated_date)
    if moved and not reason.strip():
        verdict.refuse("reason", "Say why the anticipated date is moving.")
    verdict.raise_if_refused()
    current = locked_for_edit(assessment, expected_version)
    if moved:
        _by(DateChange(
            assessment=current,
            previous_date=assessment.anticipated_date,
            new_date=anticipated_date,
            reason=reason.strip(),
            changed_by=by,
        ), by).save()
    setattr(current, f"{side}_category", category)
    setattr(current, f"{side}_by", by)
    setattr(current, f"{side}_at", timezone.now())
    current.anticipated_date = anticipated_date
    _by(current, by).save()
    assessment.refresh_from_db()
    return current, verdict.warnings


@transaction.atomic
def propose_assessment(
    assessment: Assessment,
    category: Category,
    anticipated_date: datetime.date | None,
    *,
    by,
    expected_version: int | None = None,
    reason: str = "",
    today: datetime.date | None = None,
) -> list[str]:
    """The cabinet member's proposed category for a recommendation at a meeting.

    Refused (ValidationError) when the category's rules say so: a category that needs an
    anticipated date without one, or an in-progress category once the timescale has expired.
    Returns the warnings (e.g. "achieved fully" proposed after the completion date).
    Moving an anticipated date already advised needs a reason, and the move is kept.
    Permission and meeting state are checked by propose_category, which users go through.
    """
    _, warnings = _set_category(
        assessment, "proposed", category, anticipated_date,
        by=by, expected_version=expected_version, reason=reason, today=today,
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


def _allow(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require(meeting: Meeting, action: str) -> None:
    try:
        cycle.require(meeting, action)
    except cycle.CycleError as error:
        raise ValidationError(str(error), code="cycle") from error


def _by(instance, user):
    """Record who made this version in its history (also outside a request)."""
    instance._history_user = user
    return instance


# --- The scrutiny office runs the meetings ------------------------------------------------


@transaction.atomic
def schedule_meeting(
    committee: Committee, date: datetime.date, evidence_deadline: datetime.date | None, *, by
) -> Meeting:
    """The scrutiny office schedules a tracking meeting of a committee, with an evidence deadline."""
    _allow(permissions.can_manage_meetings(by), "Only the scrutiny office schedules meetings.")
    errors = {}
    if evidence_deadline and date and evidence_deadline > date:
        errors["evidence_deadline"] = "The evidence deadline must be on or before the meeting date."
    if date and Meeting.objects.filter(committee=committee, date=date).exists():
        errors["date"] = f"{committee} already has a meeting on {date:%-d %B %Y}."
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(committee=committee, date=date, evidence_deadline=evidence_deadline)
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
    _allow(permissions.can_manage_meetings(by), "Only the scrutiny office changes meetings.")
    _require(meeting, "change_meeting")
    errors = {}
    if evidence_deadline and date and evidence_deadline > date:
        errors["evidence_deadline"] = "The evidence deadline must be on or before the meeting date."
    if date and Meeting.objects.filter(committee_id=meeting.committee_id, date=date).exclude(pk=meeting.pk).exists():
        errors["date"] = f"{meeting.committee} already has a meeting on {date:%-d %B %Y}."
    if errors:
        raise ValidationError(errors)
    current = locked_for_edit(meeting, expected_version)
    current.date = date
    current.evidence_deadline = evidence_deadline
    _by(current, by).save()
    return current


@transaction.atomic
def choose_recommendations(meeting: Meeting, recommendations=None, *, by) -> list[Assessment]:
    """The scrutiny office picks the recommendations to track at a meeting.

    By default every recommendation of the committee not yet concluded: what was not
    concluded last time carries forward. Each chosen one gets its Assessment row for the
    meeting. One taken off the list loses its row only while nobody has assessed it.
    """
    _allow(permissions.can_manage_meetings(by), "Only the scrutiny office chooses what is tracked.")
    _require(meeting, "choose_recommendations")
    trackable = Recommendation.objects.filter(inquiry__committee_id=meeting.committee_id).tracked()
    if recommendations is None:
        chosen = list(trackable)
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
    existing = {a.recommendation_id: a for a in meeting.assessments.select_related("recommendation")}
    dropped = [a for rec_id, a in existing.items() if rec_id not in chosen_ids]
    kept_back = [
        str(a.recommendation) for a in dropped if a.proposed_category_id or a.agreed_category_id
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
    _allow(permissions.can_manage_meetings(by), "Only the scrutiny office runs the meeting cycle.")
    problems = cycle.blockers(meeting, to_state, list(meeting.assessments.select_related("recommendation")))
    if problems:
        raise ValidationError(problems, code="cycle")
    current = locked_for_edit(meeting, expected_version)
    current.state = to_state
    _by(current, by).save()
    meeting.refresh_from_db()
    return current


# --- Officers and cabinet members write the evidence --------------------------------------


def _check_written_on(written_on: datetime.date | None, today: datetime.date | None):
    today = today or timezone.localdate()
    if written_on is None:
        raise ValidationError({"written_on": "Enter the date the update was written."})
    if written_on > today:
        raise ValidationError({"written_on": "The date written cannot be in the future."})


@transaction.atomic
def add_evidence(
    recommendation: Recommendation,
    meeting: Meeting,
    text: str,
    written_on: datetime.date | None,
    *,
    by,
    today: datetime.date | None = None,
) -> EvidenceUpdate:
    """An officer (or the cabinet member) adds a dated update to a recommendation's evidence.

    Append-only: earlier text is never touched. The update is printed as "Further
    information following the <previous meeting> meeting".
    """
    _allow(
        permissions.can_add_evidence(by, recommendation),
        f"You do not act for an owner of {recommendation}, so you cannot write its evidence.",
    )
    _require(meeting, "add_evidence")
    if not meeting.assessments.filter(recommendation=recommendation).exists():
        raise ValidationError(f"{recommendation} is not tracked at the meeting of {meeting.date_display}.")
    if Conclusion.objects.filter(recommendation=recommendation).exists():
        raise ValidationError(f"{recommendation} has been concluded; it takes no more evidence.")
    if not text.strip():
        raise ValidationError({"text": "Enter the evidence of progress."})
    _check_written_on(written_on, today)
    last = recommendation.evidence_updates.order_by("-position").values_list("position", flat=True).first()
    update = EvidenceUpdate(
        recommendation=recommendation,
        following_meeting=selectors.previous_meeting(meeting),
        text=text.strip(),
        written_on=written_on,
        author=by,
        position=(last if last is not None else -1) + 1,
    )
    _by(update, by).save()
    return update


def evidence_meeting(update: EvidenceUpdate) -> Meeting | None:
    """The meeting now collecting evidence for the update's recommendation, if any."""
    for meeting in Meeting.objects.filter(assessments__recommendation_id=update.recommendation_id).chronological():
        if cycle.allows(meeting, "edit_evidence"):
            return meeting
    return None


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
    """Its author corrects an update while evidence is being collected; every earlier version is kept."""
    _allow(permissions.can_edit_evidence(by, update), "Only its author or the scrutiny office corrects an update.")
    meeting = evidence_meeting(update)
    if meeting is None:
        raise ValidationError(
            f"No meeting is collecting evidence for {update.recommendation} now, so its evidence cannot be "
            "corrected. Add a new update when the next meeting opens for evidence.",
            code="cycle",
        )
    if not text.strip():
        raise ValidationError({"text": "Enter the evidence of progress."})
    if update.written_on is not None or written_on is not None:
        _check_written_on(written_on, today)
    current = locked_for_edit(update, expected_version)
    current.text = text.strip()
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
    today: datetime.date | None = None,
) -> list[str]:
    """The cabinet member proposes a category for a recommendation of their portfolio.

    Only while the meeting is open for evidence; the category rules are those of
    propose_assessment. Returns its warnings.
    """
    _allow(
        permissions.can_propose(by, assessment.recommendation),
        f"Only the cabinet member responsible for {assessment.recommendation} proposes its category.",
    )
    _require(assessment.meeting, "propose")
    return propose_assessment(
        assessment, category, anticipated_date, by=by, expected_version=expected_version, reason=reason, today=today
    )


@transaction.atomic
def record_decision(
    assessment: Assessment,
    category: Category,
    anticipated_date: datetime.date | None = None,
    *,
    by,
    expected_version: int | None = None,
    reason: str = "",
    concluded: bool = False,
    remark: str = "",
    today: datetime.date | None = None,
) -> list[str]:
    """The scrutiny office records the committee's category (which may differ from the proposal).

    The proposal stays as it was; the agreed category is kept beside it. The same rules
    apply as to a proposal. With ``concluded`` the committee concludes the recommendation
    (see ``conclude``). Returns the warnings.
    """
    _allow(permissions.can_record_decisions(by), "Only the scrutiny office records the committee’s decisions.")
    meeting = assessment.meeting
    _require(meeting, "record_decision")
    current, warnings = _set_category(
        assessment, "agreed", category, anticipated_date,
        by=by, expected_version=expected_version, reason=reason, today=today,
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
    assessment.refresh_from_db()
    return warnings


@transaction.atomic
def conclude(assessment: Assessment, remark: str = "", *, by) -> list[str]:
    """The committee concludes a recommendation: it leaves the tracking list for good.

    The tracking assessment printed afterwards is the category agreed at this meeting
    with the remark. Returns a warning when the agreed category is not an achieved one.
    """
    _allow(permissions.can_record_decisions(by), "Only the scrutiny office records the committee’s decisions.")
    _require(assessment.meeting, "record_decision")
    assessment.refresh_from_db()
    if assessment.agreed_category is None:
        raise ValidationError({"category": "Record the committee’s category before concluding."})
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
    if not categories.normally_concludes(assessment.agreed_category):
        return [
            f"“{assessment.agreed_category}” is not an achieved category; "
            f"{assessment.recommendation} is concluded because the committee decided so."
        ]
    return []
