"""OpenCV's thread count during renders: one thread inside, the old value back after."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import pytest

from ugc.engines.local.kit.opencv_threads import single_threaded_opencv


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
