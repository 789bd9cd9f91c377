"""The assessment rules, in one place.

Every rule reads a category's flags (``needs_anticipated_date``,
``only_before_completion``, ``warn_after_completion``, ``counts_as_achieved``),
so a council's own scheme works without code. Pure functions: no queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q


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


def late_category(scheme_categories):
    """The scheme's "achieved, but late" category: achieved, and not one that means "within the timescale".

    Only a scheme that has one can ask "was it achieved late?".
    """
    return next((c for c in scheme_categories if c.counts_as_achieved and not c.warn_after_completion), None)


def date_in_force(completion_date: datetime.date | None, revised_date: datetime.date | None, *,
                  revised_dates_count: bool) -> datetime.date | None:
    """The date a recommendation is judged against.

    The completion date in force (its latest recorded move, else the original; None when
    on-going or waiting on an event) — or, in a scheme where dates advised with a category
    count (``AssessmentScheme.revised_dates_count``, e.g. "Slipped" with its revised date),
    the latest such date advised at an earlier meeting.
    """
    if revised_dates_count and revised_date is not None:
        return revised_date
    return completion_date


def check_proposal(
    category,
    anticipated_date: datetime.date | None,
    *,
    completion_date: datetime.date | None,
    meeting_date: datetime.date | None,
    today: datetime.date | None = None,
    reasons: str = "",
    has_late_category: bool = True,
    date_revised: bool = False,
) -> Verdict:
    """Check a proposed (or agreed) category for a recommendation at a meeting.

    ``completion_date`` is the date in force (``date_in_force``; None for on-going or an
    awaited event, which never expires; ``date_revised`` when it is a revised date);
    ``meeting_date`` is the meeting's date (today when the meeting has none yet);
    ``has_late_category``: the scheme has an "achieved late" category, so an achieved
    proposal after the date is worth a question; ``reasons`` for a category that needs them.
    """
    verdict = Verdict()
    on = meeting_date or today or datetime.date.today()
    expired = timescale_expired(completion_date, on)
    date_words = "revised completion date" if date_revised else "completion date"

    if category.needs_reasons and not (reasons or "").strip():
        verdict.refuse("reasons", f"“{category}” needs the reasons: say why, in a sentence or two.")

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
            f"{date_words} ({_fmt(completion_date)}) passed before the meeting ({_fmt(on)}). "
            "Choose a category that says whether it was achieved.",
        )
    if category.warn_after_completion and expired and has_late_category:
        verdict.warnings.append(
            f"“{category}” means achieved within the timescale, but the {date_words} "
            f"({_fmt(completion_date)}) passed before the meeting ({_fmt(on)}). "
            "Check whether it was achieved late."
        )
    return verdict


def means_slipped(category) -> bool:
    """A category that says the recommendation has slipped: not achieved, and it must give a new date
    by which it is expected, or the reasons (the seed's "Not Achieved (Progress Made)", another
    council's "Slipped")."""
    return bool(
        category and not category.counts_as_achieved
        and (category.needs_anticipated_date or category.needs_reasons)
    )


def slipped_categories(prefix: str = "") -> Q:
    """``means_slipped`` as a filter on categories (``prefix`` is the path to the category)."""
    return Q(**{f"{prefix}counts_as_achieved": False}) & (
        Q(**{f"{prefix}needs_anticipated_date": True}) | Q(**{f"{prefix}needs_reasons": True})
    )


def anticipated_date_missing(category, anticipated_date: datetime.date | None) -> bool:
    """A recorded category that needs an anticipated date but has none (imported history)."""
    return bool(category and category.needs_anticipated_date and anticipated_date is None)


def normally_concludes(category) -> bool:
    """Achieved categories are normally concluded by the committee."""
    return bool(category and category.counts_as_achieved)


def explain(category) -> list[str]:
    """What a category's flags mean, in plain words, for the scheme pages."""
    rules = []
    if category.counts_as_achieved:
        rules.append("Means the recommendation is achieved: the committee normally concludes it.")
    if category.needs_anticipated_date:
        rules.append("A proposal must give the date by which it is expected to be achieved.")
    if category.needs_reasons:
        rules.append("A proposal must give the reasons (for example, why it slipped); they are printed in the pack.")
    if category.only_before_completion:
        rules.append("Only allowed while the date in force has not passed (for example, “on track, not yet due”).")
    if category.warn_after_completion:
        rules.append("Means achieved within the timescale: proposing it after the date in force asks whether it "
                     "was achieved late, when the scheme has a category for that.")
    return rules or ["No rules: any recommendation can be given this category at any time."]


def check_scheme(assessment) -> None:
    """An assessment's categories must come from the scheme its meeting uses."""
    scheme_id = assessment.meeting.scheme_id
    errors = {}
    for name in ("proposed_category", "agreed_category"):
        category = getattr(assessment, name)
        if category is not None and category.scheme_id != scheme_id:
            errors[name] = ValidationError(
                f"“{category}” is not a category of the scheme this meeting uses.", code="wrong_scheme"
            )
    if errors:
        raise ValidationError(errors)


def hints(scheme) -> dict[str, list]:
    """The scheme's categories that need an anticipated date, that need reasons, and that count as
    achieved: what a page's hints name (reads the categories once; prefetched ones are used)."""
    categories = list(scheme.categories.all())
    return {
        "dated": [c for c in categories if c.needs_anticipated_date],
        "with_reasons": [c for c in categories if c.needs_reasons],
        "achieved": [c for c in categories if c.counts_as_achieved],
    }
