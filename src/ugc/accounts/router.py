"""HTTP for the whole account: delete it, or download everything it holds."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status
from fastapi.responses import StreamingResponse
from pydantic import Field

from ugc.accounts import export, service
from ugc.auth.cookies import SESSION_COOKIE
from ugc.db.session import SessionDep
from ugc.deps import CurrentUser, StorageDep
from ugc.schemas import ApiModel

router = APIRouter(tags=["account"])


class DeleteAccount(ApiModel):
    """{"confirm": "delete my account", "password": "..."} (no password for Clerk accounts)."""

    confirm: str = Field(max_length=100)
    password: str | None = Field(default=None, max_length=256)


@router.delete("/api/user/me", status_code=status.HTTP_204_NO_CONTENT)
async def delete_me(
    body: DeleteAccount,
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    response: Response,
) -> None:
    """Delete the caller's account, projects, media, tokens, ledger and purchases, for good."""
    await service.check_deletion_request(user, body.confirm, body.password)
    await service.delete_account(session, user, storage)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


@router.get(
    "/api/user/export",
    response_class=Response,
    responses={
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "A ZIP of the account's data.",
        }
    },
)
async def export_me(user: CurrentUser, session: SessionDep, storage: StorageDep) -> Response:
    """A ZIP of the caller's profile, ledger, purchases, projects (JSON) and media."""
    archive = await export.build_export(session, user, storage)
    name = f"ugc-studio-export-{datetime.now(UTC):%Y%m%d}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return StreamingResponse(
        export.stream_file(archive), media_type="application/zip", headers=headers
    )
