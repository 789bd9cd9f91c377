"""Load a tracking report held as YAML (fixtures/seed_report.yaml) into the database.

The YAML is the report's text word for word; loading it twice changes nothing
(every row is found by its natural key first). Imported history is kept as it
was, rule breaks included: R06's category 3 without an anticipated date loads
and is flagged, it is never given an invented date.
"""

from __future__ import annotations

import calendar
import datetime
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from tracker.models import (
    Assessment,
    AssessmentScheme,
    Category,
    Committee,
    Conclusion,
    Council,
    CoverReport,
    EvidenceUpdate,
    ExecutiveResponse,
    Footnote,
    Inquiry,
    Meeting,
    Milestone,
    Owner,
    OwnerAlias,
    Recommendation,
    Responsibility,
    SubPart,
    Theme,
)

SEED_REPORT = Path(settings.BASE_DIR) / "fixtures" / "seed_report.yaml"


class ImportError_(ValueError):
    """The report file does not hold what the importer needs."""


def month_end(value: str | None) -> datetime.date | None:
    """'2015-07' -> 31 July 2015: a month given as a deadline runs to its last day."""
    if not value:
        return None
    year, month = (int(part) for part in str(value).split("-")[:2])
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def read_report(path: Path = SEED_REPORT) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


@transaction.atomic
def import_report(data: dict) -> Inquiry:
    scheme = AssessmentScheme.default()
    if scheme is None:
        raise ImportError_("No default assessment scheme: run the migrations first.")
    council, _ = Council.objects.get_or_create(pk=1)
    if not council.name:
        # The report's council, named as its own sentences name it; set up once, never overwritten.
        council.name = data.get("council", "")
        council.name_in_sentences = data.get("council_in_sentences", council.name_in_sentences)
        council.save()
    committee, _ = Committee.objects.get_or_create(
        name=data["committee"]["name"],
        defaults={"scheme": scheme, "assessor_title": council.assessor_title},
    )
    categories = {c.code: c for c in Category.objects.filter(scheme=committee.scheme)}
    inquiry, _ = Inquiry.objects.get_or_create(committee=committee, title=data["inquiry"]["title"])
    response = data["inquiry"].get("executive_response", ExecutiveResponse.PENDING)

    # The meeting the report was written for has its pack out; earlier meetings are over.
    # All of them are history brought in (Meeting.imported): read and printed, never run.
    report_key = (data.get("cover_report") or {}).get("meeting")
    meetings = {}
    for row in data["meetings"]:
        state = Meeting.State.PACK_PUBLISHED if row["key"] == report_key else Meeting.State.CLOSED
        meeting, _ = Meeting.objects.get_or_create(
            committee=committee, date=_date(row["date"]), defaults={"state": state, "scheme": committee.scheme, "imported": True}
        )
        meetings[row["key"]] = meeting

    owners = {}
    for row in data["owners"]:
        owner, _ = Owner.objects.get_or_create(name=row["name"])
        owners[owner.name] = owner
        for alias in row.get("aliases") or []:
            OwnerAlias.objects.get_or_create(name=alias, defaults={"owner": owner})

    themes = {}
    for row in data["themes"]:
        theme, _ = Theme.objects.get_or_create(
            inquiry=inquiry, letter=row["letter"], defaults={"title": row["title"]}
        )
        themes[theme.letter] = theme

    for position, row in enumerate(data["recommendations"], 1):
        _import_recommendation(row, position, inquiry, themes, owners, meetings, categories, response)

    cover = data.get("cover_report")
    if cover:
        contact = cover["contact_officer"]
        CoverReport.objects.get_or_create(
            meeting=meetings[cover["meeting"]],
            inquiry=inquiry,
            defaults=dict(
                reporting_owner=owners[cover["reporting_owner"]],
                introduction=cover.get("introduction", ""),
                contact_name=contact["name"],
                contact_title=contact.get("title", ""),
                contact_telephone=str(contact.get("telephone", "")),
                contact_email=contact.get("email", ""),
            ),
        )
    return inquiry


def _import_recommendation(row, position, inquiry, themes, owners, meetings, categories, response):
    recommendation, created = Recommendation.objects.get_or_create(
        inquiry=inquiry,
        number=row["number"],
        defaults=dict(
            committee=inquiry.committee,
            theme=themes[row["theme"]],
            lead=row["lead"],
            position=position,
            responsibility_text=row.get("responsibility", ""),
            original_timescale=row.get("original_timescale", ""),
            executive_response=response,
        ),
    )
    if not created:
        # Already imported: the data may since have been worked on; never overwrite it.
        return recommendation

    for index, part in enumerate(row.get("sub_parts") or []):
        SubPart.objects.create(
            recommendation=recommendation, label=part.get("label") or "", text=part["text"], position=index
        )
    for index, name in enumerate(row.get("owners") or []):
        if name not in owners:
            raise ImportError_(f"{row['number']}: unknown owner {name!r}")
        Responsibility.objects.create(recommendation=recommendation, owner=owners[name], position=index)
    for index, milestone in enumerate(row.get("milestones") or []):
        Milestone.objects.create(
            recommendation=recommendation,
            kind=milestone["kind"],
            due_date=month_end(milestone.get("month")),
            position=index,
        )
    for note in row.get("footnotes") or []:
        Footnote.objects.create(recommendation=recommendation, number=note["number"], text=note["text"])
    for index, update in enumerate(row.get("evidence") or []):
        key = update.get("following_meeting")
        EvidenceUpdate.objects.create(
            recommendation=recommendation,
            following_meeting=meetings[key] if key else None,
            text=update["text"],
            position=index,
        )

    assessment = row.get("assessment")
    if assessment:
        Assessment.objects.create(
            recommendation=recommendation,
            meeting=meetings[assessment.get("meeting", "report")],
            proposed_category=categories[str(assessment["category"])],
            anticipated_date=_date(assessment.get("anticipated_date")),
        )
    conclusion = row.get("conclusion")
    if conclusion:
        meeting = meetings[conclusion["meeting"]]
        Assessment.objects.create(
            recommendation=recommendation,
            meeting=meeting,
            agreed_category=categories[str(conclusion["category"])],
        )
        Conclusion.objects.create(
            recommendation=recommendation, meeting=meeting, remark=conclusion.get("remark") or ""
        )
    return recommendation
