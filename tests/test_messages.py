"""E-mails that run the round: who is sent what, on which day, never twice, as they chose.

The seed committee's meeting of 15 June 2016 (evidence by 1 June, reminders 7 days before):
Olivia Officer and Callum Cabinet act for the Cabinet Member for Children's Services, Mina
Member sits on the committee, Sam Scrutiny is the scrutiny office.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.e2e import scenes
from tests.factories import (
    AssessmentFactory,
    CommitteeFactory,
    InquiryFactory,
    MeetingFactory,
    OwnerFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)
from tests.mailbox import Mailbox, smtp_mailbox
from tracker import notifications, roles, services
from tracker.demo import create_demo_users
from tracker.models import Committee, Meeting, Message, PublishedPack, Recommendation

pytestmark = pytest.mark.django_db

OLIVIA = "olivia.officer@example.gov.uk"
CALLUM = "callum.cabinet@example.gov.uk"
MINA = "mina.member@example.gov.uk"
SAM = "sam.scrutiny@example.gov.uk"
SITE = "http://scrutiny.example"


@pytest.fixture
def demo(seed):
    create_demo_users()
    return seed


def open_meeting(django_capture_on_commit_callbacks) -> Meeting:
    with django_capture_on_commit_callbacks(execute=True):
        return scenes.meeting_open_for_evidence()


def send_reminders(day: str) -> str:
    out = io.StringIO()
    call_command("send_reminders", "--date", day, stdout=out)
    return out.getvalue()


def sent_to(address: str, *, since: int = 0) -> list:
    return [message for message in mail.outbox[since:] if message.to == [address]]


def subjects(address: str, *, since: int = 0) -> list[str]:
    return [message.subject for message in sent_to(address, since=since)]


def children_numbers() -> list[str]:
    """The tracked recommendations Olivia and Callum act for (the Children's Services portfolio)."""
    return sorted(
        Recommendation.objects.filter(responsibilities__owner__name=scenes_children(), number__in=scenes.SEED_TRACKED)
        .values_list("number", flat=True)
    )


def scenes_children() -> str:
    from tracker.demo import CHILDREN

    return CHILDREN


# --- Opening the meeting -----------------------------------------------------------------


def test_opening_the_meeting_tells_the_officers_and_asks_the_assessor_for_proposals(
    demo, django_capture_on_commit_callbacks
):
    meeting = open_meeting(django_capture_on_commit_callbacks)

    committee = "Education and Vulnerable Children Overview and Scrutiny Committee"
    assert subjects(OLIVIA) == [f"Evidence is open for the {committee} meeting on 15 June 2016"]
    assert subjects(CALLUM) == [f"Your proposals are due for the {committee} meeting on 15 June 2016"]
    assert sent_to(MINA) == [] and sent_to(SAM) == []

    officer_mail = sent_to(OLIVIA)[0]
    assert f"{SITE}/my-recommendations/meetings/{meeting.pk}/" in officer_mail.body
    assert "The deadline for evidence is Wednesday 1 June 2016." in officer_mail.body
    for number in children_numbers():
        assert f"- {number}: " in officer_mail.body
    html, kind = officer_mail.alternatives[0]
    assert kind == "text/html" and f'href="{SITE}/my-recommendations/meetings/{meeting.pk}/"' in html
    assessor_mail = sent_to(CALLUM)[0]
    assert f"{SITE}/portfolio/meetings/{meeting.pk}/" in assessor_mail.body
    assert "As the Cabinet Member, please propose a category" in assessor_mail.body

    recorded = Message.objects.get(to=OLIVIA)
    assert (recorded.kind, recorded.status, recorded.attempts, recorded.meeting) == (
        Message.Kind.EVIDENCE_OPEN, Message.Status.SENT, 1, meeting)
    assert recorded.sent_at is not None and recorded.last_error == ""


def test_the_links_lead_to_pages_the_person_can_open(demo, client, django_capture_on_commit_callbacks):
    open_meeting(django_capture_on_commit_callbacks)
    for address, username in ((OLIVIA, "officer"), (CALLUM, "cabinet")):
        link = next(word for word in sent_to(address)[0].body.split() if word.startswith(SITE))
        client.force_login(scenes.user(username))
        assert client.get(link.removeprefix(SITE)).status_code == 200


def test_nothing_is_sent_if_opening_the_meeting_fails(demo, django_capture_on_commit_callbacks):
    office = scenes.user("scrutiny")
    meeting = services.schedule_meeting(Committee.objects.get(), scenes.MEETING_DATE, scenes.EVIDENCE_DEADLINE,
                                        by=office)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)  # nothing chosen to track
    assert mail.outbox == [] and not Message.objects.exists()


