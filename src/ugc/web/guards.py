"""Who may see a page: signed-in checks, safe redirects, same-site form posts."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from ugc.auth.cookies import SESSION_COOKIE
from ugc.auth.models import User
from ugc.web.errors import expired_session_page


def safe_next(target: str | None, default: str = "/generate") -> str:
    """A path on this site to continue to after signing in; anything else becomes `default`."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    # Browsers read a backslash as a slash and drop tabs and newlines from URLs, so
    # "/\\evil.example" or "/\t/evil.example" would leave the site.
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def sign_in_first(request: Request, user: User | None) -> Response | None:
    """None when signed in; else the expired-session page or a redirect to sign in."""
    if user is not None:
        return None
    if request.cookies.get(SESSION_COOKIE):
        return expired_session_page(request)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(target, safe='/')}", status_code=303)


def is_same_site(request: Request) -> bool:
    """True for form posts made by our own pages (Origin or Fetch metadata agree)."""
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"
