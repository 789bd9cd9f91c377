"""What a file must be to be attached to evidence, decided here once.

A file is checked by what it holds, never by its name: its first bytes are read by libmagic
(python-magic), so a program or a web page renamed ``report.pdf`` is refused. Only
``models.ATTACHMENT_TYPES`` are taken (PDF, Word, PNG, JPEG, GIF); SVG and HTML never are,
as they can carry script. Its size is limited by the ``ATTACHMENT_MAX_BYTES`` setting.

The form calls ``check`` to put a refusal beside the field; ``services.add_attachment``
calls it again before storing, so no other way in skips it.
"""

from __future__ import annotations

import hashlib
import posixpath
import unicodedata
import zipfile
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.exceptions import ValidationError

from tracker import text as texts
from tracker.models import ATTACHMENT_TYPES

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
# What libmagic may call a Word document it cannot name from its first bytes: a zip (some
# .docx) or a compound file (some .doc); these are opened to see what they really are.
ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
COMPOUND_TYPES = {"application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office"}
SNIFF_BYTES = 8192
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

WRONG_TYPE = "The file must be a PDF, a Word document or an image (PNG, JPEG or GIF)"
EMPTY = "The selected file is empty"
CHOOSE = "Select a file to attach"
CHOOSE_AGAIN = "Select the file to attach (again, if you chose it before), or clear “What it is or shows”"
DESCRIBE = "Enter what the file is or shows"

TYPE_NAMES = {
    "application/pdf": "PDF",
    DOCX: "Word document",
    DOC: "Word document",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
}
MAX_DESCRIPTION = 300
MAX_NAME = 255


def max_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def size_in_words(size: int) -> str:
    """"240 KB", "1.5 MB": a file's size as a reader says it (at least 1 KB)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.1f} MB".replace(".0 MB", " MB")


def described(attachment) -> str:
    """"Minutes of the board (PDF, 240 KB)": how the packs name an attached file under its update."""
    return (f"{attachment.description or attachment.name} "
            f"({type_in_words(attachment.content_type)}, {size_in_words(attachment.size)})")


def too_large_message() -> str:
    return f"The file must be smaller than {size_in_words(max_bytes())}"


def type_in_words(content_type: str) -> str:
    return TYPE_NAMES.get(content_type, "file")


def is_image(content_type: str) -> bool:
    return content_type.startswith("image/")


@dataclass(frozen=True)
class CheckedFile:
    """What was learnt of an uploaded file: its type from its content, size, digest, a clean name."""

    content_type: str
    size: int
    sha256: str
    name: str


def clean_name(name: str, content_type: str) -> str:
    """The uploader's file name as readers are shown it: no folders, no control characters,
    not too long, and never empty (the type's extension stands in)."""
    name = posixpath.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    name = name.lstrip(".").strip()
    extension = ATTACHMENT_TYPES.get(content_type, "")
    if not name:
        name = "attachment" + extension
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: MAX_NAME - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 else name[:MAX_NAME]
    return name


def _read_type(uploaded_file) -> str:
    uploaded_file.seek(0)
    found = magic.from_buffer(uploaded_file.read(SNIFF_BYTES), mime=True)
    if found in ZIP_TYPES:
        found = DOCX if _is_docx(uploaded_file) else found
    elif found in COMPOUND_TYPES:
        # Word names itself inside the compound file, which may be beyond the first bytes.
        uploaded_file.seek(0)
        found = magic.from_buffer(uploaded_file.read(), mime=True)
    uploaded_file.seek(0)
    return found


def _is_docx(uploaded_file) -> bool:
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def check(uploaded_file, field: str = "attachment") -> CheckedFile:
    """Refuse (ValidationError keyed by ``field``) an empty or too large file, or one whose
    content is not an allowed type; otherwise say what it is."""
    size = uploaded_file.size
    if not size:
        raise ValidationError({field: EMPTY})
    if size > max_bytes():
        raise ValidationError({field: too_large_message()})
    content_type = _read_type(uploaded_file)
    if content_type not in ATTACHMENT_TYPES:
        raise ValidationError({field: WRONG_TYPE})
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return CheckedFile(content_type, size, digest.hexdigest(), clean_name(uploaded_file.name, content_type))


def check_description(description: str, field: str = "attachment_description") -> str:
    description = texts.normalise(description or "", multiline=False).strip()
    if texts.is_blank(description):
        raise ValidationError({field: DESCRIBE})
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError({field: f"What the file is or shows must be {MAX_DESCRIPTION} characters or fewer"})
    texts.check_storable(description, field)
    return description