# --- Reminders and chasers, day by day ----------------------------------------------------


def test_the_reminder_comes_reminder_days_before_the_deadline_to_those_without_new_evidence(
    demo, django_capture_on_commit_callbacks
):
    meeting = open_meeting(django_capture_on_commit_callbacks)
    already = len(mail.outbox)

    assert "nothing to send" in send_reminders("2016-05-24")  # 8 days before
    output = send_reminders("2016-05-25")  # 7 days before
    reminder = "Reminder: evidence for the Education and Vulnerable Children Overview and Scrutiny Committee " \
               "meeting is due by 1 June 2016"
    assert subjects(OLIVIA, since=already) == [reminder]
    assert f"sent to {OLIVIA}: {reminder}" in output and "1 sent, 0 not delivered." in output
    assert sent_to(CALLUM, since=already) == []  # assessors propose; officers write evidence
    body = sent_to(OLIVIA, since=already)[0].body
    assert f"{SITE}/my-recommendations/meetings/{meeting.pk}/" in body
    assert "You can choose which e-mails you are sent: http://scrutiny.example/accounts/emails/" in body

    # Every day until the deadline: already reminded, nothing more.
    assert "nothing to send" in send_reminders("2016-05-26")
    assert "nothing to send" in send_reminders("2016-06-01")


def test_an_officer_who_has_added_evidence_for_every_recommendation_is_not_reminded(
    demo, django_capture_on_commit_callbacks
):
    meeting = open_meeting(django_capture_on_commit_callbacks)
    olivia = scenes.user("officer")
    for number in children_numbers():
        services.add_evidence(Recommendation.objects.get(number=number), meeting, f"Progress on {number}.",
                              datetime.date(2016, 5, 20), by=olivia)
    already = len(mail.outbox)
    send_reminders("2016-05-25")
    send_reminders("2016-06-02")
    assert sent_to(OLIVIA, since=already) == []


def test_the_reminder_lists_only_the_recommendations_still_without_evidence(
    demo, django_capture_on_commit_callbacks
):
    meeting = open_meeting(django_capture_on_commit_callbacks)
    first, *others = children_numbers()
    services.add_evidence(Recommendation.objects.get(number=first), meeting, "Done.", datetime.date(2016, 5, 20),
                          by=scenes.user("officer"))
    already = len(mail.outbox)
    send_reminders("2016-05-25")
    body = sent_to(OLIVIA, since=already)[0].body
    assert f"- {first}: " not in body
    assert all(f"- {number}: " in body for number in others)


def test_the_chaser_and_the_offices_summary_come_the_day_after_the_deadline(
    demo, django_capture_on_commit_callbacks
):
    meeting = open_meeting(django_capture_on_commit_callbacks)
    send_reminders("2016-05-25")
    already = len(mail.outbox)

    assert "nothing to send" in send_reminders("2016-06-01")  # the deadline itself
    send_reminders("2016-06-02")
    assert subjects(OLIVIA, since=already) == [
        "The evidence deadline for the Education and Vulnerable Children Overview and Scrutiny Committee "
        "meeting has passed"
    ]
    summary = sent_to(SAM, since=already)
    assert [message.subject for message in summary] == [
        "Evidence still missing for the Education and Vulnerable Children Overview and Scrutiny Committee "
        "meeting on 15 June 2016"
    ]
    assert "Cabinet Member for Children’s Services\n" in summary[0].body
    assert f"{SITE}/meetings/{meeting.pk}/" in summary[0].body
    assert sent_to(CALLUM, since=already) == [] and sent_to(MINA, since=already) == []
    assert "nothing to send" in send_reminders("2016-06-03")


def test_a_deadline_moved_later_brings_a_new_reminder(demo, django_capture_on_commit_callbacks):
    meeting = open_meeting(django_capture_on_commit_callbacks)
    send_reminders("2016-05-25")
    services.change_meeting(meeting, scenes.MEETING_DATE, datetime.date(2016, 6, 8), by=scenes.user("scrutiny"))
    already = len(mail.outbox)
    send_reminders("2016-06-02")  # after the old deadline, within 7 days of the new one
    assert subjects(OLIVIA, since=already) == [
        "Reminder: evidence for the Education and Vulnerable Children Overview and Scrutiny Committee meeting "
        "is due by 8 June 2016"
    ]


