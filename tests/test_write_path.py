"""One way to write a tracked record: through tracker.services, never around it.

The admin reads tracked records (evidence, assessments, conclusions, date changes,
meetings) and links to the page that changes them; a recommendation saved there goes
through the same service and version check as the pages; history is never reverted.
A refusal is decided once, in tracker.permissions, and shown by one page in its words.
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.pages import text
from tests.test_concurrent_edits import change_form_data
from tracker import permissions, services
from tracker.demo import create_demo_users
from tracker.models import Assessment, AssessmentScheme, Committee, EvidenceUpdate, Meeting, Recommendation

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(seed):
    """The seed's committee with a new meeting open for evidence, R06 updated by the officer."""
    create_demo_users()
    users = {u.username: u for u in get_user_model().objects.all()}
    meeting = services.schedule_meeting(
        Committee.objects.get(), datetime.date(2016, 6, 15), datetime.date(2016, 6, 1), by=users["scrutiny"]
    )
    services.choose_recommendations(meeting, by=users["scrutiny"])
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, users["scrutiny"])
    r06 = Recommendation.objects.get(number="R06")
    update = services.add_evidence(r06, meeting, "Training booked.", datetime.date(2016, 5, 2), by=users["officer"])
    return {"users": users, "meeting": meeting, "r06": r06, "update": update}


def office_client(round_):
    client = Client()
    client.force_login(round_["users"]["scrutiny"])
    return client


def category(code):
    return AssessmentScheme.default().categories.get(code=code)


@pytest.mark.parametrize("model", ["evidenceupdate", "assessment", "conclusion", "datechange", "meeting"])
def test_the_admin_shows_tracked_records_but_cannot_add_or_change_them(round_, model):
    client = office_client(round_)
    assert client.get(f"/admin/tracker/{model}/").status_code == 200
    assert client.get(f"/admin/tracker/{model}/add/").status_code == 403


def test_a_meeting_state_cannot_be_moved_in_the_admin(round_):
    client = office_client(round_)
    closed = Meeting.objects.get(date=datetime.date(2016, 2, 10))
    url = f"/admin/tracker/meeting/{closed.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "the meeting page" in page.content.decode()
    response = client.post(url, {"committee": closed.committee_id, "state": "evidence_open", "date": "2016-02-10"})
    assert response.status_code == 403
    closed.refresh_from_db()
    assert closed.state == Meeting.State.CLOSED


def test_saving_a_recommendation_unchanged_in_the_admin_loses_nobodys_work(round_):
    """The trial's lost updates: the office had R06 open while an officer corrected and a cabinet member proposed."""
    client = office_client(round_)
    users, r06 = round_["users"], round_["r06"]
    url = f"/admin/tracker/recommendation/{r06.pk}/change/"
    opened = change_form_data(client, url)

    services.edit_evidence(round_["update"], "Training booked for May.", datetime.date(2016, 5, 2), by=users["officer"])
    here = Assessment.objects.get(meeting=round_["meeting"], recommendation=r06)
    services.propose_category(here, category("2"), None, by=users["cabinet"])

    client.post(url, opened)

    assert EvidenceUpdate.objects.get(pk=round_["update"].pk).text == "Training booked for May."
    here.refresh_from_db()
    assert here.proposed_category.code == "2" and here.proposed_by == users["cabinet"]


def test_an_admin_save_without_the_version_it_was_read_at_is_refused(round_):
    client = office_client(round_)
    r06 = round_["r06"]
    url = f"/admin/tracker/recommendation/{r06.pk}/change/"
    data = change_form_data(client, url)
    data.pop("seen_version")
    data["lead"] = "That the Council:"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This form is out of date. Reload the page and try again." in response.content.decode()
    r06.refresh_from_db()
    assert r06.lead != "That the Council:"


