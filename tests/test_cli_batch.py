"""`ugc batch`: a CSV of briefs becomes ads, a summary CSV, and a resumable run."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import person_photo, product_photo

pytestmark = pytest.mark.slow

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
    ugc = Path(sys.executable).with_name("ugc")
    command = [str(ugc), "batch", str(briefs), "--out", str(out)]
    return subprocess.run(
        [*command, "--workers", "2"], capture_output=True, text=True, env=env, timeout=600
    )


def _summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(newline="") as handle:
        return {row["name"]: row for row in csv.DictReader(handle)}


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


def test_a_csv_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    briefs = tmp_path / "briefs.csv"
    briefs.write_text("photo,title\na.jpg,A\n")
    result = _batch(briefs, tmp_path / "out")
    assert result.returncode == 2
    assert "the CSV needs the columns" in result.stderr
