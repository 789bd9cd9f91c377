"""Two people editing the same record at once: the second save is refused, nothing is lost."""

import datetime

import pytest
from django.test import Client

from tests.factories import AssessmentFactory, RecommendationFactory, UserFactory, default_category
from tracker import services
from tracker.models import Recommendation

pytestmark = pytest.mark.django_db


def office_client(username):
    user = UserFactory(username=username, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def change_form_data(client, url):
    """What the browser would send back: the page's form as it was loaded."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    for formset in client.get(url).context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
        for inline_form in formset.formset.forms:
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is None or value is False:
                    continue
                data[f"{inline_form.prefix}-{name}"] = value
    return data


def test_the_second_of_two_simultaneous_admin_edits_is_refused_and_says_what_changed():
    recommendation = RecommendationFactory(lead="That:")
    url = f"/admin/tracker/recommendation/{recommendation.pk}/change/"
    alice, bob = office_client("alice"), office_client("bob")
    alice_form, bob_form = change_form_data(alice, url), change_form_data(bob, url)

    alice_form["lead"] = "That the Council:"
    assert alice.post(url, alice_form).status_code == 302

    bob_form["original_timescale"] = "July 2015"
    response = bob.post(url, bob_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "was saved by alice while you were editing it" in page
    assert "Changed since you opened it: lead" in page

    recommendation.refresh_from_db()
    assert recommendation.lead == "That the Council:"
    assert recommendation.original_timescale == ""
    assert recommendation.history.count() == 2


def test_an_admin_edit_from_a_fresh_page_is_saved_and_moves_the_version_on():
    recommendation = RecommendationFactory()
    url = f"/admin/tracker/recommendation/{recommendation.pk}/change/"
    client = office_client("alice")
    data = change_form_data(client, url)
    data["lead"] = "That the Leader:"
    assert client.post(url, data).status_code == 302
    assert Recommendation.objects.get(pk=recommendation.pk).version == recommendation.version + 1


def test_the_second_of_two_simultaneous_proposals_is_refused_with_the_current_values():
    recommendation = RecommendationFactory(completion=datetime.date(2015, 7, 31))
    assessment = AssessmentFactory(recommendation=recommendation)
    first, second = UserFactory(username="first"), UserFactory(username="second")
    read_at = assessment.version
    services.propose_assessment(assessment, default_category("2"), None, by=first, expected_version=read_at)
    with pytest.raises(services.StaleEdit) as stale:
        services.propose_assessment(
            assessment, default_category("3"), datetime.date(2030, 1, 31), by=second, expected_version=read_at
        )
    assert stale.value.current.proposed_category.code == "2"
    assert stale.value.current.proposed_by == first
    assessment.refresh_from_db()
    assert assessment.proposed_category.code == "2"
