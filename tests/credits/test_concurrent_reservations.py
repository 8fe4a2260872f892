"""Credits under concurrency: the guarded UPDATE never oversells and never goes negative."""

from __future__ import annotations

import asyncio

from tests.support import create_project, person_photo, product_photo, signup


async def test_twelve_concurrent_creates_with_twenty_credits_give_four(client):
    await signup(client)
    person, product = person_photo(), product_photo()
    responses = await asyncio.gather(
        *(create_project(client, person=person, product=product) for _ in range(12))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 4 + [402] * 8
    assert (await client.get("/api/user/credits")).json() == {"credits": 0}
    projects = (await client.get("/api/user/projects")).json()["projects"]
    assert len(projects) == 4
    history = (await client.get("/api/user/credits/history")).json()["entries"]
    assert sorted(e["delta"] for e in history) == [-5, -5, -5, -5, 20]
