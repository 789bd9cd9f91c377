"""Files kept in the database (FILE_STORAGE=database): what the attachments and the backup ask
of a storage, on SQLite and on PostgreSQL. The attachment journey and export → wipe → restore
run on this storage too (tests/test_attachments.py, tests/test_backup.py)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tracker import storage as database_storage
from tracker.models import StoredFile
from tracker.storage import DatabaseStorage

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def storage():
    return DatabaseStorage()


def every_byte(size: int) -> bytes:
    """Bytes of every value, NUL and 0xFF included, that a text column would mangle."""
    return bytes(range(256)) * (size // 256) + bytes(range(size % 256))


def read_whole(storage, name: str) -> bytes:
    with storage.open(name, "rb") as stored:
        return b"".join(stored.chunks())


def test_a_saved_file_reads_back_byte_for_byte(storage):
    content = every_byte(70_000)
    name = storage.save("evidence/2016/06/register.pdf", ContentFile(content))

    assert name == "evidence/2016/06/register.pdf"
    assert storage.exists(name) and storage.size(name) == len(content)
    assert read_whole(storage, name) == content
    row = StoredFile.objects.get(name=name)
    assert (row.size, hashlib.sha256(bytes(row.content)).digest()) == (len(content), hashlib.sha256(content).digest())


def test_an_empty_file_is_kept_and_reads_back_empty(storage):
    name = storage.save("evidence/empty.pdf", ContentFile(b""))
    assert storage.size(name) == 0 and read_whole(storage, name) == b""


def test_a_name_already_taken_gets_a_new_name_and_the_first_file_is_kept(storage):
    first = storage.save("evidence/register.pdf", ContentFile(b"first"))
    second = storage.save("evidence/register.pdf", ContentFile(b"second"))

    assert first == "evidence/register.pdf"
    assert second != first and second.startswith("evidence/register_") and second.endswith(".pdf")
    assert read_whole(storage, first) == b"first" and read_whole(storage, second) == b"second"


def test_a_name_another_server_took_after_the_check_gets_a_new_name(storage):
    # Another app server saved under the name after this one found it free: _save is where
    # Storage.save would have gone next, with the name it chose.
    storage.save("evidence/register.pdf", ContentFile(b"saved by the other server"))
    with transaction.atomic():
        name = storage._save("evidence/register.pdf", ContentFile(b"saved here"))
    assert name != "evidence/register.pdf"
    assert read_whole(storage, "evidence/register.pdf") == b"saved by the other server"
    assert read_whole(storage, name) == b"saved here"


def test_a_name_too_long_is_shortened_to_fit_the_column(storage):
    name = storage.save("evidence/" + "a" * 320 + ".pdf", ContentFile(b"x"), max_length=300)
    again = storage.save(name, ContentFile(b"y"), max_length=300)
    assert len(name) <= 300 and len(again) <= 300 and again != name
    assert name.startswith("evidence/aaa") and again.endswith(".pdf")
    assert read_whole(storage, name) == b"x" and read_whole(storage, again) == b"y"


def test_a_name_climbing_out_of_the_storage_is_refused(storage):
    for name in ("../settings.py", "/etc/passwd", "evidence/../../x.pdf"):
        with pytest.raises(SuspiciousFileOperation):
            storage.save(name, ContentFile(b"x"))
    assert not StoredFile.objects.exists()


def test_a_file_is_read_half_a_megabyte_per_query_never_whole(storage):
    chunk = database_storage.READ_CHUNK
    content = every_byte(3 * chunk + 10)
    name = storage.save("evidence/scan.pdf", ContentFile(content))

    with CaptureQueriesContext(connection) as queries:
        with storage.open(name) as stored:
            parts = [stored.read(4096) for _ in range(3)]  # FileResponse's block size: one query
            parts.append(stored.read())
    assert b"".join(parts) == content
    # The file's size, then one slice per half megabyte: no query reads the whole column.
    assert [("SUBSTR" in q["sql"], '"content"' in q["sql"]) for q in queries.captured_queries] == (
        [(False, False)] + [(True, True)] * 4
    )


def test_a_file_can_be_read_from_anywhere_in_it(storage):
    content = every_byte(2000)
    name = storage.save("evidence/a.pdf", ContentFile(content))
    with storage.open(name) as stored:
        assert stored.size == 2000
        stored.seek(1500)
        assert stored.read(10) == content[1500:1510]
        stored.seek(-5, os.SEEK_END)
        assert stored.read() == content[-5:]
        assert stored.tell() == 2000


def test_a_missing_file_is_not_found(storage):
    assert not storage.exists("evidence/none.pdf")
    for read in (storage.open, storage.size, storage.get_modified_time):
        with pytest.raises(FileNotFoundError):
            read("evidence/none.pdf")


def test_a_file_deleted_while_it_is_read_stops_the_reading(storage):
    name = storage.save("evidence/a.pdf", ContentFile(b"x" * 10))
    stored = storage.open(name)
    storage.delete(name)
    with pytest.raises(FileNotFoundError):
        stored.read()


def test_files_are_never_written_in_place(storage):
    name = storage.save("evidence/a.pdf", ContentFile(b"x"))
    for mode in ("wb", "ab", "r+b", "w"):
        with pytest.raises(ValueError, match="never written in place"):
            storage.open(name, mode)


def test_delete_removes_the_file_and_a_missing_one_is_no_error(storage):
    name = storage.save("evidence/a.pdf", ContentFile(b"x"))
    storage.delete(name)
    storage.delete(name)
    assert not storage.exists(name)
    with pytest.raises(ValueError):
        storage.delete("")


def test_a_file_saved_in_a_transaction_that_rolls_back_is_gone_with_it(storage):
    with pytest.raises(RuntimeError), transaction.atomic():
        storage.save("evidence/a.pdf", ContentFile(b"x"))
        raise RuntimeError("the form's save failed after the file was stored")
    assert not storage.exists("evidence/a.pdf")


def test_deleting_in_a_failed_transaction_leaves_the_first_error_to_be_seen(storage):
    # services.add_attachment deletes the stored file when saving the row fails; in a failed
    # transaction the database refuses any query, and the file goes with the rollback anyway.
    with pytest.raises(IntegrityError), transaction.atomic():
        name = storage.save("evidence/a.pdf", ContentFile(b"x"))
        try:
            StoredFile.objects.create(name=name, content=b"y", size=1)
        except IntegrityError:
            storage.delete(name)
            raise
    assert not storage.exists("evidence/a.pdf")


def test_the_folders_list_what_is_in_them(storage):
    for name in ("evidence/2016/05/a.pdf", "evidence/2016/06/b.pdf", "evidence/2016/06/c.png", "top.gif"):
        storage.save(name, ContentFile(b"x"))
    assert storage.listdir("") == (["evidence"], ["top.gif"])
    assert storage.listdir("evidence/2016") == (["05", "06"], [])
    assert storage.listdir("evidence/2016/06/") == ([], ["b.pdf", "c.png"])


def test_it_saves_what_django_hands_a_storage(storage, tmp_path):
    on_disk = tmp_path / "upload.pdf"
    on_disk.write_bytes(b"%PDF-1.4 from a temporary upload file")
    with open(on_disk, "rb") as handle:
        name = storage.save("evidence/upload.pdf", File(handle))
    assert read_whole(storage, name) == on_disk.read_bytes()
    assert storage.get_modified_time(name) == StoredFile.objects.get(name=name).saved_at


def test_the_size_column_cannot_disagree_with_the_bytes():
    with pytest.raises(IntegrityError), transaction.atomic():
        StoredFile.objects.create(name="evidence/a.pdf", content=b"four", size=5)


# --- Chosen by a setting ---------------------------------------------------------------------


def storage_settings(**environment) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("FILE_STORAGE", "ATTACHMENTS_S3_BUCKET")}
    env.update(DJANGO_SETTINGS_MODULE="scrutiny.settings", **environment)
    script = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    return subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)


def test_file_storage_database_keeps_attachments_in_the_database():
    assert storage_settings(FILE_STORAGE="database").stdout.strip() == "tracker.storage.DatabaseStorage"
    assert storage_settings().stdout.strip() == "django.core.files.storage.FileSystemStorage"
    assert storage_settings(FILE_STORAGE="filesystem").stdout.strip() == "django.core.files.storage.FileSystemStorage"


@pytest.mark.parametrize("environment, says", [
    ({"FILE_STORAGE": "disk"}, "FILE_STORAGE must be filesystem, database or s3"),
    ({"FILE_STORAGE": "s3"}, "FILE_STORAGE=s3 needs ATTACHMENTS_S3_BUCKET"),
    ({"FILE_STORAGE": "database", "ATTACHMENTS_S3_BUCKET": "evidence"},
     "ATTACHMENTS_S3_BUCKET is set but FILE_STORAGE is database"),
])
def test_a_storage_setting_that_cannot_be_meant_stops_the_app_with_why(environment, says):
    result = storage_settings(**environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and says in result.stderr
