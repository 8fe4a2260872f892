"""Friendly HTML pages for errors met while browsing: not found, expired session, others."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ugc.auth.cookies import SESSION_COOKIE, read_session_value
from ugc.web.templating import render

TITLES = {
    401: "Your session has expired",
    403: "That is not allowed",
    404: "We can't find that page",
    413: "That file is too large",
    422: "That request did not work",
}


def has_valid_cookie(request: Request) -> bool:
    """True when the request carries a session cookie that is signed and unexpired."""
    cookie = request.cookies.get(SESSION_COOKIE)
    secret: str = request.app.state.secret_key
    return bool(cookie) and read_session_value(secret, cookie or "") is not None


def expired_session_page(request: Request) -> Response:
    """The page shown when a session cookie no longer signs anyone in."""
    response = render(
        request,
        "expired.html",
        user=None,
        status_code=401,
        next_path=request.url.path,
        title=TITLES[401],
    )
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def html_error(request: Request, status: int, code: str, detail: str) -> Response:
    """Render an error for a browser; installed as app.state.html_error."""
    if status == 401:
        return expired_session_page(request)
    title = TITLES.get(status, "Something went wrong")
    return render(
        request,
        "error.html",
        user=None,
        signed_in=has_valid_cookie(request),
        status_code=status,
        title=title,
        status=status,
        detail=detail,
    )
