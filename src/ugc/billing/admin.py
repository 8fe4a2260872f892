"""The operator's view of purchases (`ugc billing purchases`): what was sold, refunded, and
what a refund could not take back because the credits were already spent."""

from __future__ import annotations

from ugc.billing.money import format_money
from ugc.billing.repository import PurchaseRepository
from ugc.config import Settings
from ugc.db.engine import Database

HEADER = ("date", "email", "pack", "credits", "amount", "status", "taken back", "shortfall")


async def purchase_rows(
    settings: Settings, *, shortfall_only: bool, limit: int
) -> list[tuple[str, ...]]:
    """Purchases, newest first, as table rows (header first)."""
    db = Database(settings.database_url, pool_size=1)
    try:
        async with db.session() as session:
            found = await PurchaseRepository(session).listing(
                shortfall_only=shortfall_only, limit=limit
            )
            await session.commit()
    finally:
        await db.dispose()
    rows: list[tuple[str, ...]] = [HEADER]
    for purchase, email in found:
        rows.append(
            (
                purchase.created_at.strftime("%Y-%m-%d %H:%M"),
                email or f"(user {purchase.user_id})",
                purchase.pack_name,
                str(purchase.credits),
                format_money(purchase.amount, purchase.currency),
                purchase.status,
                str(purchase.credits_reversed),
                str(purchase.shortfall),
            )
        )
    return rows
