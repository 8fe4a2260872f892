"""POST /api/webhooks/clerk: Svix-signed user events (the only module importing `svix`)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from svix.webhooks import Webhook, WebhookVerificationError

from ugc.accounts.clerk import service
from ugc.db.session import SessionDep
from ugc.deps import SettingsDep, StorageDep
from ugc.errors import InvalidSignature, NotConfigured, documented

router = APIRouter(tags=["auth"])


@router.post("/api/webhooks/clerk", responses=documented(InvalidSignature, NotConfigured))
async def clerk_webhook(
    request: Request, session: SessionDep, settings: SettingsDep, storage: StorageDep
) -> dict[str, bool | str]:
    """Clerk's user.created / user.updated / user.deleted, verified with the Svix secret."""
    if settings.clerk_webhook_secret is None:
        raise NotConfigured("Clerk webhooks are not set up on this server.")
    payload = await request.body()
    headers = {name: request.headers.get(name, "") for name in ("svix-id", "svix-timestamp")}
    headers["svix-signature"] = request.headers.get("svix-signature", "")
    try:
        # Checks the signature and that the timestamp is within five minutes of now.
        Webhook(settings.clerk_webhook_secret.get_secret_value()).verify(payload, headers)
        event = json.loads(payload)
    except WebhookVerificationError as exc:
        raise InvalidSignature(f"The Svix signature was refused: {exc}.") from None
    except ValueError:
        raise InvalidSignature("The webhook body is not JSON.") from None
    if not isinstance(event, dict):
        raise InvalidSignature("The webhook body is not a Clerk event.")
    outcome = await service.apply_event(session, settings, storage, headers["svix-id"], event)
    return {"received": True, "outcome": outcome}
