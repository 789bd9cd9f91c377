"""The four roles and the model permissions each holds.

Object-level questions (which owner's recommendation, which meeting state) are
answered in tracker.permissions; this table only says what each role may touch.
"""

from django.contrib.auth.models import Group, Permission

OFFICER = "Officer"
ASSESSOR = "Assessor"
COMMITTEE_MEMBER = "Committee Member"
SCRUTINY_OFFICE = "Scrutiny Office"
ROLES = [OFFICER, ASSESSOR, COMMITTEE_MEMBER, SCRUTINY_OFFICE]

_EVERY_MODEL = [
    "assessmentscheme", "category", "committee", "inquiry", "theme", "owner", "owneralias",
    "recommendation", "responsibility", "subpart", "footnote", "milestone", "meeting",
    "evidenceupdate", "assessment", "conclusion", "datechange", "coverreport", "publishedpack",
    "council", "transfer",
]


def _codenames(actions, models):
    return {f"{action}_{model}" for action in actions for model in models}


ROLE_PERMISSIONS = {
    # change_evidenceupdate: an author corrects their own update; every earlier version is kept.
    OFFICER: _codenames(["view"], _EVERY_MODEL) | {"add_evidenceupdate", "change_evidenceupdate"},
    ASSESSOR: _codenames(["view"], _EVERY_MODEL)
    | {"add_evidenceupdate", "change_evidenceupdate", "change_assessment"},
    COMMITTEE_MEMBER: _codenames(["view"], _EVERY_MODEL),
    # Evidence and history are never deleted, so no role holds delete on them.
    SCRUTINY_OFFICE: _codenames(["view", "add", "change"], _EVERY_MODEL)
    | _codenames(["delete"], ["subpart", "footnote", "responsibility", "owneralias", "theme", "category"]),
}


def sync_role_permissions(**kwargs):
    """Create the role groups and give each exactly its permissions (run after every migrate)."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames)
        group.permissions.set(permissions)
