"""``/health/``: is this app server able to serve? For a load balancer, a proxy or monitoring.

It asks the database one trivial question. "OK" (200) when it answers; "Database unavailable"
(503) when it does not. Plain text, never cached, and it reads no session or user, so a
check every few seconds costs one query and writes nothing.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tracker.unavailable import DATABASE_UNAVAILABLE


@require_safe
@never_cache
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_UNAVAILABLE:
        return HttpResponse("Database unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("OK\n", content_type="text/plain; charset=utf-8")
