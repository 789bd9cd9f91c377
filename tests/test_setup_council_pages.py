"""The scrutiny office sets up the council, its words, committees and assessment schemes on its own pages.

Each story is told through the pages, as a browser sends them; the services underneath
are tested in test_setup_services.py.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from tests.pages import field_errors, hidden, signed_in, summary_errors, text
from tracker import services
from tracker.demo import create_demo_users
from tracker.models import AssessmentScheme, Category, Committee, Council, Meeting
from tracker.words import WORDINGS, Words

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    """The scrutiny office's browser (the demo user, not a superuser)."""
    create_demo_users()
    return signed_in("scrutiny")


def scrutiny_user():
    return get_user_model().objects.get(username="scrutiny")


def picture(kind: str = "PNG", size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 94, 165)).save(buffer, kind)
    return buffer.getvalue()


def council_post(**changes) -> dict:
    council = Council.current()
    return {
        "name": council.name, "name_in_sentences": council.name_in_sentences,
        "scrutiny_office_name": council.scrutiny_office_name, "assessor_title": council.assessor_title,
        "committee_kind": council.committee_kind, "version": council.version, **changes,
    }


def words_post(**changes) -> dict:
    council = Council.current()
    stored = council.words or {}
    return {**{w.key: stored.get(w.key) or w.default for w in WORDINGS}, "version": council.version, **changes}


def committee_post(committee: Committee | None = None, **changes) -> dict:
    if committee is None:
        data = {"name": "Communities Scrutiny Committee", "scheme": AssessmentScheme.default().pk,
                "assessed_by": "executive", "assessor_title": ""}
    else:
        data = {"name": committee.name, "scheme": committee.scheme_id, "assessed_by": committee.assessed_by,
                "assessor_title": committee.assessor_title, "version": committee.version}
        if committee.on_public_register:
            data["on_public_register"] = "yes"
    return {**data, **changes}


def scheme_post(scheme: AssessmentScheme, **changes) -> dict:
    return {
        "name": scheme.name, "guidance_intro": scheme.guidance_intro, "guidance_questions": scheme.guidance_questions,
        "revised_dates_count": "yes" if scheme.revised_dates_count else "no",
        "completed_words": scheme.completed_words, "continue_words": scheme.continue_words, **changes,
    }


def category_post(code="3", label="Slipped", criteria="Behind its date; the revised date and reasons are given.",
                  rules=("needs_anticipated_date", "needs_reasons"), marker="") -> dict:
    return {"code": code, "label": label, "criteria": criteria, "rules": list(rules), "marker": marker}


def follow(client, response):
    assert response.status_code == 302, text(response)[:2000]
    return client.get(response.url)


def success(response) -> str:
    match = re.search(r'govuk-notification-banner__heading">(.*?)</p>', response.content.decode(), flags=re.S)
    return text(type("R", (), {"content": match.group(1).encode()})) if match else ""


# --- The council ---------------------------------------------------------------------------


def test_the_office_renames_the_council_and_the_pack_names_it_so(office):
    page = office.get("/setup/council/")
    assert "Not named yet" in text(page)
    response = office.post("/setup/council/change/", council_post(
        name="Anytown Borough Council", name_in_sentences="the Borough Council",
        scrutiny_office_name="Democratic Services", assessor_title="Executive Member",
        committee_kind="Scrutiny Panel",
    ))
    page = follow(office, response)
    assert success(page) == "The council’s details have been saved."
    for words in ["Anytown Borough Council", "the Borough Council", "Democratic Services", "Executive Member",
                  "Scrutiny Panel"]:
        assert words in text(page)
    council = Council.current()
    assert Words(council).cover_paragraph_1.startswith("In approving this Inquiry the Borough Council asked me")
    assert Words(council).appendix_1_entry == "Democratic Services guidance on the tracking process"


def test_the_council_page_links_each_setting_to_where_it_changes(office):
    page = office.get("/setup/council/").content.decode()
    for target in ["/setup/council/change/#id_name", "/setup/council/change/#id_name_in_sentences",
                   "/setup/council/logo/", "/setup/council/words/", "/setup/committees/", "/setup/schemes/"]:
        assert f'href="{target}"' in page


def test_an_empty_or_too_long_council_name_is_refused_beside_the_field(office):
    response = office.post("/setup/council/change/", council_post(name="  ", scrutiny_office_name="x" * 101))
    assert response.status_code == 400
    assert field_errors(response) == [
        "Enter the council’s name",
        "What the scrutiny office is called must be 100 characters or fewer (it has 101).",
    ]
    assert summary_errors(response) == field_errors(response)
    assert text(response).startswith("Error: Change the council’s details")
    assert Council.current().scrutiny_office_name == "Scrutiny Office"


