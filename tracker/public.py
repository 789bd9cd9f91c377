"""What the public may see: only what has been published, and only for the committees the
council has put on the public register (``Committee.on_public_register``).

This is the one rule the public register (/public/), the open data API (/api/v1/) and its
CSV downloads read through. Everything shown signed out comes from a queryset here, so a
draft (evidence not yet in a published pack, a proposal made after the pack went out, a
decision not yet recorded) never shows.

Published means:
- a **meeting** is published when a version of its pack has been published, or when it is
  history imported from an earlier report or tracker (``Meeting.imported``: that report was
  itself published);
- a **recommendation** is public once it has been tracked at a published meeting (or concluded
  at one whose decisions are recorded);
- an **inquiry** is public once one of its recommendations is;
- a **category** is public when a committee on the register assesses with its scheme, or a
  published meeting used it;
- an **evidence update** is public once a pack that printed it has been published: a pack of a
  meeting that tracks its recommendation, published after the update was written; or it is
  imported history of a recommendation tracked at an imported meeting. A correction made after
  the last such pack shows the text that pack printed (``published_text``);
- an **attachment** is public when its update is and a pack published after it was attached;
- a **proposal** (category, anticipated date, reasons) is public when the meeting's pack was
  published after it was made (the pack prints proposals);
- a **decision** (the agreed category) and a **conclusion** are public once the meeting's
  decisions are recorded.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from tracker.models import (
    Assessment,
    Category,
    Committee,
    Conclusion,
    EvidenceAttachment,
    EvidenceUpdate,
    Inquiry,
    Meeting,
    PublishedPack,
    Recommendation,
)

DECIDED = [Meeting.State.DECISIONS_RECORDED, Meeting.State.CLOSED]


def committees() -> QuerySet[Committee]:
    """The committees the council has put on the public register."""
    return Committee.objects.filter(on_public_register=True)


def _has_pack(meeting_ref: str, **published) -> Exists:
    return Exists(PublishedPack.objects.filter(meeting_id=OuterRef(meeting_ref), **published))


def meetings() -> QuerySet[Meeting]:
    """Meetings whose pack is published, or imported from a published report."""
    return Meeting.objects.filter(committee__on_public_register=True).filter(
        Q(imported=True) | _has_pack("pk")
    )


def decided_meetings() -> QuerySet[Meeting]:
    """Published meetings whose decisions are recorded (or imported history)."""
    return meetings().filter(Q(imported=True) | Q(state__in=DECIDED))


def packs() -> QuerySet[PublishedPack]:
    """Every published version of every pack of a committee on the register (the PDF's bytes deferred)."""
    return PublishedPack.objects.filter(meeting__committee__on_public_register=True).defer("pdf")


def _published(meeting: str) -> Q:
    """``meetings()`` as a condition on the meeting a row leads to (``meeting``: "meeting__", say): joins
    and a look-up for each row, where ``meeting__in=meetings()`` may have the database gather every
    published meeting's rows first, whatever the few it is asked about."""
    return Q(**{f"{meeting}committee__on_public_register": True}) & (
        Q(**{f"{meeting}imported": True}) | _has_pack(f"{meeting}id")
    )


def _decided(meeting: str) -> Q:
    """``decided_meetings()`` as a condition on the meeting a row leads to, as ``_published``."""
    return _published(meeting) & (Q(**{f"{meeting}imported": True}) | Q(**{f"{meeting}state__in": DECIDED}))


def concluded_publicly() -> Q:
    """A recommendation concluded at a decided meeting, as a condition on recommendations (its one
    conclusion joined: no recommendation has two)."""
    return _decided("conclusion__meeting__")


def recommendations() -> QuerySet[Recommendation]:
    """Recommendations tracked at a published meeting, or concluded at a decided one (looked up for each
    recommendation: a committee's page at a quarter of a million costs what it does at a thousand)."""
    return Recommendation.objects.filter(committee__on_public_register=True).filter(
        Exists(Assessment.objects.filter(_published("meeting__"), recommendation_id=OuterRef("pk")))
        | concluded_publicly()
    )


def inquiries() -> QuerySet[Inquiry]:
    """Inquiries with a public recommendation (an inquiry only being entered shows nothing)."""
    return Inquiry.objects.filter(Exists(recommendations().filter(inquiry_id=OuterRef("pk"))))


def categories() -> QuerySet[Category]:
    """The categories of the schemes a committee on the register assesses with, or a published meeting used."""
    return Category.objects.filter(
        Exists(committees().filter(scheme_id=OuterRef("scheme_id")))
        | Exists(meetings().filter(scheme_id=OuterRef("scheme_id")))
    )


def _printed_after(created_ref: str, recommendation_ref: str) -> Exists:
    """A pack of a meeting tracking the recommendation, published at or after ``created_ref``."""
    return Exists(
        PublishedPack.objects.filter(
            meeting__assessments__recommendation_id=OuterRef(recommendation_ref),
            meeting__committee__on_public_register=True,
            published_at__gte=OuterRef(created_ref),
        )
    )


def _imported_history(recommendation_ref: str) -> Exists:
    return Exists(
        Assessment.objects.filter(recommendation_id=OuterRef(recommendation_ref), meeting__imported=True)
    )


def evidence() -> QuerySet[EvidenceUpdate]:
    """Evidence updates a published pack printed (or imported history)."""
    return EvidenceUpdate.objects.filter(recommendation__in=recommendations()).filter(
        _printed_after("created_at", "recommendation_id")
        | Q(for_meeting__isnull=True) & _imported_history("recommendation_id")
    )


def published_text(updates: list[EvidenceUpdate]) -> list[EvidenceUpdate]:
    """Set ``public_text`` on each update: its text as the last pack that printed it had it.

    Only corrected updates (version above 1) can differ; their history is read in one query.
    """
    corrected = [update for update in updates if update.version > 1]
    for update in updates:
        update.public_text = update.text
    if not corrected:
        return updates
    last_printed = {
        meeting_pack["meeting__assessments__recommendation_id"]: meeting_pack["published_at"]
        for meeting_pack in PublishedPack.objects.filter(
            meeting__assessments__recommendation_id__in={u.recommendation_id for u in corrected},
            meeting__committee__on_public_register=True,
        )
        .order_by("published_at")
        .values("meeting__assessments__recommendation_id", "published_at")
    }
    versions: dict[int, list] = {}
    for row in (
        EvidenceUpdate.history.filter(id__in=[u.pk for u in corrected])
        .order_by("history_date", "history_id")
        .values("id", "text", "history_date")
    ):
        versions.setdefault(row["id"], []).append(row)
    for update in corrected:
        until = last_printed.get(update.recommendation_id)
        history = versions.get(update.pk, [])
        # No pack has printed it: it is public as imported history, as the imported report had it.
        printed = [row["text"] for row in (
            [row for row in history if row["history_date"] <= until] if until else history[:1]
        )]
        if printed:
            update.public_text = printed[-1]
    return updates


def attachments() -> QuerySet[EvidenceAttachment]:
    """Attachments of public evidence, attached before a pack that printed them was published."""
    return EvidenceAttachment.objects.filter(evidence__in=evidence()).filter(
        _printed_after("uploaded_at", "evidence__recommendation_id")
    )


def assessments() -> QuerySet[Assessment]:
    """Assessments at published meetings, annotated with what of each is public:
    ``proposal_public`` (printed in a pack published after it was made) and
    ``decision_public`` (the meeting's decisions are recorded)."""
    return (
        Assessment.objects.filter(meeting__in=meetings())
        .annotate(
            proposal_public=Q(meeting__imported=True) | _has_pack("meeting_id", published_at__gte=OuterRef("proposed_at")),
            decision_public=Q(meeting__imported=True) | Q(meeting__state__in=DECIDED),
        )
    )


def conclusions() -> QuerySet[Conclusion]:
    """Conclusions recorded at meetings whose decisions are recorded."""
    return Conclusion.objects.filter(meeting__in=decided_meetings())


def published_category(assessment: Assessment):
    """The category an assessment (from ``assessments()``) made public: the committee's once its
    decisions are recorded, else the proposal once its pack printed it; None otherwise."""
    if assessment.decision_public and assessment.agreed_category_id is not None:
        return assessment.agreed_category
    if assessment.proposal_public and assessment.proposed_category_id is not None:
        return assessment.proposed_category
    return None


def category_in_force(assessments_latest_first) -> tuple:
    """The category in force as published, and the anticipated date advised with it: the latest
    public assessment's ``published_category``."""
    for assessment in assessments_latest_first:
        category = published_category(assessment)
        if category is not None:
            return category, assessment.anticipated_date
    return None, None

