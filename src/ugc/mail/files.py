"""A mailer for development and tests: each message becomes an .eml file in a folder."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

from ugc.mail.base import MailError


class FileMailer:
    """Writes `<time>-<id>.eml` files that any mail client opens."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _write(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        draft = self.folder / f".{name}"
        draft.write_bytes(message.as_bytes())
        os.replace(draft, self.folder / name)  # readers never see half a message

    async def send(self, message: EmailMessage) -> None:
        """Write the message into the folder."""
        try:
            await asyncio.to_thread(self._write, message)
        except OSError as exc:
            raise MailError(f"could not write the message: {exc}") from exc
