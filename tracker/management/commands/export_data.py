from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.backup import BackupRefused, export_everything


class Command(BaseCommand):
    help = (
        "Export every row (users, data and history) to FILE, a portable copy that restore_data reads "
        "(name it .jsonl, or .jsonl.gz to compress it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            backup = export_everything(file)
        except BackupRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Exported {backup.total:,} rows to {file}:")
        for line in backup.rows_in_words():
            self.stdout.write(line)
