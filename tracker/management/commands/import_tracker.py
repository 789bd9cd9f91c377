"""Import a council's tracker spreadsheet (.xlsx or .csv) into an inquiry, from the command line.

The same reading as the import page (``tracker.spreadsheet.read_tracker``) and the same
services (``services.import_recommendations``): every problem is printed with its row
and column and nothing is saved while there is one.
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker import permissions, roles, services
from tracker.models import Committee, Council, ExecutiveResponse, Inquiry
from tracker.spreadsheet import read_tracker
from tracker.views.setup.inquiries import milestone_words


class Command(BaseCommand):
    help = (
        "Add the recommendations of a tracker spreadsheet (.xlsx or .csv) to an inquiry of a committee; the "
        "inquiry is created when it does not exist. Every problem is printed with its row and column, and "
        "nothing is saved while there is one."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The spreadsheet: an Excel workbook (.xlsx) or a CSV file (.csv).")
        parser.add_argument("--committee", required=True, help="The committee's name, as the service spells it.")
        parser.add_argument("--inquiry", required=True, help="The inquiry's title (created when it does not exist).")
        parser.add_argument("--dry-run", action="store_true", help="Print what would be added; save nothing.")
        parser.add_argument(
            "--response", default=ExecutiveResponse.ACCEPTED, choices=[choice.value for choice in ExecutiveResponse],
            help="The executive's response to every row (default: accepted, as a tracker's rows are tracked).",
        )
        parser.add_argument("--agreed-on", type=_day, metavar="YYYY-MM-DD",
                            help="The date of the meeting that agreed the categories, when the sheet has a category "
                                 "column.")
        parser.add_argument("--as", dest="username", metavar="USERNAME",
                            help="The scrutiny-office user the history records (default: the first active one).")

    def handle(self, *args, file, committee, inquiry, dry_run, response, agreed_on, username, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        user = _user(username)
        committee_row = _committee(committee)
        result = read_tracker(path, path.name)
        if result.problems:
            raise CommandError(_problems(path.name, [problem.message for problem in result.problems]))
        existing = Inquiry.objects.filter(committee=committee_row, title__iexact=inquiry).first()
        try:
            with transaction.atomic():
                target = existing or services.create_inquiry(by=user, committee=committee_row, title=inquiry)
                created = services.import_recommendations(
                    target, result.recommendations, by=user, executive_response=response, agreed_on=agreed_on)
                if dry_run:
                    raise _DryRun
        except ValidationError as error:
            raise CommandError(_problems(path.name, _messages(error))) from error
        except _DryRun:
            new = "" if existing else "the new inquiry "
            self.stdout.write(f"Would add {len(created)} recommendations to {new}“{target.title}” ({committee_row}). "
                              "Nothing was saved.")
            for parsed in result.recommendations:
                self.stdout.write(_line(parsed))
            return
        self.stdout.write(f"Added {len(created)} recommendations to “{target.title}” ({committee_row}).")


class _DryRun(Exception):
    """Raised inside the transaction of a dry run, so everything it wrote is rolled back."""


def _messages(error: ValidationError) -> list[str]:
    """A service's refusal as lines; one about the meeting's date names the option that gives it."""
    if not hasattr(error, "error_dict"):
        return error.messages
    return [f"--agreed-on: {message}" if key == "agreed_on" else message
            for key, messages in error.message_dict.items() for message in messages]


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date written YYYY-MM-DD, for example 2016-02-10.") from None


def _user(username: str | None):
    users = get_user_model().objects.filter(is_active=True)
    office = Council.current().scrutiny_office_name
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no active user called {username}.")
        if not permissions.can_set_up(user):
            raise CommandError(f"{username} is not in the {office}: only the {office} sets up inquiries.")
        return user
    user = users.filter(groups__name=roles.SCRUTINY_OFFICE).order_by("pk").first()
    if user is None:
        raise CommandError(f"There is no active {office} user for the history to record as making this change. "
                           "Create one, or name one with --as USERNAME.")
    return user


def _committee(name: str) -> Committee:
    committee = Committee.objects.filter(name__iexact=name.strip()).first()
    if committee is None:
        names = "; ".join(Committee.objects.order_by("name").values_list("name", flat=True)) or "none yet"
        raise CommandError(f"There is no committee called “{name}”. The committees are: {names}.")
    return committee


def _problems(filename: str, problems: list[str]) -> str:
    count = len(problems)
    heading = f"{filename}: {count} problem{'' if count == 1 else 's'} to correct. Nothing was saved."
    return "\n".join([heading, *(f"  {problem}" for problem in problems)])


def _line(parsed) -> str:
    """One recommendation as the dry run prints it: where, number, opening words, owners, date as read."""
    lead = parsed.lead if len(parsed.lead) <= 60 else parsed.lead[:59].rstrip() + "…"
    parts = f" ({len(parsed.sub_parts)} sub-parts)" if parsed.sub_parts else ""
    owners = "; ".join(parsed.owners) or "no owner given"
    dates = "; ".join(milestone_words(m) for m in parsed.milestones) or "no date given"
    category = f" – category “{parsed.category}”" if parsed.category else ""
    return f"  Row {parsed.source_row}: {parsed.number} – {lead}{parts} – {owners} – {dates}{category}"
