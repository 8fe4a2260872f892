"""create_app(): routers, error rendering, static files and the job system's lifecycle."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ugc import __version__
from ugc.accounts.clerk.router import router as clerk_router
from ugc.accounts.router import router as accounts_router
from ugc.auth.cookies import SESSION_COOKIE
from ugc.auth.deps import current_caller, current_user
from ugc.auth.proxies import TrustedProxyMiddleware
from ugc.auth.ratelimit import build_login_limiter, build_signup_limiter
from ugc.auth.router import router as auth_router
from ugc.auth.stream_slots import build_stream_slots
from ugc.billing.router import router as billing_router
from ugc.community.router import router as community_router
from ugc.config import Settings, get_settings
from ugc.credits.router import router as credits_router
from ugc.db.engine import Database
from ugc.engines.google.router import router as google_router
from ugc.errors import UGCError
from ugc.housekeeping import sweep_forever
from ugc.jobs.queue import DramatiqQueue
from ugc.jobs.reconciler import reconcile_forever
from ugc.mail.factory import build_mailer
from ugc.middleware.body import (
    AuthenticateFirstMiddleware,
    BodyLimitMiddleware,
    request_body_limit,
)
from ugc.middleware.headers import SecurityHeadersMiddleware, checkout_origins, storage_origins
from ugc.observability import MetricsMiddleware, configure_logging, configure_sentry
from ugc.openapi import flat_routes, install_openapi
from ugc.projects.presenter import ProjectPresenter
from ugc.projects.router import router as projects_router
from ugc.projects.tasks import register_generation_jobs
from ugc.projects.uploads import DecodeGate
from ugc.storage.factory import build_storage
from ugc.storage.router import router as media_router
from ugc.text import CONTROL_CHARACTERS_DETAIL, is_unstorable_text
from ugc.webhooks.delivery import deliver_forever
from ugc.webhooks.project_events import install_project_events
from ugc.webhooks.router import router as webhooks_router

log = logging.getLogger(__name__)
# Allocations net of deallocations before a young-generation collection (default 700); see
# _lifespan.
YOUNG_COLLECTION_THRESHOLD = 20_000


def _error(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


def _render(
    request: Request, status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    """JSON for the API; an HTML page for browsers navigating to a page, when available."""
    html_error = getattr(request.app.state, "html_error", None)
    wants_html = "text/html" in request.headers.get("accept", "")
    if html_error is not None and wants_html and not request.url.path.startswith("/api/"):
        page: Response = html_error(request, status, code, detail)
        return page
    return _error(status, code, detail, headers)


def _validation_detail(exc: RequestValidationError) -> str:
    """One readable sentence from pydantic's error list."""
    parts = []
    for error in exc.errors()[:3]:
        field = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{field}: {error.get('msg', 'invalid')}" if field else error.get("msg", ""))
    return "; ".join(parts) or "The request is not valid."


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves as {"error", "detail"}; pages may override for HTML clients."""

    @app.exception_handler(UGCError)
    async def ugc_error(request: Request, exc: UGCError) -> Response:
        return _render(request, exc.status_code, exc.code, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _error(422, "invalid_input", _validation_detail(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404:
            detail = "Nothing lives at this address."
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # No route with methods matched: a mount (the static files) takes GET and HEAD.
            allowed = allowed_methods(request) or ["GET", "HEAD"]
            detail = f"This address does not accept {request.method}; use {', '.join(allowed)}."
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
        return _render(request, exc.status_code, code, detail, headers)

    install_unexpected_error_handlers(app)


def allowed_methods(request: Request) -> list[str]:
    """The methods of the resource at this path (Starlette names only its first route's).

    The resource is the most literal route template that matches: `/api/project/create`,
    not `/api/project/{project_id}` with "create" as the id.
    """
    by_template: dict[str, set[str]] = {}
    for route in flat_routes(request.app):
        methods = getattr(route, "methods", None)
        match, _ = route.matches(request.scope)
        if match != Match.NONE and methods:
            by_template.setdefault(route.path_format, set()).update(methods)
    if not by_template:
        return []
    template = min(by_template, key=lambda path: (path.count("{"), path))
    return sorted(by_template[template])


def install_unexpected_error_handlers(app: FastAPI) -> None:
    """Text the database cannot store is bad input; any other surprise is a logged JSON 500."""

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        if is_unstorable_text(exc):
            # Validation refuses control characters first; this catches a field it missed.
            log.warning("unstorable text reached the database", extra=_request_context(request))
            return _error(422, "invalid_input", CONTROL_CHARACTERS_DETAIL)
        return await unexpected_error(request, exc)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.error(
            "unexpected error answering a request",
            exc_info=exc,
            extra=_request_context(request),
        )
        return _render(request, 500, "internal_error", "Something went wrong on our side.")


def _request_context(request: Request) -> dict[str, str]:
    """What a log line needs to find the request again (never its body or credentials)."""
    context = {"method": request.method, "path": request.url.path}
    for name in ("project_id", "token_id"):
        if name in request.path_params:
            context[name] = str(request.path_params[name])
    return context


def _add_operational_routes(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        try:
            async with request.app.state.db.session() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            log.exception("readiness check failed")
            return _error(503, "not_ready", "The database is not reachable.")
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return PlainTextResponse(_metrics_text(), media_type=CONTENT_TYPE_LATEST)


def _metrics_text() -> bytes:
    """This process's metrics, or every server process's when `ugc serve` runs several."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return generate_latest()
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    queue: DramatiqQueue = app.state.queue
    if queue.is_embedded:
        queue.start_worker()
    stop_reconciler = asyncio.Event()
    deliverer = _start_deliverer(app, stop_reconciler)
    reconciler = asyncio.create_task(
        reconcile_forever(
            app.state.db,
            queue,
            interval=settings.reconcile_interval_seconds,
            stop=stop_reconciler,
        )
    )
    housekeeper = asyncio.create_task(
        sweep_forever(
            app.state.db, interval=settings.housekeeping_interval_seconds, stop=stop_reconciler
        )
    )
    if app.state.freeze_heap:
        # Everything loaded so far (modules, engines, settings) lives as long as the process:
        # keep it out of the cyclic collector, whose full passes over it (~70 ms with the
        # local engine's libraries loaded) would otherwise stall every request in flight.
        gc.collect()
        gc.freeze()
        # A request's containers die young, by reference counting, but 25 requests in flight
        # keep the young generation's count near the default 700: a young collection every ~12
        # requests and an older one every ~120, ~400 ms of each process's 10 s under wrk -c50.
        # At 20,000 it runs every ~2,500 requests, ~40 ms in all.
        gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
    try:
        yield
    finally:
        stop_reconciler.set()
        await reconciler
        await housekeeper
        if deliverer is not None:
            await deliverer
            app.state.stop_project_events()
        await asyncio.to_thread(queue.stop_worker)
        await app.state.login_limiter.aclose()
        await app.state.signup_limiter.aclose()
        await app.state.event_stream_slots.aclose()
        await app.state.db.dispose()


def _start_deliverer(app: FastAPI, stop: asyncio.Event) -> asyncio.Task[None] | None:
    """Webhook deliveries run where jobs run: here with the in-process queue, else in workers."""
    if not app.state.queue.is_embedded:
        return None
    wake = app.state.webhook_wake = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Jobs finish on worker threads' loops: they wake this loop's deliverer thread-safely.
    app.state.stop_project_events = install_project_events(
        app.state.presenter, partial(loop.call_soon_threadsafe, wake.set)
    )
    return asyncio.create_task(
        deliver_forever(app.state.db, app.state.settings, stop=stop, wake=wake)
    )


def create_server_app() -> FastAPI:
    """The app as each `ugc serve` process runs it: settings from the environment."""
    # The SQLite driver and the job workers are threads: hand the GIL over sooner than the
    # default 5 ms, or every database round trip waits behind request parsing.
    sys.setswitchinterval(0.0005)
    settings = get_settings()
    configure_logging(settings)  # a process of its own when UGC_WEB_PROCESSES > 1
    return create_app(settings, freeze_heap=True)


def create_app(settings: Settings | None = None, *, freeze_heap: bool = False) -> FastAPI:
    """The whole web service, configured by `settings` (default: the environment).

    `freeze_heap` is for the long-running server process: after start-up, the objects loaded
    so far are exempted from garbage collection (`gc.freeze`).
    """
    settings = settings or get_settings()
    configure_sentry(settings)
    app = FastAPI(title="UGC Studio", version=__version__, lifespan=_lifespan)
    secret = settings.resolved_secret_key()
    app.state.settings = settings
    app.state.freeze_heap = freeze_heap
    app.state.secret_key = secret
    app.state.db = Database(settings.database_url)
    app.state.storage = build_storage(settings, secret)
    register_generation_jobs()
    app.state.queue = DramatiqQueue(settings, secret)
    app.state.presenter = ProjectPresenter(
        app.state.storage, settings.media_url_ttl_seconds, settings.public_url or ""
    )
    app.state.login_limiter = build_login_limiter(settings)
    app.state.decode_gate = DecodeGate(
        settings.upload_decode_slots, settings.upload_decodes_per_user
    )
    app.state.signup_limiter = build_signup_limiter(settings)
    app.state.event_stream_slots = build_stream_slots(settings)
    app.state.mailer = build_mailer(settings)
    app.state.oidc = None
    if settings.oidc_issuer:
        from ugc.auth.oidc import OidcVerifier

        app.state.oidc = OidcVerifier(settings)
    app.add_middleware(MetricsMiddleware)
    _add_edge_middleware(app, settings)
    # Outermost: every layer inside, and the server's access log, see the real client.
    app.add_middleware(TrustedProxyMiddleware, trusted_proxies=settings.trusted_proxies)
    install_error_handlers(app)
    for router in (
        auth_router,
        credits_router,
        projects_router,
        community_router,
        media_router,
        webhooks_router,
    ):
        app.include_router(router)
    app.include_router(billing_router)
    app.include_router(accounts_router)
    app.include_router(clerk_router)
    app.include_router(google_router)
    _add_operational_routes(app)
    _mount_web(app)
    install_openapi(app, guards={current_user, current_caller})
    return app


def _add_edge_middleware(app: FastAPI, settings: Settings) -> None:
    """Checks that run before any body is read (outermost last)."""
    app.add_middleware(
        AuthenticateFirstMiddleware,
        guards={current_user, current_caller},
        cookie_name=SESSION_COOKIE,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=request_body_limit(settings.max_upload_bytes))
    app.add_middleware(
        SecurityHeadersMiddleware,
        media_sources=storage_origins(settings),
        form_targets=checkout_origins(settings),
    )


def _mount_web(app: FastAPI) -> None:
    """Pages and static files, when the web package is present."""
    try:
        web = importlib.import_module("ugc.web")
    except ImportError:
        return
    mount_web = getattr(web, "mount_web", None)
    if mount_web is not None:
        mount_web(app)
