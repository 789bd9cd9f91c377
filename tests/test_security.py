"""What a council's security review tries: lock-out, CSRF, headers, escaping."""

import pytest
from django.test import Client, override_settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@override_settings(AXES_ENABLED=True)
def test_five_failed_sign_ins_lock_the_account_even_against_the_right_password(client):
    from axes.utils import reset

    reset()
    UserFactory(username="sam", is_staff=True)
    for _ in range(4):
        assert client.post("/admin/login/", {"username": "sam", "password": "guess"}).status_code == 200
    assert client.post("/admin/login/", {"username": "sam", "password": "guess"}).status_code == 429
    response = client.post("/admin/login/", {"username": "sam", "password": "pass-word-123"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True)
def test_a_lock_out_does_not_lock_other_users(client):
    from axes.utils import reset

    reset()
    UserFactory(username="sam", is_staff=True)
    UserFactory(username="alex", is_staff=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": "sam", "password": "guess"})
    response = client.post("/admin/login/?next=/admin/", {"username": "alex", "password": "pass-word-123"})
    assert response.status_code == 302


def test_a_post_without_the_csrf_token_is_refused():
    UserFactory(username="sam", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "sam", "password": "pass-word-123"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_pages_carry_the_security_headers(client):
    response = client.get("/admin/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_production_settings_pass_the_deploy_checks(monkeypatch):
    import subprocess
    import sys
    from pathlib import Path

    env = {
        "SECRET_KEY": "x" * 60 + "production-like-key-for-the-check",
        "ALLOWED_HOSTS": "scrutiny.council.example",
        "DEBUG": "false",
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "scrutiny.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[1], env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
