"""The server's edge: a request body over the limit, or sent anonymously to a route that
needs a user, is refused before anything parses or spools it."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MEGABYTE = 1024 * 1024
# Room for the text fields of a create request (~4,300 characters at up to 4 bytes each) and
# the multipart framing around them and the two photos.
FORM_FIELDS_ALLOWANCE = 64 * 1024


def request_body_limit(max_upload_bytes: int) -> int:
    """The largest body any request may send: two photos at the upload limit plus fields."""
    return 2 * max_upload_bytes + FORM_FIELDS_ALLOWANCE


async def send_error(
    send: Send, status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> None:
    """Answer {"error", "detail"} straight from ASGI (no request object, no body read)."""
    body = json.dumps({"error": code, "detail": detail}).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The unread rest of the body makes the connection unusable for another request.
        (b"connection", b"close"),
    ]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _has_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length")
    return _header(scope, b"transfer-encoding") is not None or (
        length is not None and length.strip() not in ("", "0")
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    """The error answer that replaces whatever the app would have answered."""

    status: int
    code: str
    detail: str
    headers: dict[str, str] = field(default_factory=dict)


class _Interrupted(Exception):
    """Raised into the app's body reader to stop it reading."""


# Called before the app's first read (with None) and after each read (with the message).
Guard = Callable[[Message | None], Refusal | None]


async def call_guarded(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, guard: Guard
) -> None:
    """Run the app; when `guard` refuses a read, stop the read and answer the refusal instead."""
    refusal: Refusal | None = None
    started = False
    first = True

    async def guarded_receive() -> Message:
        nonlocal refusal, first
        if first:
            first = False
            refusal = guard(None)
            if refusal is not None:
                raise _Interrupted
        message = await receive()
        if message["type"] == "http.request":
            refusal = guard(message)
            if refusal is not None:
                raise _Interrupted
        return message

    async def guarded_send(message: Message) -> None:
        nonlocal started
        if refusal is not None:  # whatever the app made of the interrupted read
            if not started:
                started = True
                await send_error(
                    send, refusal.status, refusal.code, refusal.detail, refusal.headers
                )
            return
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, guarded_receive, guarded_send)
    except _Interrupted:
        if refusal is not None and not started:
            await send_error(send, refusal.status, refusal.code, refusal.detail, refusal.headers)


class BodyLimitMiddleware:
    """413 for a body over `max_bytes`: at once by Content-Length, or by counting chunks."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.refusal = Refusal(
            413,
            "payload_too_large",
            f"The request is larger than {max_bytes / MEGABYTE:.1f} MB, the most any request "
            "may send (two photos at the upload limit and the text fields).",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            refusal = self.refusal
            await send_error(send, refusal.status, refusal.code, refusal.detail)
            return
        received = 0

        def count(message: Message | None) -> Refusal | None:
            nonlocal received
            received += len(message.get("body", b"")) if message else 0
            return self.refusal if received > self.max_bytes else None

        await call_guarded(self.app, scope, receive, send, count)


def route_needs_user(route: object, guards: Collection[Callable[..., object]]) -> bool:
    """True when a FastAPI route depends, at any depth, on one of the `guards`."""
    pending = [getattr(route, "dependant", None)]
    while pending:
        dependant = pending.pop()
        if dependant is None:
            continue
        if dependant.call in guards:
            return True
        pending.extend(dependant.dependencies)
    return False


class AuthenticateFirstMiddleware:
    """401 for a body sent with no credentials at all to a route that needs a user.

    FastAPI reads (and spools) a request's body before it runs the route's dependencies, so
    without this an anonymous upload is received whole before its 401. The check runs when
    the app first reads the body: by then the router has put the matched route in the scope.
    """

    def __init__(
        self, app: ASGIApp, guards: Collection[Callable[..., object]], cookie_name: str
    ) -> None:
        self.app = app
        self.guards = guards
        self.cookie_name = cookie_name
        self._needs_user: dict[int, bool] = {}
        self.refusal = Refusal(
            401, "not_authenticated", "Sign in to continue.", {"WWW-Authenticate": "Bearer"}
        )

    def _route_needs_user(self, route: object) -> bool:
        key = id(route)
        if key not in self._needs_user:
            self._needs_user[key] = route_needs_user(route, self.guards)
        return self._needs_user[key]

    def _has_credentials(self, scope: Scope) -> bool:
        if _header(scope, b"authorization"):
            return True
        cookies = cookie_parser(_header(scope, b"cookie") or "")
        return bool(cookies.get(self.cookie_name))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope) or self._has_credentials(scope):
            await self.app(scope, receive, send)
            return

        def check_route(message: Message | None) -> Refusal | None:
            route = scope.get("route")
            if message is None and route is not None and self._route_needs_user(route):
                return self.refusal
            return None

        await call_guarded(self.app, scope, receive, send, check_route)
