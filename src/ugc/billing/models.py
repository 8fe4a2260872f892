"""Purchases: one row per paid Stripe Checkout Session, and what was later taken back."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ugc.db.base import Base, IdMixin, TimestampMixin


class PurchaseStatus(StrEnum):
    """Where a purchase stands after refunds and disputes."""

    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    DISPUTE_LOST = "dispute_lost"


class Purchase(IdMixin, TimestampMixin, Base):
    """Credits bought through one Checkout Session; the session id is unique, so a pack is
    granted once however many times, in whatever order, Stripe delivers the event."""

    __tablename__ = "purchases"
    __table_args__ = (
        Index("ix_purchases_user_created", "user_id", "created_at"),
        CheckConstraint("credits_reversed + shortfall <= credits", name="reversal_within_credits"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    checkout_session_id: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    pack_id: Mapped[str] = mapped_column(String(40), nullable=False)
    pack_name: Mapped[str] = mapped_column(String(60), nullable=False)
    credits: Mapped[int] = mapped_column(Integer, nullable=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)  # minor units, e.g. cents
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False, default=PurchaseStatus.PAID)
    # Cumulative amounts Stripe reported (minor units): refunds, and disputes lost.
    refunded_amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    disputed_amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Credits taken back, and credits that should have been but the balance was spent.
    credits_reversed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    shortfall: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
