"""Page handlers: thin, server-rendered, calling the same services as the JSON API."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ugc.auth import service as auth_service
from ugc.auth.cookies import SESSION_COOKIE
from ugc.auth.sessions import end_session
from ugc.auth.verification import verify_email
from ugc.billing import service as billing
from ugc.credits import service as credits
from ugc.deps import PageUser, PresenterDep, SessionDep, SettingsDep, StorageDep
from ugc.errors import Forbidden, InvalidInput, NotFound
from ugc.projects import service as projects
from ugc.projects.presenter import download_name
from ugc.projects.variants import MAX_VARIANTS
from ugc.web.examples import EXAMPLE_NAMES, example_path
from ugc.web.guards import is_same_site, safe_next, sign_in_first
from ugc.web.templating import render
from ugc.web.variant_groups import group_headings, keep_groups_together
from ugc.webhooks.repository import WebhookRepository

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 12
HISTORY_SIZE = 50
Cursor = Annotated[str | None, Query(max_length=200)]


def _partial(request: Request) -> bool:
    """True when a script asks for the next page's cards only."""
    return request.query_params.get("partial") == "cards"


def absolute_url(origin: str, url: str | None) -> str | None:
    """`url` made absolute (link previews need absolute URLs; ours are relative by default)."""
    if url is None or "://" in url:
        return url
    return origin + url


@router.get("/")
async def landing(request: Request, user: PageUser) -> Response:
    """What the product does, in one look."""
    return render(request, "landing.html", user=user, title="UGC ads from two photos")


@router.get("/examples/{name}.webp")
async def example_image(name: str, request: Request, settings: SettingsDep) -> Response:
    """The landing page's before/after pictures, made by the local engine on first use."""
    if name not in EXAMPLE_NAMES:
        raise NotFound("No such example.")
    state = request.app.state
    if not hasattr(state, "web_example_lock"):
        state.web_example_lock = asyncio.Lock()
    path = await example_path(settings, name, state.web_example_lock)
    response = FileResponse(path, media_type="image/webp")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@router.get("/signup")
async def signup_page(request: Request, user: PageUser, next: str | None = None) -> Response:
    """Create an account."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request,
        "auth.html",
        user=None,
        mode="signup",
        next_path=safe_next(next),
        title="Create your account",
    )


@router.get("/signin")
async def signin_page(
    request: Request, user: PageUser, next: str | None = None, expired: bool = False
) -> Response:
    """Sign in to an existing account."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request,
        "auth.html",
        user=None,
        mode="signin",
        next_path=safe_next(next),
        expired=expired,
        title="Sign in",
    )


@router.post("/signout")
async def signout(request: Request, session: SessionDep) -> Response:
    """End the session (works without JavaScript) and go home."""
    if not is_same_site(request):
        raise Forbidden("Requests from other sites are not allowed.")
    cookie = request.cookies.get(SESSION_COOKIE)
    await end_session(session, request.app.state.secret_key, cookie)
    response = RedirectResponse("/?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/verify-email")
async def verify_email_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str, Query(max_length=1000)] = "",
) -> Response:
    """Where a verification email's link lands: confirms the address, or says why not."""
    try:
        verified = await verify_email(session, settings, request.app.state.secret_key, token)
    except InvalidInput as exc:
        return render(
            request,
            "verify_email.html",
            user=user,
            verified=False,
            detail=exc.detail,
            status_code=400,
            title="Email not confirmed",
        )
    return render(
        request,
        "verify_email.html",
        user=user,
        verified=True,
        verified_email=verified.email,
        verified_credits=verified.credits,
        title="Email confirmed",
    )


@router.get("/generate")
async def generate_page(request: Request, user: PageUser) -> Response:
    """The create form: two photos, a brief, an aspect ratio."""
    if (stop := sign_in_first(request, user)) is not None:
        return stop
    return render(
        request, "generate.html", user=user, max_variants=MAX_VARIANTS, title="Create an ad"
    )


