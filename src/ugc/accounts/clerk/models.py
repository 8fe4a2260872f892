"""Clerk deliveries already applied, by Svix message id: a replay is recognised and skipped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ugc.db.base import Base, UTCDateTime, utcnow


class ClerkDelivery(Base):
    """One applied Clerk webhook message."""

    __tablename__ = "clerk_deliveries"

    message_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
