"""What goes into a pack, and how user-typed text comes out of it (small packs from factories)."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import (
    AssessmentFactory,
    EvidenceUpdateFactory,
    MeetingFactory,
    RecommendationFactory,
    SubPartFactory,
    default_category,
)
from tests.seedtext import squash
from tests.test_pack_support import body_lines, page_texts, reader, small_meeting, squashed_body
from tracker.models import Conclusion, Footnote
from tracker.pack.context import pack_for
from tracker.pack.render import build_pack, render_pack_html
from tracker.templatetags.pack_tags import evidence, footnoted

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('pwned')</script> & <img src=x onerror=alert(1)>"


def tracked_numbers(pack):
    return [item.number for report in pack.reports for group in report.themes for item in group.recommendations]


def concluded_numbers(pack):
    return [item.number for report in pack.reports for item in report.concluded]


def test_a_script_typed_into_evidence_prints_as_text_and_never_runs():
    meeting = small_meeting(text=f"Training delivered. {HOSTILE}")
    rec = meeting.assessments.get().recommendation
    rec.lead = f"That: {HOSTILE}[^1]"
    rec.save()
    Footnote.objects.create(recommendation=rec, number=1, text=f"www.example.org/ {HOSTILE}")

    built = build_pack(meeting)

    assert "<script>" not in built.html and "<img" not in built.html
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in built.html
    text = "\n".join(page_texts(built.pdf))
    assert text.count("<script>alert('pwned')</script>") == 3  # lead, footnote and evidence, as typed
    assert b"/JavaScript" not in built.pdf and b"/JS" not in built.pdf


def test_footnote_markers_become_footnotes_and_a_marker_without_a_note_stays_as_typed():
    html = footnoted("The web site[^2] and the centre[^9].", {2: "www.seeme-hearme.org.uk/"})
    assert html == (
        'The web site<span class="footnote"><a href="https://www.seeme-hearme.org.uk/">'
        "www.seeme-hearme.org.uk/</a></span> and the centre[^9]."
    )


def test_evidence_keeps_its_paragraphs_numbered_items_and_bullets():
    html = evidence(
        "SHORT TERM – By mid-December\n\n"
        "1. Material goes on the Member portal.\n"
        "See https://www.ceop.police.uk/.\n"
        "2. The objectives are to:\n"
        "• understand what is meant by CSE;\n"
        "• understand how <b>grooming</b> happens.\n\n"
        "Last paragraph."
    )
    assert html == (
        "<p>SHORT TERM – By mid-December</p>"
        '<ol class="labelled">'
        '<li><span class="label">1.</span><span class="item-text">Material goes on the Member portal.<br>'
        'See <a href="https://www.ceop.police.uk/">https://www.ceop.police.uk/</a>.</span></li>'
        '<li><span class="label">2.</span><span class="item-text">The objectives are to:</span>'
        '<ul class="labelled bullets">'
        '<li><span class="label">•</span><span class="item-text">understand what is meant by CSE;</span></li>'
        '<li><span class="label">•</span><span class="item-text">understand how &lt;b&gt;grooming&lt;/b&gt; '
        "happens.</span></li></ul></li></ol>"
        "<p>Last paragraph.</p>"
    )


def test_a_category_that_needs_a_date_prints_the_anticipated_date_advised():
    meeting = small_meeting(2)
    first, second = meeting.assessments.order_by("recommendation__number")
    first.proposed_category = default_category("3")
    first.anticipated_date = datetime.date(2017, 3, 31)
    first.save()
    second.proposed_category = default_category("5")  # needs a date, none advised
    second.save()

    body = squashed_body(build_pack(meeting).pdf)

    assert squash("3 – Not Achieved (Progress Made)") in body
    assert body.count(squash("Anticipated completion date: 31 March 2017")) == 1
    assert body.count(squash("Anticipated completion date: not advised")) == 1
    assert body.index(squash("31 March 2017")) < body.index(squash(f"{second.recommendation.number} That"))


def test_a_recommendation_concluded_at_an_earlier_meeting_shows_in_appendix_3_of_later_packs():
    early = RecommendationFactory(number="R01")
    later = RecommendationFactory(number="R02", theme=early.theme)
    committee = early.inquiry.committee
    november, february, june = (
        MeetingFactory(committee=committee, date=datetime.date(2015, 11, 25)),
        MeetingFactory(committee=committee, date=datetime.date(2016, 2, 10)),
        MeetingFactory(committee=committee, date=None),  # the next meeting, not yet dated
    )
    for meeting in (november, february):
        AssessmentFactory(recommendation=early, meeting=meeting, proposed_category=default_category("2"))
    february_assessment = early.assessments.get(meeting=february)
    february_assessment.agreed_category = default_category("2")
    february_assessment.save()
    Conclusion.objects.create(recommendation=early, meeting=february, remark="Work will be ongoing.")
    for meeting in (november, february, june):
        AssessmentFactory(recommendation=later, meeting=meeting, proposed_category=default_category("6"))

    assert (tracked_numbers(pack_for(november)), concluded_numbers(pack_for(november))) == (["R01", "R02"], [])
    # The February pack went out before the committee concluded R01 that day: still tracked.
    assert (tracked_numbers(pack_for(february)), concluded_numbers(pack_for(february))) == (["R01", "R02"], [])
    june_pack = pack_for(june)
    assert (tracked_numbers(june_pack), concluded_numbers(june_pack)) == (["R02"], ["R01"])
    [concluded] = june_pack.reports[0].concluded
    assert concluded.concluded_on == "10 Feb 2016"
    assert concluded.tracking_assessment == "2 – Achieved (Late). Work will be ongoing."


def test_evidence_added_after_a_meeting_is_not_in_that_meetings_pack():
    meeting = small_meeting()
    rec = meeting.assessments.get().recommendation
    next_meeting = MeetingFactory(committee=meeting.committee, date=meeting.date + datetime.timedelta(days=60))
    AssessmentFactory(recommendation=rec, meeting=next_meeting, proposed_category=default_category("2"))
    EvidenceUpdateFactory(recommendation=rec, following_meeting=meeting, text="Written after the first meeting.")

    first = render_pack_html(pack_for(meeting))
    second = render_pack_html(pack_for(next_meeting))

    assert "Written after the first meeting." not in first
    assert "Written after the first meeting." in second
    assert f"Further information following the {meeting.date_display} meeting" in second


def test_a_recommendation_longer_than_a_page_repeats_the_table_header_on_the_next_page():
    meeting = small_meeting()
    rec = meeting.assessments.get().recommendation
    for index in range(12):
        SubPartFactory(
            recommendation=rec,
            label=f"{chr(ord('b') + index)})",
            text=f"Sub-part {index + 2}: " + "partners review their safeguarding arrangements " * 8,
        )

    pages = [squash("\n".join(body_lines(text)[0])) for text in page_texts(build_pack(meeting).pdf)]

    header = squash("No. Recommendation Responsibility Original Date For Completion Cabinet Member’s Assessment")
    table_pages = [i for i, page in enumerate(pages) if squash("Sub-part") in page]
    assert len(table_pages) >= 2
    for index in table_pages:
        assert header in pages[index], f"page {index + 1} has no header row"
    assert pages[table_pages[1]].startswith(header)


def test_a_meeting_tracking_two_inquiries_prints_a_report_for_each_with_nested_bookmarks():
    first = RecommendationFactory(number="R01", theme__inquiry__title="Child Sexual Exploitation")
    meeting = MeetingFactory(committee=first.inquiry.committee)
    second = RecommendationFactory(
        number="R01", theme__inquiry__title="Air Quality", theme__inquiry__committee=meeting.committee
    )
    for rec in (first, second):
        AssessmentFactory(recommendation=rec, meeting=meeting, proposed_category=default_category("6"))

    built = build_pack(meeting)

    assert [report.inquiry.title for report in built.pack.reports] == ["Air Quality", "Child Sexual Exploitation"]
    assert built.html.count("Appendix 2: Progress with Recommendations") == 2
    outline = reader(built.pdf).outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == ["Tracking Report: Air Quality", "Tracking Report: Child Sexual Exploitation"]
    appendices = outline[1]
    assert [item.title for item in appendices if not isinstance(item, list)] == [
        "Appendix 1: The Tracking Process",
        "Appendix 2: Progress with Recommendations",
        "Appendix 3: Concluded Recommendations",
    ]
