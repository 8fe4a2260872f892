"""The Stripe adapter: the only module that imports the `stripe` SDK.

Checkout Sessions are created and read through the SDK's async client (httpx), and webhook
bodies are verified with the SDK's own signature check. Everything leaves here as plain
data, so the rest of the app knows nothing of Stripe's object model.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import stripe

from ugc.config import CreditPack, Settings
from ugc.errors import InvalidSignature, NotConfigured, PaymentProviderError

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20


@dataclass(frozen=True, slots=True)
class CheckoutLink:
    """A created Checkout Session: its id and the page the buyer pays on."""

    id: str
    url: str


@dataclass(frozen=True, slots=True)
class CheckoutState:
    """What the app reads back from a Checkout Session."""

    id: str
    client_reference_id: str | None
    status: str | None
    payment_status: str | None
    pack_id: str | None


class StripeGateway:
    """Stripe Checkout and webhook verification for one app."""

    def __init__(self, settings: Settings) -> None:
        if settings.stripe_secret_key is None:
            raise NotConfigured("Online payment is not set up on this server.")
        base = {"api": settings.stripe_api_base.rstrip("/")} if settings.stripe_api_base else None
        self._client = stripe.StripeClient(
            settings.stripe_secret_key.get_secret_value(),
            base_addresses=base,  # type: ignore[arg-type]
            max_network_retries=2,
            http_client=stripe.HTTPXClient(timeout=TIMEOUT_SECONDS),
        )
        secret = settings.stripe_webhook_secret
        self._webhook_secret = secret.get_secret_value() if secret else None
        self._tolerance = settings.stripe_webhook_tolerance_seconds

    async def create_checkout(
        self,
        *,
        pack: CreditPack,
        user_id: uuid.UUID,
        email: str | None,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutLink:
        """A one-off payment Checkout Session for `pack`, bought by `user_id`."""
        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": str(user_id),
            "success_url": success_url,
            "cancel_url": cancel_url,
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": pack.currency,
                        "unit_amount": pack.price,
                        "product_data": {
                            "name": f"{pack.name}: {pack.credits} credits",
                        },
                    },
                }
            ],
            "metadata": {"pack": pack.id, "credits": str(pack.credits)},
            "payment_intent_data": {"metadata": {"pack": pack.id, "user": str(user_id)}},
        }
        if email:
            params["customer_email"] = email
        try:
            created = await self._client.v1.checkout.sessions.create_async(params)  # type: ignore[arg-type]
        except stripe.StripeError as exc:
            raise _provider_error(exc) from None
        if not created.url:
            raise PaymentProviderError("Stripe did not return a payment page. Try again.")
        return CheckoutLink(id=created.id, url=created.url)

    async def retrieve_checkout(self, checkout_session_id: str) -> CheckoutState | None:
        """A Checkout Session by id; None when Stripe knows no such session."""
        try:
            found = await self._client.v1.checkout.sessions.retrieve_async(checkout_session_id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                return None
            raise _provider_error(exc) from None
        except stripe.StripeError as exc:
            raise _provider_error(exc) from None
        data: dict[str, Any] = found.to_dict()
        metadata = data.get("metadata") or {}
        return CheckoutState(
            id=str(data["id"]),
            client_reference_id=data.get("client_reference_id"),
            status=data.get("status"),
            payment_status=data.get("payment_status"),
            pack_id=metadata.get("pack"),
        )

    def verify_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The event in a webhook body whose Stripe-Signature is valid and fresh."""
        if self._webhook_secret is None:
            raise NotConfigured("Stripe webhooks are not set up on this server.")
        try:
            event = self._client.construct_event(
                payload, signature, self._webhook_secret, tolerance=self._tolerance
            )
        except stripe.SignatureVerificationError as exc:
            detail = f"The Stripe signature was refused: {exc.user_message}"
            raise InvalidSignature(detail) from None
        except ValueError:
            raise InvalidSignature("The webhook body is not a Stripe event.") from None
        data: dict[str, Any] = event.to_dict()
        return data


def _provider_error(exc: stripe.StripeError) -> PaymentProviderError:
    """A sentence for the buyer; the details go to the log (never the key)."""
    log.warning(
        "stripe request failed",
        extra={"status": exc.http_status, "code": exc.code, "stripe_message": exc.user_message},
    )
    if isinstance(exc, stripe.AuthenticationError):
        return PaymentProviderError(
            "Payments are misconfigured on this server; the administrator should check "
            "UGC_STRIPE_SECRET_KEY."
        )
    if isinstance(exc, stripe.APIConnectionError):
        return PaymentProviderError("Stripe could not be reached. Try again in a moment.")
    return PaymentProviderError("Stripe could not start the payment. Try again in a moment.")
