"""Project bodies as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ugc.projects.models import ProjectStatus, Stage
from ugc.schemas import ApiModel


class FrameScore(ApiModel):
    """One sampled video frame's product fidelity."""

    seconds: float
    score: float


class VideoFidelityOut(ApiModel):
    """How faithfully the video shows the product: the worst sampled frame decides."""

    score: float
    verdict: str
    summary: str
    frames: list[FrameScore]


class ProductFidelityOut(ApiModel):
    """How faithfully the ad shows the product as photographed (score 0..1 and a verdict)."""

    score: float
    verdict: str  # intact | changed | missing
    summary: str  # the verdict in words a person understands
    free_retry: bool  # a free "Try again" is owed (POST /api/project/retry)
    video: VideoFidelityOut | None


class ProjectOut(ApiModel):
    """A project as its owner sees it; media as URLs."""

    id: uuid.UUID
    name: str
    product_name: str
    product_description: str
    user_prompt: str
    aspect_ratio: str
    user_image: str | None
    product_image: str | None
    generated_image: str | None
    generated_video: str | None
    is_published: bool
    is_generating: bool
    status: ProjectStatus
    stage: Stage
    # The engine's own words for what it is doing, while generating.
    step: str | None
    progress: float
    error: str | None
    created_at: datetime
    updated_at: datetime
    # How the built-in engine staged the product (e.g. {"composition": "hand", "hand":
    # "right"}); null for other engines and before the image exists.
    composition: dict[str, Any] | None = None
    # Projects made together as variants share this id; null for a single ad.
    variant_group: uuid.UUID | None = None
    # False for a variant made without its caption.
    show_caption: bool = True
    product_fidelity: ProductFidelityOut | None = None


class PublicProjectOut(ApiModel):
    """A published project as anyone sees it: no owner, no input photos."""

    id: uuid.UUID
    name: str
    product_name: str
    product_description: str
    user_prompt: str
    aspect_ratio: str
    generated_image: str | None
    generated_video: str | None
    published_at: datetime | None
    created_at: datetime


class ProjectEnvelope(ApiModel):
    """{"project": ...}."""

    project: ProjectOut


class ProjectPage(ApiModel):
    """A page of the owner's projects."""

    projects: list[ProjectOut]
    next_cursor: str | None


class PublicPage(ApiModel):
    """A page of the community feed."""

    projects: list[PublicProjectOut]
    next_cursor: str | None


class ProjectCreated(ApiModel):
    """{"projectId": ...}."""

    project_id: uuid.UUID


class ProjectRef(ApiModel):
    """A body naming a project."""

    project_id: uuid.UUID


class PublishRequest(ApiModel):
    """Publish or unpublish a project."""

    project_id: uuid.UUID
    is_published: bool


class PublishState(ApiModel):
    """{"isPublished": ...}."""

    is_published: bool


class VariantsCreated(ApiModel):
    """The projects a variants request made, in the order asked."""

    variant_group: uuid.UUID
    project_ids: list[uuid.UUID]
