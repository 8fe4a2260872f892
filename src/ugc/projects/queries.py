"""Read-path project queries: Core selects of the columns the API shows, by index."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from ugc.projects.models import Project

_projects = Project.__table__
_c = _projects.c
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
    _c.is_published,
    _c.published_at,
    _c.status,
    _c.stage,
    _c.progress,
    _c.error,
    _c.created_at,
    _c.updated_at,
)
# Built once, so SQLAlchemy reuses their cache keys (primary key lookup).
_OWNED = select(*_SHOWN).where(_c.id == bindparam("project_id"), _c.user_id == bindparam("user_id"))
_BY_OWNER = select(*_SHOWN).where(_c.user_id == bindparam("user_id"))  # ix_projects_user_created
_PUBLISHED = select(*_SHOWN).where(_c.is_published.is_(True))  # ix_projects_published

ProjectRow = Row[*tuple[Any, ...]]


async def owned_project(
    connection: AsyncConnection, project_id: uuid.UUID, user_id: uuid.UUID
) -> ProjectRow | None:
    """The project's shown columns when it belongs to `user_id`."""
    result = await connection.execute(_OWNED, {"project_id": project_id, "user_id": user_id})
    return result.first()


async def page_for_user(
    connection: AsyncConnection,
    user_id: uuid.UUID,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[ProjectRow]:
    """A user's projects, newest first, after a keyset cursor."""
    query = _BY_OWNER
    if after is not None:
        query = query.where(tuple_(_c.created_at, _c.id) < tuple_(*after))
    query = query.order_by(_c.created_at.desc(), _c.id.desc()).limit(limit)
    return (await connection.execute(query, {"user_id": user_id})).all()


async def page_published(
    connection: AsyncConnection, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[ProjectRow]:
    """Published projects, most recently published first."""
    query = _PUBLISHED
    if after is not None:
        query = query.where(tuple_(_c.published_at, _c.id) < tuple_(*after))
    query = query.order_by(_c.published_at.desc(), _c.id.desc()).limit(limit)
    return (await connection.execute(query)).all()
