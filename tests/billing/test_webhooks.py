"""Stripe webhooks: signed as Stripe signs them, granted exactly once, taken back on refund."""

from __future__ import annotations

import asyncio
import json
import time

from sqlalchemy import select

from tests.billing.helpers import (
    balance,
    buyer_with_paid_session,
    checkout,
    post_event,
    purchases_in_db,
)
from tests.fakes.stripe_server import make_event, sign
from tests.support import create_project, signup, wait_for_project
from ugc.credits.models import LedgerEntry


async def ledger(client, reason: str) -> list[LedgerEntry]:
    async with client.app.state.db.session() as session:
        query = select(LedgerEntry).where(LedgerEntry.reason == reason)
        rows = (await session.scalars(query)).all()
        await session.commit()
    return list(rows)


async def test_paid_checkout_grants_the_pack_with_a_purchase_ledger_row(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    _, session_id, event = await buyer_with_paid_session(client, fake_stripe)
    response = await post_event(client, event)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "outcome": "granted"}
    assert await balance(client) == 20 + 80
    [row] = await ledger(client, "purchase")
    assert (row.delta, row.reference) == (80, session_id)
    [purchase] = await purchases_in_db(client)
    assert purchase.checkout_session_id == session_id
    assert (purchase.credits, purchase.amount, purchase.currency) == (80, 2900, "usd")
    assert purchase.payment_intent_id == fake_stripe.sessions[session_id]["payment_intent"]
    listed = (await client.get("/api/billing/purchases")).json()["purchases"]
    assert [(p["packName"], p["credits"], p["status"]) for p in listed] == [("Creator", 80, "paid")]


