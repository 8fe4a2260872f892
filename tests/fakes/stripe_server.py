"""A local fake of the Stripe API for what the app calls, and of Stripe's webhook deliveries.

Speaks Stripe's wire format: form-encoded requests with bracketed keys
(`line_items[0][price_data][currency]=usd`), bearer secret keys, Idempotency-Key replays,
JSON objects with `"object": "checkout.session"`, and errors shaped
`{"error": {"type", "code", "message", "param"}}` with Stripe's status codes.

It also plays the hosted payment page (`session.url`: a form whose Pay button completes the
session, redirects to `success_url` and, after `webhook_delay`, delivers the signed
`checkout.session.completed` event to `webhook_url`), and makes the refund and dispute
events Stripe would send. Events are signed as Stripe signs them:
`Stripe-Signature: t={t},v1={hex HMAC-SHA256(secret, "{t}.{body}")}`.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import httpx

from tests.fakes.http import FakeServer, RecordedRequest, Reply

SECRET_KEY = "sk_test_fake_0123456789abcdef"
WEBHOOK_SECRET = "whsec_fake_signing_secret_0123456789"
API_VERSION = "2025-10-29.clover"


def parse_form(body: bytes) -> dict[str, Any]:
    """Stripe's bracketed form encoding to nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node: Any = root
        for part, following in itertools.pairwise(parts):
            container: Any = [] if following.isdigit() else {}
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                node[index] = node[index] if node[index] is not None else container
                node = node[index]
            else:
                node = node.setdefault(part, container)
        last = parts[-1]
        if isinstance(node, list):
            index = int(last)
            while len(node) <= index:
                node.append(None)
            node[index] = value
        else:
            node[last] = value
    return root


def stripe_error(
    status: int,
    message: str,
    *,
    kind: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
) -> Reply:
    """An error reply as Stripe shapes it."""
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param:
        error["param"] = param
    return Reply(status, {"error": error}, headers={"Request-Id": "req_" + secrets.token_hex(7)})


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for a webhook body."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def make_event(kind: str, thing: dict[str, Any]) -> dict[str, Any]:
    """An event envelope around a snapshot of `thing`."""
    return {
        "id": "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": {"object": json.loads(json.dumps(thing))},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
    }


@dataclass
class Delivery:
    """One webhook delivery the fake made: the answer the app gave."""

    event: dict[str, Any]
    status: int
    body: str


