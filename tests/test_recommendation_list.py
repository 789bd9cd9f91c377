"""Everyone signed in reads the list of recommendations, fifty to a page."""

import html
import re

import pytest
from django.db import connection

from tests.factories import (
    CommitteeFactory,
    InquiryFactory,
    OwnerFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)
from tracker import forms, paging
from tracker.models import Inquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(username="reader"))
    return client


def numbers_on(response):
    return re.findall(r">(P\d{3})</a></th>", response.content.decode())


def next_link(response, name="tracked"):
    """The "Next page" link of list ``name``, as the reader follows it."""
    found = re.search(rf'href="(\?[^"]*)#{name}" rel="next"', response.content.decode())
    return found and html.unescape(found.group(1))


def previous_link(response, name="tracked"):
    found = re.search(rf'href="(\?[^"]*)#{name}" rel="prev"', response.content.decode())
    return found and html.unescape(found.group(1))


def test_a_long_list_comes_in_pages_of_fifty(reader):
    first = RecommendationFactory(number="P000", position=0)
    for n in range(1, 120):
        RecommendationFactory(number=f"P{n:03d}", theme=first.theme, position=n)
    page_one = reader.get("/recommendations/")
    assert "Still tracked (120)" in page_one.content.decode()
    assert numbers_on(page_one) == [f"P{n:03d}" for n in range(50)]
    assert previous_link(page_one) is None
    page_two = reader.get("/recommendations/" + next_link(page_one))
    assert numbers_on(page_two) == [f"P{n:03d}" for n in range(50, 100)]
    page_three = reader.get("/recommendations/" + next_link(page_two))
    assert numbers_on(page_three) == [f"P{n:03d}" for n in range(100, 120)]
    assert next_link(page_three) is None
    assert "Back to the first page" in page_three.content.decode()
    back = reader.get("/recommendations/" + previous_link(page_three))
    assert numbers_on(back) == [f"P{n:03d}" for n in range(50, 100)]
    assert numbers_on(reader.get("/recommendations/" + previous_link(back))) == [f"P{n:03d}" for n in range(50)]


def test_pages_follow_report_order_across_inquiries_and_equal_positions(reader):
    """Report order is inquiry, then position, then number: a page may end between two
    recommendations at the same position, and the next page starts exactly after it."""
    made = []
    for inquiry in (InquiryFactory(), InquiryFactory()):
        for n in range(30):
            made.append(RecommendationFactory(theme=ThemeFactory(inquiry=inquiry), number=f"P{n:03d}", position=n // 4))
    expected = [r.number for r in sorted(made, key=lambda r: (r.inquiry_id, r.position, r.number))]
    page_one = reader.get("/recommendations/")
    page_two = reader.get("/recommendations/" + next_link(page_one))
    assert numbers_on(page_one) + numbers_on(page_two) == expected


def test_past_a_large_councils_holding_the_heading_gives_an_estimate(reader, monkeypatch):
    monkeypatch.setattr(paging, "EXACT_COUNT_UP_TO", 30)
    first = RecommendationFactory(number="P000", position=0)
    for n in range(1, 40):
        RecommendationFactory(number=f"P{n:03d}", theme=first.theme, position=n)
    page = reader.get("/recommendations/")
    if connection.vendor == "postgresql":
        assert re.search(r"Still tracked \(about \d+\)", page.content.decode())
    else:
        assert "Still tracked (more than 30)" in page.content.decode()
    assert numbers_on(page) == [f"P{n:03d}" for n in range(40)]


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "99999999999999999999", "1e9", "³", "W1s0LDAsIiJdXQ",
                                 "WzEsMiwzXQ", "WyJhIiwxLCJiIl0", "=" * 700, "WzEsLTEsIlAiXQ"])
@pytest.mark.parametrize("direction", ["tracked_after", "tracked_before", "concluded_after"])
def test_a_bad_page_place_shows_a_page_not_an_error(reader, bad, direction):
    RecommendationFactory(number="P001")
    response = reader.get("/recommendations/", {direction: bad})
    assert response.status_code == 200
    assert numbers_on(response) == ["P001"]


