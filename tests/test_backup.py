"""The scrutiny office can back everything up and restore it exactly; a file that cannot be
trusted is refused with one line and changes nothing."""

import datetime
import gzip
import io
import itertools
import json
import tracemalloc

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.factories import RecommendationFactory
from tests.pages import evidence_fields, signed_in
from tracker import backup, services
from tracker.demo import create_demo_users
from tracker.forms import EvidenceForm
from tracker.management.commands.restore_data import Command as RestoreCommand
from tracker.models import Assessment, EvidenceUpdate, PublishedPack, Recommendation, StoredFile

# Transactional, as a real restore is; serialized_rollback puts the migrations' rows back
# for the tests after each one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Rebuilt by migrate (content types, permissions), disposable (sessions) or carried as files (the
# database file storage's rows): not in a backup as rows.
NOT_IN_A_BACKUP = {"contenttypes.contenttype", "auth.permission", "sessions.session", "tracker.storedfile"}


class RowSerializer(serializers.get_serializer("python")):
    """Rows as Python values; a key naming a row deleted since (a history row's) is kept as its id."""

    def handle_fk_field(self, obj, field):
        try:
            super().handle_fk_field(obj, field)
        except ObjectDoesNotExist:
            self._current[field.name] = ("deleted since", getattr(obj, field.attname))


def every_row():
    """Every row of every table a backup holds, as comparable data (ids, times, bytes included).

    Keys to content types and permissions by natural key: migrate and flush rebuild those with new ids.
    """
    rows = {}
    for model in apps.get_models():
        if model._meta.label_lower in NOT_IN_A_BACKUP:
            continue
        data = RowSerializer().serialize(model._base_manager.order_by("pk"), use_natural_foreign_keys=True)
        rows[model._meta.label_lower] = [(r["pk"], r["fields"]) for r in data]
    return rows


def assert_same_rows(before, after):
    assert before.keys() == after.keys()
    for table in before:
        assert len(before[table]) == len(after[table]), table
        for old, new in zip(before[table], after[table], strict=True):
            assert old == new, (table, {k: (v, new[1].get(k)) for k, v in old[1].items() if new[1].get(k) != v})


def export(path):
    out = io.StringIO()
    call_command("export_data", str(path), stdout=out)
    return out.getvalue()


def restore(path):
    out = io.StringIO()
    call_command("restore_data", str(path), "--yes", stdout=out)
    return out.getvalue()


def wipe():
    call_command("flush", interactive=False, verbosity=0)
    assert not Recommendation.objects.exists()


def restore_from_the_command_line(path, capsys):
    """restore_data as a person runs it: the exit code and what it printed."""
    capsys.readouterr()
    try:
        RestoreCommand().run_from_argv(["manage.py", "restore_data", str(path), "--yes"])
    except SystemExit as exit_:
        code = exit_.code
    else:
        code = 0
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def read_lines(path):
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        return handle.read().splitlines(keepends=True)


# --- The whole database --------------------------------------------------------------------


@pytest.fixture
def seed_with_users_and_a_pack(seed):
    """The seed report, the demo users (with roles and the owners they act for), an edit and a published pack."""
    create_demo_users()
    assessment = Assessment.objects.get(recommendation__number="R06", proposed_category__isnull=False)
    # An edit, so that history rows hold more than the import.
    services.move_completion_date(
        assessment.recommendation.milestones.get(), datetime.date(2016, 3, 31),
        reason="Awareness plan rescheduled.", by=get_user_model().objects.get(username="scrutiny"),
    )
    PublishedPack.objects.create(meeting=assessment.meeting, version=1, pdf=b"%PDF-1.7 \x00\xff", sha256="0" * 64, size=11)
    # A time whose microseconds are not a whole number of milliseconds.
    PublishedPack.objects.update(published_at=datetime.datetime(2016, 3, 31, 23, 59, 59, 123457, tzinfo=datetime.UTC))


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_export_wipe_and_restore_gives_back_every_row(tmp_path, seed_with_users_and_a_pack, suffix):
    before = every_row()
    assert sum(len(v) for k, v in before.items() if k.startswith("tracker.historical")) > 0

    file = tmp_path / f"backup{suffix}"
    exported = export(file)
    wipe()
    restored = restore(file)

    assert_same_rows(before, every_row())
    assert bytes(PublishedPack.objects.get().pdf) == b"%PDF-1.7 \x00\xff"
    assert PublishedPack.objects.get().published_at.microsecond == 123457
    assert authenticate(username="officer", password="officer-demo-pass") is not None
    # New rows get new ids: the sequences (PostgreSQL's, which flush restarted) carry on after the restored rows.
    newer = EvidenceUpdate.objects.create(recommendation=Recommendation.objects.first(), text="After the restore.",
                                          position=999)
    assert newer.pk > max(pk for pk, _ in before["tracker.evidenceupdate"])
    recommendations = len(before["tracker.recommendation"])
    total = sum(len(rows) for rows in before.values())
    assert exported.splitlines()[0] == f"Exported {total:,} rows to {file}:"
    assert f"{recommendations:>9,}  recommendations" in exported.splitlines()
    assert restored.splitlines()[0].startswith(f"Restored {total:,} rows from {file} (exported ")
    assert f"{recommendations:>9,}  recommendations" in restored.splitlines()


