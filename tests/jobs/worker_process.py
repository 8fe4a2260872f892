"""Runs the real `ugc worker` command as a subprocess for crash tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from ugc.config import Settings

UGC = Path(sys.executable).with_name("ugc")


def settings_env(settings: Settings) -> dict[str, str]:
    """The UGC_* environment that reproduces `settings` in another process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UGC_")}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        if isinstance(value, tuple):
            # Lists of names are comma-separated; lists of records (credit packs) are JSON.
            strings = all(isinstance(item, str) for item in value)
            value = ",".join(value) if strings else json.dumps(value)
        env[f"UGC_{name.upper()}"] = str(value)
    return env


class WorkerProcess:
    """One `ugc worker` process; its output goes to a log file for diagnostics."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.env = settings_env(settings)
        self.log_path = log_path
        self.process: subprocess.Popen[Any] | None = None

    def start(self) -> WorkerProcess:
        """Start the worker."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(UGC), "worker"], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no acknowledgements, a lease left behind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait (or kill if it hangs)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self) -> str:
        """What the worker printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