def test_a_stale_council_save_shows_what_the_other_person_saved(office):
    page = office.get("/setup/council/change/")
    read_at = hidden(page, "version")
    services.update_council(Council.current(), by=scrutiny_user(), expected_version=None,
                            name="Saved Meanwhile Council")
    response = office.post("/setup/council/change/", council_post(name="My Council", version=read_at))
    assert response.status_code == 409
    assert "Saved Meanwhile Council" in text(response)
    assert "What you entered is still in the form below" in text(response)
    assert 'value="My Council"' in response.content.decode()
    assert Council.current().name == "Saved Meanwhile Council"
    again = office.post("/setup/council/change/", council_post(name="My Council", version=hidden(response, "version")))
    assert again.status_code == 302 and Council.current().name == "My Council"


# --- The logo ------------------------------------------------------------------------------


def test_the_office_uploads_a_logo_sees_it_and_removes_it(office):
    png = picture()
    response = office.post("/setup/council/logo/", {
        "logo": SimpleUploadedFile("crest.png", png, content_type="image/png"), "alt": "Anytown crest",
    })
    page = follow(office, response)
    assert success(page) == "The logo has been saved. The pack’s cover prints it from now on."
    council = Council.current()
    assert bytes(council.logo) == png and council.logo_type == "image/png" and council.logo_alt == "Anytown crest"
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="Anytown crest"', page.content.decode())

    logo_page = office.get("/setup/council/logo/")
    assert "Remove the logo" in text(logo_page)
    page = follow(office, office.post("/setup/council/logo/", {"remove": "yes"}))
    assert "The logo has been removed" in success(page)
    assert not Council.current().logo
    assert "No logo" in text(page)


def test_a_jpeg_logo_is_taken_for_what_it_is_whatever_its_name(office):
    jpeg = picture("JPEG")
    office.post("/setup/council/logo/", {"logo": SimpleUploadedFile("crest.png", jpeg), "alt": "Crest"})
    assert Council.current().logo_type == "image/jpeg"


@pytest.mark.parametrize("upload, alt, message", [
    (SimpleUploadedFile("crest.png", b"%PDF-1.7 not a picture"), "Crest", "The logo must be a PNG or JPEG picture."),
    (SimpleUploadedFile("crest.png", b"\x89PNG" + b"0" * 600_000), "Crest",
     "The logo must be 512 KB or smaller. Save it smaller, or as a JPEG."),
    (SimpleUploadedFile("crest.png", b""), "Crest", "The file is empty: choose a PNG or JPEG file of the logo"),
    (None, "Crest", "Choose a PNG or JPEG file of the logo"),
    (SimpleUploadedFile("crest.png", picture()), "", "Describe what the logo shows"),
], ids=["not a picture", "too big", "empty file", "no file", "no description"])
def test_a_logo_that_cannot_be_used_is_refused_beside_the_field(office, upload, alt, message):
    data = {"alt": alt}
    if upload is not None:
        data["logo"] = upload
    response = office.post("/setup/council/logo/", data)
    assert response.status_code == 400
    assert field_errors(response) == [message]
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert not Council.current().logo


# --- The pack's words ----------------------------------------------------------------------


def test_the_words_page_shows_every_sentence_by_where_it_prints_with_its_default_and_the_placeholders(seed, office):
    page = office.get("/setup/council/words/")
    words = text(page)
    for wording in WORDINGS:
        assert wording.label in words and wording.where in words
        assert f"Default: {' '.join(wording.default.split())}" in words
    for name in ["{council}", "{council_name}", "{scrutiny_office}", "{committee_kind}", "{committee}", "{assessor}",
                 "{reporter}", "{inquiry}"]:
        assert words.count(name + " ") >= 1
    body = page.content.decode()
    assert body.count("<textarea") == sum(1 for w in WORDINGS if w.multiline)
    assert "How the pack reads for Education and Vulnerable Children Overview and Scrutiny Committee" in words
    assert "In approving this Inquiry the City Council asked me, as the appropriate Cabinet Member" in words


def test_the_office_changes_a_sentence_and_only_that_one_is_kept(seed, office):
    response = office.post("/setup/council/words/", words_post(
        cover_paragraph_1="{council} asked me, as {reporter}, to report progress to the {committee}.",
    ))
    page = follow(office, response)
    assert success(page) == "The pack’s sentences have been saved."
    assert Council.current().words == {
        "cover_paragraph_1": "{council} asked me, as {reporter}, to report progress to the {committee}.",
    }
    assert ("the City Council asked me, as Cabinet Member, to report progress to the Education and Vulnerable "
            "Children Overview and Scrutiny Committee.") in text(page)


def test_emptying_a_box_goes_back_to_the_default(office):
    services.update_council(Council.current(), by=scrutiny_user(), expected_version=None,
                            words={"appendix_2_heading": "Progress"})
    office.post("/setup/council/words/", words_post(appendix_2_heading=""))
    assert Council.current().words == {}


def test_an_unknown_placeholder_is_refused_beside_its_sentence_and_nothing_is_saved(office):
    response = office.post("/setup/council/words/", words_post(
        appendix_1_entry="{scrutiny} guidance", appendix_2_heading="Progress made",
    ))
    assert response.status_code == 400
    message = ("{scrutiny} is not a placeholder. Use only these: {council}, {council_name}, {scrutiny_office}, "
               "{committee_kind}, {committee}, {assessor}, {reporter}, {inquiry}.")
    assert field_errors(response) == [message]
    assert summary_errors(response) == [message]
    body = response.content.decode()
    beside = body.rindex(message)
    assert body.index('for="id_appendix_1_entry"') < beside < body.index('for="id_appendix_2_entry"')
    assert 'href="#id_appendix_1_entry"' in body
    assert Council.current().words == {}


