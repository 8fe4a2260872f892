"""Read-path project queries: Core selects of the columns the API shows, by index."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select

from ugc.auth.models import User
from ugc.db.reader import AnyRow, Reader
from ugc.pagination import Keyset
from ugc.projects.models import Project

_projects = Project.__table__
_c = _projects.c
_users = User.__table__
# Everything ProjectOut and PublicProjectOut show, and the scene the composition is read from.
_SHOWN = (
    _c.id,
    _c.name,
    _c.product_name,
    _c.product_description,
    _c.user_prompt,
    _c.aspect_ratio,
    _c.user_image,
    _c.product_image,
    _c.generated_image,
    _c.generated_video,
    _c.scene,
    _c.composition,
    _c.variant_group,
    _c.show_caption,
    _c.fidelity_score,
    _c.fidelity_verdict,
    _c.video_fidelity_score,
    _c.video_fidelity_verdict,
    _c.video_fidelity_frames,
    _c.free_retry,
    _c.is_published,
    _c.published_at,
    _c.status,
    _c.stage,
    _c.step,
    _c.progress,
    _c.error,
    _c.created_at,
    _c.updated_at,
)
# Built once each: compiled once, and SQLAlchemy reuses their cache keys.
_OWNED = select(*_SHOWN).where(_c.id == bindparam("project_id"), _c.user_id == bindparam("user_id"))
_BY_OWNER = Keyset.of(  # ix_projects_user_created
    select(*_SHOWN).where(_c.user_id == bindparam("user_id")), _c.created_at, _c.id
)
_PUBLISHED = Keyset.of(  # ix_projects_published
    select(*_SHOWN).where(_c.is_published.is_(True)), _c.published_at, _c.id
)
# What a live stream compares between polls: any write to the project moves updated_at.
_VERSION = (
    select(_c.updated_at, _c.status, _c.progress, _users.c.credits)
    .join(_users, _users.c.id == _c.user_id)
    .where(_c.id == bindparam("project_id"), _c.user_id == bindparam("user_id"))
)

ProjectRow = AnyRow


async def owned_project(
    reader: Reader, project_id: uuid.UUID, user_id: uuid.UUID
) -> ProjectRow | None:
    """The project's shown columns when it belongs to `user_id`."""
    return await reader.first(_OWNED, {"project_id": project_id, "user_id": user_id})


async def owned_version(
    reader: Reader, project_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[object, ...] | None:
    """(updated_at, status, progress, the owner's credits), or None once either is gone."""
    row = await reader.first(_VERSION, {"project_id": project_id, "user_id": user_id})
    return None if row is None else tuple(row)


async def page_for_user(
    reader: Reader,
    user_id: uuid.UUID,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[ProjectRow]:
    """A user's projects, newest first, after a keyset cursor."""
    return await reader.all(*_BY_OWNER.page(after, limit, user_id=user_id))


async def page_published(
    reader: Reader, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[ProjectRow]:
    """Published projects, most recently published first."""
    return await reader.all(*_PUBLISHED.page(after, limit))
