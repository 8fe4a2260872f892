"""Turns project rows into API bodies, with signed URLs for private media."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from ugc.projects.fidelity_view import product_fidelity
from ugc.projects.models import ACTIVE_STATUSES, Project
from ugc.projects.schemas import ProjectOut, PublicProjectOut
from ugc.storage.base import Storage


class ShownProject(Protocol):
    """What the presenter reads: a `Project` or a read-path row of its shown columns."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def product_name(self) -> str: ...
    @property
    def product_description(self) -> str: ...
    @property
    def user_prompt(self) -> str: ...
    @property
    def aspect_ratio(self) -> str: ...
    @property
    def user_image(self) -> str: ...
    @property
    def product_image(self) -> str: ...
    @property
    def generated_image(self) -> str | None: ...
    @property
    def generated_video(self) -> str | None: ...
    @property
    def scene(self) -> str | None: ...
    @property
    def composition(self) -> dict[str, Any] | None: ...
    @property
    def fidelity_score(self) -> float | None: ...
    @property
    def fidelity_verdict(self) -> str | None: ...
    @property
    def video_fidelity_score(self) -> float | None: ...
    @property
    def video_fidelity_verdict(self) -> str | None: ...
    @property
    def video_fidelity_frames(self) -> str | None: ...
    @property
    def free_retry(self) -> bool: ...
    @property
    def variant_group(self) -> uuid.UUID | None: ...
    @property
    def show_caption(self) -> bool: ...
    @property
    def is_published(self) -> bool: ...
    @property
    def published_at(self) -> datetime | None: ...
    @property
    def status(self) -> str: ...
    @property
    def stage(self) -> str | None: ...
    @property
    def progress(self) -> float: ...
    @property
    def step(self) -> str | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


def published_media_url(base_url: str, project: ShownProject, kind: str) -> str | None:
    """The stable URL of a published project's image or video."""
    key = project.generated_image if kind == "image" else project.generated_video
    if key is None:
        return None
    extension = "png" if kind == "image" else "mp4"
    return f"{base_url}/media/published/{project.id}/{kind}.{extension}"


def download_name(project: Project, kind: str) -> str:
    """A friendly file name for downloads: product name, kind, short id."""
    stem = "".join(c if c.isalnum() else "-" for c in project.product_name.lower()).strip("-")
    extension = "png" if kind == "image" else "mp4"
    return f"{stem or 'ugc'}-{kind}-{project.id.hex[:8]}.{extension}"


class ProjectPresenter:
    """Builds ProjectOut / PublicProjectOut with URLs from the storage adapter."""

    def __init__(self, storage: Storage, ttl: int, base_url: str = "") -> None:
        self.storage = storage
        self.ttl = ttl
        self.base_url = base_url.rstrip("/")

    async def _url(self, key: str | None) -> str | None:
        return await self.storage.url(key, expires_in=self.ttl) if key else None

    async def owned(self, project: ShownProject) -> ProjectOut:
        """The owner's view."""
        # One after the other: signing is local work for every adapter, and gathering
        # would cost four tasks and a trip round the event loop per project.
        user_image = await self._url(project.user_image)
        product_image = await self._url(project.product_image)
        image = await self._url(project.generated_image)
        video = await self._url(project.generated_video)
        return ProjectOut(
            id=project.id,
            name=project.name,
            product_name=project.product_name,
            product_description=project.product_description,
            user_prompt=project.user_prompt,
            aspect_ratio=project.aspect_ratio,
            user_image=user_image,
            product_image=product_image,
            generated_image=image,
            generated_video=video,
            is_published=project.is_published,
            is_generating=project.status in ACTIVE_STATUSES,
            status=project.status,
            stage=project.stage,
            step=project.step,
            progress=project.progress,
            error=project.error,
            created_at=project.created_at,
            updated_at=project.updated_at,
            composition=project.composition,
            variant_group=project.variant_group,
            show_caption=project.show_caption,
            product_fidelity=product_fidelity(project),
        )

    def public(self, project: ShownProject) -> PublicProjectOut:
        """The community view: stable URLs, no owner, no inputs."""
        return PublicProjectOut(
            id=project.id,
            name=project.name,
            product_name=project.product_name,
            product_description=project.product_description,
            user_prompt=project.user_prompt,
            aspect_ratio=project.aspect_ratio,
            generated_image=published_media_url(self.base_url, project, "image"),
            generated_video=published_media_url(self.base_url, project, "video"),
            published_at=project.published_at,
            created_at=project.created_at,
        )
