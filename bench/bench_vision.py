"""Vision stage benchmark: analyse_person on 1080x1920 person photos, and each model's share.

Run as `python bench/bench_vision.py [runs]` (default 10). Every number is the median of
`runs` timed runs after one warm-up. The photos are real ones from packages framed as a
phone upload: OpenCV's `messi5.jpg` (a whole body, both hands visible; needs opencv-doc)
and scikit-image's `astronaut` (head and shoulders), each scaled to 1080 px wide and set on
a plain 1080x1920 canvas. "2 at once" runs two analyses in two threads, as the two job
threads of a worker do, and reports the wall time per analysis.
"""

from __future__ import annotations

import collections
import statistics
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import skimage.data

from ugc.engines.local.vision import analyse_person, runtime

MESSI = Path("/usr/share/doc/opencv-doc/examples/data/messi5.jpg")


def _phone_photo(rgb: np.ndarray) -> np.ndarray:
    """The photo scaled to 1080 px wide, centred on a plain 1080x1920 canvas."""
    scale = 1080 / rgb.shape[1]
    body = cv2.resize(rgb, (1080, round(rgb.shape[0] * scale)), interpolation=cv2.INTER_CUBIC)
    canvas = np.full((1920, 1080, 3), 96, np.uint8)
    top = max(0, (1920 - body.shape[0]) // 2)
    canvas[top : top + min(1920, body.shape[0])] = body[:1920]
    return canvas


def _photos() -> dict[str, np.ndarray]:
    photos = {"head and shoulders (astronaut)": _phone_photo(skimage.data.astronaut())}
    if MESSI.is_file():
        rgb = cv2.cvtColor(cv2.imread(str(MESSI)), cv2.COLOR_BGR2RGB)
        photos["whole body, two hands (messi5)"] = _phone_photo(rgb)
    return photos


def _median_times(photo: np.ndarray, runs: int) -> tuple[float, float]:
    analyse_person(photo)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        analyse_person(photo)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _two_at_once(photo: np.ndarray, runs: int) -> float:
    """Median wall time per analysis with two threads analysing side by side."""
    times: list[float] = []

    def work() -> None:
        analyse_person(photo)  # warm this thread's interpreters
        for _ in range(runs):
            started = time.perf_counter()
            analyse_person(photo)
            times.append(time.perf_counter() - started)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statistics.median(times)


def _model_shares(photo: np.ndarray, runs: int) -> dict[str, tuple[int, float, float]]:
    """Per model: calls, wall and CPU seconds, per analysis (means over `runs`)."""
    spent: dict[str, list[float]] = collections.defaultdict(list)
    burnt: dict[str, list[float]] = collections.defaultdict(list)
    calls: dict[str, int] = collections.Counter()
    real_run = runtime.run

    def timed_run(model, tensor):  # type: ignore[no-untyped-def]
        started, cpu = time.perf_counter(), time.process_time()
        result = real_run(model, tensor)
        spent[model.name].append(time.perf_counter() - started)
        burnt[model.name].append(time.process_time() - cpu)
        calls[model.name] += 1
        return result

    runtime.run = timed_run  # type: ignore[assignment]
    try:
        analyse_person(photo)
        spent.clear()
        burnt.clear()
        calls.clear()
        for _ in range(runs):
            analyse_person(photo)
    finally:
        runtime.run = real_run  # type: ignore[assignment]
    return {
        name: (calls[name] // runs, sum(times) / runs, sum(burnt[name]) / runs)
        for name, times in sorted(spent.items())
    }


def main() -> None:
    """Run the benchmark and print Markdown tables."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    photos = _photos()
    print(f"Vision stage (analyse_person), 1080x1920, median of {runs} runs\n")
    print("| photo | wall s | cpu s | 2 at once, wall s each | target |")
    print("|---|---:|---:|---:|---|")
    for name, photo in photos.items():
        wall, cpu = _median_times(photo, runs)
        shared = _two_at_once(photo, runs)
        print(f"| {name} | {wall:.3f} | {cpu:.3f} | {shared:.3f} | < 0.150 s |")
    name, photo = list(photos.items())[-1]
    print(f"\nWhere the time goes: {name}, mean per analysis\n")
    print("| model | calls | wall ms | cpu ms |")
    print("|---|---:|---:|---:|")
    shares = _model_shares(photo, runs)
    for model, (count, seconds, cpu) in shares.items():
        print(f"| {model} | {count} | {seconds * 1000:.1f} | {cpu * 1000:.1f} |")
    total_wall = sum(wall for _, wall, _ in shares.values())
    total_cpu = sum(cpu for _, _, cpu in shares.values())
    print(f"| all models | | {total_wall * 1000:.1f} | {total_cpu * 1000:.1f} |")


if __name__ == "__main__":
    main()
