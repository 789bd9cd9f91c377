"""Demo users for local use: one per role, acting for the seed report's owners."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from tracker import roles, services
from tracker.importer import SEED_REPORT, read_report
from tracker.models import Committee, Owner

CHILDREN = "Cabinet Member for Children’s Services"

# username, role, full name, owners acted for, password (printed by the run command; local use only)
DEMO_USERS = [
    ("officer", roles.OFFICER, "Olivia Officer", [CHILDREN], "officer-demo-pass"),
    ("cabinet", roles.ASSESSOR, "Callum Cabinet", [CHILDREN], "cabinet-demo-pass"),
    ("member", roles.COMMITTEE_MEMBER, "Mina Member", [], "member-demo-pass"),
    ("scrutiny", roles.SCRUTINY_OFFICE, "Sam Scrutiny", [], "scrutiny-demo-pass"),
]


def email_for(full_name: str) -> str:
    """A demo user's e-mail address, at a domain that can never reach anyone (example.gov.uk)."""
    return full_name.lower().replace(" ", ".") + "@example.gov.uk"


@transaction.atomic
def create_demo_users():
    User = get_user_model()
    created = []
    for username, role, full_name, owner_names, password in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": role == roles.SCRUTINY_OFFICE,
                      "email": email_for(full_name)},
        )
        if was_created:
            user.set_password(password)
            user.save()
        elif not user.email:  # a demo database made before the demo users had addresses
            user.email = email_for(full_name)
            user.save(update_fields=["email"])
        user.groups.add(Group.objects.get(name=role))
        for owner in Owner.objects.filter(name__in=owner_names):
            owner.delegates.add(user)
        if role == roles.COMMITTEE_MEMBER:
            # The seed committee's member: sent its pack when it is published.
            for committee in Committee.objects.filter(name=read_report(SEED_REPORT)["committee"]["name"]):
                committee.members.add(user)
        created.append((username, role, password))
    return created


def put_demo_committee_on_public_register():
    """The seed committee is on the public register (/public/), switched on as the scrutiny office
    would from the set-up pages. Running it again changes nothing."""
    office = get_user_model().objects.get(username="scrutiny")
    for committee in Committee.objects.filter(
        name=read_report(SEED_REPORT)["committee"]["name"], on_public_register=False
    ):
        services.update_committee(committee, by=office, expected_version=None, on_public_register=True)