def test_a_stray_curly_bracket_is_refused_beside_its_sentence(office):
    response = office.post("/setup/council/words/", words_post(report_title="Tracking Report: {inquiry"))
    assert response.status_code == 400
    assert field_errors(response) == ["Check the curly brackets: { and } go round a placeholder such as {council}."]


def test_a_stale_words_save_shows_the_sentences_the_other_person_saved(office):
    mine = words_post(appendix_2_heading="Progress")  # as the page was read
    services.update_council(Council.current(), by=scrutiny_user(), expected_version=None,
                            words={"appendix_3_heading": "Concluded"})
    response = office.post("/setup/council/words/", mine)
    assert response.status_code == 409
    assert "What was saved meanwhile Appendix 2 heading Progress with Recommendations Appendix 3 heading Concluded" \
        in text(response)
    assert Council.current().words == {"appendix_3_heading": "Concluded"}


# --- Committees ----------------------------------------------------------------------------


def test_the_committees_page_lists_each_with_its_scheme_assessor_and_register(seed, office):
    committee = Committee.objects.get()
    services.update_committee(committee, by=scrutiny_user(), expected_version=committee.version,
                              on_public_register=True)
    words = text(office.get("/setup/committees/"))
    assert ("Education and Vulnerable Children Overview and Scrutiny Committee Scrutiny tracking categories (1–6) "
            "The cabinet member (or executive member) responsible for the owners Cabinet Member Yes") in words


def test_the_office_adds_a_committee_assessed_by_a_lead_officer(office):
    four = services.create_scheme(by=scrutiny_user(), name="Four categories")
    page = office.get("/setup/committees/new/")
    words = text(page)
    assert "Four categories No categories: narrative updates" in words
    assert "6 categories: Achieved (Fully), Achieved (Late), Not Achieved (Progress Made)" in words
    assert "A lead officer for the owners A lead officer acting for each recommendation’s owners proposes" in words
    assert "the Scrutiny Office enters each category on the owners’ behalf" in words
    assert "Its published packs and recommendations will be shown on the public register." in words
    response = office.post("/setup/committees/new/", committee_post(
        scheme=four.pk, assessed_by="lead_officer", assessor_title="Lead Officer", on_public_register="yes",
    ))
    page = follow(office, response)
    assert success(page) == "Communities Scrutiny Committee has been added."
    committee = Committee.objects.get(name="Communities Scrutiny Committee")
    assert (committee.scheme, committee.assessed_by, committee.assessor_title, committee.on_public_register) == (
        four, "lead_officer", "Lead Officer", True)
    assert Words(Council.current(), committee).assessment_column == "Lead Officer’s Assessment"


def test_the_office_chooses_a_committees_members_and_its_reminder_days(office):
    mina = get_user_model().objects.get(username="member")
    page = office.get("/setup/committees/new/")
    assert "Members They are sent the pack by e-mail each time it is published." in text(page)
    assert "Mina Member (mina.member@example.gov.uk)" in text(page)
    assert "Olivia Officer" not in text(page)  # people with the committee member role are offered
    response = office.post("/setup/committees/new/", committee_post(members=[mina.pk], reminder_days="10"))
    follow(office, response)
    committee = Committee.objects.get(name="Communities Scrutiny Committee")
    assert list(committee.members.all()) == [mina] and committee.reminder_days == 10

    page = office.get(f"/setup/committees/{committee.pk}/")
    assert 'name="reminder_days" value="10"' in page.content.decode()
    assert re.search(rf'name="members"[^>]*value="{mina.pk}"\s*checked', page.content.decode())
    follow(office, office.post(f"/setup/committees/{committee.pk}/", committee_post(committee, reminder_days="")))
    committee.refresh_from_db()
    assert list(committee.members.all()) == [] and committee.reminder_days == 7  # empty: the usual 7


@pytest.mark.parametrize("days, message", [
    ("a week", "Enter the number of days as a whole number, like 7"),
    ("-1", "The number of days must be 0 or more"),
    ("61", "The number of days must be 60 or fewer"),
])
def test_reminder_days_that_cannot_be_are_refused_beside_the_field(office, days, message):
    response = office.post("/setup/committees/new/", committee_post(reminder_days=days))
    assert response.status_code == 400 and field_errors(response) == [message]
    assert not Committee.objects.exists()


def test_only_people_offered_can_be_made_members(office):
    olivia = get_user_model().objects.get(username="officer")
    response = office.post("/setup/committees/new/", committee_post(members=[olivia.pk]))
    assert response.status_code == 400 and field_errors(response) == ["Choose from the people listed"]


def test_a_committee_without_its_own_title_takes_the_councils(office):
    services.update_council(Council.current(), by=scrutiny_user(), expected_version=None,
                            assessor_title="Portfolio Holder")
    assert 'value="Portfolio Holder"' in office.get("/setup/committees/new/").content.decode()
    office.post("/setup/committees/new/", committee_post(assessor_title=" "))
    assert Committee.objects.get().assessor_title == "Portfolio Holder"


