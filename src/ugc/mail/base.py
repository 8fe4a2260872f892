"""The Mailer port and the one way we build a message."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol


class MailError(Exception):
    """A message could not be handed to the mail system."""


class Mailer(Protocol):
    """Sends one message; raises MailError when it cannot."""

    async def send(self, message: EmailMessage) -> None:
        """Deliver `message` (or hand it to the next hop)."""
        ...


def compose(sender: str, to: str, subject: str, text: str) -> EmailMessage:
    """A plain-text message with the headers every mail system expects."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message.set_content(text)
    return message
