"""Pages of buying credits: the Plans form's no-JavaScript post, and the return from Stripe."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from ugc.auth.deps import PageUser, SettingsDep
from ugc.billing import service as billing
from ugc.billing.deps import gateway_for
from ugc.billing.router import site_origin
from ugc.db.session import SessionDep
from ugc.errors import Forbidden
from ugc.web.guards import is_same_site, sign_in_first
from ugc.web.templating import render

router = APIRouter(include_in_schema=False)


@router.post("/billing/checkout")
async def checkout_form(
    request: Request,
    user: PageUser,
    settings: SettingsDep,
    pack: Annotated[str, Form(max_length=40)],
) -> Response:
    """The Plans page's Buy button without JavaScript: straight on to Stripe's payment page."""
    if not is_same_site(request):
        raise Forbidden("Requests from other sites are not allowed.")
    if (stop := sign_in_first(request, user)) is not None:
        return stop
    assert user is not None
    gateway = gateway_for(request)
    origin = site_origin(request, settings.public_url)
    link = await billing.start_checkout(gateway, settings, user, pack, origin)
    return RedirectResponse(link.url, status_code=303)


@router.get("/billing/success")
async def checkout_success(
    request: Request,
    user: PageUser,
    session: SessionDep,
    session_id: Annotated[str, Query(min_length=3, max_length=255, pattern=r"^[A-Za-z0-9_]+$")],
) -> Response:
    """Back from Stripe: the credits and the new balance, live once the webhook has landed."""
    if (stop := sign_in_first(request, user)) is not None:
        return stop
    assert user is not None
    # Stripe confirms the session is this user's; anyone else's id is a 404.
    pack_id = await billing.confirm_checkout_owner(gateway_for(request), user, session_id)
    progress = await billing.checkout_progress(session, user, session_id)
    settings = request.app.state.settings
    return render(
        request,
        "billing_success.html",
        user=user,
        progress=progress,
        pack=settings.credit_pack(pack_id or ""),
        title="Thank you",
    )


@router.get("/plans")
async def plans(request: Request, user: PageUser, cancelled: bool = False) -> Response:
    """Credit costs and packs, with Buy buttons once payments are set up."""
    return render(request, "plans.html", user=user, cancelled=cancelled, title="Plans and credits")
