"""Who may do what to which object: one function per question, asked by views and services.

| question                              | officer   | assessor       | committee member | scrutiny office |
|---------------------------------------|-----------|----------------|------------------|-----------------|
| read pages, timelines, published packs | yes       | yes            | yes              | yes             |
| "my recommendations" (officer page)   | yes       | –              | –                | –               |
| "my portfolio" (assessor's page)      | –         | yes            | –                | –               |
| add evidence                          | own owners| own owners     | –                | any             |
| correct evidence                      | own, for own owners | own, for own owners | –    | any             |
| attach a file to evidence (as correcting it) | own, for own owners | own, for own owners | – | any  |
| propose a category                    | –         | own owners (1) | –                | on the owners' behalf |
| write the cover report's introduction | –         | own inquiries (1) | –             | on their behalf |
| the cover report's contact officer    | –         | –              | –                | yes             |
| add an update received after the pack | own owners| own owners     | –                | on an officer's behalf |
| record the committee's decisions      | –         | –              | –                | yes             |
| the overview of the round             | –         | –              | read only        | yes, with links to act |
| the annual impact report              | –         | –              | yes              | yes             |
| set up and run meetings, inquiries, people | –    | –              | –                | yes             |

"Own owners": the recommendation has an owner the user acts for (Owner.delegates).
The assessor is whoever the council's process says proposes categories (the cabinet
member, an executive member, a lead officer): the "Assessor" role, called by each
committee's ``assessor_title``. (1) Unless the committee is assessed by the scrutiny
office: then only the office proposes, on the owners' behalf, and it is recorded so.
Which meeting state allows an action is tracker.cycle's question, not this module's.

Each question is asked in one of two ways: ``can_…`` answers yes or no (a page decides
which links and buttons to show), and ``ensure(user, action, obj)`` refuses with the
sentence the user reads (``PermissionDenied``; one handler, ``handler403``, shows it).
The services ensure before they write; a page ensures only for what it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from tracker import roles


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_tracker_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._tracker_roles = cached
    return role in cached


def is_scrutiny_office(user) -> bool:
    return has_role(user, roles.SCRUTINY_OFFICE) or (user.is_authenticated and user.is_superuser)


def owner_ids(user) -> set[int]:
    """The owners this user acts for."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_tracker_owner_ids", None)
    if cached is None:
        cached = set(user.owners.values_list("pk", flat=True))
        user._tracker_owner_ids = cached
    return cached


def acts_for(user, recommendation) -> bool:
    """Does the user act for one of the recommendation's owners? (uses prefetched responsibilities)"""
    mine = owner_ids(user)
    return any(r.owner_id in mine for r in recommendation.responsibilities.all())


def can_view(user) -> bool:
    """Every signed-in user reads recommendations, timelines and published packs."""
    return user.is_authenticated and user.is_active


def can_use_officer_page(user) -> bool:
    """The officer's page lists the recommendations of the owners they act for."""
    return can_view(user) and has_role(user, roles.OFFICER)


def can_use_cabinet_page(user) -> bool:
    """The cabinet member's page lists their portfolio's recommendations, to propose categories."""
    return can_view(user) and has_role(user, roles.ASSESSOR)


def can_add_evidence(user, recommendation) -> bool:
    """Officers and cabinet members for their owners' recommendations; the scrutiny office for any."""
    if not can_view(user):
        return False
    if is_scrutiny_office(user):
        return True
    return (has_role(user, roles.OFFICER) or has_role(user, roles.ASSESSOR)) and acts_for(
        user, recommendation
    )


def can_edit_evidence(user, update, recommendation=None) -> bool:
    """A correction: by the update's author while they still act for an owner, or by the scrutiny office.

    Imported history has no author, so only the scrutiny office corrects it. Pass the
    update's recommendation (with its responsibilities) when it is already in hand.
    """
    if not can_view(user):
        return False
    if is_scrutiny_office(user):
        return True
    return update.author_id == user.pk and can_add_evidence(user, recommendation or update.recommendation)


def assesses_for(user, assessment) -> bool:
    """Is the user the assessor of this recommendation at this meeting (not someone on their behalf)?"""
    from tracker.models import Committee

    return (
        can_view(user)
        and assessment.meeting.committee.assessed_by != Committee.AssessedBy.SCRUTINY_OFFICE
        and has_role(user, roles.ASSESSOR)
        and acts_for(user, assessment.recommendation)
    )


def can_propose(user, assessment) -> bool:
    """The assessor, for the recommendations of their portfolio; the scrutiny office on the owners' behalf."""
    return assesses_for(user, assessment) or (can_view(user) and is_scrutiny_office(user))