@pytest.mark.parametrize("changes, messages", [
    ({"name": "", "scheme": "", "assessed_by": ""},
     ["Enter the committee’s name", "Choose the committee’s assessment scheme", "Choose who proposes the categories"]),
    ({"name": "Education and Vulnerable Children Overview and Scrutiny Committee"},
     ["There is already a committee called “Education and Vulnerable Children Overview and Scrutiny Committee”."]),
    ({"scheme": "999999", "assessed_by": "the_mayor"},
     ["Choose one of the schemes listed", "Choose one of the options listed"]),
    ({"assessor_title": "x" * 101},
     ["What the person who proposes is called here must be 100 characters or fewer (it has 101)."]),
], ids=["nothing chosen", "name taken", "not offered", "title too long"])
def test_a_committee_that_cannot_be_added_is_refused_beside_the_fields(seed, office, changes, messages):
    response = office.post("/setup/committees/new/", committee_post(**changes))
    assert response.status_code == 400
    assert field_errors(response) == messages
    assert Committee.objects.count() == 1


def test_an_earlier_version_of_a_scheme_is_not_offered_to_a_committee(seed, office):
    old = Committee.objects.get().scheme
    services.save_category(old, old.categories.get(code="6"), by=scrutiny_user(), label="On Track")
    body = office.get("/setup/committees/new/").content.decode()
    assert f'value="{old.pk}"' not in body
    response = office.post("/setup/committees/new/", committee_post(scheme=old.pk))
    assert field_errors(response) == ["Choose one of the schemes listed"]


def test_a_committee_switching_scheme_keeps_its_assessed_meetings_on_the_old_one(seed, office):
    committee = Committee.objects.get()
    old = committee.scheme
    ahead = services.schedule_meeting(committee, datetime.date(2016, 9, 14), None, by=scrutiny_user())
    narrative = services.create_scheme(by=scrutiny_user(), name="Narrative updates")
    page = office.get(f"/setup/committees/{committee.pk}/")
    assert ("If you change it, meetings whose categories are on record keep the scheme they used; meetings still "
            "ahead with nothing assessed take the new one.") in text(page)
    response = office.post(f"/setup/committees/{committee.pk}/", committee_post(committee, scheme=narrative.pk))
    page = follow(office, response)
    assert success(page) == (
        f"{committee.name} now assesses with Narrative updates. Its meetings whose categories are on record keep "
        "the scheme they used; its meetings still ahead with nothing assessed take the new one.")
    assert Meeting.objects.get(pk=ahead.pk).scheme == narrative
    assert set(Meeting.objects.exclude(pk=ahead.pk).values_list("scheme", flat=True)) == {old.pk}


def test_a_stale_committee_save_shows_what_the_other_person_saved(seed, office):
    committee = Committee.objects.get()
    page = office.get(f"/setup/committees/{committee.pk}/")
    read_at = hidden(page, "version")
    services.update_committee(committee, by=scrutiny_user(), expected_version=committee.version,
                              assessor_title="Executive Member")
    response = office.post(f"/setup/committees/{committee.pk}/",
                           committee_post(committee, assessor_title="Lead Member", version=read_at))
    assert response.status_code == 409
    assert "What was saved meanwhile" in text(response) and "Called Executive Member" in text(response)
    assert Committee.objects.get().assessor_title == "Executive Member"


def test_an_unknown_committee_is_not_found(office):
    assert office.get("/setup/committees/999999/").status_code == 404


# --- Assessment schemes --------------------------------------------------------------------


def test_the_schemes_page_lists_those_in_use_with_categories_committees_and_versions(seed, office):
    old = Committee.objects.get().scheme
    new = services.save_category(old, old.categories.get(code="6"), by=scrutiny_user(), label="On Track").scheme
    services.create_scheme(by=scrutiny_user(), name="Narrative updates")
    page = office.get("/setup/schemes/")
    words = text(page)
    assert ("Narrative updates No categories No committee yet None Scrutiny tracking categories (1–6) version 2 "
            "Given to new committees 6 Education and Vulnerable Children Overview and Scrutiny Committee Earlier "
            "versions of Scrutiny tracking categories (1–6) , kept for old meetings") in words
    assert f'href="/setup/schemes/{new.pk}/#earlier-versions"' in page.content.decode()
    assert f'href="/setup/schemes/{old.pk}/"' not in page.content.decode()


def test_the_office_starts_a_narrative_only_scheme(office):
    response = office.post("/setup/schemes/new/", {"name": "Narrative updates", "start_from": "nothing"})
    scheme = AssessmentScheme.objects.get(name="Narrative updates")
    page = follow(office, response)
    assert response.url == f"/setup/schemes/{scheme.pk}/"
    assert "has been added, with no categories" in success(page)
    assert ("No categories: narrative tracking. Each recommendation has a narrative update, and the committee only "
            "agrees “Completed” or “Continue tracking”.") in text(page)
    assert scheme.categories.count() == 0


