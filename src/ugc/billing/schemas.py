"""Billing bodies on the wire (camelCase)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from ugc.schemas import ApiModel


class CheckoutRequest(ApiModel):
    """{"pack": "creator"}."""

    pack: str = Field(min_length=1, max_length=40)


class CheckoutLinkOut(ApiModel):
    """Where to send the buyer: Stripe's payment page."""

    url: str
    checkout_session_id: str


class PackOut(ApiModel):
    """A pack on sale; the price in minor units (cents)."""

    id: str
    name: str
    credits: int
    price: int
    currency: str


class Packs(ApiModel):
    """{"packs": [...], "paymentsEnabled": bool}."""

    packs: list[PackOut]
    payments_enabled: bool


class PurchaseOut(ApiModel):
    """One purchase as its buyer sees it."""

    id: uuid.UUID
    checkout_session_id: str
    pack_id: str
    pack_name: str
    credits: int
    amount: int
    currency: str
    status: str
    credits_reversed: int
    created_at: datetime


class Purchases(ApiModel):
    """{"purchases": [...]}."""

    purchases: list[PurchaseOut]


class CheckoutProgressOut(ApiModel):
    """Has the payment's webhook granted the credits yet? And the balance now."""

    checkout_session_id: str
    granted: bool
    purchase: PurchaseOut | None
    credits: int
