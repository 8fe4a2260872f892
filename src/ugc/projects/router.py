"""HTTP for projects: create, read, list, video, publish, delete, live events."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from ugc.db.session import ReaderDep
from ugc.deps import (
    CurrentCaller,
    CurrentUser,
    DecodeGateDep,
    PresenterDep,
    QueueDep,
    SessionDep,
    SettingsDep,
    StorageDep,
)
from ugc.errors import (
    Conflict,
    Forbidden,
    ImageRequired,
    InsufficientCredits,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    ProjectBusy,
    UnsupportedMedia,
    VideoExists,
    documented,
)
from ugc.idempotency.http import IdempotencyKeyHeader, claim_or_replay, record
from ugc.projects import free_retry, intake, reads, service, variants
from ugc.projects.events import open_project_events
from ugc.projects.free_retry import NoFreeRetry
from ugc.projects.presenter import download_name
from ugc.projects.schemas import (
    ProjectCreated,
    ProjectEnvelope,
    ProjectPage,
    ProjectRef,
    PublishRequest,
    PublishState,
    VariantsCreated,
)
from ugc.schemas import json_response
from ugc.storage.http import file_response
from ugc.storage.local import LocalStorage

router = APIRouter(tags=["projects"])
# Every API route is signed in; cookie writes from other sites are refused.
SIGNED_IN = (NotAuthenticated, Forbidden)


@router.post(
    "/api/project/create",
    status_code=status.HTTP_201_CREATED,
    responses=documented(
        *SIGNED_IN, InvalidInput, InsufficientCredits, PayloadTooLarge, UnsupportedMedia, Conflict
    ),
    response_model=ProjectCreated,
)
async def create_project(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    queue: QueueDep,
    decode_gate: DecodeGateDep,
    text: intake.BriefForm,
    idempotency_key: IdempotencyKeyHeader = None,
    aspect_ratio: Annotated[str, Form(alias="aspectRatio")] = "9:16",
    user_image: Annotated[UploadFile | None, File(alias="userImage")] = None,
    product_image: Annotated[UploadFile | None, File(alias="productImage")] = None,
) -> ProjectCreated | Response:
    """Validate everything, then charge the image cost and queue the image job."""
    brief = service.check_brief(dataclasses.replace(text, aspect_ratio=aspect_ratio))
    taken = await intake.take_in(
        request,
        session,
        user_id=user.id,
        key=idempotency_key,
        route="project.create",
        brief=brief,
        uploads=(user_image, product_image),
        max_bytes=settings.max_upload_bytes,
    )
    if isinstance(taken, Response):
        return taken
    person, product = await intake.checked_photos(
        session, user, settings.image_cost, decode_gate, taken.photos, settings.max_upload_bytes
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
    created = ProjectCreated(project_id=project.id)
    await record(taken.claim, status.HTTP_201_CREATED, created)
    return created


@router.get(
    "/api/user/projects",
    response_model=ProjectPage,
    responses=documented(*SIGNED_IN, InvalidInput),
)
async def list_projects(
    caller: CurrentCaller,
    reader: ReaderDep,
    presenter: PresenterDep,
    cursor: str | None = None,
    limit: int = Query(default=20, ge=1, le=100),
) -> Response:
    """The caller's projects, newest first."""
    rows, next_cursor = await reads.list_projects(reader, caller.id, cursor, limit)
    projects = [await presenter.owned(p) for p in rows]
    return json_response(ProjectPage(projects=projects, next_cursor=next_cursor))


@router.get(
    "/api/user/projects/{project_id}",
    response_model=ProjectEnvelope,
    responses=documented(*SIGNED_IN, NotFound),
)
async def get_project(
    project_id: uuid.UUID,
    caller: CurrentCaller,
    reader: ReaderDep,
    presenter: PresenterDep,
) -> Response:
    """One of the caller's projects."""
    project = await reads.owned_project(reader, caller.id, project_id)
    return json_response(ProjectEnvelope(project=await presenter.owned(project)))


