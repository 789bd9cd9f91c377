from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.backup import restore_everything


class Command(BaseCommand):
    help = "Restore an export_data FILE into this database, replacing what it holds."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask before replacing the data.")

    def handle(self, *args, file, yes, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        if not yes and input("This replaces every row in the database. Type 'yes' to go on: ") != "yes":
            raise CommandError("Nothing restored.")
        restore_everything(file)
        self.stdout.write(f"Restored {file}")