async def test_same_event_ten_times_at_once_grants_once(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    for _ in range(5):  # rounds, each a fresh buyer and session
        client.cookies.clear()
        _, _, event = await buyer_with_paid_session(client, fake_stripe, "starter")
        replies = await asyncio.gather(*(post_event(client, event) for _ in range(10)))
        assert [r.status_code for r in replies] == [200] * 10
        outcomes = sorted(r.json()["outcome"] for r in replies)
        assert outcomes == ["duplicate"] * 9 + ["granted"]
        assert await balance(client) == 20 + 25
    assert len(await ledger(client, "purchase")) == 5
    assert len(await purchases_in_db(client)) == 5


async def test_completed_and_async_succeeded_in_any_order_grant_once(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    await signup(client)
    session_id = (await checkout(client, "starter"))["checkoutSessionId"]
    pending = fake_stripe.complete(session_id, payment_status="unpaid")  # a bank debit
    assert (await post_event(client, pending)).json()["outcome"] == "not_paid"
    assert await balance(client) == 20
    succeeded = fake_stripe.async_payment_succeeded(session_id)
    completed_again = make_event("checkout.session.completed", fake_stripe.sessions[session_id])
    for event in (succeeded, completed_again, succeeded):
        assert (await post_event(client, event)).status_code == 200
    assert await balance(client) == 45


async def test_bad_signature_stale_timestamp_and_wrong_secret_change_nothing(
    make_client, fake_stripe
):
    client = await make_client(**fake_stripe.settings_overrides())
    _, _, event = await buyer_with_paid_session(client, fake_stripe)
    now = int(time.time())
    attempts = [
        {"secret": "whsec_someone_else"},
        {"timestamp": now - 301},  # outside Stripe's default 5-minute tolerance
        {"signature": f"t={now},v1=" + "0" * 64},
        {"signature": ""},
        {"signature": "garbage"},
    ]
    for attempt in attempts:
        response = await post_event(client, event, **attempt)
        assert response.status_code == 400, (attempt, response.text)
        assert response.json()["error"] == "invalid_signature"
    response = await client.post(
        "/api/billing/stripe/webhook",
        content=b"{}",
        headers={"Stripe-Signature": "t=1,v1=abc", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert await balance(client) == 20
    assert await purchases_in_db(client) == []


async def test_body_changed_after_signing_is_refused(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    _, _, event = await buyer_with_paid_session(client, fake_stripe)
    header = sign(json.dumps(event, indent=2))
    event["data"]["object"]["metadata"]["credits"] = "100000"
    response = await post_event(client, event, signature=header)
    assert response.status_code == 400
    assert await balance(client) == 20


async def test_unknown_pack_unknown_user_and_unknown_events_change_nothing(
    make_client, fake_stripe
):
    client = await make_client(**fake_stripe.settings_overrides())
    _, _, event = await buyer_with_paid_session(client, fake_stripe)
    foreign = dict(event["data"]["object"], metadata={"pack": "platinum", "credits": "999"})
    stranger = dict(event["data"]["object"], client_reference_id="not-one-of-ours")
    for kind, thing, outcome in [
        ("checkout.session.completed", foreign, "unknown_pack"),
        ("checkout.session.completed", stranger, "unknown_pack"),
        ("customer.created", {"id": "cus_1", "object": "customer"}, "ignored"),
        ("invoice.paid", {"id": "in_1", "object": "invoice"}, "ignored"),
        ("charge.dispute.closed", {"id": "dp_1", "status": "won"}, "ignored"),
    ]:
        response = await post_event(client, make_event(kind, thing))
        assert response.status_code == 200
        assert response.json()["outcome"] == outcome
    assert await balance(client) == 20
    assert await purchases_in_db(client) == []


async def test_full_refund_takes_the_credits_back(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    _, session_id, event = await buyer_with_paid_session(client, fake_stripe)
    await post_event(client, event)
    refund = fake_stripe.refund_event(session_id)
    for _ in range(3):  # repeated deliveries take nothing more
        assert (await post_event(client, refund)).status_code == 200
    assert await balance(client) == 20
    [purchase] = await purchases_in_db(client)
    assert (purchase.status, purchase.credits_reversed, purchase.shortfall) == ("refunded", 80, 0)
    [row] = await ledger(client, "reversal")
    assert (row.delta, row.reference) == (-80, session_id)


async def test_refund_after_credits_were_spent_stops_at_zero_and_records_shortfall(
    make_client, fake_stripe
):
    client = await make_client(image_cost=20, **fake_stripe.settings_overrides())
    _, session_id, event = await buyer_with_paid_session(client, fake_stripe, "starter")
    await post_event(client, event)
    assert await balance(client) == 45
    for _ in range(2):  # two images at 20: 40 spent, 5 left
        project_id = (await create_project(client)).json()["projectId"]
        await wait_for_project(client, project_id)
    assert await balance(client) == 5
    await post_event(client, fake_stripe.refund_event(session_id))
    assert await balance(client) == 0
    [purchase] = await purchases_in_db(client)
    assert (purchase.credits_reversed, purchase.shortfall) == (5, 20)
    assert purchase.status == "refunded"
    await post_event(client, fake_stripe.refund_event(session_id))  # again: nothing changes
    [purchase] = await purchases_in_db(client)
    assert (purchase.credits_reversed, purchase.shortfall) == (5, 20)
    assert await balance(client) == 0


async def test_partial_refunds_then_lost_dispute(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    _, session_id, event = await buyer_with_paid_session(client, fake_stripe)  # 80 for 2900
    await post_event(client, event)
    await post_event(client, fake_stripe.refund_event(session_id, refunded=725))  # a quarter
    assert await balance(client) == 100 - 20
    [purchase] = await purchases_in_db(client)
    assert (purchase.status, purchase.credits_reversed) == ("partially_refunded", 20)
    # An older, smaller refund total arriving late takes nothing.
    await post_event(client, fake_stripe.refund_event(session_id, refunded=100))
    assert await balance(client) == 80
    await post_event(client, fake_stripe.dispute_closed_event(session_id, "lost"))
    assert await balance(client) == 20
    [purchase] = await purchases_in_db(client)
    assert (purchase.status, purchase.credits_reversed, purchase.shortfall) == (
        "dispute_lost",
        80,
        0,
    )


async def test_concurrent_refund_deliveries_take_back_once(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    for _ in range(3):
        client.cookies.clear()
        _, session_id, event = await buyer_with_paid_session(client, fake_stripe, "starter")
        await post_event(client, event)
        refund = fake_stripe.refund_event(session_id)
        replies = await asyncio.gather(*(post_event(client, refund) for _ in range(10)))
        assert {r.status_code for r in replies} == {200}
        assert sorted(r.json()["outcome"] for r in replies) == ["nothing_owed"] * 9 + ["taken_back"]
        assert await balance(client) == 20


async def test_webhooks_off_without_a_signing_secret(make_client, fake_stripe):
    overrides = fake_stripe.settings_overrides() | {"stripe_webhook_secret": None}
    client = await make_client(**overrides)
    _, _, event = await buyer_with_paid_session(client, fake_stripe)
    response = await post_event(client, event)
    assert response.status_code == 503
    assert await balance(client) == 20
