"""Sign-ups per client address are limited, in memory or shared through Redis."""

from __future__ import annotations

import uuid

import pytest

from tests.auth.test_lockout import from_address
from tests.support import PASSWORD, unique_email

REDIS_URL = "redis://127.0.0.1:6379/0"


async def _signup(client, email=None, password=PASSWORD) -> int:
    response = await client.post(
        "/api/auth/signup", json={"email": email or unique_email(), "password": password}
    )
    return response.status_code


async def test_sign_ups_from_one_address_are_limited(make_client):
    client = await make_client(signup_attempts_per_window=3, signup_window_seconds=600)
    async with from_address(client, "198.51.100.40") as farm:
        assert [await _signup(farm) for _ in range(3)] == [201, 201, 201]
        refused = await farm.post(
            "/api/auth/signup", json={"email": unique_email(), "password": PASSWORD}
        )
        assert refused.status_code == 429
        assert refused.json()["error"] == "too_many_requests"
        assert "Too many accounts" in refused.json()["detail"]
        assert int(refused.headers["retry-after"]) > 0
    async with from_address(client, "198.51.100.41") as neighbour:
        assert await _signup(neighbour) == 201


async def test_refused_sign_ups_do_not_use_up_the_limit(make_client):
    client = await make_client(signup_attempts_per_window=2, signup_window_seconds=600)
    taken = unique_email()
    async with from_address(client, "198.51.100.50") as person:
        assert await _signup(person, taken) == 201
        assert await _signup(person, taken) == 409  # typo'd into the wrong form: no account
        assert await _signup(person, password="12345678") == 422
        assert await _signup(person) == 201
        assert await _signup(person) == 429


@pytest.mark.xdist_group("redis-workers")
async def test_with_redis_every_web_process_counts_the_same_sign_ups(make_client):
    shared = {
        "queue_url": REDIS_URL,
        "queue_namespace": f"ugc-test-{uuid.uuid4().hex[:8]}",
        "signup_attempts_per_window": 2,
    }
    first, second = await make_client(**shared), await make_client(**shared)
    assert await _signup(first) == 201
    assert await _signup(second) == 201
    assert await _signup(first) == 429
    assert await _signup(second) == 429
