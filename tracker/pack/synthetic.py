"""A larger pack made from a real one, for the benchmark and the query-count tests.

``enlarge(meeting, factor)`` copies every recommendation the meeting's pack prints
(tracked and concluded, with sub-parts, footnotes, owners, evidence, assessments and
conclusions) until the pack holds ``factor`` times as many. Run it in a throwaway
database or a transaction that is rolled back: the copies are not real data.
"""

from __future__ import annotations

from django.db import transaction

from tracker import standing
from tracker.models import (
    Assessment,
    Conclusion,
    EvidenceUpdate,
    Footnote,
    Meeting,
    Recommendation,
    Responsibility,
    SubPart,
)
from tracker.pack.context import pack_for


@transaction.atomic
def enlarge(meeting: Meeting, factor: int = 10) -> int:
    """Make the meeting's pack ``factor`` times as large; returns the recommendations added."""
    items = [
        item
        for report in pack_for(meeting).reports
        for item in [i for group in report.themes for i in group.recommendations] + report.concluded
    ]
    originals = []
    copies = []
    for copy in range(2, factor + 1):
        for item in items:
            source = item.recommendation
            originals.append(item)
            copies.append(
                Recommendation(
                    inquiry_id=source.inquiry_id,
                    committee_id=source.committee_id,
                    theme_id=source.theme_id,
                    number=f"{source.number}-{copy}",
                    lead=source.lead,
                    position=source.position,
                    responsibility_text=source.responsibility_text,
                    original_timescale=source.original_timescale,
                    executive_response=source.executive_response,
                )
            )
    copies = Recommendation.objects.bulk_create(copies)

    sub_parts, footnotes, owners, evidence, assessments, conclusions = [], [], [], [], [], []
    for item, new in zip(originals, copies, strict=True):
        source = item.recommendation
        sub_parts += [
            SubPart(recommendation=new, label=p.label, text=p.text, position=p.position) for p in item.sub_parts
        ]
        footnotes += [Footnote(recommendation=new, number=n, text=t) for n, t in item.footnotes.items()]
        owners += [
            Responsibility(recommendation=new, owner_id=r.owner_id, position=r.position)
            for r in source.responsibilities.all()
        ]
        evidence += [
            EvidenceUpdate(
                recommendation=new,
                following_meeting_id=e.following_meeting_id,
                text=e.text,
                position=e.position,
            )
            for e in item.evidence
        ]
        if item.conclusion:
            assessments.append(
                Assessment(recommendation=new, meeting_id=item.conclusion.meeting_id, agreed_category=item.category)
            )
            conclusions.append(
                Conclusion(recommendation=new, meeting_id=item.conclusion.meeting_id, remark=item.conclusion.remark)
            )
        else:
            assessments.append(
                Assessment(
                    recommendation=new,
                    meeting_id=meeting.pk,
                    proposed_category=item.category,
                    anticipated_date=item.anticipated_date,
                )
            )
    SubPart.objects.bulk_create(sub_parts)
    Footnote.objects.bulk_create(footnotes)
    Responsibility.objects.bulk_create(owners)
    EvidenceUpdate.objects.bulk_create(evidence)
    Assessment.objects.bulk_create(assessments)
    Conclusion.objects.bulk_create(conclusions)
    standing.refresh([copy.pk for copy in copies])
    return len(copies)
