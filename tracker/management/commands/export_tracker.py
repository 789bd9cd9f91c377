"""The tracker as an Excel workbook or a CSV file, filtered as the recommendations list filters it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker import exports, selectors
from tracker.filters import STATUSES, RecommendationFilter
from tracker.models import Committee, Council, Inquiry, Owner, OwnerAlias, Recommendation


class Command(BaseCommand):
    help = (
        "Write the recommendations, one row each, to an Excel workbook (.xlsx) or a CSV file, as the "
        "recommendations list's downloads do. The filters are the list's; with no --status, tracked and "
        "concluded recommendations are written (not withdrawn ones)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("xlsx", "csv"), help="Default: the output's extension, else xlsx.")
        parser.add_argument(
            "-o", "--output",
            help="The file to write (default: '<council> recommendations <date>.<format>' here); "
            "'-' writes a CSV to the standard output.",
        )
        parser.add_argument("--committee", help="Only the recommendations this committee tracks (its name).")
        parser.add_argument("--inquiry", help="Only this inquiry's recommendations (its title).")
        parser.add_argument("--owner", help="Only the recommendations this owner is responsible for (their name).")
        parser.add_argument("--category", help="Only those with this category in force (its code, e.g. 3).")
        parser.add_argument("--status", choices=[value for value, _ in STATUSES])
        parser.add_argument("--overdue", action="store_true", help="Only overdue recommendations.")

    def handle(self, *args, output=None, **options):
        extension = options["format"] or (Path(output).suffix.lstrip(".").lower() if output else "") or "xlsx"
        if extension not in exports.CONTENT_TYPES:
            raise CommandError(f"Give --format xlsx or --format csv: “{output}” is not a .xlsx or .csv file.")
        if output == "-" and extension != "csv":
            raise CommandError("An Excel workbook cannot go to the standard output: give a file with -o, or --format csv.")
        filters = RecommendationFilter(
            self._filter_data(options), queryset=selectors.with_date_in_force(Recommendation.objects.all())
        )
        if not filters.is_valid():
            problems = [f"--{name}: {' '.join(errors)}" for name, errors in filters.errors.items()]
            raise CommandError("; ".join(problems))
        council = Council.current()
        output = output or exports.file_name(council.name, timezone.localdate(), extension)
        rows = selectors.tracker_rows(filters.shown())
        if extension == "xlsx":
            with open(output, "wb") as out:
                count = exports.write_xlsx(rows, out, council_name=council.name)
        else:
            counted = _Counted(rows)
            if output == "-":
                for line in exports.csv_lines(counted):
                    self.stdout.write(line, ending="")
            else:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    out.writelines(exports.csv_lines(counted))
            count = counted.count
        where = "the standard output" if output == "-" else output
        said = f"{count:,} recommendation{'' if count == 1 else 's'} written to {where}."
        (self.stderr if output == "-" else self.stdout).write(said)

    def _filter_data(self, options) -> dict[str, str]:
        """The list page's GET parameters for the options given, names looked up as the page's choices."""
        data = {}
        if options["committee"]:
            data["committee"] = _one(
                Committee.objects.filter(name__iexact=options["committee"].strip()), "committee", options["committee"],
                Committee.objects.order_by("name").values_list("name", flat=True),
            )
        if options["inquiry"]:
            inquiries = Inquiry.objects.filter(title__iexact=options["inquiry"].strip())
            if data.get("committee") and inquiries.count() > 1:
                inquiries = inquiries.filter(committee_id=data["committee"])
            data["inquiry"] = _one(inquiries, "inquiry", options["inquiry"],
                                   Inquiry.objects.order_by("title").values_list("title", flat=True), "inquiries")
        if options["owner"]:
            name = options["owner"].strip()
            owners = Owner.objects.filter(name__iexact=name) or Owner.objects.filter(
                pk__in=OwnerAlias.objects.filter(name__iexact=name).values("owner"))
            data["owner"] = _one(owners, "owner", options["owner"], None)
        if options["category"]:
            data["category"] = options["category"].strip()
        if options["status"]:
            data["status"] = options["status"]
        if options["overdue"]:
            data["overdue"] = "on"
        return data


def _one(found, what: str, asked: str, names, plural: str = "") -> str:
    rows = list(found[:2])
    if len(rows) > 1:
        raise CommandError(f"More than one {what} is called “{asked}”: add --committee to say which.")
    if not rows:
        listed = list(names[:20]) if names is not None else []
        hint = f" The {plural or what + 's'} are: {', '.join(listed)}." if listed else ""
        raise CommandError(f"There is no {what} called “{asked}”.{hint}")
    return str(rows[0].pk)


class _Counted:
    """The rows, counted as they are written."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row
