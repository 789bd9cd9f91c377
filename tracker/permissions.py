"""Who may do what to which object: one function per question, asked by views and services."""

from __future__ import annotations

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


def can_add_evidence(user, recommendation) -> bool:
    """Officers and cabinet members for their owners' recommendations; the scrutiny office for any."""
    if is_scrutiny_office(user):
        return True
    return (has_role(user, roles.OFFICER) or has_role(user, roles.CABINET_MEMBER)) and acts_for(
        user, recommendation
    )


def can_propose(user, recommendation) -> bool:
    """Only a cabinet member, and only for the recommendations of their portfolio."""
    return has_role(user, roles.CABINET_MEMBER) and acts_for(user, recommendation)


def can_record_decisions(user) -> bool:
    return is_scrutiny_office(user)


def can_manage_meetings(user) -> bool:
    return is_scrutiny_office(user)


def can_build_pack(user) -> bool:
    return is_scrutiny_office(user)
