"""Each refusal has its own code, and each route documents the codes it can answer."""

from __future__ import annotations

import pytest

from tests.support import app_settings
from ugc.app import create_app

ROUTES = {
    ("post", "/api/project/create"): {
        401: {"not_authenticated"},
        402: {"insufficient_credits"},
        413: {"payload_too_large"},
        415: {"unsupported_media"},
        422: {"invalid_input"},
    },
    ("post", "/api/project/video"): {
        400: {"image_required"},
        402: {"insufficient_credits"},
        404: {"not_found"},
        409: {"project_busy", "video_exists"},
    },
    ("post", "/api/project/retry"): {
        404: {"not_found"},
        409: {"project_busy", "video_exists", "no_free_retry"},
    },
    ("post", "/api/project/publish"): {400: {"image_required"}, 404: {"not_found"}},
    ("delete", "/api/project/{project_id}"): {404: {"not_found"}, 409: {"project_busy"}},
    ("post", "/api/auth/signup"): {
        409: {"email_taken"},
        422: {"invalid_input"},
        429: {"too_many_requests"},
    },
    ("post", "/api/auth/login"): {401: {"not_authenticated"}, 429: {"too_many_requests"}},
    ("post", "/api/auth/token"): {
        401: {"not_authenticated"},
        422: {"invalid_input"},
        429: {"too_many_requests"},
    },
    ("post", "/api/auth/password"): {
        401: {"not_authenticated"},
        403: {"forbidden"},
        422: {"invalid_input"},
        429: {"too_many_requests"},
    },
    ("delete", "/api/auth/sessions"): {401: {"not_authenticated"}, 403: {"forbidden"}},
    ("post", "/api/auth/verify-email"): {422: {"invalid_input"}},
    ("post", "/api/auth/verify-email/resend"): {
        400: {"bad_request"},
        401: {"not_authenticated"},
        429: {"too_many_requests"},
    },
    ("get", "/api/auth/tokens"): {401: {"not_authenticated"}},
    ("post", "/api/auth/tokens"): {401: {"not_authenticated"}, 422: {"invalid_input"}},
    ("delete", "/api/auth/tokens/{token_id}"): {
        401: {"not_authenticated"},
        404: {"not_found"},
    },
    ("get", "/api/user/me"): {401: {"not_authenticated"}},
    ("get", "/api/project/published"): {422: {"invalid_input"}},
}


@pytest.fixture(scope="module")
def openapi(tmp_path_factory):
    return create_app(app_settings(tmp_path_factory.mktemp("openapi"))).openapi()


@pytest.mark.parametrize("route", list(ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_documents_its_error_codes(openapi, route):
    method, path = route
    responses = openapi["paths"][path][method]["responses"]
    for status, codes in ROUTES[route].items():
        documented = responses[str(status)]
        assert documented["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }
        for code in codes:
            assert f"`{code}`" in documented["description"], (route, status, code)


def test_status_and_stage_are_enums_in_the_document(openapi):
    schemas = openapi["components"]["schemas"]
    assert schemas["ProjectStatus"]["enum"] == ["queued", "generating", "ready", "failed"]
    assert "resuming" in schemas["Stage"]["enum"]
    project = schemas["ProjectOut"]["properties"]
    assert project["status"] == {"$ref": "#/components/schemas/ProjectStatus"}
    assert project["stage"] == {"$ref": "#/components/schemas/Stage"}
