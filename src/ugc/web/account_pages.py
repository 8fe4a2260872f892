"""The Account page's Delete form without JavaScript (the API is DELETE /api/user/me)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from ugc.accounts import service as accounts
from ugc.auth.cookies import SESSION_COOKIE
from ugc.db.session import SessionDep
from ugc.deps import PageUser, StorageDep
from ugc.errors import Forbidden
from ugc.web.guards import is_same_site, sign_in_first

router = APIRouter(include_in_schema=False)


@router.post("/account/delete")
async def delete_account_form(
    request: Request,
    user: PageUser,
    session: SessionDep,
    storage: StorageDep,
    confirm: Annotated[str, Form(max_length=100)],
    password: Annotated[str | None, Form(max_length=256)] = None,
) -> Response:
    """Delete the account after the typed phrase and password; then home, signed out."""
    if not is_same_site(request):
        raise Forbidden("Requests from other sites are not allowed.")
    if (stop := sign_in_first(request, user)) is not None:
        return stop
    assert user is not None
    await accounts.check_deletion_request(user, confirm, password)
    await accounts.delete_account(session, user, storage)
    response = RedirectResponse("/?account_deleted=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
