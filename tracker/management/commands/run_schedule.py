"""The daily schedule: enqueue the day's reminders once a day, for the database worker to send.

django-tasks has no scheduler, so this small loop is one. Whether today's run is already
queued is read from the task queue itself (django-tasks-db keeps every task it was given),
so restarting the loop the same day does not queue it again. Two loops on two machines
could each queue it once; send_reminders is safe to run twice (nothing is sent twice).
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tracker import tasks


def _time(value: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--at must be a time written HH:MM, e.g. 07:00 (not “{value}”).") from None


def queued_today(now: datetime.datetime) -> bool:
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(now), datetime.time()))
    return DBTaskResult.objects.filter(
        task_path=tasks.send_reminders.module_path, enqueued_at__gte=start
    ).exists()


def run_once(at: datetime.time, now: datetime.datetime | None = None) -> str | None:
    """Queue today's reminders if it is past ``at`` and they are not queued yet; the day queued, or None."""
    now = timezone.localtime(now)
    if now.time() < at or queued_today(now):
        return None
    day = now.date().isoformat()
    tasks.send_reminders.enqueue(day)
    return day


class Command(BaseCommand):
    help = "Queue the day's reminders once a day (from --at), for `manage.py db_worker` to send."

    def add_arguments(self, parser):
        parser.add_argument("--at", type=_time, default=datetime.time(7, 0),
                            help="The time of day from which the day's reminders are sent (default 07:00).")
        parser.add_argument("--every", type=int, default=60, help="Seconds between looks at the clock.")
        parser.add_argument("--once", action="store_true", help="Look once and stop (for cron or a test).")

    def handle(self, *args, at, every, once, **options):
        self.stdout.write(f"Daily schedule: the reminders are queued each day from {at:%H:%M}.")
        while True:
            close_old_connections()  # a connection dropped while asleep (the database restarted) is renewed
            day = run_once(at)
            if day:
                self.stdout.write(f"Queued the reminders for {day}.")
            if once:
                return
            time.sleep(every)
