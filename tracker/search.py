"""Search recommendations by their text, sub-parts and evidence, for committee members.

On PostgreSQL: full-text search (English stemming, web-search syntax: "quoted
phrases", or, -exclusions), one GIN expression index per searched table (migration
0004), results ranked and with highlighted snippets. On SQLite: every word must appear,
found case-insensitively, with the same kind of snippet. Always a fixed number of queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import ExpressionWrapper, F, IntegerField, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tracker.models import EvidenceUpdate, Recommendation, SubPart

CONFIG = "english"
MAX_TERMS = 12
MAX_QUERY_LENGTH = 200
PER_SOURCE = 200
# At most this many matches of each kind (recommendation text, sub-parts, evidence) are ranked: the
# newest, which in a tracker are the ones people are looking for.
CANDIDATES = 200
# Private-use markers that never occur in text: the headline is escaped, then they become <mark>.
START, STOP = "\ue000", "\ue001"

# (model, text field, where the text is, how to reach the recommendation)
SOURCES = [
    (Recommendation, "lead", "Recommendation", "pk"),
    (SubPart, "text", "Recommendation", "recommendation_id"),
    (EvidenceUpdate, "text", "Evidence", "recommendation_id"),
]


@dataclass
class Scope:
    """What a search may find: everything for signed-in users; the public register passes
    tracker.public's querysets (and recommendations without the unpublished category in force)."""

    recommendations: QuerySet | None = None
    sub_parts: QuerySet | None = None
    evidence: QuerySet | None = None

    def rows(self, model) -> QuerySet:
        chosen = {Recommendation: self.recommendations, SubPart: self.sub_parts, EvidenceUpdate: self.evidence}[model]
        return model.objects.all() if chosen is None else chosen

    def results(self) -> QuerySet:
        """The recommendations found, as the results list shows them."""
        found = (
            Recommendation.objects.with_current_category().with_conclusion_flag()
            if self.recommendations is None else self.recommendations
        )
        return found.select_related("inquiry__committee", "theme")


@dataclass
class Hit:
    recommendation: Recommendation
    rank: float = 0.0
    snippets: list[tuple[str, SafeString]] = field(default_factory=list)


def clean_query(text: str) -> str:
    """Trim, drop control characters and cap the length: any input is a safe query."""
    text = "".join(ch for ch in (text or "") if ch.isprintable())
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def _highlight(headline: str) -> SafeString:
    return mark_safe(escape(headline).replace(START, "<mark>").replace(STOP, "</mark>"))


def search(text: str, *, limit: int = 50, within: Scope | None = None) -> list[Hit]:
    """Recommendations whose number the query is ("R06", "r6", "Rec 1", "6") first, then the
    full-text results."""
    query = clean_query(text)
    if not query:
        return []
    within = within or Scope()
    by_number = _number_hits(query, limit, within)
    if connection.vendor == "postgresql":
        hits = _postgres_search(query, limit, within)
    else:
        hits = _collect(_plain_rows(query, within), limit, within)
    found = {hit.recommendation.pk for hit in by_number}
    return (by_number + [hit for hit in hits if hit.recommendation.pk not in found])[:limit]


# A recommendation's number as people type it: an optional prefix of words, then a whole number.
NUMBER = re.compile(r"^(?P<prefix>[^\W\d_][\w .]*?)?\s*(?P<digits>\d{1,9})$")


def _number_key(number: str) -> tuple[str, int] | None:
    """("r", 6) for "R06", ("leisuretaskgrouprec", 1) for "Leisure Task Group Rec 1"."""
    match = NUMBER.match(number.strip())
    if not match:
        return None
    prefix = re.sub(r"[\W_]", "", match["prefix"] or "").lower()
    return prefix, int(match["digits"])


def _number_hits(query: str, limit: int, within: Scope) -> list[Hit]:
    """The recommendations the query names by number, in one query (none when it is not one).

    The prefix typed must end the number's prefix ("Rec 1" finds "Leisure Task Group Rec 1"),
    leading zeros do not count ("R6" finds "R06"), and a bare number finds every prefix
    ("6" finds R06 and "Rec 6"). The database narrows by the number's last digits; the exact
    rule is applied here."""
    wanted = _number_key(query)
    if wanted is None:
        return []
    prefix, value = wanted
    # Numbers first (cheap, in report order from its index), then only the hits shown, in full.
    candidates = (
        within.rows(Recommendation).filter(number__iendswith=str(value))
        .order_by("inquiry_id", "position", "number").values_list("pk", "number")[:PER_SOURCE]
    )
    ranked = []
    for pk, number in candidates:
        key = _number_key(number)
        if key and key[1] == value and key[0].endswith(prefix):
            ranked.append((pk, number, 2.0 if number.lower() == query.lower() else 1.0))
    ranked.sort(key=lambda row: -row[2])  # stable: the exact numbers first, each in report order
    ranked = ranked[:limit]
    recommendations = within.results().in_bulk([pk for pk, _, _ in ranked])
    return [Hit(recommendation=recommendations[pk], rank=rank, snippets=[("Number", number)])
            for pk, number, rank in ranked]


