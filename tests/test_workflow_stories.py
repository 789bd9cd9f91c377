"""The smaller stories of a tracking round, each as its user sees it in the browser."""

import datetime
import itertools
import posixpath
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders

from tests.pages import date_fields, evidence_fields, field_errors, hidden, signed_in, summary_errors, text
from tracker import services
from tracker.demo import create_demo_users
from tracker.models import Assessment, AssessmentScheme, Committee, EvidenceUpdate, Meeting, Recommendation

pytestmark = pytest.mark.django_db


class Round:
    """The seed and demo users, with a new meeting (15 June 2016) tracking what is not concluded."""

    def __init__(self, state=Meeting.State.EVIDENCE_OPEN):
        create_demo_users()
        self.users = {u.username: u for u in get_user_model().objects.all()}
        self.committee = Committee.objects.get()
        self.meeting = services.schedule_meeting(
            self.committee, datetime.date(2016, 6, 15), datetime.date(2016, 6, 1), by=self.users["scrutiny"]
        )
        services.choose_recommendations(self.meeting, by=self.users["scrutiny"])
        for target in [Meeting.State.EVIDENCE_OPEN, Meeting.State.PACK_PUBLISHED]:
            if self.meeting.state == state:
                break
            services.advance_meeting(self.meeting, target, self.users["scrutiny"])
            self.meeting.refresh_from_db()
        self.category = {c.code: c for c in AssessmentScheme.default().categories.all()}

    def rec(self, number):
        return Recommendation.objects.get(number=number)

    def here(self, number):
        return Assessment.objects.get(meeting=self.meeting, recommendation__number=number)

    def evidence_url(self, number):
        return f"/meetings/{self.meeting.pk}/recommendations/{self.rec(number).pk}/evidence/new/"

    def add_evidence(self, client, number, words, day=(1, 6, 2016)):
        prefix = f"r{self.rec(number).pk}"
        return client.post(self.evidence_url(number), evidence_fields(prefix, words, day))


@pytest.fixture
def round_(seed):
    return Round()


# --- The officer -------------------------------------------------------------------------


def test_officer_sees_only_the_recommendations_of_the_owners_they_act_for(round_):
    page = text(signed_in("officer").get(f"/my-recommendations/meetings/{round_.meeting.pk}/"))
    shown = sorted(set(re.findall(r"Add an update to (R\d\d)", page)))
    assert shown == ["R04", "R06", "R08", "R10", "R12", "R16", "R17", "R19"]


def test_officer_cannot_write_evidence_for_another_owners_recommendation(round_):
    officer = signed_in("officer")
    response = round_.add_evidence(officer, "R05", "Not my recommendation.")
    assert response.status_code == 403
    assert not EvidenceUpdate.objects.filter(text="Not my recommendation.").exists()


def test_an_update_needs_text_and_a_real_date_not_in_the_future(round_):
    officer = signed_in("officer")
    response = round_.add_evidence(officer, "R06", "", day=(31, 2, 2016))
    assert response.status_code == 400
    assert field_errors(response) == ["Enter the evidence of progress", "Enter a real date, for example 31 3 2017"]
    assert summary_errors(response) == field_errors(response)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    response = round_.add_evidence(officer, "R06", "Planned.", day=(tomorrow.day, tomorrow.month, tomorrow.year))
    assert field_errors(response) == ["The date written cannot be in the future."]


