"""App-wide dependencies: storage, queue and presenter of the running app.

They are `async def` although they do not await: FastAPI runs a plain `def` dependency in a
worker thread, which would cost a thread hop on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ugc.jobs.queue import DramatiqQueue
from ugc.projects.presenter import ProjectPresenter
from ugc.storage.base import Storage


async def get_storage(request: Request) -> Storage:
    """The app's storage adapter."""
    storage: Storage = request.app.state.storage
    return storage


async def get_queue(request: Request) -> DramatiqQueue:
    """The app's job queue."""
    queue: DramatiqQueue = request.app.state.queue
    return queue


async def get_presenter(request: Request) -> ProjectPresenter:
    """Builds API bodies with media URLs."""
    presenter: ProjectPresenter = request.app.state.presenter
    return presenter


StorageDep = Annotated[Storage, Depends(get_storage)]
QueueDep = Annotated[DramatiqQueue, Depends(get_queue)]
PresenterDep = Annotated[ProjectPresenter, Depends(get_presenter)]
