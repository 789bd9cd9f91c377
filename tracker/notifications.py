"""Who is sent which e-mail on which day: the rules of the tracker's messages, in one place.

| message              | to                                                       | when                                     |
|----------------------|----------------------------------------------------------|------------------------------------------|
| evidence is open     | the officers acting for an owner of a tracked recommendation | the meeting is opened for evidence   |
| proposals due        | the assessors of those owners (not when the office assesses) | the meeting is opened for evidence   |
| the deadline is near | the officers whose recommendations have no new evidence  | from ``committee.reminder_days`` days before the evidence deadline, until the day before it |
| the deadline passed  | the same officers, still without new evidence            | from the day after the deadline, while evidence is open |
| evidence missing     | everyone in the scrutiny office: what is missing, by owner | with the deadline-passed messages       |
| the pack is published | the committee's members                                 | each new version of the pack             |
| decisions recorded   | the officers and assessors of the owners, with the outcome | the meeting moves to decisions recorded |

Proposals are asked for when the meeting opens, not when the deadline passes: proposing is
open from then until the pack is published, which may be the day after the deadline, so an
assessor told only then could have no time left; they can propose as the evidence arrives.

Evidence is open, proposals due, deadline passed and evidence missing cannot be turned off:
each asks the person for work the round depends on. The reminder before the deadline, the
pack and the decisions can (``OPTIONAL``): a person can read those on their pages.

Every message is a ``Message`` row before it is sent. One person gets one message per event
(``Message.event``, unique with the recipient), however often or concurrently this runs:
rows are inserted first (a twin is ignored), then delivered. A sender takes a message by a
conditional update, so two senders never both send it; one that could not be delivered is
tried again by the next daily run, ``settings.MESSAGE_ATTEMPTS`` times in all. Imported and
closed meetings send nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from tracker import roles, selectors
from tracker.models import Committee, Council, Meeting, Message, MessageOptOut, Owner, PublishedPack

Kind = Message.Kind
State = Meeting.State

OPTIONAL = (Kind.DEADLINE_NEAR, Kind.PACK_PUBLISHED, Kind.DECISIONS_RECORDED)
# The meetings that send anything: in their live cycle, not imported, not closed.
LIVE_STATES = (State.EVIDENCE_OPEN, State.PACK_PUBLISHED, State.DECISIONS_RECORDED)
# A message a sender took and never finished (the process stopped) is taken again after this.
TAKEN_FOR = datetime.timedelta(minutes=15)


@dataclass
class Due:
    """One message to send: to whom, what about, and what its templates print."""

    kind: str
    recipient: object
    meeting: Meeting
    event: str
    context: dict = field(default_factory=dict)


def link(name: str, *args) -> str:
    """The absolute address of a page, for an e-mail read away from the service (settings.SITE_URL)."""
    return settings.SITE_URL + reverse(name, args=args)


# --- Who -----------------------------------------------------------------------------------


@dataclass
class People:
    """The people acting for the owners of a meeting's tracked recommendations, by role."""

    rows: list
    officers: dict = field(default_factory=dict)  # user -> the rows of the owners they act for
    assessors: dict = field(default_factory=dict)


