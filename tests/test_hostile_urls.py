"""Random and hostile values in URLs and query strings: never a server error."""

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ID_ROUTES = [
    "/meetings/{}/",
    "/meetings/{}/change/",
    "/meetings/{}/recommendations/",
    "/meetings/{}/pack/",
    "/meetings/{}/pack/preview/",
    "/recommendations/{}/",
    "/my-recommendations/meetings/{}/",
    "/portfolio/meetings/{}/",
    "/assessments/{}/proposal/",
    "/assessments/{}/decision/",
    "/evidence/{}/correct/",
    "/packs/{}/download/",
    "/meetings/{}/decisions/",
    "/portfolio/meetings/{}/proposals/",
    "/meetings/{}/cover/{}/",
    "/public/committees/{}/",
    "/public/inquiries/{}/",
    "/public/recommendations/{}/",
    "/public/packs/{}/download/",
]

QUERY_ROUTES = ["/search/", "/recommendations/", "/recommendations/download.xlsx", "/recommendations/download.csv",
                "/meetings/", "/accounts/login/", "/", "/overview/", "/accounts/emails/", "/public/", "/public/search/"]

ids = st.one_of(st.integers(min_value=0, max_value=10**30), st.sampled_from([2**31, 2**63, 2**63 - 1, 2**64]))
hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd", "\x00",
                     "http://evil.example/", "//evil.example", "javascript:alert(1)", "9" * 40, "-1", "1e9"]),
)


def office_client():
    from django.contrib.auth.models import Group

    user = UserFactory(username="hostile-office", is_staff=True)
    user.groups.add(Group.objects.get(name="Scrutiny Office"))
    client = Client()
    client.force_login(user)
    return client


@settings(max_examples=25, deadline=None)
@given(number=ids)
@pytest.mark.parametrize("route", ID_ROUTES)
def test_any_number_in_a_url_gives_a_page_or_not_found(route, number):
    client = office_client()
    response = client.get(route.format(number, number))
    assert response.status_code in (200, 302, 403, 404), (route, number, response.status_code)


@settings(max_examples=30, deadline=None)
@given(key=st.sampled_from(["q", "tracked_after", "tracked_before", "concluded_after", "next", "page", "status", "committee", "inquiry",
                            "owner", "category", "overdue"]), value=hostile_text)
@pytest.mark.parametrize("route", QUERY_ROUTES)
def test_any_query_string_gives_a_page(route, key, value):
    client = office_client()
    response = client.get(route, {key: value})
    assert response.status_code in (200, 302, 400), (route, key, value, response.status_code)
    if response.status_code == 400:  # a filter value not in its list: said beside the field, the page still shown
        assert 'class="govuk-error-message"' in response.content.decode(), (route, key, value)
    if response.status_code == 302:
        assert not response["Location"].startswith(("http://evil", "//evil", "javascript:"))


ADMIN_MODELS = ["recommendation", "meeting", "evidenceupdate", "assessment", "conclusion", "datechange",
                "inquiry", "committee", "owner", "assessmentscheme", "coverreport"]
ADMIN_FILTERS = ["category", "status", "inquiry__committee__id__exact", "inquiry__id__exact", "theme__id__exact",
                 "committee__id__exact", "state__exact", "meeting__id__exact", "q", "o", "p", "all", "e"]


@settings(max_examples=20, deadline=None)
@given(key=st.sampled_from(ADMIN_FILTERS), value=hostile_text)
@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_any_admin_filter_value_gives_a_list_or_a_polite_refusal(model, key, value):
    client = office_client()
    response = client.get(f"/admin/tracker/{model}/", {key: value})
    assert response.status_code in (200, 302, 400), (model, key, value, response.status_code)


@settings(max_examples=15, deadline=None)
@given(number=st.one_of(ids, st.sampled_from(["abc", "-1", "1.5", "%00", "9" * 25])))
@pytest.mark.parametrize("model", ADMIN_MODELS)
@pytest.mark.parametrize("page", ["change", "history", "delete", "history/1"])
def test_any_id_in_an_admin_url_gives_a_page_or_not_found(model, page, number):
    client = office_client()
    response = client.get(f"/admin/tracker/{model}/{number}/{page}/")
    assert response.status_code in (200, 302, 403, 404), (model, page, number, response.status_code)


@pytest.mark.parametrize("model", ADMIN_MODELS)
@pytest.mark.parametrize("key", ["state__exact", "committee__id__exact", "q", "o"])
def test_a_nul_character_in_an_admin_filter_gets_the_admins_invalid_filter_notice(model, key):
    """No record can hold a NUL, and PostgreSQL refuses one in a query outright: the admin says
    the filter is invalid, as it does for any value it cannot use."""
    response = office_client().get(f"/admin/tracker/{model}/", {key: "draft\x00"})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/tracker/{model}/?e=1"
