"""A true OpenAPI document: every error as {"error", "detail"}, each where it can occur.

Routes list the errors their rules raise with `responses=errors(402, 409)`; the errors every
route of a kind can meet are added here from what the route is: a body (400, 413, 422), a
signed-in user (401, and 403 for cookie writes from another site), a path parameter (404).
FastAPI's own 422 body (`detail: array`) is replaced by ours, which the handlers really send.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.openapi.utils import get_openapi

from ugc.auth.cookies import SESSION_COOKIE
from ugc.errors import ErrorResponse
from ugc.middleware.body import route_needs_user

ERROR_DESCRIPTIONS = {
    400: "The request cannot be acted on (a malformed body, or the resource's state).",
    401: "No valid session, API token or identity came with the request.",
    402: "The balance does not cover the cost.",
    403: "Signed in, but not allowed (for example a cookie write from another site).",
    404: "No such resource, or not one the caller may see.",
    409: "The resource is busy or exists in a way that prevents the request.",
    413: "The body, or one of its files, is larger than the limit.",
    415: "An uploaded file is not an image we can read.",
    422: "A value is not acceptable; the detail says which and why.",
    429: "Too many attempts; the Retry-After header says when to try again.",
    502: "A provider this needs (the payment provider) refused or could not be reached.",
    503: "This feature is not set up on this server (payments, webhooks).",
}
ERROR_REF = "#/components/schemas/ErrorResponse"
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: these statuses answer an ErrorResponse."""
    return {
        status: {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS[status]}
        for status in statuses
    }


def flat_routes(app: FastAPI) -> Iterator[Any]:
    """Every route of the app, with included routers opened up (as FastAPI itself does)."""
    iterate: Callable[[Any], Iterable[Any]] | None = getattr(routing, "iter_route_contexts", None)
    yield from iterate(app.router.routes) if iterate is not None else app.router.routes


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }


def _implied_errors(operation: dict[str, Any], method: str, needs_user: bool) -> set[int]:
    """The errors a route meets because of what it is, whatever its own rules."""
    implied = set()
    if "requestBody" in operation:
        implied |= {400, 413, 422}
    parameters = operation.get("parameters", [])
    if parameters:
        implied.add(422)
    if any(p.get("in") == "path" for p in parameters):
        implied.add(404)
    if needs_user:
        implied.add(401)
        if method in UNSAFE_METHODS:
            implied.add(403)
    return implied


def _document_operation(operation: dict[str, Any], method: str, needs_user: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in sorted(_implied_errors(operation, method, needs_user)):
        responses.setdefault(str(status), _error_response(status))
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            response["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
            general = ERROR_DESCRIPTIONS.get(int(code), "An error.")
            # A route's own codes (`errors.documented`) stay, after the general sentence.
            specific = response.get("description", "")
            if "`" in specific and not specific.startswith(general):
                response["description"] = f"{general} {specific}"
            else:
                response["description"] = general
    if needs_user:
        operation["security"] = [{"bearer": []}, {"session": []}]


def build_openapi(app: FastAPI, guards: Collection[Callable[..., object]]) -> dict[str, Any]:
    """FastAPI's document, with errors and credentials as the app really answers them."""
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    needs_user = {
        (route.path_format, method.lower()): route_needs_user(route, guards)
        for route in flat_routes(app)
        if getattr(route, "include_in_schema", False) and hasattr(route, "dependant")
        for method in (route.methods or ())
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            _document_operation(operation, method, needs_user.get((path, method), False))
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas["ErrorResponse"] = ErrorResponse.model_json_schema()
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "An API token (ugc_...)."},
        "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
    }
    return schema


def install_openapi(app: FastAPI, guards: Collection[Callable[..., object]]) -> None:
    """Serve `build_openapi`'s document at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, guards)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