def test_the_office_starts_a_scheme_from_a_copy(office):
    default = AssessmentScheme.default()
    office.post("/setup/schemes/new/", {"name": "Our categories", "start_from": default.pk})
    copy = AssessmentScheme.objects.get(name="Our categories")
    assert list(copy.categories.values_list("code", "label")) == list(default.categories.values_list("code", "label"))


@pytest.mark.parametrize("data, messages", [
    ({"name": "", "start_from": ""}, ["Enter the scheme’s name", "Choose what the scheme starts from"]),
    ({"name": "scrutiny tracking categories (1–6)", "start_from": "nothing"},
     ["There is already a scheme called “scrutiny tracking categories (1–6)”."]),
    ({"name": "New", "start_from": "12345678"}, ["Choose one of the options listed"]),
], ids=["nothing", "name taken", "not offered"])
def test_a_scheme_that_cannot_be_started_is_refused_beside_the_fields(office, data, messages):
    response = office.post("/setup/schemes/new/", data)
    assert response.status_code == 400
    assert field_errors(response) == messages
    assert AssessmentScheme.objects.count() == 1


def test_the_office_builds_a_four_category_scheme_whose_slipped_category_needs_a_revised_date_and_reasons(office):
    office.post("/setup/schemes/new/", {"name": "Four categories", "start_from": "nothing"})
    scheme = AssessmentScheme.objects.get(name="Four categories")
    response = office.post(f"/setup/schemes/{scheme.pk}/change/", scheme_post(
        scheme, revised_dates_count="yes", guidance_intro="The committee considers:",
        guidance_questions="Is it done?\r\nIs it on time?",
    ))
    assert response.url == f"/setup/schemes/{scheme.pk}/"
    for post in [
        category_post("1", "Achieved", "Done.", ["counts_as_achieved", "warn_after_completion"]),
        category_post("2", "On Track", "Not yet due.", ["only_before_completion"]),
        category_post("3", "Slipped", "Behind; revised date and reasons given."),
        category_post("4", "Not Achieved", "Will not be done.", []),
    ]:
        assert office.post(f"/setup/schemes/{scheme.pk}/categories/new/", post).status_code == 302
    scheme.refresh_from_db()
    assert scheme.revised_dates_count and scheme.question_list == ["Is it done?", "Is it on time?"]
    slipped = scheme.categories.get(label="Slipped")
    assert slipped.needs_anticipated_date and slipped.needs_reasons and not slipped.counts_as_achieved
    assert scheme.categories.get(label="On Track").only_before_completion
    page = text(office.get(f"/setup/schemes/{scheme.pk}/"))
    assert "The latest revised date, once one is advised" in page
    assert ("3 Slipped Behind; revised date and reasons given. A proposal must give the date by which it is "
            "expected to be achieved. A proposal must give the reasons") in page
    assert "Meetings have used this scheme" not in page


def test_the_category_form_says_whether_the_scheme_can_ask_about_lateness(seed, office):
    scheme = AssessmentScheme.default()
    assert "This scheme’s late category is “2 – Achieved (Late)”." in text(
        office.get(f"/setup/schemes/{scheme.pk}/categories/new/"))
    office.post("/setup/schemes/new/", {"name": "Two", "start_from": "nothing"})
    two = AssessmentScheme.objects.get(name="Two")
    assert "This scheme has no late category" in text(office.get(f"/setup/schemes/{two.pk}/categories/new/"))


@pytest.mark.parametrize("post, messages", [
    (category_post(code="", label="", criteria=""),
     ["Enter the category’s code", "Enter the category’s label", "Enter the category’s criteria"]),
    (category_post(code="x" * 41), ["Code must be 40 characters or fewer (it has 41)."]),
    (category_post(code="1"), ["This scheme already has a category “1”."]),
    ({**category_post(), "rules": ["always_green"]}, ["Choose from the rules listed"]),
], ids=["empty", "code too long", "code taken", "unknown rule"])
def test_a_category_that_cannot_be_saved_is_refused_beside_the_field(office, post, messages):
    scheme = services.create_scheme(by=scrutiny_user(), name="Four", copy_from=AssessmentScheme.default())
    response = office.post(f"/setup/schemes/{scheme.pk}/categories/new/", post)
    assert response.status_code == 400
    assert field_errors(response) == messages
    assert scheme.categories.count() == 6


