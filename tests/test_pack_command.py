"""python manage.py build_pack [MEETING_ID] --output FILE.pdf [--html FILE.html]"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tests.test_pack_support import page_texts, small_meeting
from tracker.models import Meeting
from tracker.pack.context import pack_for
from tracker.pack.render import render_pack_html

pytestmark = pytest.mark.django_db


def test_build_pack_writes_the_latest_meetings_pdf_and_the_html_handed_to_weasyprint(seed, tmp_path, capsys):
    call_command("build_pack", "--output", str(tmp_path / "pack.pdf"), "--html", str(tmp_path / "pack.html"))

    latest = Meeting.objects.latest_first().first()
    assert latest.date is None  # the seed's report meeting, undated, counts as the latest
    pdf = (tmp_path / "pack.pdf").read_bytes()
    text = "\n".join(page_texts(pdf))
    assert "Tracking Report: Child Sexual Exploitation" in text
    assert "Appendix 3: Concluded Recommendations" in text
    assert (tmp_path / "pack.html").read_text(encoding="utf-8") == render_pack_html(pack_for(latest))
    out = capsys.readouterr().out
    assert "14 tracked and 5 concluded recommendations" in out and str(tmp_path / "pack.pdf") in out


def test_build_pack_builds_the_meeting_asked_for(tmp_path, capsys):
    meeting = small_meeting()
    small_meeting()  # another committee's meeting, later

    call_command("build_pack", str(meeting.pk), "--output", str(tmp_path / "asked.pdf"))

    text = "\n".join(page_texts((tmp_path / "asked.pdf").read_bytes()))
    assert f"{meeting.committee.name} – {meeting.date_display}" in text
    assert "1 tracked and 0 concluded" in capsys.readouterr().out


def test_build_pack_refuses_a_meeting_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="There is no meeting 999"):
        call_command("build_pack", "999", "--output", str(tmp_path / "none.pdf"))
    assert not (tmp_path / "none.pdf").exists()
