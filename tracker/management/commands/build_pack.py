import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from tracker.models import Meeting
from tracker.pack.context import pack_for
from tracker.pack.docx import pack_docx
from tracker.pack.render import build_pack


class Command(BaseCommand):
    help = (
        "Build a meeting's pack as PDF or Word (a draft: nothing is published). The meeting defaults "
        "to the latest one; --html also writes the exact HTML handed to WeasyPrint."
    )

    def add_arguments(self, parser):
        parser.add_argument("meeting_id", nargs="?", type=int, help="The meeting (default: the latest).")
        parser.add_argument("--output", "-o", required=True, type=Path, help="Where to write the pack.")
        parser.add_argument("--format", choices=["pdf", "docx"], default="pdf",
                            help="pdf (default): the PDF the committee gets; docx: a Word document to edit.")
        parser.add_argument("--html", type=Path, help="Also write the HTML (stylesheet inlined) here (PDF only).")

    def handle(self, *args, meeting_id=None, output, format="pdf", html=None, **options):
        if html and format != "pdf":
            raise CommandError("--html goes with the PDF: the Word pack is not made from HTML.")
        if meeting_id is None:
            meeting = Meeting.objects.latest_first().select_related("committee").first()
            if meeting is None:
                raise CommandError("There are no meetings yet.")
        else:
            try:
                meeting = Meeting.objects.select_related("committee").get(pk=meeting_id)
            except Meeting.DoesNotExist:
                raise CommandError(f"There is no meeting {meeting_id}.") from None

        if format == "docx":
            started = time.monotonic()
            pack = pack_for(meeting)
            document = pack_docx(pack)
            output.write_bytes(document)
            self.stdout.write(
                f"{meeting}: Word document, {self._counts(pack)}, {filesizeformat(len(document))} "
                f"in {time.monotonic() - started:.1f} seconds → {output}"
            )
            return

        built = build_pack(meeting)
        output.write_bytes(built.pdf)
        if html:
            html.write_text(built.html, encoding="utf-8")
        self.stdout.write(
            f"{meeting}: {built.pages} pages, {self._counts(built.pack)}, {len(built.pdf):,} bytes → {output}"
            + (f" (HTML → {html})" if html else "")
        )

    @staticmethod
    def _counts(pack) -> str:
        tracked = sum(report.tracked_count for report in pack.reports)
        concluded = sum(len(report.concluded) for report in pack.reports)
        return f"{tracked} tracked and {concluded} concluded recommendations"
