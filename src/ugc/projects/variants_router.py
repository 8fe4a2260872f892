"""HTTP for variants: one pair of photos and a brief, up to eight ads charged together."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from fastapi.responses import Response

from ugc.deps import CurrentUser, DecodeGateDep, QueueDep, SessionDep, SettingsDep, StorageDep
from ugc.errors import (
    Conflict,
    InsufficientCredits,
    InvalidInput,
    PayloadTooLarge,
    UnsupportedMedia,
    documented,
)
from ugc.idempotency.http import IdempotencyKeyHeader, claim_or_replay, record
from ugc.projects import service, variants
from ugc.projects.router import SIGNED_IN, checked_photos, read_capped
from ugc.projects.schemas import VariantsCreated

router = APIRouter(tags=["projects"])


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
    idempotency_key: IdempotencyKeyHeader = None,
    product_name: Annotated[str, Form(alias="productName")] = "",
    name: Annotated[str, Form()] = "",
    product_description: Annotated[str, Form(alias="productDescription")] = "",
    user_prompt: Annotated[str, Form(alias="userPrompt")] = "",
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
    brief = service.check_brief(
        service.Brief(
            product_name=product_name,
            name=name,
            product_description=product_description,
            user_prompt=user_prompt,
        )
    )
    wanted = variants.parse_variants(variants_json)
    photos = (
        await read_capped(user_image, settings.max_upload_bytes),
        await read_capped(product_image, settings.max_upload_bytes),
    )
    claim = await claim_or_replay(
        request,
        session,
        user_id=user.id,
        key=idempotency_key,
        route="project.variants",
        fields=[("brief", repr(brief)), ("variants", repr(wanted))],
        files=photos,
    )
    if isinstance(claim, Response):
        return claim
    cost = settings.image_cost * len(wanted)
    person, product = await checked_photos(
        session, user, cost, decode_gate, photos, settings.max_upload_bytes
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
    await record(claim, status.HTTP_201_CREATED, created)
    return created
