"""Starting a Checkout: the real stripe SDK against the fake Stripe API."""

from __future__ import annotations

import pytest

from tests.billing.helpers import checkout, purchases_in_db
from tests.fakes.stripe_server import parse_form, stripe_error
from tests.support import signup


async def test_checkout_creates_a_payment_session_for_the_pack(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    user = await signup(client)
    body = await checkout(client, "creator")
    assert body["url"] == f"{fake_stripe.base_url}/pay/{body['checkoutSessionId']}"
    [request] = [r for r in fake_stripe.requests if r.path == "/v1/checkout/sessions"]
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert request.headers["authorization"] == "Bearer sk_test_fake_0123456789abcdef"
    assert "idempotency-key" in request.headers  # the SDK's, so its retries cannot pay twice
    sent = parse_form(request.body)
    assert sent["mode"] == "payment"
    assert sent["client_reference_id"] == user["id"]
    assert sent["customer_email"] == user["email"]
    assert sent["metadata"] == {"pack": "creator", "credits": "80"}
    assert sent["line_items"][0]["price_data"]["unit_amount"] == "2900"
    assert sent["line_items"][0]["price_data"]["currency"] == "usd"
    assert sent["success_url"] == (
        "http://testserver/billing/success?session_id={CHECKOUT_SESSION_ID}"
    )
    assert sent["cancel_url"] == "http://testserver/plans?cancelled=1"
    assert await purchases_in_db(client) == []  # nothing is granted before Stripe says paid


async def test_unknown_pack_is_refused_and_stripe_is_not_called(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    await signup(client)
    response = await client.post("/api/billing/checkout", json={"pack": "platinum"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"
    assert "starter, creator, studio" in response.json()["detail"]
    assert fake_stripe.requests == []


async def test_checkout_needs_a_signed_in_user(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    response = await client.post("/api/billing/checkout", json={"pack": "creator"})
    assert response.status_code == 401
    assert fake_stripe.requests == []


async def test_payments_off_without_a_secret_key(make_client):
    client = await make_client()
    await signup(client)
    response = await client.post("/api/billing/checkout", json={"pack": "creator"})
    assert response.status_code == 503
    assert response.json()["error"] == "not_configured"
    packs = (await client.get("/api/billing/packs")).json()
    assert packs["paymentsEnabled"] is False
    assert [p["id"] for p in packs["packs"]] == ["starter", "creator", "studio"]


@pytest.mark.parametrize(
    ("reply", "status", "says"),
    [
        (stripe_error(401, "Invalid API Key provided: sk_test_****"), 502, "UGC_STRIPE_SECRET_KEY"),
        (stripe_error(400, "Invalid currency: zzz.", param="currency"), 502, "Try again"),
    ],
)
async def test_stripe_errors_become_clear_messages(make_client, fake_stripe, reply, status, says):
    client = await make_client(**fake_stripe.settings_overrides())
    await signup(client)
    fake_stripe.fail_next = reply
    response = await client.post("/api/billing/checkout", json={"pack": "starter"})
    assert response.status_code == status
    assert response.json()["error"] == "payment_provider_error"
    assert says in response.json()["detail"]
    assert "sk_test" not in response.text


async def test_packs_come_from_settings(make_client, fake_stripe):
    packs = [{"id": "mega", "name": "Mega", "credits": 1000, "price": 25000, "currency": "eur"}]
    client = await make_client(credit_packs=packs, **fake_stripe.settings_overrides())
    await signup(client)
    body = await checkout(client, "mega")
    sent = parse_form(fake_stripe.requests[-1].body)
    assert sent["line_items"][0]["price_data"] == {
        "currency": "eur",
        "unit_amount": "25000",
        "product_data": {"name": "Mega: 1000 credits"},
    }
    assert body["checkoutSessionId"].startswith("cs_test_")


async def test_success_page_and_progress_belong_to_the_buyer(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    await signup(client)
    session_id = (await checkout(client, "starter"))["checkoutSessionId"]
    page = await client.get(f"/billing/success?session_id={session_id}")
    assert page.status_code == 200
    assert "Starter (25 credits)" in page.text
    progress = (await client.get(f"/api/billing/checkout/{session_id}")).json()
    assert (progress["granted"], progress["credits"]) == (False, 20)
    client.cookies.clear()
    await signup(client)  # someone else, holding the first buyer's session id
    page = await client.get(f"/billing/success?session_id={session_id}")
    assert page.status_code == 404
    missing = await client.get("/billing/success?session_id=cs_test_nosuchsession")
    assert missing.status_code == 404
