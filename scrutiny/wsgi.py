"""
WSGI config for scrutiny project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

from scrutiny.startup import require_secret_key

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'scrutiny.settings')

application = get_wsgi_application()

# No SECRET_KEY, no serving (a management command may still run without one).
require_secret_key()
