"""HTTP for projects: create, read, list, video, publish, delete, live events."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import StreamingResponse

from ugc.auth.deps import CurrentUser, SettingsDep
from ugc.db.session import SessionDep
from ugc.deps import PresenterDep, QueueDep, StorageDep
from ugc.projects import free_retry, service
from ugc.projects.events import project_event_stream
from ugc.projects.schemas import (
    ProjectCreated,
    ProjectEnvelope,
    ProjectPage,
    ProjectRef,
    PublishRequest,
    PublishState,
)

router = APIRouter(tags=["projects"])


async def _read_capped(upload: UploadFile | None, max_bytes: int) -> bytes | None:
    """The upload's bytes, reading at most one byte past the limit."""
    if upload is None or (not upload.filename and not upload.size):
        return None
    return await upload.read(max_bytes + 1)


@router.post("/api/project/create", status_code=status.HTTP_201_CREATED)
async def create_project(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    queue: QueueDep,
    product_name: Annotated[str, Form(alias="productName")] = "",
    name: Annotated[str, Form()] = "",
    product_description: Annotated[str, Form(alias="productDescription")] = "",
    user_prompt: Annotated[str, Form(alias="userPrompt")] = "",
    aspect_ratio: Annotated[str, Form(alias="aspectRatio")] = "9:16",
    user_image: Annotated[UploadFile | None, File(alias="userImage")] = None,
    product_image: Annotated[UploadFile | None, File(alias="productImage")] = None,
) -> ProjectCreated:
    """Validate everything, then charge the image cost and queue the image job."""
    brief = service.check_brief(
        service.Brief(
            product_name=product_name,
            name=name,
            product_description=product_description,
            user_prompt=user_prompt,
            aspect_ratio=aspect_ratio,
        )
    )
    person, product = await service.check_photos(
        await _read_capped(user_image, settings.max_upload_bytes),
        await _read_capped(product_image, settings.max_upload_bytes),
        settings.max_upload_bytes,
    )
    project = await service.create_project(
        session,
        user=user,
        brief=brief,
        person=person,
        product=product,
        settings=settings,
        storage=storage,
        queue=queue,
    )
    return ProjectCreated(project_id=project.id)


@router.get("/api/user/projects")
async def list_projects(
    user: CurrentUser,
    session: SessionDep,
    presenter: PresenterDep,
    cursor: str | None = None,
    limit: int = Query(default=20, ge=1, le=100),
) -> ProjectPage:
    """The caller's projects, newest first."""
    rows, next_cursor = await service.list_projects(session, user, cursor, limit)
    return ProjectPage(projects=[await presenter.owned(p) for p in rows], next_cursor=next_cursor)


@router.get("/api/user/projects/{project_id}")
async def get_project(
    project_id: uuid.UUID, user: CurrentUser, session: SessionDep, presenter: PresenterDep
) -> ProjectEnvelope:
    """One of the caller's projects."""
    project = await service.get_owned_project(session, user, project_id)
    return ProjectEnvelope(project=await presenter.owned(project))


@router.get("/api/user/projects/{project_id}/events")
async def project_events(
    project_id: uuid.UUID, request: Request, user: CurrentUser, session: SessionDep
) -> StreamingResponse:
    """Server-sent events: the project and the balance whenever either changes."""
    await service.get_owned_project(session, user, project_id)
    return StreamingResponse(
        project_event_stream(request, user.id, project_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post("/api/project/video", status_code=status.HTTP_202_ACCEPTED)
async def request_video(
    body: ProjectRef, user: CurrentUser, session: SessionDep, settings: SettingsDep, queue: QueueDep
) -> ProjectCreated:
    """Charge the video cost and queue the video job."""
    project = await service.request_video(
        session, user=user, project_id=body.project_id, settings=settings, queue=queue
    )
    return ProjectCreated(project_id=project.id)


@router.post("/api/project/retry", status_code=status.HTTP_202_ACCEPTED)
async def retry_image(
    body: ProjectRef, user: CurrentUser, session: SessionDep, settings: SettingsDep, queue: QueueDep
) -> ProjectCreated:
    """Make the image again for free, once, after the product came out changed."""
    project = await free_retry.retry_image_free(
        session, user=user, project_id=body.project_id, settings=settings, queue=queue
    )
    return ProjectCreated(project_id=project.id)


@router.post("/api/project/publish")
async def publish(body: PublishRequest, user: CurrentUser, session: SessionDep) -> PublishState:
    """Publish a project to the community feed, or take it down."""
    state = await service.set_published(
        session, user=user, project_id=body.project_id, is_published=body.is_published
    )
    return PublishState(is_published=state)


@router.delete("/api/project/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_project(
    project_id: uuid.UUID, user: CurrentUser, session: SessionDep, storage: StorageDep
) -> None:
    """Delete a project and its files."""
    await service.delete_project(session, user=user, project_id=project_id, storage=storage)
