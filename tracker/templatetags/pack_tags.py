"""Markup for the meeting pack, built from escaped pieces only.

Recommendation and evidence texts are user input. Every filter here escapes the text
first and adds only its own tags around the escaped pieces, so a ``<script>`` typed
into evidence prints as the characters ``<script>`` and never runs or renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from tracker import cycle

register = template.Library()

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+")
TRAILING_PUNCTUATION = ".,;:!?)]’”'"
FOOTNOTE_MARKER = re.compile(r"\[\^(\d+)\]")
BULLET_LINE = re.compile(r"^\s*[•\uf0b7]\s*(?P<text>.*)$")
LABELLED_LINE = re.compile(r"^\s*(?P<label>\d{1,2}\.|\(?[a-z]\)|\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\))\s+(?P<text>\S.*)$")


def link_segments(text: str) -> list[tuple[str, str | None]]:
    """``text`` cut at its http(s):// and www. addresses: (text, None) and (address, href) pieces.

    The one reading of what is a link, for the HTML pack and the Word pack."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in URL.finditer(text):
        stripped = match.group(0).rstrip(TRAILING_PUNCTUATION)
        if match.start() > position:
            pieces.append((text[position : match.start()], None))
        pieces.append((stripped, stripped if stripped.startswith("http") else f"https://{stripped}"))
        position = match.start() + len(stripped)
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


def _links(text: str) -> str:
    """Escape ``text`` and make its http(s):// and www. addresses into links."""
    return "".join(
        format_html('<a href="{}">{}</a>', href, piece) if href else str(conditional_escape(piece))
        for piece, href in link_segments(text)
    )


@register.filter
def linked(text: str) -> SafeString:
    """Escaped text with its web addresses as links."""
    return mark_safe(_links(text or ""))


@register.filter
def footnoted(text: str, footnotes: dict[int, str]) -> SafeString:
    """Escaped recommendation text whose [^N] markers become footnotes at the page bottom.

    The footnote's text floats to the bottom of the page in print (CSS ``float: footnote``)
    and WeasyPrint numbers the calls in document order. A marker without a footnote is
    printed as it was typed.
    """
    out = []
    position = 0
    for match in FOOTNOTE_MARKER.finditer(text or ""):
        note = footnotes.get(int(match.group(1)))
        if note is None:
            continue
        out.append(_links(text[position : match.start()]))
        out.append(format_html('<span class="footnote">{}</span>', mark_safe(_links(note))))
        position = match.end()
    out.append(_links((text or "")[position:]))
    return mark_safe("".join(out))


def _label_item(label: str, content: str, nested: str = "") -> str:
    return format_html(
        '<li><span class="label">{}</span><span class="item-text">{}</span>{}</li>',
        label,
        mark_safe(content),
        mark_safe(nested),
    )


def _bullets(texts: list[str]) -> str:
    items = "".join(_label_item("•", _links(text)) for text in texts)
    return f'<ul class="labelled bullets">{items}</ul>'


@dataclass
class Item:
    """A numbered or lettered item of evidence ("1.", "a)", "(f)"): its lines and its bullets."""

    label: str
    lines: list[str]
    bullets: list[str] = field(default_factory=list)


@dataclass
class Block:
    """One block of evidence text: plain lines, a list of bullets, or a list of labelled items."""

    kind: str  # "lines", "bullets" or "items"
    lines: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


def _paragraph_blocks(paragraph: str) -> list[Block]:
    """One paragraph of evidence as blocks: plain lines, "• " bullets, "1." / "a)" items."""
    blocks: list[Block] = []
    plain: list[str] = []
    bullets: list[str] = []
    items: list[Item] = []

    def flush(kind, pending):
        if pending:
            if kind == "items":
                blocks.append(Block(kind, items=list(pending)))
            else:
                blocks.append(Block(kind, lines=list(pending)))
            pending.clear()

    for line in paragraph.split("\n"):
        if not line.strip():
            continue
        bullet = BULLET_LINE.match(line)
        labelled = LABELLED_LINE.match(line)
        if bullet:
            if items:
                items[-1].bullets.append(bullet.group("text"))
            else:
                flush("lines", plain)
                bullets.append(bullet.group("text"))
        elif labelled:
            flush("lines", plain)
            flush("bullets", bullets)
            items.append(Item(labelled.group("label"), [labelled.group("text")]))
        elif items and not items[-1].bullets:
            items[-1].lines.append(line.strip())  # a line that continues the item above
        else:
            flush("items", items)
            flush("bullets", bullets)
            plain.append(line.strip())
    flush("lines", plain)
    flush("bullets", bullets)
    flush("items", items)
    return blocks


def evidence_blocks(text: str) -> list[Block]:
    """Evidence text as the officer wrote it, read into blocks: paragraphs separated by a blank
    line, list items one per line ("1.", "a)", "(f)"), bullets as "• "."""
    paragraphs = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return [block for paragraph in paragraphs for block in _paragraph_blocks(paragraph)]


def _block_html(block: Block) -> str:
    if block.kind == "lines":
        return f"<p>{'<br>'.join(_links(line) for line in block.lines)}</p>"
    if block.kind == "bullets":
        return _bullets(block.lines)
    rendered = "".join(
        _label_item(item.label, "<br>".join(_links(line) for line in item.lines),
                    _bullets(item.bullets) if item.bullets else "")
        for item in block.items
    )
    return f'<ol class="labelled">{rendered}</ol>'


@register.filter
def evidence(text: str) -> SafeString:
    """Evidence text as the officer wrote it (``evidence_blocks``), as HTML. Escaped throughout."""
    return mark_safe("".join(_block_html(block) for block in evidence_blocks(text)))


@register.filter
def written_late(update) -> bool:
    """Was the update written after the evidence deadline of the meeting it was written for?"""
    return cycle.written_after_deadline(update)


@register.filter
def footnote_marks(text: str, recommendation) -> SafeString:
    """Escaped text for a page, its [^N] markers as links to the footnotes listed under it."""
    def mark(match):
        number = match.group(1)
        return format_html('<sup><a class="govuk-link" href="#note-{}-{}" aria-label="note {}">{}</a></sup>',
                           recommendation.pk, number, number, number)

    out, position = [], 0
    for match in FOOTNOTE_MARKER.finditer(text or ""):
        out.append(conditional_escape((text or "")[position:match.start()]))
        out.append(mark(match))
        position = match.end()
    out.append(conditional_escape((text or "")[position:]))
    return mark_safe("".join(out))
