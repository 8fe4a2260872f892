"""Credit rules: reserve before work, refund exactly once, every change in the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ugc.auth.models import User
from ugc.credits.models import LedgerEntry, LedgerReason
from ugc.credits.repository import CreditRepository
from ugc.errors import InsufficientCredits, InvalidInput
from ugc.pagination import decode_cursor, split_page


async def reserve_credits(
    session: AsyncSession,
    user_id: uuid.UUID,
    amount: int,
    reason: LedgerReason,
    *,
    project_id: uuid.UUID | None = None,
    job_id: uuid.UUID | None = None,
    reference: str | None = None,
) -> int:
    """Debit `amount` in the caller's transaction or raise InsufficientCredits."""
    repo = CreditRepository(session)
    balance = await repo.debit_if_covered(user_id, amount)
    if balance is None:
        raise InsufficientCredits(insufficient_credits_message(amount))
    await repo.append(
        user_id, -amount, reason, project_id=project_id, job_id=job_id, reference=reference
    )
    return balance


def insufficient_credits_message(amount: int) -> str:
    """The sentence of a 402: what it costs and where to get more."""
    return (
        f"This costs {amount} credits and your balance is too low. "
        "Get more credits on the Plans page."
    )


async def add_credits(
    session: AsyncSession,
    user_id: uuid.UUID,
    amount: int,
    reason: LedgerReason,
    *,
    project_id: uuid.UUID | None = None,
    job_id: uuid.UUID | None = None,
    reference: str | None = None,
) -> int:
    """Credit `amount` (signup, grant, refund, purchase) with its ledger row."""
    if amount < 0:
        raise InvalidInput("A credit amount cannot be negative.")
    repo = CreditRepository(session)
    balance = await repo.credit(user_id, amount)
    await repo.append(
        user_id, amount, reason, project_id=project_id, job_id=job_id, reference=reference
    )
    return balance


def show_balance(user: User, balance: int) -> None:
    """Reflect a balance written by a guarded UPDATE without scheduling another write."""
    set_committed_value(user, "credits", balance)


async def history_page(
    session: AsyncSession, user: User, cursor: str | None, limit: int
) -> tuple[Sequence[LedgerEntry], str | None]:
    """A page of the caller's ledger, newest first, and the cursor of the next page."""
    after = decode_cursor(cursor) if cursor else None
    rows = await CreditRepository(session).history(user.id, after=after, limit=limit + 1)
    return split_page(rows, limit, lambda entry: (entry.created_at, entry.id))