def people_for(meeting: Meeting) -> People:
    """Each active person with an e-mail address acting for an owner tracked at the meeting, with the
    rows (selectors.TrackedRow) of their owners. Three queries beyond tracked_at, whatever the size."""
    rows = selectors.tracked_at(meeting)
    owners_of = {
        row.assessment.pk: {r.owner_id for r in row.recommendation.responsibilities.all()} for row in rows
    }
    owner_ids = set().union(*owners_of.values()) if owners_of else set()
    links = list(
        Owner.delegates.through.objects.filter(owner_id__in=owner_ids, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    users = {link.user_id: link.user for link in links}
    acts_for = defaultdict(set)
    for delegate in links:
        acts_for[delegate.user_id].add(delegate.owner_id)
    held = defaultdict(set)
    for user_id, name in get_user_model().groups.through.objects.filter(
        user_id__in=users, group__name__in=[roles.OFFICER, roles.ASSESSOR]
    ).values_list("user_id", "group__name"):
        held[user_id].add(name)
    people = People(rows=rows)
    # The assessor proposes unless the committee is assessed by the scrutiny office
    # (permissions.assesses_for asks the same of one person and one recommendation).
    assessed = meeting.committee.assessed_by != Committee.AssessedBy.SCRUTINY_OFFICE
    for user_id, user in sorted(users.items()):
        theirs = [row for row in rows if owners_of[row.assessment.pk] & acts_for[user_id]]
        if roles.OFFICER in held[user_id]:
            people.officers[user] = theirs
        if assessed and roles.ASSESSOR in held[user_id]:
            people.assessors[user] = theirs
    return people


def missing(rows) -> list:
    """The rows without new evidence for their meeting (tracker.evidence, the one rule)."""
    return [row for row in rows if not row.has_new_evidence]


def scrutiny_office():
    return list(
        get_user_model().objects.filter(groups__name=roles.SCRUTINY_OFFICE, is_active=True)
        .exclude(email="").order_by("pk").distinct()
    )


# --- What, and when --------------------------------------------------------------------------


def reminder_window(meeting: Meeting) -> tuple[datetime.date, datetime.date] | None:
    """The days (first, last) on which officers without new evidence are reminded; None without a
    deadline or with no reminder days."""
    deadline = meeting.evidence_deadline
    days = meeting.committee.reminder_days
    if deadline is None or not days:
        return None
    return deadline - datetime.timedelta(days=days), deadline - datetime.timedelta(days=1)


def due(meeting: Meeting, day: datetime.date, *, dated: bool = True) -> list[Due]:
    """Every message the meeting calls for on ``day``. ``dated``: also those that depend on the day
    (the reminder and the chasers), which the daily run sends; a change to the meeting sends the rest."""
    if meeting.imported or meeting.state not in LIVE_STATES:
        return []
    messages: list[Due] = []
    key = f"meeting {meeting.pk}"
    if meeting.state == State.EVIDENCE_OPEN:
        people = people_for(meeting)
        for user, rows in people.officers.items():
            if rows:
                messages.append(Due(Kind.EVIDENCE_OPEN, user, meeting, f"{key}: evidence open",
                                    {"rows": rows, "url": link("officer_meeting", meeting.pk)}))
        for user, rows in people.assessors.items():
            if rows:
                messages.append(Due(Kind.PROPOSALS_DUE, user, meeting, f"{key}: proposals due",
                                    {"rows": rows, "url": link("cabinet_meeting", meeting.pk)}))
        if dated:
            messages += _chasers(meeting, people, day, key)
    elif meeting.state == State.PACK_PUBLISHED:
        pack = meeting.published_packs.defer("pdf").order_by("-version").first()
        if pack is not None:
            messages += _pack_published(meeting, pack, key)
    elif meeting.state == State.DECISIONS_RECORDED:
        for user, rows in _owners_people(meeting).items():
            messages.append(Due(Kind.DECISIONS_RECORDED, user, meeting, f"{key}: decisions recorded",
                                {"rows": rows, "url": link("meeting_detail", meeting.pk)}))
    return messages


def _chasers(meeting: Meeting, people: People, day: datetime.date, key: str) -> list[Due]:
    deadline = meeting.evidence_deadline
    if deadline is None:
        return []
    window = reminder_window(meeting)
    passed = day > deadline
    if not passed and not (window and window[0] <= day <= window[1]):
        return []
    kind = Kind.DEADLINE_PASSED if passed else Kind.DEADLINE_NEAR
    # The deadline in the event: a deadline moved later is a new one to be reminded of.
    event = f"{key}: deadline {deadline:%Y-%m-%d} " + ("passed" if passed else "near")
    messages = []
    for user, rows in people.officers.items():
        lacking = missing(rows)
        if lacking:
            messages.append(Due(kind, user, meeting, event,
                                {"rows": lacking, "url": link("officer_meeting", meeting.pk)}))
    if passed:
        by_owner = _missing_by_owner(missing(people.rows))
        if by_owner:
            for user in scrutiny_office():
                messages.append(Due(Kind.MISSING_SUMMARY, user, meeting, f"{event} summary",
                                    {"by_owner": by_owner, "url": link("meeting_detail", meeting.pk)}))
    return messages


def _missing_by_owner(rows) -> list[tuple[str, list]]:
    by_owner = defaultdict(list)
    for row in rows:
        for responsibility in row.recommendation.responsibilities.all():
            by_owner[responsibility.owner.name].append(row)
    return sorted(by_owner.items())


def _pack_published(meeting: Meeting, pack: PublishedPack, key: str) -> list[Due]:
    members = meeting.committee.members.filter(is_active=True).exclude(email="").order_by("pk")
    context = {"pack": pack, "url": link("pack_versions", meeting.pk), "download": link("pack_download", pack.pk)}
    return [
        Due(Kind.PACK_PUBLISHED, user, meeting, f"{key}: pack version {pack.version}", context)
        for user in members
    ]


def _owners_people(meeting: Meeting) -> dict:
    """Officers and assessors of the owners, each with their recommendations' outcomes."""
    people = people_for(meeting)
    everyone = {}
    for group in (people.officers, people.assessors):
        for user, rows in group.items():
            if rows:
                everyone[user] = rows
    return everyone


# --- Recording and sending -------------------------------------------------------------------

SUBJECTS = {
    Kind.EVIDENCE_OPEN: "Evidence is open for the {committee} meeting on {date}",
    Kind.PROPOSALS_DUE: "Your proposals are due for the {committee} meeting on {date}",
    Kind.DEADLINE_NEAR: "Reminder: evidence for the {committee} meeting is due by {deadline}",
    Kind.DEADLINE_PASSED: "The evidence deadline for the {committee} meeting has passed",
    Kind.MISSING_SUMMARY: "Evidence still missing for the {committee} meeting on {date}",
    Kind.PACK_PUBLISHED: "The pack for the {committee} meeting on {date} is published",
    Kind.DECISIONS_RECORDED: "The committee’s decisions from its meeting on {date}",
}


def _date(day) -> str:
    return date_format(day, "j F Y") if day else "a date to be confirmed"


def _render(message: Due, council: Council) -> tuple[str, str, str]:
    meeting = message.meeting
    subject = SUBJECTS[message.kind].format(
        committee=meeting.committee.name, date=_date(meeting.date), deadline=_date(meeting.evidence_deadline)
    )
    if message.kind == Kind.PACK_PUBLISHED and message.context["pack"].version > 1:
        subject += f" (version {message.context['pack'].version})"
    context = {
        **message.context,
        "subject": subject,
        "recipient": message.recipient,
        "meeting": meeting,
        "committee": meeting.committee,
        "council": council,
        "council_name": council.name or "the council",
        "emails_url": link("my_emails"),
        "optional": message.kind in OPTIONAL,
    }
    text = render_to_string(f"tracker/email/{message.kind}.txt", context)
    html = render_to_string(f"tracker/email/{message.kind}.html", context)
    return subject, text, html


def record(messages: list[Due]) -> list[Message]:
    """Insert a row for each message not already recorded for its person and event, leaving out those
    the person turned off. Returns the rows it found missing; a twin inserted meanwhile by a
    concurrent run is ignored by the database (the unique person-and-event), so the first row stands."""
    if not messages:
        return []
    turned_off = set(
        MessageOptOut.objects.filter(user__in={m.recipient.pk for m in messages}, kind__in=OPTIONAL)
        .values_list("user_id", "kind")
    )
    messages = [m for m in messages if (m.recipient.pk, m.kind) not in turned_off]
    already = set(
        Message.objects.filter(event__in={m.event for m in messages}).values_list("recipient_id", "event")
    )
    council = Council.current()
    rows = []
    for message in messages:
        if (message.recipient.pk, message.event) in already:
            continue
        already.add((message.recipient.pk, message.event))
        subject, text, html = _render(message, council)
        rows.append(Message(
            recipient=message.recipient, to=message.recipient.email, kind=message.kind, meeting=message.meeting,
            event=message.event, subject=subject, body_text=text, body_html=html,
        ))
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def to_send(*, retry: bool, meeting_id: int | None = None):
    """The messages a sender may take: new ones, and with ``retry`` the ones not delivered (up to
    the cap) and any a stopped sender left."""
    waiting = Q(status=Message.Status.WAITING, attempts=0)
    if retry:
        waiting |= Q(status=Message.Status.FAILED, attempts__lt=settings.MESSAGE_ATTEMPTS)
        waiting |= Q(status=Message.Status.WAITING, attempts__gt=0, attempts__lt=settings.MESSAGE_ATTEMPTS,
                     sent_at__lt=timezone.now() - TAKEN_FOR)
    rows = Message.objects.filter(waiting)
    if meeting_id is not None:
        rows = rows.filter(meeting_id=meeting_id)
    return rows.order_by("pk")


@dataclass
class Delivery:
    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)


def deliver(messages) -> Delivery:
    """Send each message that no other sender took first. A message being sent is "waiting" with an
    attempt counted; ``sent_at`` holds when it was taken until it is sent (then, when it was sent)."""
    result = Delivery()
    connection = get_connection()
    for message in messages:
        taken = Message.objects.filter(pk=message.pk, status=message.status, attempts=message.attempts).update(
            status=Message.Status.WAITING, attempts=F("attempts") + 1, sent_at=timezone.now()
        )
        if not taken:
            continue
        email = EmailMultiAlternatives(message.subject, message.body_text, to=[message.to], connection=connection)
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        try:
            email.send()
        except Exception as error:  # any failure of the mail server or API is recorded, and retried
            Message.objects.filter(pk=message.pk).update(
                status=Message.Status.FAILED, last_error=f"{type(error).__name__}: {error}"[:2000], sent_at=None
            )
            message.status, message.last_error = Message.Status.FAILED, str(error)
            result.failed.append(message)
        else:
            Message.objects.filter(pk=message.pk).update(
                status=Message.Status.SENT, last_error="", sent_at=timezone.now()
            )
            message.status = Message.Status.SENT
            result.sent.append(message)
    return result


def live_meetings():
    return (
        Meeting.objects.filter(imported=False, state__in=LIVE_STATES)
        .select_related("committee").order_by("pk")
    )


def send_due(day: datetime.date) -> Delivery:
    """The daily run: record what every live meeting calls for on ``day``, then send everything
    waiting, retrying what was not delivered."""
    for meeting in live_meetings():
        with transaction.atomic():
            record(due(meeting, day))
    return deliver(list(to_send(retry=True)))


def send_for_meeting(meeting_id: int) -> Delivery:
    """After the office moved a meeting on (or published its pack): send what that calls for today."""
    meeting = live_meetings().filter(pk=meeting_id).first()
    if meeting is None:
        return Delivery()
    with transaction.atomic():
        record(due(meeting, timezone.localdate(), dated=False))
    return deliver(list(to_send(retry=False, meeting_id=meeting_id)))


def meeting_changed(meeting: Meeting) -> None:
    """Called by the services that move a meeting on: once the change is saved, a background task
    sends what it calls for (tracker.tasks). Nothing is sent if the change is rolled back."""
    from tracker import tasks

    transaction.on_commit(lambda: tasks.send_for_meeting.enqueue(meeting.pk), robust=True)


# --- The person's choices ----------------------------------------------------------------------

# Each message as the "Your e-mails" page names it ({assessor}, {office}: the council's words).
IN_WORDS = {
    Kind.EVIDENCE_OPEN: ("Evidence is open", "When a meeting opens for evidence, if you are an officer for an owner "
                         "of a recommendation it tracks."),
    Kind.PROPOSALS_DUE: ("Proposals are due", "When a meeting opens for evidence, if you propose categories as the "
                         "{assessor}."),
    Kind.DEADLINE_NEAR: ("A reminder before the evidence deadline", "Some days before the deadline, if your "
                         "recommendations have no new evidence yet."),
    Kind.DEADLINE_PASSED: ("The evidence deadline has passed", "The day after the deadline, if your "
                           "recommendations still have no new evidence."),
    Kind.MISSING_SUMMARY: ("Evidence still missing", "The day after the deadline, to the {office}: what is missing, "
                           "by owner."),
    Kind.PACK_PUBLISHED: ("The pack is published", "Each time the pack of a committee you are a member of is "
                          "published, with a link to it."),
    Kind.DECISIONS_RECORDED: ("The committee’s decisions", "When the committee’s decisions are recorded: the "
                              "outcome for the recommendations of the owners you act for."),
}


def in_words(kind: str, council: Council) -> tuple[str, str]:
    """A message's name and when it is sent, in the council's words."""
    name, when = IN_WORDS[kind]
    return name, when.format(assessor=council.assessor_title, office=council.scrutiny_office_name)



def turned_off(user) -> set[str]:
    return set(MessageOptOut.objects.filter(user=user, kind__in=OPTIONAL).values_list("kind", flat=True))

