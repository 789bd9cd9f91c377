"""The read queries that pages, the admin and the pack need, each in a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from tracker.models import Recommendation, Responsibility


def recommendations_for_admin(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """The recommendation list: theme, owners, first sub-part and the category in force."""
    return (
        queryset.with_current_category()
        .select_related("theme", "inquiry")
        .prefetch_related(
            "sub_parts",
            Prefetch("responsibilities", queryset=Responsibility.objects.select_related("owner")),
        )
    )
