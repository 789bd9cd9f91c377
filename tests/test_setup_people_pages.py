"""The scrutiny office sets up its people and owners: invites someone by e-mail, gives them roles and
the owners they act for, deactivates a leaver; the invited person chooses a password from the link.

Every page: who may open it, what it says when an input is wrong (beside the field, never a
server error), and that its query count does not grow with the council.
"""

from __future__ import annotations

import re
import smtplib
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tests.factories import OwnerFactory, RecommendationFactory, UserFactory
from tests.pages import field_errors, signed_in, summary_errors, text
from tracker import invitations, roles, services
from tracker.demo import create_demo_users
from tracker.models import Council, Owner, OwnerAlias, Responsibility

pytestmark = pytest.mark.django_db

User = get_user_model()
REFUSAL = "Only the Democratic Services sets up the council, its committees, inquiries and people."


@pytest.fixture
def council():
    """A council that names its roles its own way (no page may show the roles' internal names)."""
    return Council.objects.create(pk=1, name="Anytown Borough Council", assessor_title="Executive Member",
                                  scrutiny_office_name="Democratic Services")


@pytest.fixture
def demo(council):
    create_demo_users()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def office(demo):
    return signed_in("scrutiny")


def person(username: str):
    return User.objects.get(username=username)


def invite(client, **fields):
    data = {"full_name": "Dana Director", "email": "Dana.Director@Anytown.gov.uk", "roles": ["officer"],
            "owners": []}
    data.update(fields)
    return client.post("/setup/people/invite/", data)


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/welcome/\S+/)", message.body).group(1)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def person_form(who, **changes) -> dict:
    held = {group.name for group in who.groups.all()}
    data = {
        "full_name": who.get_full_name(), "email": who.email or f"{who.username}@anytown.gov.uk",
        "roles": [role.key for role in roles.in_words(Council.current()) if role.role in held],
        "owners": [str(owner.pk) for owner in who.owners.all()],
    }
    data.update(changes)
    return data


# --- Who may open the pages -----------------------------------------------------------------------


def pages(demo) -> list[str]:
    owner = OwnerFactory(name="Leader")
    return ["/setup/people/", "/setup/people/invite/", f"/setup/people/{demo['officer'].pk}/", "/setup/owners/",
            "/setup/owners/new/", f"/setup/owners/{owner.pk}/"]


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_people_page(demo):
    for url in pages(demo):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/?next="), url


