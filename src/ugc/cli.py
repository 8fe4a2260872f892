"""The `ugc` command: serve, worker, generate, db upgrade, users, credits."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
from functools import partial
from typing import Annotated, Any

import typer

from ugc.config import Settings, SettingsError, get_settings

app = typer.Typer(
    help="UGC Studio: UGC-style ad images and videos from two photos.", no_args_is_help=True
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
users_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
credits_app = typer.Typer(help="Manage credit balances.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(credits_app, name="credits")
billing_app = typer.Typer(help="Credit sales through Stripe.", no_args_is_help=True)
app.add_typer(billing_app, name="billing")

log = logging.getLogger("ugc")


def _settings() -> Settings:
    """Settings from the environment, or a one-line error naming the bad variable."""
    try:
        return get_settings()
    except SettingsError as exc:
        typer.secho(str(exc), err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None


def _require_models(settings: Settings) -> None:
    """Stop start-up, with one line saying how to fix it, when the offline models are unusable."""
    if "local" not in (settings.image_engine, settings.video_engine):
        return
    from ugc.engines.local.vision import ModelsUnavailable, check_models

    try:
        check_models()
    except ModelsUnavailable as exc:
        typer.secho(str(exc), err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None


def _prepare(settings: Settings) -> None:
    from ugc.db.migrate import upgrade
    from ugc.observability import configure_logging

    _require_models(settings)
    configure_logging(settings)
    upgrade(settings.database_url)


@app.command()
def serve() -> None:
    """Apply migrations and serve the app on UGC_HOST:UGC_PORT."""
    import uvicorn

    settings = _settings()
    _prepare(settings)
    settings.resolved_secret_key()  # made once here, before any server process needs it
    if settings.web_processes > 1:
        # The processes write their metrics to files that any one of them serves, summed.
        metrics_dir = settings.data_dir / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir.resolve())
    log.info(
        "serving on http://%s:%s (%d process%s)",
        settings.host,
        settings.port,
        settings.web_processes,
        "" if settings.web_processes == 1 else "es",
    )
    options: dict[str, Any] = dict(
        factory=True,
        workers=settings.web_processes,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        # X-Forwarded-* are read by the app, from UGC_TRUSTED_PROXIES only (uvicorn would
        # believe any loopback peer).
        proxy_headers=False,
        timeout_graceful_shutdown=10,
        # Header and body read deadlines (slow clients); see ugc.serving.
        http="ugc.serving:DeadlineHttpProtocol",
    )
    if settings.web_processes > 1:
        from ugc.listeners import serve_processes

        # A listening socket per process, so that connections spread evenly; see ugc.listeners.
        serve_processes(uvicorn.Config("ugc.app:create_server_app", **options))
    else:
        uvicorn.run("ugc.app:create_server_app", **options)


@app.command()
def worker() -> None:
    """Run generation jobs from the Redis queue (UGC_QUEUE_URL=redis://...)."""
    from ugc.db.engine import Database
    from ugc.housekeeping import sweep_forever
    from ugc.jobs.queue import DramatiqQueue
    from ugc.jobs.reconciler import reconcile_forever
    from ugc.observability import configure_sentry
    from ugc.projects.presenter import ProjectPresenter
    from ugc.projects.tasks import register_generation_jobs
    from ugc.storage.factory import build_storage
    from ugc.webhooks.delivery import deliver_forever
    from ugc.webhooks.project_events import install_project_events

    settings = _settings()
    if settings.queue_url == "inprocess":
        typer.secho(
            "UGC_QUEUE_URL is 'inprocess': jobs run inside `ugc serve`. "
            "Set UGC_QUEUE_URL=redis://... to use separate workers.",
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(2)
    _prepare(settings)
    configure_sentry(settings)
    if settings.worker_metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port, addr=settings.host)
        log.info("metrics on http://%s:%s/metrics", settings.host, settings.worker_metrics_port)
    register_generation_jobs()
    queue = DramatiqQueue(settings, settings.resolved_secret_key())
    queue.start_worker()

    async def reconcile_until_stopped() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        db = Database(settings.database_url, pool_size=2)
        # Webhook deliveries run beside the reconciler, in every worker.
        wake = asyncio.Event()
        stop_events = install_project_events(
            ProjectPresenter(
                build_storage(settings, settings.resolved_secret_key()),
                settings.media_url_ttl_seconds,
                settings.public_url or "",
            ),
            partial(loop.call_soon_threadsafe, wake.set),
        )
        deliverer = asyncio.create_task(deliver_forever(db, settings, stop=stop, wake=wake))
        housekeeper = asyncio.create_task(
            sweep_forever(db, interval=settings.housekeeping_interval_seconds, stop=stop)
        )
        await reconcile_forever(db, queue, interval=settings.reconcile_interval_seconds, stop=stop)
        await deliverer
        await housekeeper
        stop_events()
        await db.dispose()

    log.info("worker started", extra={"threads": settings.worker_threads})
    try:
        asyncio.run(reconcile_until_stopped())
    finally:
        queue.stop_worker(timeout_ms=30_000)
        log.info("worker stopped")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    from ugc.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("Database is up to date.")


@users_app.command("create")
def users_create(
    email: str,
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters."
        ),
    ],
) -> None:
    """Create a password account with the signup credits."""
    from ugc.admin import create_user

    settings = _settings()
    _prepare(settings)
    typer.echo(asyncio.run(create_user(settings, email, password)))


@credits_app.command("grant")
def credits_grant(email: str, amount: int) -> None:
    """Add AMOUNT credits to the account with EMAIL (recorded in the ledger)."""
    from ugc.admin import grant_credits

    settings = _settings()
    _prepare(settings)
    typer.echo(asyncio.run(grant_credits(settings, email, amount)))


@billing_app.command("purchases")
def billing_purchases(
    shortfall: Annotated[
        bool, typer.Option("--shortfall", help="Only refunds whose credits were already spent.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 100,
) -> None:
    """List purchases: pack, amount, refunds taken back, and any shortfall."""
    from rich.console import Console
    from rich.table import Table

    from ugc.billing.admin import purchase_rows

    settings = _settings()
    _prepare(settings)
    header, *rows = asyncio.run(purchase_rows(settings, shortfall_only=shortfall, limit=limit))
    if not rows:
        typer.echo("No purchases with a shortfall." if shortfall else "No purchases yet.")
        return
    table = Table(*header)
    for row in rows:
        table.add_row(*row)
    Console(width=160).print(table)


def _register_generate() -> None:
    try:
        from ugc.cli_batch import batch
        from ugc.cli_generate import generate
    except ImportError:
        return
    app.command("generate")(generate)
    app.command("batch")(batch)


_register_generate()
