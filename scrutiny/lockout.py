"""Who is signing in from where, and when to stop them (django-axes, configured in settings).

Two limits, so that a stranger can never lock a named person out:

- one username from one address: AXES_FAILURE_LIMIT failures (5) lock that pair only;
  the same person signing in from their own address is not affected;
- one address, whatever the usernames: AXES_ADDRESS_FAILURE_LIMIT failures (20) lock
  that address for everyone, so guessing across many usernames is throttled too.

Both last AXES_COOLOFF_TIME (half an hour). The address is the client's own, read from
X-Forwarded-For only when the request comes from a trusted proxy (TRUSTED_PROXIES).
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from functools import lru_cache

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def trusted_networks() -> tuple:
    """TRUSTED_PROXIES as networks (settings.py has already refused any it cannot read)."""
    return _networks(tuple(settings.TRUSTED_PROXIES))


_WITH_PORT = re.compile(r"^\[(?P<v6>[^\]]+)\](?::\d+)?$|^(?P<v4>\d{1,3}(?:\.\d{1,3}){3}):\d+$")


def parse_address(text: str | None) -> IPAddress | None:
    """An IP address as proxies write it (a port, brackets or an IPv4-mapped IPv6 form allowed), or None."""
    text = (text or "").strip()
    match = _WITH_PORT.match(text)
    if match:
        text = match.group("v6") or match.group("v4")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str | None:
    """The address of the person at the browser (AXES_CLIENT_IP_CALLABLE).

    X-Forwarded-For is believed only when the request itself comes from a trusted proxy
    (REMOTE_ADDR in TRUSTED_PROXIES): anyone else could write anything in it. It is read
    from the right, where each proxy appends the address it was reached from, skipping our
    own trusted hops; the right-most address that is not a trusted proxy is the client.
    Addresses further left were written by the client and are never believed.

    django-ipware (which axes would use if installed) does not fit: its trusted-proxy rule
    looks for the proxies' addresses inside the header, which the client writes, and never
    checks the address the request actually came from.
    """
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    networks = trusted_networks()
    if peer is None or not _is_trusted(peer, networks):
        return str(peer) if peer else None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for entry in reversed(forwarded.split(",")):
        address = parse_address(entry)
        if address is None:
            break  # unreadable: the nearest hop that could be read is as far as we can see
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


class SignInLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per (username, address) and a higher one per address.

    axes compares one number, ``get_failures``, with one limit (AXES_FAILURE_LIMIT) for
    every lockout parameter. Here the parameter of the address alone has its own limit,
    AXES_ADDRESS_FAILURE_LIMIT; reaching it counts as reaching AXES_FAILURE_LIMIT.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair_limit = get_failure_limit(request, credentials)
        pair = address = 0
        parameters = get_lockout_parameters(request, credentials)
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter == "ip_address":
                address = max(address, failures)
            else:
                pair = max(pair, failures)
        if address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.signin_locked = "address"
            return max(pair, pair_limit)
        if pair >= pair_limit:
            request.signin_locked = "user"
        return pair

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful sign-in, forget that user's failures from that address only.

        axes would delete every attempt matching any lockout parameter, which includes
        every failure from the address: signing in to one's own account every few tries
        would then reset the address limit for guessing at everyone else's.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


def in_words(duration: datetime.timedelta) -> str:
    """'30 minutes', '1 hour', '2 hours', '1 day' (whole units, as a person would say it)."""
    minutes = round(duration.total_seconds() / 60)
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size and minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{minutes} minutes"


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE), saying what happened and for how long."""
    cool_off = get_cool_off(request)
    response = render(
        request,
        "registration/locked_out.html",
        {
            "whole_address": getattr(request, "signin_locked", "user") == "address",
            "wait": in_words(cool_off) if cool_off else None,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
