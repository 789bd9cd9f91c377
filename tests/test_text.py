"""Text pasted from anywhere is stored in a form every backup and printout can hold."""

import pytest
from django.core.exceptions import ValidationError

from tests.pages import evidence_fields
from tracker.forms import EvidenceForm
from tracker.text import check_storable, is_blank, normalise


def evidence_form(text):
    return EvidenceForm(evidence_fields("r1", text), prefix="r1")


def test_windows_and_old_mac_line_endings_become_newlines():
    assert normalise("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_a_word_paste_with_vertical_tabs_and_page_breaks_keeps_its_line_breaks():
    assert normalise("Line one\x0bLine two\x0cPage two\u2028end") == "Line one\nLine two\nPage two\nend"


def test_other_control_characters_become_spaces_and_non_characters_are_dropped():
    assert normalise("a\x00b\x01c\x1fd\ufffee\uffff") == "a b c de"


def test_a_one_line_field_turns_breaks_into_spaces():
    assert normalise("Cabinet Member\r\nfor Housing\tand Homes", multiline=False) == "Cabinet Member for Housing and Homes"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u200c\u200d", "\ufeff \u2060", "\u00a0\u3000", " \u0301 "])
def test_text_of_only_invisible_characters_is_blank(invisible):
    assert is_blank(invisible)


@pytest.mark.parametrize("visible", ["a", "é", "–", "1", "\u200bx"])
def test_text_with_something_to_read_is_not_blank(visible):
    assert not is_blank(visible)


def test_evidence_of_only_zero_width_characters_is_refused_beside_the_field():
    form = evidence_form("\u200b\u200b\ufeff")
    assert not form.is_valid()
    assert form.errors["text"] == ["Enter the evidence of progress"]


def test_evidence_pasted_from_word_is_accepted_with_its_breaks_made_plain():
    form = evidence_form("Training delivered.\x0bMore to follow.\r\n\r\nNext year\x0c")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["text"] == "Training delivered.\nMore to follow.\n\nNext year"


def test_evidence_over_the_limit_is_refused_with_the_limit_named():
    form = evidence_form("x" * 20_001)
    assert not form.is_valid()
    assert "20000 characters or fewer" in form.errors["text"][0]


def test_the_services_last_line_refuses_text_that_skipped_the_boundary():
    with pytest.raises(ValidationError) as refused:
        check_storable("bad\x0bpaste", "text")
    assert "control character" in refused.value.message_dict["text"][0]
    check_storable("fine\ntext", "text")
