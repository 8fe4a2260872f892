"""What Clerk's user events do: created and updated keep the account, deleted deletes it.

`user.created` makes the same account a first Clerk JWT would (the Clerk user id is the
JWT's `sub`), so whichever comes first creates it and the other finds it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.accounts.clerk.repository import DeliveryRepository
from ugc.accounts.service import delete_account
from ugc.auth.repository import UserRepository
from ugc.auth.service import normalise_email, user_for_external_id
from ugc.config import Settings
from ugc.storage.base import Storage

log = logging.getLogger(__name__)


def primary_email(data: dict[str, Any]) -> str | None:
    """The Clerk user's primary email address (else their first), normalised."""
    addresses = [a for a in data.get("email_addresses") or [] if isinstance(a, dict)]
    primary = data.get("primary_email_address_id")
    chosen = next((a for a in addresses if a.get("id") == primary), None)
    chosen = chosen or (addresses[0] if addresses else None)
    email = chosen.get("email_address") if chosen else None
    return normalise_email(email) if isinstance(email, str) and email.strip() else None


async def apply_event(
    session: AsyncSession,
    settings: Settings,
    storage: Storage,
    message_id: str,
    event: dict[str, Any],
) -> str:
    """Apply one verified Clerk event once; a word saying what happened."""
    kind = str(event.get("type", ""))
    data = event.get("data")
    subject = data.get("id") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(subject, str) or not subject:
        return "ignored"
    if kind not in ("user.created", "user.updated", "user.deleted"):
        return "ignored"
    if not await DeliveryRepository(session).record_once(message_id, kind):
        return "replayed"
    if kind == "user.deleted":
        outcome = await _delete(session, storage, subject)
    else:
        outcome = await _create_or_update(session, settings, subject, primary_email(data))
    log.info("clerk event", extra={"type": kind, "outcome": outcome, "clerk_user": subject})
    return outcome


async def _create_or_update(
    session: AsyncSession, settings: Settings, subject: str, email: str | None
) -> str:
    users = UserRepository(session)
    user = await users.by_external_id(subject)
    if user is None:
        await user_for_external_id(session, subject, email, signup_credits=settings.signup_credits)
        return "created"
    if email is None or email == user.email:
        return "unchanged"
    if await users.by_email(email) is not None:
        # Another account (a password account, say) owns it: keep ours as it was.
        log.warning("clerk email belongs to another account", extra={"clerk_user": subject})
        return "email_in_use"
    user.email = email
    await session.flush()
    return "updated"


async def _delete(session: AsyncSession, storage: Storage, subject: str) -> str:
    user = await UserRepository(session).by_external_id(subject)
    if user is None:
        return "unknown_user"
    await delete_account(session, user, storage)
    return "deleted"
