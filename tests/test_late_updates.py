"""Updates received after the pack was published: entered by their author or by the scrutiny
office on their behalf, shown as late, and sent out in a supplement or a republished pack."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from tests.pages import ask_and_follow, evidence_fields, field_errors, signed_in, text
from tracker import services
from tracker.demo import create_demo_users
from tracker.models import Committee, EvidenceUpdate, Meeting, PublishedPack, Recommendation

pytestmark = pytest.mark.django_db
EARLIER = "Taxi drivers trained: 1,200 of 1,450 licence holders attended."
LATE = "The last 250 taxi drivers were trained on 10 June."


def user(name):
    return get_user_model().objects.get(username=name)


def pdf_text(pack: PublishedPack) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(pack.pdf))).pages)


@pytest.fixture
def meeting(seed):
    """A new meeting whose pack is published, with R06's update in it."""
    create_demo_users()
    office = user("scrutiny")
    meeting = services.schedule_meeting(
        Committee.objects.get(), datetime.date(2016, 6, 15), datetime.date(2016, 6, 1), by=office
    )
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    services.add_evidence(r06(), meeting, EARLIER, datetime.date(2016, 6, 1), by=user("officer"))
    services.publish_pack(meeting, by=office)
    meeting.refresh_from_db()
    return meeting


def r06():
    return Recommendation.objects.get(number="R06")


def late_url(meeting):
    return f"/meetings/{meeting.pk}/recommendations/{r06().pk}/evidence/late/"


def add_late(meeting, **kwargs):
    return services.add_late_evidence(
        r06(), meeting, text=kwargs.pop("text", LATE), written_on=datetime.date(2016, 6, 10), **kwargs
    )


def test_the_officer_adds_an_update_after_the_pack_and_it_shows_as_late(meeting):
    officer = signed_in("officer")
    page = text(officer.get(f"/my-recommendations/meetings/{meeting.pk}/"))
    assert "Add an update received after the pack was published" in page
    response = officer.post(late_url(meeting), evidence_fields(f"r{r06().pk}", LATE, (10, 6, 2016)))
    assert response.status_code == 302
    update = EvidenceUpdate.objects.get(text=LATE)
    assert update.author == user("officer") and update.entered_by is None
    assert update.received_after == meeting.published_packs.get()
    when = update.received_after.published_at.strftime("%-d %B %Y")
    for reader, page_url in (("officer", f"/my-recommendations/meetings/{meeting.pk}/"),
                             ("member", f"/meetings/{meeting.pk}/"), ("member", f"/recommendations/{r06().pk}/")):
        assert f"Received after the pack was published on {when}" in text(signed_in(reader).get(page_url)), page_url


def test_the_office_enters_an_update_on_an_officers_behalf_recorded_as_such(meeting):
    office = signed_in("scrutiny")
    assert "Add an update received after the pack was published" in text(office.get(f"/meetings/{meeting.pk}/"))
    form = office.get(late_url(meeting))
    assert "Olivia Officer" in text(form)
    fields = evidence_fields(f"r{r06().pk}", LATE, (10, 6, 2016))
    assert field_errors(office.post(late_url(meeting), fields)) == ["Choose the officer the update is from"]
    response = office.post(late_url(meeting), {**fields, f"r{r06().pk}-author": user("officer").pk})
    assert response.status_code == 302
    update = EvidenceUpdate.objects.get(text=LATE)
    assert (update.author, update.entered_by) == (user("officer"), user("scrutiny"))
    assert "Entered by Sam Scrutiny on behalf of Olivia Officer" in text(office.get(f"/recommendations/{r06().pk}/"))


def test_the_office_cannot_say_it_came_from_someone_who_does_not_act_for_an_owner(meeting):
    with pytest.raises(ValidationError) as refused:
        add_late(meeting, by=user("scrutiny"), author=user("member"))
    assert "author" in refused.value.error_dict


def test_an_officer_of_another_owner_is_refused(meeting):
    r05 = Recommendation.objects.get(number="R05")
    response = signed_in("officer").post(
        f"/meetings/{meeting.pk}/recommendations/{r05.pk}/evidence/late/", evidence_fields(f"r{r05.pk}", LATE)
    )
    assert response.status_code == 403
    assert not EvidenceUpdate.objects.filter(text=LATE).exists()