def test_running_twice_sends_nothing_twice(demo, django_capture_on_commit_callbacks):
    open_meeting(django_capture_on_commit_callbacks)
    send_reminders("2016-06-02")
    count = len(mail.outbox)
    assert "nothing to send" in send_reminders("2016-06-02")
    assert len(mail.outbox) == count
    assert Message.objects.values("recipient", "event").distinct().count() == Message.objects.count()


def test_recording_the_same_messages_again_adds_no_row(demo, django_capture_on_commit_callbacks):
    """Two runs at once each compute the same messages: the second's insert is ignored, not sent."""
    meeting = open_meeting(django_capture_on_commit_callbacks)
    due = notifications.due(meeting, datetime.date(2016, 6, 2))
    assert notifications.record(due)
    assert notifications.record(due) == []
    taken = list(notifications.to_send(retry=True))
    first = notifications.deliver(taken)
    second = notifications.deliver(taken)  # a second sender holding the same rows takes none of them
    assert len(first.sent) == len(taken) and second.sent == [] and second.failed == []


def test_a_date_that_is_not_one_is_refused_in_words(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date must be a date written YYYY-MM-DD"):
        call_command("send_reminders", "--date", "1 June")


# --- Choosing one's e-mails ----------------------------------------------------------------


def test_an_officer_who_turned_off_reminders_gets_no_reminder_but_still_the_chaser(
    demo, django_capture_on_commit_callbacks
):
    olivia = scenes.user("officer")
    services.choose_messages(olivia, by=olivia, wanted={Message.Kind.PACK_PUBLISHED})
    open_meeting(django_capture_on_commit_callbacks)
    already = len(mail.outbox)
    send_reminders("2016-05-25")
    assert sent_to(OLIVIA, since=already) == []
    send_reminders("2016-06-02")
    assert len(sent_to(OLIVIA, since=already)) == 1  # the deadline has passed: not optional


def test_a_member_who_turned_off_the_pack_is_not_sent_it(demo, django_capture_on_commit_callbacks):
    mina = scenes.user("member")
    services.choose_messages(mina, by=mina, wanted=set())
    meeting = open_meeting(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        scenes.pack_marked_published(meeting)
        PublishedPack.objects.create(meeting=meeting, version=1, pdf=b"%PDF", sha256="0" * 64, size=4)
    notifications.send_for_meeting(meeting.pk)
    assert sent_to(MINA) == []


def test_nobody_chooses_for_someone_else(demo):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.choose_messages(scenes.user("officer"), by=scenes.user("scrutiny"), wanted=set())


# --- The pack and the decisions --------------------------------------------------------------


def test_members_are_sent_each_new_version_of_the_pack_with_its_link(demo, django_capture_on_commit_callbacks):
    meeting = open_meeting(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_pack(meeting, by=scenes.user("scrutiny"))
    first = PublishedPack.objects.get(meeting=meeting)
    [pack_mail] = sent_to(MINA)
    assert pack_mail.subject == ("The pack for the Education and Vulnerable Children Overview and Scrutiny "
                                 "Committee meeting on 15 June 2016 is published")
    assert f"{SITE}/packs/{first.pk}/download/" in pack_mail.body
    assert f"{SITE}/meetings/{meeting.pk}/pack/" in pack_mail.body
    assert sent_to(OLIVIA, since=2) == []  # officers are not members

    second = PublishedPack.objects.create(meeting=meeting, version=2, pdf=b"%PDF", sha256="1" * 64, size=4)
    notifications.send_for_meeting(meeting.pk)
    notifications.send_for_meeting(meeting.pk)
    assert [m.subject.endswith("(version 2)") for m in sent_to(MINA)] == [False, True]
    assert f"{SITE}/packs/{second.pk}/download/" in sent_to(MINA)[1].body


def test_the_owners_people_are_sent_the_committees_decisions_with_the_outcome(
    demo, django_capture_on_commit_callbacks
):
    meeting = scenes.round_with_r06_concluded()
    office = scenes.user("scrutiny")
    for assessment in meeting.assessments.select_related("recommendation").exclude(recommendation__number="R06"):
        services.record_decision(assessment, scenes.category("4"), by=office)
    with django_capture_on_commit_callbacks(execute=True):
        services.advance_meeting(meeting, Meeting.State.DECISIONS_RECORDED, office)

    subject = "The committee’s decisions from its meeting on 15 June 2016"
    assert subjects(OLIVIA) == [subject] and subjects(CALLUM) == [subject]
    body = sent_to(OLIVIA)[0].body
    assert "- R06: 2 – Achieved (Late). Concluded: it leaves the tracking list." in body
    others = [number for number in children_numbers() if number != "R06"]
    assert all(f"- {number}: 4 – Not Achieved (Obstacle). It is tracked again at the next meeting." in body
               for number in others)
    assert sent_to(MINA) == []


def test_imported_and_closed_meetings_send_nothing(demo, django_capture_on_commit_callbacks):
    meeting = scenes.meeting_open_for_evidence()
    Meeting.objects.filter(pk=meeting.pk).update(imported=True)
    assert "nothing to send" in send_reminders("2016-06-02")
    Meeting.objects.filter(pk=meeting.pk).update(imported=False, state=Meeting.State.CLOSED)
    assert "nothing to send" in send_reminders("2016-06-02")
    assert mail.outbox == [] and not Message.objects.exists()


# --- Delivery that fails ---------------------------------------------------------------------


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses everything."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("The mail server refused the connection")


def test_a_message_not_delivered_is_recorded_and_sent_by_the_next_run(demo):
    scenes.meeting_open_for_evidence()
    with override_settings(EMAIL_BACKEND="tests.test_messages.RefusingBackend"):
        output = send_reminders("2016-05-25")
    assert f"NOT delivered to {OLIVIA}" in output and "it is tried again next time" in output
    failed = Message.objects.get(to=OLIVIA, kind=Message.Kind.DEADLINE_NEAR)
    assert (failed.status, failed.attempts) == (Message.Status.FAILED, 1)
    assert failed.last_error == "ConnectionRefusedError: The mail server refused the connection"
    assert mail.outbox == []

    output = send_reminders("2016-05-26")
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Message.Status.SENT, 2, "")
    assert len(sent_to(OLIVIA)) == 2  # evidence open and the reminder, each once


@override_settings(EMAIL_BACKEND="tests.test_messages.RefusingBackend", MESSAGE_ATTEMPTS=3)
def test_a_message_is_tried_a_limited_number_of_times(demo):
    scenes.meeting_open_for_evidence()
    for day in ("2016-05-20", "2016-05-21", "2016-05-22", "2016-05-23"):
        send_reminders(day)
    attempts = set(Message.objects.values_list("attempts", flat=True))
    assert attempts == {3}
    assert "nothing to send" in send_reminders("2016-05-24")


# --- Size: queries do not grow with the number of recommendations ------------------------------


def _round_of(size: int) -> None:
    committee = CommitteeFactory(reminder_days=7)
    inquiry = InquiryFactory(committee=committee)
    theme = ThemeFactory(inquiry=inquiry)
    owner = OwnerFactory()
    officer = UserFactory(email=f"officer{size}@example.gov.uk")
    officer.groups.add(roles_group(roles.OFFICER))
    owner.delegates.add(officer)
    office = UserFactory(email=f"office{size}@example.gov.uk")
    office.groups.add(roles_group(roles.SCRUTINY_OFFICE))
    meeting = MeetingFactory(committee=committee, date=datetime.date(2016, 6, 15),
                             evidence_deadline=datetime.date(2016, 6, 1), state=Meeting.State.EVIDENCE_OPEN)
    for _ in range(size):
        AssessmentFactory(meeting=meeting, recommendation=RecommendationFactory(theme=theme, owner=owner))


def roles_group(name):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name)


@pytest.mark.parametrize("sizes", [(2, 12)])
def test_send_reminders_runs_as_many_queries_for_many_recommendations_as_for_few(sizes):
    counts = []
    for size in sizes:
        # The same people each time (the earlier round's have left): only the recommendations grow.
        Meeting.objects.update(state=Meeting.State.CLOSED)
        get_user_model().objects.update(is_active=False)
        _round_of(size)
        with CaptureQueriesContext(connection) as queries:
            send_reminders("2016-06-02")
        counts.append(len(queries))
        assert Message.objects.filter(to__startswith="officer" + str(size)).count() == 2  # open, chaser
    assert counts[0] == counts[1], counts


# --- Real servers: SMTP on loopback, and the database worker ---------------------------------


def test_the_officers_email_arrives_through_a_real_smtp_server(demo, django_capture_on_commit_callbacks):
    with smtp_mailbox() as mailbox:
        meeting = open_meeting(django_capture_on_commit_callbacks)
    [message] = mailbox.to(OLIVIA)
    assert message["From"] == "scrutiny@council.example"
    assert message["Subject"].startswith("Evidence is open for the Education")
    assert f"{SITE}/my-recommendations/meetings/{meeting.pk}/" in Mailbox.links(message)
    assert "Dear Olivia Officer," in Mailbox.text(message)
    assert f'<a href="{SITE}/my-recommendations/meetings/{meeting.pk}/">Add your updates</a>' in Mailbox.html(message)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the migrations' rows (the default scheme) kept
def test_the_database_worker_delivers_a_message_queued_when_the_meeting_opened(seed_data):
    from django_tasks_db.models import DBTaskResult

    from tracker.importer import import_report

    import_report(seed_data)
    create_demo_users()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        meeting = scenes.meeting_open_for_evidence()
        queued = DBTaskResult.objects.get()
        assert queued.task_path == "tracker.tasks.send_for_meeting" and queued.args_kwargs["args"] == [meeting.pk]
        assert mail.outbox == []  # waiting for the worker

        out = io.StringIO()
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0",
                     verbosity=0, stdout=out)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert sorted(message.to[0] for message in mail.outbox) == [CALLUM, OLIVIA]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_daily_schedule_queues_the_reminders_once_a_day():
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from tracker.management.commands.run_schedule import run_once

    morning = timezone.make_aware(datetime.datetime(2016, 5, 25, 6, 59))
    later = timezone.make_aware(datetime.datetime(2016, 5, 25, 7, 0))
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        at = datetime.time(7, 0)
        assert run_once(at, now=morning) is None  # not yet
        with _today(later):
            assert run_once(at, now=later) == "2016-05-25"
            assert run_once(at, now=later) is None  # restarted the same day: not queued again
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "tracker.tasks.send_reminders" and queued.args_kwargs["args"] == ["2016-05-25"]


