"""Where each recommendation stands now, kept on the recommendation: its category in force and its
date in force.

Lists, filters, the overview, search results and the downloads read these columns instead of
working them out from every recommendation's assessments, milestones and date changes on each
request: at a quarter of a million recommendations, the overview's "overdue" list alone took
seconds that way. The rules are written once, as the queries below (``expressions``):

- the **category in force** is the latest meeting's agreed category, else its proposal (the
  latest meeting that has either, in the order meetings were held);
- an **anticipated date is missing** when that category needs one and none was advised;
- the **completion date in force** is the completion milestone's latest move, else its original
  date (``selectors.completion_milestone`` picks the milestone);
- the **revised date** is the latest anticipated date advised;
- the **date in force** is the revised date where the committee's scheme counts revised dates
  and one was advised, else the completion date in force (``categories.date_in_force``).

They are refreshed in the transaction that changes what they read:
- a row that feeds them (an assessment: a proposal or decision; a milestone; a date moved) saved
  or removed, by ``row_changed`` (connected in ``TrackerConfig.ready``), however it is saved;
- a meeting's date moved (which meeting is the latest): by ``Meeting.save``, beside re-placing
  the committee's undated meetings;
- a recommendation moved to another committee, a committee's scheme changed, a scheme's rule on
  revised dates changed: by the service that does it (``tracker.services``);
- rows written in bulk (``bulk_create``, ``update``), which send no signal: by whoever writes them
  (the scale generator, the pack's enlargement for benchmarks).

``drift`` lists any recommendation whose stored standing differs from what the rules give (the
tests check it after every test); ``manage.py refresh_standing`` works everything out again,
e.g. after a database was edited by hand.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tracker.models import STANDING_FIELDS, latest_meeting_first


def completion_milestone(*, Milestone, DateChange) -> QuerySet:  # noqa: N803 (models as arguments)
    """A recommendation's completion milestone (on OuterRef("pk")): the first completion milestone,
    else the first on-going one, else the last; ``in_force`` is its latest move, else its original date."""
    kinds = ("completion", "ongoing")
    latest_move = DateChange.objects.filter(milestone=OuterRef("pk")).order_by("-changed_at", "-pk")
    return (
        Milestone.objects.filter(recommendation=OuterRef("pk"))
        .annotate(in_force=Coalesce(Subquery(latest_move.values("new_date")[:1]), F("due_date")))
        .order_by(
            Case(When(kind=kinds[0], then=Value(0)), When(kind=kinds[1], then=Value(1)), default=Value(2)),
            Case(When(kind__in=kinds, then=F("position")), default=-F("position")),
            "pk",
        )
    )


def expressions(*, Assessment, Committee, Milestone, DateChange) -> dict:  # noqa: N803 (models as arguments)
    """Each stored column's rule as an expression on OuterRef("pk"), a recommendation. The models
    are passed in so that a migration can use its own historical ones."""
    latest = (
        Assessment.objects.filter(recommendation=OuterRef("pk"))
        .filter(Q(agreed_category__isnull=False) | Q(proposed_category__isnull=False))
        .order_by(*latest_meeting_first())
    )
    needs_date = Q(agreed_category__needs_anticipated_date=True) | Q(
        agreed_category__isnull=True, proposed_category__needs_anticipated_date=True
    )
    milestone = completion_milestone(Milestone=Milestone, DateChange=DateChange)
    revised = (
        Assessment.objects.filter(recommendation=OuterRef("pk"), anticipated_date__isnull=False)
        .order_by(*latest_meeting_first())
    )
    completion = Subquery(milestone.values("in_force")[:1], output_field=DateField())
    revised_date = Subquery(revised.values("anticipated_date")[:1], output_field=DateField())
    counts_revised = Exists(Committee.objects.filter(pk=OuterRef("committee_id"), scheme__revised_dates_count=True))
    return {
        "standing_category": Subquery(
            latest.annotate(category=Coalesce("agreed_category_id", "proposed_category_id")).values("category")[:1]
        ),
        "standing_date_missing": Coalesce(
            Subquery(
                latest.annotate(
                    missing=Case(When(needs_date & Q(anticipated_date__isnull=True), then=Value(True)),
                                 default=Value(False), output_field=BooleanField())
                ).values("missing")[:1]
            ),
            Value(False),
        ),
        "standing_completion_date": completion,
        "standing_revised_date": revised_date,
        "standing_date": Case(
            When(counts_revised & Q(Exists(revised)), then=revised_date),
            default=completion,
            output_field=DateField(),
        ),
    }


def _expressions() -> dict:
    from tracker.models import Assessment, Committee, DateChange, Milestone

    return expressions(Assessment=Assessment, Committee=Committee, Milestone=Milestone, DateChange=DateChange)


def refresh(recommendations: QuerySet | Iterable[int]) -> int:
    """Work out again where the given recommendations stand (a queryset of them, or their ids), and
    store it. The rows are locked first, then read afresh: of two writers changing one
    recommendation at once, the one that refreshes last sees what the other committed."""
    from tracker.models import Recommendation

    if isinstance(recommendations, QuerySet):
        ids = recommendations.order_by().values("pk")
    else:
        ids = sorted(set(recommendations))
        if not ids:
            return 0
    rows = Recommendation.objects.filter(pk__in=ids)
    with transaction.atomic():  # its own, when a row was saved outside one (the lock needs one)
        list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
        return rows.update(**{
            ("standing_category_id" if name == "standing_category" else name): value
            for name, value in _expressions().items()
        })


_pending = threading.local()


@contextmanager
def deferred():
    """Inside it, the recommendations whose rows are saved are gathered and refreshed together as
    it ends (in one statement, not one per row): for the pages that save many rows at once, such as
    the committee's decisions. Use it inside the transaction that saves them."""
    if getattr(_pending, "ids", None) is not None:  # already gathering: the outer block refreshes
        yield
        return
    _pending.ids = set()
    try:
        yield
        gathered = _pending.ids
    finally:
        _pending.ids = None
    refresh(gathered)


