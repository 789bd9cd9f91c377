from django.core.management.base import BaseCommand
from django.db import transaction

from tracker import standing


class Command(BaseCommand):
    help = (
        "Work out again where every recommendation stands (its category and date in force, which the lists, "
        "filters and overview read), e.g. after the database was edited by hand. Safe to run at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Only say which recommendations differ from what the rules give; change nothing.")

    def handle(self, *args, check, **options):
        drifted = standing.drift()
        if check:
            for line in drifted[:50]:
                self.stdout.write(line)
            self.stdout.write(f"{len(drifted):,} difference(s) from what the rules give.")
            return
        with transaction.atomic():
            done = standing.refresh_all()
        self.stdout.write(f"Worked out again where {done:,} recommendations stand "
                          f"({len(drifted):,} difference(s) put right).")
