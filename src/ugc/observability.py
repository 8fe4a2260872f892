"""Logging with context, Sentry, and HTTP metrics."""

from __future__ import annotations

import json
import logging
import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ugc.config import Settings

REQUESTS = Counter("ugc_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("ugc_http_request_seconds", "HTTP request latency", ["method", "route"])

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's duplicate of the message with ANSI colours
}


class ContextFormatter(logging.Formatter):
    """Appends a record's extra fields (project_id, job_id...) as key=value or JSON."""

    def __init__(self, as_json: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        extras = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        if self.as_json:
            payload = {
                "time": self.formatTime(record),
                "level": record.levelname,
                "logger": record.name,
                "message": record.getMessage(),
                **{k: str(v) for k, v in extras.items()},
            }
            if record.exc_info:
                payload["exception"] = self.formatException(record.exc_info)
            return json.dumps(payload)
        line = super().format(record)
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return line


def configure_logging(settings: Settings) -> None:
    """Root logging for the app and workers; idempotent."""
    root = logging.getLogger()
    handler = logging.StreamHandler()
    handler.setFormatter(ContextFormatter(settings.log_json))
    root.handlers = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("dramatiq").setLevel(max(logging.WARNING, root.level))


def configure_sentry(settings: Settings) -> None:
    """Report errors to Sentry when UGC_SENTRY_DSN is set."""
    if settings.sentry_dsn is None:
        return
    import sentry_sdk

    sentry_sdk.init(dsn=settings.sentry_dsn.get_secret_value(), send_default_pii=False)


class MetricsMiddleware:
    """Counts requests and times them by route template (not raw path); pure ASGI."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            LATENCY.labels(method, template).observe(time.perf_counter() - started)
            REQUESTS.labels(method, template, str(status)).inc()
