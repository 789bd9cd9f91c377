"""One function per thing a user does. Each is transactional and applies the rules.

Views call these; they never write two models by hand.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker import categories
from tracker.models import Assessment, Category, DateChange, Milestone


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
    """The cabinet member proposes a category for a recommendation at a meeting.

    Refused (ValidationError) when the category's rules say so: a category that needs an
    anticipated date without one, or an in-progress category once the timescale has expired.
    Returns the warnings (e.g. "achieved fully" proposed after the completion date).
    Moving an anticipated date already advised needs a reason, and the move is kept.
    """
    if category.scheme_id != assessment.meeting.committee.scheme_id:
        raise ValidationError({"category": "Choose a category of this committee’s scheme."})
    verdict = categories.check_proposal(
        category,
        anticipated_date,
        completion_date=assessment.recommendation.completion_date(),
        meeting_date=assessment.meeting.date,
        today=today,
    )
    moved = bool(assessment.anticipated_date and anticipated_date != assessment.anticipated_date)
    if moved and anticipated_date and not reason.strip():
        verdict.refuse("reason", "Say why the anticipated date is moving.")
    verdict.raise_if_refused()
    if moved and anticipated_date:
        DateChange.objects.create(
            assessment=assessment,
            previous_date=assessment.anticipated_date,
            new_date=anticipated_date,
            reason=reason.strip(),
            changed_by=by,
        )
    current = locked_for_edit(assessment, expected_version)
    current.proposed_category = category
    current.anticipated_date = anticipated_date
    current.proposed_by = by
    current.proposed_at = timezone.now()
    current.save()
    assessment.refresh_from_db()
    return verdict.warnings


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