def test_the_supplement_lists_only_the_late_items_under_a_heading_with_the_date(meeting):
    add_late(meeting, by=user("officer"))
    publication = services.publish_supplement(meeting, by=user("scrutiny"))
    supplement = publication.pack
    assert supplement.supplement and supplement.version == 2
    words = " ".join(pdf_text(supplement).split())
    when = meeting.published_packs.get(version=1).published_at.strftime("%-d %B %Y")
    assert f"Received after the pack was published on {when}" in words
    assert "R06" in words and LATE in words
    assert EARLIER not in words and "R05" not in words
    # Nothing new since: the same supplement, not a copy.
    assert services.publish_supplement(meeting, by=user("scrutiny")).is_new is False
    versions = text(signed_in("scrutiny").get(f"/meetings/{meeting.pk}/pack/"))
    assert f"Supplement of {supplement.published_at.strftime('%-d %B %Y')}" in versions


def test_a_supplement_with_nothing_late_is_refused(meeting):
    with pytest.raises(ValidationError, match="nothing to put in a supplement"):
        services.publish_supplement(meeting, by=user("scrutiny"))


def test_the_republished_pack_prints_late_items_under_their_own_heading(meeting):
    add_late(meeting, by=user("officer"))
    first = meeting.published_packs.get(version=1)
    republished = services.publish_pack(meeting, by=user("scrutiny")).pack
    words = " ".join(pdf_text(republished).split())
    when = first.published_at.strftime("%-d %B %Y")
    heading = f"Received after the pack was published on {when}"
    # Never run on from the earlier text: the heading and date come first.
    assert f"{EARLIER} {heading} Written 10 June 2016, after the evidence deadline of 1 June 2016. {LATE}" in words
    assert EARLIER in " ".join(pdf_text(first).split()) and LATE not in " ".join(pdf_text(first).split())


def test_the_versions_page_offers_both_ways_in_plain_words(meeting, django_capture_on_commit_callbacks):
    add_late(meeting, by=user("officer"))
    page = text(signed_in("scrutiny").get(f"/meetings/{meeting.pk}/pack/"))
    assert "1 update has come in since the pack was published" in page
    assert "Publish a supplement with the late updates" in page
    response = ask_and_follow(signed_in("scrutiny"), f"/meetings/{meeting.pk}/pack/supplement/",
                              django_capture_on_commit_callbacks)
    assert "The supplement is published" in text(response)
    assert "Download the supplement (PDF" in text(response)
    assert signed_in("officer").post(f"/meetings/{meeting.pk}/pack/supplement/").status_code == 403


def test_not_allowed_before_the_pack_is_published(seed):
    create_demo_users()
    office = user("scrutiny")
    meeting = services.schedule_meeting(Committee.objects.get(), datetime.date(2016, 6, 15), None, by=office)
    services.choose_recommendations(meeting, by=office)
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)
    with pytest.raises(ValidationError, match="you cannot add an update received after its pack was published now"):
        add_late(meeting, by=user("officer"))
    page = text(signed_in("officer").get(late_url(meeting)))
    assert "you cannot add an update received after its pack was published now" in page


def test_not_allowed_once_the_decisions_are_recorded(meeting):
    office = user("scrutiny")
    for assessment in meeting.assessments.all():
        services.record_decision(assessment, services.Category.objects.filter(scheme=meeting.scheme).get(code="4"),
                                 by=office)
    services.advance_meeting(meeting, Meeting.State.DECISIONS_RECORDED, office)
    with pytest.raises(ValidationError, match="you cannot add an update received after its pack was published"):
        add_late(meeting, by=user("officer"))


def test_the_same_form_sent_twice_adds_the_update_once(meeting):
    fields = evidence_fields(f"r{r06().pk}", LATE, (10, 6, 2016))
    officer = signed_in("officer")
    officer.post(late_url(meeting), fields)
    officer.post(late_url(meeting), fields)
    assert EvidenceUpdate.objects.filter(text=LATE).count() == 1


def test_an_empty_update_is_refused_beside_the_field(meeting):
    response = signed_in("officer").post(late_url(meeting), evidence_fields(f"r{r06().pk}", "  ", (10, 6, 2016)))
    assert response.status_code == 400
    assert field_errors(response) == ["Enter the evidence of progress"]


def test_the_late_form_reads_a_fixed_number_of_queries(meeting, django_assert_max_num_queries):
    office = signed_in("scrutiny")
    with django_assert_max_num_queries(20):
        assert office.get(late_url(meeting)).status_code == 200


def test_the_late_form_costs_the_same_queries_with_more_updates_and_officers(meeting):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory
    from tracker import roles

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert office.get(late_url(meeting)).status_code == 200
        return len(captured)

    office = signed_in("scrutiny")
    before = queries()
    owner = r06().owners.first()
    for n in range(5):
        officer = UserFactory(username=f"officer{n}")
        officer.groups.add(Group.objects.get(name=roles.OFFICER))
        owner.delegates.add(officer)
    for n in range(10):
        services.add_late_evidence(r06(), meeting, by=user("officer"), text=f"Late item {n}.",
                                   written_on=datetime.date(2016, 6, 10))
    assert queries() == before