def test_a_correction_keeps_the_earlier_version_and_the_timeline_shows_both(round_):
    officer = signed_in("officer")
    round_.add_evidence(officer, "R06", "Training booked for 1,200 drivers.")
    update = EvidenceUpdate.objects.get(text="Training booked for 1,200 drivers.")
    form = officer.get(f"/evidence/{update.pk}/correct/")
    response = officer.post(f"/evidence/{update.pk}/correct/", {
        "text": "Training booked for 1,250 drivers.", **date_fields("written_on", 1, 6, 2016),
        "version": hidden(form, "version"),
    }, follow=True)
    words = text(response)
    assert "Your correction to the update for R06 has been saved" in words
    assert "Training booked for 1,250 drivers." in words
    assert "Earlier versions of this update (1)" in words
    assert "Training booked for 1,200 drivers." in words
    assert EvidenceUpdate.objects.filter(recommendation__number="R06").count() == 4  # nothing added, nothing lost
    meeting_page = text(signed_in("member").get(f"/meetings/{round_.meeting.pk}/"))
    assert "Corrected – earlier versions are on the timeline" in meeting_page
    corrections = officer.get(f"/my-recommendations/meetings/{round_.meeting.pk}/").content.decode()
    assert corrections.count("Correct this update") == 1  # only the officer's own update


def test_corrections_close_with_the_evidence(seed):
    round_ = Round()
    officer = signed_in("officer")
    round_.add_evidence(officer, "R06", "Booked.")
    update = EvidenceUpdate.objects.get(text="Booked.")
    assert "Correct this update" in text(officer.get(f"/recommendations/{update.recommendation_id}/"))
    services.advance_meeting(round_.meeting, Meeting.State.PACK_PUBLISHED, round_.users["scrutiny"])
    assert "Correct this update" not in text(officer.get(f"/recommendations/{update.recommendation_id}/"))
    response = officer.post(f"/evidence/{update.pk}/correct/", {
        "text": "Booked late.", **date_fields("written_on", 1, 6, 2016), "version": update.version})
    assert "No meeting is collecting evidence for R06 now" in " ".join(summary_errors(response))
    update.refresh_from_db()
    assert update.text == "Booked."


def test_a_correction_saved_from_an_old_page_is_refused_and_shows_what_the_other_person_saved(round_):
    officer, office = signed_in("officer"), signed_in("scrutiny")
    round_.add_evidence(officer, "R06", "Leaflets sent to 3,000 premises.")
    update = EvidenceUpdate.objects.get(text="Leaflets sent to 3,000 premises.")
    mine, theirs = officer.get(f"/evidence/{update.pk}/correct/"), office.get(f"/evidence/{update.pk}/correct/")
    office.post(f"/evidence/{update.pk}/correct/", {
        "text": "Leaflets sent to 3,000 licensed premises.", **date_fields("written_on", 1, 6, 2016),
        "version": hidden(theirs, "version")})
    refused = officer.post(f"/evidence/{update.pk}/correct/", {
        "text": "Leaflets sent to 3,100 premises.", **date_fields("written_on", 1, 6, 2016),
        "version": hidden(mine, "version")})
    assert refused.status_code == 409
    assert summary_errors(refused)[0].startswith("Someone else (Sam Scrutiny) saved this update while you were editing it")
    words = text(refused)
    assert "What was saved meanwhile" in words and "Leaflets sent to 3,000 licensed premises." in words
    assert "Leaflets sent to 3,100 premises." in refused.content.decode()  # what the officer typed is kept
    update.refresh_from_db()
    assert update.text == "Leaflets sent to 3,000 licensed premises."
    # Saving again, now knowingly, replaces theirs; theirs stays among the earlier versions.
    again = officer.post(f"/evidence/{update.pk}/correct/", {
        "text": "Leaflets sent to 3,100 premises.", **date_fields("written_on", 1, 6, 2016),
        "version": hidden(refused, "version")})
    assert again.status_code == 302
    assert update.history.filter(text="Leaflets sent to 3,000 licensed premises.").exists()


def test_evidence_is_closed_once_the_pack_is_published(seed):
    round_ = Round(state=Meeting.State.PACK_PUBLISHED)
    officer = signed_in("officer")
    page = text(officer.get(f"/my-recommendations/meetings/{round_.meeting.pk}/"))
    assert "Evidence for this meeting is closed" in page and "Add an update to" not in page
    response = round_.add_evidence(officer, "R06", "Too late.")
    assert "you cannot add evidence for it now" in " ".join(summary_errors(response))
    assert not EvidenceUpdate.objects.filter(text="Too late.").exists()


