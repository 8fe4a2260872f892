"""The `ugc` command as users run it: serve, db upgrade, users create, credits grant, batch."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.jobs.worker_process import UGC, settings_env
from tests.live_server import LiveServer
from tests.process_sockets import ESTABLISHED, LISTEN, sockets_of
from tests.support import PASSWORD, person_photo, product_photo
from ugc.config import Settings

# The tests that start `ugc` processes on the test database: one xdist group with the other
# live-server tests (the batch tests make files only and run anywhere).
SERVES = pytest.mark.xdist_group("cli")


def _run(
    env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`ugc ARGS...` in a process of its own, with exactly `env` as its environment."""
    return subprocess.run(
        [str(UGC), *args], env=env, input=stdin, capture_output=True, text=True, timeout=timeout
    )


@SERVES
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


@SERVES
def test_the_gemini_engine_without_a_key_stops_startup(settings_factory):
    env = settings_env(settings_factory()) | {"UGC_IMAGE_ENGINE": "gemini"}
    result = _run(env, "serve")
    assert result.returncode == 2 and "UGC_GEMINI_API_KEY" in result.stderr


@SERVES
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


@SERVES
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


def _server_processes(pid: int) -> list[int]:
    """The worker processes uvicorn spawned under `pid`."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
                children.append(int(child))
    return children


def _wait_until_each_listens(processes: list[int], port: int) -> list[set[str]]:
    """Each process's listening sockets on `port`, once every process has one."""
    deadline = time.monotonic() + 60
    while True:
        listening = [sockets_of(pid, port, LISTEN) for pid in processes]
        if all(listening) or time.monotonic() > deadline:
            return listening
        time.sleep(0.2)


@SERVES
def test_serve_with_several_processes_shares_the_port_and_runs_jobs(settings_factory, tmp_path):
    settings = settings_factory(web_processes=2)
    with LiveServer(settings, tmp_path / "serve.log") as server:
        assert server.process is not None
        processes = _server_processes(server.process.pid)
        assert len(processes) == 2, server.log()
        # A listening socket of its own for each process (SO_REUSEPORT), not one shared.
        listening = _wait_until_each_listens(processes, server.port)
        assert [len(sockets) for sockets in listening] == [1, 1], server.log()
        assert listening[0] != listening[1]
        # Keep-alive connections opened at once spread over both processes, and each answers.
        clients = [httpx.Client(base_url=server.url, timeout=30) for _ in range(20)]
        try:
            for keep_alive in clients:
                assert keep_alive.get("/healthz").status_code == 200
            held = [sockets_of(pid, server.port, ESTABLISHED) for pid in processes]
            assert all(held), held
        finally:
            for keep_alive in clients:
                keep_alive.close()
        with httpx.Client(base_url=server.url, timeout=30) as client:
            email = "two-processes@example.com"
            assert (
                client.post(
                    "/api/auth/signup", json={"email": email, "password": PASSWORD}
                ).status_code
                == 201
            )
            # Many short connections: the kernel spreads them over both processes.
            for _ in range(20):
                with httpx.Client(base_url=server.url, cookies=client.cookies) as fresh:
                    assert fresh.get("/api/user/me").json()["email"] == email
            # Whichever process answers, /metrics counts the requests of both.
            line = 'ugc_http_requests_total{method="GET",route="/api/user/me",status="200"} 20.0'
            for _ in range(4):
                assert line in httpx.get(f"{server.url}/metrics").text
            created = client.post(
                "/api/project/create",
                data={"productName": "Aqua Bottle", "aspectRatio": "1:1"},
                files={
                    "userImage": ("p.jpg", person_photo(), "image/jpeg"),
                    "productImage": ("q.png", product_photo(), "image/png"),
                },
            )
            assert created.status_code == 201, created.text
            project_id = created.json()["projectId"]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                project = client.get(f"/api/user/projects/{project_id}").json()["project"]
                if not project["isGenerating"]:
                    break
                time.sleep(0.2)
            assert project["status"] == "ready", server.log()
        # A process that dies is replaced by one that listens on the socket it left.
        os.kill(processes[0], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while processes[0] in (now := _server_processes(server.process.pid)) or len(now) != 2:
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.2)
        replaced = _wait_until_each_listens(now, server.port)
        assert sorted(map(sorted, replaced)) == sorted(map(sorted, listening)), server.log()


@SERVES
def test_processes_starting_together_agree_on_one_generated_secret_key(tmp_path):
    settings = Settings(data_dir=tmp_path / "var")
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: settings.resolved_secret_key(), range(8)))
    assert len(keys) == 1 and len(keys.pop()) >= 40
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["secret_key"]


# `ugc batch`: a CSV of briefs becomes ads, a summary CSV, and a resumable run.

ROWS = [
    ("person.jpg", "product.png", "Aqua Bottle", "Stay fresh", "9:16", "no"),
    ("person.jpg", "product.png", "Aqua Bottle Wide", "", "16:9", "no"),
    ("person.jpg", "product.png", "Square Serum", "Glow daily", "1:1", "yes"),
    ("person.jpg", "missing.png", "Ghost Product", "", "9:16", "no"),
    ("person.jpg", "product.png", "Morning Tea", "Calm mornings", "9:16", "no"),
    ("person.jpg", "product.png", "Night Cream", "", "1:1", "no"),
]


def _write_inputs(folder: Path) -> Path:
    (folder / "person.jpg").write_bytes(person_photo())
    (folder / "product.png").write_bytes(product_photo())
    path = folder / "briefs.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person", "product", "name", "prompt", "aspect_ratio", "video"])
        writer.writerows(ROWS)
    return path


def _batch(briefs: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "140", "UGC_DATA_DIR": str(out / "var")}
    args = ("batch", str(briefs), "--out", str(out), "--workers", "2")
    return _run(env, *args, timeout=600)


def _summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(newline="") as handle:
        return {row["name"]: row for row in csv.DictReader(handle)}


@pytest.mark.slow
def test_a_batch_makes_every_good_row_reports_the_bad_one_and_resumes(tmp_path: Path) -> None:
    briefs = _write_inputs(tmp_path)
    out = tmp_path / "ads"
    first = _batch(briefs, out)
    assert first.returncode == 1, first.stderr
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", first.stderr)
    assert "Making ads" in shown and "6/6" in shown and "ETA" in shown
    assert "row 4 (Ghost Product): the product photo 'missing.png' does not exist" in first.stderr
    summary = _summary(out)
    assert list(summary) == [row[2] for row in ROWS]
    assert summary["Ghost Product"]["status"] == "failed"
    made = [name for name, row in summary.items() if row["status"] == "done"]
    assert len(made) == 5
    for name in made:
        image = Path(summary[name]["image"])
        assert image.is_file() and image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert float(summary[name]["seconds"]) > 0
    video = Path(summary["Square Serum"]["video"])
    assert video.is_file() and video.stat().st_size > 10_000
    assert summary["Aqua Bottle"]["video"] == ""

    second = _batch(briefs, out)
    assert second.returncode == 1
    resumed = _summary(out)
    assert {n for n, r in resumed.items() if r["status"] == "skipped"} == set(made)
    assert resumed["Ghost Product"]["status"] == "failed"
    assert "0 made, 5 already done, 1 failed" in second.stderr


@pytest.mark.slow
def test_a_csv_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    briefs = tmp_path / "briefs.csv"
    briefs.write_text("photo,title\na.jpg,A\n")
    result = _batch(briefs, tmp_path / "out")
    assert result.returncode == 2
    assert "the CSV needs the columns" in result.stderr
