"""A portable copy of everything (data and history), and its exact restore.

The file is JSON Lines, gzipped when its name ends ``.gz``:

- line 1, the header: ``{"format": "scrutiny-tracker-backup", "version": 1, "exported_at": …,
  "database": …, "schema": {app: [migrations applied, …]}}``;
- one line per row, as Django's ``jsonl`` serialiser writes it (``{"model": …, "pk": …,
  "fields": {…}}``), models in dependency order, foreign keys to users, groups, permissions
  and content types by natural key, every non-ASCII and control character escaped, so any
  text a database holds comes back byte for byte;
- after the rows, the bytes of every file attached to evidence (``EvidenceAttachment``), each
  in lines of ``{"file": <its name in the storage>, "data": <up to 512 KB, base64>}``, one file
  after another, so neither the export nor the restore holds a whole file in memory;
- the last line: ``{"end": "scrutiny-tracker-backup", "objects": 1133, "models": {label: rows},
  "files": 2}``, so a copy that was cut short is refused.

Content types and permissions are not exported: ``migrate`` rebuilds them from the schema.
Sessions are not exported either: they are disposable, and a restore ends them all.
Nor are the rows of the database file storage (``FILE_STORAGE=database``): they are the attached
files' bytes, which follow the rows as files whatever the storage, and are written back through it.

A restore reads the whole file and refuses it, changing nothing, unless it is this format,
holds rows (and at least one user), comes from a database with exactly this database's
migrations, every line names a model of this app with the fields it has, and every
attachment's file is there with the SHA-256 its row records. Only then does it replace every
row, in one transaction, and write the files back through the storage under the same names.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import gzip
import hashlib
import json
import os
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files import File
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JSONLinesSerializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime

FORMAT = "scrutiny-tracker-backup"
VERSION = 1

# Rebuilt by migrate from the schema (content types, permissions), disposable (sessions, and pack
# builds: work in progress and drafts a day old at most, tracker.services.prune_pack_builds), or
# carried as files: the database file storage's rows (FILE_STORAGE=database) hold the bytes of the
# attached files, which follow the rows whichever storage keeps them.
NOT_EXPORTED = {"contenttypes", "auth.permission", "sessions", "tracker.storedfile", "tracker.packbuild"}
DISPOSABLE = {"sessions.session", "tracker.packbuild"}
# Emptied by a restore and filled again through the storage, as the attached files are written back.
WRITTEN_BACK_AS_FILES = {"tracker.storedfile"}

# Rows read from the database at a time: the export's memory does not grow with the database.
CHUNK_SIZE = 500
# An attached file's bytes per line (before base64).
FILE_CHUNK = 512 * 1024
ATTACHMENT = "tracker.evidenceattachment"
# The header is a few kilobytes; a first line longer than this is not one.
HEADER_LIMIT = 1_000_000
NOTHING_CHANGED = "Nothing was changed."


class BackupRefused(Exception):
    """A file restore will not load, or an export that could not be written; one line for the reader."""

    def __init__(self, message: str):
        # Words from the file (a table's name, a field's) must not break the line.
        super().__init__(" ".join(message.split()))


class RestoreCancelled(Exception):
    """The person restoring said no at the prompt."""


@dataclass
class Backup:
    """What a backup file holds, as its header and end line say (and a full read confirmed)."""

    path: Path
    exported_at: datetime.datetime | None
    schema: dict[str, list[str]]
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def exported_in_words(self) -> str:
        if self.exported_at is None:
            return "at an unknown time"
        return dateformat.format(timezone.localtime(self.exported_at), r"j F Y \a\t H:i")

    def rows_in_words(self) -> list[str]:
        """One line per table that has rows: the count and the table's name, in export order."""
        lines = []
        for label, count in self.rows.items():
            if count:
                opts = apps.get_model(label)._meta
                name = opts.verbose_name if count == 1 else opts.verbose_name_plural
                lines.append(f"{count:>9,}  {name}")
        if self.files:
            lines.append(f"{self.files:>9,}  {'attached file' if self.files == 1 else 'attached files'}")
        return lines


# --- What is exported -----------------------------------------------------------------------


def exported_models() -> list:
    """Every model of every installed app that a backup holds, in dependency order."""
    app_list = [
        (app_config, [model for model in app_config.get_models() if _is_exported(model)])
        for app_config in apps.get_app_configs()
    ]
    return serializers.sort_dependencies([(a, m) for a, m in app_list if m], allow_cycles=True)


