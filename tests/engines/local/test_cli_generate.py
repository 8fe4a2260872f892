"""`ugc generate`: files, JSON summary, progress and clear failures on bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from ugc.cli_generate import generate
from ugc.projects.uploads import check_image

app = typer.Typer()
app.command("generate")(generate)
app.command("noop", hidden=True)(lambda: None)  # two commands keep "generate" a subcommand


@pytest.fixture()
def photos(tmp_path: Path, kit: Any) -> tuple[Path, Path]:
    person = tmp_path / "person.jpg"
    Image.fromarray(kit.photos["astronaut"]()).save(person, quality=92)
    product = tmp_path / "product.png"
    product.write_bytes(kit.encode(kit.photos["serum"]()))
    return person, product


def _args(person: Path, product: Path, out: Path, *extra: str) -> list[str]:
    return [
        "generate",
        "--person",
        str(person),
        "--product",
        str(product),
        "--product-name",
        "Glow Serum",
        "--out",
        str(out),
        *extra,
    ]


def test_json_summary_is_the_last_line(photos: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "ad"
    result = CliRunner().invoke(app, _args(*photos, out, "--aspect", "1:1", "--video", "--json"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["image"] == str(out / "image.png") and (out / "image.png").exists()
    assert summary["video"] == str(out / "video.mp4") and (out / "video.mp4").stat().st_size > 0
    assert summary["timings"]["image_s"] > 0 and summary["timings"]["video_s"] > 0
    # The scene's composition: how the product was staged, and what the vision stage saw.
    assert summary["scene"]["composition"] in ("hand", "foreground", "raised")
    assert summary["scene"]["faces_seen"] >= 1
    assert Image.open(out / "image.png").size == (1080, 1080)


def test_without_video_writes_only_the_image(photos: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "ad"
    result = CliRunner().invoke(app, _args(*photos, out, "--aspect", "16:9", "--json"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["video"] is None and not (out / "video.mp4").exists()
    assert Image.open(out / "image.png").size == (1920, 1080)


@pytest.mark.parametrize(
    "problem", ["not-an-image", "missing", "tiny", "small", "gif", "truncated"]
)
def test_unreadable_input_exits_2_with_one_line(
    problem: str, photos: tuple[Path, Path], tmp_path: Path
) -> None:
    _person, product = photos
    bad = tmp_path / "bad.jpg"
    if problem == "not-an-image":
        bad.write_text("hello")
    elif problem == "tiny":
        Image.new("RGB", (10, 10)).save(bad)
    elif problem == "small":
        # The API refuses photos under 256 px on the short side; so does the shell.
        Image.new("RGB", (200, 400), (120, 90, 60)).save(bad, format="JPEG")
    elif problem == "gif":
        Image.new("RGB", (400, 400)).save(bad, format="GIF")
    elif problem == "truncated":
        whole = io.BytesIO()
        Image.fromarray(np.full((600, 600, 3), 128, np.uint8)).save(whole, format="JPEG")
        bad.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 3])
    result = CliRunner().invoke(app, _args(bad, product, tmp_path / "out", "--json"))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "person" in lines[0]
    assert not (tmp_path / "out" / "image.png").exists()


def test_bad_aspect_is_a_usage_error(photos: tuple[Path, Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, _args(*photos, tmp_path / "out", "--aspect", "4:3"))
    assert result.exit_code == 2


def test_exif_orientation_is_applied(kit: Any) -> None:
    # A phone photo stored sideways with "rotate 90" in EXIF comes out upright.
    sideways = np.ascontiguousarray(np.rot90(kit.photos["serum"]()))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    Image.fromarray(sideways).save(buffer, format="JPEG", exif=exif)
    upright = Image.open(io.BytesIO(check_image(buffer.getvalue(), "person", 10_000_000).data))
    assert upright.size == (700, 900)
    assert 0x0112 not in upright.getexif() or upright.getexif()[0x0112] == 1