def test_a_concluded_recommendation_takes_no_more_evidence(round_):
    from django.core.exceptions import ValidationError

    r01 = round_.rec("R01")  # concluded on 10 February 2016
    with pytest.raises(ValidationError):
        services.add_evidence(r01, round_.meeting, "More.", datetime.date(2016, 6, 1), by=round_.users["scrutiny"])


# --- The cabinet member ------------------------------------------------------------------------


def propose(client, assessment, code, round_, **extra):
    form = client.get(f"/assessments/{assessment.pk}/proposal/")
    return client.post(f"/assessments/{assessment.pk}/proposal/", {
        "category": round_.category[code].pk, "version": hidden(form, "version"), **extra})


def test_category_5_without_a_date_is_refused_beside_the_date(round_):
    response = propose(signed_in("cabinet"), round_.here("R06"), "5", round_)
    assert field_errors(response) == [
        "“5 – Not Achieved (Insufficient Progress)” needs an anticipated date by which the recommendation is "
        "expected to be achieved."
    ]


def test_category_6_after_the_completion_date_is_refused_beside_the_category(round_):
    response = propose(signed_in("cabinet"), round_.here("R06"), "6", round_)
    assert response.status_code == 400
    assert field_errors(response) == [
        "“6 – In Progress” is only right while the timescale has not expired, but the completion date "
        "(31 July 2015) passed before the meeting (15 June 2016). Choose a category that says whether it was achieved."
    ]
    assert re.search(r'id="div_id_category" class="govuk-form-group govuk-form-group--error"', response.content.decode())


def test_category_3_with_a_date_is_accepted_and_moving_the_date_needs_a_reason(round_):
    cabinet = signed_in("cabinet")
    assessment = round_.here("R06")
    assert propose(cabinet, assessment, "3", round_, **date_fields("anticipated_date", 30, 9, 2016)).status_code == 302
    moved = propose(cabinet, assessment, "3", round_, **date_fields("anticipated_date", 31, 12, 2016))
    assert field_errors(moved) == ["Say why the anticipated date is moving."]
    moved = propose(cabinet, assessment, "3", round_, reason="Training delayed by the strike.",
                    **date_fields("anticipated_date", 31, 12, 2016))
    assert moved.status_code == 302
    timeline = text(cabinet.get(f"/recommendations/{assessment.recommendation_id}/"))
    assert "Anticipated date moved" in timeline
    assert "From 30 September 2016 to 31 December 2016. Reason: Training delayed by the strike." in timeline


def test_a_proposal_saved_from_an_old_page_is_refused_and_shows_the_saved_one(round_):
    first_tab, second_tab = signed_in("cabinet"), signed_in("cabinet")
    url = f"/assessments/{round_.here('R06').pk}/proposal/"
    old, newer = first_tab.get(url), second_tab.get(url)
    second_tab.post(url, {"category": round_.category["2"].pk, "version": hidden(newer, "version")})
    refused = first_tab.post(url, {"category": round_.category["4"].pk, "version": hidden(old, "version")})
    assert refused.status_code == 409
    assert summary_errors(refused)[0].startswith(
        "Someone else (Callum Cabinet) saved the proposal for R06 while you were editing it")
    assert "Cabinet Member’s proposal 2 – Achieved (Late)" in text(refused)
    assert round_.here("R06").proposed_category.code == "2"


def test_proposals_wait_until_the_meeting_opens_for_evidence(seed):
    round_ = Round(state=Meeting.State.SCHEDULED)
    cabinet = signed_in("cabinet")
    page = text(cabinet.get(f"/portfolio/meetings/{round_.meeting.pk}/"))
    assert "Proposals for this meeting are not open yet" in page and "Propose a category" not in page
    response = cabinet.post(f"/assessments/{round_.here('R06').pk}/proposal/", {
        "category": round_.category["2"].pk, "version": round_.here("R06").version})
    assert "you cannot propose categories now" in " ".join(summary_errors(response))
    assert round_.here("R06").proposed_category is None


