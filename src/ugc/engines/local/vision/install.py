"""Install the vision models: take the pinned TFLite files out of the pinned MediaPipe wheel.

Run as `python -m ugc.engines.local.vision.install [--wheel PATH]`. Only the package index
is needed (pip downloads the wheel; nothing of it is installed); with --wheel a wheel already
at hand is used instead. Files already in place and intact are left alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from ugc.engines.local.vision.models import (
    MODEL_FILES,
    WHEEL_NAME,
    WHEEL_PLATFORM,
    WHEEL_REQUIREMENT,
    WHEEL_SHA256,
    ModelFile,
    file_sha256,
    models_dir,
    problem_with,
)


class InstallError(RuntimeError):
    """The models could not be installed; the message says why."""


def download_wheel(into: Path) -> Path:
    """Download the pinned wheel with pip (no dependencies, nothing installed)."""
    platform, python, implementation, abi = WHEEL_PLATFORM
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        WHEEL_REQUIREMENT,
        "--no-deps",
        "--only-binary=:all:",
        "--platform",
        platform,
        "--python-version",
        python,
        "--implementation",
        implementation,
        "--abi",
        abi,
        "--quiet",
        "--dest",
        str(into),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheel = into / WHEEL_NAME
    if result.returncode != 0 or not wheel.is_file():
        raise InstallError(
            f"pip could not download {WHEEL_NAME}: {result.stderr.strip()[-400:] or 'no output'}"
        )
    return wheel


def verify_wheel(wheel: Path) -> None:
    """Refuse a wheel whose sha256 is not the pinned one."""
    actual = file_sha256(wheel)
    if actual != WHEEL_SHA256:
        raise InstallError(f"{wheel} has sha256 {actual}, expected {WHEEL_SHA256}")


def extract(wheel: Path, models: tuple[ModelFile, ...], directory: Path) -> None:
    """Write each model out of the wheel into `directory`, checked before it is put in place."""
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for model in models:
            target = directory / model.name
            draft = directory / f".{model.name}.{os.getpid()}.part"
            with archive.open(model.member) as source, draft.open("wb") as sink:
                while chunk := source.read(1 << 20):
                    sink.write(chunk)
            if file_sha256(draft) != model.sha256:
                draft.unlink()
                raise InstallError(f"{model.member} in {wheel} does not have the pinned sha256")
            draft.replace(target)


def install(directory: Path, wheel: Path | None = None) -> list[str]:
    """Install every missing or damaged model into `directory`; the names written."""
    needed = tuple(model for model in MODEL_FILES if problem_with(model, directory) is not None)
    if not needed:
        return []
    with tempfile.TemporaryDirectory(prefix="ugc-models-") as scratch:
        source = wheel if wheel is not None else download_wheel(Path(scratch))
        verify_wheel(source)
        extract(source, needed, directory)
    return [model.name for model in needed]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints one line and returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--wheel", type=Path, help=f"use this local copy of {WHEEL_NAME}")
    parser.add_argument("--dir", type=Path, help="install here instead of UGC_MODELS_DIR")
    args = parser.parse_args(argv)
    directory = args.dir if args.dir is not None else models_dir()
    try:
        written = install(directory, args.wheel)
    except (InstallError, OSError, zipfile.BadZipFile, KeyError) as exc:
        print(f"Vision models not installed: {exc}", file=sys.stderr)
        return 1
    if written:
        print(f"Vision models installed in {directory}: {', '.join(written)}")
    else:
        print(f"Vision models in {directory} are intact.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
