"""Export everything (data and history) to one XML file, and restore it into an empty database.

Built on Django's own serialisers (dumpdata/loaddata) with natural keys, so the file
does not depend on the ids of content types and permissions of the database it came
from. Sessions are left out: they are disposable.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from django.core.management import call_command
from django.db import transaction

EXCLUDED = ["contenttypes", "auth.permission", "sessions"]


def _open(path: Path, mode: str):
    return gzip.open(path, mode + "t", encoding="utf-8") if path.suffix == ".gz" else open(path, mode, encoding="utf-8")


def export_everything(path: Path) -> None:
    buffer = io.StringIO()
    call_command(
        "dumpdata",
        format="xml",
        natural_foreign=True,
        exclude=EXCLUDED,
        stdout=buffer,
    )
    with _open(path, "w") as handle:
        handle.write(buffer.getvalue())


@transaction.atomic
def restore_everything(path: Path) -> None:
    """Replace whatever the database holds with the export (all in one transaction)."""
    call_command("flush", interactive=False, verbosity=0)
    # loaddata reads the format from the file name; .xml.gz is understood as gzipped XML.
    call_command("loaddata", str(path), verbosity=0)