# --- The scrutiny office and the committee ----------------------------------------------------


def decide(client, assessment, code, **extra):
    form = client.get(f"/assessments/{assessment.pk}/decision/")
    return client.post(f"/assessments/{assessment.pk}/decision/", {
        "category": code, "version": hidden(form, "version"), **extra})


def test_the_committee_can_agree_another_category_than_proposed_and_both_are_kept(seed):
    round_ = Round()
    services.propose_category(round_.here("R04"), round_.category["2"], None, by=round_.users["cabinet"])
    services.advance_meeting(round_.meeting, Meeting.State.PACK_PUBLISHED, round_.users["scrutiny"])
    office = signed_in("scrutiny")
    response = decide(office, round_.here("R04"), round_.category["3"].pk, **date_fields("anticipated_date", 31, 3, 2017))
    assert response.status_code == 302
    assessment = round_.here("R04")
    assert (assessment.proposed_category.code, assessment.agreed_category.code) == ("2", "3")
    page = text(office.get(f"/meetings/{round_.meeting.pk}/"))
    assert "R04 2 – Achieved (Late) 3 – Not Achieved (Progress Made)" in page
    assert "(differs from the proposal)" in page
    timeline = text(office.get(f"/recommendations/{assessment.recommendation_id}/"))
    assert "Category agreed by the committee At the 15 June 2016 meeting · recorded by Sam Scrutiny" in timeline
    assert "3 – Not Achieved (Progress Made) (the proposal was 2 – Achieved (Late))" in timeline


def test_a_decision_saved_from_an_old_page_is_refused(seed):
    round_ = Round(state=Meeting.State.PACK_PUBLISHED)
    one, two = signed_in("scrutiny"), signed_in("scrutiny")
    url = f"/assessments/{round_.here('R04').pk}/decision/"
    old, newer = one.get(url), two.get(url)
    two.post(url, {"category": round_.category["2"].pk, "version": hidden(newer, "version")})
    refused = one.post(url, {"category": round_.category["1"].pk, "version": hidden(old, "version")})
    assert refused.status_code == 409
    assert "Committee’s category 2 – Achieved (Late)" in text(refused)
    assert round_.here("R04").agreed_category.code == "2"


def test_the_committee_cannot_record_decisions_before_the_pack_is_out(round_):
    office = signed_in("scrutiny")
    url = f"/assessments/{round_.here('R04').pk}/decision/"
    page = office.get(url)
    assert "you cannot record the committee’s decisions now" in text(page) and "Record the decision" not in text(page)
    response = office.post(url, {"category": round_.category["2"].pk, "version": round_.here("R04").version})
    assert "you cannot record the committee’s decisions now" in " ".join(summary_errors(response))
    assert round_.here("R04").agreed_category is None


def test_decisions_are_marked_recorded_only_when_every_recommendation_has_one(seed):
    round_ = Round(state=Meeting.State.PACK_PUBLISHED)
    office = signed_in("scrutiny")
    page = office.get(f"/meetings/{round_.meeting.pk}/")
    reason = "The committee’s decision is still to be recorded on 14 of the 14 tracked recommendations (R04, R05"
    assert reason in text(page) and 'name="to_state"' not in page.content.decode()  # the reason, not the button
    # A page read before someone else's change still sends the step: it is refused with the same reason.
    response = office.post(f"/meetings/{round_.meeting.pk}/advance/", {
        "to_state": Meeting.State.DECISIONS_RECORDED, "version": round_.meeting.version}, follow=True)
    assert reason in text(response)
    round_.meeting.refresh_from_db()
    assert round_.meeting.state == Meeting.State.PACK_PUBLISHED