def test_the_file_says_what_it_is_its_schema_and_how_many_rows_it_holds(tmp_path, seed_with_users_and_a_pack):
    file = tmp_path / "backup.jsonl.gz"
    before = every_row()
    export(file)

    lines = read_lines(file)
    header, end = json.loads(lines[0]), json.loads(lines[-1])
    assert header["format"] == "scrutiny-tracker-backup" and header["version"] == 1
    assert abs(datetime.datetime.fromisoformat(header["exported_at"]) - timezone.now()) < datetime.timedelta(minutes=1)
    applied = MigrationRecorder.Migration.objects.values_list("app", "name")
    assert {(app, name) for app, names in header["schema"].items() for name in names} == set(applied)
    assert end == {"end": "scrutiny-tracker-backup", "objects": len(lines) - 2, "models": end["models"], "files": 0}
    assert {label: n for label, n in end["models"].items() if n} == {
        label: len(rows) for label, rows in before.items() if rows
    }
    # Every character is escaped, so no text can break a line or the file's encoding.
    assert all(line.isascii() for line in lines)
    assert not any(json.loads(line).get("model") in NOT_IN_A_BACKUP for line in lines)


def test_restoring_over_a_database_that_holds_other_rows_replaces_them(tmp_path, seed_with_users_and_a_pack):
    file = tmp_path / "backup.jsonl"
    before = every_row()
    export(file)
    recommendation = RecommendationFactory()
    EvidenceUpdate.objects.create(recommendation=recommendation, text="Written after the backup.")
    get_user_model().objects.get(username="officer").groups.clear()

    restore(file)

    assert_same_rows(before, every_row())


# --- Files kept in the database ------------------------------------------------------------


