"""API benchmarks against a real `ugc serve`, on SQLite and on PostgreSQL.

- GET /api/user/projects/{id}: throughput and p99 latency at 50 concurrent clients, and the
  same for /healthz (the framework floor) measured in the same run; the ratio says what the
  auth lookup + project query + signed URLs cost.
- Server CPU per request (the process tree's CPU time over the load, divided by the requests
  served): steadier than throughput on a shared machine.
- create -> ready latency with the local engine, against the engine's own compose time
  measured in the same run: the ratio is the job system's overhead.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live_server import LiveServer
from tests.support import PASSWORD, person_photo, product_photo
from ugc.config import load_settings
from ugc.engines.base import ImageRequest
from ugc.engines.local.image import LocalImageEngine

CONCURRENCY = 50
DURATION_S = 10
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# GET project / healthz throughput the read path must reach (issue 10), by backend.
TARGET_RATIO = {"SQLite": 0.25, "PostgreSQL": 0.3, "PostgreSQL, 2 processes": 0.3}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (Linux /proc)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        queue.extend(int(child) for child in children)
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants so far."""
    total = 0
    for member in _process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def _wrk(url: str, token: str) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) from wrk."""
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONCURRENCY}",
            f"-d{DURATION_S}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    return rps, _wrk_percentile(result.stdout, 50), _wrk_percentile(result.stdout, 99)


def _wrk_percentile(output: str, percent: int) -> float:
    """One line of wrk's --latency distribution, in ms."""
    found = re.search(rf"{percent}%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
    return float(found.group(1)) * scale


async def _httpx_load(url: str, token: str) -> tuple[float, float, float]:
    """Fallback load generator when wrk is not installed."""
    latencies: list[float] = []
    deadline = time.monotonic() + DURATION_S
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, limits=limits) as c:

        async def client() -> None:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                (await c.get(url)).raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    latencies.sort()
    at = len(latencies)
    return at / DURATION_S, latencies[at // 2], latencies[int(at * 0.99)]


def load(url: str, token: str, server_pid: int) -> tuple[float, float, float, float]:
    """Throughput, p50, p99 and server CPU ms per request at 50 concurrent clients."""
    cpu_before = _cpu_seconds(server_pid)
    if shutil.which("wrk"):
        rps, p50, p99 = _wrk(url, token)
    else:
        rps, p50, p99 = asyncio.run(_httpx_load(url, token))
    cpu_ms = (_cpu_seconds(server_pid) - cpu_before) * 1000 / max(rps * DURATION_S, 1)
    return rps, p50, p99, cpu_ms


def _prepare_user(base: str) -> tuple[str, str, float]:
    """Sign up, create a project, wait until ready: (token, project id, create->ready s)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        client.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
        token = client.post(
            "/api/auth/token", data={"username": email, "password": PASSWORD}
        ).json()["access_token"]
        latencies = []
        project_id = ""
        # Made once, outside the timing: encoding them takes the client ~0.3 s.
        person, product = person_photo(), product_photo()
        for _ in range(3):
            started = time.perf_counter()
            response = client.post(
                "/api/project/create",
                data={"productName": "Aqua Bottle", "aspectRatio": "9:16"},
                files={"userImage": ("p.jpg", person), "productImage": ("q.png", product)},
            )
            project_id = response.json()["projectId"]
            while (
                client.get(f"/api/user/projects/{project_id}").json()["project"]["status"]
                != "ready"
            ):
                time.sleep(0.01)
            latencies.append(time.perf_counter() - started)
        return token, project_id, statistics.median(latencies)


def _engine_floor() -> float:
    """Median local compose time for the same inputs, in this process."""
    engine = LocalImageEngine(load_settings())
    request = ImageRequest(
        person=person_photo(),
        product=product_photo(),
        product_name="Aqua Bottle",
        product_description="",
        prompt="",
        aspect_ratio="9:16",
    )
    times = []
    for _ in range(5):
        started = time.perf_counter()
        asyncio.run(engine.compose(request, lambda stage, fraction: None))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _run_backend(
    name: str, database_url: str, workdir: Path, processes: int = 1
) -> dict[str, float]:
    settings = load_settings(
        database_url=database_url,
        data_dir=workdir / "var",
        storage_url=f"file://{workdir}/media",
        secret_key="bench-secret-bench-secret",
        log_level="WARNING",
        web_processes=processes,
    )
    with LiveServer(settings, workdir / f"{name}.log") as server:
        assert server.process is not None
        pid = server.process.pid
        token, project_id, create_to_ready = _prepare_user(server.url)
        health_rps, _, health_p99, health_cpu = load(f"{server.url}/healthz", token, pid)
        rps, p50, p99, cpu = load(f"{server.url}/api/user/projects/{project_id}", token, pid)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "cpu": cpu,
        "health_rps": health_rps,
        "health_p99": health_p99,
        "health_cpu": health_cpu,
        "create_to_ready": create_to_ready,
    }


async def _pg(statement: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _print_row(backend: str, r: dict[str, float], floor: float) -> None:
    ratio = r["rps"] / r["health_rps"]
    verdict = "ok" if ratio >= TARGET_RATIO[backend] else "below"
    print(
        f"| {backend} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['health_rps']:.0f} | "
        f"{ratio:.2f} (>= {TARGET_RATIO[backend]}: {verdict}) | {r['cpu']:.2f} | "
        f"{r['health_cpu']:.2f} | {r['create_to_ready']:.2f} | "
        f"{r['create_to_ready'] / floor:.2f} |",
        flush=True,
    )


def _postgres_two_processes(workdir: Path, floor: float, repeat: int) -> None:
    name = f"ugc_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
    try:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        for _ in range(repeat):
            two = _run_backend("postgres-2", url, workdir, processes=2)
            _print_row("PostgreSQL, 2 processes", two, floor)
    finally:
        asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main(only_two: int = 0) -> None:
    """Print the API benchmark table, a row as soon as it is measured (with `only_two`, only
    the PostgreSQL 2-process row, that many times)."""
    floor = _engine_floor()
    print(
        f"GET /api/user/projects/{{id}}, {CONCURRENCY} concurrent clients, {DURATION_S} s each "
        f"({'wrk' if shutil.which('wrk') else 'httpx'})"
    )
    print(
        "| backend | req/s | p50 ms | p99 ms | /healthz req/s | ratio to /healthz (target) "
        "| CPU ms/req | /healthz CPU ms/req | create->ready s | ratio to compose |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if only_two:
            _postgres_two_processes(workdir, floor, only_two)
            return
        sqlite_url = f"sqlite+aiosqlite:///{workdir}/bench.db"
        _print_row("SQLite", _run_backend("sqlite", sqlite_url, workdir), floor)
        name = f"ugc_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
        try:
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
            _print_row("PostgreSQL", _run_backend("postgres", url, workdir), floor)
            two = _run_backend("postgres-2", url, workdir, processes=2)
            _print_row("PostgreSQL, 2 processes", two, floor)
        finally:
            asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(f"\nlocal engine compose (same inputs, in process, median of 5): {floor:.3f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres-two-processes",
        type=int,
        metavar="N",
        default=0,
        help="only the PostgreSQL 2-process row, N times (the p99 target's case)",
    )
    main(parser.parse_args().postgres_two_processes)