def test_a_recommendation_already_assessed_stays_on_the_meetings_list(round_):
    services.propose_category(round_.here("R06"), round_.category["2"], None, by=round_.users["cabinet"])
    office = signed_in("scrutiny")
    keep = Recommendation.objects.filter(number__in=["R04", "R05"]).values_list("pk", flat=True)
    response = office.post(f"/meetings/{round_.meeting.pk}/recommendations/", {"recommendations": list(keep)})
    assert response.status_code == 400
    assert field_errors(response) == [
        "These already have a category proposed or agreed at this meeting and stay on its list: R06."
    ]
    assert round_.meeting.assessments.count() == 14


def test_scheduling_refuses_a_deadline_after_the_meeting_and_a_second_meeting_on_one_day(round_):
    office = signed_in("scrutiny")
    response = office.post("/meetings/new/", {
        "committee": round_.committee.pk, **date_fields("date", 15, 6, 2016),
        **date_fields("evidence_deadline", 20, 6, 2016)})
    assert field_errors(response) == [
        "Education and Vulnerable Children Overview and Scrutiny Committee already has a meeting on 15 June 2016.",
        "The evidence deadline must be on or before the meeting date.",
    ]
    assert Meeting.objects.count() == 4


def test_the_meeting_page_says_in_words_what_changed_since_the_previous_meeting(round_):
    officer, office = signed_in("officer"), signed_in("scrutiny")
    round_.add_evidence(officer, "R04", "New figures for May.")
    r10 = round_.rec("R10")
    services.move_completion_date(
        r10.milestones.get(kind="completion"), datetime.date(2016, 9, 30), reason="Contracts renewed later.",
        by=round_.users["scrutiny"],
    )
    page = text(office.get(f"/meetings/{round_.meeting.pk}/"))
    # The seed's report meeting has no date recorded, but it was held after 10 February 2016
    # and before this one: it is the previous meeting.
    assert "Previous meeting Meeting (date not recorded, from the imported report)" in page
    assert re.search(r"R04 Not proposed Not decided New evidence Tracked", page)
    # R10's evidence following the 10 February meeting was in the report meeting's pack: not new.
    assert "R10 Not proposed Not decided Date moved Tracked" in page
    assert "Completion date moved from 30 April 2015 to 30 September 2016: Contracts renewed later." in page
    assert "R17 Not proposed Not decided No change Tracked" in page


def test_a_category_changed_since_the_previous_meeting_is_named_with_the_old_one(db):
    from tests.factories import AssessmentFactory, MeetingFactory, RecommendationFactory, UserFactory, default_category

    recommendation = RecommendationFactory(completion=datetime.date(2016, 12, 31))
    committee = recommendation.inquiry.committee
    before = MeetingFactory(committee=committee, date=datetime.date(2016, 2, 10), state="closed")
    now = MeetingFactory(committee=committee, date=datetime.date(2016, 6, 15), state="evidence_open")
    AssessmentFactory(recommendation=recommendation, meeting=before, agreed_category=default_category("6"))
    AssessmentFactory(recommendation=recommendation, meeting=now, proposed_category=default_category("2"))
    client = __import__("django.test", fromlist=["Client"]).Client()
    client.force_login(UserFactory())
    page = text(client.get(f"/meetings/{now.pk}/"))
    assert "Category changed: was 6 – In Progress at the 10 February 2016 meeting, now 2 – Achieved (Late)" in page
    assert f"{recommendation.number} 2 – Achieved (Late) Not decided Category changed from 6 – In Progress to 2 – Achieved (Late) Tracked" in page


# --- Every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("username, link", [
    ("officer", "/my-recommendations/"), ("cabinet", "/portfolio/"), ("member", "/meetings/"), ("scrutiny", "/meetings/"),
])
def test_the_home_page_sends_each_role_to_its_page(round_, username, link):
    page = signed_in(username).get("/").content.decode()
    start = re.search(r'<a href="([^"]+)" role="button" draggable="false" class="govuk-button govuk-button--start"', page)
    assert start.group(1) == link


