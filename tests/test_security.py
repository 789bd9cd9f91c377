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


def _manage(*args, **env):
    import subprocess
    import sys
    from pathlib import Path

    # SECRET_KEY and DEBUG set empty and off here, so that a developer's .env cannot stand in for them.
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "scrutiny.settings", "SECRET_KEY": "", "DEBUG": "false",
           **env}
    return subprocess.run([sys.executable, *args], cwd=Path(__file__).resolve().parents[1], env=env,
                          capture_output=True, text=True)


def test_production_settings_pass_the_deploy_checks():
    result = _manage(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="x" * 60 + "production-like-key-for-the-check", ALLOWED_HOSTS="scrutiny.council.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_behind_a_proxy_pass_the_deploy_checks():
    result = _manage(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="x" * 60 + "production-like-key-for-the-check", ALLOWED_HOSTS="scrutiny.council.example",
        BEHIND_PROXY="true", TRUSTED_PROXIES="127.0.0.1,10.0.0.0/8",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _trusted_proxies(**env):
    return _manage("-c", "from django.conf import settings; print(settings.TRUSTED_PROXIES)", **env)


def test_only_a_proxy_on_this_machine_is_trusted_behind_a_proxy_unless_others_are_named():
    assert _trusted_proxies().stdout.strip() == "[]"
    assert _trusted_proxies(BEHIND_PROXY="true").stdout.strip() == "['127.0.0.1', '::1']"
    named = _trusted_proxies(BEHIND_PROXY="true", TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.1")
    assert named.stdout.strip() == "['10.0.0.0/8', '192.0.2.1']"


def test_a_trusted_proxy_that_is_not_an_address_stops_the_app_saying_which():
    refused = _trusted_proxies(TRUSTED_PROXIES="127.0.0.1,proxy.council.internal")
    assert refused.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.council.internal' is not an IP address or network" in refused.stderr


def test_a_fresh_checkout_runs_check_and_makemigrations_clean_without_any_settings():
    check = _manage("manage.py", "check")
    assert check.returncode == 0 and "no issues" in check.stdout, check.stdout + check.stderr
    migrations = _manage("manage.py", "makemigrations", "--check", "--dry-run")
    assert migrations.returncode == 0 and "No changes detected" in migrations.stdout, migrations.stderr


@pytest.mark.parametrize("server", ["scrutiny.wsgi", "scrutiny.asgi"])
def test_the_app_will_not_serve_without_a_secret_key(server):
    refused = _manage("-c", f"import {server}")
    assert refused.returncode != 0
    assert "Set SECRET_KEY (or DEBUG=true for local development): the app will not serve without it." in refused.stderr
    served = _manage("-c", f"import {server}", SECRET_KEY="y" * 60)
    assert served.returncode == 0, served.stderr


def test_the_deploy_check_names_a_missing_secret_key():
    result = _manage("manage.py", "check", "--deploy", ALLOWED_HOSTS="scrutiny.council.example")
    assert result.returncode == 0  # warnings only: the check reports, the server refuses
    assert "security.W009" in result.stderr + result.stdout


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_and_html_in_evidence_come_out_escaped_on_every_page_that_shows_it(seed):
    import datetime

    from tests.pages import signed_in
    from tracker import services
    from tracker.demo import create_demo_users
    from tracker.models import Committee, Meeting, Recommendation

    create_demo_users()
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    meeting = services.schedule_meeting(
        Committee.objects.get(), datetime.date(2016, 6, 15), datetime.date(2016, 6, 1), by=users["scrutiny"]
    )
    services.choose_recommendations(meeting, by=users["scrutiny"])
    services.advance_meeting(meeting, Meeting.State.EVIDENCE_OPEN, users["scrutiny"])
    r06 = Recommendation.objects.get(number="R06")
    services.add_evidence(r06, meeting, f"Update {PAYLOAD} end", datetime.date(2016, 5, 2), by=users["officer"])

    pages = [
        ("officer", f"/my-recommendations/meetings/{meeting.pk}/"),
        ("cabinet", f"/portfolio/meetings/{meeting.pk}/"),
        ("member", f"/meetings/{meeting.pk}/"),
        ("member", f"/recommendations/{r06.pk}/"),
        ("member", "/search/?q=Update+end"),
        ("scrutiny", f"/meetings/{meeting.pk}/pack/preview/"),
        ("scrutiny", f"/admin/tracker/recommendation/{r06.pk}/change/"),
    ]
    for username, url in pages:
        body = signed_in(username).get(url).content.decode()
        assert "Update" in body, url
        assert '<script>alert("x")' not in body and "<img src=x" not in body, url
        assert "&lt;script&gt;" in body or "alert(&quot;x&quot;)" in body, url
