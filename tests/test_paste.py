"""The scrutiny office pastes a report's recommendations "as the report prints them"."""

import csv
import datetime
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.importer import month_end
from tracker.parsed import ParsedMilestone
from tracker.paste import parse_recommendations, split_owners, split_recommendation_text


def seed_milestones(recommendation):
    return [ParsedMilestone(kind=m["kind"], due_date=month_end(m["month"])) for m in recommendation["milestones"]]


def as_read(recommendation):
    """What the paste should give back for a seed recommendation."""
    return {
        "number": recommendation["number"],
        "lead": recommendation["lead"],
        "sub_parts": [(part["label"], part["text"]) for part in recommendation["sub_parts"]],
        "owners": recommendation["owners"],
        "timescale": recommendation["original_timescale"],
        "milestones": seed_milestones(recommendation),
    }


def read_back(parsed):
    return {"number": parsed.number, "lead": parsed.lead, "sub_parts": parsed.sub_parts, "owners": parsed.owners,
            "timescale": parsed.timescale, "milestones": parsed.milestones}


def seed_text(recommendation):
    """The seed recommendation's words as one cell or block of text: lead, then a line per sub-part."""
    lines = [recommendation["lead"]]
    lines += [f"{part['label'] or '•'} {part['text']}" for part in recommendation["sub_parts"]]
    return "\n".join(lines)


def printed(recommendation):
    """A seed recommendation written out as a report prints it, with labelled owner and date lines."""
    lines = [f"{recommendation['number']} {seed_text(recommendation)}"]
    lines.append("Responsibility: " + " / ".join(recommendation["owners"]))
    if recommendation["original_timescale"]:
        lines.append("Original date for completion: " + recommendation["original_timescale"])
    return "\n".join(lines)


def test_the_seed_report_pasted_as_printed_text_reads_back_exactly(seed_data):
    text = "\n\n".join(printed(recommendation) for recommendation in seed_data["recommendations"])
    result = parse_recommendations(text)
    assert result.problems == []
    assert [read_back(parsed) for parsed in result.recommendations] == [
        as_read(recommendation) for recommendation in seed_data["recommendations"]]


def test_the_seed_report_pasted_as_rows_from_excel_reads_back_exactly(seed_data):
    pasted = io.StringIO()
    writer = csv.writer(pasted, dialect="excel-tab")  # Excel quotes the cells that hold line breaks
    writer.writerow(["No.", "Recommendation", "Responsibility", "Original Date For Completion"])
    for recommendation in seed_data["recommendations"]:
        writer.writerow([recommendation["number"], seed_text(recommendation), "\n".join(recommendation["owners"]),
                         recommendation["original_timescale"]])
    result = parse_recommendations(pasted.getvalue())
    assert result.problems == []
    assert [read_back(parsed) for parsed in result.recommendations] == [
        as_read(recommendation) for recommendation in seed_data["recommendations"]]


def test_rows_copied_from_word_with_line_breaks_in_cells_are_put_back_together(seed_data):
    chosen = [r for r in seed_data["recommendations"] if r["number"] in ("R06", "R07", "R14")]
    # Word puts a cell's line breaks on the clipboard as they are, without quotes.
    text = "\r\n".join("\t".join([r["number"], seed_text(r), "\n".join(r["owners"]), r["original_timescale"]])
                       for r in chosen)
    result = parse_recommendations(text)
    assert result.problems == []
    assert [read_back(parsed) for parsed in result.recommendations] == [as_read(r) for r in chosen]


def test_rows_without_a_header_are_no_recommendation_responsibility_date():
    result = parse_recommendations("R01\tThat the Council acts.\tLeader\tJuly 2015\nR02\tThat it reports.\tChief Executive\t")
    assert [(r.number, r.lead, r.owners, r.timescale) for r in result.recommendations] == [
        ("R01", "That the Council acts.", ["Leader"], "July 2015"), ("R02", "That it reports.", ["Chief Executive"], "")]
    assert result.recommendations[0].source_row == 1


def test_a_header_row_in_another_order_decides_the_columns_and_a_title_above_it_is_left_out():
    text = ("Leisure review – recommendations\n"
            "Ref\tTarget date\tRecommendation\tLead officer\tRAG\n"
            "LR1\tDec 2026\tThat opening hours are reviewed.\tDirector of Place\tGreen\n")
    [recommendation] = parse_recommendations(text).recommendations
    assert (recommendation.number, recommendation.lead, recommendation.owners, recommendation.category) == (
        "LR1", "That opening hours are reviewed.", ["Director of Place"], "Green")
    assert recommendation.milestones == [ParsedMilestone("completion", datetime.date(2026, 12, 31))]


