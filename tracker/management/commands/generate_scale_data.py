from django.core.management.base import BaseCommand, CommandError

from tracker import scale


class Command(BaseCommand):
    help = (
        "Fill the database up to M invented recommendations (committees, inquiries, meetings, evidence, "
        "assessments, conclusions) to measure the tracker at scale. For test databases only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--recommendations", type=int, required=True, metavar="M",
                            help="How many recommendations the database should hold afterwards.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same data (default 1).")
        parser.add_argument("--yes", action="store_true",
                            help="Add to a database that holds recommendations the generator did not make.")

    def handle(self, *args, recommendations, seed, yes, **options):
        if recommendations < 0:
            raise CommandError("--recommendations must be 0 or more.")
        before = scale.Recommendation.objects.count()
        if before >= recommendations:
            self.stdout.write(f"The database already holds {before:,} recommendations: nothing added.")
            return
        real = scale.not_generated()
        if real and not yes:
            raise CommandError(
                f"The database holds {real:,} recommendations that were not generated (a council's own data?). "
                "Invented ones would be mixed in with them. Run again with --yes to add them anyway."
            )
        self.stdout.write(f"Adding {recommendations - before:,} recommendations to the {before:,} already there…")

        def progress(done, wanted):
            self.stdout.write(f"Added {done:,} of {wanted:,} recommendations…")

        summary = scale.generate(recommendations, seed=seed, progress=progress)
        self.stdout.write(
            f"Done in {summary.seconds:.1f} s: {summary.committees:,} committees, {summary.inquiries:,} inquiries, "
            f"{summary.recommendations:,} recommendations, {summary.meetings:,} meetings, "
            f"{summary.evidence_updates:,} evidence updates, {summary.assessments:,} assessments, "
            f"{summary.conclusions:,} conclusions. The database now holds {summary.total:,} recommendations."
        )
