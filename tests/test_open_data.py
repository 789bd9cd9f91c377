"""Open data (/api/v1/): the public facts as JSON and CSV for anyone, read through tracker.public.

A national register harvests them signed out: it reads every page, follows ``next``, and asks for
what changed since its last harvest. Nothing that exists only in a draft ever shows.
"""

import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from tests.crawl import crawl
from tests.factories import SubPartFactory
from tracker import services
from tracker.api import views
from tracker.demo import create_demo_users
from tracker.models import (
    Assessment,
    Committee,
    EvidenceUpdate,
    Inquiry,
    Meeting,
    Milestone,
    PublishedPack,
    Recommendation,
    Responsibility,
)

pytestmark = pytest.mark.django_db
API = "http://testserver/api/v1/"
LISTS = ["committees", "inquiries", "recommendations", "meetings", "evidence", "assessments", "categories", "packs"]
CSV_FILES = ["recommendations", "evidence", "assessments", "meetings"]
DRAFT = "DRAFT-ONLY-MARKER"


def user(name):
    return get_user_model().objects.get(username=name)


def body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def everything(client) -> dict[str, str]:
    """Every address of the open data reachable from its root, the CSV files and the OpenAPI document
    (list pages following next, each record, each filtered list), with the body of each."""
    start = ["/api/v1/", *(f"/api/v1/{name}.csv" for name in CSV_FILES), "/api/v1/openapi.json"]
    fetched = crawl(client, start, "/api/v1/")
    for url, response in fetched.items():
        assert response.status_code == 200, (url, response.status_code)
    return {url: body(response) for url, response in fetched.items()}


def results(client, url, **params) -> list[dict]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_openapi_document_validates_and_types_every_field(on_register):
    document = Client().get("/api/v1/openapi.json").json()
    validate(document)
    assert document["info"]["version"] == "1.0.0"
    for name, schema in document["components"]["schemas"].items():
        for field, spec in schema.get("properties", {}).items():
            assert {"type", "$ref", "allOf", "oneOf"} & spec.keys(), f"{name}.{field} has no type"
    parameters = document["paths"]["/api/v1/recommendations/"]["get"]["parameters"]
    changed_since = next(p for p in parameters if p["name"] == "changed_since")
    assert changed_since["schema"] == {"type": "string", "format": "date-time"}


def test_the_openapi_document_is_generated_without_a_warning(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "openapi.json"))


def test_the_seed_committees_recommendations_come_out_as_published(on_register):
    client = Client()
    recommendations = results(client, "/api/v1/recommendations/")
    assert [r["number"] for r in recommendations] == list(
        Recommendation.objects.order_by("pk").values_list("number", flat=True)
    )
    r06 = client.get(next(r["url"] for r in recommendations if r["number"] == "R06")).json()
    assert r06["lead"] == Recommendation.objects.get(number="R06").lead
    assert r06["owners"] and r06["status"] == "tracked"
    assert r06["inquiry"] == f"{API}inquiries/{r06['inquiry_id']}/"
    assert client.get(r06["inquiry"]).json()["title"] == "Child Sexual Exploitation"
    assert r06["category_code"] == "3" and r06["category_label"] == "Not Achieved (Progress Made)"
    assert sorted(r["status"] for r in recommendations).count("concluded") == 5
    evidence = results(client, r06["evidence"])
    assert [e["text"] for e in evidence] == list(
        EvidenceUpdate.objects.filter(recommendation__number="R06").order_by("pk").values_list("text", flat=True)
    )
    assert len(results(client, "/api/v1/categories/")) == 6
    assert {m["state"] for m in results(client, "/api/v1/meetings/")} == {"Decisions recorded"}


