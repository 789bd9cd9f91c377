from pathlib import Path

from django.core.management.base import BaseCommand

from tracker.backup import export_everything


class Command(BaseCommand):
    help = "Export all data and its history to FILE (.xml or .xml.gz) for backup."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        export_everything(file)
        self.stdout.write(f"Exported everything to {file}")