@pytest.mark.parametrize("username", ["officer", "cabinet", "member"])
def test_only_the_scrutiny_office_opens_the_people_pages_and_nothing_is_written_for_anyone_else(demo, username):
    client = signed_in(username)
    for url in pages(demo):
        response = client.get(url)
        assert response.status_code == 403, url
        assert REFUSAL in text(response)
    owner = Owner.objects.get(name="Leader")
    target = demo["officer"] if username != "officer" else demo["member"]
    before = (User.objects.count(), Owner.objects.count(), target.get_full_name())
    for url, data in [
        ("/setup/people/invite/", {"full_name": "Eve", "email": "eve@anytown.gov.uk", "roles": ["scrutiny-office"]}),
        (f"/setup/people/{target.pk}/", person_form(target, full_name="Changed Name")),
        (f"/setup/people/{target.pk}/deactivate/", {}),
        (f"/setup/people/{demo['scrutiny'].pk}/reactivate/", {}),
        (f"/setup/people/{target.pk}/invitation/", {}),
        ("/setup/owners/new/", {"name": "Chief Executive"}),
        (f"/setup/owners/{owner.pk}/", {"name": "Renamed", "delegates": [str(demo[username].pk)]}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert REFUSAL in text(response)
    target.refresh_from_db()
    owner.refresh_from_db()
    assert (User.objects.count(), Owner.objects.count(), target.get_full_name()) == before
    assert target.is_active and owner.name == "Leader" and not owner.delegates.exists()
    assert mail.outbox == []


def test_the_scrutiny_office_opens_every_people_page_without_being_a_superuser(demo, office):
    assert not demo["scrutiny"].is_superuser
    for url in pages(demo):
        assert office.get(url).status_code == 200, url


def test_a_person_or_owner_that_does_not_exist_is_not_found(office):
    for url in ["/setup/people/987654/", "/setup/owners/987654/", "/setup/people/99999999999999999999/",
                "/setup/people/987654/deactivate/"]:
        response = office.post(url) if url.endswith("deactivate/") else office.get(url)
        assert response.status_code == 404, url


# --- Everyone with an account ---------------------------------------------------------------------


def test_the_list_shows_everyone_active_first_with_their_roles_in_the_councils_words(demo, office):
    leader = OwnerFactory(name="Leader")
    leader.delegates.add(demo["cabinet"])
    services.set_person_active(demo["member"], False, by=demo["scrutiny"])
    words = text(office.get("/setup/people/")).split("Everyone (4)")[1]
    assert words.index("Olivia Officer") < words.index("Sam Scrutiny") < words.index("Mina Member")
    assert re.search(r"Callum Cabinet callum.cabinet@example.gov.uk Executive Member Leader Active", words)
    assert re.search(r"Sam Scrutiny sam.scrutiny@example.gov.uk Democratic Services None Active", words)
    assert re.search(r"Mina Member mina.member@example.gov.uk Committee member None Deactivated", words)
    assert "Assessor" not in words and "Scrutiny Office" not in words and "Committee Member" not in words


def test_the_list_is_filtered_by_role_with_an_ordinary_form(demo, office):
    page = office.get("/setup/people/", {"role": "assessor"})
    words = text(page)
    assert "Callum Cabinet" in words and "Olivia Officer" not in words and "Executive Member (1)" in words
    assert '<option value="assessor" selected>Executive Member</option>' in page.content.decode()
    everyone = text(office.get("/setup/people/", {"role": "Officer'; drop table"}))
    assert "Olivia Officer" in everyone and "Callum Cabinet" in everyone and "Everyone (4)" in everyone


def test_someone_invited_who_has_not_chosen_a_password_shows_as_invited(demo, office):
    invite(office)
    assert "Dana Director dana.director@anytown.gov.uk Officer None Invited no password chosen yet" in text(
        office.get("/setup/people/"))


def test_the_list_runs_as_many_queries_for_fifty_people_as_for_five(demo, office):
    owners = [OwnerFactory() for _ in range(3)]

    def add(n):
        for _ in range(n):
            user = UserFactory(first_name="Pat", email="pat@anytown.gov.uk")
            user.groups.add(Group.objects.get(name=roles.OFFICER))
            user.owners.add(*owners)

    add(1)
    at_5 = queries(office, "/setup/people/")
    add(45)
    assert queries(office, "/setup/people/") == at_5
    assert text(office.get("/setup/people/")).count(owners[2].name) == 46


# --- Inviting someone -----------------------------------------------------------------------------


def test_the_office_invites_someone_by_email_with_a_role_and_two_owners(demo, office):
    leader, chair = OwnerFactory(name="Leader"), OwnerFactory(name="Chair BSCB")
    response = invite(office, roles=["officer", "assessor"], owners=[str(leader.pk), str(chair.pk)])
    assert response.status_code == 302 and response.url == "/setup/people/"
    page = office.get(response.url)
    assert "An invitation has been sent to Dana Director at dana.director@anytown.gov.uk." in text(page)
    dana = person("dana.director@anytown.gov.uk")
    assert dana.get_full_name() == "Dana Director" and not dana.has_usable_password()
    assert {group.name for group in dana.groups.all()} == {roles.OFFICER, roles.ASSESSOR}
    assert set(dana.owners.all()) == {leader, chair}
    [message] = mail.outbox
    assert message.to == ["dana.director@anytown.gov.uk"] and "Sam Scrutiny has given you an account" in message.body
    assert invitations.invited_by_token(link_in(message).split("/")[-2]) == dana


def test_the_invitation_form_offers_the_roles_in_the_councils_words_with_what_each_does(demo, office):
    OwnerFactory(name="Leader")
    words = text(office.get("/setup/people/invite/"))
    assert "Executive Member Proposes a category for each recommendation of the owners they act for." in words
    assert "Democratic Services Sets up and runs the meetings and publishes the packs." in words
    assert "Officer Writes the evidence of progress for the owners they act for." in words
    assert "Committee member Reads the meetings, packs and recommendations." in words
    assert "Assessor" not in words and "Scrutiny Office" not in words
    assert "Owners they act for" in words and "Leader" in words


def test_an_email_that_already_has_an_account_is_refused_beside_the_field(demo, office):
    invite(office)
    response = invite(office, email="DANA.director@anytown.gov.uk", full_name="Dana Again")
    assert response.status_code == 400
    problem = "DANA.director@anytown.gov.uk already has an account. Find them in the list of people."
    assert field_errors(response) == [problem] and summary_errors(response) == [problem]
    assert 'href="#id_email"' in response.content.decode()
    assert len(mail.outbox) == 1 and User.objects.filter(first_name="Dana").count() == 1


def test_a_wrong_invitation_is_explained_beside_each_field(demo, office):
    response = office.post("/setup/people/invite/", {"full_name": "  ", "email": "not an address"})
    assert response.status_code == 400
    assert field_errors(response) == [
        "Enter their full name",
        "Enter an e-mail address in the correct format, like name@example.com",
        "Choose at least one role",
    ]
    assert text(response).startswith("Error: Invite someone")
    response = invite(office, roles=["superuser"], owners=["99999999999999999999999", "abc"])
    assert field_errors(response) == ["Choose from the roles listed", "Choose from the owners listed"]
    assert User.objects.count() == 4 and mail.outbox == []


def test_an_email_address_with_an_apostrophe_is_a_username_and_a_very_long_one_is_refused(demo, office):
    response = invite(office, email="Sean.O'Brien@anytown.gov.uk", full_name="Seán O’Brien")
    assert response.status_code == 302
    assert person("sean.o'brien@anytown.gov.uk").get_full_name() == "Seán O’Brien"
    response = invite(office, email=f"{'a' * 140}@anytown.gov.uk")
    assert response.status_code == 400
    assert field_errors(response) == ["The e-mail address must be 150 characters or fewer to sign in with."]


def test_a_mail_server_that_refuses_leaves_nothing_saved_and_says_so(demo, office, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({})

    monkeypatch.setattr(services, "send_mail", refuse)
    response = invite(office)
    assert response.status_code == 400
    assert "The e-mail could not be sent just now, so nothing was saved." in summary_errors(response)[0]
    assert not User.objects.filter(email__icontains="dana").exists()


def test_the_invitation_page_runs_as_many_queries_for_a_hundred_owners_as_for_ten(demo, office):
    for _ in range(10):
        OwnerFactory()
    at_10 = queries(office, "/setup/people/invite/")
    for _ in range(90):
        OwnerFactory()
    assert queries(office, "/setup/people/invite/") == at_10


# --- One person -----------------------------------------------------------------------------------


def test_the_office_changes_someones_name_email_roles_and_owners(demo, office):
    invite(office)
    dana = person("dana.director@anytown.gov.uk")
    leader = OwnerFactory(name="Leader")
    page = office.get(f"/setup/people/{dana.pk}/")
    assert "Signs in with dana.director@anytown.gov.uk" in text(page)
    response = office.post(f"/setup/people/{dana.pk}/", person_form(
        dana, full_name="Dana Smith", email="dana.smith@anytown.gov.uk", roles=["assessor", "committee-member"],
        owners=[str(leader.pk)]))
    assert response.status_code == 302 and response.url == f"/setup/people/{dana.pk}/"
    assert "The changes to Dana Smith have been saved." in text(office.get(response.url))
    dana.refresh_from_db()
    assert (dana.get_full_name(), dana.email) == ("Dana Smith", "dana.smith@anytown.gov.uk")
    assert dana.username == "dana.smith@anytown.gov.uk"  # invited people sign in with their e-mail address
    assert {g.name for g in dana.groups.all()} == {roles.ASSESSOR, roles.COMMITTEE_MEMBER}
    assert list(dana.owners.all()) == [leader]


def test_a_demo_user_keeps_their_username_when_given_an_email(demo, office):
    officer = demo["officer"]
    office.post(f"/setup/people/{officer.pk}/", person_form(officer, email="olivia@anytown.gov.uk"))
    officer.refresh_from_db()
    assert officer.username == "officer" and officer.email == "olivia@anytown.gov.uk"


def test_someone_elses_email_is_refused_beside_the_field(demo, office):
    invite(office)
    officer = demo["officer"]
    response = office.post(f"/setup/people/{officer.pk}/", person_form(officer, email="dana.director@anytown.gov.uk"))
    assert response.status_code == 400
    assert field_errors(response) == ["dana.director@anytown.gov.uk is already someone else’s."]
    officer.refresh_from_db()
    assert officer.email == "olivia.officer@example.gov.uk"


def test_the_persons_own_owners_come_first_in_the_list_of_owners(demo, office):
    for name in ["Aardvark Board", "Beta Panel", "Zeta Trust"]:
        OwnerFactory(name=name)
    demo["officer"].owners.add(Owner.objects.get(name="Zeta Trust"))
    words = text(office.get(f"/setup/people/{demo['officer'].pk}/"))
    assert words.index("Zeta Trust") < words.index("Aardvark Board") < words.index("Beta Panel")


def test_a_leaver_is_deactivated_cannot_sign_in_and_is_brought_back(demo, office):
    leaver = signed_in("officer")
    response = office.post(f"/setup/people/{demo['officer'].pk}/deactivate/")
    assert response.status_code == 302
    page = office.get(response.url)
    assert ("Olivia Officer has been deactivated. They can no longer sign in; their name stays on everything "
            "they wrote.") in text(page)
    assert "Bring back Olivia Officer" in text(page) and "Deactivate Olivia Officer" not in text(page)
    assert leaver.get("/").status_code == 302  # signed out on their next page
    assert Client().post("/accounts/login/", {"username": "officer", "password": "officer-demo-pass"}).status_code == 200
    office.post(f"/setup/people/{demo['officer'].pk}/reactivate/")
    assert person("officer").is_active
    signed_in("officer")


def test_the_office_cannot_deactivate_itself(demo, office):
    response = office.post(f"/setup/people/{demo['scrutiny'].pk}/deactivate/", follow=True)
    assert "You cannot deactivate your own account. Ask someone else in your office." in text(response)
    assert person("scrutiny").is_active



def test_the_office_cannot_take_its_own_role_from_itself(demo, office):
    me = demo["scrutiny"]
    response = office.post(f"/setup/people/{me.pk}/", person_form(me, roles=["officer"]))
    assert response.status_code == 400
    assert field_errors(response) == [
        "You cannot take the Democratic Services role from yourself. Ask someone else in your office."]
    assert {group.name for group in me.groups.all()} == {roles.SCRUTINY_OFFICE}

def test_the_invitation_is_sent_again_only_to_someone_who_has_not_chosen_a_password(demo, office):
    invite(office)
    dana = person("dana.director@anytown.gov.uk")
    assert "Send the invitation again" in text(office.get(f"/setup/people/{dana.pk}/"))
    response = office.post(f"/setup/people/{dana.pk}/invitation/", follow=True)
    assert "A new invitation has been sent to Dana Director at dana.director@anytown.gov.uk." in text(response)
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["dana.director@anytown.gov.uk"]
    assert invitations.invited_by_token(link_in(mail.outbox[1]).split("/")[-2]) == dana

    officer = demo["officer"]
    assert "Send the invitation again" not in text(office.get(f"/setup/people/{officer.pk}/"))
    response = office.post(f"/setup/people/{officer.pk}/invitation/", follow=True)
    assert "Olivia Officer has already chosen a password." in text(response) and len(mail.outbox) == 2


def test_a_persons_page_runs_as_many_queries_for_a_hundred_owners_as_for_ten(demo, office):
    officer = demo["officer"]
    officer.owners.add(*[OwnerFactory() for _ in range(10)])
    at_10 = queries(office, f"/setup/people/{officer.pk}/")
    officer.owners.add(*[OwnerFactory() for _ in range(90)])
    assert queries(office, f"/setup/people/{officer.pk}/") == at_10


# --- The invited person chooses a password --------------------------------------------------------


def invited(office) -> tuple[object, str]:
    invite(office)
    return person("dana.director@anytown.gov.uk"), link_in(mail.outbox[-1])


def test_the_invited_person_chooses_a_password_and_is_signed_in(demo, office):
    dana, link = invited(office)
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Welcome, Dana Director: choose your password" in text(page)
    response = visitor.post(link, {"new_password1": "a-long-passphrase-2016", "new_password2": "a-long-passphrase-2016"})
    assert response.status_code == 302 and response.url == "/"
    home = visitor.get("/")
    assert "Welcome, Dana Director. Your password is saved and you are signed in." in text(home)
    dana.refresh_from_db()
    assert dana.check_password("a-long-passphrase-2016")
    assert Client().login(username="dana.director@anytown.gov.uk", password="a-long-passphrase-2016")
    # The link worked once.
    again = Client().get(link)
    assert "This link does not work" in text(again) and "Welcome" not in text(again)



def test_choosing_the_password_signs_in_with_the_lock_outs_on_as_in_production(demo, office):
    from axes.utils import reset

    dana, link = invited(office)
    with override_settings(AXES_ENABLED=True):
        reset()
        visitor = Client()
        response = visitor.post(link, {"new_password1": "a-long-passphrase-2016",
                                       "new_password2": "a-long-passphrase-2016"}, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 302
        assert "Signed in as Dana Director" in text(visitor.get("/"))
        reset()

def test_the_password_rules_apply_beside_the_fields(demo, office):
    dana, link = invited(office)
    response = Client().post(link, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 400 and "no-store" in response["Cache-Control"]
    assert any("too short" in error for error in field_errors(response))
    response = Client().post(link, {"new_password1": "a-long-passphrase-2016", "new_password2": "different-one"})
    assert field_errors(response) == ["The passwords do not match. Enter the same new password twice."]
    dana.refresh_from_db()
    assert not dana.has_usable_password()


def _no_account_token():
    return signing.dumps({"user": 987654, "password": "x" * 12}, salt=invitations.SALT, compress=True)


@pytest.mark.parametrize("token", [
    "nonsense", "a" * 400, "%00", _no_account_token, lambda: signing.dumps([1, 2], salt=invitations.SALT),
    lambda: signing.dumps({"user": "1 or 1=1"}, salt=invitations.SALT),
    lambda: signing.dumps({"user": 1}, salt="another-salt"),
])
def test_a_bad_link_gets_the_plain_page_never_a_server_error(demo, token):
    token = token() if callable(token) else token
    for response in [Client().get(f"/accounts/welcome/{token}/"),
                     Client().post(f"/accounts/welcome/{token}/", {"new_password1": "x", "new_password2": "x"})]:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        words = text(response)
        assert "This link does not work" in words
        assert "Ask the Democratic Services to send you a new invitation." in words


def test_a_used_an_expired_and_a_deactivated_persons_link_look_the_same_as_no_account(demo, office, monkeypatch):
    dana, link = invited(office)
    nobody = text(Client().get(f"/accounts/welcome/{_no_account_token()}/"))
    later = time.time() + (invitations.LASTS_DAYS + 1) * 24 * 60 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert text(Client().get(link)) == nobody
    monkeypatch.undo()
    assert "Welcome" in text(Client().get(link))
    services.set_person_active(dana, False, by=demo["scrutiny"])
    assert text(Client().get(link)) == nobody
    services.set_person_active(dana, True, by=demo["scrutiny"])
    Client().post(link, {"new_password1": "a-long-passphrase-2016", "new_password2": "a-long-passphrase-2016"})
    assert text(Client().get(link)) == nobody


def test_the_welcome_page_runs_a_fixed_number_of_queries(demo, office):
    dana, link = invited(office)
    visitor = Client()
    at_few = queries(visitor, link)
    for _ in range(50):
        UserFactory().owners.add(OwnerFactory())
    assert queries(visitor, link) == at_few <= 3


# --- Owners ---------------------------------------------------------------------------------------


def test_the_owners_list_shows_other_spellings_who_acts_and_how_many_recommendations(demo, office):
    children = OwnerFactory(name="Director of Children’s Services")
    OwnerAlias.objects.create(owner=children, name="Director Children Services")
    children.delegates.add(demo["officer"], demo["member"])
    services.set_person_active(demo["member"], False, by=demo["scrutiny"])
    for _ in range(3):
        Responsibility.objects.create(recommendation=RecommendationFactory(), owner=children)
    OwnerFactory(name="Leader")
    words = text(office.get("/setup/owners/"))
    assert ("Director of Children’s Services Director Children Services Olivia Officer Mina Member (deactivated) 3"
            in words)
    assert "Leader None Nobody yet 0" in words and "Every owner (2)" in words


def test_the_owners_list_runs_as_many_queries_for_a_hundred_owners_as_for_ten(demo, office):
    def add(n):
        for _ in range(n):
            owner = OwnerFactory()
            OwnerAlias.objects.create(owner=owner, name=f"{owner.name} (also)")
            owner.delegates.add(demo["officer"])
            Responsibility.objects.create(recommendation=RecommendationFactory(), owner=owner)

    add(10)
    at_10 = queries(office, "/setup/owners/")
    add(90)
    assert queries(office, "/setup/owners/") == at_10


def test_the_office_adds_an_owner_with_its_other_spellings_and_the_people_acting_for_it(demo, office):
    response = office.post("/setup/owners/new/", {
        "name": " Director of  Place ", "aliases": "Dir. of Place\r\n\r\nDirector, Place\nDIR. OF PLACE",
        "delegates": [str(demo["officer"].pk)],
    })
    assert response.status_code == 302 and response.url == "/setup/owners/"
    assert "“Director of Place” has been added." in text(office.get(response.url))
    owner = Owner.objects.get(name="Director of Place")
    assert sorted(owner.aliases.values_list("name", flat=True)) == ["Dir. of Place", "Director, Place"]
    assert list(owner.delegates.all()) == [demo["officer"]]
    assert services.find_or_create_owner("director, place") == owner


def test_an_owners_name_taken_in_any_case_or_spelling_is_refused_beside_the_field(demo, office):
    leader = OwnerFactory(name="Leader")
    OwnerAlias.objects.create(owner=leader, name="Leader of the Council")
    response = office.post("/setup/owners/new/", {"name": "LEADER"})
    assert response.status_code == 400
    assert field_errors(response) == ["There is already an owner called “Leader”."]
    response = office.post("/setup/owners/new/", {"name": "leader of the council"})
    assert field_errors(response) == [
        "“leader of the council” is another spelling of “Leader”. Use that owner, or take the spelling off it first."]
    response = office.post("/setup/owners/new/", {"name": "Chief Executive", "aliases": "Leader of the Council"})
    assert field_errors(response) == ["“Leader of the Council” is already used for “Leader”."]
    response = office.post("/setup/owners/new/", {"name": "", "aliases": "x" * 301,
                                                  "delegates": ["99999999999999999999999"]})
    assert field_errors(response) == ["Enter the owner’s name", "Choose from the people listed"]
    assert Owner.objects.count() == 1


def test_renaming_an_owner_keeps_its_old_name_as_another_spelling(demo, office):
    owner = OwnerFactory(name="Cllr for Housing")
    OwnerAlias.objects.create(owner=owner, name="Housing portfolio")
    owner.delegates.add(demo["officer"])
    page = office.get(f"/setup/owners/{owner.pk}/")
    assert "Changing it keeps the old name as another spelling" in text(page)
    response = office.post(f"/setup/owners/{owner.pk}/", {
        "name": "Executive Member for Housing", "aliases": "", "delegates": [str(demo["cabinet"].pk)],
    })
    assert response.status_code == 302
    assert "“Executive Member for Housing” has been saved." in text(office.get(response.url))
    owner.refresh_from_db()
    assert owner.name == "Executive Member for Housing"
    assert list(owner.aliases.values_list("name", flat=True)) == ["Cllr for Housing"]  # the other one was taken off
    assert list(owner.delegates.all()) == [demo["cabinet"]]
    assert services.find_or_create_owner("cllr for housing") == owner
    # Renaming to one of its own spellings swaps them.
    office.post(f"/setup/owners/{owner.pk}/", {"name": "Cllr for Housing", "aliases": "Cllr for Housing"})
    owner.refresh_from_db()
    assert owner.name == "Cllr for Housing"
    assert list(owner.aliases.values_list("name", flat=True)) == ["Executive Member for Housing"]


def test_an_owners_page_offers_the_active_people_and_its_deactivated_ones(demo, office):
    owner = OwnerFactory(name="Leader")
    owner.delegates.add(demo["member"])
    services.set_person_active(demo["member"], False, by=demo["scrutiny"])
    services.set_person_active(demo["cabinet"], False, by=demo["scrutiny"])
    words = text(office.get(f"/setup/owners/{owner.pk}/"))
    assert "Mina Member Committee member, deactivated" in words
    assert "Callum Cabinet" not in words
    assert words.index("Mina Member") < words.index("Olivia Officer Officer")
    assert "Sam Scrutiny Democratic Services" in words


def test_an_owners_page_runs_as_many_queries_for_fifty_people_as_for_five(demo, office):
    owner = OwnerFactory(name="Leader")
    OwnerAlias.objects.create(owner=owner, name="The Leader")
    owner.delegates.add(demo["officer"])
    at_5 = queries(office, f"/setup/owners/{owner.pk}/")
    for _ in range(45):
        user = UserFactory()
        user.groups.add(Group.objects.get(name=roles.OFFICER))
        owner.delegates.add(user)
    assert queries(office, f"/setup/owners/{owner.pk}/") == at_5
    assert queries(office, "/setup/owners/new/") <= at_5


# --- The services behind the pages ----------------------------------------------------------------


@pytest.mark.parametrize("username", ["officer", "cabinet", "member"])
def test_only_the_scrutiny_office_may_call_the_people_and_owner_services(demo, username):
    from django.core.exceptions import PermissionDenied

    someone, owner = demo[username], OwnerFactory(name="Leader")
    for call in [
        lambda: services.create_owner(by=someone, name="Chief Executive"),
        lambda: services.update_owner(owner, by=someone, name="Renamed", aliases=[], delegates=[someone]),
        lambda: services.send_invitation_again(demo["member"], by=someone, invitation_url=lambda user: ""),
    ]:
        with pytest.raises(PermissionDenied, match="Only the Democratic Services sets up"):
            call()
    assert Owner.objects.get().name == "Leader" and not owner.delegates.exists() and mail.outbox == []
