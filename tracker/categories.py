"""The assessment rules, in one place.

Every rule reads a category's flags (``needs_anticipated_date``,
``only_before_completion``, ``warn_after_completion``, ``counts_as_achieved``),
so a council's own scheme works without code. Pure functions: no queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError


@dataclass
class Verdict:
    """What the rules say about a proposal: errors refuse it, warnings let it through."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)

    def raise_if_refused(self) -> None:
        if self.errors:
            raise ValidationError(
                {name: [ValidationError(m, code="category_rule") for m in msgs] for name, msgs in self.errors.items()}
            )


def _fmt(date: datetime.date) -> str:
    return date.strftime("%-d %B %Y")


def timescale_expired(completion_date: datetime.date | None, on: datetime.date) -> bool:
    """Has the completion date passed by ``on``? An on-going recommendation never expires."""
    return completion_date is not None and on > completion_date


def check_proposal(
    category,
    anticipated_date: datetime.date | None,
    *,
    completion_date: datetime.date | None,
    meeting_date: datetime.date | None,
    today: datetime.date | None = None,
) -> Verdict:
    """Check a cabinet member's proposed category for a recommendation at a meeting.

    ``completion_date`` is the completion date in force (None for on-going);
    ``meeting_date`` is the meeting's date (today when the meeting has none yet).
    """
    verdict = Verdict()
    on = meeting_date or today or datetime.date.today()
    expired = timescale_expired(completion_date, on)

    if category.needs_anticipated_date and anticipated_date is None:
        verdict.refuse(
            "anticipated_date",
            f"“{category}” needs an anticipated date by which the recommendation "
            "is expected to be achieved.",
        )
    if anticipated_date is not None and anticipated_date < on:
        verdict.refuse(
            "anticipated_date",
            f"The anticipated date must not be before the meeting ({_fmt(on)}).",
        )
    if category.only_before_completion and expired:
        verdict.refuse(
            "category",
            f"“{category}” is only right while the timescale has not expired, but the "
            f"completion date ({_fmt(completion_date)}) passed before the meeting ({_fmt(on)}). "
            "Choose a category that says whether it was achieved.",
        )
    if category.warn_after_completion and expired:
        verdict.warnings.append(
            f"“{category}” means achieved within the timescale, but the completion date "
            f"({_fmt(completion_date)}) passed before the meeting ({_fmt(on)}). "
            "Check whether it was achieved late."
        )
    return verdict


def anticipated_date_missing(category, anticipated_date: datetime.date | None) -> bool:
    """A recorded category that needs an anticipated date but has none (imported history)."""
    return bool(category and category.needs_anticipated_date and anticipated_date is None)


def normally_concludes(category) -> bool:
    """Achieved categories are normally concluded by the committee."""
    return bool(category and category.counts_as_achieved)


def check_scheme(assessment) -> None:
    """An assessment's categories must come from its committee's scheme."""
    scheme_id = assessment.meeting.committee.scheme_id
    errors = {}
    for name in ("proposed_category", "agreed_category"):
        category = getattr(assessment, name)
        if category is not None and category.scheme_id != scheme_id:
            errors[name] = ValidationError(
                f"“{category}” is not a category of this committee’s scheme.", code="wrong_scheme"
            )
    if errors:
        raise ValidationError(errors)