def test_a_heading_row_between_table_rows_gives_the_theme_of_the_rows_after_it():
    text = ("R07\tThat councillors are trained.\tLeader\tDec 2015\n"
            "B Policies and Procedures\n"
            "R08\tThat policies are reviewed.\tCabinet Member for Children’s Services\tNovember 2015\n")
    result = parse_recommendations(text)
    assert result.problems == []
    assert [(r.number, r.theme) for r in result.recommendations] == [("R07", ""), ("R08", "B Policies and Procedures")]


def test_a_second_council_with_task_group_and_year_numbers_bullets_and_an_awaited_event():
    text = (
        "Leisure Task Group Rec 1 That the Council reviews the opening hours of its leisure centres, including:\n"
        "• early morning swimming;\n"
        "• weekend opening for families.\n"
        "Responsibility: Director of Place / Cabinet Member for Leisure\n"
        "Date: To be confirmed when the Planning and Infrastructure Act is passed\n"
        "\n"
        "SR (25/26) 01 That the Council publishes its tracker on its website.\n"
        "Owner: Head of Scrutiny\n"
        "Timescale: Initial feedback Sept 2025 and completion March 2026\n"
    )
    result = parse_recommendations(text)
    assert result.ok
    leisure, review = result.recommendations
    assert leisure.number == "Leisure Task Group Rec 1"
    assert leisure.lead == "That the Council reviews the opening hours of its leisure centres, including:"
    assert leisure.sub_parts == [("", "early morning swimming;"), ("", "weekend opening for families.")]
    assert leisure.owners == ["Director of Place", "Cabinet Member for Leisure"]
    assert leisure.milestones == [ParsedMilestone(
        "completion", None, "To be confirmed when the Planning and Infrastructure Act is passed")]
    assert review.number == "SR (25/26) 01"
    assert review.lead == "That the Council publishes its tracker on its website."
    assert review.owners == ["Head of Scrutiny"]
    assert review.milestones == [ParsedMilestone("initial_feedback", datetime.date(2025, 9, 30)),
                                 ParsedMilestone("completion", datetime.date(2026, 3, 31))]
    assert (leisure.source_row, review.source_row) == (1, 7)


def test_windows_line_endings_read_the_same():
    text = "R01 That:\r\na) the Council acts;\r\nb) it reports.\r\nLead: Leader\r\nDate: July 2015\r\n"
    [recommendation] = parse_recommendations(text).recommendations
    assert (recommendation.lead, recommendation.sub_parts, recommendation.owners, recommendation.timescale) == (
        "That:", [("a)", "the Council acts;"), ("b)", "it reports.")], ["Leader"], "July 2015")


def test_text_pasted_from_a_pdf_has_its_wrapped_lines_joined():
    # As the seed report's PDF gives R04: short lines, a stray blank line, the PDF's bullet glyph.
    text = (
        "R04 That: \n"
        "a) All frontline staff and managers \n"
        "\n"
        "of caseloads in Children’s Social \n"
        "Care including agency staff \n"
        "attend training on CSE. \n"
        "\n"
        "b) There is mandatory training on \n"
        "missing children and the \n"
        "escalation system. \n"
        "\uf0b7 Regular training updates are \n"
        "also made available. \n"
        "Responsibility: Cabinet Member \n"
        "for Children Services \n"
        "Date: July 2015 \n"
    )
    [recommendation] = parse_recommendations(text).recommendations
    assert recommendation.lead == "That:"
    assert recommendation.sub_parts == [
        ("a)", "All frontline staff and managers of caseloads in Children’s Social Care including agency staff "
               "attend training on CSE."),
        ("b)", "There is mandatory training on missing children and the escalation system."),
        ("", "Regular training updates are also made available."),
    ]
    assert recommendation.owners == ["Cabinet Member", "for Children Services"]  # a new line is a new owner
    assert recommendation.milestones == [ParsedMilestone("completion", datetime.date(2015, 7, 31))]


