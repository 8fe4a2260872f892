"""SMTP with the standard library: STARTTLS on smtp://, TLS from the start on smtps://."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from ugc.mail.base import MailError

TIMEOUT_SECONDS = 15
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class SmtpMailer:
    """Hands messages to an SMTP server (a relay or the provider's submission port)."""

    def __init__(self, url: str, *, tls_context: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.tls_context = tls_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=TIMEOUT_SECONDS, context=self.tls_context
            )
        client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
        client.ehlo()
        if client.has_extn("starttls"):
            client.starttls(context=self.tls_context)
            client.ehlo()
        elif self.username and self.host not in LOCAL_HOSTS:
            client.close()
            raise MailError(f"{self.host} offers no STARTTLS; not sending a password in clear")
        return client

    def _send(self, message: EmailMessage) -> None:
        with self._connect() as client:
            if self.username and self.password is not None:
                client.login(self.username, self.password)
            client.send_message(message)

    async def send(self, message: EmailMessage) -> None:
        """Deliver through the server; MailError when it refuses or cannot be reached."""
        try:
            await asyncio.to_thread(self._send, message)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"SMTP {self.host}:{self.port} failed: {exc}") from exc