def _is_exported(model) -> bool:
    opts = model._meta
    return (
        opts.managed
        and not opts.proxy
        and opts.app_label not in NOT_EXPORTED
        and opts.label_lower not in NOT_EXPORTED
    )


def applied_schema(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The migrations applied in the database, per app, as the recorder keeps them."""
    schema: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        schema.setdefault(app_label, []).append(name)
    return schema


# --- Export ---------------------------------------------------------------------------------


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it rounds them to milliseconds, as JavaScript does)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Serializer(JSONLinesSerializer):
    def handle_fk_field(self, obj, field):
        try:
            super().handle_fk_field(obj, field)
        except ObjectDoesNotExist:
            # A history row's copy of a key has no constraint, so it can name a user deleted
            # since. Keep the id: the restore puts back exactly what was there.
            self._current[field.name] = getattr(obj, field.attname)


def export_everything(path: Path, *, using: str = DEFAULT_DB_ALIAS, chunk_size: int = CHUNK_SIZE) -> Backup:
    """Write every exported row to ``path`` (gzipped if it ends .gz), reading the database in chunks.

    The rows are written to ``<path>.part`` and renamed at the end, so a failed export never
    leaves a half-written file under the name asked for (nor replaces an older good one).
    """
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    connection = connections[using]
    models = exported_models()
    try:
        with _consistent_snapshot(connection), _open_for_writing(partial) as handle:
            backup = Backup(path=path, exported_at=timezone.now(), schema=applied_schema(using))
            _write_line(handle, {
                "format": FORMAT,
                "version": VERSION,
                "exported_at": backup.exported_at.isoformat(),
                "database": connection.vendor,
                "schema": backup.schema,
            })
            serializer = _Serializer()
            for model in models:
                rows = _Counted(model._base_manager.using(using).order_by("pk").iterator(chunk_size=chunk_size))
                serializer.serialize(
                    rows, stream=handle, use_natural_foreign_keys=True, cls=_ExactEncoder, ensure_ascii=True
                )
                backup.rows[model._meta.label_lower] = rows.count
            backup.files = _write_files(handle, using)
            _write_line(handle, {"end": FORMAT, "objects": backup.total, "models": backup.rows,
                                 "files": backup.files})
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupRefused(f"Could not write {path} ({error.strerror or error}). Nothing was exported.") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return backup


def _attachment_model():
    return apps.get_model(ATTACHMENT)


def _write_files(handle, using: str) -> int:
    """The bytes of every attached file, read through the storage in chunks; how many files."""
    model = _attachment_model()
    storage = model._meta.get_field("file").storage
    count = 0
    for name, label in model._base_manager.using(using).order_by("pk").values_list("file", "name").iterator():
        try:
            stored = storage.open(name, "rb")
        except (FileNotFoundError, OSError) as error:
            raise BackupRefused(
                f"The attached file “{label}” ({name}) is missing from the file storage, so a backup would not "
                f"hold it. Nothing was exported."
            ) from error
        with stored:
            first = True
            while True:
                chunk = stored.read(FILE_CHUNK)
                if not chunk and not first:
                    break
                _write_line(handle, {"file": name, "data": base64.b64encode(chunk).decode("ascii")})
                first = False
                if not chunk:
                    break
        count += 1
    return count


class _Counted:
    def __init__(self, iterable):
        self.iterable = iterable
        self.count = 0

    def __iter__(self):
        for item in self.iterable:
            self.count += 1
            yield item


@contextmanager
def _consistent_snapshot(connection):
    """Read every table as of one moment, so rows written during the export cannot half appear."""
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=connection.alias):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # SQLite: a read transaction already sees one snapshot.
        yield


def _open_for_writing(path: Path):
    if path.name.removesuffix(".part").endswith(".gz"):
        return gzip.open(path, "wt", encoding="utf-8", newline="\n")
    return open(path, "w", encoding="utf-8", newline="\n")


def _write_line(handle, data: dict) -> None:
    handle.write(json.dumps(data, ensure_ascii=True, cls=_ExactEncoder))
    handle.write("\n")


# --- Reading and checking a file -------------------------------------------------------------


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file's lines, numbered from 1, whether it is gzipped or not (told by its first bytes)."""
    name = path.name
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            handle = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
            first = handle.readline(HEADER_LIMIT)
            if not first:
                if compressed:
                    raise BackupRefused(f"{name} is empty (a compressed file with nothing in it). {NOTHING_CHANGED}")
                raise BackupRefused(f"{name} is empty (0 bytes). {NOTHING_CHANGED}")
            yield 1, first
            yield from enumerate(handle, start=2)
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupRefused(
            f"{name} is a damaged compressed file (it ends early or is corrupt). {NOTHING_CHANGED}"
        ) from error
    except OSError as error:
        raise BackupRefused(f"{name} cannot be read ({error.strerror or error}). {NOTHING_CHANGED}") from error


def _shown(value, most: int = 80) -> str:
    """A value read from the file, short enough to quote in a message."""
    text = str(value)
    return text if len(text) <= most else text[: most - 1] + "…"


def _parse(line: bytes):
    try:
        return json.loads(line.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are both ValueErrors
        return None


def _read_header(path: Path, line: bytes) -> Backup:
    name = path.name
    if line.lstrip().startswith(b"<"):
        raise BackupRefused(
            f"{name} is an XML export from an earlier version of this app, which this version cannot restore: "
            f"restore it with the version that made it, then export it again. {NOTHING_CHANGED}"
        )
    header = _parse(line)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupRefused(f"{name} is not a backup made by export_data (its first line does not say so). "
                            f"{NOTHING_CHANGED}")
    if header.get("version") != VERSION:
        raise BackupRefused(
            f"{name} is a version {_shown(header.get('version'))} backup and this app reads version {VERSION}: "
            f"restore it with the version of the app that made it. {NOTHING_CHANGED}"
        )
    schema = header.get("schema")
    if not isinstance(schema, dict) or not all(isinstance(v, list) for v in schema.values()):
        raise BackupRefused(f"{name} does not say which migrations it was made with (its first line is damaged). "
                            f"{NOTHING_CHANGED}")
    exported_at = header.get("exported_at")
    return Backup(path=path, exported_at=parse_datetime(exported_at) if isinstance(exported_at, str) else None,
                  schema=schema)


def _check_schema(backup: Backup, using: str) -> None:
    """The file must come from a database with exactly this database's migrations."""
    ours = {(app, name) for app, names in applied_schema(using).items() for name in names}
    theirs = {(app, name) for app, names in backup.schema.items() for name in names}
    if ours == theirs:
        return
    name = backup.path.name
    only_ours, only_theirs = ours - theirs, theirs - ours
    if not only_theirs:
        raise BackupRefused(
            f"{name} was made by an older version of the app (before {_named(only_ours)}): restore it with the "
            f"version that made it, then upgrade and run migrate. {NOTHING_CHANGED}"
        )
    on_disk = set(MigrationLoader(connections[using], ignore_no_migrations=True).disk_migrations)
    if not only_ours and only_theirs <= on_disk:
        raise BackupRefused(
            f"{name} was made after {_named(only_theirs)}, which this database has not had yet: run "
            f"manage.py migrate, then restore it. {NOTHING_CHANGED}"
        )
    if not only_ours:
        raise BackupRefused(
            f"{name} was made by a newer version of the app (after {_named(only_theirs)}, which this version "
            f"does not have): upgrade the app, run migrate, then restore it. {NOTHING_CHANGED}"
        )
    raise BackupRefused(
        f"{name} was made by a different version of the app (it has {_named(only_theirs)}; this database has "
        f"{_named(only_ours)} instead): restore it with the version that made it. {NOTHING_CHANGED}"
    )


def _named(migrations: set[tuple[str, str]], most: int = 3) -> str:
    names = [_shown(f"{app} {name}") for app, name in sorted(migrations)]
    if len(names) > most:
        return ", ".join(names[:most]) + f" and {len(names) - most} more"
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def _expected_fields(model) -> set[str]:
    """The fields the jsonl serialiser writes for a row of ``model`` (all but the primary key)."""
    opts = model._meta.concrete_model._meta
    return {f.name for f in opts.local_fields if f.serialize} | {
        f.name for f in opts.local_many_to_many if f.serialize and f.remote_field.through._meta.auto_created
    }


def check_backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> Backup:
    """Read the whole file and say what it holds; raise BackupRefused, with one line, if restore must not load it."""
    path = Path(path)
    name = path.name
    models = {model._meta.label_lower: model for model in exported_models()}
    expected = {label: _expected_fields(model) for label, model in models.items()}
    counts: Counter[str] = Counter()
    backup = end = None
    last = 0
    recorded: dict[str, str] = {}  # an attachment's file name -> the SHA-256 its row records
    digests: dict[str, object] = {}  # a file in the backup -> the SHA-256 of its bytes
    for number, line in _lines(path):
        last = number
        if backup is None:
            backup = _read_header(path, line)
            _check_schema(backup, using)
            continue
        if not line.strip():
            continue  # a blank line (an editor's last newline) holds nothing
        data = _parse(line)
        if end is not None:
            raise BackupRefused(f"{name} goes on after its end line (line {number}): the file is damaged. "
                                f"{NOTHING_CHANGED}")
        if isinstance(data, dict) and data.get("end") == FORMAT:
            end = data
            continue
        if isinstance(data, dict) and "file" in data and "model" not in data:
            problem = _problem_with_file_line(data, digests)
            if problem:
                raise BackupRefused(f"Line {number} of {name} {problem}: the file is damaged. {NOTHING_CHANGED}")
            continue
        problem = _problem_with_row(data, models, expected)
        if problem:
            raise BackupRefused(f"Line {number} of {name} {problem}: the file is damaged. {NOTHING_CHANGED}")
        counts[data["model"]] += 1
        if data["model"] == ATTACHMENT:
            recorded[str(data["fields"].get("file"))] = str(data["fields"].get("sha256"))

    if end is None:
        if not counts:
            raise BackupRefused(f"{name} holds no rows: it has its first line and nothing else (the copy may have "
                                f"been cut short). {NOTHING_CHANGED}")
        raise BackupRefused(f"{name} stops at line {last} without its end line: it was cut short (an interrupted "
                            f"export or copy). {NOTHING_CHANGED}")
    total = sum(counts.values())
    said = end.get("models") if isinstance(end.get("models"), dict) else None
    if end.get("objects") != total or said is None or {k: v for k, v in said.items() if v} != dict(counts):
        raise BackupRefused(
            f"{name} holds {total:,} rows but its end line counts {_shown(end.get('objects'))}: rows are missing "
            f"or added, so the file is damaged. {NOTHING_CHANGED}"
        )
    if not total:
        raise BackupRefused(f"{name} holds no rows. {NOTHING_CHANGED}")
    if not counts[get_user_model()._meta.label_lower]:
        raise BackupRefused(f"{name} holds no user accounts, so nobody could sign in after restoring it. "
                            f"{NOTHING_CHANGED}")
    _check_files(name, recorded, digests, end)
    backup.rows = {label: counts[label] for label in models if counts[label]}
    backup.files = len(digests)
    return backup


def _safe_file_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "\x00" not in name


def _problem_with_file_line(data: dict, digests: dict) -> str | None:
    """Why a line is not part of an attached file's bytes (None when it is); its bytes are hashed."""
    file_name, encoded = data.get("file"), data.get("data")
    if not isinstance(file_name, str) or not isinstance(encoded, str) or not _safe_file_name(file_name):
        return "is not part of an attached file"
    try:
        chunk = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return f"holds bytes of the attached file {_shown(file_name)} that cannot be read"
    digests.setdefault(file_name, hashlib.sha256()).update(chunk)
    return None


def _check_files(name: str, recorded: dict[str, str], digests: dict, end: dict) -> None:
    """Every attachment's file is in the backup, with the bytes its checksum says, and nothing else is."""
    for file_name, sha256 in recorded.items():
        if file_name not in digests:
            raise BackupRefused(f"{name} does not hold the attached file {_shown(file_name)}: the file is damaged "
                                f"or was cut short. {NOTHING_CHANGED}")
        if digests[file_name].hexdigest() != sha256:
            raise BackupRefused(f"{name} holds the attached file {_shown(file_name)} with bytes that do not match "
                                f"its checksum: the file is damaged or was edited. {NOTHING_CHANGED}")
    if extra := set(digests) - set(recorded):
        raise BackupRefused(f"{name} holds the file {_shown(sorted(extra)[0])}, which no attachment names: the file "
                            f"is damaged or was edited. {NOTHING_CHANGED}")
    if end.get("files", 0) != len(digests):
        raise BackupRefused(f"{name} holds {len(digests):,} attached files but its end line counts "
                            f"{_shown(end.get('files'))}: the file is damaged. {NOTHING_CHANGED}")


def _problem_with_row(data, models, expected) -> str | None:
    """Why a line is not a row this app can load (None when it is)."""
    if not isinstance(data, dict):
        return "is not readable backup data"
    label = data.get("model")
    if not isinstance(label, str):
        return "is not a row of a table"
    if label not in models:
        return f"names {_shown(label)}, which is not a table of this app"
    fields = data.get("fields")
    if "pk" not in data or not isinstance(fields, dict):
        return f"is a {label} row without its id or its fields"
    if missing := expected[label] - set(fields):
        return f"is a {label} row without {', '.join(sorted(missing))}"
    if unknown := set(fields) - expected[label]:
        return f"is a {label} row with fields this app does not have ({_shown(', '.join(sorted(unknown)))})"
    opts = models[label]._meta
    for field_name, value in fields.items():
        model_field = opts.get_field(field_name)
        if model_field.remote_field is not None:
            continue  # keys are looked up while loading (inside the transaction)
        try:
            model_field.to_python(value)
        except (ValidationError, TypeError, ValueError):
            return f"holds a {field_name} this app cannot read for {label} {_shown(data['pk'])}"
    return None


# --- Restore --------------------------------------------------------------------------------


def restore_everything(
    path: Path, *, using: str = DEFAULT_DB_ALIAS, confirm: Callable[[Backup], bool] | None = None
) -> Backup:
    """Replace every row of the exported models with the file's, in one transaction.

    The file is checked whole first (``check_backup``); ``confirm``, if given, is asked with
    what the file holds and may say no. A failure while loading rolls everything back.
    """
    path = Path(path)
    backup = check_backup(path, using=using)
    if confirm is not None and not confirm(backup):
        raise RestoreCancelled
    connection = connections[using]
    models = exported_models()
    try:
        with transaction.atomic(using=using):
            _delete_everything(connection, models)
            _load(path, using)
            connection.check_constraints(table_names=[model._meta.db_table for model in models])
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
            # Last, so a refused row writes no file; a file that cannot be written rolls the rows back.
            _restore_files(path)
    except (DatabaseError, DeserializationError, ObjectDoesNotExist, ValidationError, ValueError, TypeError,
            LookupError) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise BackupRefused(
            f"{path.name} could not be loaded: the database refused its rows ({reason}), so the file is damaged "
            f"or was edited. {NOTHING_CHANGED}"
        ) from error
    return backup


def _restore_files(path: Path) -> None:
    """Write every attached file back through the storage under the name its row has (each
    spooled to a temporary file as its lines are read, then saved)."""
    storage = _attachment_model()._meta.get_field("file").storage
    current, spool = None, None

    def save():
        spool.seek(0)
        if storage.exists(current):
            storage.delete(current)
        stored = storage.save(current, File(spool, name=current))
        if stored != current:
            raise BackupRefused(f"The file storage kept the attached file {current} as {stored}. {NOTHING_CHANGED}")
        spool.close()

    try:
        for number, line in _lines(path):
            if number == 1 or not line.startswith(b'{"file"'):
                continue
            data = _parse(line)
            if not isinstance(data, dict) or "model" in data or "file" not in data:
                continue
            if data["file"] != current:
                if spool is not None:
                    save()
                current, spool = data["file"], tempfile.SpooledTemporaryFile(max_size=FILE_CHUNK * 4)
            spool.write(base64.b64decode(data["data"]))
        if spool is not None:
            save()
    except OSError as error:
        raise BackupRefused(
            f"An attached file could not be written to the file storage ({error.strerror or error}). "
            f"{NOTHING_CHANGED}"
        ) from error


def _delete_everything(connection, models) -> None:
    """Empty the exported tables (and sessions, and the files the storage keeps in the database) with
    plain DELETEs, children first.

    Not ``flush``, which re-runs the post-migrate handlers, nor the ORM's delete, which
    would write a history row for every row removed.
    """
    quote = connection.ops.quote_name
    tables = []
    for model in reversed(models):
        for m2m in model._meta.local_many_to_many:
            if m2m.remote_field.through._meta.auto_created:
                tables.append(m2m.remote_field.through._meta.db_table)
        tables.append(model._meta.db_table)
    tables += [apps.get_model(label)._meta.db_table for label in DISPOSABLE | WRITTEN_BACK_AS_FILES
               if _installed(label)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {quote(table)}")


def _installed(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def _load(path: Path, using: str) -> None:
    """Save every row of the file as it was: raw saves, as loaddata does (no model save(), no history)."""
    if apps.is_installed("django.contrib.contenttypes"):
        from django.contrib.contenttypes.models import ContentType

        # Permissions and log entries name content types by natural key; look them up afresh,
        # not from a cache that may hold ids from before the database was last rebuilt.
        ContentType.objects.clear_cache()
    rows = (_parse(line) for number, line in _lines(path) if number > 1 and line.strip())
    deferred = []
    for item in serializers.deserialize(
        "python", (row for row in rows if row.get("model")), using=using, handle_forward_references=True
    ):
        # The tables are empty, so every row is an insert (a repeated id is an error, not an overwrite).
        item.save(using=using, force_insert=True)
        if item.deferred_fields:
            deferred.append(item)
    for item in deferred:
        item.save_deferred_fields(using=using)