def can_write_cover_introduction(user, cover) -> bool:
    """The committee's assessor (as for proposing: not where the scrutiny office assesses) for the
    report's inquiry, by acting for its reporting owner or an owner of its recommendations; the
    scrutiny office on their behalf."""
    from tracker.models import Committee, Responsibility

    if not can_view(user):
        return False
    if is_scrutiny_office(user):
        return True
    if not has_role(user, roles.ASSESSOR):
        return False
    if cover.meeting.committee.assessed_by == Committee.AssessedBy.SCRUTINY_OFFICE:
        return False
    mine = owner_ids(user)
    return cover.reporting_owner_id in mine or Responsibility.objects.filter(
        recommendation__inquiry_id=cover.inquiry_id, owner_id__in=mine
    ).exists()


def can_set_cover_contact(user, cover=None) -> bool:
    """The contact officer printed on the cover is the scrutiny office's to give."""
    return can_view(user) and is_scrutiny_office(user)


def can_record_decisions(user) -> bool:
    return can_view(user) and is_scrutiny_office(user)


def can_manage_meetings(user) -> bool:
    return can_view(user) and is_scrutiny_office(user)


def can_build_pack(user) -> bool:
    return can_view(user) and is_scrutiny_office(user)


def can_see_overview(user) -> bool:
    """The overview of the round is for those who run it and those who oversee it: the scrutiny office
    (with links to act) and committee members (read only)."""
    return can_view(user) and (is_scrutiny_office(user) or has_role(user, roles.COMMITTEE_MEMBER))


def can_see_impact_report(user) -> bool:
    """The annual impact report (made, accepted, achieved, by committee and year) goes into the annual
    scrutiny report: the scrutiny office writes it and committee members read it, as for the overview."""
    return can_see_overview(user)


def can_set_up(user) -> bool:
    """Inquiries, recommendations, committees, schemes and people are the scrutiny office's to set up."""
    return can_view(user) and is_scrutiny_office(user)


@dataclass(frozen=True)
class Rule:
    """A question and the sentence a refused user reads ({obj} names the thing asked about)."""

    test: Callable[..., bool]
    refusal: str


def _user_only(test):
    return lambda user, obj=None: test(user)


RULES: dict[str, Rule] = {
    "view": Rule(_user_only(can_view), "Sign in with an account that is still active to see this page."),
    "use_officer_page": Rule(
        _user_only(can_use_officer_page),
        "This page is for officers: it lists the recommendations of the owners they act for.",
    ),
    "use_cabinet_page": Rule(
        _user_only(can_use_cabinet_page),
        "This page is for those who propose categories ({council.assessor_title}): it lists their portfolio’s "
        "recommendations.",
    ),
    "add_evidence": Rule(
        can_add_evidence, "You do not act for an owner of {obj}, so you cannot write its evidence."
    ),
    "edit_evidence": Rule(
        can_edit_evidence,
        "Only the update’s author (or the {council.scrutiny_office_name}) can correct it. "
        "You can add a new update instead.",
    ),
    "propose": Rule(
        can_propose,
        "Only the {obj.meeting.committee.assessor_title} responsible for {obj.recommendation} (or the "
        "{council.scrutiny_office_name}, on their behalf) proposes its category.",
    ),
    "write_cover_introduction": Rule(
        can_write_cover_introduction,
        "Only the {obj.meeting.committee.assessor_title} who reports on {obj.inquiry} (or the "
        "{council.scrutiny_office_name}) writes the introduction to its report.",
    ),
    "enter_on_behalf": Rule(
        lambda user, obj=None: can_view(user) and is_scrutiny_office(user),
        "Only the {council.scrutiny_office_name} enters an update on an officer’s behalf.",
    ),
    "set_cover_contact": Rule(
        can_set_cover_contact, "Only the {council.scrutiny_office_name} gives the report’s contact officer."
    ),
    "record_decisions": Rule(
        _user_only(can_record_decisions), "Only the {council.scrutiny_office_name} records the committee’s decisions."
    ),
    "manage_meetings": Rule(
        _user_only(can_manage_meetings), "Only the {council.scrutiny_office_name} schedules and runs meetings."
    ),
    "build_pack": Rule(
        _user_only(can_build_pack), "Only the {council.scrutiny_office_name} builds and publishes meeting packs."
    ),
    "see_overview": Rule(
        _user_only(can_see_overview),
        "The overview of the tracking round is for the {council.scrutiny_office_name} and committee members. "
        "Your own recommendations are on your home page.",
    ),
    "see_impact_report": Rule(
        _user_only(can_see_impact_report),
        "The impact report is for the {council.scrutiny_office_name} and committee members. "
        "Your own recommendations are on your home page.",
    ),
    "set_up": Rule(
        _user_only(can_set_up),
        "Only the {council.scrutiny_office_name} sets up the council, its committees, inquiries and people.",
    ),
}


def refusal(action: str, obj=None) -> str:
    """The sentence a user refused ``action`` reads, in the council's own words."""
    from tracker.models import Council

    return RULES[action].refusal.format(obj=obj, council=Council.current())


def ensure(user, action: str, obj=None) -> None:
    """Refuse (PermissionDenied, with the sentence the user reads) unless ``user`` may do ``action``."""
    if not RULES[action].test(user, obj):
        raise PermissionDenied(refusal(action, obj))
