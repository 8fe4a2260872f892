"""Server-sent events for one project: polls the database, pushes only changes.

Polling keeps this correct when the job runs in another process (`ugc worker`);
each poll is one short transaction, never held across the stream. Every few seconds the
stream checks that the credentials it was opened with still sign the user in (a revoked
token or an ended session closes it), and each user may hold only a few streams open.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator

from fastapi import Request

from ugc.auth.deps import credentials_still_valid
from ugc.auth.stream_slots import StreamSlots
from ugc.db.reader import Reader
from ugc.errors import TooManyRequests
from ugc.projects import queries
from ugc.projects.presenter import ProjectPresenter

POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0

log = logging.getLogger(__name__)


async def _snapshot(
    request: Request, user_id: uuid.UUID, project_id: uuid.UUID, last_version: object
) -> tuple[object, str | None] | None:
    """(version, event data); data is None when nothing changed since `last_version`.

    A poll is one small indexed read on the read path, no transaction; the whole project is
    read and rendered only when it changed. (Row state is compared, not rendered URLs:
    presigned URLs differ on every call.)
    """
    reader: Reader = request.app.state.db.reader
    version = await queries.owned_version(reader, project_id, user_id)
    if version is None:
        return None
    if version == last_version:
        return version, None
    project = await queries.owned_project(reader, project_id, user_id)
    if project is None:
        return None
    presenter: ProjectPresenter = request.app.state.presenter
    body = await presenter.owned(project)
    credits = version[-1]
    data = {"project": body.model_dump(mode="json", by_alias=True), "credits": credits}
    return version, json.dumps(data)


async def _still_signed_in(request: Request, user_id: uuid.UUID) -> bool:
    async with request.app.state.db.session() as session:
        valid = await credentials_still_valid(request, session, user_id)
        await session.commit()
    return valid


async def open_project_events(
    request: Request, user_id: uuid.UUID, project_id: uuid.UUID
) -> AsyncIterator[str]:
    """The project's event stream, once the user has a free stream slot (else 429)."""
    slots: StreamSlots = request.app.state.event_stream_slots
    slot = await slots.acquire(str(user_id))
    if slot is None:
        limit = request.app.state.settings.event_streams_per_user
        raise TooManyRequests(
            f"You already have {limit} live progress streams open. "
            "Close another tab of this site and try again.",
            retry_after=5,
        )
    return project_event_stream(request, user_id, project_id, slot)


async def project_event_stream(
    request: Request, user_id: uuid.UUID, project_id: uuid.UUID, slot: str
) -> AsyncIterator[str]:
    """Yield `project` events on change, keep-alives between, `gone` if deleted.

    Ends with a `signed-out` event once the stream's credentials no longer sign in.
    """
    slots: StreamSlots = request.app.state.event_stream_slots
    recheck = request.app.state.settings.event_stream_recheck_seconds
    try:
        yield "retry: 3000\n\n"
        version: object = None
        quiet = 0.0
        checked = time.monotonic()
        while not await request.is_disconnected():
            if time.monotonic() - checked >= recheck:
                checked = time.monotonic()
                if not await _still_signed_in(request, user_id):
                    log.info("event stream of project %s closed: signed out", project_id)
                    yield "event: signed-out\ndata: {}\n\n"
                    return
                await slots.renew(str(user_id), slot)
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
    finally:
        await slots.release(str(user_id), slot)
