"""Background work (django-tasks): what runs beside the web server, in `manage.py db_worker`.

Arguments are plain values (a meeting's id, a date as text): a task waits in the database
until a worker takes it.
"""

from __future__ import annotations

import datetime

from django_tasks import task

from tracker import notifications, services


@task()
def send_for_meeting(meeting_id: int) -> dict:
    """Send what a meeting's move calls for (evidence open, proposals due, the pack, the decisions)."""
    delivery = notifications.send_for_meeting(meeting_id)
    return {"sent": len(delivery.sent), "failed": len(delivery.failed)}


@task()
def send_reminders(day: str) -> dict:
    """The daily run (``manage.py run_schedule`` enqueues it once a day): what is due on ``day``,
    and old drafts of the pack removed."""
    delivery = notifications.send_due(datetime.date.fromisoformat(day))
    pruned = services.prune_pack_builds()
    return {"sent": len(delivery.sent), "failed": len(delivery.failed), "pack_builds_removed": pruned}


@task()
def build_pack(build_id: int) -> dict:
    """Build the pack as the scrutiny office asked (services.run_pack_build): a draft, or publishing.

    Its progress and outcome are written to the build's row, which its page reads.
    """
    build = services.run_pack_build(build_id)
    return {"state": build.state if build else "not waiting any more"}
