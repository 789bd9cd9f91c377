"""The scrutiny office can back everything up and restore it into an empty database."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core import serializers
from django.core.management import call_command

from tracker import services
from tracker.models import Assessment, PublishedPack

# Transactional, as a real restore is (PostgreSQL cannot TRUNCATE inside the test's own
# transaction); serialized_rollback puts the migrations' rows back for the tests after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SKIP = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


def every_row():
    """Every row of every table, as comparable data (ids included)."""
    rows = {}
    for model in apps.get_models():
        if model._meta.label_lower in SKIP:
            continue
        data = serializers.serialize("python", model.objects.order_by("pk"), use_natural_foreign_keys=True)
        rows[model._meta.label_lower] = [(r["pk"], r["fields"]) for r in data]
    return rows


@pytest.mark.parametrize("suffix", [".xml", ".xml.gz"])
def test_export_wipe_and_restore_gives_back_every_row(tmp_path, suffix):
    call_command("load_demo", stdout=io.StringIO())
    assessment = Assessment.objects.get(recommendation__number="R06", proposed_category__isnull=False)
    # An edit, so that history rows hold more than the import.
    services.move_completion_date(
        assessment.recommendation.milestones.get(), datetime.date(2016, 3, 31),
        reason="Awareness plan rescheduled.", by=get_user_model().objects.get(username="scrutiny"),
    )
    PublishedPack.objects.create(meeting=assessment.meeting, version=1, pdf=b"%PDF-1.7 \x00\xff", sha256="0" * 64, size=11)
    before = every_row()
    assert sum(len(v) for k, v in before.items() if k.startswith("tracker.historical")) > 0

    backup = tmp_path / f"backup{suffix}"
    call_command("export_data", str(backup), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)
    assert every_row()["tracker.recommendation"] == []

    call_command("restore_data", str(backup), "--yes", stdout=io.StringIO())
    after = every_row()
    for table in before:
        assert len(before[table]) == len(after[table]), table
        for old, new in zip(before[table], after[table], strict=True):
            assert old == new, (table, {k: (v, new[1].get(k)) for k, v in old[1].items() if new[1].get(k) != v})
    assert bytes(PublishedPack.objects.get().pdf) == b"%PDF-1.7 \x00\xff"
    assert authenticate(username="officer", password="officer-demo-pass") is not None
