"""Decoding uploads never holds the database, and is bounded per process and per user."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import httpx
from PIL import Image

from tests.support import create_project, encode, signup
from ugc.errors import InvalidInput
from ugc.projects import service
from ugc.projects.uploads import check_image

UPLOADS = 8


def _big_photo() -> bytes:
    """A 20-megapixel JPEG: well under 5 MB, about a second of decoding."""
    return encode(Image.new("RGB", (5000, 4000), (120, 140, 160)), quality=60)


def _second_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=client.app), base_url="http://testserver"
    )


async def test_another_users_request_is_not_held_up_by_big_uploads(make_client):
    client = await make_client(signup_credits=0)
    await signup(client)
    photo = _big_photo()
    started = time.monotonic()
    await asyncio.to_thread(check_image, photo, "photo", 5 * 1024 * 1024)
    one_decode = time.monotonic() - started
    async with _second_client(client) as other:
        await signup(other)
        uploads = asyncio.gather(
            *(create_project(client, person=photo, product=photo) for _ in range(UPLOADS))
        )
        latencies = []
        while not uploads.done() or not latencies:
            began = time.monotonic()
            assert (await other.get("/api/user/me")).status_code == 200
            latencies.append(time.monotonic() - began)
            await asyncio.sleep(0.02)
        responses = await uploads
    # No credits: refused before a single pixel is decoded, and nothing charged.
    assert {r.status_code for r in responses} == {402}
    assert {r.json()["error"] for r in responses} == {"insufficient_credits"}
    # Held behind the uploads, a request would wait for all of their decoding (on SQLite
    # behind the one write lock): UPLOADS x 2 photos x one_decode.
    assert max(latencies) < UPLOADS * one_decode / 2, (max(latencies), one_decode)


async def test_photos_are_decoded_with_no_connection_checked_out(make_client, monkeypatch):
    # The reconciler is kept quiet: its passes use the same pool.
    client = await make_client(reconcile_interval_seconds=3600)
    pool = client.app.state.db.engine.pool
    seen: list[int] = []

    def watched(data: bytes, label: str, max_bytes: int):
        seen.append(pool.checkedout())
        return check_image(data, label, max_bytes)

    monkeypatch.setattr(service, "check_image", watched)
    await signup(client)
    response = await create_project(client)
    assert response.status_code == 201, response.text
    assert seen == [0, 0]
    assert (await client.get("/api/user/credits")).json() == {"credits": 15}


async def test_concurrent_decodes_are_bounded_per_user_and_per_process(make_client, monkeypatch):
    client = await make_client(upload_decode_slots=2, upload_decodes_per_user=1)
    lock = threading.Lock()
    running: dict[str, int] = {"all": 0}
    peaks: dict[str, int] = {}

    def slow_refusal(data: bytes, label: str, max_bytes: int):
        with lock:
            running["all"] += 1
            peaks["all"] = max(peaks.get("all", 0), running["all"])
        time.sleep(0.2)
        with lock:
            running["all"] -= 1
        raise InvalidInput(f"The {label} is refused by this test.")

    monkeypatch.setattr(service, "check_image", slow_refusal)
    async with _second_client(client) as second, _second_client(client) as third:
        clients = (client, second, third)
        for each in clients:
            await signup(each)
        # One user's burst: one request at a time, two photos side by side.
        alone = await asyncio.gather(*(create_project(client) for _ in range(4)))
        assert peaks.pop("all") <= 2
        # Three users: two request slots for the process -> at most 4 decodes.
        burst = await asyncio.gather(*(create_project(c) for c in clients for _ in range(3)))
        assert peaks["all"] <= 4
        assert {r.status_code for r in [*alone, *burst]} == {422}
        for each in clients:
            assert (await each.get("/api/user/credits")).json() == {"credits": 20}
    assert client.app.state.decode_gate.in_flight(uuid.uuid4()) == 0
