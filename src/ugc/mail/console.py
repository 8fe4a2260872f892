"""A mailer for development: messages go to the log instead of anyone's inbox."""

from __future__ import annotations

import logging
from email.message import EmailMessage

log = logging.getLogger(__name__)


class ConsoleMailer:
    """Logs each message's recipient, subject and text."""

    async def send(self, message: EmailMessage) -> None:
        """Write the message to the log."""
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        log.info("mail to %s: %s\n%s", message["To"], message["Subject"], text)