def test_changing_a_category_of_a_scheme_meetings_used_makes_a_new_version(seed, office):
    committee = Committee.objects.get()
    old = committee.scheme
    six = old.categories.get(code="6")
    page = office.get(f"/setup/schemes/{old.pk}/categories/{six.pk}/")
    assert ("Meetings have used this scheme, so a change makes version 2 for its committees’ next meetings; the "
            "meetings that used version 1 keep printing it.") in text(page)
    response = office.post(f"/setup/schemes/{old.pk}/categories/{six.pk}/", category_post(
        "6", "On Track", six.criteria, ["only_before_completion"]))
    new = AssessmentScheme.objects.get(replaces=old)
    assert response.url == f"/setup/schemes/{new.pk}/"
    page = follow(office, response)
    assert success(page) == (
        "“6 – On Track” has been saved. Meetings had used version 1, so this is version 2: its committees use it "
        "from their next meeting with nothing assessed, and the meetings that used version 1 keep printing it.")
    assert new.version == 2 and new.categories.get(code="6").label == "On Track"
    old.refresh_from_db()
    assert old.retired and old.categories.get(code="6").label == "In Progress"
    assert Committee.objects.get().scheme == new
    assert "Earlier versions" in text(page) and f'href="/setup/schemes/{old.pk}/"' in page.content.decode()

    earlier = office.get(f"/setup/schemes/{old.pk}/")
    words = text(earlier)
    assert "This is version 1, kept exactly as it was for the meetings that used it" in words
    assert "Meetings that use this version" in words and f"{committee.name}, 10 February 2016" in words
    assert "6 In Progress" in words
    body = earlier.content.decode()
    assert "/categories/" not in body and "/change/" not in body and "<form" not in body.split("<main")[1]


def test_an_earlier_version_cannot_be_changed(seed, office):
    old = Committee.objects.get().scheme
    services.save_category(old, old.categories.get(code="6"), by=scrutiny_user(), label="On Track")
    for url in [f"/setup/schemes/{old.pk}/change/", f"/setup/schemes/{old.pk}/categories/new/",
                f"/setup/schemes/{old.pk}/categories/{old.categories.first().pk}/"]:
        response = office.get(url)
        assert response.url == f"/setup/schemes/{old.pk}/"
        assert "cannot be changed. Change the version in use now instead." in text(office.get(response.url))
    response = office.post(f"/setup/schemes/{old.pk}/categories/{old.categories.first().pk}/move/",
                           {"direction": "down"})
    assert "This is an earlier version of the scheme" in text(follow(office, response))
    assert AssessmentScheme.objects.count() == 2


def test_saving_a_scheme_in_use_unchanged_makes_no_new_version(seed, office):
    scheme = Committee.objects.get().scheme
    page = follow(office, office.post(f"/setup/schemes/{scheme.pk}/change/", scheme_post(scheme)))
    assert "Nothing was changed, so nothing was saved." in text(page)
    one = scheme.categories.get(code="1")
    office.post(f"/setup/schemes/{scheme.pk}/categories/{one.pk}/", category_post(
        "1", one.label, one.criteria, ["counts_as_achieved", "warn_after_completion"]))
    assert AssessmentScheme.objects.count() == 1


def test_a_scheme_change_is_refused_beside_the_field(office):
    scheme = AssessmentScheme.default()
    response = office.post(f"/setup/schemes/{scheme.pk}/change/", scheme_post(
        scheme, guidance_intro="", revised_dates_count="maybe"))
    assert response.status_code == 400
    assert field_errors(response) == ["Enter the sentence above the questions", "Choose one of the options listed"]


def test_the_office_moves_and_removes_categories(office):
    scheme = services.create_scheme(by=scrutiny_user(), name="Ours", copy_from=AssessmentScheme.default())
    two = scheme.categories.get(code="2")
    page = follow(office, office.post(f"/setup/schemes/{scheme.pk}/categories/{two.pk}/move/", {"direction": "up"}))
    assert success(page) == "“2 – Achieved (Late)” has been moved up."
    assert list(scheme.categories.order_by("position").values_list("code", flat=True)) == ["2", "1", "3", "4", "5", "6"]
    office.post(f"/setup/schemes/{scheme.pk}/categories/{two.pk}/move/", {"direction": "down"})
    assert list(scheme.categories.order_by("position").values_list("code", flat=True))[:2] == ["1", "2"]

    five = scheme.categories.get(code="5")
    confirm = office.get(f"/setup/schemes/{scheme.pk}/categories/{five.pk}/remove/")
    assert "Remove “5 – Not Achieved (Insufficient Progress)”" in text(confirm)
    assert scheme.categories.count() == 6, "asking is not removing"
    page = follow(office, office.post(f"/setup/schemes/{scheme.pk}/categories/{five.pk}/remove/"))
    assert success(page) == "“5 – Not Achieved (Insufficient Progress)” has been removed."
    assert list(scheme.categories.values_list("code", flat=True)) == ["1", "2", "3", "4", "6"]


def test_the_move_buttons_say_which_category_they_move(office):
    scheme = AssessmentScheme.default()
    body = office.get(f"/setup/schemes/{scheme.pk}/").content.decode()
    words = text(office.get(f"/setup/schemes/{scheme.pk}/"))
    assert "Move up 1 – Achieved (Fully)" not in words and "Move down 1 – Achieved (Fully)" in words
    assert "Move down 6 – In Progress" not in words and "Move up 6 – In Progress" in words
    assert body.count('name="direction"') == 10


def test_a_category_of_another_scheme_is_not_found_here(office):
    scheme = services.create_scheme(by=scrutiny_user(), name="Empty")
    other = AssessmentScheme.default().categories.first()
    assert office.get(f"/setup/schemes/{scheme.pk}/categories/{other.pk}/").status_code == 404
    assert office.post(f"/setup/schemes/{scheme.pk}/categories/{other.pk}/remove/").status_code == 404
    assert office.get("/setup/schemes/999999/").status_code == 404


