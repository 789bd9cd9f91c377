"""The four roles and the model permissions each holds.

Object-level questions (which owner's recommendation, which meeting state) are
answered in tracker.permissions; this table only says what each role may touch.
Pages show a role in the council's words (``in_words``), never by its group's name.
"""

from dataclasses import dataclass

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
    | _codenames(["delete"], ["subpart", "footnote", "responsibility", "owneralias", "theme", "category"])
    # The record of every e-mail sent, read in the admin.
    | {"view_message"},
}


def sync_role_permissions(**kwargs):
    """Create the role groups and give each exactly its permissions (run after every migrate)."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames)
        group.permissions.set(permissions)


@dataclass(frozen=True)
class RoleInWords:
    """A role as a council's pages show it: never the group's internal name."""

    role: str  # the group's name, for the services
    key: str  # for forms and addresses ("?role=officer")
    name: str  # in the council's words
    does: str  # what someone with it does, in a sentence


def in_words(council) -> list[RoleInWords]:
    """The four roles in the order pages list them, named as ``council`` names them."""
    return [
        RoleInWords(OFFICER, "officer", "Officer",
                    "Writes the evidence of progress for the owners they act for."),
        RoleInWords(ASSESSOR, "assessor", council.assessor_title,
                    "Proposes a category for each recommendation of the owners they act for."),
        RoleInWords(COMMITTEE_MEMBER, "committee-member", "Committee member",
                    "Reads the meetings, packs and recommendations."),
        RoleInWords(SCRUTINY_OFFICE, "scrutiny-office", council.scrutiny_office_name,
                    "Sets up and runs the meetings and publishes the packs."),
    ]
