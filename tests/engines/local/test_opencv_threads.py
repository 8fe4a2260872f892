"""Threads of the built-in engine: OpenCV's during renders (one inside, the old value back
after), and the operator's share of cores for OpenCV and the encoder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from ugc.engines.local.kit.opencv_threads import limit_opencv_threads, single_threaded_opencv
from ugc.engines.local.video.encode import H264Writer


@pytest.fixture
def two_threads() -> Iterator[None]:
    before = cv2.getNumThreads()
    cv2.setNumThreads(2)
    yield
    cv2.setNumThreads(before)


@pytest.mark.usefixtures("two_threads")
def test_overlapping_renders_restore_the_setting_only_when_the_last_one_leaves() -> None:
    first, second = single_threaded_opencv(), single_threaded_opencv()
    first.__enter__()
    second.__enter__()
    assert cv2.getNumThreads() == 1
    first.__exit__(None, None, None)  # the first render ends while the second still runs
    assert cv2.getNumThreads() == 1
    second.__exit__(None, None, None)
    assert cv2.getNumThreads() == 2


@pytest.mark.usefixtures("two_threads")
def test_the_setting_comes_back_after_a_failed_render() -> None:
    with pytest.raises(RuntimeError), single_threaded_opencv():
        raise RuntimeError("encoder failed")
    assert cv2.getNumThreads() == 2


@pytest.mark.usefixtures("two_threads")
def test_an_operators_share_of_cores_limits_opencv_and_survives_a_render() -> None:
    with single_threaded_opencv():
        limit_opencv_threads(1)  # an engine built while another thread renders
    assert cv2.getNumThreads() == 1
    limit_opencv_threads(0)  # 0 leaves OpenCV as it is
    assert cv2.getNumThreads() == 1


def _threads_while_encoding(threads: int, tmp_path: Path) -> int:
    """The most OS threads this process had while libx264 encoded a short clip."""
    most = 0
    with H264Writer(tmp_path / f"clip-{threads}.mp4", 320, 240, 30, threads=threads) as writer:
        for _ in range(20):
            writer.write(np.random.default_rng(0).integers(0, 255, (360, 320), np.uint8))
            most = max(most, len(os.listdir("/proc/self/task")))
    return most


def test_the_encoder_keeps_to_its_share_of_cores(tmp_path: Path) -> None:
    before = len(os.listdir("/proc/self/task"))
    assert _threads_while_encoding(1, tmp_path) <= before  # encodes on the caller's thread
    assert _threads_while_encoding(2, tmp_path) > before
