"""Billing rules: start a Checkout for a pack, read back purchases and their state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.billing.models import Purchase
from ugc.billing.repository import PurchaseRepository
from ugc.billing.stripe_gateway import CheckoutLink, StripeGateway
from ugc.config import Settings
from ugc.errors import InvalidInput, NotFound

SUCCESS_PATH = "/billing/success"


async def start_checkout(
    gateway: StripeGateway, settings: Settings, user: User, pack_id: str, origin: str
) -> CheckoutLink:
    """A Checkout Session for one of the offered packs, returning to this site."""
    pack = settings.credit_pack(pack_id)
    if pack is None:
        offered = ", ".join(p.id for p in settings.credit_packs)
        raise InvalidInput(f"There is no pack {pack_id[:40]!r}; choose one of: {offered}.")
    return await gateway.create_checkout(
        pack=pack,
        user_id=user.id,
        email=user.email,
        # Stripe fills in {CHECKOUT_SESSION_ID} itself.
        success_url=f"{origin}{SUCCESS_PATH}?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{origin}/plans?cancelled=1",
    )


@dataclass(frozen=True, slots=True)
class CheckoutProgress:
    """Where a buyer's Checkout stands: paid and granted, or still waiting for Stripe."""

    checkout_session_id: str
    granted: bool
    purchase: Purchase | None
    balance: int


async def checkout_progress(
    session: AsyncSession, user: User, checkout_session_id: str
) -> CheckoutProgress:
    """Whether the webhook of this Checkout Session has granted its credits yet."""
    purchase = await PurchaseRepository(session).by_checkout_session(checkout_session_id)
    if purchase is not None and purchase.user_id != user.id:
        raise NotFound("No such purchase.")
    return CheckoutProgress(
        checkout_session_id=checkout_session_id,
        granted=purchase is not None,
        purchase=purchase,
        balance=user.credits,
    )


async def confirm_checkout_owner(
    gateway: StripeGateway, user: User, checkout_session_id: str
) -> str | None:
    """The pack id of a Checkout Session the caller started; NotFound for anyone else's."""
    state = await gateway.retrieve_checkout(checkout_session_id)
    if state is None or state.client_reference_id != str(user.id):
        raise NotFound("No such payment.")
    return state.pack_id


async def list_purchases(session: AsyncSession, user: User) -> Sequence[Purchase]:
    """The caller's purchases, newest first."""
    return await PurchaseRepository(session).for_user(user.id)
