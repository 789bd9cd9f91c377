from django.core.management.base import BaseCommand

from tracker.demo import create_demo_users, put_demo_committee_on_public_register
from tracker.importer import SEED_REPORT, import_report, read_report


class Command(BaseCommand):
    help = "Load the seed tracking report and one demo user per role. Running it twice changes nothing."

    def handle(self, *args, **options):
        inquiry = import_report(read_report(SEED_REPORT))
        self.stdout.write(
            f"Loaded “{inquiry.title}” ({inquiry.recommendations.count()} recommendations) "
            f"for {inquiry.committee}."
        )
        self.stdout.write("Demo users (local use only):")
        for username, role, password in create_demo_users():
            self.stdout.write(f"  {role:<17} {username:<9} password: {password}")
        put_demo_committee_on_public_register()
        self.stdout.write("The committee is on the public register: /public/")
