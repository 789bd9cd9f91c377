"""Everyone signed in reads the list of recommendations, fifty to a page."""

import re

import pytest

from tests.factories import RecommendationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(username="reader"))
    return client


def numbers_on(response):
    return re.findall(r">(P\d{3})</a></th>", response.content.decode())


def test_a_long_list_comes_in_pages_of_fifty(reader):
    first = RecommendationFactory(number="P000", position=0)
    for n in range(1, 120):
        RecommendationFactory(number=f"P{n:03d}", theme=first.theme, position=n)
    page_one = reader.get("/recommendations/")
    assert "Still tracked (120)" in page_one.content.decode()
    assert numbers_on(page_one) == [f"P{n:03d}" for n in range(50)]
    page_three = reader.get("/recommendations/", {"tracked_page": 3})
    assert numbers_on(page_three) == [f"P{n:03d}" for n in range(100, 120)]
    assert 'aria-current="page">3</a>' in page_three.content.decode()


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "99999999999999999999", "1e9"])
def test_a_bad_page_number_shows_a_page_not_an_error(reader, bad):
    RecommendationFactory(number="P001")
    response = reader.get("/recommendations/", {"tracked_page": bad})
    assert response.status_code == 200
    assert numbers_on(response) == ["P001"]
