"""GIN indexes for full-text search on PostgreSQL (tracker.search); nothing on SQLite.

Each index is on the same expression that tracker.search filters on, so PostgreSQL
uses it: to_tsvector('english', COALESCE(<text>, '')).
"""

from django.db import migrations

INDEXES = [
    ("tracker_recommendation_lead_fts", "tracker_recommendation", "lead"),
    ("tracker_subpart_text_fts", "tracker_subpart", "text"),
    ("tracker_evidenceupdate_text_fts", "tracker_evidenceupdate", "text"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('english'::regconfig, COALESCE({column}, ''::text)))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tracker", "0003_published_pack")]
    operations = [migrations.RunPython(create, drop)]
