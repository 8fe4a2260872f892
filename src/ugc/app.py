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

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from ugc import __version__
from ugc.accounts.router import router as accounts_router
from ugc.auth.clerk.router import router as clerk_router
from ugc.auth.ratelimit import build_login_limiter
from ugc.auth.router import router as auth_router
from ugc.billing.router import router as billing_router
from ugc.community.router import router as community_router
from ugc.config import Settings, get_settings
from ugc.credits.router import router as credits_router
from ugc.db.engine import Database
from ugc.errors import UGCError
from ugc.jobs.queue import DramatiqQueue
from ugc.jobs.reconciler import reconcile_forever
from ugc.observability import MetricsMiddleware, configure_logging, configure_sentry
from ugc.projects.presenter import ProjectPresenter
from ugc.projects.router import router as projects_router
from ugc.storage.factory import build_storage
from ugc.storage.router import router as media_router

log = logging.getLogger(__name__)


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
        return _render(request, exc.status_code, code, detail, getattr(exc, "headers", None))


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
    reconciler = asyncio.create_task(
        reconcile_forever(
            app.state.db,
            queue,
            interval=settings.reconcile_interval_seconds,
            stop=stop_reconciler,
        )
    )
    if app.state.freeze_heap:
        # Everything loaded so far (modules, engines, settings) lives as long as the process:
        # keep it out of the cyclic collector, whose full passes over it (~70 ms with the
        # local engine's libraries loaded) would otherwise stall every request in flight.
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        stop_reconciler.set()
        await reconciler
        await asyncio.to_thread(queue.stop_worker)
        await app.state.login_limiter.aclose()
        await app.state.db.dispose()


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
    app.state.queue = DramatiqQueue(settings, secret)
    app.state.presenter = ProjectPresenter(
        app.state.storage, settings.media_url_ttl_seconds, settings.public_url or ""
    )
    app.state.login_limiter = build_login_limiter(settings)
    app.state.oidc = None
    if settings.oidc_issuer:
        from ugc.auth.oidc import OidcVerifier

        app.state.oidc = OidcVerifier(settings)
    app.add_middleware(MetricsMiddleware)
    install_error_handlers(app)
    for router in (auth_router, credits_router, projects_router, community_router, media_router):
        app.include_router(router)
    app.include_router(billing_router)
    app.include_router(accounts_router)
    app.include_router(clerk_router)
    _add_operational_routes(app)
    _mount_web(app)
    return app


def _mount_web(app: FastAPI) -> None:
    """Pages and static files, when the web package is present."""
    try:
        web = importlib.import_module("ugc.web")
    except ImportError:
        return
    mount_web = getattr(web, "mount_web", None)
    if mount_web is not None:
        mount_web(app)
