"""The `ugc` command as users run it: serve, db upgrade, users create, credits grant."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from tests.jobs.worker_process import UGC, settings_env
from tests.live_server import LiveServer
from tests.support import PASSWORD

pytestmark = pytest.mark.xdist_group("cli")


def _run(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(UGC), *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [("UGC_PORT", "not-a-port"), ("UGC_DATABASE_URL", "mysql://x"), ("UGC_IMAGE_COST", "-1")],
)
def test_a_bad_setting_stops_startup_naming_the_variable(settings_factory, variable, value):
    env = settings_env(settings_factory()) | {variable: value}
    result = _run(env, "serve")
    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_the_gemini_engine_without_a_key_stops_startup(settings_factory):
    env = settings_env(settings_factory()) | {"UGC_IMAGE_ENGINE": "gemini"}
    result = _run(env, "serve")
    assert result.returncode == 2 and "UGC_GEMINI_API_KEY" in result.stderr


def test_users_create_and_credits_grant(settings_factory):
    env = settings_env(settings_factory())
    assert _run(env, "db", "upgrade").returncode == 0
    created = _run(env, "users", "create", "Owner@Example.com", "--password", PASSWORD)
    assert created.returncode == 0, created.stderr
    assert "owner@example.com with 20 credits" in created.stdout
    duplicate = _run(env, "users", "create", "owner@example.com", "--password", PASSWORD)
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    granted = _run(env, "credits", "grant", "owner@example.com", "30")
    assert granted.returncode == 0 and "balance 50" in granted.stdout
    missing = _run(env, "credits", "grant", "nobody@example.com", "5")
    assert missing.returncode == 1 and "No account" in missing.stderr


def test_serve_migrates_and_answers_health_ready_and_metrics(settings_factory, tmp_path):
    with LiveServer(settings_factory(), tmp_path / "serve.log") as server:
        assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
        assert httpx.get(f"{server.url}/readyz").json() == {"status": "ready"}
        signup = httpx.post(
            f"{server.url}/api/auth/signup",
            json={"email": "metrics@example.com", "password": PASSWORD},
        )
        assert signup.status_code == 201
        metrics = httpx.get(f"{server.url}/metrics").text
        assert (
            'ugc_http_requests_total{method="POST",route="/api/auth/signup",status="201"}'
            in metrics
        )
        assert "ugc_http_request_seconds_bucket" in metrics
        missing = httpx.get(f"{server.url}/api/nothing-here")
        assert missing.status_code == 404 and json.loads(missing.text)["error"] == "not_found"