@router.get("/api/user/projects/{project_id}/events", responses=documented(*SIGNED_IN, NotFound))
async def project_events(
    project_id: uuid.UUID, request: Request, user: CurrentUser, session: SessionDep
) -> StreamingResponse:
    """Server-sent events: the project and the balance whenever either changes."""
    await service.get_owned_project(session, user, project_id)
    return StreamingResponse(
        await open_project_events(request, user.id, project_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/api/project/video",
    status_code=status.HTTP_202_ACCEPTED,
    responses=documented(
        *SIGNED_IN, NotFound, ImageRequired, ProjectBusy, VideoExists, InsufficientCredits, Conflict
    ),
    response_model=ProjectCreated,
)
async def request_video(
    request: Request,
    body: ProjectRef,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    queue: QueueDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ProjectCreated | Response:
    """Charge the video cost and queue the video job."""
    claim = await claim_or_replay(
        request,
        session,
        user_id=user.id,
        key=idempotency_key,
        route="project.video",
        fields=[("projectId", str(body.project_id))],
    )
    if isinstance(claim, Response):
        return claim
    project = await service.request_video(
        session, user=user, project_id=body.project_id, settings=settings, queue=queue
    )
    accepted = ProjectCreated(project_id=project.id)
    await record(claim, status.HTTP_202_ACCEPTED, accepted)
    return accepted


@router.post(
    "/api/project/retry",
    status_code=status.HTTP_202_ACCEPTED,
    responses=documented(*SIGNED_IN, NotFound, ProjectBusy, VideoExists, NoFreeRetry, Conflict),
)
async def retry_image(
    body: ProjectRef, user: CurrentUser, session: SessionDep, settings: SettingsDep, queue: QueueDep
) -> ProjectCreated:
    """Make the image again for free, once, after the product came out changed."""
    project = await free_retry.retry_image_free(
        session, user=user, project_id=body.project_id, settings=settings, queue=queue
    )
    return ProjectCreated(project_id=project.id)


@router.post("/api/project/publish", responses=documented(*SIGNED_IN, NotFound, ImageRequired))
async def publish(body: PublishRequest, user: CurrentUser, session: SessionDep) -> PublishState:
    """Publish a project to the community feed, or take it down."""
    state = await service.set_published(
        session, user=user, project_id=body.project_id, is_published=body.is_published
    )
    return PublishState(is_published=state)


@router.delete(
    "/api/project/{project_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(*SIGNED_IN, NotFound, ProjectBusy),
)
async def delete_project(
    project_id: uuid.UUID, user: CurrentUser, session: SessionDep, storage: StorageDep
) -> None:
    """Delete a project and its files."""
    await service.delete_project(session, user=user, project_id=project_id, storage=storage)


@router.get("/media/published/{project_id}/{kind}.{extension}", include_in_schema=False)
async def published_media(
    project_id: uuid.UUID,
    kind: Literal["image", "video"],
    extension: str,
    request: Request,
    session: SessionDep,
    storage: StorageDep,
) -> Response:
    """A published project's image or video at a URL that never changes."""
    project = await service.get_published_project(session, project_id)
    key = project.media_key(kind)
    if key is None:
        raise NotFound("This ad is not published.")
    download = download_name(project, kind) if "download" in request.query_params else None
    if isinstance(storage, LocalStorage):
        return file_response(storage, key, download, "public, max-age=300")
    return RedirectResponse(await storage.url(key, expires_in=3600, download_name=download), 302)


@router.post(
    "/api/project/variants",
    status_code=status.HTTP_201_CREATED,
    response_model=VariantsCreated,
    responses=documented(
        *SIGNED_IN, InvalidInput, InsufficientCredits, PayloadTooLarge, UnsupportedMedia, Conflict
    ),
)
async def create_variants(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    queue: QueueDep,
    decode_gate: DecodeGateDep,
    text: intake.BriefForm,
    idempotency_key: IdempotencyKeyHeader = None,
    variants_json: Annotated[
        str,
        Form(
            alias="variants",
            description='JSON list of 1-8 {"aspectRatio", "prompt", "caption"} objects.',
        ),
    ] = "",
    user_image: Annotated[UploadFile | None, File(alias="userImage")] = None,
    product_image: Annotated[UploadFile | None, File(alias="productImage")] = None,
) -> VariantsCreated | Response:
    """Several ads from one pair of photos: every variant charged in one go, or none."""
    brief = service.check_brief(text)
    wanted = variants.parse_variants(variants_json)
    taken = await intake.take_in(
        request,
        session,
        user_id=user.id,
        key=idempotency_key,
        route="project.variants",
        brief=brief,
        uploads=(user_image, product_image),
        max_bytes=settings.max_upload_bytes,
        fields=[("variants", repr(wanted))],
    )
    if isinstance(taken, Response):
        return taken
    cost = settings.image_cost * len(wanted)
    person, product = await intake.checked_photos(
        session, user, cost, decode_gate, taken.photos, settings.max_upload_bytes
    )
    projects = await variants.create_variants(
        session,
        user=user,
        brief=brief,
        variants=wanted,
        person=person,
        product=product,
        settings=settings,
        storage=storage,
        queue=queue,
    )
    group = projects[0].variant_group
    assert group is not None
    created = VariantsCreated(variant_group=group, project_ids=[p.id for p in projects])
    await record(taken.claim, status.HTTP_201_CREATED, created)
    return created
