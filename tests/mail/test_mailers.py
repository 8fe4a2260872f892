"""Mailers: SMTP against a real SMTP server (aiosmtpd), .eml files, the log."""

from __future__ import annotations

import email
import logging
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.live_server import free_port
from ugc.config import SettingsError, load_settings
from ugc.mail.base import MailError, compose
from ugc.mail.console import ConsoleMailer
from ugc.mail.factory import build_mailer
from ugc.mail.files import FileMailer
from ugc.mail.smtp import SmtpMailer


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"mailer"
    return AuthResult(success=ok and auth_data.password == b"s3cret:pass")


@pytest.fixture
def smtp_server(request):
    """A real SMTP server on a free port; `request.param` is the address it listens on."""
    host = getattr(request, "param", "127.0.0.1")
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname=host,
        port=free_port(),
        authenticator=_authenticator,
        auth_require_tls=False,
    )
    controller.start()
    yield controller, inbox
    controller.stop()


def _message(to: str = "someone@example.com"):
    return compose("UGC Studio <no-reply@ugc.example>", to, "Hello", "A line of text.\n")


async def test_smtp_mailer_logs_in_and_delivers(smtp_server):
    controller, inbox = smtp_server
    mailer = build_mailer(
        load_settings(mail_url=f"smtp://mailer:s3cret%3Apass@127.0.0.1:{controller.port}")
    )
    assert isinstance(mailer, SmtpMailer)
    await mailer.send(_message("reader@example.com"))
    assert inbox.envelopes == [("no-reply@ugc.example", ["reader@example.com"])]
    received = inbox.messages[0]
    assert received["Subject"] == "Hello"
    assert received.get_content().strip() == "A line of text."


async def test_smtp_mailer_reports_refused_credentials(smtp_server):
    controller, _ = smtp_server
    mailer = SmtpMailer(f"smtp://mailer:wrong@127.0.0.1:{controller.port}")
    with pytest.raises(MailError, match="SMTP"):
        await mailer.send(_message())


@pytest.mark.parametrize("smtp_server", ["127.0.0.2"], indirect=True)
async def test_smtp_mailer_will_not_send_a_password_in_clear_to_another_host(smtp_server):
    controller, inbox = smtp_server
    mailer = SmtpMailer(f"smtp://mailer:s3cret%3Apass@127.0.0.2:{controller.port}")
    with pytest.raises(MailError, match="STARTTLS"):
        await mailer.send(_message())
    assert inbox.messages == []


async def test_smtp_mailer_reports_an_unreachable_server():
    mailer = SmtpMailer(f"smtp://127.0.0.1:{free_port()}")
    with pytest.raises(MailError):
        await mailer.send(_message())


async def test_file_mailer_writes_eml_files(tmp_path):
    mailer = build_mailer(load_settings(mail_url=f"file://{tmp_path}/mail"))
    assert isinstance(mailer, FileMailer)
    await mailer.send(_message("a@example.com"))
    await mailer.send(_message("b@example.com"))
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2 and not list((tmp_path / "mail").glob(".*"))
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=default_policy)
    assert parsed["To"] in ("a@example.com", "b@example.com")


async def test_file_mailer_defaults_to_the_data_dir(tmp_path):
    mailer = build_mailer(load_settings(mail_url="file://", data_dir=tmp_path))
    await mailer.send(_message())
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


async def test_console_mailer_logs_the_message(caplog):
    caplog.set_level(logging.INFO, logger="ugc.mail.console")
    assert isinstance(build_mailer(load_settings()), ConsoleMailer)
    await ConsoleMailer().send(_message("log@example.com"))
    assert "log@example.com" in caplog.text and "A line of text." in caplog.text


def test_an_unknown_mail_url_fails_at_startup():
    with pytest.raises(SettingsError, match="UGC_MAIL_URL"):
        load_settings(mail_url="carrier-pigeon://roof")
