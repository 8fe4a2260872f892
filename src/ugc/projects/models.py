"""Projects: the inputs, the generated media and the generation status of one ad."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text, Uuid, false, true
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column

from ugc.db.base import Base, IdMixin, TimestampMixin, UTCDateTime


class ProjectStatus(StrEnum):
    """Where a project's latest generation stands."""

    QUEUED = "queued"
    GENERATING = "generating"
    READY = "ready"
    FAILED = "failed"


class JobKind(StrEnum):
    """What a project's generation job makes (the job kinds this domain registers)."""

    IMAGE = "image"
    VIDEO = "video"


ACTIVE_STATUSES = (ProjectStatus.QUEUED, ProjectStatus.GENERATING)


class Stage(StrEnum):
    """Where a generation is within its status; the engine's own words go in `step`."""

    QUEUED = "queued"
    STARTING = "starting"
    GENERATING = "generating"
    RETRYING = "retrying"
    RESUMING = "resuming"
    DONE = "done"
    FAILED = "failed"


def _enum_column(enum: type[StrEnum], length: int) -> SAEnum:
    """A VARCHAR holding the enum's values (no native type: adding a member needs no DDL)."""
    return SAEnum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


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
    # Written only by ugc.projects.lifecycle.
    status: Mapped[ProjectStatus] = mapped_column(
        _enum_column(ProjectStatus, 16), nullable=False, default=ProjectStatus.QUEUED
    )
    stage: Mapped[Stage] = mapped_column(
        _enum_column(Stage, 64), nullable=False, default=Stage.QUEUED
    )
    step: Mapped[str | None] = mapped_column(String(64))
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    # Variants made together from one pair of photos share this id (and their uploads).
    variant_group: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    # Whether the ad carries its caption (variants can test an ad without one).
    show_caption: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )

    # How faithfully the image and the video show the product (see projects/fidelity.py).
    fidelity_score: Mapped[float | None] = mapped_column(Float)
    fidelity_verdict: Mapped[str | None] = mapped_column(String(16))
    video_fidelity_score: Mapped[float | None] = mapped_column(Float)
    video_fidelity_verdict: Mapped[str | None] = mapped_column(String(16))
    video_fidelity_frames: Mapped[str | None] = mapped_column(Text)  # JSON [[seconds, score]]
    # One free new image is owed after a paid one came out with the product changed.
    # How the engine staged the product (the built-in engine's record), for the API.
    composition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    free_retry: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    def media_key(self, kind: str) -> str | None:
        """The storage key of the generated "image" or "video"."""
        return self.generated_image if kind == "image" else self.generated_video

    def stored_keys(self) -> list[str]:
        """Every storage key the project owns: uploads, generated media, scene data."""
        keys = (
            self.user_image,
            self.product_image,
            self.generated_image,
            self.scene,
            self.generated_video,
        )
        return [key for key in keys if key]
