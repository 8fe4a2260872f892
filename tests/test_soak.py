"""The soak's short form: two web processes and two workers on PostgreSQL, Redis and S3,
a worker and a web process SIGKILLed mid-load, then every invariant checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("soak")]


def test_invariants_hold_after_kills_under_load(tmp_path: Path) -> None:
    report = tmp_path / "soak.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "soak.py"), "--short", "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=420,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "[io] invariants hold" in result.stdout
    assert "SIGKILL worker" in result.stdout and "SIGKILL web process" in result.stdout
    import json

    [row] = json.loads(report.read_text())["rows"]
    assert row["jobs_per_min"] > 0
    assert row["unfinished_streams"] == 0
    assert row["expected_4xx"].get("402 insufficient_credits", 0) > 0
