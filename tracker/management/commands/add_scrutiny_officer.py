from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from tracker import invitations, services


class Command(BaseCommand):
    help = (
        "Give a new council its first scrutiny-office user (not a superuser) and print the link with which they "
        "choose their password. Everything else (the council, committees, schemes, inquiries, people) they set up "
        "in the pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="Their full name, as pages and history show it.")
        parser.add_argument(
            "--site", default="http://127.0.0.1:8000",
            help="The address people use for the service, for the link (default: http://127.0.0.1:8000).",
        )

    def handle(self, *args, email, name, site, **options):
        try:
            user = services.add_first_scrutiny_officer(email=email, full_name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        link = site.rstrip("/") + reverse("accept_invitation", args=[invitations.token_for(user)])
        self.stdout.write(f"{user.get_full_name()} ({user.email}) can now set up the council.")
        self.stdout.write(f"They choose their password here (the link works once, for {invitations.LASTS_DAYS} days):")
        self.stdout.write(f"  {link}")
