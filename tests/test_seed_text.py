"""The seed fixture is a word-for-word transcription of the seed report.

Run: .venv/bin/python -m pytest tests/test_seed_text.py -q -p no:django
"""
import copy
import re

import pytest

from tests.seedtext import (
    FIXTURE_PATH,
    SEED_PATH,
    evidence_mismatches,
    load_fixture,
    missing_texts,
    seed_evidence_sections,
    seed_footnotes,
    seed_squashed,
    squash,
)

ALL = [f"R{n:02d}" for n in range(1, 20)]
TRACKED = ["R04", "R05", "R06", "R07", "R08", "R09", "R10", "R12",
           "R14", "R15", "R16", "R17", "R18", "R19"]
CONCLUDED = ["R01", "R02", "R03", "R11", "R13"]
THEMES = {  # printed in Appendix 2; for the concluded ones (Appendix 3) inferred
    "A": ["R01", "R02", "R03", "R04", "R05", "R06", "R07"],
    "B": ["R08", "R09", "R10", "R11", "R12", "R13"],
    "C": ["R14", "R15", "R16", "R17"],
    "D": ["R18", "R19"],
}


@pytest.fixture(scope="module")
def data():
    if not SEED_PATH.exists():
        pytest.skip(f"seed text not found at {SEED_PATH} (set SCRUTINY_SEED_PATH)")
    return load_fixture(FIXTURE_PATH)


def by_number(data):
    return {r["number"]: r for r in data["recommendations"]}


def test_every_fixture_text_is_word_for_word_in_the_seed(data):
    failures = missing_texts(data)
    assert not failures, "not word for word in the seed:\n" + "\n".join(
        f"  {label}: {text[:120]!r}" for label, text in failures
    )


def test_the_fixture_holds_all_nineteen_recommendations_in_their_appendix(data):
    numbers = [r["number"] for r in data["recommendations"]]
    assert numbers == ALL  # each once, in number order
    recs = by_number(data)

    tracked = [n for n in ALL if recs[n]["assessment"] is not None]
    concluded = [n for n in ALL if recs[n]["conclusion"] is not None]
    assert tracked == TRACKED
    assert concluded == CONCLUDED
    categories = {n: recs[n]["assessment"]["category"] for n in TRACKED}
    assert categories == {n: {"R18": 1, "R19": 1, "R06": 3}.get(n, 2) for n in TRACKED}
    assert all(recs[n]["assessment"]["anticipated_date"] is None for n in TRACKED)  # none advised
    assert {n: (recs[n]["conclusion"]["meeting"], recs[n]["conclusion"]["category"]) for n in CONCLUDED} == {
        "R01": ("feb2016", 2), "R02": ("feb2016", 2), "R03": ("feb2016", 2),
        "R11": ("feb2016", 1), "R13": ("feb2016", 1),
    }
    assert recs["R01"]["conclusion"]["remark"] == "Work will be ongoing."
    for n in CONCLUDED:
        assert recs[n]["milestones"] == [] and recs[n]["original_timescale"] == ""

    assert [t["letter"] for t in data["themes"]] == list(THEMES)
    assert {t: sorted(n for n in ALL if recs[n]["theme"] == t) for t in THEMES} == THEMES

    owners = {o["name"] for o in data["owners"]}
    meetings = {m["key"] for m in data["meetings"]}
    assert data["cover_report"]["reporting_owner"] in owners
    assert data["cover_report"]["meeting"] in meetings
    kinds = {"initial_feedback", "interim", "completion", "changes_sustained", "ongoing"}
    for n in ALL:
        r = recs[n]
        assert r["owners"] and set(r["owners"]) <= owners, n
        assert all(e["following_meeting"] in meetings | {None} for e in r["evidence"]), n
        assert r["evidence"][0]["following_meeting"] is None, n
        for m in r["milestones"]:
            assert m["kind"] in kinds, n
            assert (m["month"] is None) == (m["kind"] == "ongoing"), n
            assert m["month"] is None or re.fullmatch(r"\d{4}-\d{2}", m["month"]), n
        # footnote markers in the recommendation text and its footnotes agree
        text = " ".join([r["lead"]] + [sp["text"] for sp in r["sub_parts"]])
        markers = [int(x) for x in re.findall(r"\[\^(\d+)\]", text)]
        assert markers == [fn["number"] for fn in r["footnotes"]], n
    # every footnote of the seed is carried by exactly one recommendation
    carried = sorted(fn["number"] for r in recs.values() for fn in r["footnotes"])
    assert carried == sorted(seed_footnotes()) == [1, 2, 3, 4, 5]


def test_every_evidence_paragraph_of_the_seed_is_in_the_fixture(data):
    sections = seed_evidence_sections()
    assert sorted(sections) == ALL
    problems = evidence_mismatches(data)
    assert not problems, "evidence differs from the seed:\n" + "\n".join(f"  {p}" for p in problems)


def test_a_changed_word_in_the_fixture_fails_the_comparison(data):
    changed = copy.deepcopy(data)
    sub_part = by_number(changed)["R04"]["sub_parts"][0]
    assert sub_part["label"] == "a)" and " training " in sub_part["text"]
    sub_part["text"] = sub_part["text"].replace(" training ", " teaching ", 1)
    labels = [label for label, _ in missing_texts(changed)]
    assert "R04 sub-part a)" in labels
    assert not missing_texts(data)  # the unchanged fixture still passes

    # and a word dropped from an evidence text is caught both ways
    changed = copy.deepcopy(data)
    ev = by_number(changed)["R10"]["evidence"][0]
    ev["text"] = ev["text"].replace("forty five ", "forty ", 1)
    assert any(label.startswith("R10 evidence[0]") for label, _ in missing_texts(changed))
    assert any(p.startswith("R10 evidence[0]") for p in evidence_mismatches(changed))


def test_squash_reads_markers_bullets_and_whitespace():
    assert squash("web site[^2] be\n• a\u00a0b\uf0b7 c") == "website2beabc"
    # the footnote blocks are removed from the seed, but the inline URL stays
    assert "http://www.seeme-hearme.org.uk/" in seed_squashed()
    assert "FourspecialistThinkFamilyWorkers" in seed_squashed()
    assert "CEOPisaNationalCrimeAgencyCommand" not in seed_squashed()
