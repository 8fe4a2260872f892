"""Account-wide queries: remove a user's row (and, by cascade, what hangs off it)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import ApiToken, User


class AccountRepository:
    """Whole-account writes for one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def delete_tokens(self, user_id: uuid.UUID) -> int:
        """Delete every API token of a user; how many there were."""
        result = await self.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
        return int(getattr(result, "rowcount", 0) or 0)

    async def delete_user(self, user_id: uuid.UUID) -> bool:
        """Delete the user row; its ledger, jobs, tokens and purchases go by ON DELETE CASCADE."""
        result = await self.session.execute(delete(User).where(User.id == user_id))
        return bool(getattr(result, "rowcount", 0))
