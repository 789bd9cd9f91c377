"""Compare fixtures/seed_report.yaml with the seed report text, word for word.

The seed (shared/seed/000_602dd452a3e42125.txt) is the text extraction of a PDF:
table cells are broken into short lines, page breaks repeat the table header and
footnotes are printed at page bottoms, in the middle of the text. The fixture holds
the same words with the PDF's line breaks joined up. To compare the two, both are
brought to a "squashed" form (no whitespace, no bullet glyphs, footnote markers
``[^N]`` read as the bare number N) and the fixture's texts are looked up in the seed.

Pure Python: only the standard library and PyYAML, so the project can import it too.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import yaml

REPO_DIR = Path(__file__).resolve().parents[1]
SEED_PATH = Path(
    os.environ.get("SCRUTINY_SEED_PATH")
    or Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "000_602dd452a3e42125.txt"
)
FIXTURE_PATH = REPO_DIR / "fixtures" / "seed_report.yaml"

PDF_BULLET = "\uf0b7"  # the private-use glyph the PDF extraction uses for bullets
BULLET = "•"           # how the fixture writes a bullet

EVIDENCE_HEADER = "Evidence of Progress (and Anticipated Completion Date if ‘Not Achieved’)"
FURTHER_INFO = re.compile(r"^Further information following the (\d{1,2} [A-Z][a-z]+ \d{4}) meeting$")
# Where an evidence section of the seed ends: the next table header, an appendix
# heading, or a theme heading ("A" stands alone on its line; B, C, D carry their title).
SECTION_END = re.compile(
    r"^(No\. Recommendation\b|Appendix\b|A$|B Policies and Procedures$|"
    r"C Multi-Agency Working$|D Tracking$)"
)
RECOMMENDATION_ROW = re.compile(r"^(R\d\d) ")
FOOTNOTE_MARKER = re.compile(r"\[\^(\d+)\]")
FOOTNOTE_SEPARATOR = re.compile(r"^ {20,}$")  # the rule above a page-bottom footnote block
FOOTNOTE_NUMBER = re.compile(r"^(\d+)$")


def squash(text: str) -> str:
    """Comparison form: footnote markers [^N] -> N, no bullet glyphs, no whitespace."""
    text = FOOTNOTE_MARKER.sub(r"\1", text)
    text = text.replace(PDF_BULLET, "").replace(BULLET, "")
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- the seed

@cache
def _seed_split(path: str) -> tuple[tuple[str, ...], tuple[tuple[int, str], ...]]:
    """(lines without the page-bottom footnote blocks, ((number, text), ...) of the blocks).

    A block is: a line of 20+ spaces (the footnote rule), then one or more footnotes,
    each a line holding just its number, blank lines, and one line of footnote text.
    Only lines of that shape are removed; the first line that does not fit ends the block,
    so body text after a block (and footnote URLs that also appear inline) is kept.
    """
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    kept: list[str] = []
    notes: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        if not FOOTNOTE_SEPARATOR.match(lines[i]):
            kept.append(lines[i])
            i += 1
            continue
        j = i + 1
        found = []
        while True:
            k = j
            while k < len(lines) and not lines[k].strip():
                k += 1
            m = FOOTNOTE_NUMBER.match(lines[k]) if k < len(lines) else None
            if not m:
                break
            t = k + 1
            while t < len(lines) and not lines[t].strip():
                t += 1
            if t >= len(lines):
                break
            found.append((int(m.group(1)), lines[t].strip()))
            j = t + 1
        if not found:  # a line of spaces that is not a footnote rule: keep it
            kept.append(lines[i])
            i += 1
            continue
        notes.extend(found)
        i = j
    return tuple(kept), tuple(notes)


def seed_lines(path: Path | str | None = None) -> list[str]:
    """The seed's lines with the page-bottom footnote blocks removed."""
    return list(_seed_split(str(path or SEED_PATH))[0])


def seed_footnotes(path: Path | str | None = None) -> dict[int, str]:
    """Footnote number -> footnote text, read from the page-bottom footnote blocks."""
    return dict(_seed_split(str(path or SEED_PATH))[1])


@cache
def _seed_squashed(path: str) -> str:
    return squash("\n".join(_seed_split(path)[0]))


def seed_squashed(path: Path | str | None = None) -> str:
    """The seed without its page-bottom footnote blocks, squash()ed."""
    return _seed_squashed(str(path or SEED_PATH))


def seed_evidence_sections(path: Path | str | None = None) -> dict[str, list[tuple[_dt.date | None, str]]]:
    """Recommendation number -> its "Evidence of Progress" narrative in the seed.

    Each section runs from the evidence header to the next table header, appendix
    heading, theme heading or the end of the file, and is split at the
    "Further information following the <date> meeting" headings (which are dropped):
    a list of (date of that meeting or None for the first text, squashed text).
    The only page furniture inside evidence sections is blank lines and the
    footnote blocks, which seed_lines() has already removed.
    """
    sections: dict[str, list[tuple[_dt.date | None, list[str]]]] = {}
    current: str | None = None
    collecting = False
    for line in seed_lines(path):
        s = line.strip()
        row = RECOMMENDATION_ROW.match(s)
        if collecting and (SECTION_END.match(s) or row):
            collecting = False
        if collecting:
            m = FURTHER_INFO.match(s)
            if m:
                when = _dt.datetime.strptime(m.group(1), "%d %B %Y").date()
                sections[current].append((when, []))
            else:
                sections[current][-1][1].append(s)
            continue
        if row:
            current = row.group(1)
        if s == EVIDENCE_HEADER:
            if current is None or current in sections:
                raise ValueError(f"evidence header without a new recommendation row (after {current})")
            sections[current] = [(None, [])]
            collecting = True
    return {num: [(when, squash("\n".join(ls))) for when, ls in parts] for num, parts in sections.items()}


