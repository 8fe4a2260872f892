"""The processes a distributed deployment runs, on loopback only, started and stopped here.

PostgreSQL (a database of its own on the local server), Redis (a db number and namespace of
its own), moto's S3 server, the fake Google server, `ugc serve` with two web processes, and a
pool of `ugc worker` processes whose size the soak changes between phases.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import boto3
import httpx

from bench.soaklib.cpu import pids_named

ROOT = Path(__file__).resolve().parents[2]
UGC = Path(sys.executable).with_name("ugc")
MOTO = Path(sys.executable).with_name("moto_server")
# Importing the engines (the Google SDK above all) takes seconds, minutes on a loaded machine.
WORKER_START_TIMEOUT = 300
PG_ADMIN = os.environ.get("UGC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_DB = 7


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 90) -> None:
    """Block until `url` answers 200, or fail with the process's fate."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start in {timeout:.0f} s")


def children_of(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Stack:
    """Everything the soak starts; `env` is the UGC_* environment every process shares."""

    workdir: Path
    engine: str  # "io": fake Google with latency; "cpu": the built-in engine
    image_latency: float
    video_latency: float
    worker_threads: int
    env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    web: subprocess.Popen[bytes] | None = None
    services: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    database: str = ""
    bucket: str = ""
    s3_url: str = ""
    fake_url: str = ""
    web_url: str = ""

    def __enter__(self) -> Stack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        tag = uuid.uuid4().hex[:8]
        self.database = f"ugc_soak_{tag}"
        asyncio.run(_pg(f'CREATE DATABASE "{self.database}"'))
        self._start_s3(tag)
        self._start_fake()
        self.env = self._environment(tag)
        self._start_web()
        return self

    def _spawn(
        self, args: list[str], log: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        with (self.workdir / log).open("ab") as handle:
            process = subprocess.Popen(
                args,
                env=env or self.env or os.environ.copy(),
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def _start_s3(self, tag: str) -> None:
        port = free_port()
        moto = self._spawn([str(MOTO), "-H", "127.0.0.1", "-p", str(port)], "moto.log")
        self.services["s3 (moto)"] = moto
        self.s3_url = f"http://127.0.0.1:{port}"
        wait_http(self.s3_url, moto, "moto_server")
        self.bucket = f"ugc-soak-{tag}"
        self.s3().create_bucket(Bucket=self.bucket)

    def s3(self) -> object:
        """A boto3 client of the soak's S3."""
        return boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            region_name="us-east-1",
            aws_access_key_id="soak",
            aws_secret_access_key="soak",
        )

    def _start_fake(self) -> None:
        port = free_port()
        args = [
            sys.executable, str(ROOT / "bench" / "soaklib" / "fake_google.py"),
            "--port", str(port),
            "--image-latency", str(self.image_latency),
            "--video-latency", str(self.video_latency),
        ]  # fmt: skip
        fake = self._spawn(args, "fake-google.log", env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.services["fake google"] = fake
        self.fake_url = f"http://127.0.0.1:{port}"
        wait_http(f"{self.fake_url}/_soak/stats", fake, "fake Google server")

    def _environment(self, tag: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("UGC_")}
        env.update(
            AWS_ACCESS_KEY_ID="soak",
            AWS_SECRET_ACCESS_KEY="soak",
            AWS_ENDPOINT_URL=self.s3_url,
            AWS_DEFAULT_REGION="us-east-1",
            AWS_ALLOW_HTTP="true",
            UGC_DATABASE_URL=_pg_url(self.database),
            UGC_STORAGE_URL=f"s3://{self.bucket}/media",
            UGC_QUEUE_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
            UGC_QUEUE_NAMESPACE=f"ugc-soak-{tag}",
            UGC_DATA_DIR=str(self.workdir / "var"),
            UGC_SECRET_KEY=f"soak-secret-{tag}-soak-secret",
            UGC_SIGNUP_CREDITS="1000",
            UGC_WEB_PROCESSES="2",
            UGC_WORKER_THREADS=str(self.worker_threads),
            UGC_LOG_LEVEL="WARNING",
            UGC_JOB_LEASE_SECONDS="10",
            UGC_RECONCILE_INTERVAL_SECONDS="3",
            UGC_RETRY_BASE_SECONDS="0.5",
            UGC_LOGIN_ATTEMPTS_PER_WINDOW="100000",
            UGC_TRUSTED_PROXIES="127.0.0.1",
        )
        if self.engine == "cpu":
            # One worker per core, each on its own core, as README "Running at scale" says.
            env.update(UGC_LOCAL_ENGINE_THREADS="1")
        if self.engine == "io":
            env.update(
                UGC_IMAGE_ENGINE="gemini",
                UGC_VIDEO_ENGINE="omni",
                UGC_GEMINI_API_KEY="fake-gemini-key",
                UGC_GEMINI_BASE_URL=self.fake_url,
                # Each poll costs the worker ~16 ms of CPU (the SDK builds a pydantic model
                # to read every answer): at 1 s a 30 s video's polls cost as much as its
                # product check. 3 s keeps create->ready within 3 s of the truth.
                UGC_OMNI_POLL_SECONDS="3",
            )
        return env

    def _start_web(self) -> None:
        port = free_port()
        self.env["UGC_HOST"], self.env["UGC_PORT"] = "127.0.0.1", str(port)
        self.web_url = f"http://127.0.0.1:{port}"
        self.web = self._spawn([str(UGC), "serve"], "web.log")
        wait_http(f"{self.web_url}/readyz", self.web, "ugc serve")

    def web_children(self) -> list[int]:
        """The pids of the serving processes under uvicorn's supervisor."""
        assert self.web is not None
        return children_of(self.web.pid)

    def kill_web_process(self) -> int:
        """SIGKILL one serving process; uvicorn's supervisor starts a new one."""
        victim = sorted(p for p in self.web_children() if rss_mb(p) > 0)[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def set_workers(self, count: int) -> None:
        """Grow or shrink the worker pool to `count` processes (stopping gracefully), and wait
        until every new one consumes the queue: a phase must not time a worker's start-up."""
        while len(self.workers) > count:
            worker = self.workers.pop()
            worker.terminate()
            worker.wait(timeout=60)
        started = []
        while len(self.workers) < count:
            started.append(self._start_worker(f"worker-{len(self.workers)}.log"))
            self.workers.append(started[-1][0])
        for process, log in started:
            self._wait_until_consuming(process, log)

    def kill_worker(self) -> int:
        """SIGKILL the first worker (no shutdown, leases left behind) and start a new one
        (not waited for: its start-up is part of the recovery being measured)."""
        victim = self.workers[0]
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        self.workers[0], _ = self._start_worker("worker-restarted.log")
        return victim.pid

    def _start_worker(self, log: str) -> tuple[subprocess.Popen[bytes], Path]:
        # INFO for workers: their "job worker started" line is the readiness signal.
        env = {**self.env, "UGC_LOG_LEVEL": "INFO"}
        return self._spawn([str(UGC), "worker"], log, env=env), self.workdir / log

    @staticmethod
    def _wait_until_consuming(process: subprocess.Popen[bytes], log: Path) -> None:
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while b"job worker started" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start; see {log}")
            time.sleep(0.2)

    def roles(self) -> dict[str, list[int]]:
        """The pids of each part of the stack, the load driver (this process) and the shared
        PostgreSQL and Redis servers included."""
        assert self.web is not None
        return {
            "web": [self.web.pid, *self.web_children()],
            "workers": [w.pid for w in self.workers],
            **{name: [p.pid] for name, p in self.services.items()},
            "driver": [os.getpid()],
            "postgres": pids_named("postgres"),
            "redis": pids_named("redis-server"),
        }

    def worker_rss(self) -> float:
        """The largest worker's resident memory, MB."""
        return max((rss_mb(w.pid) for w in self.workers), default=0.0)

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))


def _pg_url(name: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


async def _pg(statement: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def pg_fetch(database: str, query: str) -> list[asyncpg.Record]:
    """Rows of `query` on the soak's database."""
    connection = await asyncpg.connect(PG_ADMIN.rsplit("/", 1)[0] + f"/{database}")
    try:
        return list(await connection.fetch(query))
    finally:
        await connection.close()
