"""How far a pack build has got: its steps, in the words its page shows, and writing them down.

WeasyPrint says nothing while it works, so a build's progress is the step it has started:
each step is written to the build's row as it starts (``Progress``), in autocommit, so
the build page on any app server reads it at once. The share of the work done when a
step starts comes from timing a pack ten times the seed's (bench/pack.py): laying out the
pages is about two thirds of a PDF's build, writing the PDF most of the rest; gathering
the data and storing the result are a few per cent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from tracker.models import PackBuild

Kind = PackBuild.Kind


@dataclass(frozen=True)
class Step:
    code: str
    words: str
    percent_at_start: int


_GATHER = Step("gather", "Gathering the data", 0)
_LAYOUT = Step("layout", "Laying out the pages", 2)
_WRITE_PDF = Step("write", "Writing the PDF", 70)

STEPS: dict[str, list[Step]] = {
    Kind.DRAFT_PDF: [_GATHER, _LAYOUT, _WRITE_PDF, Step("store", "Storing the draft", 98)],
    Kind.DRAFT_WORD: [_GATHER, Step("write", "Writing the Word document", 10), Step("store", "Storing the draft", 98)],
    Kind.PUBLISH_PACK: [_GATHER, _LAYOUT, _WRITE_PDF, Step("store", "Publishing the new version", 98)],
    Kind.PUBLISH_SUPPLEMENT: [_GATHER, _LAYOUT, _WRITE_PDF, Step("store", "Publishing the supplement", 98)],
}

# Said instead of a step's words when the pages are laid out again because the data changed.
LAID_OUT_AGAIN = "The data changed while the pages were laid out, so they are being laid out again"


def steps_for(kind: str) -> int:
    return len(STEPS[kind])


def step_in_words(build: PackBuild) -> str:
    """What the build is doing, as its page says it: "Laying out the pages (step 2 of 4)"."""
    if build.state == PackBuild.State.WAITING or build.step == 0:
        return "Waiting to start"
    step = STEPS[build.kind][build.step - 1]
    words = LAID_OUT_AGAIN if step.code == "layout" and build.layouts > 1 else step.words
    return f"{words} (step {build.step} of {build.steps})"


class Progress:
    """Called with a step's code as the step starts: writes it to the build's row.

    The write is one UPDATE outside any transaction the build holds, and only while the
    build is still being built (a build given up on as stopped is left as it is).
    """

    def __init__(self, build_id: int, kind: str):
        self.build_id = build_id
        self.numbers = {step.code: (number, step.percent_at_start) for number, step in
                        enumerate(STEPS[kind], start=1)}

    def __call__(self, code: str) -> None:
        number, percent = self.numbers[code]
        changes = {"step": number, "percent": percent, "progress_at": timezone.now()}
        if code == "layout":
            changes["layouts"] = F("layouts") + 1
        PackBuild.objects.filter(pk=self.build_id, state=PackBuild.State.BUILDING).update(**changes)
