"""Turns project rows into API bodies, with signed URLs for private media."""

from __future__ import annotations

import asyncio

from ugc.projects.fidelity_view import product_fidelity
from ugc.projects.models import ACTIVE_STATUSES, Project
from ugc.projects.schemas import ProjectOut, PublicProjectOut
from ugc.storage.base import Storage


def published_media_url(base_url: str, project: Project, kind: str) -> str | None:
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

    async def owned(self, project: Project) -> ProjectOut:
        """The owner's view."""
        user_image, product_image, image, video = await asyncio.gather(
            self._url(project.user_image),
            self._url(project.product_image),
            self._url(project.generated_image),
            self._url(project.generated_video),
        )
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
            progress=project.progress,
            error=project.error,
            created_at=project.created_at,
            updated_at=project.updated_at,
            product_fidelity=product_fidelity(project),
        )

    def public(self, project: Project) -> PublicProjectOut:
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
