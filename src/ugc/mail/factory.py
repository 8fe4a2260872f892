"""The mailer UGC_MAIL_URL names."""

from __future__ import annotations

from pathlib import Path

from ugc.config import Settings
from ugc.mail.base import Mailer
from ugc.mail.console import ConsoleMailer
from ugc.mail.files import FileMailer
from ugc.mail.smtp import SmtpMailer


def build_mailer(settings: Settings) -> Mailer:
    """smtp:// or smtps:// (SMTP), file://<folder> (.eml files), console:// (the log)."""
    url = settings.mail_url
    if url.startswith(("smtp://", "smtps://")):
        return SmtpMailer(url)
    if url.startswith("file://"):
        folder = url.removeprefix("file://")
        return FileMailer(Path(folder) if folder else settings.data_dir / "mail")
    return ConsoleMailer()