def test_an_admin_save_moves_the_version_on_and_keeps_the_history(round_):
    client = office_client(round_)
    r06 = round_["r06"]
    url = f"/admin/tracker/recommendation/{r06.pk}/change/"
    data = change_form_data(client, url)
    data["original_timescale"] = "July 2015 (revised)"
    assert client.post(url, data).status_code == 302
    saved = Recommendation.objects.get(pk=r06.pk)
    assert saved.version == r06.version + 1
    assert saved.history.first().history_user == round_["users"]["scrutiny"]


def test_an_earlier_version_cannot_be_saved_back_from_the_history_page(round_):
    client = office_client(round_)
    r06 = round_["r06"]
    url = f"/admin/tracker/recommendation/{r06.pk}/change/"
    data = change_form_data(client, url)
    data["lead"] = "That, after all:"
    client.post(url, data)
    first = r06.history.order_by("history_date").first()
    history_url = f"/admin/tracker/recommendation/{r06.pk}/history/{first.history_id}/"
    page = client.get(history_url)
    assert page.status_code == 200 and "Revert" not in text(page)
    form = page.context["adminform"].form
    revert = {name: form.initial.get(name, field.initial) or "" for name, field in form.fields.items()}
    revert["seen_version"] = Recommendation.objects.get(pk=r06.pk).version
    assert client.post(history_url, revert).status_code == 403
    assert Recommendation.objects.get(pk=r06.pk).lead == "That, after all:"


def test_a_refusal_is_decided_once_and_the_user_reads_its_sentence(round_):
    """The service refuses; the one 403 page shows the rule's own words."""
    here = Assessment.objects.get(meeting=round_["meeting"], recommendation=round_["r06"])
    sentence = permissions.refusal("propose", here)
    with pytest.raises(PermissionDenied, match=re.escape(sentence)):
        services.propose_category(here, category("2"), None, by=round_["users"]["officer"])

    officer = Client()
    officer.force_login(round_["users"]["officer"])
    response = officer.post(f"/assessments/{here.pk}/proposal/", {"category": category("2").pk, "version": 1})
    assert response.status_code == 403
    assert sentence in text(response)
    here.refresh_from_db()
    assert here.proposed_category is None


def test_a_proposal_for_a_recommendation_taken_off_the_list_meanwhile_is_refused_with_why(round_):
    users, meeting = round_["users"], round_["meeting"]
    here = Assessment.objects.get(meeting=meeting, recommendation=round_["r06"])
    cabinet = Client()
    cabinet.force_login(users["cabinet"])
    assert cabinet.get(f"/assessments/{here.pk}/proposal/").status_code == 200

    keep = Recommendation.objects.filter(committee=meeting.committee).tracked().exclude(number="R06")
    services.choose_recommendations(meeting, list(keep), by=users["scrutiny"])

    # Already gone when the page is sent: not found, and the page says what may have happened.
    response = cabinet.post(f"/assessments/{here.pk}/proposal/", {"category": category("2").pk, "version": 1})
    assert response.status_code == 404
    assert "removed by someone else" in text(response)
    # Gone between reading and saving: the service refuses, naming the recommendation.
    with pytest.raises(services.RecordGone, match="R06 was taken off the list for the 15 June 2016 meeting"):
        services.propose_category(here, category("2"), None, by=users["cabinet"])


def test_unticking_waits_for_a_proposal_and_keeps_it(round_):
    """The office's list can never drop an assessment a proposal has just been saved on."""
    users, meeting = round_["users"], round_["meeting"]
    here = Assessment.objects.get(meeting=meeting, recommendation=round_["r06"])
    stale_list_read = list(Recommendation.objects.filter(committee=meeting.committee).tracked())
    services.propose_category(here, category("2"), None, by=users["cabinet"])
    with pytest.raises(Exception, match="already have a category proposed"):
        services.choose_recommendations(meeting, [r for r in stale_list_read if r.number != "R06"], by=users["scrutiny"])
    assert Assessment.objects.filter(pk=here.pk).exists()
