"""The HTTP protocol `ugc serve` speaks: uvicorn's httptools protocol with read deadlines.

uvicorn limits only how long a connection may idle between requests (keep-alive). A client
that opens a connection and sends its headers a byte at a time (slow loris), or stalls in
the middle of a body, holds a connection and its memory for as long as it likes. Here a
request's headers must arrive within UGC_HEADER_TIMEOUT_SECONDS of its first byte (or of
the connection opening), may not exceed UGC_MAX_HEADER_KB, and a body may not pause for
longer than UGC_BODY_TIMEOUT_SECONDS between two chunks; otherwise the connection is closed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ugc.config import get_settings

log = logging.getLogger(__name__)

HEADERS_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 25\r\nconnection: close\r\n\r\n"
    b"Request headers too large"
)


class DeadlineHttpProtocol(HttpToolsProtocol):
    """httptools HTTP/1.1 with a header deadline, a header size limit and a body idle limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.header_timeout = settings.header_timeout_seconds
        self.body_timeout = settings.body_timeout_seconds
        self.max_header_bytes = settings.max_header_kb * 1024
        self._deadline: asyncio.TimerHandle | None = None
        self._awaiting_headers = True
        self._header_bytes = 0
        self._refused = False

    def _arm(self, seconds: float, reason: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired, reason)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, reason: str) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.flow is not None and self.flow.read_paused:
            # We stopped reading (the app is behind), not the client: wait for the app.
            self._arm(self.body_timeout, reason)
            return
        log.info("closing a slow connection: %s", reason, extra={"client": self.client})
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header deadline as soon as the client connects."""
        super().connection_made(transport)
        self._arm(self.header_timeout, "request headers not received in time")

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the deadline with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse, then refuse headers that are still incomplete past the size limit."""
        if self._awaiting_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        # A chunk may hold the end of the headers and the start of a large body: only bytes
        # read while the headers are still unfinished count against their limit.
        if self._awaiting_headers and self._header_bytes > self.max_header_bytes:
            self._refuse_headers()

    def _refuse_headers(self) -> None:
        self._refused = True
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(HEADERS_TOO_LARGE)
            self.transport.close()

    def on_message_begin(self) -> None:
        """A new request: its headers are on the clock (unless it already ticks)."""
        super().on_message_begin()
        self._awaiting_headers = True
        if self._deadline is None:
            self._arm(self.header_timeout, "request headers not received in time")

    def on_headers_complete(self) -> None:
        """Headers in (refused when too large): from now on the body may not stall."""
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.max_header_bytes:
            self._refuse_headers()
            return
        super().on_headers_complete()
        self._awaiting_headers = False
        self._header_bytes = 0
        self._arm(self.body_timeout, "request body stalled")

    def on_body(self, body: bytes) -> None:
        """Each chunk of body restarts the idle clock."""
        if self._refused:
            return
        super().on_body(body)
        self._arm(self.body_timeout, "request body stalled")

    def on_message_complete(self) -> None:
        """The whole request is in; uvicorn's keep-alive timeout takes over after the answer."""
        if self._refused:
            return
        super().on_message_complete()
        self._disarm()
        self._awaiting_headers = True  # the connection's next bytes are the next request's
