"""Open event streams end when their credentials do, and each user may hold only a few.

A real `ugc serve` and a real streaming HTTP client: the in-memory ASGI transport would
wait for the whole (endless) response.
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AsyncExitStack

import httpx
import pytest
from redis.asyncio import Redis

from tests.live_server import LiveServer
from tests.support import create_project, signup
from ugc.auth import stream_slots
from ugc.auth.stream_slots import MemoryStreamSlots, RedisStreamSlots

pytestmark = pytest.mark.xdist_group("cli")

REDIS_URL = "redis://127.0.0.1:6379/0"
# A generous bound so a stuck stream fails the test instead of hanging it; not a timing claim.
GIVE_UP_SECONDS = 60


async def _first_event(lines: object) -> str:
    async for line in lines:  # type: ignore[attr-defined]
        if line.startswith("event: "):
            return str(line.removeprefix("event: "))
    raise AssertionError("the stream ended before its first event")


async def _wait_for_close(stream: httpx.Response, lines: object) -> list[str]:
    names = []

    async def read() -> None:
        async for line in lines:  # type: ignore[attr-defined]
            if line.startswith("event: "):
                names.append(line.removeprefix("event: "))

    await asyncio.wait_for(read(), GIVE_UP_SECONDS)
    return names


async def test_logout_closes_an_open_event_stream(settings_factory, tmp_path):
    settings = settings_factory(event_stream_recheck_seconds=0.5)
    with LiveServer(settings, tmp_path / "serve.log") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=GIVE_UP_SECONDS) as client:
            await signup(client)
            project_id = (await create_project(client)).json()["projectId"]
            path = f"/api/user/projects/{project_id}/events"
            async with client.stream("GET", path) as stream:
                assert stream.status_code == 200
                lines = stream.aiter_lines()
                assert await _first_event(lines) == "project"
                # Another tab of the same browser signs out: same cookie, session ended.
                cookies = {"ugc_session": client.cookies["ugc_session"]}
                async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as tab:
                    assert (await tab.post("/api/auth/logout")).status_code == 204
                names = await _wait_for_close(stream, lines)
            assert names[-1] == "signed-out"
            again = await client.get(path)
            assert again.status_code == 401


async def test_revoking_the_api_token_closes_its_event_stream(settings_factory, tmp_path):
    settings = settings_factory(event_stream_recheck_seconds=0.5)
    with LiveServer(settings, tmp_path / "serve.log") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=GIVE_UP_SECONDS) as client:
            await signup(client)
            project_id = (await create_project(client)).json()["projectId"]
            created = (await client.post("/api/auth/tokens", json={"name": "watcher"})).json()
            bearer = {"Authorization": f"Bearer {created['secret']}"}
            path = f"/api/user/projects/{project_id}/events"
            async with AsyncExitStack() as stack:
                reader = await stack.enter_async_context(
                    httpx.AsyncClient(base_url=server.url, timeout=GIVE_UP_SECONDS)
                )
                stream = await stack.enter_async_context(reader.stream("GET", path, headers=bearer))
                lines = stream.aiter_lines()
                assert await _first_event(lines) == "project"
                revoked = await client.delete(f"/api/auth/tokens/{created['token']['id']}")
                assert revoked.status_code == 204
                assert (await _wait_for_close(stream, lines))[-1] == "signed-out"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_each_user_may_hold_only_a_few_streams(settings_factory, tmp_path):
    settings = settings_factory(event_streams_per_user=2)
    with LiveServer(settings, tmp_path / "serve.log") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=GIVE_UP_SECONDS) as client:
            await signup(client)
            project_id = (await create_project(client)).json()["projectId"]
            path = f"/api/user/projects/{project_id}/events"
            async with AsyncExitStack() as stack:
                for _ in range(2):
                    stream = await stack.enter_async_context(client.stream("GET", path))
                    assert stream.status_code == 200
                third = await client.get(path)
                assert third.status_code == 429
                assert third.json()["error"] == "too_many_requests"
                assert "2 live progress streams" in third.json()["detail"]
                assert int(third.headers["retry-after"]) > 0
                # Someone else is not affected by this user's streams.
                async with httpx.AsyncClient(base_url=server.url) as other:
                    await signup(other)
                    other_id = (await create_project(other)).json()["projectId"]
                    async with other.stream("GET", f"/api/user/projects/{other_id}/events") as s:
                        assert s.status_code == 200
            # Closing the streams gives their slots back.
            for _ in range(100):
                async with client.stream("GET", path) as stream:
                    if stream.status_code == 200:
                        break
                await asyncio.sleep(0.1)
            assert stream.status_code == 200


async def test_memory_slots_cap_release_and_lapse(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(stream_slots.time, "monotonic", lambda: clock[0])
    slots = MemoryStreamSlots(limit=2, ttl=10)
    first, second = await slots.acquire("u"), await slots.acquire("u")
    assert first and second and await slots.acquire("u") is None
    assert await slots.acquire("v") is not None
    await slots.release("u", first)
    third = await slots.acquire("u")
    assert third is not None
    clock[0] += 8
    await slots.renew("u", third)
    clock[0] += 5  # `second` was never renewed: its process is gone, the slot lapses
    assert await slots.acquire("u") is not None
    assert await slots.acquire("u") is None


async def test_redis_slots_are_shared_and_lapse():
    prefix = f"ugc-test-{uuid.uuid4().hex[:8]}:streams:"
    one = RedisStreamSlots(Redis.from_url(REDIS_URL), prefix, limit=2, ttl=1)
    two = RedisStreamSlots(Redis.from_url(REDIS_URL), prefix, limit=2, ttl=1)
    try:
        held = [await one.acquire("u"), await two.acquire("u")]
        assert all(held) and await one.acquire("u") is None and await two.acquire("u") is None
        await two.release("u", held[1])
        assert await one.acquire("u") is not None
        results = await asyncio.gather(*(two.acquire("w") for _ in range(10)))
        assert sum(1 for slot in results if slot) == 2
        await asyncio.sleep(1.5)  # nobody renewed: every slot lapsed
        assert await one.acquire("u") is not None
    finally:
        await one.aclose()
        await two.aclose()
