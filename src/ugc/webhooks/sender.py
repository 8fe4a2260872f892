"""One delivery attempt over HTTP: to the checked address, no redirects, a short deadline."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from ugc.webhooks.addresses import Destination, UnsafeDestination, resolve_destination

RESPONSE_EXCERPT = 500


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What one POST to an endpoint gave."""

    ok: bool
    status_code: int | None
    elapsed_ms: int
    error: str | None
    response_excerpt: str = ""


def _pinned_url(destination: Destination) -> str:
    """The URL with its host replaced by the checked address (the Host header keeps the name)."""
    parts = urlsplit(destination.url)
    host = str(destination.address)
    if destination.address.version == 6:
        host = f"[{host}]"
    netloc = f"{host}:{destination.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


async def post_signed(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool,
    allow_http: bool,
) -> AttemptResult:
    """POST once; 2xx within the client's timeout counts, anything else is a failure."""
    started = time.monotonic()
    try:
        destination = await resolve_destination(
            url, allow_private=allow_private, allow_http=allow_http
        )
        response = await client.post(
            _pinned_url(destination),
            content=body,
            headers={**headers, "host": _host_header(destination)},
            extensions={"sni_hostname": destination.host},
        )
    except UnsafeDestination as exc:
        return AttemptResult(False, None, _since(started), exc.detail)
    except httpx.TimeoutException:
        return AttemptResult(False, None, _since(started), "The endpoint did not answer in time.")
    except httpx.HTTPError as exc:
        return AttemptResult(False, None, _since(started), f"Could not connect: {exc}"[:300])
    ok = 200 <= response.status_code < 300
    error = None if ok else f"The endpoint answered {response.status_code}."
    return AttemptResult(
        ok, response.status_code, _since(started), error, response.text[:RESPONSE_EXCERPT]
    )


def _host_header(destination: Destination) -> str:
    default = 443 if destination.scheme == "https" else 80
    return (
        destination.host
        if destination.port == default
        else f"{destination.host}:{destination.port}"
    )


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def delivery_client(timeout_seconds: float) -> httpx.AsyncClient:
    """The client deliveries share: no redirects followed, no proxies from the environment."""
    return httpx.AsyncClient(
        follow_redirects=False,
        timeout=httpx.Timeout(timeout_seconds),
        trust_env=False,
        headers={"user-agent": "UGC-Studio-Webhooks/1"},
    )
