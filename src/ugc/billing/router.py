"""HTTP for billing: packs, Checkout, the Stripe webhook, purchases."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request

from ugc.billing import fulfilment, service
from ugc.billing.deps import GatewayDep, gateway_for
from ugc.billing.schemas import (
    CheckoutLinkOut,
    CheckoutProgressOut,
    CheckoutRequest,
    PackOut,
    Packs,
    PurchaseOut,
    Purchases,
)
from ugc.db.session import SessionDep
from ugc.deps import CurrentUser, SettingsDep
from ugc.errors import (
    Forbidden,
    InvalidInput,
    InvalidSignature,
    NotAuthenticated,
    NotConfigured,
    NotFound,
    PaymentProviderError,
    documented,
)

router = APIRouter(tags=["billing"])

SIGNED_IN = (NotAuthenticated, Forbidden)

CheckoutSessionId = Path(min_length=3, max_length=255, pattern=r"^[A-Za-z0-9_]+$")


def site_origin(request: Request, public_url: str | None) -> str:
    """Where Stripe sends the buyer back: UGC_PUBLIC_URL, else this request's own address."""
    return (public_url or str(request.base_url)).rstrip("/")


@router.get("/api/billing/packs")
async def packs(settings: SettingsDep) -> Packs:
    """The credit packs on sale, and whether online payment is set up."""
    return Packs(
        packs=[PackOut.model_validate(p, from_attributes=True) for p in settings.credit_packs],
        payments_enabled=settings.payments_enabled,
    )


@router.post(
    "/api/billing/checkout",
    responses=documented(*SIGNED_IN, InvalidInput, PaymentProviderError, NotConfigured),
)
async def checkout(
    body: CheckoutRequest, user: CurrentUser, request: Request, settings: SettingsDep
) -> CheckoutLinkOut:
    """Start a Stripe Checkout for a pack; send the buyer to `url`."""
    gateway = gateway_for(request)
    origin = site_origin(request, settings.public_url)
    link = await service.start_checkout(gateway, settings, user, body.pack, origin)
    return CheckoutLinkOut(url=link.url, checkout_session_id=link.id)


@router.post("/api/billing/stripe/webhook", responses=documented(InvalidSignature, NotConfigured))
async def stripe_webhook(
    request: Request, session: SessionDep, settings: SettingsDep, gateway: GatewayDep
) -> dict[str, bool | str]:
    """Stripe's events, verified by their Stripe-Signature; unknown events change nothing."""
    event = gateway.verify_event(await request.body(), request.headers.get("stripe-signature"))
    outcome = await fulfilment.handle_event(session, settings, event)
    return {"received": True, "outcome": outcome}


@router.get("/api/billing/purchases", responses=documented(*SIGNED_IN))
async def purchases(user: CurrentUser, session: SessionDep) -> Purchases:
    """The caller's purchases, newest first."""
    rows = await service.list_purchases(session, user)
    return Purchases(purchases=[PurchaseOut.model_validate(p, from_attributes=True) for p in rows])


@router.get(
    "/api/billing/checkout/{checkout_session_id}", responses=documented(*SIGNED_IN, NotFound)
)
async def checkout_progress(
    user: CurrentUser, session: SessionDep, checkout_session_id: str = CheckoutSessionId
) -> CheckoutProgressOut:
    """Whether a Checkout's credits have arrived (the success page polls this)."""
    progress = await service.checkout_progress(session, user, checkout_session_id)
    purchase = progress.purchase
    return CheckoutProgressOut(
        checkout_session_id=progress.checkout_session_id,
        granted=progress.granted,
        purchase=PurchaseOut.model_validate(purchase, from_attributes=True) if purchase else None,
        credits=progress.balance,
    )