def _today(now):
    """Tasks are stamped with the real time; the schedule's day is the one given."""
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=now)


# --- GOV.UK Notify ---------------------------------------------------------------------------


def test_a_notify_api_key_sends_through_gov_uk_notify(monkeypatch):
    import importlib

    import scrutiny.settings as production

    monkeypatch.setenv("GOVUK_NOTIFY_API_KEY", "council-" + "0" * 36 + "-" + "1" * 36)
    monkeypatch.setenv("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID", "00000000-0000-0000-0000-000000000000")
    try:
        notify = importlib.reload(production)
        assert notify.EMAIL_BACKEND == "django_gov_notify.backends.NotifyEmailBackend"
        monkeypatch.delenv("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID")
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured, match="GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID"):
            importlib.reload(production)
        monkeypatch.delenv("GOVUK_NOTIFY_API_KEY")
        monkeypatch.setenv("EMAIL_URL", "smtp+tls://clerk:secret@smtp.council.example:587")
        smtp = importlib.reload(production)
        assert smtp.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        assert (smtp.EMAIL_HOST, smtp.EMAIL_PORT, smtp.EMAIL_USE_TLS) == ("smtp.council.example", 587, True)
    finally:
        monkeypatch.undo()
        importlib.reload(production)


def test_a_message_a_stopped_sender_left_is_sent_later_but_not_while_it_may_still_be_sending(demo):
    from django.utils import timezone

    olivia = scenes.user("officer")

    def taken(minutes_ago: int, event: str) -> Message:
        return Message.objects.create(
            recipient=olivia, to=OLIVIA, kind=Message.Kind.EVIDENCE_OPEN, event=event, subject=event,
            body_text="Hello", attempts=1, sent_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        )

    sending = taken(1, "being sent now")
    left = taken(20, "left by a stopped sender")
    send_reminders("2016-05-01")
    assert [message.subject for message in mail.outbox] == ["left by a stopped sender"]
    left.refresh_from_db()
    sending.refresh_from_db()
    assert (left.status, left.attempts) == (Message.Status.SENT, 2)
    assert (sending.status, sending.attempts) == (Message.Status.WAITING, 1)


def test_the_office_reads_every_message_in_the_admin_and_cannot_change_one(demo, django_capture_on_commit_callbacks):
    from tests.pages import signed_in, text

    open_meeting(django_capture_on_commit_callbacks)
    office = signed_in("scrutiny")
    listing = office.get("/admin/tracker/message/")
    assert listing.status_code == 200
    assert OLIVIA in text(listing) and CALLUM in text(listing)
    message = Message.objects.get(to=OLIVIA)
    page = office.get(f"/admin/tracker/message/{message.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert office.post(f"/admin/tracker/message/{message.pk}/change/", {"subject": "Changed"}).status_code == 403
    assert office.get("/admin/tracker/message/add/").status_code == 403
    assert signed_in("officer").get("/admin/tracker/message/").status_code == 302  # not for officers