def options_of(response, name):
    """The choices the drop-down ``name`` offers (without its "All …" choice)."""
    select = re.search(rf'<select name="{name}".*?</select>', response.content.decode(), re.S).group(0)
    return [html.unescape(text) for value, text in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)]


def test_past_a_few_hundred_inquiries_and_owners_the_drop_downs_offer_the_committees_own(reader, monkeypatch):
    """A shared service holds thousands of inquiries: the page offers those of the committee
    chosen, so it stays the same size, and a link naming any inquiry still filters by it."""
    monkeypatch.setattr(forms, "LONGEST_LIST", 3)
    housing, leisure = CommitteeFactory(name="Housing Scrutiny"), CommitteeFactory(name="Leisure Scrutiny")
    for committee, count in ((housing, 3), (leisure, 2)):
        for n in range(count):
            inquiry = InquiryFactory(committee=committee, title=f"{committee.name} inquiry {n}")
            RecommendationFactory(theme=ThemeFactory(inquiry=inquiry), number="R01",
                                  owner=OwnerFactory(name=f"{committee.name} owner {n}"))
    everything = reader.get("/recommendations/")
    assert options_of(everything, "inquiry") == []
    assert "Choose a committee and apply the filters to list its inquiries." in everything.content.decode()
    assert options_of(everything, "owner") == []
    leisure_only = reader.get("/recommendations/", {"committee": leisure.pk})
    assert options_of(leisure_only, "inquiry") == ["Leisure Scrutiny inquiry 0", "Leisure Scrutiny inquiry 1"]
    assert options_of(leisure_only, "owner") == ["Leisure Scrutiny owner 0", "Leisure Scrutiny owner 1"]
    one = Inquiry.objects.get(title="Housing Scrutiny inquiry 2")
    by_link = reader.get("/recommendations/", {"inquiry": one.pk})
    assert options_of(by_link, "inquiry") == ["Housing Scrutiny inquiry 2"]
    assert by_link.content.decode().count(">R01</a></th>") == 1


def test_a_council_with_a_few_inquiries_sees_every_one_in_the_drop_down(reader):
    for n in range(4):
        InquiryFactory(title=f"Inquiry {n}")
    assert options_of(reader.get("/recommendations/"), "inquiry") == [f"Inquiry {n}" for n in range(4)]


def test_the_committee_drop_down_reads_as_djangos_own_with_the_chosen_committee_selected(reader):
    """The filters' drop-downs are written in one pass for speed (tracker.forms.Select): what a reader and a
    screen reader meet is the select Django itself would write, GOV.UK class and chosen option included."""
    from django import forms as django_forms
    from django.test.html import parse_html

    from tracker.filters import RecommendationFilter
    from tracker.models import Recommendation

    committees = [CommitteeFactory(name=name) for name in ("Adults & Health", "Children's <Services>", "Housing")]
    page = reader.get("/recommendations/", {"committee": committees[1].pk})
    written = re.search(r'<select name="committee".*?</select>', page.content.decode(), re.S).group(0)

    form = RecommendationFilter({"committee": committees[1].pk}, queryset=Recommendation.objects.all()).form
    field = form.fields["committee"]
    plain = django_forms.Select(attrs=field.widget.attrs, choices=field.widget.choices)
    django_writes = plain.render("committee", str(committees[1].pk), {"id": "id_committee", "class": "govuk-select"})
    assert parse_html(written) == parse_html(django_writes)
    assert options_of(page, "committee") == ["Adults & Health", "Children's <Services>", "Housing"]
    assert f'<option value="{committees[1].pk}" selected>' in written


def test_a_drop_down_with_groups_of_options_keeps_its_groups():
    from django import forms as django_forms
    from django.test.html import parse_html

    choices = [("", "Any"), ("North", [(1, "Ashby"), (2, "Barton")]), ("South", [(3, "Cole & Dene")])]
    attrs = {"id": "id_place", "class": "govuk-select"}
    ours = forms.Select(choices=choices).render("place", 2, attrs)
    theirs = django_forms.Select(choices=choices).render("place", 2, attrs)
    assert parse_html(ours) == parse_html(theirs)
    assert ours.count("<optgroup") == 2 and "Cole &amp; Dene" in ours