def row_changed(sender, instance, raw=False, **kwargs) -> None:
    """post_save and post_delete of an Assessment, Milestone or DateChange: its recommendation's standing.
    (A restore writes rows as they were, standing included: ``raw`` saves are left alone.)"""
    if raw:
        return
    if sender.__name__ == "DateChange":
        if instance.milestone_id is None:
            return  # an anticipated date moved: the assessment's own save refreshes it
        recommendation_id = instance.milestone.recommendation_id
    else:
        recommendation_id = instance.recommendation_id
    if getattr(_pending, "ids", None) is not None:
        _pending.ids.add(recommendation_id)
    else:
        refresh([recommendation_id])


def refresh_all(batch: int = 5000) -> int:
    """Everything, a batch of recommendations at a time (``manage.py refresh_standing``)."""
    from tracker.models import Recommendation

    done, last = 0, 0
    while True:
        ids = list(Recommendation.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        done += refresh(ids)
        last = ids[-1]


def drift(recommendations: QuerySet | None = None) -> list[str]:
    """The recommendations whose stored standing differs from what the rules give, each said with
    what differs ("R06 of Child Sexual Exploitation: standing_date is 2015-07-31, the rules give …")."""
    from tracker.models import Recommendation

    queryset = recommendations if recommendations is not None else Recommendation.objects.all()
    computed = {f"computed_{name}": value for name, value in _expressions().items()}
    stored = ["standing_category_id", *STANDING_FIELDS[1:]]
    found = []
    rows = queryset.annotate(**computed).values_list("number", "inquiry__title", *stored, *computed)
    for number, title, *values in rows.iterator():
        for name, have, want in zip(stored, values[: len(stored)], values[len(stored):], strict=True):
            if have != want:
                found.append(f"{number} of {title}: {name} is {have}, the rules give {want}")
    return found
