"""The scrutiny office imports a council's tracker spreadsheet from the command line (import_tracker).

Real files: workbooks written with openpyxl and CSV files, with the headers councils use
("Ref", "Lead", "Target date", "RAG"). Each story reads back what was saved, or checks
that nothing was.
"""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, ManagementUtility, call_command

from tests.factories import CommitteeFactory, UserFactory
from tracker import roles, services
from tracker.models import Assessment, EvidenceUpdate, ExecutiveResponse, Inquiry, Meeting, Recommendation

pytestmark = pytest.mark.django_db

HEADER = ["Ref", "Recommendation", "Lead", "Target date", "RAG"]
ROWS = [
    ["LTG 1", "That the Council:\na) surveys the users of its leisure centres;\nb) reports the results.",
     "Director of Place\nCabinet Member for Leisure", datetime.datetime(2016, 3, 31), "Green"],
    ["LTG 2", "That a new pool is planned.", "Head of Planning",
     "To be confirmed when the Planning and Infrastructure Act is passed", "Amber"],
    ["LTG 3", "That opening hours are published.", "Head of Leisure", "Dec 2016", "Red"],
]


def workbook(path, rows, header=HEADER, title="Leisure Task Group – recommendations tracker"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def office():
    user = UserFactory(username="office", first_name="Olu", last_name="Office")
    user.groups.add(Group.objects.get(name=roles.SCRUTINY_OFFICE))
    return user


@pytest.fixture
def committee(office):
    """A committee that tracks with Green, Amber and Red."""
    scheme = services.create_scheme(by=office, name="Traffic lights")
    for code, label in [("Green", "Complete"), ("Amber", "Ongoing"), ("Red", "Paused")]:
        services.save_category(scheme, by=office, code=code, label=label, criteria=f"{label}.", marker=code)
    return services.create_committee(by=office, name="Leisure and Culture Committee", scheme=scheme,
                                     assessed_by="executive")


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_tracker", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def nothing_saved():
    return not Inquiry.objects.exists() and not Recommendation.objects.exists() and not Meeting.objects.exists()


def test_a_councils_workbook_becomes_a_new_inquiry_with_its_owners_dates_and_categories(tmp_path, office, committee):
    path = workbook(tmp_path / "leisure.xlsx", ROWS)

    output = run(path, "--committee", "leisure and culture committee", "--inquiry", "Leisure Centres",
                 "--agreed-on", "2016-02-10")

    assert output == "Added 3 recommendations to “Leisure Centres” (Leisure and Culture Committee).\n"
    inquiry = Inquiry.objects.get(committee=committee)
    first, second, third = inquiry.recommendations.order_by("position")
    assert [first.number, second.number, third.number] == ["LTG 1", "LTG 2", "LTG 3"]
    assert first.lead == "That the Council:"
    assert [(p.label, p.text) for p in first.sub_parts.all()] == [
        ("a)", "surveys the users of its leisure centres;"), ("b)", "reports the results.")]
    assert [r.owner.name for r in first.responsibilities.all()] == ["Director of Place", "Cabinet Member for Leisure"]
    assert first.milestones.get().due_date == datetime.date(2016, 3, 31)
    waiting = second.milestones.get()
    assert (waiting.kind, waiting.due_date, waiting.event) == (
        "completion", None, "To be confirmed when the Planning and Infrastructure Act is passed")
    assert second.completion_date() is None
    assert third.milestones.get().due_date == datetime.date(2016, 12, 31)
    assert {r.executive_response for r in (first, second, third)} == {ExecutiveResponse.ACCEPTED}
    meeting = Meeting.objects.get()
    assert (meeting.committee, meeting.date, meeting.state) == (committee, datetime.date(2016, 2, 10),
                                                                Meeting.State.CLOSED)
    assert [a.agreed_category.code for a in Assessment.objects.order_by("recommendation__position")] == [
        "Green", "Amber", "Red"]
    assert first.history.earliest().history_user == office


def test_a_csv_is_added_after_an_existing_inquirys_recommendations_as_the_named_user(tmp_path, office, committee):
    inquiry = services.create_inquiry(by=office, committee=committee, title="Leisure Centres")
    from tracker.parsed import ParsedRecommendation

    services.add_recommendations(inquiry, [ParsedRecommendation(number="R1", lead="That fees are frozen.")],
                                 by=office)
    colleague = UserFactory(username="colleague")
    colleague.groups.add(Group.objects.get(name=roles.SCRUTINY_OFFICE))
    path = tmp_path / "tracker.csv"
    path.write_text(
        "Ref,Recommendation,Lead,Target date,Progress update\n"
        "R2,That the pool reopens.,Head of Leisure / Leader,31/03/2017,Contractor appointed.\n"
        "R3,\"That the Council:\n• consults users;\n• publishes the results.\",Leader,On-going,\n",
        encoding="utf-8")

    output = run(path, "--committee", committee.name, "--inquiry", "leisure centres", "--response", "pending",
                 "--as", "colleague")

    assert output == "Added 2 recommendations to “Leisure Centres” (Leisure and Culture Committee).\n"
    assert list(inquiry.recommendations.order_by("position").values_list("number", flat=True)) == ["R1", "R2", "R3"]
    second = inquiry.recommendations.get(number="R2")
    assert [r.owner.name for r in second.responsibilities.all()] == ["Head of Leisure", "Leader"]
    assert second.executive_response == ExecutiveResponse.PENDING
    assert EvidenceUpdate.objects.get(recommendation=second).text == "Contractor appointed."
    third = inquiry.recommendations.get(number="R3")
    assert [(p.label, p.text) for p in third.sub_parts.all()] == [("", "consults users;"),
                                                                  ("", "publishes the results.")]
    assert third.milestones.get().kind == "ongoing"
    assert second.history.earliest().history_user == colleague
    assert Inquiry.objects.count() == 1 and not Meeting.objects.exists()


def test_one_impossible_date_saves_nothing_and_names_its_row_and_column(tmp_path, office, committee):
    rows = [ROWS[0], ["LTG 2", "That a new pool is planned.", "Head of Planning", "31/02/2017", "Amber"], ROWS[2]]
    path = workbook(tmp_path / "leisure.xlsx", rows)

    with pytest.raises(CommandError) as refused:
        run(path, "--committee", committee.name, "--inquiry", "Leisure Centres", "--agreed-on", "2016-02-10")

    assert str(refused.value) == ("leisure.xlsx: 1 problem to correct. Nothing was saved.\n"
                                  "  Row 5, column “Target date”: 31/02/2017 is not a real date.")
    assert refused.value.returncode == 1
    assert nothing_saved()


def test_from_the_shell_every_problem_is_printed_and_the_exit_status_is_1(tmp_path, office, committee, capsys,
                                                                           monkeypatch):
    # manage.py closes the database connections when a command ends; the test's own must stay open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    rows = [["LTG 1", "That the pool opens.", "Leader", "31/02/2017", ""],
            ["", "That fees are frozen.", "Leader", "Dec 2016", ""]]
    path = workbook(tmp_path / "leisure.xlsx", rows)

    with pytest.raises(SystemExit) as exit_status:
        ManagementUtility(["manage.py", "import_tracker", str(path), "--committee", committee.name,
                           "--inquiry", "Leisure Centres"]).execute()

    assert exit_status.value.code == 1
    printed = capsys.readouterr().err
    assert "2 problems to correct. Nothing was saved." in printed
    assert "Row 4, column “Target date”: 31/02/2017 is not a real date." in printed
    assert "Row 5, column “Ref”: there is no number." in printed
    assert nothing_saved()


