"""Project bodies as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ugc.schemas import ApiModel


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
    status: str
    stage: str | None
    progress: float
    error: str | None
    created_at: datetime
    updated_at: datetime
    # How the built-in engine staged the product (e.g. {"composition": "hand", "hand":
    # "right"}); null for other engines and before the image exists.
    composition: dict[str, Any] | None = None


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
