"""Billing test helpers: a paying user, signed webhook deliveries through the ASGI client."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select

from tests.fakes.stripe_server import WEBHOOK_SECRET, FakeStripe, sign
from tests.support import signup
from ugc.billing.models import Purchase

WEBHOOK = "/api/billing/stripe/webhook"


async def post_event(
    client: httpx.AsyncClient,
    event: dict[str, Any],
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
) -> httpx.Response:
    """Deliver an event to the app the way Stripe does (pretty JSON, Stripe-Signature)."""
    payload = json.dumps(event, indent=2)
    header = signature if signature is not None else sign(payload, secret, timestamp)
    return await client.post(
        WEBHOOK,
        content=payload.encode(),
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
    )


async def checkout(client: httpx.AsyncClient, pack: str = "creator") -> dict[str, Any]:
    """Start a Checkout through the API; its {url, checkoutSessionId}."""
    response = await client.post("/api/billing/checkout", json={"pack": pack})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def buyer_with_paid_session(
    client: httpx.AsyncClient, fake: FakeStripe, pack: str = "creator"
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """A signed-up user whose Checkout the fake marked paid: (user, session id, event)."""
    user = await signup(client)
    session_id = (await checkout(client, pack))["checkoutSessionId"]
    return user, session_id, fake.complete(session_id)


async def balance(client: httpx.AsyncClient) -> int:
    """The signed-in user's balance."""
    response = await client.get("/api/user/credits")
    assert response.status_code == 200, response.text
    credits: int = response.json()["credits"]
    return credits


async def purchases_in_db(client: httpx.AsyncClient) -> list[Purchase]:
    """Every purchase row, read straight from the app's database."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = list((await session.scalars(select(Purchase))).all())
        await session.commit()
    return rows
