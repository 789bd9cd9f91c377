"""The link in an invitation e-mail: whoever holds it chooses the invited person's first password.

Signed by Django (``django.core.signing``) with the person's id and a keyed digest of their
password field as it was when invited (never the field itself), so a link works once
(choosing a password changes it), for 14 days.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.crypto import salted_hmac

SALT = "tracker.invitation"
LASTS_DAYS = 14


def _seal(user) -> str:
    return salted_hmac(SALT, user.password, algorithm="sha256").hexdigest()[:24]


def token_for(user) -> str:
    return signing.dumps({"user": user.pk, "password": _seal(user)}, salt=SALT, compress=True)


def invited_by_token(token: str, *, for_update: bool = False):
    """The invited person whose link this is, or None: a link that is wrong, used or too old.

    ``for_update`` locks their row (inside a transaction) so that two uses of one link
    at the same moment choose one password, not two.
    """
    try:
        data = signing.loads(token, salt=SALT, max_age=LASTS_DAYS * 24 * 60 * 60)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    people = get_user_model().objects.filter(pk=data["user"], is_active=True)
    user = (people.select_for_update() if for_update else people).first()
    if user is None or _seal(user) != data.get("password"):
        return None
    return user
