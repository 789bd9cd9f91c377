"""Text as people type and paste it, made safe to keep, print and back up.

Every text that enters the app (a form, the admin, an import) passes through
``normalise`` once, at the boundary, so what is stored is exactly what a backup
holds and a restore gives back:

- line endings become ``\\n`` (Windows ``\\r\\n`` and old Mac ``\\r``);
- the line and page breaks Word pastes (vertical tab, form feed, the Unicode line
  and paragraph separators) become ``\\n``; in a one-line field every break is a space;
- other control characters, which XML 1.0 (the pack's HTML, Word files) cannot hold,
  become a space; the two "non-characters" U+FFFE and U+FFFF are dropped.

A text made only of invisible characters (spaces, zero-width spaces, joiners, a
byte-order mark) is treated as empty, so a required field says "Enter …" instead of
storing nothing a reader can see.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

# The longest evidence update a form or an import accepts (about eight printed pages).
MAX_EVIDENCE_LENGTH = 20_000

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# C0 controls other than tab and newline, DEL's neighbours XML cannot hold, and surrogates.
_UNSTORABLE = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff]")
_NON_CHARACTERS = re.compile("[\ufffe\uffff]")
# What XML 1.0 cannot hold at all (the check that nothing unnormalised is stored).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Characters that take no room on the page but are not whitespace to str.isspace().
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def normalise(value: str, *, multiline: bool = True) -> str:
    """The text as it will be stored (see the module's docstring). Never raises."""
    if not value:
        return value
    value = _LINE_BREAKS.sub("\n", value)
    value = _UNSTORABLE.sub(" ", value)
    value = _NON_CHARACTERS.sub("", value)
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    return value


def is_blank(value: str | None) -> bool:
    """True when nothing in the text would show on a page: whitespace and invisible characters only."""
    for character in value or "":
        if character.isspace() or character in _INVISIBLE:
            continue
        # Format characters (zero-width space, joiners, byte-order mark), controls,
        # separators, and combining marks with nothing to combine with.
        if unicodedata.category(character) in ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn"):
            continue
        return False
    return True


def check_storable(value: str, field: str) -> None:
    """The services' last line: refuse text that did not pass through ``normalise``.

    Forms and imports normalise, so people never see this; it stops a future caller
    from storing a character that would break every later backup.
    """
    if value and (_NOT_XML.search(value) or "\r" in value):
        raise ValidationError(
            {field: "This text holds a control character (often pasted from a word processor). "
                    "Remove it and try again."}
        )
