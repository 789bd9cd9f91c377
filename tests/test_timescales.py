"""The scrutiny office types or imports an "original date for completion" as the report prints it."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.importer import month_end
from tracker.parsed import MILESTONE_KINDS, ParsedMilestone
from tracker.timescales import parse_date, parse_timescale


def milestones(text):
    found, problems = parse_timescale(text)
    assert problems == []
    return [(milestone.kind, milestone.due_date, milestone.event) for milestone in found]


def completion(year, month, day):
    return [("completion", datetime.date(year, month, day), "")]


def test_every_seed_timescale_gives_the_reports_milestones(seed_data):
    for recommendation in seed_data["recommendations"]:
        found, problems = parse_timescale(recommendation["original_timescale"])
        expected = [ParsedMilestone(kind=m["kind"], due_date=month_end(m["month"])) for m in recommendation["milestones"]]
        assert (recommendation["number"], found, problems) == (recommendation["number"], expected, [])


@pytest.mark.parametrize("text, expected", [
    ("July 2015", completion(2015, 7, 31)),
    ("Dec 2017", completion(2017, 12, 31)),
    ("Sept 2015", completion(2015, 9, 30)),
    ("March 2016", completion(2016, 3, 31)),
    ("February 2016", completion(2016, 2, 29)),
    ("Dec-17", completion(2017, 12, 31)),
    ("Dec/17", completion(2017, 12, 31)),
])
def test_a_month_means_its_last_day(text, expected):
    assert milestones(text) == expected


@pytest.mark.parametrize("text", ["31 March 2017", "31st March 2017", "31/03/2017", "31.3.2017", "2017-03-31",
                                  "31-Mar-2017", "March 31, 2017", "By 31 March 2017"])
def test_a_day_means_that_day(text):
    assert milestones(text) == completion(2017, 3, 31)


@pytest.mark.parametrize("text", ["Dec 17", "31/12/17", "31 December 17"])
def test_a_two_digit_year_is_this_century(text):
    assert milestones(text) == completion(2017, 12, 31)


def test_two_dates_make_the_later_one_the_completion_and_the_earlier_interim():
    assert milestones("April 2015 & September 2015") == [
        ("interim", datetime.date(2015, 4, 30), ""), ("completion", datetime.date(2015, 9, 30), "")]


def test_words_before_a_date_name_its_kind():
    assert milestones("Initial feedback April 2015 and completion Dec 2015") == [
        ("initial_feedback", datetime.date(2015, 4, 30), ""), ("completion", datetime.date(2015, 12, 31), "")]


def test_words_after_a_dash_name_the_kind_of_the_date_before_it():
    assert milestones("April 2015 – Initial Feedback and completion November 2015") == [
        ("initial_feedback", datetime.date(2015, 4, 30), ""), ("completion", datetime.date(2015, 11, 30), "")]


def test_words_after_a_dash_belong_to_the_date_before_them_when_the_line_breaks_were_lost():
    assert milestones("April 2015 – Initial feedback November 2015 – completion") == [
        ("initial_feedback", datetime.date(2015, 4, 30), ""), ("completion", datetime.date(2015, 11, 30), "")]


@pytest.mark.parametrize("text", ["April 2015 / July 2015 – Changes sustained", "April 2015/July 2015 – Changes sustained",
                                  "April 2015\nJuly 2015 – Changes sustained",
                                  "April 2015\r\nJuly 2015 - changes sustained"])
def test_changes_sustained_after_the_completion_leaves_the_earlier_date_the_completion(text):
    assert milestones(text) == [
        ("completion", datetime.date(2015, 4, 30), ""), ("changes_sustained", datetime.date(2015, 7, 31), "")]


def test_two_kinds_named_before_one_date_are_two_milestones_on_that_date():
    assert milestones("Initial feedback and completion April 2015") == [
        ("initial_feedback", datetime.date(2015, 4, 30), ""), ("completion", datetime.date(2015, 4, 30), "")]


def test_an_interim_date_named_first_leaves_the_last_the_completion():
    assert milestones("Interim report June 2016; March 2017") == [
        ("interim", datetime.date(2016, 6, 30), ""), ("completion", datetime.date(2017, 3, 31), "")]


@pytest.mark.parametrize("text", ["On-going", "Ongoing", "ongoing", "On going"])
def test_on_going_is_one_milestone_without_a_date(text):
    assert milestones(text) == [("ongoing", None, "")]


@pytest.mark.parametrize("text", [
    "To be confirmed when the Levelling-up Act is passed",
    "To be confirmed when the Planning and Infrastructure Act is passed",
    "Subject to legislation",
    "Following the budget decision",
    "Spring 2016",
    "2016/17",
])
def test_words_that_are_not_a_date_are_an_awaited_event_without_a_date(text):
    assert milestones(text) == [("completion", None, text)]


def test_an_act_of_parliament_with_a_year_is_still_an_event():
    text = "When the Levelling-up and Regeneration Act 2023 commences"
    assert milestones(text) == [("completion", None, text)]


def test_a_dated_milestone_and_an_awaited_completion_are_both_kept():
    assert milestones("Initial feedback April 2015 and completion when the Act is passed") == [
        ("initial_feedback", datetime.date(2015, 4, 30), ""), ("completion", None, "completion when the Act is passed")]


@pytest.mark.parametrize("text, problem", [
    ("31/02/2017", "31/02/2017 is not a real date."),
    ("30 February 2018", "30 February 2018 is not a real date."),
    ("13/13/2017", "13/13/2017 is not a real date."),
    ("2017-02-29", "2017-02-29 is not a real date."),
    ("03/31/2017", "03/31/2017 is not a real date: write the day before the month, as in 31/03/2017."),
    ("Febtember 2017", "Febtember 2017 is not a real date: check the spelling of the month."),
])
def test_an_impossible_date_is_a_problem_and_no_milestone(text, problem):
    assert parse_timescale(text) == ([], [problem])


def test_an_impossible_date_beside_a_real_one_keeps_the_real_one():
    found, problems = parse_timescale("Initial feedback April 2015 and completion 31/02/2016")
    assert found == [ParsedMilestone(kind="initial_feedback", due_date=datetime.date(2015, 4, 30))]
    assert problems == ["31/02/2016 is not a real date."]


def test_two_completion_dates_are_a_problem():
    _, problems = parse_timescale("Completion April 2015 and completion Dec 2015")
    assert problems == ["“Completion April 2015 and completion Dec 2015” gives more than one completion date: "
                        "keep one, and call the others interim."]


@pytest.mark.parametrize("text", ["", "   ", "\n", None, "–"])
def test_no_timescale_gives_no_milestone_and_no_problem(text):
    assert parse_timescale(text) == ([], [])


def test_pasted_control_characters_do_not_reach_the_event_words():
    assert milestones("Subject to\x0blegislation\x00") == [("completion", None, "Subject to legislation")]


def test_one_written_date_is_read_on_its_own():
    assert parse_date("31/03/17") == (datetime.date(2017, 3, 31), "")
    assert parse_date("31/02/2017") == (None, "31/02/2017 is not a real date.")
    assert parse_date("when the Act is passed") == (None, "")


written_dates = st.lists(st.sampled_from(["April 2015", "Dec 17", "31/02/2017", "2017-03-31", " & ", " and ", " / ", "\n",
                                          "Initial feedback ", "completion ", "– Changes sustained", "On-going",
                                          "Febtember 2017", "13/13/2017", "when the Act is passed"]) | st.text(),
                         max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=written_dates)
def test_any_timescale_gives_milestones_or_problems_and_never_an_error(text):
    found, problems = parse_timescale(text)
    assert all(milestone.kind in MILESTONE_KINDS for milestone in found)
    assert all(milestone.due_date is None or milestone.kind != "ongoing" for milestone in found)
    assert all(isinstance(problem, str) and problem for problem in problems)