def test_a_dry_run_prints_what_it_would_add_and_saves_nothing(tmp_path, office, committee):
    path = workbook(tmp_path / "leisure.xlsx", ROWS)

    output = run(path, "--committee", committee.name, "--inquiry", "Leisure Centres", "--agreed-on", "2016-02-10",
                 "--dry-run")

    assert output.splitlines() == [
        "Would add 3 recommendations to the new inquiry “Leisure Centres” (Leisure and Culture Committee). "
        "Nothing was saved.",
        "  Row 4: LTG 1 – That the Council: (2 sub-parts) – Director of Place; Cabinet Member for Leisure – "
        "Completion: 31 March 2016 – category “Green”",
        "  Row 5: LTG 2 – That a new pool is planned. – Head of Planning – Waiting on: To be confirmed when the "
        "Planning and Infrastructure Act is passed – category “Amber”",
        "  Row 6: LTG 3 – That opening hours are published. – Head of Leisure – Completion: 31 December 2016 – "
        "category “Red”",
    ]
    assert nothing_saved()


def test_a_dry_run_finds_what_the_save_would_refuse(tmp_path, office, committee):
    rows = [["LTG 1", "That the pool opens.", "Leader", "Dec 2016", "Purple"]]
    path = workbook(tmp_path / "leisure.xlsx", rows)

    with pytest.raises(CommandError) as refused:
        run(path, "--committee", committee.name, "--inquiry", "Leisure Centres", "--agreed-on", "2016-02-10",
            "--dry-run")

    assert "Row 4: LTG 1: “Purple” is not a category of Traffic lights." in str(refused.value)
    assert nothing_saved()


