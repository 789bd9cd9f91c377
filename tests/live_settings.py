"""The production settings as the app servers and workers of a live test run them.

Everything comes from the environment, as on a council's machines (DATABASE_URL, SECRET_KEY,
EMAIL_URL, FILE_STORAGE, MEDIA_ROOT; tasks wait in the database for db_worker), except that
static files are found where they are written instead of collected and hashed, so no
collectstatic (half a minute) runs before each test. scrutiny.settings_test is not used: it
keeps e-mails in memory and runs tasks at once.
"""

from scrutiny.settings import *  # noqa: F401,F403
from scrutiny.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing collected: WhiteNoise need not look there
