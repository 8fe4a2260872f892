"""Every request dependency, as a typed `Annotated` alias: import them from here.

    async def endpoint(user: CurrentUser, session: SessionDep, queue: QueueDep): ...

They are `async def` although they do not await: FastAPI runs a plain `def` dependency in a
worker thread, which would cost a thread hop on every request. Services take the
protocols (`Storage`, `JobQueue`), never a concrete adapter.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ugc.auth.deps import CurrentCaller, CurrentUser, OptionalUser, PageUser
from ugc.config import Settings
from ugc.db.session import SessionDep
from ugc.jobs.context import JobQueue
from ugc.projects.presenter import ProjectPresenter
from ugc.projects.uploads import DecodeGate
from ugc.storage.base import Storage

__all__ = [
    "CurrentCaller",
    "CurrentUser",
    "DecodeGateDep",
    "OptionalUser",
    "PageUser",
    "PresenterDep",
    "QueueDep",
    "SessionDep",
    "SettingsDep",
    "StorageDep",
]


async def get_app_settings(request: Request) -> Settings:
    """The settings the running app was built with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_storage(request: Request) -> Storage:
    """The app's storage adapter."""
    storage: Storage = request.app.state.storage
    return storage


async def get_queue(request: Request) -> JobQueue:
    """The app's job queue."""
    queue: JobQueue = request.app.state.queue
    return queue


async def get_presenter(request: Request) -> ProjectPresenter:
    """Builds API bodies with media URLs."""
    presenter: ProjectPresenter = request.app.state.presenter
    return presenter


async def get_decode_gate(request: Request) -> DecodeGate:
    """Bounds concurrent photo decoding in this process."""
    gate: DecodeGate = request.app.state.decode_gate
    return gate


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StorageDep = Annotated[Storage, Depends(get_storage)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]
PresenterDep = Annotated[ProjectPresenter, Depends(get_presenter)]
DecodeGateDep = Annotated[DecodeGate, Depends(get_decode_gate)]