def test_a_word_broken_at_a_hyphen_is_joined_without_a_space():
    lead, _ = split_recommendation_text("That the council’s sign-\nposting is improved.")
    assert lead == "That the council’s sign-posting is improved."


@pytest.mark.parametrize("line, number", [
    ("R01 That the Council acts.", "R01"),
    ("R1 That the Council acts.", "R1"),
    ("Rec 1 That the Council acts.", "Rec 1"),
    ("Rec. 1: That the Council acts.", "Rec. 1"),
    ("Recommendation 1 – That the Council acts.", "Recommendation 1"),
    ("1. That the Council acts.", "1"),
    ("1) That the Council acts.", "1"),
    ("Leisure Task Group Rec 1 That the Council acts.", "Leisure Task Group Rec 1"),
    ("Task Group X Rec 4: That the Council acts.", "Task Group X Rec 4"),
    ("SR (25/26) 01 That the Council acts.", "SR (25/26) 01"),
    ("Children and Young People Overview and Scrutiny Task Group Recommendation 12 That the Council acts.",
     "Children and Young People Overview and Scrutiny Task Group Recommendation 12"),
])
def test_a_recommendation_starts_on_a_line_beginning_with_its_number_kept_as_written(line, number):
    [recommendation] = parse_recommendations(line).recommendations
    assert (recommendation.number, recommendation.lead) == (number, "That the Council acts.")


def test_a_numbered_list_inside_r_numbered_recommendations_is_sub_parts():
    result = parse_recommendations("R01 That the Council:\n1. trains staff;\n2. reports yearly.\nR02 That it publishes.")
    assert [(r.number, r.sub_parts) for r in result.recommendations] == [
        ("R01", [("1.", "trains staff;"), ("2.", "reports yearly.")]), ("R02", [])]


@pytest.mark.parametrize("label", ["a)", "(b)", "i)", "(iv)", "A)", "c."])
def test_sub_part_labels_are_kept_as_written(label):
    assert split_recommendation_text(f"That:\n{label} the Council acts.") == ("That:", [(label, "the Council acts.")])


@pytest.mark.parametrize("bullet", ["•", "-", "*", "–", "\uf0b7", "\uf0b7\t"])
def test_bullets_are_sub_parts_without_a_label(bullet):
    assert split_recommendation_text(f"That:\n{bullet} the Council acts.") == ("That:", [("", "the Council acts.")])


def test_a_recommendation_without_sub_parts_is_all_lead():
    assert split_recommendation_text("That the Quartet regularly\ntracks improvements.") == (
        "That the Quartet regularly tracks improvements.", [])


def test_owners_are_split_at_slashes_semicolons_and_lines_but_not_at_commas():
    assert split_owners("Director of Place / Cabinet Member for Leisure; Leader\nChief Executive") == [
        "Director of Place", "Cabinet Member for Leisure", "Leader", "Chief Executive"]
    quartet = ("Quartet: [Leader, Cabinet Member for Children’s Services, Chief Executive and Strategic Director "
               "for People]")
    assert split_owners(quartet) == [quartet]
    assert split_owners("Board [Chair / Vice-Chair]") == ["Board [Chair / Vice-Chair]"]


def test_an_impossible_date_is_a_problem_naming_the_recommendation_and_line():
    result = parse_recommendations("R01 That the Council acts.\nDate: 31/02/2017\nR02 That it reports.\nDate: May 2017")
    assert [(p.message, p.row) for p in result.problems] == [("R01 (line 1): 31/02/2017 is not a real date.", 1)]
    assert not result.ok


def test_an_impossible_date_in_a_pasted_row_names_its_column():
    result = parse_recommendations("No.\tRecommendation\tLead\tTarget date\nR01\tThat it acts.\tLeader\t30 February 2018")
    assert [(p.message, p.row, p.column) for p in result.problems] == [
        ("R01 (line 2, column “Target date”): 30 February 2018 is not a real date.", 2, "Target date")]


def test_a_very_long_number_is_kept_whole():
    number = "R" + "1" * 5000
    [recommendation] = parse_recommendations(f"{number} That the Council acts.").recommendations
    assert recommendation.number == number


def test_a_number_used_twice_is_a_problem_naming_both_lines():
    result = parse_recommendations("R04 That the Council acts.\nR05 That it reports.\nR4 That it publishes.")
    assert [(p.message, p.row) for p in result.problems] == [
        ("Lines 1 and 3: R4 is used twice. Give each recommendation its own number.", 3)]


