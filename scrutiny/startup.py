"""What the app checks before it serves a single request."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to serve without a SECRET_KEY: sessions and CSRF tokens would be signed with nothing.

    Django reads an empty key lazily, on the first request that signs something; a server
    should stop at start-up instead, saying what to set.
    """
    try:
        settings.SECRET_KEY  # noqa: B018 (reading it is the check)
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            "Set SECRET_KEY (or DEBUG=true for local development): the app will not serve without it."
        ) from None
