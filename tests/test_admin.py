"""The scrutiny office works in the admin: the seed as printed, filters, search, and no N+1."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AssessmentFactory, RecommendationFactory, SubPartFactory, UserFactory, default_category
from tracker.demo import create_demo_users
from tracker.models import Responsibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, seed):
    create_demo_users()
    client.login(username="scrutiny", password="scrutiny-demo-pass")
    return client


def listed_numbers(response):
    return [r.number for r in response.context["cl"].result_list]


def test_the_recommendation_list_shows_r01_to_r19_with_their_current_category(office):
    response = office.get("/admin/tracker/recommendation/")
    assert response.status_code == 200
    assert listed_numbers(response) == [f"R{n:02d}" for n in range(1, 20)]
    page = response.content.decode()
    assert "2 – Achieved (Late)" in page and "1 – Achieved (Fully)" in page
    assert "3 – Not Achieved (Progress Made) ⚠ anticipated date not advised" in page


def test_the_list_filters_by_status_and_category(office):
    concluded = office.get("/admin/tracker/recommendation/?status=concluded")
    assert listed_numbers(concluded) == ["R01", "R02", "R03", "R11", "R13"]
    fully = default_category("1")
    response = office.get(f"/admin/tracker/recommendation/?category={fully.pk}&status=tracked")
    assert listed_numbers(response) == ["R18", "R19"]


def test_the_list_filters_by_theme(office, seed):
    theme = seed.themes.get(letter="D")
    response = office.get(f"/admin/tracker/recommendation/?theme__id__exact={theme.pk}")
    assert listed_numbers(response) == ["R18", "R19"]


def test_search_finds_a_recommendation_by_number_and_by_text(office):
    assert listed_numbers(office.get("/admin/tracker/recommendation/?q=R06")) == ["R06"]
    assert "R13" in listed_numbers(office.get("/admin/tracker/recommendation/?q=Derbyshire"))
    assert "R06" in listed_numbers(office.get("/admin/tracker/recommendation/?q=nightwatch"))


def test_a_recommendation_opens_with_its_sub_parts_evidence_and_assessments(office):
    from tracker.models import Recommendation

    r06 = Recommendation.objects.get(number="R06")
    response = office.get(f"/admin/tracker/recommendation/{r06.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "business forums and networks" in page
    assert "nightwatch campaign" in page
    assert "⚠ Not advised" in page


def test_committee_members_cannot_use_the_admin(client, seed):
    create_demo_users()
    client.login(username="member", password="member-demo-pass")
    response = client.get("/admin/tracker/recommendation/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def make_recommendations(count):
    first = RecommendationFactory()
    owner_user = UserFactory()
    from tracker.models import Owner

    owner = Owner.objects.create(name=f"Owner of {count}")
    owner.delegates.add(owner_user)
    for n in range(count):
        recommendation = RecommendationFactory(
            theme=first.theme, completion=datetime.date(2016, 1, 31), number=f"X{count}-{n}"
        )
        Responsibility.objects.create(recommendation=recommendation, owner=owner)
        SubPartFactory(recommendation=recommendation)
        AssessmentFactory(recommendation=recommendation, proposed_category=default_category("2"))


def count_list_queries(client, count):
    make_recommendations(count)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/tracker/recommendation/?all=")
    assert response.status_code == 200
    return len(queries)


def test_the_recommendation_list_runs_the_same_queries_for_20_and_200(admin_client):
    small = count_list_queries(admin_client, 20)
    large = count_list_queries(admin_client, 180)  # 20 + 180 = 200 on the page
    assert small == large


def test_the_list_names_each_recommendations_inquiry_and_prints_no_footnote_markup(office):
    response = office.get("/admin/tracker/recommendation/")
    headers = [str(h["text"]).capitalize() for h in response.context["result_headers"]]
    assert headers[:3] == ["Number", "Inquiry", "Recommendation"]
    assert "Child Sexual Exploitation" in response.content.decode()
    assert "[^" not in response.content.decode()
