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
