"""`ugc serve` cuts off slow clients: headers a byte at a time, a stalled body, huge headers."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import LiveServer
from tests.support import app_settings

pytestmark = pytest.mark.slow
DEADLINE = 1.0
# A slow-loris client here would take this long to finish its headers; the server must not wait.
CLIENT_WOULD_TAKE = 40.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("deadlines")
    settings = app_settings(
        folder, header_timeout_seconds=DEADLINE, body_timeout_seconds=DEADLINE, max_header_kb=8
    )
    with LiveServer(settings, folder / "server.log") as live:
        yield live


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=CLIENT_WOULD_TAKE)
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    """True when the server has closed: a read returns end of stream (or the reset)."""
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True


def test_headers_sent_a_byte_at_a_time_are_cut_off(server):
    sock = _connect(server)
    started = time.monotonic()
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 400
    try:
        for byte in request:
            sock.send(bytes([byte]))
            time.sleep(CLIENT_WOULD_TAKE / len(request))
            if time.monotonic() - started > 3 * DEADLINE + 2:
                break
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert _closed_by_server(sock)
    assert time.monotonic() - started < CLIENT_WOULD_TAKE / 2
    sock.close()


def test_a_connection_that_sends_nothing_is_closed(server):
    sock = _connect(server)
    assert _closed_by_server(sock)
    sock.close()


def test_a_stalled_body_is_cut_off(server):
    sock = _connect(server)
    sock.sendall(
        b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 1000\r\n\r\n{"email": '
    )
    started = time.monotonic()
    assert _closed_by_server(sock)
    assert time.monotonic() - started < CLIENT_WOULD_TAKE / 2
    sock.close()


def test_headers_over_the_size_limit_are_a_431(server):
    sock = _connect(server)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 16 * 1024 + b"\r\n\r\n")
    answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 431 ")
    sock.close()


def test_ordinary_requests_are_unaffected(server):
    with httpx.Client(base_url=server.url) as client:
        for _ in range(3):  # one kept-alive connection, several requests
            assert client.get("/healthz").status_code == 200
        body = {"email": "nobody@example.com", "password": "not the password"}
        assert client.post("/api/auth/login", json=body).status_code == 401
        # A body far larger than the header limit, arriving with the headers, is no header.
        big = {"email": "nobody@example.com", "password": "x" * 200_000}
        assert client.post("/api/auth/login", json=big).status_code == 422
