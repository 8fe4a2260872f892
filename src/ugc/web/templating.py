"""The Jinja2 environment shared by every page: filters, asset URLs, the page context."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from ugc.auth.models import User
from ugc.billing.money import format_money, format_unit_price
from ugc.config import Settings
from ugc.middleware.headers import csp_nonce
from ugc.web.assets import page_css
from ugc.web.limits import form_limits

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


@lru_cache(maxsize=64)
def _fingerprint(path: str) -> str:
    """A short content hash, so browsers may cache assets and still see new versions."""
    try:
        return hashlib.sha256((HERE / "static" / path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def static_url(path: str) -> str:
    """The URL of a static asset with its content fingerprint."""
    return f"/static/{path}?v={_fingerprint(path)}"


def short_date(moment: datetime | None) -> str:
    """A compact, locale-neutral date such as '3 Mar 2026'."""
    return f"{moment.day} {moment:%b %Y}" if moment else ""


def credits_label(amount: int) -> str:
    """'1 credit', '20 credits'."""
    return f"{amount} credit" if amount == 1 else f"{amount} credits"


templates.env.globals["static"] = static_url
templates.env.globals["page_css"] = page_css
templates.env.filters["short_date"] = short_date
templates.env.filters["credits"] = credits_label
templates.env.filters["money"] = format_money
templates.env.filters["unit_price"] = format_unit_price


def render(
    request: Request,
    name: str,
    *,
    user: User | None,
    status_code: int = 200,
    signed_in: bool | None = None,
    **context: Any,
) -> Response:
    """Render a page with the context every layout needs (user, costs, active nav)."""
    settings: Settings = request.app.state.settings
    values: dict[str, Any] = {
        "user": user,
        "signed_in": user is not None if signed_in is None else signed_in,
        "settings": settings,
        "path": request.url.path,
        "csp_nonce": csp_nonce(request.scope),
        "limits": form_limits(settings),
    }
    values.update(context)
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    response.headers.setdefault("Cache-Control", "no-store" if user else "no-cache")
    return response
