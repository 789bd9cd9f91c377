"""The meeting pack as HTML and as PDF. WeasyPrint is called here and nowhere else."""

from __future__ import annotations

import base64
import gc
import hashlib
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from tracker.models import Meeting
from tracker.pack import weasyprint_footnotes
from tracker.pack.context import Pack, Supplement, pack_for

weasyprint_footnotes.apply()

STYLESHEET = Path(settings.BASE_DIR) / "static" / "pack" / "pack.css"

# PDF/UA-1: tagged PDF with the document's title and language (public-sector
# accessibility regulations for documents published on the web).
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


@dataclass
class BuiltPack:
    pack: Pack
    html: str
    pdf: bytes
    pages: int


def stylesheet_source_hash() -> str:
    """The CSP source that lets a browser apply the inlined stylesheet (and nothing else inline)."""
    digest = hashlib.sha256(STYLESHEET.read_text(encoding="utf-8").encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def render_pack_html(pack: Pack) -> str:
    """The pack as one self-contained HTML document (stylesheet inlined).

    The same HTML is the browser preview and what WeasyPrint lays out.
    """
    return render_to_string(
        "pack/pack.html",
        {"pack": pack, "stylesheet": mark_safe(STYLESHEET.read_text(encoding="utf-8"))},
    )


def render_supplement_html(supplement: Supplement) -> str:
    """A supplement to the pack (only the updates received after it was published), as HTML."""
    return render_to_string(
        "pack/supplement.html",
        {"supplement": supplement, "stylesheet": mark_safe(STYLESHEET.read_text(encoding="utf-8"))},
    )


_gc_lock = threading.Lock()
_gc_users = 0
_gc_threshold = None


@contextmanager
def _fewer_garbage_collections():
    """Collect the youngest generation less often while WeasyPrint lays out a pack.

    Layout allocates millions of short-lived objects; Python's default (a collection
    every 700 allocations) costs about 7% of a build. Thresholds are process-wide, so
    concurrent builds share one change and the last to finish restores the default.
    """
    global _gc_users, _gc_threshold
    with _gc_lock:
        if _gc_users == 0:
            _gc_threshold = gc.get_threshold()
            gc.set_threshold(50_000, *_gc_threshold[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_threshold)


def html_to_pdf(html: str, on_step: Callable[[str], None] | None = None) -> tuple[bytes, int]:
    """Lay out ``html`` as an A4 PDF/UA-1 document; returns (PDF bytes, number of pages).

    Nothing is fetched from the network: the stylesheet is inlined and fonts are local.
    WeasyPrint reports no progress of its own, so ``on_step`` is told as each of its two
    long steps starts: "layout" (the pages) and "write" (the PDF file).
    """
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    with _fewer_garbage_collections():
        if on_step:
            on_step("layout")
        document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).render(**PDF_OPTIONS)
        if on_step:
            on_step("write")
        return document.write_pdf(**PDF_OPTIONS), len(document.pages)


def build_pack(meeting: Meeting) -> BuiltPack:
    """Read the meeting's data, render the HTML, lay out the PDF."""
    pack = pack_for(meeting)
    html = render_pack_html(pack)
    pdf, pages = html_to_pdf(html)
    return BuiltPack(pack=pack, html=html, pdf=pdf, pages=pages)
