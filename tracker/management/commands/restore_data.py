from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.backup import BackupRefused, RestoreCancelled, restore_everything


class Command(BaseCommand):
    help = (
        "Restore an export_data FILE into this database, replacing every row it holds. The file is "
        "checked whole first; a file that is empty, cut short, damaged or from another version changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask before replacing the data.")

    def handle(self, *args, file, yes, **options):
        if not file.is_file():
            raise CommandError(f"There is no file {file}. Nothing was changed.")
        try:
            backup = restore_everything(file, confirm=None if yes else self.confirm)
        except RestoreCancelled:
            raise CommandError("Nothing was restored; the database is unchanged.")
        except BackupRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {backup.total:,} rows from {file} (exported {backup.exported_in_words()}):")
        for line in backup.rows_in_words():
            self.stdout.write(line)
        self.stdout.write("Everyone signed in before the restore must sign in again.")

    def confirm(self, backup) -> bool:
        answer = input(
            f"This replaces every row in the database with the {backup.total:,} rows of {backup.path.name} "
            f"(exported {backup.exported_in_words()}). Type 'yes' to go on: "
        )
        return answer == "yes"
