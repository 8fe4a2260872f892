"""A video's product fidelity: sampled frames, the product followed from one to the next.

Searching every frame afresh is what made the check costly (SIFT over the whole frame, the
outline search over every scale and turn). The frames of one clip show the same product
moving a little, so once a frame has found it, its neighbour is looked at round the same
placement: the matched points are followed by optical flow (pyramidal Lucas-Kanade, checked
forwards and back), or the outline is refined round that placement. What is judged does
not change: the frame is warped back onto the product photo and compared cell by cell, as
an image is. A frame that does not read intact that way is searched afresh, and the better
of the two findings stands: following saves work on the frames where it succeeds, and
finds a product the full search can miss, one partly out of frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.projects.fidelity import (
    Fidelity,
    Placement,
    ProductModel,
    Verdict,
    feature_evidence,
    find_product,
    fit_homography,
    judge,
    outline_placement,
    product_model,
    verdict_for,
)
from ugc.projects.video_frames import VIDEO_SAMPLES, sample_frames

_VIDEO_SIDE = 640  # eight frames per video: each is checked a little smaller
_WINDOW, _LEVELS = (21, 21), 3  # Lucas-Kanade: a patch per point, pyramid levels for the move
_STOP = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03)
_ROUND_TRIP = 1.0  # pixels a followed point may miss its start by when followed back


@dataclass(frozen=True, slots=True)
class FrameFidelity:
    """One sampled video frame's fidelity, at `seconds` into the clip."""

    seconds: float
    score: float
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class VideoFidelity:
    """A video's fidelity: its worst sampled frame, and every sampled frame."""

    score: float
    verdict: Verdict
    frames: tuple[FrameFidelity, ...]


@dataclass(frozen=True, slots=True)
class _Frame:
    picture: NDArray[np.uint8]
    gray: NDArray[np.uint8]


@dataclass(slots=True)
class _Finding:
    fidelity: Fidelity
    placement: Placement | None  # None when nothing was found to follow


def check_video(product: bytes, mp4: bytes, count: int = VIDEO_SAMPLES) -> VideoFidelity:
    """A video's fidelity: every sampled frame, the worst deciding."""
    model = product_model(product)
    sampled = sample_frames(mp4, count, _VIDEO_SIDE)
    if not sampled:
        return VideoFidelity(0.0, "missing", ())
    frames = [
        _Frame(picture, np.asarray(cv2.cvtColor(picture, cv2.COLOR_RGB2GRAY)))
        for _, picture in sampled
    ]
    findings = _follow(model, frames)
    checked = tuple(
        FrameFidelity(round(seconds, 3), found.fidelity.score, found.fidelity.verdict)
        for (seconds, _), found in zip(sampled, findings, strict=True)
    )
    worst = min(frame.score for frame in checked)
    return VideoFidelity(worst, verdict_for(worst), checked)


def _follow(model: ProductModel, frames: list[_Frame]) -> list[_Finding]:
    """Each frame's finding: forwards from the previous frame, then back from the next."""
    findings: list[_Finding] = []
    for index in range(len(frames)):
        findings.append(_check(model, frames, findings, index, index - 1))
    for index in range(len(frames) - 2, -1, -1):
        if findings[index].fidelity.verdict != "intact" and findings[index + 1].placement:
            again = _followed(model, frames, findings, index, index + 1)
            if again is not None and again.fidelity.score > findings[index].fidelity.score:
                findings[index] = again
    return findings


def _check(
    model: ProductModel, frames: list[_Frame], findings: list[_Finding], index: int, seed: int
) -> _Finding:
    """Where the neighbour `seed` says the product is, else a search of the whole frame."""
    followed = _followed(model, frames, findings, index, seed) if seed >= 0 else None
    if followed is not None and followed.fidelity.verdict == "intact":
        return followed
    picture = frames[index].picture
    placement = find_product(model, picture, picture)
    searched = (
        _Finding(Fidelity(0.0, "missing"), None)
        if placement is None
        else _found(judge(model, picture, placement), placement)
    )
    if followed is not None and followed.fidelity.score > searched.fidelity.score:
        return followed
    return searched


def _followed(
    model: ProductModel, frames: list[_Frame], findings: list[_Finding], index: int, seed: int
) -> _Finding | None:
    """The product looked for where neighbour `seed` saw it."""
    known = findings[seed].placement
    if known is None:
        return None
    # Where the neighbour saw it, not extrapolated: a shot's motion changes at once (a pan
    # stops, a push-in starts), and the search round the prior covers an ordinary move.
    prior = known.matrix
    frame = frames[index]
    placement = None
    if known.points is not None and known.placed is not None:
        placement = _flow(model, frames[seed].gray, frame.gray, known, prior)
    if placement is None and model.outline is not None:
        match = model.outline.find_near(frame.picture, 1.0, prior)
        placement = outline_placement(model, match)
    if placement is None:
        return None
    return _found(judge(model, frame.picture, placement), placement)


def _flow(
    model: ProductModel,
    before: NDArray[np.uint8],
    after: NDArray[np.uint8],
    known: Placement,
    prior: NDArray[np.float64],
) -> Placement | None:
    """The neighbour's matched points followed into `after`, and the placement they agree on."""
    assert known.points is not None and known.placed is not None
    start = np.asarray(known.placed.reshape(-1, 1, 2), np.float32)
    points = np.asarray(known.points.reshape(-1, 1, 2), np.float64)
    guess = np.asarray(cv2.perspectiveTransform(points, prior), np.float32)
    moved, ahead = _track(before, after, start, guess)
    back, behind = _track(after, before, moved, start.copy())
    kept = (ahead > 0) & (behind > 0)
    kept &= np.linalg.norm((back - start).reshape(-1, 2), axis=1) < _ROUND_TRIP
    found = fit_homography(model, known.points[kept], moved.reshape(-1, 2)[kept], after.shape)
    if found is None:
        return None
    matrix, source, placed = found
    return Placement(matrix, feature_evidence(model, len(source)), source, placed)


def _track(
    before: NDArray[np.uint8],
    after: NDArray[np.uint8],
    points: NDArray[np.float32],
    guess: NDArray[np.float32],
) -> tuple[NDArray[np.float32], NDArray[np.uint8]]:
    """Where `points` of `before` went in `after` (from `guess`), and which were followed."""
    moved, status, _ = cv2.calcOpticalFlowPyrLK(
        before,
        after,
        points,
        guess,
        winSize=_WINDOW,
        maxLevel=_LEVELS,
        criteria=_STOP,
        flags=cv2.OPTFLOW_USE_INITIAL_FLOW,
    )
    return np.asarray(moved, np.float32), np.asarray(status, np.uint8).ravel()


def _found(fidelity: Fidelity, placement: Placement) -> _Finding:
    # What reads missing was not the product: nothing to follow into the next frame.
    return _Finding(fidelity, None if fidelity.verdict == "missing" else placement)
