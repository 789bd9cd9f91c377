"""A council sets itself up and runs its own process: words, schemes, committees, inquiries, people.

Each story goes through tracker.services, as the set-up pages do.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from tracker import invitations, roles, services
from tracker.models import (
    Assessment,
    AssessmentScheme,
    Committee,
    Council,
    EvidenceUpdate,
    ExecutiveResponse,
    Meeting,
    Recommendation,
    Transfer,
)
from tracker.pack.context import pack_for
from tracker.pack.render import render_pack_html
from tracker.paste import parse_recommendations
from tracker.selectors import tracked_at

pytestmark = pytest.mark.django_db

JUNE, SEPTEMBER, DECEMBER = datetime.date(2016, 6, 15), datetime.date(2016, 9, 14), datetime.date(2016, 12, 7)


@pytest.fixture
def office():
    user = UserFactory(username="office", first_name="Olu", last_name="Office")
    user.groups.add(Group.objects.get(name=roles.SCRUTINY_OFFICE))
    return user


def slipped_scheme(office) -> AssessmentScheme:
    """The common four: Achieved, On Track (not yet due), Slipped (revised date and reasons), Not Achieved."""
    scheme = services.create_scheme(by=office, name="Four categories")
    services.update_scheme(scheme, by=office, revised_dates_count=True, guidance_intro="The committee considers:",
                           guidance_questions="Is it done?")
    for code, label, flags in [
        ("1", "Achieved (Fully)", {"counts_as_achieved": True, "warn_after_completion": True}),
        ("2", "On Track (not yet due for completion)", {"only_before_completion": True}),
        ("3", "Slipped", {"needs_anticipated_date": True, "needs_reasons": True}),
        ("4", "Not Achieved", {}),
    ]:
        services.save_category(scheme, by=office, code=code, label=label, criteria=f"{label}.", **flags)
    return scheme


def pasted(text):
    result = parse_recommendations(text)
    assert result.ok, result.problems
    return result.recommendations


def open_meeting(committee, office, date=JUNE):
    meeting = services.schedule_meeting(committee, date, date - datetime.timedelta(days=14), by=office)
    services.choose_recommendations(meeting, by=office)
    return services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)


# --- The council's words -----------------------------------------------------------------------


def test_the_council_words_its_pack_and_a_sentence_with_an_unknown_placeholder_is_refused(office):
    council = services.update_council(
        Council.current(), by=office, expected_version=None, name="Anytown District Council",
        name_in_sentences="the District Council", scrutiny_office_name="Democratic Services",
        words={"appendix_1_entry": "{scrutiny_office} note on tracking"},
    )
    assert council.words == {"appendix_1_entry": "{scrutiny_office} note on tracking"}
    with pytest.raises(ValidationError) as refused:
        services.update_council(council, by=office, expected_version=council.version,
                                words={"cover_paragraph_1": "As {cabinet_member} I report."})
    assert "{cabinet_member} is not a placeholder" in refused.value.message_dict["cover_paragraph_1"][0]


def test_a_sentence_set_back_to_its_default_is_not_kept(office):
    from tracker.words import WORDING

    council = services.update_council(Council.current(), by=office, expected_version=None,
                                      words={"appendix_2_heading": WORDING["appendix_2_heading"].default})
    assert council.words == {}


def test_a_logo_is_checked_by_what_it_is_not_by_its_name(office):
    with pytest.raises(ValidationError, match="PNG or JPEG"):
        services.set_council_logo(Council.current(), b"%PDF-1.7 not a picture", by=office)
    png = small_png()
    council = services.set_council_logo(Council.current(), png, by=office, alt="Anytown crest")
    assert council.logo_type == "image/png" and bytes(council.logo) == png


def small_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 80, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- Schemes keep their history ---------------------------------------------------------------


def test_a_scheme_nobody_has_used_is_changed_in_place(office):
    scheme = slipped_scheme(office)
    assert scheme.version == 1 and scheme.categories.count() == 4
    services.save_category(scheme, scheme.categories.get(code="4"), by=office, label="Not Achieved (Closed)")
    assert AssessmentScheme.objects.filter(name="Four categories").count() == 1


def test_changing_a_scheme_in_use_makes_a_new_version_and_old_meetings_print_the_old_one(office, seed):
    committee = Committee.objects.get()
    old_scheme = committee.scheme
    report_meeting = Meeting.objects.get(date__isnull=True)
    before = render_pack_html(pack_for(report_meeting))

    category = old_scheme.categories.get(code="6")
    new = services.save_category(old_scheme, category, by=office, label="On Track").scheme

    assert new.version == 2 and new.replaces == old_scheme
    old_scheme.refresh_from_db()
    committee.refresh_from_db()
    assert old_scheme.retired and committee.scheme == new
    assert render_pack_html(pack_for(report_meeting)) == before
    assert "6: In Progress" in before and "6: On Track" not in before
    autumn = services.schedule_meeting(committee, SEPTEMBER, None, by=office)
    services.choose_recommendations(autumn, by=office)
    assert autumn.scheme == new
    assert "6: On Track" in render_pack_html(pack_for(autumn))


def test_switching_a_committees_scheme_keeps_meetings_with_history_on_the_scheme_they_used(office, seed):
    committee = Committee.objects.get()
    old_scheme = committee.scheme
    scheduled = services.schedule_meeting(committee, SEPTEMBER, None, by=office)
    four = slipped_scheme(office)
    services.update_committee(committee, by=office, expected_version=committee.version, scheme=four)
    assert Meeting.objects.get(pk=scheduled.pk).scheme == four
    assert set(Meeting.objects.filter(date__lt=SEPTEMBER).values_list("scheme", flat=True)) == {old_scheme.pk}
    assert Meeting.objects.get(date__isnull=True).scheme == old_scheme


# --- A four-category council: slipped needs a revised date and reasons ------------------------


def four_category_council(office):
    scheme = slipped_scheme(office)
    committee = services.create_committee(by=office, name="Communities Scrutiny Committee", scheme=scheme,
                                          assessed_by=Committee.AssessedBy.LEAD_OFFICER, assessor_title="Lead Officer")
    inquiry = services.create_inquiry(by=office, committee=committee, title="Leisure Services Review")
    recommendations = services.add_recommendations(inquiry, pasted(
        "Leisure Task Group Rec 1 That the council reviews leisure centre opening hours.\n"
        "Responsibility: Director of Place / Cabinet Member for Leisure\n"
        "Date: June 2016\n"
        "\n"
        "Leisure Task Group Rec 2 That charges are reviewed when the Planning and Infrastructure Act is passed.\n"
        "Responsibility: Director of Place\n"
        "Date: To be confirmed when the Planning and Infrastructure Act is passed\n"
    ), by=office, executive_response=ExecutiveResponse.ACCEPTED)
    return committee, recommendations


def test_pasted_recommendations_keep_long_numbers_two_owners_and_a_date_waiting_on_legislation(office):
    _, (first, second) = four_category_council(office)
    assert first.number == "Leisure Task Group Rec 1"
    assert [r.owner.name for r in first.responsibilities.all()] == ["Director of Place", "Cabinet Member for Leisure"]
    waiting = second.milestones.get()
    assert waiting.due_date is None and waiting.event.startswith("To be confirmed when")
    assert second.completion_date() is None  # never expired while it waits


def test_slipped_needs_its_revised_date_and_its_reasons_and_the_pack_prints_them(office):
    committee, (first, _) = four_category_council(office)
    meeting = open_meeting(committee, office)
    here = Assessment.objects.get(meeting=meeting, recommendation=first)
    slipped = committee.scheme.categories.get(label="Slipped")
    with pytest.raises(ValidationError) as refused:
        services.propose_category(here, slipped, None, by=office)
    assert set(refused.value.message_dict) == {"anticipated_date", "reasons"}
    services.propose_category(here, slipped, datetime.date(2016, 12, 31), by=office,
                              reasons="The contractor went into administration.")
    html = render_pack_html(pack_for(meeting))
    assert "The contractor went into administration." in html
    assert "Lead Officer’s Assessment" in html and "Cabinet Member" not in html.split("Appendix 2")[1][:2000]


def test_on_track_is_judged_against_the_revised_date_in_force(office):
    committee, (first, second) = four_category_council(office)
    june = open_meeting(committee, office)
    here = Assessment.objects.get(meeting=june, recommendation=first)
    slipped, on_track = (committee.scheme.categories.get(code=code) for code in ("3", "2"))
    services.propose_category(here, slipped, datetime.date(2016, 12, 31), by=office, reasons="Delayed.")
    services.advance_meeting(june, Meeting.State.PACK_PUBLISHED, office)
    here.refresh_from_db()
    services.record_decision(here, slipped, datetime.date(2016, 12, 31), by=office, reasons="Delayed.")
    # Waiting on legislation: on track, whatever the date.
    services.record_decision(Assessment.objects.get(meeting=june, recommendation=second), on_track, by=office)
    services.advance_meeting(june, Meeting.State.DECISIONS_RECORDED, office)
    services.advance_meeting(june, Meeting.State.CLOSED, office)

    september = open_meeting(committee, office, SEPTEMBER)
    later = Assessment.objects.get(meeting=september, recommendation=first)
    # Its original June date has passed, but the revised 31 December is in force.
    assert services.propose_category(later, on_track, None, by=office) == []


def test_no_lateness_question_in_a_scheme_without_a_late_category(office):
    committee, (first, _) = four_category_council(office)
    meeting = open_meeting(committee, office, SEPTEMBER)  # after its June date
    here = Assessment.objects.get(meeting=meeting, recommendation=first)
    achieved = committee.scheme.categories.get(code="1")
    assert services.propose_category(here, achieved, None, by=office) == []


# --- Narrative tracking: no categories -----------------------------------------------------------


def test_a_narrative_only_committee_runs_a_meeting_from_scheduled_to_closed(office):
    scheme = services.create_scheme(by=office, name="Narrative updates")
    committee = services.create_committee(by=office, name="Task Groups Committee", scheme=scheme,
                                          assessed_by=Committee.AssessedBy.SCRUTINY_OFFICE)
    inquiry = services.create_inquiry(by=office, committee=committee, title="Task group reviews")
    done, going = services.add_recommendations(inquiry, pasted(
        "TG1 Rec 1 That bins are emptied weekly.\nResponsibility: Head of Waste\nDate: March 2016\n\n"
        "TG2 Rec 1 That parks open later.\nResponsibility: Head of Parks\nDate: On-going\n"
    ), by=office, executive_response=ExecutiveResponse.ACCEPTED)
    meeting = open_meeting(committee, office)
    services.add_evidence(done, meeting, "Weekly collections began in April.", datetime.date(2016, 5, 31), by=office)
    publication = services.publish_pack(meeting, by=office)
    assert publication.is_new
    for recommendation, completed in ((done, True), (going, False)):
        here = Assessment.objects.get(meeting=meeting, recommendation=recommendation)
        services.record_decision(here, None, by=office, concluded=completed)
    services.advance_meeting(meeting, Meeting.State.DECISIONS_RECORDED, office)
    services.advance_meeting(meeting, Meeting.State.CLOSED, office)

    assert Recommendation.objects.concluded().get() == done
    autumn = services.schedule_meeting(committee, SEPTEMBER, None, by=office)
    services.choose_recommendations(autumn, by=office)
    html = render_pack_html(pack_for(autumn))
    concluded = html.split("Appendix 3")[1]
    assert "TG1 Rec 1" in concluded and "Completed" in concluded  # done, "for information only"
    assert "Category Criteria" not in html and "Assessment" not in html.split("Appendix 2")[1].split("Appendix 3")[0]


def test_a_committee_with_categories_cannot_record_a_decision_without_one(office, seed):
    meeting = open_meeting(seed.committee, office)
    meeting = services.advance_meeting(meeting, Meeting.State.PACK_PUBLISHED, office)
    r06 = Assessment.objects.get(meeting=meeting, recommendation__number="R06")
    with pytest.raises(ValidationError, match="Choose a category"):
        services.record_decision(r06, None, by=office)


# --- Mistakes taken back ------------------------------------------------------------------------


def test_a_mistaken_recommendation_is_deleted_until_something_refers_to_it_then_withdrawn(office):
    committee, (first, second) = four_category_council(office)
    assert services.withdraw_recommendation(second, by=office, reason="") is True
    assert not Recommendation.objects.filter(pk=second.pk).exists()
    assert Recommendation.history.filter(id=second.pk, history_type="-").exists()

    meeting = open_meeting(committee, office)
    services.add_evidence(first, meeting, "Hours reviewed.", datetime.date(2016, 5, 31), by=office)
    with pytest.raises(ValidationError, match="Say why"):
        services.withdraw_recommendation(first, by=office, reason=" ")
    assert services.withdraw_recommendation(first, by=office, reason="Entered twice.") is False
    first.refresh_from_db()
    assert first.withdrawn_on is not None and not Recommendation.objects.tracked().filter(pk=first.pk).exists()
    assert EvidenceUpdate.objects.filter(recommendation=first).exists()


def test_only_accepted_recommendations_are_ticked_by_default(office):
    committee, (first, second) = four_category_council(office)
    services.update_recommendation(second, by=office, expected_version=second.version,
                                   executive_response=ExecutiveResponse.REJECTED)
    meeting = services.schedule_meeting(committee, JUNE, None, by=office)
    chosen = services.choose_recommendations(meeting, by=office)
    assert [a.recommendation for a in chosen] == [first]


# --- Moving between committees ----------------------------------------------------------------


def test_a_transferred_inquiry_leaves_old_packs_as_they_were_and_carries_its_category_over(office, seed):
    old_committee = Committee.objects.get()
    report_meeting = Meeting.objects.get(date__isnull=True)
    february = Meeting.objects.get(date=datetime.date(2016, 2, 10))
    before = {m.pk: render_pack_html(pack_for(m)) for m in (report_meeting, february)}
    new_committee = services.create_committee(by=office, name="Children and Families Committee",
                                              scheme=old_committee.scheme,
                                              assessed_by=Committee.AssessedBy.EXECUTIVE)

    services.transfer_inquiry(seed, new_committee, by=office, on=datetime.date(2016, 5, 20),
                              reason="Children's services moved to the new committee in May 2016.")

    assert {m: render_pack_html(pack_for(Meeting.objects.get(pk=m))) for m in before} == before
    assert Transfer.objects.filter(to_committee=new_committee).count() == 19
    meeting = services.schedule_meeting(new_committee, JUNE, None, by=office)
    services.choose_recommendations(meeting, by=office)
    r06 = next(row for row in tracked_at(meeting) if row.recommendation.number == "R06")
    assert row_category(r06) == "3 – Not Achieved (Progress Made)"
    assert Recommendation.objects.filter(number="R06").with_current_category().get().current_category_code == "3"
    html = render_pack_html(pack_for(meeting))
    assert "Appendix 3" in html and "R01" in html  # concluded before the move, still "for information only"


def row_category(row):
    category = row.previous_category
    return f"{category.code} – {category.label}"


def test_one_recommendation_moves_and_its_history_stays_with_the_old_committee(office, seed):
    old_committee = Committee.objects.get()
    new_committee = services.create_committee(by=office, name="Licensing Committee", scheme=old_committee.scheme,
                                              assessed_by=Committee.AssessedBy.EXECUTIVE)
    r06 = Recommendation.objects.get(number="R06")
    with pytest.raises(ValidationError, match="Say why"):
        services.transfer_recommendations([r06], new_committee, by=office, on=datetime.date(2016, 5, 20), reason="")
    services.transfer_recommendations([r06], new_committee, by=office, on=datetime.date(2016, 5, 20),
                                      reason="Taxi licensing belongs to the Licensing Committee.")
    r06.refresh_from_db()
    assert r06.committee == new_committee and r06.inquiry.committee == old_committee
    june = services.schedule_meeting(old_committee, JUNE, None, by=office)
    services.choose_recommendations(june, by=office)
    assert "R06" not in [a.recommendation.number for a in june.assessments.all()]


# --- People ---------------------------------------------------------------------------------------


def test_the_office_invites_a_person_who_chooses_a_password_from_the_link(office, seed):
    from tracker.models import Owner

    owner = Owner.objects.get(name="Leader")
    person = services.invite_person(
        by=office, email="Dana.Director@Anytown.gov.uk", full_name="Dana Director",
        roles_given=[roles.OFFICER], owners=[owner], invitation_url=lambda user: f"https://x/{invitations.token_for(user)}",
    )
    assert person.username == "dana.director@anytown.gov.uk" and not person.has_usable_password()
    assert list(person.owners.all()) == [owner] and person.groups.get().name == roles.OFFICER
    message = mail.outbox[-1]
    assert message.to == ["dana.director@anytown.gov.uk"] and "choose your password" in message.body
    token = message.body.split("https://x/")[1].split()[0]
    assert invitations.invited_by_token(token) == person
    person.set_password("a-new-long-password")
    person.save()
    assert invitations.invited_by_token(token) is None  # a link works once

    with pytest.raises(ValidationError, match="already has an account"):
        services.invite_person(by=office, email="dana.director@anytown.gov.uk", full_name="Dana", roles_given=[],
                               owners=[], invitation_url=lambda user: "")


def test_a_leaver_is_deactivated_and_keeps_their_name_on_their_work(office):
    leaver = get_user_model().objects.create_user("leaver", first_name="Lee", last_name="Ver")
    services.set_person_active(leaver, False, by=office)
    leaver.refresh_from_db()
    assert not leaver.is_active and leaver.get_full_name() == "Lee Ver"
    with pytest.raises(ValidationError, match="your own account"):
        services.set_person_active(office, False, by=office)


def test_the_timeline_names_each_entrys_committee_and_the_move(office, seed):
    from tests.pages import text
    from tracker.demo import create_demo_users

    create_demo_users()
    old_committee = Committee.objects.get()
    new_committee = services.create_committee(by=office, name="Children and Families Committee",
                                              scheme=old_committee.scheme, assessed_by=Committee.AssessedBy.EXECUTIVE)
    services.transfer_inquiry(seed, new_committee, by=office, on=datetime.date(2016, 5, 20),
                              reason="The committees were restructured in May 2016.")
    r01 = Recommendation.objects.get(number="R01")
    from django.test import Client

    client = Client()
    client.force_login(office)
    words = text(client.get(f"/recommendations/{r01.pk}/"))
    conclusion = words.index("Date concluded by the committee")
    assert old_committee.name in words[conclusion - 250:conclusion]
    assert (f"Moved to another committee Moved 20 May 2016 · recorded by Olu Office From {old_committee.name} "
            "to Children and Families Committee, with the whole inquiry. Reason: The committees were restructured "
            "in May 2016.") in words


def test_footnote_markers_read_as_numbered_notes_on_the_pages_not_as_markup(office, seed):
    from django.test import Client

    from tests.pages import text

    client = Client()
    client.force_login(office)
    page = client.get(f"/recommendations/{Recommendation.objects.get(number='R01').pk}/")
    assert "[^" not in text(page)
    assert 'href="#note-' in page.content.decode() and "3. www.paceuk.info/support-for-parents/" in text(page)


def test_a_new_installation_gets_its_first_scrutiny_officer_from_the_command_line(db):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("add_scrutiny_officer", "Casey.Clerk@Anytown.gov.uk", "--name", "Casey Clerk",
                 "--site", "https://scrutiny.anytown.gov.uk", stdout=out)
    clerk = get_user_model().objects.get()
    assert clerk.groups.get().name == roles.SCRUTINY_OFFICE and not clerk.is_superuser and not clerk.is_staff
    link = out.getvalue().split("https://scrutiny.anytown.gov.uk")[1].split()[0]
    assert invitations.invited_by_token(link.strip("/").split("/")[-1]) == clerk
    with pytest.raises(CommandError, match="already has an account"):
        call_command("add_scrutiny_officer", "casey.clerk@anytown.gov.uk", "--name", "Casey", stdout=out)
