"""Server-rendered pages: Jinja2 templates, hand-written CSS and small ES modules."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ugc.web.account_pages import router as account_pages
from ugc.web.billing_pages import router as billing_pages
from ugc.web.errors import html_error
from ugc.web.router import router

STATIC_DIR = Path(__file__).parent / "static"


def mount_web(app: FastAPI) -> None:
    """Add the pages, the static files and HTML error pages to the app."""
    # Before the page router: its /plans gains the Buy buttons and the cancelled notice.
    app.include_router(billing_pages)
    app.include_router(account_pages)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.state.html_error = html_error