@router.get("/result/{project_id}")
async def result_page(
    project_id: uuid.UUID,
    request: Request,
    user: PageUser,
    session: SessionDep,
    presenter: PresenterDep,
) -> Response:
    """One project: live progress, the image, the video, publish and downloads."""
    if (stop := sign_in_first(request, user)) is not None:
        return stop
    assert user is not None
    project = await projects.get_owned_project(session, user, project_id)
    body = await presenter.owned(project)
    return render(
        request,
        "result.html",
        user=user,
        project=body,
        project_json=body.model_dump(mode="json", by_alias=True),
        title=f"{project.name} · Result",
    )


@router.get("/result/{project_id}/download/{kind}")
async def download(
    project_id: uuid.UUID,
    kind: Literal["image", "video"],
    request: Request,
    user: PageUser,
    session: SessionDep,
    storage: StorageDep,
) -> Response:
    """Send the owner to a short-lived download URL of the image or video."""
    if (stop := sign_in_first(request, user)) is not None:
        return stop
    assert user is not None
    project = await projects.get_owned_project(session, user, project_id)
    key = project.media_key(kind)
    if key is None:
        raise NotFound(f"This project has no {kind} yet.")
    url = await storage.url(key, expires_in=300, download_name=download_name(project, kind))
    return RedirectResponse(url, status_code=303)


@router.get("/my-generations")
async def my_generations(
    request: Request,
    user: PageUser,
    session: SessionDep,
    presenter: PresenterDep,
    cursor: Cursor = None,
) -> Response:
    """The user's projects as cards, newest first, a page at a time."""
    if (stop := sign_in_first(request, user)) is not None:
        return stop
    assert user is not None
    rows, next_cursor = await projects.list_projects(session, user, cursor, PAGE_SIZE)
    cards = keep_groups_together([await presenter.owned(p) for p in rows])
    name = "_owned_cards.html" if _partial(request) else "my_generations.html"
    return render(
        request,
        name,
        user=user,
        projects=cards,
        groups=await group_headings(session, user, cards),
        next_cursor=next_cursor,
        first_page=cursor is None,
        title="My generations",
    )


@router.get("/community")
async def community(
    request: Request,
    user: PageUser,
    session: SessionDep,
    presenter: PresenterDep,
    cursor: Cursor = None,
) -> Response:
    """Published ads from everyone; public fields only."""
    rows, next_cursor = await projects.list_published(session, cursor, PAGE_SIZE)
    cards = [presenter.public(p) for p in rows]
    name = "_public_cards.html" if _partial(request) else "community.html"
    return render(
        request,
        name,
        user=user,
        projects=cards,
        next_cursor=next_cursor,
        first_page=cursor is None,
        title="Community",
    )


@router.get("/ads/{project_id}")
async def public_ad(
    project_id: uuid.UUID,
    request: Request,
    user: PageUser,
    session: SessionDep,
    presenter: PresenterDep,
    settings: SettingsDep,
) -> Response:
    """One published ad on its own page: what a shared link opens, with link previews."""
    project = await projects.get_published_project(session, project_id)
    ad = presenter.public(project)
    # UGC_PUBLIC_URL when set: behind a proxy, the request's own address is an inner one.
    origin = (settings.public_url or str(request.base_url)).rstrip("/")
    return render(
        request,
        "ad.html",
        user=user,
        ad=ad,
        page_url=f"{origin}/ads/{ad.id}",
        image_url=absolute_url(origin, ad.generated_image),
        video_url=absolute_url(origin, ad.generated_video),
        title=ad.name,
    )


@router.get("/account")
async def account(request: Request, user: PageUser, session: SessionDep) -> Response:
    """Email, balance, credit history and API tokens."""
    if (stop := sign_in_first(request, user)) is not None:
        return stop
    assert user is not None
    history, _ = await credits.history_page(session, user, None, HISTORY_SIZE)
    tokens = await auth_service.list_api_tokens(session, user)
    purchases = await billing.list_purchases(session, user)
    webhook_endpoints = await WebhookRepository(session).endpoints_of(user.id)
    return render(
        request,
        "account.html",
        user=user,
        history=history,
        tokens=tokens,
        purchases=purchases,
        webhook_endpoints=webhook_endpoints,
        title="Account",
    )
