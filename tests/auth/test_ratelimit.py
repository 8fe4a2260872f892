"""Sign-in limits: in one process's memory, or shared by every process through Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from tests.support import PASSWORD, signup, unique_email
from ugc.auth import ratelimit
from ugc.auth.ratelimit import MemoryRateLimiter, RedisRateLimiter

REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_memory_limiter_counts_attempts_and_a_success_takes_its_own_back():
    limiter = MemoryRateLimiter(attempts=2, window_seconds=60)
    for n in range(1000):  # someone trying many accounts, once each, from one address
        wait, _ = await limiter.begin(f"account:{n}")
        assert wait == 0
    assert (await limiter.begin("account:a", "address:x"))[0] == 0
    wait, attempt = await limiter.begin("account:b", "address:x")
    assert wait == 0 and attempt is not None
    await limiter.succeeded(attempt)  # b signed in: its attempt no longer counts
    assert (await limiter.begin("account:c", "address:x"))[0] == 0
    wait, attempt = await limiter.begin("account:d", "address:x")
    assert wait > 0 and attempt is None  # a's and c's attempts fill the address's two


async def test_memory_limiter_drops_keys_whose_attempts_expired(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    limiter = MemoryRateLimiter(attempts=3, window_seconds=60)
    for n in range(5000):  # many accounts, each tried once and never again
        await limiter.begin(f"account:{n}")
    assert len(limiter._attempts) == 5000
    clock[0] += 61
    await limiter.begin("account:latest")
    assert list(limiter._attempts) == ["account:latest"]


async def test_when_redis_is_down_sign_in_goes_on_without_the_limit():
    # Nothing listens on port 1: every call fails fast with a connection error.
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_timeout=1, socket_connect_timeout=1)
    limiter = RedisRateLimiter(redis, "ugc-test:", attempts=1, window_seconds=60)
    try:
        assert await limiter.begin("account:a") == (0, None)
        assert await limiter.begin("account:a") == (0, None)
    finally:
        await limiter.aclose()


async def test_a_burst_of_concurrent_attempts_cannot_pass_the_redis_limit():
    limiter = RedisRateLimiter(
        Redis.from_url(REDIS_URL), f"ugc-test-{uuid.uuid4().hex[:8]}:", 3, window_seconds=60
    )
    try:
        results = await asyncio.gather(*(limiter.begin("account:a") for _ in range(20)))
        assert sum(1 for wait, _ in results if wait == 0) == 3
        assert all(wait > 0 for wait, attempt in results if attempt is None)
    finally:
        await limiter.aclose()


async def _login(client, email: str, password: str) -> int:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    return response.status_code


@pytest.mark.xdist_group("redis-workers")
async def test_with_redis_every_web_process_counts_the_same_failures(make_client):
    shared = {
        "queue_url": REDIS_URL,
        "queue_namespace": f"ugc-test-{uuid.uuid4().hex[:8]}",
        "login_attempts_per_window": 3,
        "login_window_seconds": 60,
    }
    first, second = await make_client(**shared), await make_client(**shared)
    assert isinstance(first.app.state.login_limiter, RedisRateLimiter)
    email = unique_email()
    await signup(first, email)

    assert [await _login(first, email, "wrong-pass") for _ in range(2)] == [401, 401]
    assert await _login(second, email, "wrong-pass") == 401
    # Three failures in all, spread over two processes: both now refuse, even the password.
    blocked = await second.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert await _login(first, email, PASSWORD) == 429

    # Another namespace (another deployment on the same Redis) is not affected.
    other = await make_client(**(shared | {"queue_namespace": f"ugc-test-{uuid.uuid4().hex}"}))
    assert await _login(other, email, PASSWORD) == 200
