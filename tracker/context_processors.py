"""What every page may print: the council's names and words (one query, only when a page uses them)."""

from django.utils.functional import SimpleLazyObject

from tracker import permissions
from tracker.models import Council


def council(request):
    return {
        "council": SimpleLazyObject(Council.current),
        "can_set_up": SimpleLazyObject(lambda: permissions.can_set_up(request.user)),
        "can_see_overview": SimpleLazyObject(lambda: permissions.can_see_overview(request.user)),
    }
