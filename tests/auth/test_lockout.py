"""Brute force stays slow, but a stranger's failures cannot lock the owner out.

Counts are per account and address; a much higher per-account ceiling holds against many
addresses at once. In memory, and shared through Redis.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support import PASSWORD, signup, unique_email

REDIS_URL = "redis://127.0.0.1:6379/0"
LIMITS = {
    "login_attempts_per_window": 3,
    "login_address_attempts_per_window": 10,
    "login_account_attempts_per_window": 8,
    "login_window_seconds": 60,
}


def from_address(client: httpx.AsyncClient, address: str) -> httpx.AsyncClient:
    """A client of the same app whose requests come from `address`."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=client.app, client=(address, 40000)),
        base_url="http://testserver",
    )


async def _login(client: httpx.AsyncClient, email: str, password: str) -> int:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    return response.status_code


@pytest.fixture(params=["memory", "redis"])
async def limited(request, make_client):
    """An app with small sign-in limits, counting in memory or in Redis."""
    if request.param == "redis":
        namespace = f"ugc-test-{uuid.uuid4().hex[:8]}"
        return await make_client(queue_url=REDIS_URL, queue_namespace=namespace, **LIMITS)
    return await make_client(**LIMITS)


@pytest.mark.xdist_group("redis-workers")
async def test_a_stranger_cannot_lock_the_owner_out_but_is_slowed_down(limited):
    email = unique_email()
    await signup(limited, email)
    async with (
        from_address(limited, "198.51.100.7") as stranger,
        from_address(limited, "203.0.113.9") as owner,
    ):
        assert [await _login(stranger, email, "guess-number-x") for _ in range(3)] == [401] * 3
        # Brute force from one address is limited, even when the guess is right.
        assert await _login(stranger, email, PASSWORD) == 429
        assert await _login(owner, email, PASSWORD) == 200


@pytest.mark.xdist_group("redis-workers")
async def test_the_per_account_ceiling_holds_against_many_addresses(limited):
    email = unique_email()
    await signup(limited, email)
    for n in range(8):  # eight addresses, one failure each: under every per-address limit
        async with from_address(limited, f"192.0.2.{n + 1}") as attacker:
            assert await _login(attacker, email, "guess-number-x") == 401
    async with from_address(limited, "192.0.2.100") as attacker:
        blocked = await attacker.post(
            "/api/auth/login", json={"email": email, "password": PASSWORD}
        )
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert blocked.json()["error"] == "too_many_requests"


@pytest.mark.xdist_group("redis-workers")
async def test_one_address_trying_many_accounts_is_limited(make_client):
    client = await make_client(**(LIMITS | {"login_address_attempts_per_window": 4}))
    async with from_address(client, "198.51.100.20") as sprayer:
        results = [await _login(sprayer, unique_email(), "guess-number-x") for _ in range(5)]
    assert results == [401, 401, 401, 401, 429]
    async with from_address(client, "198.51.100.21") as someone_else:
        assert await _login(someone_else, unique_email(), "guess-number-x") == 401
