"""Markup for the meeting pack, built from escaped pieces only.

Recommendation and evidence texts are user input. Every filter here escapes the text
first and adds only its own tags around the escaped pieces, so a ``<script>`` typed
into evidence prints as the characters ``<script>`` and never runs or renders.
"""

from __future__ import annotations

import re

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


def _links(text: str) -> str:
    """Escape ``text`` and make its http(s):// and www. addresses into links."""
    out = []
    position = 0
    for match in URL.finditer(text):
        url = match.group(0)
        stripped = url.rstrip(TRAILING_PUNCTUATION)
        end = match.start() + len(stripped)
        out.append(conditional_escape(text[position : match.start()]))
        href = stripped if stripped.startswith("http") else f"https://{stripped}"
        out.append(format_html('<a href="{}">{}</a>', href, stripped))
        position = end
    out.append(conditional_escape(text[position:]))
    return "".join(out)


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


def _paragraph_blocks(paragraph: str) -> list[str]:
    """One paragraph of evidence as blocks: plain lines, "• " bullets, "1." / "a)" items."""
    blocks: list[str] = []
    plain: list[str] = []
    bullets: list[str] = []
    items: list[dict] = []  # {"label", "lines", "bullets"}

    def flush_plain():
        if plain:
            blocks.append(f"<p>{'<br>'.join(_links(line) for line in plain)}</p>")
            plain.clear()

    def flush_bullets():
        if bullets:
            blocks.append(_bullets(bullets))
            bullets.clear()

    def flush_items():
        if items:
            rendered = "".join(
                _label_item(
                    item["label"],
                    "<br>".join(_links(line) for line in item["lines"]),
                    _bullets(item["bullets"]) if item["bullets"] else "",
                )
                for item in items
            )
            blocks.append(f'<ol class="labelled">{rendered}</ol>')
            items.clear()

    for line in paragraph.split("\n"):
        if not line.strip():
            continue
        bullet = BULLET_LINE.match(line)
        labelled = LABELLED_LINE.match(line)
        if bullet:
            if items:
                items[-1]["bullets"].append(bullet.group("text"))
            else:
                flush_plain()
                bullets.append(bullet.group("text"))
        elif labelled:
            flush_plain()
            flush_bullets()
            items.append({"label": labelled.group("label"), "lines": [labelled.group("text")], "bullets": []})
        elif items and not items[-1]["bullets"]:
            items[-1]["lines"].append(line.strip())  # a line that continues the item above
        else:
            flush_items()
            flush_bullets()
            plain.append(line.strip())
    flush_plain()
    flush_bullets()
    flush_items()
    return blocks


@register.filter
def evidence(text: str) -> SafeString:
    """Evidence text as the officer wrote it: paragraphs separated by a blank line, list
    items one per line ("1.", "a)", "(f)"), bullets as "• ". Escaped throughout."""
    paragraphs = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return mark_safe("".join(block for paragraph in paragraphs for block in _paragraph_blocks(paragraph)))


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
