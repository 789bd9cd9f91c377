"""Files kept in the database, for councils running more than one machine without a bucket.

``FILE_STORAGE=database`` makes this the default storage (``scrutiny/settings.py``): the files
attached to evidence are rows of ``StoredFile`` (PostgreSQL ``bytea``, SQLite ``blob``), so
every app server reads what another saved, nothing is written to a machine's own disk, and
``pg_dump`` backs the files up with the rows that name them.

It keeps to what Django's ``Storage`` API promises and what the app calls: ``save`` never
overwrites (a name taken gets a new one, as ``FileSystemStorage`` does, also when another
server takes it at the same moment); ``open`` reads in chunks of ``READ_CHUNK`` bytes, one
query each, so a download or a backup never holds a whole file; ``exists``, ``size``,
``delete``, ``listdir`` and the times. There is no ``url`` or ``path``: files are handed out
through the app's own views. A file is saved whole (files are at most ``ATTACHMENT_MAX_BYTES``).

Writes are part of the database transaction they happen in: a file saved by a request whose
transaction rolls back is gone with the rows, and a restore writes files and rows at once.

Packages that did this (django-db-storage, django-dbstorage, django-database-files) are
unmaintained and support only old versions of Django, hence this small class.
"""

from __future__ import annotations

import errno
import io

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.models.functions import Substr
from django.utils.deconstruct import deconstructible

from tracker.models import StoredFile

# Bytes read from the database per query (FileResponse and the backup read through a buffer this big).
READ_CHUNK = 512 * 1024
# How often a save looks for another free name when other servers keep taking the one it chose.
SAVE_ATTEMPTS = 10


def _missing(name: str) -> FileNotFoundError:
    return FileNotFoundError(errno.ENOENT, "No such file in the database file storage", name)


@deconstructible(path="tracker.storage.DatabaseStorage")
class DatabaseStorage(Storage):
    """Django's storage API over the ``StoredFile`` table of the database ``using`` names."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS):
        self.using = using

    def _files(self):
        return StoredFile.objects.using(self.using)

    # --- Writing ---------------------------------------------------------------------------------

    def _save(self, name: str, content) -> str:
        data = b"".join(content.chunks()) if hasattr(content, "chunks") else content.read()
        longest = StoredFile._meta.get_field("name").max_length
        for _attempt in range(SAVE_ATTEMPTS):
            try:
                with transaction.atomic(using=self.using):
                    self._files().create(name=name, content=data, size=len(data))
                return name
            except IntegrityError:
                # Another server saved a file under this name after save() found it free.
                if not self.exists(name):
                    raise
                name = self.get_available_name(name, max_length=longest)
        raise FileExistsError(errno.EEXIST, "No free name found in the database file storage", name)

    def delete(self, name: str) -> None:
        if not name:
            raise ValueError("The name must be given to delete().")
        if connections[self.using].needs_rollback:
            # The transaction this runs in failed and will be rolled back: a file saved in it is
            # gone with it, and no delete could take effect (nor run: the database refuses queries).
            return
        self._files().filter(name=name).delete()

    # --- Reading ---------------------------------------------------------------------------------

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode not in ("r", "rb"):
            raise ValueError(f"Files in the database file storage are read, never written in place (mode {mode!r})")
        found = self._files().filter(name=name).values_list("pk", "size").first()
        if found is None:
            raise _missing(name)
        pk, size = found
        reader = io.BufferedReader(_StoredBytes(self, pk, size, name), buffer_size=READ_CHUNK)
        opened = File(reader, name=name)
        opened.size = size
        return opened

    def exists(self, name: str) -> bool:
        return self._files().filter(name=name).exists()

    def size(self, name: str) -> int:
        size = self._files().filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise _missing(name)
        return size

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = path.strip("/") + "/" if path.strip("/") else ""
        names = self._files().filter(name__startswith=prefix).values_list("name", flat=True)
        directories, files = set(), []
        for name in names:
            rest = name[len(prefix):]
            if "/" in rest:
                directories.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(directories), sorted(files)

    def _saved_at(self, name: str):
        saved_at = self._files().filter(name=name).values_list("saved_at", flat=True).first()
        if saved_at is None:
            raise _missing(name)
        return saved_at

    def get_created_time(self, name):
        return self._saved_at(name)

    get_modified_time = get_accessed_time = get_created_time


class _StoredBytes(io.RawIOBase):
    """One stored file's bytes, read from the database a slice at a time (``substring``)."""

    def __init__(self, storage: DatabaseStorage, pk: int, size: int, name: str):
        super().__init__()
        self._storage, self._pk, self._size, self.name = storage, pk, size, name
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readall(self) -> bytes:
        parts = []
        while part := self.read(READ_CHUNK):
            parts.append(part)
        return b"".join(parts)

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self._size - self._position, READ_CHUNK)
        if wanted <= 0:
            return 0
        part = Substr("content", self._position + 1, wanted, output_field=models.BinaryField())
        chunk = self._storage._files().filter(pk=self._pk).values_list(part, flat=True).first()
        if chunk is None:
            raise _missing(self.name)
        chunk = memoryview(chunk).cast("B")  # PostgreSQL (psycopg2) hands back a memoryview of its own
        count = len(chunk)
        buffer[:count] = chunk
        self._position += count
        return count
