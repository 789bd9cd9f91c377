"""`load_demo` gives a newcomer the seed report and one user per role, and is safe to repeat."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from tracker import roles

pytestmark = pytest.mark.django_db


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_app_config("tracker").get_models()}


def test_load_demo_loads_the_seed_and_prints_the_logins():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    assert "19 recommendations" in printed
    for username, role, _, _, password in __import__("tracker.demo", fromlist=["DEMO_USERS"]).DEMO_USERS:
        assert username in printed and password in printed
        user = authenticate(username=username, password=password)
        assert user is not None
        assert list(user.groups.values_list("name", flat=True)) == [role]


def test_running_load_demo_twice_changes_nothing():
    call_command("load_demo", stdout=io.StringIO())
    before = row_counts()
    call_command("load_demo", stdout=io.StringIO())
    assert row_counts() == before


def test_the_demo_committee_is_on_the_public_register_so_a_visitor_reads_it_signed_out():
    call_command("load_demo", stdout=io.StringIO())
    from django.test import Client

    from tracker.models import Committee

    committee = Committee.objects.get()
    assert committee.on_public_register
    assert committee.name in Client().get("/public/").content.decode()
    assert "Child Sexual Exploitation" in Client().get(f"/public/committees/{committee.pk}/").content.decode()


def test_the_demo_officer_and_cabinet_member_act_for_the_childrens_services_portfolio():
    call_command("load_demo", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    for username in ("officer", "cabinet"):
        owners = list(get_user_model().objects.get(username=username).owners.values_list("name", flat=True))
        assert owners == ["Cabinet Member for Children’s Services"]


def test_only_the_scrutiny_office_reaches_the_admin():
    call_command("load_demo", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    staff = set(get_user_model().objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {"scrutiny"}


def test_each_role_holds_its_permissions_after_migrate():
    from django.contrib.auth.models import Group

    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert "add_evidenceupdate" in codenames(roles.OFFICER)
    assert "change_assessment" not in codenames(roles.OFFICER)
    assert "change_assessment" in codenames(roles.ASSESSOR)
    assert all(c.startswith("view_") for c in codenames(roles.COMMITTEE_MEMBER))
    assert "change_meeting" in codenames(roles.SCRUTINY_OFFICE)
    assert not any(c == "delete_evidenceupdate" for role in roles.ROLES for c in codenames(role))


def test_the_demo_users_have_email_addresses_that_reach_nobody_and_the_member_sits_on_the_committee():
    from django.contrib.auth import get_user_model

    from tracker.models import Committee

    call_command("load_demo", stdout=io.StringIO())
    addresses = dict(get_user_model().objects.values_list("username", "email"))
    assert addresses == {
        "officer": "olivia.officer@example.gov.uk", "cabinet": "callum.cabinet@example.gov.uk",
        "member": "mina.member@example.gov.uk", "scrutiny": "sam.scrutiny@example.gov.uk",
    }
    assert [user.username for user in Committee.objects.get().members.all()] == ["member"]
