"""The Stripe gateway of the running app, as a dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ugc.billing.stripe_gateway import StripeGateway
from ugc.config import Settings
from ugc.errors import NotConfigured


def gateway_for(request: Request) -> StripeGateway:
    """The app's Stripe gateway, built on first use; NotConfigured without a secret key."""
    settings: Settings = request.app.state.settings
    if not settings.payments_enabled:
        raise NotConfigured(
            "Online payment is not set up on this server. Ask the administrator for credits."
        )
    gateway: StripeGateway | None = getattr(request.app.state, "stripe_gateway", None)
    if gateway is None:
        gateway = StripeGateway(settings)
        request.app.state.stripe_gateway = gateway
    return gateway


async def get_gateway(request: Request) -> StripeGateway:
    """Dependency form of gateway_for (async: no thread hop)."""
    return gateway_for(request)


GatewayDep = Annotated[StripeGateway, Depends(get_gateway)]