@pytest.fixture
def files_in_the_database(settings, tmp_path):
    """FILE_STORAGE=database; MEDIA_ROOT a folder nothing may reach."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tracker.storage.DatabaseStorage"}}
    return settings.MEDIA_ROOT


def files_in_storage() -> dict[str, bytes]:
    return {f.name: bytes(f.content) for f in StoredFile.objects.all()}


def test_with_files_in_the_database_a_restore_gives_back_every_row_and_exactly_the_files_it_holds(
    tmp_path, open_meeting, files_in_the_database
):
    officer = get_user_model().objects.get(username="officer")
    update = services.add_evidence(Recommendation.objects.get(number="R06"), open_meeting, "Registers attached.",
                                   datetime.date(2016, 6, 1), by=officer)
    scan = b"%PDF-1.4\n" + bytes(range(256)) * 3000  # more than one backup line's half megabyte
    for name, content in (("register.pdf", b"%PDF-1.4\n%%EOF\n"), ("scan.pdf", scan)):
        services.add_attachment(update, SimpleUploadedFile(name, content, "application/pdf"), name, by=officer)
    before, files = every_row(), files_in_storage()
    assert sorted(files.values(), key=len) == [b"%PDF-1.4\n%%EOF\n", scan]

    file = tmp_path / "backup.jsonl.gz"
    exported = export(file)
    assert "        2  attached files" in exported.splitlines()
    assert not any(json.loads(line).get("model") == "tracker.storedfile" for line in read_lines(file))
    # Afterwards: a file no attachment names, and one attachment's bytes gone.
    default_storage.save("evidence/stray.pdf", ContentFile(b"%PDF-1.4 not in the backup"))
    default_storage.delete(min(files, key=lambda name: len(files[name])))

    restore(file)

    assert_same_rows(before, every_row())
    assert files_in_storage() == files
    assert not files_in_the_database.exists()


def test_files_kept_on_disk_move_into_the_database_by_export_and_restore(tmp_path, open_meeting, settings):
    # The way docs/deploy.md gives for a council going from one machine to several without a bucket.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    officer = get_user_model().objects.get(username="officer")
    update = services.add_evidence(Recommendation.objects.get(number="R06"), open_meeting, "Register attached.",
                                   datetime.date(2016, 6, 1), by=officer)
    content = b"%PDF-1.4\n" + bytes(range(256)) * 10
    attachment = services.add_attachment(update, SimpleUploadedFile("register.pdf", content, "application/pdf"),
                                         "Register", by=officer)
    before = every_row()
    file = tmp_path / "backup.jsonl.gz"
    export(file)

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tracker.storage.DatabaseStorage"}}
    restore(file)

    assert_same_rows(before, every_row())
    assert files_in_storage() == {attachment.file.name: content}
    assert signed_in("member").get(f"/attachments/{attachment.pk}/").getvalue() == content


# --- Any text, exactly ---------------------------------------------------------------------

pasted = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(["\r\n", "\r", "\n", "\t", " ", "\x0b", "\x0c", "\x00", "\x01", "\x1f", "\x7f", "\x85",
                         "\u2028", "\u2029", "\u200b", "\u200d", "\ufeff", "\u00a0", "\ufffe", "😀", "👩🏽‍⚖️", "𝔘"]),
    ),
    max_size=30,
).map("".join)


@pytest.fixture
def officer():
    """A backup with no users is refused, so every database here has one."""
    return get_user_model().objects.create_user("officer", password="pass-word-123")


def test_any_text_the_evidence_form_accepts_comes_back_exactly(tmp_path, officer):
    recommendation = RecommendationFactory()
    file = tmp_path / "backup.jsonl"
    positions = itertools.count()

    @given(typed=pasted)
    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    def round_trip(typed):
        form = EvidenceForm(evidence_fields("r1", typed), prefix="r1")
        assume(form.is_valid())
        text = form.cleaned_data["text"]
        evidence = EvidenceUpdate.objects.create(recommendation=recommendation, text=text,
                                                 written_on=form.cleaned_data["written_on"], position=next(positions))
        before = every_row()
        export(file)
        EvidenceUpdate.objects.all().delete()
        EvidenceUpdate.history.all().delete()

        restore(file)

        assert EvidenceUpdate.objects.get(pk=evidence.pk).text == text
        assert EvidenceUpdate.history.get(id=evidence.pk).text == text
        assert_same_rows(before, every_row())

    round_trip()


# Control characters (all but NUL, which PostgreSQL cannot store), Windows line endings,
# leading and trailing breaks and spaces, tabs, separators and characters beyond the BMP.
LEGACY = "\n\r\n  " + "".join(map(chr, range(1, 32))) + "\x7f\x85\u2028\u2029\ufeff\ufffe\uffff\tWord\x0bpaste\x0c😀𝔘 \r\n\n"


def test_rows_written_before_text_was_normalised_still_export_and_restore_exactly(tmp_path, officer):
    recommendation = RecommendationFactory(lead=LEGACY)
    evidence = EvidenceUpdate.objects.create(recommendation=recommendation, text="Typed today.")
    # Straight to the database, as rows from before the boundary normalised text were.
    EvidenceUpdate.objects.filter(pk=evidence.pk).update(text=LEGACY)
    EvidenceUpdate.history.filter(id=evidence.pk).update(text=LEGACY, history_change_reason=LEGACY)
    Recommendation.history.filter(id=recommendation.pk).update(lead=LEGACY)
    before = every_row()

    file = tmp_path / "backup.jsonl.gz"
    export(file)
    wipe()
    restore(file)

    assert_same_rows(before, every_row())
    assert EvidenceUpdate.objects.get().text == LEGACY
    assert EvidenceUpdate.history.get().text == LEGACY
    assert Recommendation.history.get().lead == LEGACY


def test_a_history_row_naming_a_user_deleted_since_exports_and_restores(tmp_path):
    author = get_user_model().objects.create_user("leaver")
    keeper = get_user_model().objects.create_user("keeper")
    evidence = EvidenceUpdate.objects.create(recommendation=RecommendationFactory(), text="Done.", author=author)
    evidence.author = keeper
    evidence.save()
    author_id = author.pk
    author.delete()  # allowed: only the earlier version (a history row) still names them
    assert EvidenceUpdate.history.filter(author_id=author_id).exists()
    before = every_row()

    file = tmp_path / "backup.jsonl"
    export(file)
    wipe()
    restore(file)

    assert_same_rows(before, every_row())


# --- Files that are refused -----------------------------------------------------------------


@pytest.fixture
def small_database(officer):
    """A user and a recommendation with evidence: enough to show that nothing was lost."""
    EvidenceUpdate.objects.create(recommendation=RecommendationFactory(), text="Training delivered.")


def with_header(lines, change):
    header = json.loads(lines[0])
    change(header)
    return [json.dumps(header).encode() + b"\n", *lines[1:]]


def without_the_last_tracker_migration(header):
    header["schema"]["tracker"].pop()


def with_a_future_migration(header):
    header["schema"]["tracker"].append("9999_not_written_yet")


def without_users(lines):
    kept = [line for line in lines[1:-1] if json.loads(line)["model"] != "auth.user"]
    end = json.loads(lines[-1])
    end["objects"] = len(kept)
    end["models"]["auth.user"] = 0
    return [lines[0], *kept, json.dumps(end).encode() + b"\n"]


def with_a_repeated_row(lines):
    """Each line well formed, but two rows share an id: the database refuses it while loading."""
    row = next(line for line in lines if b'"model": "tracker.recommendation"' in line)
    end = json.loads(lines[-1])
    end["objects"] += 1
    end["models"]["tracker.recommendation"] += 1
    return [*lines[:-1], row, json.dumps(end).encode() + b"\n"]


def old_xml_export(tmp_path):
    out = io.StringIO()
    call_command("dumpdata", "tracker", format="xml", natural_foreign=True, stdout=out)
    return out.getvalue().encode()


REFUSED = {
    # name: (what to write, given the good file's lines, or a callable taking tmp_path; words in the message)
    "an empty file": (lambda lines: b"", "is empty (0 bytes)"),
    "an empty gzip": (lambda lines: gzip.compress(b""), "is empty (a compressed file"),
    "a damaged gzip": (lambda lines: gzip.compress(b"".join(lines))[:-40], "damaged compressed file"),
    "only the header": (lambda lines: lines[0], "holds no rows"),
    "a header and end line with no rows": (
        lambda lines: lines[0] + b'{"end": "scrutiny-tracker-backup", "objects": 0, "models": {}}\n', "holds no rows"),
    "no end line (cut short)": (lambda lines: b"".join(lines[:-1]), "without its end line: it was cut short"),
    "cut short in the middle of a line": (lambda lines: b"".join(lines[:-1])[:-20], "is not readable backup data"),
    "a garbled line in the middle": (
        lambda lines: b"".join([*lines[:3], b'{"model": "tracker.recommendation", "pk": 1, "fie\xff\n', *lines[4:]]),
        "Line 4 of backup.jsonl is not readable backup data"),
    "a row of another app's table": (
        lambda lines: b"".join([*lines[:3], b'{"model": "shop.order", "pk": 1, "fields": {}}\n', *lines[4:]]),
        "names shop.order, which is not a table of this app"),
    "a row missing a field": (
        lambda lines: b"".join([*lines[:-2], json.dumps({**json.loads(lines[-2]), "fields": {}}).encode() + b"\n",
                                lines[-1]]),
        "without"),
    "a row that is missing": (lambda lines: b"".join([lines[0], *lines[2:]]), "its end line counts"),
    "no users": (lambda lines: b"".join(without_users(lines)), "holds no user accounts"),
    "two rows with one id": (lambda lines: b"".join(with_a_repeated_row(lines)), "the database refused its rows"),
    "an XML export from the old format": (lambda lines: old_xml_export, "XML export from an earlier version"),
    "a JSON file from another app": (
        lambda lines: b'[{"model": "shop.order", "pk": 1, "fields": {"total": "9.99"}}]\n', "not a backup made by"),
    "an older schema": (lambda lines: b"".join(with_header(lines, without_the_last_tracker_migration)),
                        "was made by an older version of the app (before tracker 0"),
    "a newer schema": (lambda lines: b"".join(with_header(lines, with_a_future_migration)),
                       "was made by a newer version of the app (after tracker 9999_not_written_yet"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_file_that_cannot_be_trusted_is_refused_in_one_line_and_changes_nothing(tmp_path, capsys, small_database,
                                                                                   case):
    good = tmp_path / "good.jsonl"
    export(good)
    lines = read_lines(good)
    make, words = REFUSED[case]
    content = make(lines)
    if callable(content):
        content = content(tmp_path)
    file = tmp_path / "backup.jsonl"
    file.write_bytes(content)
    before = every_row()

    code, out, err = restore_from_the_command_line(file, capsys)

    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("CommandError: ") and "Traceback" not in err, err
    assert words in err and err.rstrip().endswith("Nothing was changed."), err
    assert_same_rows(before, every_row())


def test_a_backup_made_after_a_migration_this_database_has_not_had_says_run_migrate(tmp_path, capsys, small_database):
    file = tmp_path / "backup.jsonl"
    export(file)
    last = MigrationRecorder.Migration.objects.filter(app="tracker").latest("id")
    last.delete()  # as if this database had not yet been migrated to the latest version
    before = every_row()
    try:
        code, out, err = restore_from_the_command_line(file, capsys)
    finally:
        MigrationRecorder.Migration.objects.create(app=last.app, name=last.name)

    assert code == 1
    assert f"was made after tracker {last.name}, which this database has not had yet: run manage.py migrate" in err, err
    assert_same_rows(before, every_row())


def test_a_file_copied_with_windows_line_endings_and_a_blank_last_line_still_restores(tmp_path, small_database):
    file = tmp_path / "backup.jsonl"
    export(file)
    before = every_row()
    file.write_bytes(file.read_bytes().replace(b"\n", b"\r\n") + b"\r\n")
    wipe()

    restore(file)

    assert_same_rows(before, every_row())


def test_saying_no_at_the_prompt_changes_nothing(tmp_path, small_database, monkeypatch):
    file = tmp_path / "backup.jsonl"
    export(file)
    EvidenceUpdate.objects.create(recommendation=Recommendation.objects.get(), text="Added after the backup.",
                                  position=999)
    before = every_row()
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "no")

    with pytest.raises(Exception, match="Nothing was restored"):
        call_command("restore_data", str(file), stdout=io.StringIO())

    assert "replaces every row in the database with the " in asked[0]
    assert_same_rows(before, every_row())


# --- Memory --------------------------------------------------------------------------------


def peak_memory_of_export(path):
    tracemalloc.start()
    try:
        backup.export_everything(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_export_streams_so_ten_times_the_rows_take_about_the_same_memory(tmp_path, officer):
    recommendation = RecommendationFactory()
    text = "Training delivered to every frontline team. " * 25  # about 1,100 characters

    positions = itertools.count()

    def evidence(count):
        EvidenceUpdate.objects.bulk_create(
            EvidenceUpdate(recommendation=recommendation, text=f"{n} {text}", position=next(positions))
            for n in range(count)
        )

    n = 2 * backup.CHUNK_SIZE
    evidence(n)
    small = peak_memory_of_export(tmp_path / "small.jsonl.gz")
    evidence(9 * n)
    large = peak_memory_of_export(tmp_path / "large.jsonl.gz")

    assert EvidenceUpdate.objects.count() == 10 * n
    # Holding the whole export would take ten times the text (about 10 MB more); streaming, a chunk or two.
    assert large < small * 1.5, (small, large)
