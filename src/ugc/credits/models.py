"""The append-only credit ledger; sum(delta) per user always equals users.credits."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from ugc.db.base import Base, IdMixin, UTCDateTime, utcnow


class LedgerReason(StrEnum):
    """Why a balance changed."""

    SIGNUP = "signup"
    IMAGE = "image"
    VIDEO = "video"
    REFUND = "refund"
    GRANT = "grant"
    PURCHASE = "purchase"
    # Credits taken back after a purchase was refunded or lost a dispute.
    REVERSAL = "reversal"


class LedgerEntry(IdMixin, Base):
    """One change to a user's balance. Rows are only ever inserted."""

    __tablename__ = "credit_ledger"
    __table_args__ = (
        Index("ix_credit_ledger_user_created", "user_id", "created_at"),
        # Signup credits are granted once per account, whether at sign-up or when the email
        # is verified, however many requests race to grant them.
        Index(
            "uq_credit_ledger_signup_once",
            "user_id",
            unique=True,
            sqlite_where=text("reason = 'signup'"),
            postgresql_where=text("reason = 'signup'"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    delta: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(16), nullable=False)
    # Plain columns, not foreign keys: the ledger outlives deleted projects.
    project_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # What an outside event is called where it came from, e.g. a Stripe Checkout Session id.
    reference: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