class FakeStripe(FakeServer):
    """Checkout Sessions (create, retrieve), the hosted payment page, and webhooks."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, Reply] = {}
        self.deliveries: list[Delivery] = []
        self.webhook_url: str | None = None
        self.webhook_delay = 0.0
        self.fail_next: Reply | None = None

    def reset(self) -> None:
        """Forget sessions, deliveries and scripted behaviour."""
        super().reset()
        with self._lock:
            self.sessions.clear()
            self.idempotent.clear()
            self.deliveries.clear()
            self.webhook_url = None
            self.webhook_delay = 0.0
            self.fail_next = None

    def settings_overrides(self) -> dict[str, str]:
        """The UGC_ settings that point the app at this fake."""
        return {
            "stripe_secret_key": SECRET_KEY,
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "stripe_api_base": self.base_url,
        }

    # --- the API -------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Reply:
        """Route one request."""
        if request.path.startswith("/pay/"):
            return self._payment_page(request)
        if not request.path.startswith("/v1/"):  # e.g. the browser asking for a favicon
            return Reply(404, b"not found", headers={"Content-Type": "text/plain"})
        if request.headers.get("authorization") != f"Bearer {SECRET_KEY}":
            shown = request.headers.get("authorization", "")[-4:]
            return stripe_error(401, f"Invalid API Key provided: sk_test_****{shown}")
        if self.fail_next is not None:
            reply, self.fail_next = self.fail_next, None
            return reply
        if request.method == "POST" and request.path == "/v1/checkout/sessions":
            key = request.headers.get("idempotency-key")
            with self._lock:
                if key and key in self.idempotent:
                    return self.idempotent[key]
            reply = self._create_session(request)
            if key:
                with self._lock:
                    self.idempotent[key] = reply
            return reply
        if request.method == "GET" and request.path.startswith("/v1/checkout/sessions/"):
            session_id = request.path.rsplit("/", 1)[1]
            with self._lock:
                found = self.sessions.get(session_id)
            if found is None:
                return stripe_error(
                    404,
                    f"No such checkout.session: '{session_id}'",
                    code="resource_missing",
                    param="session",
                )
            return Reply(200, found)
        return stripe_error(404, f"Unrecognized request URL ({request.method}: {request.path}).")

    def _create_session(self, request: RecordedRequest) -> Reply:
        if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
            return stripe_error(400, "Requests must be form-encoded.")
        params = parse_form(request.body)
        for required in ("mode", "success_url", "line_items"):
            if required not in params:
                return stripe_error(
                    400,
                    f"Missing required param: {required}.",
                    code="parameter_missing",
                    param=required,
                )
        if params["mode"] != "payment":
            return stripe_error(400, "Invalid mode.", code="parameter_invalid_empty", param="mode")
        items = params["line_items"]
        try:
            total = sum(
                int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
                for item in items
            )
            currency = items[0]["price_data"]["currency"]
        except (KeyError, ValueError, TypeError):
            return stripe_error(400, "Invalid line_items.", param="line_items")
        session_id = "cs_test_" + secrets.token_hex(24)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": int(time.time()),
            "currency": currency,
            "customer": None,
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "expires_at": int(time.time()) + 86400,
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "url": f"{self.base_url}/pay/{session_id}",
        }
        with self._lock:
            self.sessions[session_id] = session
        return Reply(200, session, headers={"Request-Id": "req_" + secrets.token_hex(7)})

    # --- the hosted payment page ---------------------------------------------------------

    def _payment_page(self, request: RecordedRequest) -> Reply:
        session_id = request.path.removeprefix("/pay/")
        with self._lock:
            session = self.sessions.get(session_id)
        if session is None:
            return Reply(404, b"no such session", headers={"Content-Type": "text/plain"})
        if request.method == "POST":
            event = self.complete(session_id)
            self._deliver_later(event)
            target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
            return Reply(303, b"", headers={"Location": target})
        amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
        page = (
            '<!doctype html><title>Pay</title><link rel="icon" href="data:,">'
            "<h1>Fake Stripe Checkout</h1>"
            f"<p>Pay <strong data-amount>{html.escape(amount)}</strong></p>"
            f'<form method="post" action="/pay/{session_id}"><button>Pay</button></form>'
        )
        return Reply(200, page.encode(), headers={"Content-Type": "text/html; charset=utf-8"})

    def complete(self, session_id: str, *, payment_status: str = "paid") -> dict[str, Any]:
        """Mark a session paid (as the buyer paying does); its checkout.session.completed."""
        with self._lock:
            session = self.sessions[session_id]
            session["status"] = "complete"
            session["payment_status"] = payment_status
            session["payment_intent"] = session["payment_intent"] or "pi_" + secrets.token_hex(12)
            session["customer_details"] = {"email": session["customer_email"]}
            return make_event("checkout.session.completed", session)

    def async_payment_succeeded(self, session_id: str) -> dict[str, Any]:
        """A delayed payment (bank debit) clears: the session becomes paid."""
        with self._lock:
            self.sessions[session_id]["payment_status"] = "paid"
            return make_event("checkout.session.async_payment_succeeded", self.sessions[session_id])

    def charge(self, session_id: str, *, refunded: int = 0) -> dict[str, Any]:
        """The Charge behind a paid session, with `refunded` minor units refunded so far."""
        with self._lock:
            session = self.sessions[session_id]
        return {
            "id": "ch_" + session["payment_intent"].removeprefix("pi_"),
            "object": "charge",
            "amount": session["amount_total"],
            "amount_refunded": refunded,
            "currency": session["currency"],
            "paid": True,
            "payment_intent": session["payment_intent"],
            "refunded": refunded >= session["amount_total"],
            "status": "succeeded",
        }

    def refund_event(self, session_id: str, refunded: int | None = None) -> dict[str, Any]:
        """charge.refunded after refunding `refunded` in total (default: everything)."""
        with self._lock:
            total = self.sessions[session_id]["amount_total"]
        return make_event("charge.refunded", self.charge(session_id, refunded=refunded or total))

    def dispute_closed_event(self, session_id: str, status: str = "lost") -> dict[str, Any]:
        """charge.dispute.closed for the session's whole charge."""
        charge = self.charge(session_id)
        dispute = {
            "id": "dp_" + secrets.token_hex(12),
            "object": "dispute",
            "amount": charge["amount"],
            "charge": charge["id"],
            "currency": charge["currency"],
            "payment_intent": charge["payment_intent"],
            "reason": "fraudulent",
            "status": status,
        }
        return make_event("charge.dispute.closed", dispute)

    # --- webhook deliveries --------------------------------------------------------------

    def deliver(
        self, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
    ) -> httpx.Response:
        """POST a signed event to `webhook_url`, as Stripe does."""
        if self.webhook_url is None:
            raise RuntimeError("set fake.webhook_url first")
        payload = json.dumps(event, indent=2)  # Stripe sends pretty-printed JSON
        response = httpx.post(
            self.webhook_url,
            content=payload.encode(),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign(payload, secret, timestamp),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
            timeout=30,
        )
        with self._lock:
            self.deliveries.append(Delivery(event, response.status_code, response.text))
        return response

    def _deliver_later(self, event: dict[str, Any]) -> None:
        if self.webhook_url is None:
            return

        def send() -> None:
            if self.webhook_delay:
                self._released.wait(self.webhook_delay)
            self.deliver(event)

        threading.Thread(target=send, daemon=True).start()
