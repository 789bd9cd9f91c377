"""Send what is due today (or on --date): reminders, chasers, and anything waiting or not yet delivered."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateformat import format as date_format

from tracker import notifications


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a date written YYYY-MM-DD, e.g. 2016-06-01 (not “{value}”).") from None


class Command(BaseCommand):
    help = (
        "Send the e-mails due on a day (today by default): reminders before the evidence deadline, "
        "chasers after it, and any message still waiting or not delivered. Running it twice sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_day, help="The day to send for, YYYY-MM-DD (default: today).")

    def handle(self, *args, date=None, **options):
        day = date or timezone.localdate()
        delivery = notifications.send_due(day)
        self.stdout.write(f"E-mails for {date_format(day, 'l j F Y')}:")
        if not delivery.sent and not delivery.failed:
            self.stdout.write("  nothing to send.")
        for message in delivery.sent:
            self.stdout.write(f"  sent to {message.to}: {message.subject}")
        for message in delivery.failed:
            self.stdout.write(
                f"  NOT delivered to {message.to}: {message.subject} ({message.last_error}); "
                "it is tried again next time."
            )
        self.stdout.write(f"{len(delivery.sent)} sent, {len(delivery.failed)} not delivered.")
