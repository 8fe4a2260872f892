"""The google-genai client and the translation of its failures into engine errors."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any, TypeVar

import httpx
from google import genai
from google.genai import errors, types

from ugc.config import Settings, SettingsError
from ugc.engines.base import EngineError, EngineRejected, EngineUnavailable

T = TypeVar("T")

# Transport failures worth a retry; the SDK does not retry on its own.
_TRANSIENT_TRANSPORT = (httpx.TransportError, TimeoutError, ConnectionError)
_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def require_api_key(settings: Settings, engine_setting: str) -> str:
    """The Gemini API key, or a SettingsError naming the variable to set."""
    key = settings.gemini_api_key.get_secret_value().strip() if settings.gemini_api_key else ""
    if not key:
        raise SettingsError(f"UGC_GEMINI_API_KEY must be set when {engine_setting}")
    return key


def open_client(settings: Settings, api_key: str) -> genai.client.AsyncClient:
    """A fresh async client for one engine call (its HTTP pool is bound to this event loop)."""
    timeout_ms = int(settings.gemini_timeout_seconds * 1000)  # HttpOptions counts milliseconds
    if settings.gemini_base_url:
        options = types.HttpOptions(
            base_url=settings.gemini_base_url, api_version="v1beta", timeout=timeout_ms
        )
    else:
        options = types.HttpOptions(timeout=timeout_ms)
    return genai.Client(api_key=api_key, http_options=options).aio


async def guarded(service: str, call: Awaitable[T]) -> T:
    """Await an SDK call, turning its failures into EngineUnavailable / EngineRejected."""
    try:
        return await call
    except errors.APIError as exc:
        raise api_error(service, exc) from exc
    except httpx.TimeoutException as exc:
        raise EngineUnavailable(f"The {service} did not answer in time.") from exc
    except _TRANSIENT_TRANSPORT as exc:
        raise EngineUnavailable(f"The {service} could not be reached.") from exc


def api_error(service: str, exc: errors.APIError) -> EngineError:
    """The engine error for an HTTP error answer of the Gemini API."""
    code = exc.code or 0
    if code == 429:
        return EngineUnavailable(
            f"The {service} is receiving too many requests right now.",
            retry_after=retry_delay(exc.details),
        )
    if code >= 500 or code == 408:
        return EngineUnavailable(f"The {service} is temporarily unavailable (HTTP {code}).")
    if code in (401, 403) or "API_KEY" in str(exc.details) or "API key" in (exc.message or ""):
        # Never echo the provider's text here: some variants quote part of the key.
        return EngineRejected(
            f"The {service} refused its API key; check UGC_GEMINI_API_KEY on the server."
        )
    detail = (exc.message or exc.status or f"HTTP {code}").strip().rstrip(".")
    return EngineRejected(f"The {service} declined this request: {detail}.")


def retry_delay(details: Any) -> float | None:
    """Seconds from a google.rpc.RetryInfo `retryDelay` ("37s") in an error body, if any."""
    body = details.get("error", details) if isinstance(details, dict) else None
    items = body.get("details") if isinstance(body, dict) else None
    for item in items if isinstance(items, list) else []:
        delay = item.get("retryDelay") if isinstance(item, dict) else None
        match = _DELAY.match(delay) if isinstance(delay, str) else None
        if match:
            return float(match.group(1))
    return None
