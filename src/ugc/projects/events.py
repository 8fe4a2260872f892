"""Server-sent events for one project: polls the database, pushes only changes.

Polling keeps this correct when the job runs in another process (`ugc worker`);
each poll is one short transaction, never held across the stream.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

from fastapi import Request

from ugc.auth.repository import UserRepository
from ugc.projects.presenter import ProjectPresenter
from ugc.projects.repository import ProjectRepository

POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0


async def _snapshot(
    request: Request, user_id: uuid.UUID, project_id: uuid.UUID, last_version: object
) -> tuple[object, str | None] | None:
    """(version, event data); data is None when nothing changed since `last_version`."""
    presenter: ProjectPresenter = request.app.state.presenter
    async with request.app.state.db.session() as session:
        project = await ProjectRepository(session).get_owned(project_id, user_id)
        user = await UserRepository(session).get(user_id)
        await session.commit()
    if project is None or user is None:
        return None
    # Compare row state, not rendered URLs: presigned URLs differ on every call.
    version = (project.updated_at, project.status, project.progress, user.credits)
    if version == last_version:
        return version, None
    body = await presenter.owned(project)
    data = {"project": body.model_dump(mode="json", by_alias=True), "credits": user.credits}
    return version, json.dumps(data)


async def project_event_stream(
    request: Request, user_id: uuid.UUID, project_id: uuid.UUID
) -> AsyncIterator[str]:
    """Yield `project` events on change, keep-alives between, `gone` if deleted."""
    yield "retry: 3000\n\n"
    version: object = None
    quiet = 0.0
    while not await request.is_disconnected():
        snapshot = await _snapshot(request, user_id, project_id, version)
        if snapshot is None:
            yield "event: gone\ndata: {}\n\n"
            return
        version, data = snapshot
        if data is not None:
            quiet = 0.0
            yield f"event: project\ndata: {data}\n\n"
        elif quiet >= KEEPALIVE_SECONDS:
            quiet = 0.0
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_SECONDS)
        quiet += POLL_SECONDS
