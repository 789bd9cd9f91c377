"""Committee members search recommendation text, sub-parts and evidence."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EvidenceUpdateFactory, RecommendationFactory, SubPartFactory
from tracker.search import search

pytestmark = pytest.mark.django_db


def numbers(hits):
    return [hit.recommendation.number for hit in hits]


def test_a_word_in_the_evidence_finds_its_recommendation_with_a_highlighted_snippet(seed):
    hits = search("nightwatch")
    assert numbers(hits) == ["R06"]
    where, snippet = hits[0].snippets[0]
    assert where == "Evidence"
    assert "<mark>nightwatch</mark>" in snippet.lower()


def test_a_word_in_a_sub_part_finds_its_recommendation(seed):
    assert "R13" in numbers(search("Derbyshire"))


def test_the_best_match_comes_first(seed):
    hits = search("licensing")
    assert hits and hits[0].recommendation.number in {"R09", "R10"}
    assert [h.rank for h in hits] == sorted((h.rank for h in hits), reverse=True)


def test_several_words_must_all_appear(seed):
    assert numbers(search("Priory homes")) == ["R12"]
    assert search("Priory nightwatch") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_postgresql_finds_other_forms_of_a_word(seed):
    assert "R09" in numbers(search("licences"))


def test_markup_in_evidence_comes_back_escaped():
    update = EvidenceUpdateFactory(text="Officers wrote <script>alert('x')</script> about taxis")
    hits = search("taxis")
    snippet = hits[0].snippets[0][1]
    # Escaped on SQLite, stripped by ts_headline on PostgreSQL: inert either way.
    assert "<script" not in snippet and "</script" not in snippet
    assert "<mark>taxis</mark>" in snippet
    assert hits[0].recommendation == update.recommendation


@pytest.mark.parametrize("query", ["", "   ", "\x00\x01", "-", "\"", "'\"&|!():*", "or", "a" * 5000])
def test_any_query_is_safe(seed, query):
    assert isinstance(search(query), list)


def make(count):
    for n in range(count):
        recommendation = RecommendationFactory(lead=f"That training number {n} happens:")
        SubPartFactory(recommendation=recommendation, text="Training for all staff.")
        EvidenceUpdateFactory(recommendation=recommendation, text="Training was delivered.")


def queries_for(count):
    make(count)
    with CaptureQueriesContext(connection) as captured:
        assert len(search("training", limit=500)) >= count
    return len(captured)


def test_search_runs_the_same_number_of_queries_for_20_and_200_recommendations():
    assert queries_for(20) == queries_for(180)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_postgresql_answers_from_the_gin_index(seed):
    from django.contrib.postgres.search import SearchQuery, SearchVector

    from tracker.models import EvidenceUpdate

    query = SearchQuery("nightwatch", config="english", search_type="websearch")
    # No ordering: the model's default ordering joins other tables, and the planner may then
    # reach the rows through a foreign-key index instead; the search's match is what is tested.
    queryset = (
        EvidenceUpdate.objects.annotate(document=SearchVector("text", config="english"))
        .filter(document=query)
        .order_by()
        .values("pk")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # leave the GIN (bitmap) index as the way in
        plan = queryset.explain()
    assert "tracker_evidenceupdate_text_fts" in plan


def test_a_word_in_more_texts_than_are_ranked_finds_the_newest(monkeypatch):
    import tracker.search

    monkeypatch.setattr(tracker.search, "CANDIDATES", 5)
    updates = [EvidenceUpdateFactory(text=f"Update {n} on the zebra crossings.") for n in range(8)]
    found = {hit.recommendation for hit in search("zebra")}
    assert found == {update.recommendation for update in updates[3:]}


def test_a_committee_member_searches_from_the_search_page(client, seed):
    from tracker.demo import create_demo_users

    create_demo_users()
    client.login(username="member", password="member-demo-pass")
    response = client.get("/search/", {"q": "nightwatch"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 recommendation found for “nightwatch”" in page
    assert "R06" in page and "<mark>nightwatch</mark>" in page.lower()


def test_the_search_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/search/", {"q": "training"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_hostile_query_is_shown_escaped_on_the_search_page(client, seed):
    from tracker.demo import create_demo_users

    create_demo_users()
    client.login(username="member", password="member-demo-pass")
    page = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