def _collect(rows, limit: int, within: Scope) -> list[Hit]:
    """Sum each recommendation's ranks, keep the best ``limit``, and fetch them in one query."""
    hits: dict[int, Hit] = {}
    for recommendation_id, rank, where, snippet in rows:
        hit = hits.setdefault(recommendation_id, Hit(recommendation=None))
        hit.rank += rank
        if snippet is not None and len(hit.snippets) < 3:
            hit.snippets.append((where, snippet))
    ranked = sorted(hits.items(), key=lambda item: -item[1].rank)[:limit]
    recommendations = within.results().in_bulk([pk for pk, _ in ranked])
    result = []
    for pk, hit in ranked:
        hit.recommendation = recommendations[pk]
        result.append(hit)
    return result


def _postgres_search(query: str, limit: int, within: Scope) -> list[Hit]:
    """Rank with the GIN-indexed match first; make headlines (costly) only for the hits shown."""
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector

    search_query = SearchQuery(query, config=CONFIG, search_type="websearch")
    matched = []
    rows = []
    for model, text_field, where, link in SOURCES:
        vector = SearchVector(text_field, config=CONFIG)
        # The GIN index finds the matches; only the newest CANDIDATES of them are ranked (ranking
        # parses each text again), so a common word costs the same among a quarter of a million
        # recommendations as among a thousand.
        # (By pk + 0: ordered by the bare pk, the planner may walk the primary key's index looking
        # for a rare word, parsing every text on its way, instead of asking the GIN index.)
        newest = (
            within.rows(model).annotate(document=vector).filter(document=search_query)
            .order_by(ExpressionWrapper(F("pk") + 0, output_field=IntegerField()).desc()).values("pk")[:CANDIDATES]
        )
        found = list(
            model.objects.filter(pk__in=newest)
            .annotate(rank=SearchRank(vector, search_query), target=F(link))
            .order_by("-rank", "-pk")
            .values_list("pk", "target", "rank")
        )
        matched.append((model, text_field, where, found))
        rows += [(target, rank, where, None) for _, target, rank in found]
    hits = _collect(rows, limit, within)
    shown = {hit.recommendation.pk: hit for hit in hits}
    for model, text_field, where, found in matched:
        best = {}
        for pk, target, _ in found:  # best first: keep each shown recommendation's best row
            if target in shown and target not in best:
                best[target] = pk
        if not best:
            continue
        headlines = dict(
            within.rows(model).filter(pk__in=best.values())
            .annotate(
                headline=SearchHeadline(
                    text_field, search_query, config=CONFIG, start_sel=START, stop_sel=STOP,
                    max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … ",
                )
            )
            .values_list("pk", "headline")
        )
        for target, pk in best.items():
            shown[target].snippets.append((where, _highlight(headlines[pk])))
    return hits


def _terms(query: str) -> list[str]:
    terms = [t.strip('"\'') for t in query.split()]
    return [t for t in terms if t and not t.startswith("-") and t.lower() != "or"][:MAX_TERMS]


def _snippet(text: str, terms: list[str], width: int = 90) -> SafeString:
    lowered = text.lower()
    first = min((lowered.find(t.lower()) for t in terms if t.lower() in lowered), default=0)
    start = max(0, first - width // 3)
    end = min(len(text), start + width * 2)
    piece = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", piece)
    return _highlight(marked)


def _plain_rows(query: str, within: Scope):
    terms = _terms(query)
    if not terms:
        return
    for model, text_field, where, link in SOURCES:
        condition = Q()
        for term in terms:
            condition &= Q(**{f"{text_field}__icontains": term})
        matches = within.rows(model).filter(condition).order_by("-pk").values_list(link, text_field)[:CANDIDATES]
        for target, text in matches:
            rank = sum(text.lower().count(t.lower()) for t in terms) / (1 + len(text) / 500)
            yield target, rank, where, _snippet(text, terms)
