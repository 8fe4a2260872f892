"""Projects: the inputs, the generated media and the generation status of one ad."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ugc.db.base import Base, IdMixin, TimestampMixin, UTCDateTime


class ProjectStatus(StrEnum):
    """Where a project's latest generation stands."""

    QUEUED = "queued"
    GENERATING = "generating"
    READY = "ready"
    FAILED = "failed"


ACTIVE_STATUSES = (ProjectStatus.QUEUED, ProjectStatus.GENERATING)


class Project(IdMixin, TimestampMixin, Base):
    """One ad: two input photos, a brief, and the image and video made from them."""

    __tablename__ = "projects"
    __table_args__ = (
        Index("ix_projects_user_created", "user_id", "created_at"),
        Index("ix_projects_published", "is_published", "published_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    product_name: Mapped[str] = mapped_column(String(120), nullable=False)
    product_description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    user_prompt: Mapped[str] = mapped_column(Text, nullable=False, default="")
    aspect_ratio: Mapped[str] = mapped_column(String(8), nullable=False)
    user_image: Mapped[str] = mapped_column(String(255), nullable=False)
    product_image: Mapped[str] = mapped_column(String(255), nullable=False)
    generated_image: Mapped[str | None] = mapped_column(String(255))
    scene: Mapped[str | None] = mapped_column(String(255))
    generated_video: Mapped[str | None] = mapped_column(String(255))
    is_published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ProjectStatus.QUEUED)
    stage: Mapped[str | None] = mapped_column(String(64))
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    # How faithfully the image and the video show the product (see projects/fidelity.py).
    fidelity_score: Mapped[float | None] = mapped_column(Float)
    fidelity_verdict: Mapped[str | None] = mapped_column(String(16))
    video_fidelity_score: Mapped[float | None] = mapped_column(Float)
    video_fidelity_verdict: Mapped[str | None] = mapped_column(String(16))
    video_fidelity_frames: Mapped[str | None] = mapped_column(Text)  # JSON [[seconds, score]]
    # One free new image is owed after a paid one came out with the product changed.
    free_retry: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
