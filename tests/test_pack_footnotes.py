"""A footnote prints at the bottom of the page that cites it (tracker/pack/weasyprint_footnotes.py)."""

from __future__ import annotations

from tests.test_pack_support import page_texts
from tracker.pack.render import html_to_pdf

STYLE = """
@page { size: A6; margin: 10mm }
html { font: 10pt/1.3 "Liberation Sans", sans-serif }
.footnote { float: footnote; footnote-policy: line }
tr { break-inside: avoid }
td { border: 1px solid; vertical-align: top }
p { margin: 0 }
"""


def document(filler_words: int) -> str:
    """Text, a row citing a footnote, then a long row that will not fit below it."""
    return f"""<!DOCTYPE html><html lang="en-GB"><head><title>Footnotes</title><style>{STYLE}</style></head>
<body><p>{"filler text " * filler_words}</p>
<table><tr><td>Row citing a note<span class="footnote">THE NOTE {"of two lines " * 8}</span>.</td></tr></table>
<table><tr><td><p>{"the next row " * 40}</p></td></tr></table></body></html>"""


def test_a_footnote_stays_on_the_page_of_its_call_when_the_next_row_moves_on():
    # Across these amounts of text the long row starts at every height near the page
    # bottom; unpatched, WeasyPrint 70 moves the note to the next page for some of them.
    misplaced = []
    for words in range(96, 120):
        pages = page_texts(html_to_pdf(document(words))[0])
        call = [i for i, text in enumerate(pages) if "Row citing a note" in text]
        note = [i for i, text in enumerate(pages) if "THE NOTE" in text]
        if call != note:
            misplaced.append((words, call, note))
    assert not misplaced
