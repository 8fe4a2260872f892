"""A project's product fidelity as the API and the pages show it, in plain words."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ugc.projects.schemas import FrameScore, ProductFidelityOut, VideoFidelityOut

if TYPE_CHECKING:  # the presenter imports this module
    from ugc.projects.presenter import ShownProject

IMAGE_WORDS = {
    "intact": "The product looks just like your photo.",
    "changed": (
        "Check the product: it may look different from your photo (its label, colours or "
        "shape changed)."
    ),
    "missing": "The product could not be found in this ad.",
}
VIDEO_WORDS = {
    "intact": "The product stays as in your photo throughout the video.",
    "changed": "The product looks different from your photo in parts of the video{at}.",
    "missing": "The product is hard to make out in parts of the video{at}.",
}
FREE_RETRY_WORDS = " You can try again once, for free."


def _frames(project: ShownProject) -> list[FrameScore]:
    try:
        pairs = json.loads(project.video_fidelity_frames or "[]")
        return [FrameScore(seconds=float(s), score=float(v)) for s, v in pairs]
    except (ValueError, TypeError):
        return []


def _video(project: ShownProject) -> VideoFidelityOut | None:
    verdict, score = project.video_fidelity_verdict, project.video_fidelity_score
    if verdict is None or score is None or project.generated_video is None:
        return None
    frames = _frames(project)
    worst = min(frames, key=lambda f: f.score) if frames else None
    at = f" (worst at {worst.seconds:.1f} s)" if worst is not None else ""
    return VideoFidelityOut(
        score=score,
        verdict=verdict,
        summary=VIDEO_WORDS.get(verdict, "").format(at=at),
        frames=frames,
    )


def product_fidelity(project: ShownProject) -> ProductFidelityOut | None:
    """The fidelity block of a project, or None before its image was checked."""
    verdict, score = project.fidelity_verdict, project.fidelity_score
    if verdict is None or score is None or project.generated_image is None:
        return None
    summary = IMAGE_WORDS.get(verdict, "")
    if project.free_retry:
        summary += FREE_RETRY_WORDS
    return ProductFidelityOut(
        score=score,
        verdict=verdict,
        summary=summary,
        free_retry=project.free_retry,
        video=_video(project),
    )