@pytest.mark.parametrize("text", ["", "   \n ", "Some words the office pasted\nthat hold no numbers"])
def test_a_paste_with_no_recommendation_says_what_shape_is_expected(text):
    result = parse_recommendations(text)
    assert result.recommendations == []
    [problem] = result.problems
    assert problem.message.startswith("No recommendations were found. Start each recommendation on a new line with "
                                      "its number (for example “R01 That the Council …”)")


def test_a_line_before_the_first_number_is_a_problem_naming_the_line():
    result = parse_recommendations("Recommendations of the review\nR01 That the Council acts.")
    assert [(p.message, p.row) for p in result.problems] == [
        ("Line 1: “Recommendations of the review” comes before the first recommendation number, so it could not be "
         "placed. Delete it, or start it with the recommendation's number.", 1)]
    assert [r.number for r in result.recommendations] == ["R01"]


def test_a_line_after_the_date_that_is_not_a_date_is_a_problem_naming_the_line():
    result = parse_recommendations("R01 That the Council acts.\nDate: April 2015\nJuly 2015 – Changes sustained\n"
                                   "B Policies and Procedures\nR02 That it reports.")
    assert result.recommendations[0].timescale == "April 2015\nJuly 2015 – Changes sustained"
    assert [(p.message, p.row) for p in result.problems] == [
        ("Line 4: “B Policies and Procedures” comes after the date of R01, so it could not be placed. "
         "Move it into the recommendation's text, or start it with a number.", 4)]


def test_a_theme_line_gives_the_theme_of_the_recommendations_after_it():
    result = parse_recommendations("Theme: Policies and Procedures\nR08 That policies are reviewed.\nR09 That licensing "
                                   "is used.\nTheme: Multi-Agency Working\nR14 That the Board acts.")
    assert [(r.number, r.theme) for r in result.recommendations] == [
        ("R08", "Policies and Procedures"), ("R09", "Policies and Procedures"), ("R14", "Multi-Agency Working")]


def test_a_number_with_no_text_is_a_problem():
    result = parse_recommendations("R01\nResponsibility: Leader\nR02 That it reports.")
    assert [p.message for p in result.problems] == [
        "R01 (line 1) has no text. Put the recommendation's words after its number."]


def test_characters_pasted_from_word_are_made_storable():
    [recommendation] = parse_recommendations("R01 That:\x0ba) the Council\x00acts.\nLead: Leader").recommendations
    assert recommendation.sub_parts == [("a)", "the Council acts.")]


def test_three_columns_without_a_header_keep_one_row_per_line():
    result = parse_recommendations("LR1\tThat hours are reviewed.\tDirector of Place\n"
                                   "LR2\tThat prices are frozen.\tCabinet Member for Leisure\n")
    assert [(r.number, r.lead, r.owners) for r in result.recommendations] == [
        ("LR1", "That hours are reviewed.", ["Director of Place"]),
        ("LR2", "That prices are frozen.", ["Cabinet Member for Leisure"])]


def test_a_wrapped_line_that_only_looks_like_a_label_continues_the_text():
    assert split_recommendation_text("That the Council reviews (including\ncivil) partnerships.") == (
        "That the Council reviews (including civil) partnerships.", [])


@pytest.mark.parametrize("label", ["ii)", "(iii)", "(xiv)", "ix."])
def test_roman_numbered_sub_parts_keep_their_labels(label):
    assert split_recommendation_text(f"That:\n{label} the Council acts.") == ("That:", [(label, "the Council acts.")])


pasted_pieces = st.lists(st.sampled_from(["R01 ", "Rec 1 ", "1. ", "SR (25/26) 01 ", "a) ", "(iv) ", "• ", "\uf0b7", "\t",
                                          "\n", "\r\n", '"', "Responsibility: ", "Date: ", "Theme: ", "July 2015",
                                          "31/02/2017", " / ", "; ", "On-going", "That:", "\x0b", "\x00"]) | st.text(),
                         max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=pasted_pieces)
def test_anything_pasted_gives_recommendations_or_problems_and_never_an_error(text):
    result = parse_recommendations(text)
    assert result.recommendations or result.problems
    for recommendation in result.recommendations:
        assert recommendation.number == recommendation.number.strip() and recommendation.number
        assert "\r" not in recommendation.lead + recommendation.timescale + "".join(recommendation.owners)
