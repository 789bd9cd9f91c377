import datetime

import pytest

from tracker.importer import SEED_REPORT, import_report, read_report


@pytest.fixture(scope="session")
def seed_data():
    return read_report(SEED_REPORT)


@pytest.fixture
def seed(db, seed_data):
    """The seed report loaded into the database; returns the inquiry."""
    return import_report(seed_data)


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"


@pytest.fixture
def on_register(seed):
    """The seed committee switched onto the public register (as the set-up page does), with the demo users."""
    from django.contrib.auth import get_user_model

    from tracker import services
    from tracker.demo import create_demo_users
    from tracker.models import Committee

    create_demo_users()
    office = get_user_model().objects.get(username="scrutiny")
    services.update_committee(Committee.objects.get(), by=office, expected_version=None, on_public_register=True)
    return Committee.objects.get()


@pytest.fixture
def open_meeting(on_register):
    """A meeting of the committee on the register, open for evidence, tracking the seed's recommendations."""
    from django.contrib.auth import get_user_model

    from tracker import services
    from tracker.models import Meeting

    office = get_user_model().objects.get(username="scrutiny")
    meeting = services.schedule_meeting(on_register, datetime.date(2016, 6, 15), datetime.date(2016, 6, 1), by=office)
    services.choose_recommendations(meeting, by=office)
    return services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, office)


@pytest.fixture(autouse=True)
def standing_kept(request):
    """After every test that wrote to the database: where each recommendation stands (tracker.standing)
    is what the rules give, so a service that changes what it reads without refreshing it fails here."""
    uses_database = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if not uses_database or request.node.get_closest_marker("database_broken"):
        yield
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    yield
    from tracker import standing

    drifted = standing.drift()
    assert not drifted, "Stored standing differs from the rules:\n" + "\n".join(drifted[:20])
