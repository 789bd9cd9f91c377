"""Long lists in pages that cost the same at the end as at the start, and counts that stay cheap.

A page of recommendations is found by where the previous one ended (keyset pagination:
"the fifty after R07 of inquiry 812, in report order"), never by skipping rows with
OFFSET, which costs more the further in the page is. Report order is (inquiry, position,
number), unique because a number is unique within its inquiry, and the index
``recommendation_report_order`` serves it. A page's link carries that place as a short
opaque token; a token that cannot be read gives the first page, never an error.

Counts are exact up to ``EXACT_COUNT_UP_TO`` (more than a large council holds); beyond
it, PostgreSQL's planner estimate is given as "about 190,000" (SQLite: "more than 5,000"),
so a heading never counts a quarter of a million rows.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.formats import number_format

REPORT_ORDER = ("inquiry_id", "position", "number")
EXACT_COUNT_UP_TO = 5000


@dataclass(frozen=True)
class Count:
    value: int
    exact: bool = True

    def __str__(self) -> str:
        if self.exact:
            return number_format(self.value, force_grouping=True)
        if connection.vendor == "postgresql" and self.value > EXACT_COUNT_UP_TO:
            return f"about {number_format(_two_figures(self.value), force_grouping=True)}"
        return f"more than {number_format(EXACT_COUNT_UP_TO, force_grouping=True)}"


def _two_figures(value: int) -> int:
    digits = len(str(value))
    scale = 10 ** max(0, digits - 2)
    return round(value / scale) * scale


def count(queryset: QuerySet) -> Count:
    """How many rows the queryset has: exactly up to EXACT_COUNT_UP_TO, else an estimate."""
    plain = queryset.order_by().values("pk")
    exact = plain[: EXACT_COUNT_UP_TO + 1].count()
    if exact <= EXACT_COUNT_UP_TO:
        return Count(exact)
    return Count(max(_estimate(plain), EXACT_COUNT_UP_TO + 1), exact=False)


def _estimate(queryset: QuerySet) -> int:
    if connection.vendor != "postgresql":
        return 0
    plan = json.loads(queryset.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


@dataclass
class KeysetPage:
    """One page of a list in report order, with the tokens of the pages either side."""

    items: list
    count: Count
    next_token: str | None
    previous_token: str | None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_token or self.previous_token)


def token(recommendation) -> str:
    """The place just after (or before) ``recommendation`` in report order, as a link carries it."""
    key = json.dumps([recommendation.inquiry_id, recommendation.position, recommendation.number])
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _key(token: str | None) -> tuple[int, int, str] | None:
    """The place a token names, or None when it is missing or cannot be read."""
    if not token or len(token) > 600:
        return None
    try:
        inquiry, position, number = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        return None
    valid = (
        type(inquiry) is int and type(position) is int and isinstance(number, str)
        and 0 < inquiry < 2**63 and 0 <= position < 2**31 and len(number) <= 100
    )
    return (inquiry, position, number) if valid else None


def _beyond(key: tuple[int, int, str], *, after: bool, prefix: str = "") -> Q:
    """Rows after (or before) ``key`` in report order (``prefix``: the path to the recommendation,
    e.g. "recommendation__"). The first term repeats the leading column on its own so that the
    database seeks straight to the inquiry in the index."""
    inquiry, position, number = key
    more, less = ("gt", "gte") if after else ("lt", "lte")
    inquiry_id, at = f"{prefix}inquiry_id", f"{prefix}position"
    return Q(**{f"{inquiry_id}__{less}": inquiry}) & (
        Q(**{f"{inquiry_id}__{more}": inquiry})
        | Q(**{inquiry_id: inquiry, f"{at}__{more}": position})
        | Q(**{inquiry_id: inquiry, at: position, f"{prefix}number__{more}": number})
    )


def report_order(prefix: str = "", *, backwards: bool = False) -> list[str]:
    """Report order through a relation (``prefix``: the path to the recommendation)."""
    return [f"{'-' if backwards else ''}{prefix}{name}" for name in REPORT_ORDER]


def beyond(recommendation, *, after: bool, prefix: str = "") -> Q:
    """The rows after (or before) ``recommendation`` in report order, e.g. the recommendations a
    meeting tracks either side of one of them (``prefix`` "recommendation__" on its assessments)."""
    return _beyond((recommendation.inquiry_id, recommendation.position, recommendation.number),
                   after=after, prefix=prefix)


def keyset_page(queryset: QuerySet, *, after: str | None = None, before: str | None = None,
                per_page: int = 50) -> KeysetPage:
    """The page of ``queryset`` (in report order) after the place ``after`` names, or before
    the place ``before`` names; the first page when neither names a place."""
    after_key, before_key = _key(after), _key(before)
    if after_key is not None:
        rows = list(queryset.filter(_beyond(after_key, after=True)).order_by(*REPORT_ORDER)[: per_page + 1])
        more_after, more_before = len(rows) > per_page, True
        rows = rows[:per_page]
    elif before_key is not None:
        backwards = [f"-{name}" for name in REPORT_ORDER]
        rows = list(queryset.filter(_beyond(before_key, after=False)).order_by(*backwards)[: per_page + 1])
        more_before, more_after = len(rows) > per_page, True
        rows = rows[:per_page][::-1]
    else:
        rows = list(queryset.order_by(*REPORT_ORDER)[: per_page + 1])
        more_after, more_before = len(rows) > per_page, False
        rows = rows[:per_page]
    if not rows and (after_key or before_key):  # a stale place past the end: start again
        return keyset_page(queryset, per_page=per_page)
    return KeysetPage(
        items=rows,
        count=count(queryset),
        next_token=token(rows[-1]) if rows and more_after else None,
        previous_token=token(rows[0]) if rows and more_before else None,
    )
