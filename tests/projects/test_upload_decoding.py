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
    return encode(Image.new("RGB", (5000, 4000), (120, 140, 160)), "JPEG", quality=60)


def _second_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=client.app), base_url="http://testserver"
    )


async def test_no_pixel_is_decoded_for_someone_who_cannot_pay(make_client, monkeypatch):
    client = await make_client(signup_credits=0)
    await signup(client)
    decoded: list[str] = []

    def counted(data: bytes, label: str, max_bytes: int):
        decoded.append(label)
        return check_image(data, label, max_bytes)

    monkeypatch.setattr(service, "check_image", counted)
    photo = _big_photo()
    responses = await asyncio.gather(
        *(create_project(client, person=photo, product=photo) for _ in range(UPLOADS))
    )
    assert {r.status_code for r in responses} == {402}
    assert {r.json()["error"] for r in responses} == {"insufficient_credits"}
    assert decoded == []


async def test_another_user_signs_up_and_reads_while_photos_are_decoding(make_client, monkeypatch):
    # Decoding is held open until the other user is done: if the upload held a transaction or
    # a connection while decoding (on SQLite, the one write lock), the other user's sign-up
    # would wait for it and the bounded wait below would fail.
    client = await make_client()
    await signup(client)
    release = threading.Event()
    entered = threading.Semaphore(0)

    def held(data: bytes, label: str, max_bytes: int):
        entered.release()
        assert release.wait(timeout=60), "the test never released the decode"
        return check_image(data, label, max_bytes)

    monkeypatch.setattr(service, "check_image", held)
    upload = asyncio.create_task(create_project(client))
    try:
        for _ in range(2):
            assert await asyncio.to_thread(entered.acquire, timeout=30)
        async with _second_client(client) as other:
            await asyncio.wait_for(signup(other), timeout=10)
            me = await asyncio.wait_for(other.get("/api/user/me"), timeout=10)
            assert me.status_code == 200
        assert not upload.done()
    finally:
        release.set()
    response = await upload
    assert response.status_code == 201, response.text
    assert (await client.get("/api/user/credits")).json() == {"credits": 15}


async def test_photos_are_decoded_with_no_connection_checked_out(make_client, monkeypatch):
    # The reconciler and the webhook deliverer are kept quiet: their passes use the same
    # pool, and on a loaded machine one could fall in the middle of the decoding.
    client = await make_client(reconcile_interval_seconds=3600, webhook_poll_seconds=3600)
    pool = client.app.state.db.engine.pool
    seen: list[int] = []

    def watched(data: bytes, label: str, max_bytes: int):
        seen.append(pool.checkedout())
        return check_image(data, label, max_bytes)

    monkeypatch.setattr(service, "check_image", watched)
    await signup(client)
    for _ in range(500):  # the deliverer's first pass, at start-up, may still be running
        if pool.checkedout() == 0:
            break
        await asyncio.sleep(0.01)
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
