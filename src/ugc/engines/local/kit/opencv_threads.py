"""How many threads OpenCV may use: none of its own while video frames are composed next to
the encoder, and at most the operator's share of cores per job."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import cv2

_lock = threading.Lock()
_holders = 0
_threads_before = 0


def limit_opencv_threads(threads: int) -> None:
    """Let OpenCV use at most `threads` threads in this process (0: leave its default)."""
    global _threads_before
    if threads <= 0:
        return
    with _lock:
        if _holders == 0:
            cv2.setNumThreads(threads)
        else:
            _threads_before = threads  # what a render in progress gives back when it ends


@contextmanager
def single_threaded_opencv() -> Iterator[None]:
    """Run OpenCV calls on the calling thread only, until the last concurrent holder leaves.

    libx264 already keeps every core busy during a render, so splitting each warp across
    OpenCV's pool only adds hand-offs and waiting (measured: about 3% more process CPU per
    video, all of it wall time). The setting is process-wide, hence the holder count: the
    previous value comes back once no render needs it, whatever order renders finish in.
    """
    global _holders, _threads_before
    with _lock:
        if _holders == 0:
            _threads_before = cv2.getNumThreads()
            cv2.setNumThreads(1)
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                cv2.setNumThreads(_threads_before)
