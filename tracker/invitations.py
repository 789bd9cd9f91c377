"""The link in an invitation e-mail: whoever holds it chooses the invited person's first password.

Signed by Django (``django.core.signing``) with the person's id and their password as it
was when invited, so a link works once (choosing a password changes it), for 14 days.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing

SALT = "tracker.invitation"
LASTS_DAYS = 14


def token_for(user) -> str:
    return signing.dumps({"user": user.pk, "password": user.password[-12:]}, salt=SALT, compress=True)


def invited_by_token(token: str):
    """The invited person whose link this is, or None: a link that is wrong, used or too old."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LASTS_DAYS * 24 * 60 * 60)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None or user.password[-12:] != data.get("password"):
        return None
    return user
