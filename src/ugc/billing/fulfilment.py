"""What Stripe's events do: grant a paid pack once, take credits back after a refund or a
lost dispute. Events arrive as verified plain dicts (Stripe's JSON); anything else is ignored.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.repository import UserRepository
from ugc.billing.models import Purchase, PurchaseStatus
from ugc.billing.repository import PurchaseRepository
from ugc.config import Settings
from ugc.credits.models import LedgerReason
from ugc.credits.service import add_credits, reserve_credits

log = logging.getLogger(__name__)

GRANTING_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


def _text(value: object) -> str | None:
    """A string field, or the id of an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _user_id(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def handle_event(session: AsyncSession, settings: Settings, event: dict[str, Any]) -> str:
    """Apply one verified Stripe event; a word saying what happened (for the log and reply)."""
    kind = str(event.get("type", ""))
    data = event.get("data")
    thing = data.get("object") if isinstance(data, dict) else None
    if not isinstance(thing, dict):
        return "ignored"
    if kind in GRANTING_EVENTS:
        outcome = await grant_checkout(session, settings, thing)
    elif kind == "charge.refunded":
        outcome = await take_back(session, thing, refunded=_integer(thing.get("amount_refunded")))
    elif kind == "charge.dispute.closed" and thing.get("status") == "lost":
        outcome = await take_back(session, thing, disputed=_integer(thing.get("amount")))
    else:
        outcome = "ignored"
    log.info("stripe event", extra={"event_id": event.get("id"), "type": kind, "outcome": outcome})
    return outcome


async def grant_checkout(
    session: AsyncSession, settings: Settings, checkout: dict[str, Any]
) -> str:
    """Grant the pack of a paid Checkout Session, exactly once per session."""
    session_id = _text(checkout.get("id"))
    if session_id is None or checkout.get("mode") != "payment":
        return "ignored"
    if checkout.get("payment_status") != "paid":
        return "not_paid"  # an asynchronous payment method: async_payment_succeeded follows
    metadata = checkout.get("metadata") or {}
    pack = settings.credit_pack(str(metadata.get("pack", "")))
    user_id = _user_id(checkout.get("client_reference_id"))
    credits = _integer(metadata.get("credits"))
    if pack is None or user_id is None or not credits:
        # Another app on the same Stripe account, or a pack this server no longer sells.
        log.warning("checkout for no pack of ours", extra={"checkout_session": session_id})
        return "unknown_pack"
    if await UserRepository(session).get(user_id) is None:
        log.warning("checkout for a deleted account", extra={"checkout_session": session_id})
        return "unknown_user"
    purchase_id = await PurchaseRepository(session).insert_once(
        {
            "user_id": user_id,
            "checkout_session_id": session_id,
            "payment_intent_id": _text(checkout.get("payment_intent")),
            "pack_id": pack.id,
            "pack_name": pack.name,
            "credits": credits,
            "amount": _integer(checkout.get("amount_total")) or 0,
            "currency": str(checkout.get("currency") or pack.currency),
            "status": PurchaseStatus.PAID.value,
            "refunded_amount": 0,
            "disputed_amount": 0,
            "credits_reversed": 0,
            "shortfall": 0,
        }
    )
    if purchase_id is None:
        return "duplicate"
    await add_credits(session, user_id, credits, LedgerReason.PURCHASE, reference=session_id)
    log.info("credits purchased", extra={"checkout_session": session_id, "credits": credits})
    return "granted"


def _status(purchase: Purchase) -> PurchaseStatus:
    if purchase.disputed_amount > 0:
        return PurchaseStatus.DISPUTE_LOST
    if purchase.refunded_amount >= purchase.amount:
        return PurchaseStatus.REFUNDED
    if purchase.refunded_amount > 0:
        return PurchaseStatus.PARTIALLY_REFUNDED
    return PurchaseStatus.PAID


def credits_owed(purchase: Purchase) -> int:
    """Credits the refunds and lost disputes so far call back, not yet taken or written off."""
    lost = min(purchase.amount, purchase.refunded_amount + purchase.disputed_amount)
    called_back = purchase.credits if lost >= purchase.amount else 0
    if 0 < lost < purchase.amount:
        # In proportion, rounded in the buyer's favour: a 1-cent refund takes nothing.
        called_back = purchase.credits * lost // purchase.amount
    return max(0, called_back - purchase.credits_reversed - purchase.shortfall)


async def take_back(
    session: AsyncSession,
    charge_or_dispute: dict[str, Any],
    *,
    refunded: int | None = None,
    disputed: int | None = None,
) -> str:
    """Take back the credits a refund or lost dispute calls back, as far as the balance allows.

    Stripe reports cumulative amounts, so a repeated or reordered event computes the same
    total and takes nothing more. What the balance cannot cover is recorded as a shortfall.
    """
    payment_intent = _text(charge_or_dispute.get("payment_intent"))
    repo = PurchaseRepository(session)
    purchase = await repo.lock_by_payment_intent(payment_intent) if payment_intent else None
    if purchase is None:
        return "unknown_payment"
    if refunded is not None:
        purchase.refunded_amount = max(purchase.refunded_amount, refunded)
    if disputed is not None:
        purchase.disputed_amount = max(purchase.disputed_amount, disputed)
    purchase.status = _status(purchase).value
    owed = credits_owed(purchase)
    if owed == 0:
        await session.flush()
        return "nothing_owed"
    balance = await repo.lock_balance(purchase.user_id) or 0
    taken = min(owed, balance)
    if taken:
        await reserve_credits(
            session,
            purchase.user_id,
            taken,
            LedgerReason.REVERSAL,
            reference=purchase.checkout_session_id,
        )
    purchase.credits_reversed += taken
    purchase.shortfall += owed - taken
    await session.flush()
    if owed > taken:
        log.warning(
            "refunded credits already spent",
            extra={"checkout_session": purchase.checkout_session_id, "shortfall": owed - taken},
        )
    return "taken_back"
