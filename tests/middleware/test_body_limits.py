"""Bodies are refused at the edge: too large (declared or streamed), or sent anonymously."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support import create_project, signup
from ugc.middleware.body import request_body_limit

CHUNK = 64 * 1024
GIGABYTE = 1024**3
MULTIPART = {"content-type": "multipart/form-data; boundary=xyz"}


class CountingBody:
    """A request body of `total` bytes made on demand, counting what the server pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        prefix = (
            b'--xyz\r\nContent-Disposition: form-data; name="userImage"; filename="a.jpg"\r\n\r\n'
        )
        yield prefix
        self.sent += len(prefix)
        while self.sent < self.total:
            self.sent += CHUNK
            yield b"\xff" * CHUNK


@pytest.fixture
async def small_limit_client(make_client):
    """Uploads limited to 0.1 MB each: the request limit is ~270 KB."""
    return await make_client(max_upload_mb=0.1)


def _limit(client) -> int:
    return request_body_limit(client.app.state.settings.max_upload_bytes)


async def test_an_anonymous_upload_is_refused_before_its_body_is_read(small_limit_client):
    body = CountingBody(GIGABYTE)
    response = await small_limit_client.post("/api/project/create", content=body, headers=MULTIPART)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert response.headers["www-authenticate"] == "Bearer"
    assert body.sent < 2 * CHUNK  # at most what the transport pulled before the app answered


async def test_an_anonymous_upload_with_a_declared_length_is_refused_unread(small_limit_client):
    body = CountingBody(200 * 1024)
    headers = MULTIPART | {"content-length": str(200 * 1024)}
    response = await small_limit_client.post("/api/project/create", content=body, headers=headers)
    assert response.status_code == 401
    assert body.sent < 2 * CHUNK


async def test_a_declared_length_over_the_limit_is_413_before_reading(small_limit_client):
    await signup(small_limit_client)
    body = CountingBody(GIGABYTE)
    headers = MULTIPART | {"content-length": str(GIGABYTE)}
    response = await small_limit_client.post("/api/project/create", content=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert "MB" in response.json()["detail"]
    assert body.sent < 2 * CHUNK
    balance = await small_limit_client.get("/api/user/credits")
    assert balance.json() == {"credits": 20}


async def test_a_chunked_body_is_cut_off_at_the_limit(small_limit_client):
    await signup(small_limit_client)
    body = CountingBody(GIGABYTE)
    response = await small_limit_client.post("/api/project/create", content=body, headers=MULTIPART)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    limit = _limit(small_limit_client)
    assert limit < body.sent <= limit + 2 * CHUNK
    assert (await small_limit_client.get("/api/user/credits")).json() == {"credits": 20}


async def test_a_chunked_json_body_over_the_limit_is_413_on_any_route(small_limit_client):
    body = CountingBody(GIGABYTE)
    response = await small_limit_client.post(
        "/api/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert body.sent <= _limit(small_limit_client) + 2 * CHUNK


async def test_bodies_within_the_limit_and_public_routes_still_work(client):
    response = await client.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": "wrong password"}
    )
    assert response.status_code == 401  # read and checked, not refused for lack of a session
    await signup(client)
    assert (await create_project(client)).status_code == 201
