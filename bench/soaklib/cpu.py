"""Where a phase's CPU went: cores used per role of the stack, read from /proc.

A process's own user + system time (`/proc/PID/stat`, fields 14 and 15); a process that
exits during the window (the SIGKILLed worker) takes its share with it, so the figures are
a slight undercount in the phase with the kills.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def pids_named(command: str) -> list[int]:
    """Every process whose command name is `command` (PostgreSQL's backends, Redis)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class CpuMeter:
    """Cores used per role between `start()` and `cores()`; roles are re-read each time, so
    processes started meanwhile (a restarted worker) count from their own start."""

    def __init__(self, roles: Callable[[], dict[str, list[int]]]) -> None:
        self._roles = roles
        self._at = 0.0
        self._before: dict[int, float] = {}

    @property
    def running(self) -> bool:
        return self._at > 0

    def start(self) -> None:
        self._at = time.monotonic()
        self._before = {pid: cpu_seconds(pid) for pids in self._roles().values() for pid in pids}

    def cores(self) -> dict[str, float]:
        elapsed = max(time.monotonic() - self._at, 1e-6)
        return {
            role: round(
                sum(cpu_seconds(pid) - self._before.get(pid, 0.0) for pid in pids) / elapsed, 2
            )
            for role, pids in self._roles().items()
        }