# --- Who may use these pages ---------------------------------------------------------------

ROLES = ["anonymous", "officer", "cabinet", "member", "scrutiny"]
OK, MOVED, NO, LOGIN = 200, 302, 403, "login"
REFUSAL = "Only the Scrutiny Office sets up the council, its committees, inquiries and people."


class World:
    """The seed and the demo users; a second scheme nobody uses."""

    def __init__(self):
        create_demo_users()
        self.committee = Committee.objects.get()
        self.scheme = self.committee.scheme
        self.category = self.scheme.categories.get(code="6")
        self.spare = services.create_scheme(by=scrutiny_user(), name="Spare", copy_from=self.scheme)
        self.spare_category = self.spare.categories.get(code="5")

    @staticmethod
    def snapshot():
        council = Council.current()
        return (
            council.version, bytes(council.logo), council.words,
            list(Committee.objects.order_by("pk").values_list("name", "version", "scheme_id")),
            list(AssessmentScheme.objects.order_by("pk").values_list("name", "version", "retired",
                                                                       "revised_dates_count")),
            list(Category.objects.order_by("pk").values_list("scheme_id", "code", "label", "position")),
        )


VIEWS = [
    ("the council", "get", lambda w: "/setup/council/", None),
    ("change the council form", "get", lambda w: "/setup/council/change/", None),
    ("change the council", "post", lambda w: "/setup/council/change/", lambda w: council_post(name="Renamed")),
    ("logo form", "get", lambda w: "/setup/council/logo/", None),
    ("upload a logo", "post", lambda w: "/setup/council/logo/",
     lambda w: {"logo": SimpleUploadedFile("crest.png", picture()), "alt": "Crest"}),
    ("words form", "get", lambda w: "/setup/council/words/", None),
    ("change the words", "post", lambda w: "/setup/council/words/",
     lambda w: words_post(appendix_2_heading="Progress")),
    ("committees", "get", lambda w: "/setup/committees/", None),
    ("new committee form", "get", lambda w: "/setup/committees/new/", None),
    ("add a committee", "post", lambda w: "/setup/committees/new/", lambda w: committee_post()),
    ("committee form", "get", lambda w: f"/setup/committees/{w.committee.pk}/", None),
    ("change a committee", "post", lambda w: f"/setup/committees/{w.committee.pk}/",
     lambda w: committee_post(w.committee, assessor_title="Executive Member")),
    ("schemes", "get", lambda w: "/setup/schemes/", None),
    ("new scheme form", "get", lambda w: "/setup/schemes/new/", None),
    ("add a scheme", "post", lambda w: "/setup/schemes/new/", lambda w: {"name": "New", "start_from": "nothing"}),
    ("scheme", "get", lambda w: f"/setup/schemes/{w.scheme.pk}/", None),
    ("change scheme form", "get", lambda w: f"/setup/schemes/{w.scheme.pk}/change/", None),
    ("change a scheme", "post", lambda w: f"/setup/schemes/{w.spare.pk}/change/",
     lambda w: scheme_post(w.spare, revised_dates_count="yes")),
    ("new category form", "get", lambda w: f"/setup/schemes/{w.scheme.pk}/categories/new/", None),
    ("add a category", "post", lambda w: f"/setup/schemes/{w.spare.pk}/categories/new/",
     lambda w: category_post("7", "Slipped")),
    ("category form", "get", lambda w: f"/setup/schemes/{w.scheme.pk}/categories/{w.category.pk}/", None),
    ("change a category", "post", lambda w: f"/setup/schemes/{w.scheme.pk}/categories/{w.category.pk}/",
     lambda w: category_post("6", "On Track", "Not yet due.", ["only_before_completion"])),
    ("remove category page", "get", lambda w: f"/setup/schemes/{w.scheme.pk}/categories/{w.category.pk}/remove/",
     None),
    ("remove a category", "post",
     lambda w: f"/setup/schemes/{w.spare.pk}/categories/{w.spare_category.pk}/remove/", lambda w: {}),
    ("move a category", "post", lambda w: f"/setup/schemes/{w.spare.pk}/categories/{w.spare_category.pk}/move/",
     lambda w: {"direction": "up"}),
]


@pytest.mark.parametrize("name, method, url, data, role", [
    pytest.param(name, method, url, data, role, id=f"{name} | {role}")
    for name, method, url, data in VIEWS for role in ROLES
])
def test_only_the_scrutiny_office_sets_up_the_council(seed, name, method, url, data, role):
    world = World()
    client = Client() if role == "anonymous" else signed_in(role)
    before = world.snapshot()
    response = getattr(client, method)(url(world), data(world) if data else None)
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    elif role != "scrutiny":
        assert response.status_code == NO
        assert REFUSAL in text(response)
    else:
        assert response.status_code == (MOVED if method == "post" else OK), text(response)[:2000]
    if role != "scrutiny" or method == "get":
        assert world.snapshot() == before, "a refused or read-only request wrote something"
    else:
        assert world.snapshot() != before, "an allowed post wrote nothing"