def test_categories_need_the_date_of_the_meeting_that_agreed_them(tmp_path, office, committee):
    path = workbook(tmp_path / "leisure.xlsx", ROWS)

    with pytest.raises(CommandError) as refused:
        run(path, "--committee", committee.name, "--inquiry", "Leisure Centres")

    assert ("--agreed-on: The spreadsheet gives categories: enter the date of the meeting that agreed them."
            in str(refused.value))
    assert nothing_saved()


def test_a_number_the_inquiry_already_has_names_its_row_and_nothing_is_saved(tmp_path, office, committee):
    path = workbook(tmp_path / "leisure.xlsx", [row[:4] + [""] for row in ROWS])
    run(path, "--committee", committee.name, "--inquiry", "Leisure Centres")

    with pytest.raises(CommandError) as refused:
        run(path, "--committee", committee.name, "--inquiry", "Leisure Centres")

    assert "Row 4: Leisure Centres already has a recommendation LTG 1." in str(refused.value)
    assert Recommendation.objects.count() == 3


def test_the_history_needs_a_scrutiny_office_user(tmp_path, committee):
    path = workbook(tmp_path / "leisure.xlsx", ROWS)
    Group.objects.get(name=roles.SCRUTINY_OFFICE).user_set.update(is_active=False)

    with pytest.raises(CommandError, match="There is no active Scrutiny Office user for the history to record"):
        run(path, "--committee", committee.name, "--inquiry", "Leisure Centres")

    officer = UserFactory(username="olivia")
    officer.groups.add(Group.objects.get(name=roles.OFFICER))
    with pytest.raises(CommandError, match="olivia is not in the Scrutiny Office"):
        run(path, "--committee", committee.name, "--inquiry", "Leisure Centres", "--as", "olivia")
    with pytest.raises(CommandError, match="There is no active user called nobody"):
        run(path, "--committee", committee.name, "--inquiry", "Leisure Centres", "--as", "nobody")
    assert not Inquiry.objects.exists()


def test_an_unknown_committee_or_missing_file_is_refused_clearly(tmp_path, office, committee):
    CommitteeFactory(name="Audit Committee")
    path = workbook(tmp_path / "leisure.xlsx", ROWS)

    with pytest.raises(CommandError) as refused:
        run(path, "--committee", "Leisure Committee", "--inquiry", "Leisure Centres")
    assert str(refused.value) == ("There is no committee called “Leisure Committee”. The committees are: "
                                  "Audit Committee; Leisure and Culture Committee.")
    with pytest.raises(CommandError, match="There is no file"):
        run(tmp_path / "missing.xlsx", "--committee", committee.name, "--inquiry", "Leisure Centres")
    assert not Inquiry.objects.exists()