def test_pages_are_self_hosted_govuk_frontend_in_arial_with_a_skip_link(round_):
    body = signed_in("member").get(f"/meetings/{round_.meeting.pk}/").content.decode()
    assert '<a href="#main-content" class="govuk-skip-link"' in body and 'id="main-content"' in body
    assert not re.search(r'(src|href)="(https?:)?//', body.split("<main", 1)[0])  # nothing from another site
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "inline scripts break the Content-Security-Policy"
    assert " style=" not in body
    stylesheets = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)">', body)
    assert stylesheets == ["build/govuk-frontend.css", "css/app.css"]
    govuk = finders.find("build/govuk-frontend.css")
    assert govuk, "GOV.UK Frontend is not compiled (bin/setup runs npm run build:css)"
    govuk_css = open(govuk, encoding="utf-8").read()
    # GDS Transport is for GOV.UK services only: the council's pages are set in Arial.
    assert "GDS Transport" not in govuk_css and "@font-face" not in govuk_css
    assert re.search(r"\.govuk-body[^{]*\{[^}]*font-family:arial,\s*\"Liberation Sans\"", govuk_css)


def test_every_file_a_stylesheet_asks_for_is_served(round_):
    body = signed_in("member").get("/").content.decode()
    for stylesheet in re.findall(r'<link rel="stylesheet" href="/static/([^"]+)">', body):
        css = open(finders.find(stylesheet), encoding="utf-8").read()
        for url in re.findall(r"url\([\"']?([^\"')]+)", css):
            if url.startswith("data:"):
                continue
            wanted = posixpath.normpath(posixpath.join(posixpath.dirname(stylesheet), url.split("#")[0]))
            assert finders.find(wanted), f"{stylesheet} asks for {url}, which is not a static file"


def test_a_category_is_never_shown_by_colour_alone(round_):
    services.propose_category(round_.here("R06"), round_.category["2"], None, by=round_.users["cabinet"])
    body = signed_in("member").get(f"/meetings/{round_.meeting.pk}/").content.decode()
    tags = re.findall(r'<strong class="govuk-tag app-category[^"]*">([^<]*)</strong>', body)
    assert tags and all(re.fullmatch(r"\d – .+", tag) for tag in tags)


def test_heading_levels_never_skip_on_the_pages(round_):
    for username, url in [("officer", f"/my-recommendations/meetings/{round_.meeting.pk}/"),
                          ("cabinet", f"/portfolio/meetings/{round_.meeting.pk}/"),
                          ("scrutiny", f"/meetings/{round_.meeting.pk}/"),
                          ("member", f"/recommendations/{round_.rec('R06').pk}/"),
                          ("member", "/recommendations/"), ("member", "/")]:
        body = signed_in(username).get(url).content.decode()
        main = body[body.index("<main"):body.index("</main>")]
        levels = [int(level) for level in re.findall(r"<h([1-6])\b", main)]
        assert levels[0] == 1 and levels.count(1) == 1, url
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (url, levels)


def test_the_meeting_page_offers_draft_packs_only_to_the_scrutiny_office(seed):
    create_demo_users()
    meeting = Meeting.objects.latest_first().first()
    member_page = signed_in("member").get(f"/meetings/{meeting.pk}/").content.decode()
    office_page = signed_in("scrutiny").get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Published versions of the pack" in member_page and "Published versions of the pack" in office_page
    assert "Preview the pack" not in member_page and "draft pack (PDF)" not in member_page
    assert "Preview the pack" in office_page and "Build a draft of the pack (PDF or Word)" in office_page


def test_the_proposal_form_renders_cleanly_with_one_csrf_token(round_, caplog):
    page = signed_in("cabinet").get(f"/assessments/{round_.here('R06').pk}/proposal/").content.decode()
    main = page[page.index("<main"):]  # the header's sign-out form has its own token
    assert main.count('name="csrfmiddlewaretoken"') == 1
    assert "Why is the anticipated date moving?" not in page  # no date advised yet, so nothing to explain
    assert not [r for r in caplog.records if "Could not resolve form field" in r.getMessage()]
