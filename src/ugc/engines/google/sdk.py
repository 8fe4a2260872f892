"""The google-genai client and the translation of its failures into engine errors."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from typing import Any, TypeVar

import httpx
import httpx2
from google import genai
from google.genai import _interactions, errors, types

from ugc.config import Settings, SettingsError
from ugc.engines.base import EngineError, EngineRejected, EngineUnavailable

T = TypeVar("T")

# Transport failures worth a retry. google-genai 3.x talks through httpx2 (httpx's fork);
# httpx is kept for any code path that still uses it.
_TIMEOUTS = (httpx2.TimeoutException, httpx.TimeoutException)
_TRANSIENT_TRANSPORT = (httpx2.TransportError, httpx.TransportError, TimeoutError, ConnectionError)
_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


# Google answers a retired or misspelt model id with 404 NOT_FOUND.
_MODEL_GONE = re.compile(r"not found|no longer available|is not supported", re.IGNORECASE)


def require_api_key(settings: Settings, engine_setting: str) -> str:
    """The Gemini API key, or a SettingsError naming the variable to set."""
    key = settings.gemini_api_key.get_secret_value().strip() if settings.gemini_api_key else ""
    if not key:
        raise SettingsError(f"UGC_GEMINI_API_KEY must be set when {engine_setting}")
    return key


def http_options(settings: Settings) -> types.HttpOptions:
    """v1beta (3.x defaults to v1, which lacks these models), our timeout, no SDK retries.

    Retries are ours: the job system backs off on transient errors, and an interaction
    create must never be repeated by the SDK behind our back (each one is a paid video).
    """
    return types.HttpOptions(
        base_url=settings.gemini_base_url or None,
        api_version="v1beta",
        timeout=int(settings.gemini_timeout_seconds * 1000),  # milliseconds
        retry_options=types.HttpRetryOptions(attempts=1),
    )


class ClientPerLoop:
    """One google-genai client per event loop, kept for the engine's life.

    A client's HTTP pool belongs to the event loop that first used it, so a loop never
    borrows another's; and a client is dear to make: ~0.1 s of CPU (it loads the CA bundle),
    more than the rest of an image job's own work on a cloud worker.
    """

    def __init__(self, settings: Settings, api_key: str) -> None:
        self._settings = settings
        self._api_key = api_key
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: genai.Client | None = None

    @property
    def aio(self) -> genai.client.AsyncClient:
        """The running loop's async client."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            options = http_options(self._settings)
            self._client = genai.Client(api_key=self._api_key, http_options=options)
            self._loop = loop
        return self._client.aio


async def guarded(service: str, call: Awaitable[T], model_setting: str = "") -> T:
    """Await an SDK call, turning its failures into EngineUnavailable / EngineRejected.

    `model_setting` names the variable holding the model id, for a retired-model message.
    """
    try:
        return await call
    except errors.APIError as exc:
        raise api_error(service, exc, model_setting) from exc
    except _interactions.APIStatusError as exc:
        raise status_error(service, exc.status_code, exc.body, model_setting) from exc
    except _interactions.APITimeoutError as exc:
        raise EngineUnavailable(f"The {service} did not answer in time.") from exc
    except _interactions.APIConnectionError as exc:
        raise EngineUnavailable(f"The {service} could not be reached.") from exc
    except _TIMEOUTS as exc:
        raise EngineUnavailable(f"The {service} did not answer in time.") from exc
    except _TRANSIENT_TRANSPORT as exc:
        raise EngineUnavailable(f"The {service} could not be reached.") from exc


def api_error(service: str, exc: errors.APIError, model_setting: str = "") -> EngineError:
    """The engine error for an HTTP error answer of the generateContent / files API."""
    return status_error(service, exc.code, exc.details, model_setting)


def status_error(service: str, code: int | None, body: Any, model_setting: str = "") -> EngineError:
    """The engine error for an HTTP error status and its Google error body."""
    code = code or 0
    error = body.get("error", body) if isinstance(body, dict) else {}
    message = str(error.get("message") or "") if isinstance(error, dict) else ""
    status = str(error.get("status") or "") if isinstance(error, dict) else ""
    if code == 429:
        return EngineUnavailable(
            f"The {service} is receiving too many requests right now.",
            retry_after=retry_delay(body),
        )
    if code >= 500 or code == 408:
        return EngineUnavailable(f"The {service} is temporarily unavailable (HTTP {code}).")
    if code in (401, 403) or "API_KEY" in str(body) or "API key" in message:
        # Never echo the provider's text here: some variants quote part of the key.
        return ServiceMisconfigured(
            f"The {service} refused its API key; check UGC_GEMINI_API_KEY on the server."
        )
    if code == 404 and model_setting and _MODEL_GONE.search(message):
        return ServiceMisconfigured(
            f"The {service}'s model is retired or unknown; the server's operator must set "
            f"{model_setting} to a current model id."
        )
    detail = (message or status or f"HTTP {code}").strip().rstrip(".")
    return EngineRejected(f"The {service} declined this request: {detail}.")


class ServiceMisconfigured(EngineRejected):
    """The server's Google set-up is wrong (key, model id): the operator must fix a setting."""


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
