"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests and browser journeys.

    with smtp_mailbox(site_url=live_server.url) as mailbox:
        ...  # Django's SMTP backend now sends to it; e-mails' links point at site_url
        mailbox.to("olivia.officer@example.gov.uk")  # the messages one address received

Django's settings are changed for the whole process while it runs, so a live server's
thread sends to it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import re
import socket

from django.test import override_settings


class Mailbox:
    """What an SMTP server received (aiosmtpd's handler interface)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.port: int | None = None  # where the server listens on 127.0.0.1 (other processes send there too)

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    @staticmethod
    def subject(message) -> str:
        """The subject as a mail program shows it: Django's encoder folds a long subject with
        non-ASCII characters onto a continuation line, which the parser keeps as a leading space."""
        return message["Subject"].strip()

    @staticmethod
    def text(message) -> str:
        """The plain-text part, as written (line ends as sent over SMTP undone)."""
        part = message.get_body(preferencelist=("plain",))
        return part.get_content().replace("\r\n", "\n")

    @staticmethod
    def html(message) -> str:
        part = message.get_body(preferencelist=("html",))
        return part.get_content().replace("\r\n", "\n") if part else ""

    @classmethod
    def links(cls, message) -> list[str]:
        return re.findall(r"https?://\S+", cls.text(message))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_mailbox(*, site_url: str | None = None, from_email: str = "scrutiny@council.example"):
    """A real SMTP server on 127.0.0.1 at a free port, with Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    port = free_port()
    mailbox = Mailbox()
    mailbox.port = port
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, loop=asyncio.new_event_loop())
    controller.start()
    extra = {"SITE_URL": site_url} if site_url else {}
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port,
            EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="", EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_TIMEOUT=10,
            DEFAULT_FROM_EMAIL=from_email, **extra,
        ):
            yield mailbox
    finally:
        controller.stop()
        controller.loop.close()
