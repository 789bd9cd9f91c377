"""Settings for the test suite: production settings with a throwaway key and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment")

from scrutiny.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests sign in with client.login(), which passes no request to django-axes; the
# lock-out test turns it back on.
AXES_ENABLED = False
SECURE_SSL_REDIRECT = False
# No collectstatic before tests: serve static files unhashed.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tasks run at once, in the test's own thread, when the transaction that enqueued them commits
# (tests/test_messages.py runs the real database worker against the test database as well).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SITE_URL = "http://scrutiny.example"
# Processes the tests start (servers, workers) keep their e-mails in memory too: no mail server is tried.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
