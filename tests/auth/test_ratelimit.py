"""Sign-in limits: in one process's memory, or shared by every process through Redis."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from tests.support import PASSWORD, signup, unique_email
from ugc.auth import ratelimit
from ugc.auth.ratelimit import MemoryRateLimiter, RedisRateLimiter

REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_memory_limiter_forgets_keys_without_recent_failures():
    limiter = MemoryRateLimiter(attempts=2, window_seconds=60)
    for n in range(1000):  # someone trying many accounts, once each
        assert await limiter.retry_after(f"account:{n}") == 0
    await limiter.record_failure("account:a", "address:x")
    await limiter.record_failure("account:a", "address:x")
    assert await limiter.retry_after("account:a") > 0
    assert await limiter.retry_after("account:b", "address:x") > 0  # the address is blocked too
    await limiter.reset("account:a")
    assert await limiter.retry_after("account:a") == 0
    assert set(limiter._failures) == {"address:x"}


async def test_memory_limiter_drops_keys_whose_failures_expired(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    limiter = MemoryRateLimiter(attempts=3, window_seconds=60)
    for n in range(5000):  # many accounts, each failing once and never seen again
        await limiter.record_failure(f"account:{n}")
    assert len(limiter._failures) == 5000
    clock[0] += 61
    await limiter.record_failure("account:latest")
    assert list(limiter._failures) == ["account:latest"]


async def test_when_redis_is_down_sign_in_goes_on_without_the_limit():
    # Nothing listens on port 1: every call fails fast with a connection error.
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_timeout=1, socket_connect_timeout=1)
    limiter = RedisRateLimiter(redis, "ugc-test:", attempts=1, window_seconds=60)
    try:
        await limiter.record_failure("account:a")
        await limiter.record_failure("account:a")
        assert await limiter.retry_after("account:a") == 0
        await limiter.reset("account:a")
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
