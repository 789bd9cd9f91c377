"""Evidence as careless users and flaky networks send it: twice, late, misdated, corrected after printing.

The round is the seed committee's 15 June 2016 meeting (evidence by 1 June 2016).
"""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from tests.pages import evidence_fields, hidden, signed_in, text
from tests.test_pack_support import page_texts
from tracker import services
from tracker.demo import create_demo_users
from tracker.models import Committee, EvidenceUpdate, Meeting, Recommendation
from tracker.pack.render import build_pack

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2016, 6, 15)
DEADLINE = datetime.date(2016, 6, 1)


@pytest.fixture
def users(seed):
    create_demo_users()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def meeting(users):
    meeting = services.schedule_meeting(Committee.objects.get(), JUNE, DEADLINE, by=users["scrutiny"])
    services.choose_recommendations(meeting, by=users["scrutiny"])
    return services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, users["scrutiny"])


def r06():
    return Recommendation.objects.get(number="R06")


def officer_page(meeting):
    officer = signed_in("officer")
    page = officer.get(f"/my-recommendations/meetings/{meeting.pk}/")
    return officer, page, f"r{r06().pk}"


# --- The same form sent twice ------------------------------------------------------------------


def test_a_double_click_on_add_update_adds_it_once(meeting):
    officer, page, prefix = officer_page(meeting)
    form = evidence_fields(prefix, "Taxi drivers trained.", submission=hidden(page, f"{prefix}-submission"))
    url = f"/meetings/{meeting.pk}/recommendations/{r06().pk}/evidence/new/"
    answers = [officer.post(url, form) for _ in range(20)]
    assert {answer.status_code for answer in answers} == {302}
    assert EvidenceUpdate.objects.filter(text="Taxi drivers trained.").count() == 1


def test_two_forms_loaded_separately_add_two_updates_in_order(meeting, users):
    first = services.add_evidence(r06(), meeting, "First.", DEADLINE, by=users["officer"], submission_key=None)
    second = services.add_evidence(r06(), meeting, "Second.", DEADLINE, by=users["officer"], submission_key=None)
    positions = list(r06().evidence_updates.order_by("position").values_list("position", flat=True))
    assert len(positions) == len(set(positions))
    assert second.position == first.position + 1


@pytest.mark.postgres
def test_the_same_form_sent_at_the_same_moment_from_many_connections_adds_one_update(
    transactional_db, django_db_serialized_rollback, seed_data
):
    """Twenty retries of one form racing on PostgreSQL: one row, every answer the same update."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent connections need PostgreSQL")
    from tracker.importer import import_report

    import_report(seed_data)
    create_demo_users()
    users = {u.username: u for u in get_user_model().objects.all()}
    meeting = services.schedule_meeting(Committee.objects.get(), JUNE, DEADLINE, by=users["scrutiny"])
    services.choose_recommendations(meeting, by=users["scrutiny"])
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, users["scrutiny"])
    import uuid

    key, start, results = uuid.uuid4(), threading.Barrier(20), []

    def send():
        from django.db import connections

        try:
            start.wait()
            results.append(services.add_evidence(r06(), meeting, "Raced.", DEADLINE, by=users["officer"],
                                                 submission_key=key).pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 20 and len(set(results)) == 1
    assert EvidenceUpdate.objects.filter(text="Raced.").count() == 1


# --- Dates a person can mean ---------------------------------------------------------------------


@pytest.mark.parametrize("day, month, year, message", [
    (1, 1, 1, "The meeting must be on or after 1 January 2000."),
    (1, 1, 1999, "The meeting must be on or after 1 January 2000."),
    (1, 1, 2999, "The meeting must be no later than"),
])
def test_a_meeting_on_a_date_nobody_can_mean_is_refused_beside_the_date(users, day, month, year, message):
    with pytest.raises(ValidationError) as refused:
        services.schedule_meeting(Committee.objects.get(), datetime.date(year, month, day), None, by=users["scrutiny"])
    assert refused.value.message_dict["date"][0].startswith(message)
    assert not Meeting.objects.filter(date=datetime.date(year, month, day)).exists()


def test_evidence_dated_before_scrutiny_existed_or_in_the_future_is_refused(meeting, users):
    for day, message in [
        (datetime.date(1, 1, 1), "The date written must be on or after 1 January 2000."),
        (datetime.date.today() + datetime.timedelta(days=1), "The date written cannot be in the future."),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.add_evidence(r06(), meeting, "Misdated.", day, by=users["officer"])
        assert refused.value.message_dict["written_on"] == [message]
    assert not EvidenceUpdate.objects.filter(text="Misdated.").exists()


def test_evidence_written_after_the_deadline_is_marked_on_the_meeting_page_and_in_the_pack(meeting, users):
    services.add_evidence(r06(), meeting, "On time.", DEADLINE, by=users["officer"])
    services.add_evidence(r06(), meeting, "Sent in late.", datetime.date(2016, 6, 3), by=users["officer"])

    words = text(signed_in("member").get(f"/meetings/{meeting.pk}/"))
    late = words.index("Sent in late.")
    assert "Written after the evidence deadline of 1 June 2016 for the 15 June 2016 meeting." in words[late - 300:late]
    on_time = words.index("On time.")
    assert "after the evidence deadline" not in words[words.rindex("Written", 0, on_time):on_time]

    pack = "\n".join(page_texts(build_pack(meeting).pdf))
    assert "Written 3 June 2016, after the evidence deadline of 1 June 2016." in pack
    assert pack.count("after the evidence deadline") == 1


# --- Corrected after a pack printed it -----------------------------------------------------------


def test_evidence_corrected_after_its_pack_was_published_says_so_and_keeps_both_versions(meeting, users):
    update = services.add_evidence(r06(), meeting, "Training booked.", DEADLINE, by=users["officer"])
    services.publish_pack(meeting, by=users["scrutiny"])
    for state in (Meeting.State.DECISIONS_RECORDED, Meeting.State.CLOSED):
        Meeting.objects.filter(pk=meeting.pk).update(state=state)
    autumn = services.schedule_meeting(Committee.objects.get(), datetime.date(2016, 9, 14), None, by=users["scrutiny"])
    services.choose_recommendations(autumn, by=users["scrutiny"])

    services.edit_evidence(update, "Training booked for 1,200 drivers.", DEADLINE, by=users["officer"])

    words = text(signed_in("member").get(f"/meetings/{autumn.pk}/"))
    assert ("Corrected after it was published in version 1 of the pack for the 15 June 2016 meeting: "
            "that pack shows the earlier version") in words
    timeline = text(signed_in("member").get(f"/recommendations/{r06().pk}/"))
    assert "Training booked for 1,200 drivers." in timeline
    assert "Earlier versions of this update (1)" in timeline and "Training booked." in timeline


def test_a_correction_before_any_pack_printed_it_is_not_marked_as_after_publication(meeting, users):
    update = services.add_evidence(r06(), meeting, "Training booked.", DEADLINE, by=users["officer"])
    services.edit_evidence(update, "Training booked for May.", DEADLINE, by=users["officer"])
    assert EvidenceUpdate.objects.get(pk=update.pk).corrected_after is None