# --- Queries: the same count whatever the numbers --------------------------------------------


class Setup:
    """The council's set-up, growing by ``add(n)``: n more committees, schemes (with categories and
    meetings) and categories of the scheme the pages look at, which has an earlier version."""

    def __init__(self):
        self.user = scrutiny_user()
        services.set_council_logo(Council.current(), picture(), by=self.user, alt="Crest")
        self.scheme = services.create_scheme(by=self.user, name="Main", copy_from=AssessmentScheme.default())
        self.committee = services.create_committee(by=self.user, name="Main Committee", scheme=self.scheme,
                                                   assessed_by="executive")
        self.earlier = self.scheme
        self.count = 0

    def add(self, n):
        for _ in range(n):
            self.count += 1
            scheme = AssessmentScheme.objects.create(name=f"Scheme {self.count}")
            for position in range(1, 4):
                Category.objects.create(scheme=scheme, code=str(position), label=f"Label {position}",
                                        criteria="Criteria.", position=position)
            committee = Committee.objects.create(name=f"Committee {self.count}", scheme=scheme)
            Committee.objects.create(name=f"Also Main {self.count}", scheme=self.scheme)
            Meeting.objects.create(committee=committee, scheme=scheme,
                                   date=datetime.date(2016, 1, 1) + datetime.timedelta(days=self.count))
            Meeting.objects.create(committee=self.committee, scheme=self.earlier,
                                   date=datetime.date(2015, 1, 1) + datetime.timedelta(days=self.count))
            Category.objects.create(scheme=self.scheme, code=f"X{self.count}", label=f"Extra {self.count}",
                                    criteria="Criteria.", position=100 + self.count)

    def retire(self):
        """Meetings used the main scheme: a change makes version 2, and the pages look at both."""
        meeting = Meeting.objects.create(committee=self.committee, scheme=self.scheme, date=datetime.date(2014, 1, 1))
        self.committee.refresh_from_db()
        from tests.factories import AssessmentFactory, RecommendationFactory

        AssessmentFactory(meeting=meeting, recommendation=RecommendationFactory(
            theme__inquiry__committee=self.committee), proposed_category=self.scheme.categories.first())
        self.earlier = self.scheme
        self.scheme = services.update_scheme(self.scheme, by=self.user, guidance_intro="The committee considers:")
        self.committee.refresh_from_db()


PAGES = {
    "the council": lambda s: "/setup/council/",
    "change the council": lambda s: "/setup/council/change/",
    "logo": lambda s: "/setup/council/logo/",
    "words": lambda s: "/setup/council/words/",
    "committees": lambda s: "/setup/committees/",
    "new committee": lambda s: "/setup/committees/new/",
    "committee": lambda s: f"/setup/committees/{s.committee.pk}/",
    "schemes": lambda s: "/setup/schemes/",
    "new scheme": lambda s: "/setup/schemes/new/",
    "scheme": lambda s: f"/setup/schemes/{s.scheme.pk}/",
    "earlier version": lambda s: f"/setup/schemes/{s.earlier.pk}/",
    "change scheme": lambda s: f"/setup/schemes/{s.scheme.pk}/change/",
    "new category": lambda s: f"/setup/schemes/{s.scheme.pk}/categories/new/",
    "category": lambda s: f"/setup/schemes/{s.scheme.pk}/categories/{s.scheme.categories.first().pk}/",
    "remove category": lambda s: f"/setup/schemes/{s.scheme.pk}/categories/{s.scheme.categories.first().pk}/remove/",
}


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_a_setup_page_runs_as_many_queries_for_thirty_schemes_as_for_three(office, page):
    setup = Setup()
    setup.add(3)
    setup.retire()
    url = page(setup)
    at_3 = queries(office, url)
    setup.add(27)
    assert queries(office, url) == at_3


def test_the_pages_counted_show_what_grew(office):
    setup = Setup()
    setup.retire()
    setup.add(30)
    assert text(office.get("/setup/committees/")).count("Also Main") == 30
    assert text(office.get("/setup/schemes/")).count("Scheme ") >= 30
    assert office.get(f"/setup/schemes/{setup.scheme.pk}/").content.decode().count('<th scope="row"') == 6 + 30
    assert text(office.get(f"/setup/schemes/{setup.earlier.pk}/")).count("Main Committee, ") == 31
    assert text(office.get("/setup/committees/new/")).count("3 categories: Label 1, Label 2, Label 3") == 30


def test_what_a_council_types_is_shown_as_text_never_as_markup(office):
    services.create_scheme(by=scrutiny_user(), name="<script>alert(1)</script> scheme")
    services.update_council(Council.current(), by=scrutiny_user(), expected_version=None,
                            assessor_title="<b>Leader</b>")
    for url in ["/setup/schemes/", "/setup/committees/new/", "/setup/schemes/new/", "/setup/council/"]:
        body = office.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body and "<b>Leader</b>" not in body, url
    assert "&lt;b&gt;Leader&lt;/b&gt;" in office.get("/setup/committees/new/").content.decode()
