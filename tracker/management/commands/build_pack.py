from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.models import Meeting
from tracker.pack.render import build_pack


class Command(BaseCommand):
    help = (
        "Build a meeting's pack as PDF (a draft: nothing is published). The meeting defaults "
        "to the latest one; --html also writes the exact HTML handed to WeasyPrint."
    )

    def add_arguments(self, parser):
        parser.add_argument("meeting_id", nargs="?", type=int, help="The meeting (default: the latest).")
        parser.add_argument("--output", "-o", required=True, type=Path, help="Where to write the PDF.")
        parser.add_argument("--html", type=Path, help="Also write the HTML (stylesheet inlined) here.")

    def handle(self, *args, meeting_id=None, output, html=None, **options):
        if meeting_id is None:
            meeting = Meeting.objects.latest_first().select_related("committee").first()
            if meeting is None:
                raise CommandError("There are no meetings yet.")
        else:
            try:
                meeting = Meeting.objects.select_related("committee").get(pk=meeting_id)
            except Meeting.DoesNotExist:
                raise CommandError(f"There is no meeting {meeting_id}.") from None

        built = build_pack(meeting)
        output.write_bytes(built.pdf)
        if html:
            html.write_text(built.html, encoding="utf-8")
        tracked = sum(report.tracked_count for report in built.pack.reports)
        concluded = sum(len(report.concluded) for report in built.pack.reports)
        self.stdout.write(
            f"{meeting}: {built.pages} pages, {tracked} tracked and {concluded} concluded "
            f"recommendations, {len(built.pdf):,} bytes → {output}" + (f" (HTML → {html})" if html else "")
        )