def test_the_csv_files_hold_the_same_facts_with_a_header_row(on_register):
    client = Client()
    response = client.get("/api/v1/recommendations.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert [row["number"] for row in rows] == [r["number"] for r in results(client, "/api/v1/recommendations/")]
    r01 = next(row for row in rows if row["number"] == "R01")
    assert r01["sub_parts"].splitlines()[0].startswith("a) The “see me hear me” web site")
    assert r01["status"] == "concluded"
    evidence = list(csv.DictReader(io.StringIO(body(client.get("/api/v1/evidence.csv")))))
    assert len(evidence) == EvidenceUpdate.objects.count()


def test_a_cell_that_would_be_a_formula_is_written_as_text(on_register):
    Recommendation.objects.filter(number="R06").update(lead="=HYPERLINK(\"http://example.com\")")
    rows = list(csv.DictReader(io.StringIO(body(Client().get("/api/v1/recommendations.csv")))))
    assert next(row for row in rows if row["number"] == "R06")["lead"] == "'=HYPERLINK(\"http://example.com\")"
    for start in "+-@":
        assert views._cell(f"{start}1") == f"'{start}1"


def test_a_committee_off_the_register_gives_nothing(seed):
    client = Client()
    for name in LISTS:
        assert results(client, f"/api/v1/{name}/") == [], name
    recommendation = Recommendation.objects.first()
    assert client.get(f"/api/v1/recommendations/{recommendation.pk}/").status_code == 404
    assert client.get(f"/api/v1/committees/{recommendation.committee_id}/").status_code == 404
    rows = body(client.get("/api/v1/recommendations.csv")).splitlines()
    assert len(rows) == 1  # the header only


def test_draft_evidence_never_shows_until_its_pack_is_published(open_meeting):
    r06 = Recommendation.objects.get(number="R06")
    services.add_evidence(r06, open_meeting, f"{DRAFT}: the plan is being written.", datetime.date(2016, 6, 1),
                          by=user("officer"))
    assessment = Assessment.objects.get(meeting=open_meeting, recommendation=r06)
    category = open_meeting.scheme.categories.get(code="4")
    services.propose_category(assessment, category, None, by=user("cabinet"), today=datetime.date(2016, 6, 1),
                              reasons=f"{DRAFT}: staff left.")
    client = Client()
    pages = everything(client)
    assert len(pages) > 60  # every list, record, filtered list, CSV file and the OpenAPI document
    assert not [url for url, text in pages.items() if DRAFT in text]
    assert client.get(f"/api/v1/meetings/{open_meeting.pk}/").status_code == 404

    services.publish_pack(open_meeting, by=user("scrutiny"))
    pages = everything(client)
    shown = {url for url, text in pages.items() if DRAFT in text}
    assert "/api/v1/evidence.csv" in shown and "/api/v1/assessments.csv" in shown
    assert any(url.startswith("/api/v1/evidence/") for url in shown)
    meeting = client.get(f"/api/v1/meetings/{open_meeting.pk}/").json()
    assert meeting["state"] == "Pack published"
    assert [pack["version"] for pack in meeting["packs"]] == [1]
    assert meeting["packs"][0]["download"].endswith(f"/public/packs/{meeting['packs'][0]['id']}/download/")


def test_a_harvest_of_changes_since_publishing_gives_exactly_the_packs_recommendations(open_meeting):
    client = Client()
    before = timezone.now()
    assert results(client, "/api/v1/recommendations/", changed_since=before.isoformat()) == []

    services.publish_pack(open_meeting, by=user("scrutiny"))
    changed = results(client, "/api/v1/recommendations/", changed_since=before.isoformat(), page_size=1000)
    tracked = set(open_meeting.assessments.values_list("recommendation_id", flat=True))
    assert {r["id"] for r in changed} == tracked
    assert [m["id"] for m in results(client, "/api/v1/meetings/", changed_since=before.isoformat())] == [
        open_meeting.pk
    ]
    assert {a["meeting_id"] for a in results(client, "/api/v1/assessments/", changed_since=before.isoformat(),
                                             page_size=1000)} >= {open_meeting.pk}
    assert {e["recommendation_id"] for e in results(client, "/api/v1/evidence/", changed_since=before.isoformat(),
                                                    page_size=1000)} <= tracked
    assert [p["meeting_id"] for p in results(client, "/api/v1/packs/", changed_since=before.isoformat())] == [
        open_meeting.pk
    ]


def test_recording_the_decisions_marks_the_recommendations_changed(open_meeting):
    office = user("scrutiny")
    services.publish_pack(open_meeting, by=office)
    for assessment in open_meeting.assessments.select_related("recommendation"):
        services.record_decision(assessment, open_meeting.scheme.categories.get(code="4"), by=office)
    before = timezone.now()
    services.advance_meeting(open_meeting, Meeting.State.DECISIONS_RECORDED, office)
    changed = results(Client(), "/api/v1/recommendations/", changed_since=before.isoformat(), page_size=1000)
    assert {r["id"] for r in changed} == set(open_meeting.assessments.values_list("recommendation_id", flat=True))
    assert {r["category_code"] for r in changed} == {"4"}


def test_switching_a_committee_onto_the_register_marks_what_it_published_changed(seed):
    create_demo_users()
    committee = Committee.objects.get()
    before = timezone.now()
    services.update_committee(committee, by=user("scrutiny"), expected_version=None, on_public_register=True)
    client = Client()
    assert len(results(client, "/api/v1/recommendations/", changed_since=before.isoformat())) == 19
    assert len(results(client, "/api/v1/inquiries/", changed_since=before.isoformat())) == 1


def test_pages_follow_in_a_stable_order_to_the_end(on_register):
    client = Client()
    url, seen = "/api/v1/recommendations/?page_size=5", []
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 5
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert seen == sorted(Recommendation.objects.values_list("pk", flat=True))
    assert len(results(client, "/api/v1/recommendations/")) == 19  # 100 to a page


def test_a_page_is_never_larger_than_the_cap(on_register, monkeypatch):
    monkeypatch.setattr(views.Pages, "max_page_size", 7)
    assert len(results(Client(), "/api/v1/recommendations/", page_size=1000)) == 7


@pytest.mark.parametrize("query, field", [
    ("changed_since=yesterday", "changed_since"),
    ("changed_since=2016-13-45T00:00:00", "changed_since"),
    ("cursor=abc", "cursor"),
    ("cursor=cD1hYmM=", "cursor"),  # "p=abc": a place that is not a record's id
    ("cursor=cD0lQzIlQjM=", "cursor"),  # "p=³": a digit to Python, not a number
    ("cursor=cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ==", "cursor"),  # an id no database holds
    ("page_size=-1", "page_size"),
    ("page_size=ten", "page_size"),
    ("page_size=%D9%A3", "page_size"),  # an Arabic-Indic three
    ("page_size=" + "9" * 5000, "page_size"),  # longer than Python turns into a number
    ("committee=99999999999999999999999", "committee"),
])
def test_a_bad_parameter_is_refused_with_a_plain_message(on_register, query, field):
    client = Client()
    for url in [f"/api/v1/recommendations/?{query}", f"/api/v1/recommendations.csv?{query}"]:
        if field in ("cursor", "page_size") and url.endswith(f".csv?{query}"):
            continue  # the CSV file is not paged
        response = client.get(url)
        assert response.status_code == 400, url
        assert field in response.json(), response.json()


@pytest.mark.parametrize("record", [
    "recommendations/99999999999999999999999/", "recommendations/9223372036854775807/", "evidence/abc/",
    "meetings/0/", "packs/-1/", "committees/%C2%B3/",
])
def test_a_record_that_cannot_exist_is_not_found(on_register, record):
    response = Client().get(f"/api/v1/{record}")
    assert response.status_code == 404
    assert response.json()  # said in JSON, as every other answer


def test_a_page_deep_in_the_list_is_found_from_where_the_last_one_ended_without_counting(on_register):
    client = Client()
    first = client.get("/api/v1/recommendations/?page_size=5").json()
    assert "count" not in first and first["previous"] is None
    with CaptureQueriesContext(connection) as captured:
        second = client.get(first["next"]).json()
    assert not any("COUNT(" in query["sql"].upper() for query in captured)
    assert [r["id"] for r in second["results"]] == sorted(Recommendation.objects.values_list("pk", flat=True))[5:10]
    assert [r["id"] for r in client.get(second["previous"]).json()["results"]] == [r["id"] for r in first["results"]]


def test_the_answers_set_no_cookie_and_any_cache_may_keep_them(on_register):
    member = Client()
    member.force_login(user("member"))
    for client in (Client(), member):
        for url in ["/api/v1/", "/api/v1/recommendations/", "/api/v1/recommendations.csv", "/api/v1/openapi.json",
                    "/api/v1/recommendations/?cursor=abc", "/api/v1/packs/12345/"]:
            response = client.get(url)
            assert not response.cookies, url
            assert response["Cache-Control"] == "public, max-age=300", url
            assert "Cookie" not in response.get("Vary", ""), url
    assert member.get("/meetings/").status_code == 200  # still signed in


def grow(n):
    """n more public recommendations in the seed inquiry, each with all the API shows: sub-parts,
    an owner, a moved completion date, corrected evidence, and an assessment at a meeting of its
    own (history from a published report) with a published pack."""
    inquiry = Inquiry.objects.get()
    committee = inquiry.committee
    owner = Recommendation.objects.get(number="R06").owners.first()
    category = committee.scheme.categories.get(code="3")
    for _ in range(n):
        count = Recommendation.objects.count()
        recommendation = Recommendation.objects.create(inquiry=inquiry, committee=committee, number=f"X{count}",
                                                       lead="That:")
        SubPartFactory(recommendation=recommendation)
        Responsibility.objects.create(recommendation=recommendation, owner=owner)
        milestone = Milestone.objects.create(recommendation=recommendation, kind=Milestone.Kind.COMPLETION,
                                             due_date=datetime.date(2016, 12, 31))
        services.move_completion_date(milestone, datetime.date(2017, 3, 31), reason="Slipped.", by=user("scrutiny"))
        meeting = Meeting.objects.create(committee=committee, scheme=committee.scheme, imported=True,
                                         state=Meeting.State.CLOSED, date=datetime.date(2010, 1, 1)
                                         + datetime.timedelta(days=count))
        update = EvidenceUpdate.objects.create(recommendation=recommendation, text="Evidence.", position=0,
                                               following_meeting=meeting)
        update.text, update.version = "Evidence (corrected).", 2
        update.save()
        Assessment.objects.create(recommendation=recommendation, meeting=meeting, agreed_category=category,
                                  proposed_category=category, anticipated_date=datetime.date(2017, 1, 31))
        PublishedPack.objects.create(meeting=meeting, version=1, pdf=b"%PDF", sha256="0" * 64, size=4)


@pytest.mark.parametrize("name", LISTS)
def test_a_list_runs_as_many_queries_for_many_records_as_for_few(on_register, name):
    client = Client()
    grow(2)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/{name}/", {"page_size": 1000})
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    few, shown_few = count()
    grow(30)
    many, shown_many = count()
    assert many == few
    if name not in ("committees", "inquiries", "categories"):
        assert shown_many > shown_few


@pytest.mark.parametrize("name", CSV_FILES)
def test_a_csv_file_runs_as_many_queries_for_many_records_as_for_few(on_register, name):
    client = Client()
    grow(2)

    def count():
        with CaptureQueriesContext(connection) as captured:
            text = body(client.get(f"/api/v1/{name}.csv"))
        return len(captured), len(text.splitlines())

    few, lines_few = count()
    grow(30)
    many, lines_many = count()
    assert many == few and lines_many > lines_few


hostile_text = st.one_of(
    st.text(max_size=100),
    st.sampled_from(["\x00", "%00", "9" * 40, "-1", "1e9", "2016-02-10T00:00:00+00:00", "2016-02-10", "last",
                     "<script>", "' OR 1=1 --"]),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["changed_since", "cursor", "page_size", "committee", "inquiry", "recommendation",
                            "meeting", "scheme", "format"]), value=hostile_text)
@pytest.mark.parametrize("address", [*(f"{name}/" for name in LISTS), *(f"{name}.csv" for name in CSV_FILES)])
def test_any_query_string_gives_an_answer_or_a_plain_refusal(on_register, address, key, value):
    response = Client().get(f"/api/v1/{address}", {key: value})
    assert response.status_code in (200, 400, 404), (address, key, value, response.status_code)
    if response.status_code == 400:
        assert response.json()