# --------------------------------------------------------------------------- the fixture

def load_fixture(path: Path | str | None = None) -> dict:
    with open(path or FIXTURE_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _sub_part_name(i: int, label: str) -> str:
    return label if label else f"bullet {i + 1}"


def fixture_texts(data: dict) -> Iterator[tuple[str, str]]:
    """(label, text) for every text of the fixture that must appear in the seed."""
    yield "council", data["council"]
    yield "committee name", data["committee"]["name"]
    yield "inquiry title", data["inquiry"]["title"]
    cover = data["cover_report"]
    for j, p in enumerate(cover["introduction"].split("\n\n"), 1):
        yield f"introduction paragraph {j}", p
    for key, value in cover["contact_officer"].items():
        yield f"contact officer {key}", str(value)
    for theme in data["themes"]:
        yield f"theme {theme['letter']} title", theme["title"]
    for rec in data["recommendations"]:
        num = rec["number"]
        yield f"{num} lead", rec["lead"]
        for i, sp in enumerate(rec["sub_parts"]):
            yield f"{num} sub-part {_sub_part_name(i, sp['label'])}", sp["text"]
        for k, part in enumerate(rec["responsibility"].split("\n"), 1):
            yield f"{num} responsibility" + (f" block {k}" if "\n" in rec["responsibility"] else ""), part
        timescale = rec["original_timescale"]
        for k, part in enumerate(t for t in timescale.split("\n") if t):
            yield f"{num} original timescale" + (f" block {k + 1}" if "\n" in timescale else ""), part
        for fn in rec["footnotes"]:
            yield f"{num} footnote {fn['number']}", fn["text"]
        for e, ev in enumerate(rec["evidence"]):
            where = f"{num} evidence[{e}] ({ev['following_meeting'] or 'first text'})"
            for j, p in enumerate(ev["text"].split("\n\n"), 1):
                yield f"{where} paragraph {j}", p
                lines = p.split("\n")
                if len(lines) > 1:
                    for k, ln in enumerate(lines, 1):
                        yield f"{where} paragraph {j} line {k}", ln


def anchored_texts(data: dict) -> Iterator[tuple[str, str]]:
    """Recommendation texts together with what the seed prints in front of them:
    "R04 That:" and "a) All frontline staff …", so a text filed under the wrong
    number or label is caught too."""
    for rec in data["recommendations"]:
        num = rec["number"]
        yield f"{num} lead (with its number)", f"{num} {rec['lead']}"
        for i, sp in enumerate(rec["sub_parts"]):
            name = _sub_part_name(i, sp["label"])
            yield f"{num} sub-part {name} (with its label)", f"{sp['label']} {sp['text']}"


def missing_texts(data: dict, seed_path: Path | str | None = None) -> list[tuple[str, str]]:
    """(label, text) of every fixture text that is not word for word in the seed.

    Footnote texts are compared with the footnote of the same number in the seed's
    page-bottom blocks (they are removed from seed_squashed()); everything else must
    be a substring of seed_squashed().
    """
    seed = seed_squashed(seed_path)
    notes = {n: squash(t) for n, t in seed_footnotes(seed_path).items()}
    failures = []
    for label, text in list(fixture_texts(data)) + list(anchored_texts(data)):
        m = re.search(r" footnote (\d+)$", label)
        if m:
            ok = notes.get(int(m.group(1))) == squash(text)
        else:
            ok = squash(text) in seed
        if not ok:
            failures.append((label, text))
    return failures


def evidence_mismatches(data: dict, seed_path: Path | str | None = None) -> list[str]:
    """Compare every recommendation's evidence, addition by addition, with the seed.

    For each recommendation the fixture's evidence entries must be, in order, the
    seed's first text and its "Further information following the … meeting" additions:
    same meeting (by date) and the same squashed text, exactly.
    """
    meetings = {m["key"]: m["date"] for m in data["meetings"]}
    seed = seed_evidence_sections(seed_path)
    problems = []
    fixture = {rec["number"]: rec["evidence"] for rec in data["recommendations"]}
    for num in sorted(set(seed) | set(fixture)):
        if num not in fixture:
            problems.append(f"{num}: evidence in the seed but not in the fixture")
            continue
        if num not in seed:
            problems.append(f"{num}: evidence in the fixture but not in the seed")
            continue
        ours = [(meetings[e["following_meeting"]] if e["following_meeting"] else None, squash(e["text"]))
                for e in fixture[num]]
        theirs = seed[num]
        if [w for w, _ in ours] != [w for w, _ in theirs]:
            problems.append(f"{num}: additions {[w for w, _ in ours]} != seed {[w for w, _ in theirs]}")
            continue
        for e, ((when, a), (_, b)) in enumerate(zip(ours, theirs, strict=True)):
            if a != b:
                i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
                problems.append(
                    f"{num} evidence[{e}] ({when or 'first text'}) differs at squashed offset {i}: "
                    f"fixture …{a[max(0, i - 30):i + 30]}… seed …{b[max(0, i - 30):i + 30]}…"
                )
    return problems
