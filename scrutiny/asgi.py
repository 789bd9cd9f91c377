"""
ASGI config for scrutiny project.

It exposes the ASGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

from scrutiny.startup import require_secret_key

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'scrutiny.settings')

application = get_asgi_application()

# No SECRET_KEY, no serving (a management command may still run without one).
require_secret_key()
