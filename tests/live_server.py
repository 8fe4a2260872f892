"""`ugc serve` as a real subprocess on a free port, for tests that need real HTTP."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx

from tests.jobs.worker_process import UGC, settings_env
from ugc.config import Settings


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """Runs `ugc serve` with the given settings; `url` is its base URL."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.port = free_port()
        self.env = settings_env(settings) | {"UGC_HOST": "127.0.0.1", "UGC_PORT": str(self.port)}
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LiveServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(UGC), "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ugc serve exited:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"ugc serve did not start:\n{self.log()}")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log(self) -> str:
        """The server's output so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
