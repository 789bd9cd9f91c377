"""Demo users for local use: one per role, acting for the seed report's owners."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from tracker import roles
from tracker.models import Owner

CHILDREN = "Cabinet Member for Children’s Services"

# username, role, full name, owners acted for, password (printed by the run command; local use only)
DEMO_USERS = [
    ("officer", roles.OFFICER, "Olivia Officer", [CHILDREN], "officer-demo-pass"),
    ("cabinet", roles.ASSESSOR, "Callum Cabinet", [CHILDREN], "cabinet-demo-pass"),
    ("member", roles.COMMITTEE_MEMBER, "Mina Member", [], "member-demo-pass"),
    ("scrutiny", roles.SCRUTINY_OFFICE, "Sam Scrutiny", [], "scrutiny-demo-pass"),
]


@transaction.atomic
def create_demo_users():
    User = get_user_model()
    created = []
    for username, role, full_name, owner_names, password in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": role == roles.SCRUTINY_OFFICE},
        )
        if was_created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        for owner in Owner.objects.filter(name__in=owner_names):
            owner.delegates.add(user)
        created.append((username, role, password))
    return created
