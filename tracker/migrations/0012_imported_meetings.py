"""Mark the meetings that imports made before Meeting.imported existed.

They can be told apart reliably: the app schedules every live meeting with a date and in
"Scheduled" (services.schedule_meeting), and records it in the meeting's history. A meeting
with no date, or whose first recorded state was already past "Scheduled", was brought in
by the seed loader or a tracker import (services.meeting_held_on) and is history.
"""

from django.db import migrations
from django.db.models import OuterRef, Q, Subquery


def mark_imported(apps, schema_editor):
    Meeting = apps.get_model("tracker", "Meeting")
    HistoricalMeeting = apps.get_model("tracker", "HistoricalMeeting")
    first_state = Subquery(
        HistoricalMeeting.objects.filter(id=OuterRef("pk"), history_type="+")
        .order_by("history_date", "history_id")
        .values("state")[:1]
    )
    created_past_scheduled = (
        Meeting.objects.annotate(first_state=first_state)
        .filter(first_state__isnull=False)
        .exclude(first_state="scheduled")
        .values("pk")
    )
    Meeting.objects.filter(Q(date__isnull=True) | Q(pk__in=created_past_scheduled)).update(imported=True)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0011_round_runs_itself")]

    operations = [migrations.RunPython(mark_imported, migrations.RunPython.noop)]
