"""`ugc batch`: many ads from a CSV of briefs, across the machine's cores, offline.

Each row becomes a folder under --out; a row whose folder already holds a finished ad for
the same inputs is skipped, so an interrupted batch resumes where it stopped.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

COLUMNS = ("person", "product", "name", "prompt", "aspect_ratio", "video")
SUMMARY_COLUMNS = (
    "row", "name", "status", "folder", "image", "video", "fidelity", "seconds", "error"
)  # fmt: skip
DONE_MARKER = "done.json"
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}

_err = Console(stderr=True, highlight=False)


@dataclass(frozen=True, slots=True)
class Brief:
    """One CSV row, checked; photo paths resolved against the CSV's folder."""

    row: int
    person: Path
    product: Path
    name: str
    prompt: str
    aspect_ratio: str
    video: bool
    folder: Path

    def digest(self) -> str:
        """What the finished ad depends on: inputs' bytes and the brief's text."""
        h = hashlib.sha256()
        for path in (self.person, self.product):
            h.update(hashlib.sha256(path.read_bytes()).digest())
        h.update(f"{self.name}\0{self.prompt}\0{self.aspect_ratio}\0{self.video}".encode())
        return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one row ended; a line of the summary CSV."""

    row: int
    name: str
    status: str  # done | skipped | failed
    folder: str
    image: str = ""
    video: str = ""
    fidelity: str = ""
    seconds: float = 0.0
    error: str = ""


def _slug(text: str, row: int) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "ad"
    return f"{row:03d}-{words}"


def read_briefs(csv_path: Path, out: Path) -> tuple[list[Brief], list[Outcome]]:
    """Parse the CSV; rows that cannot run become failed outcomes with a reason."""
    briefs: list[Brief] = []
    bad: list[Outcome] = []
    with csv_path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("person", "product", "name") if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"the CSV needs the columns {', '.join(COLUMNS)}; missing {missing}")
        for number, raw in enumerate(reader, start=1):
            row = {k: (v or "").strip() for k, v in raw.items() if k}
            try:
                briefs.append(_brief(number, row, csv_path.parent, out))
            except ValueError as exc:
                name = row.get("name", "")
                bad.append(Outcome(number, name, "failed", "", error=str(exc)))
    return briefs, bad


def _brief(number: int, row: dict[str, str], base: Path, out: Path) -> Brief:
    name = row.get("name", "")
    if not name:
        raise ValueError("the name (product name) is empty")
    aspect = row.get("aspect_ratio") or "9:16"
    if aspect not in ("9:16", "16:9", "1:1"):
        raise ValueError(f"aspect_ratio {aspect!r} is not 9:16, 16:9 or 1:1")
    video_text = row.get("video", "").lower()
    if video_text not in YES | NO:
        raise ValueError(f"video must be yes or no, not {video_text!r}")
    paths = []
    for label in ("person", "product"):
        path = (base / row.get(label, "")).resolve()
        if not row.get(label) or not path.is_file():
            raise ValueError(f"the {label} photo {row.get(label, '')!r} does not exist")
        paths.append(path)
    return Brief(
        row=number,
        person=paths[0],
        product=paths[1],
        name=name,
        prompt=row.get("prompt", ""),
        aspect_ratio=aspect,
        video=video_text in YES,
        folder=out / _slug(name, number),
    )


def _already_done(brief: Brief) -> Outcome | None:
    marker = brief.folder / DONE_MARKER
    try:
        saved = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    if saved.get("digest") != brief.digest():
        return None
    return Outcome(**{**saved["outcome"], "status": "skipped"})


def make_ad(brief: Brief) -> Outcome:
    """Compose one row's ad (in a worker process); never raises for a bad row."""
    import asyncio

    from rich.progress import Progress as QuietProgress

    from ugc.cli_generate import Aspect, _run
    from ugc.config import get_settings
    from ugc.engines.base import EngineRejected
    from ugc.errors import UGCError
    from ugc.projects.uploads import check_image

    started = time.perf_counter()
    max_bytes = get_settings().max_upload_bytes
    try:
        # The API's photo rules: what a batch accepts, the service accepts too.
        person = check_image(brief.person.read_bytes(), "person photo", max_bytes).data
        product = check_image(brief.product.read_bytes(), "product photo", max_bytes).data
        brief.folder.mkdir(parents=True, exist_ok=True)
        text = {"product_name": brief.name, "product_description": "", "prompt": brief.prompt}
        result = asyncio.run(
            _run(
                person,
                product,
                text,
                Aspect(brief.aspect_ratio),
                brief.video,
                brief.folder,
                QuietProgress(disable=True),
            )
        )
    except EngineRejected as exc:
        return _failed(brief, exc.message, started)
    except UGCError as exc:
        return _failed(brief, exc.detail, started)
    except Exception as exc:  # one broken row must not stop the batch
        return _failed(brief, f"{type(exc).__name__}: {exc}", started)
    outcome = Outcome(
        row=brief.row,
        name=brief.name,
        status="done",
        folder=str(brief.folder),
        image=str(result["image"]),
        video=str(result["video"] or ""),
        fidelity=str(result.get("fidelity", "")),
        seconds=round(time.perf_counter() - started, 2),
    )
    marker = {"digest": brief.digest(), "outcome": asdict(outcome)}
    (brief.folder / DONE_MARKER).write_text(json.dumps(marker))
    return outcome


def _failed(brief: Brief, message: str, started: float) -> Outcome:
    seconds = round(time.perf_counter() - started, 2)
    return Outcome(
        brief.row, brief.name, "failed", str(brief.folder), seconds=seconds, error=message
    )


def _single_threaded_worker() -> None:
    # One ad per core: OpenCV's own thread pool would only fight the other processes.
    import cv2

    cv2.setNumThreads(1)


def run_batch(
    briefs: list[Brief], workers: int, progress: Progress, *, refused: int = 0
) -> list[Outcome]:
    """Skip finished rows, make the rest in a process pool, advancing the progress bar.

    `refused` rows (unreadable in the CSV) count as settled from the start.
    """
    outcomes: list[Outcome] = []
    pending = []
    for brief in briefs:
        done = _already_done(brief)
        if done is not None:
            outcomes.append(done)
        else:
            pending.append(brief)
    settled = len(outcomes) + refused
    task = progress.add_task("Making ads", total=len(briefs) + refused, completed=settled)
    if not pending:
        return outcomes
    with ProcessPoolExecutor(max_workers=workers, initializer=_single_threaded_worker) as pool:
        futures: dict[Future[Outcome], Brief] = {pool.submit(make_ad, b): b for b in pending}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            progress.update(task, advance=1, description=f"Made {outcome.name[:30]}")
    return outcomes


def write_summary(path: Path, outcomes: list[Outcome]) -> None:
    """The summary CSV, one line per input row, in row order."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        for outcome in sorted(outcomes, key=lambda o: o.row):
            writer.writerow(asdict(outcome))


def batch(
    briefs_csv: Annotated[Path, typer.Argument(help=f"CSV with columns {', '.join(COLUMNS)}.")],
    out: Annotated[Path, typer.Option(help="Folder for the ads and summary.csv.")],
    workers: Annotated[int, typer.Option(min=1, help="Ads made at once.")] = os.cpu_count() or 1,
) -> None:
    """Make one ad per CSV row with the built-in engine; rerun to resume."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        briefs, outcomes = read_briefs(briefs_csv, out)
    except (OSError, ValueError, csv.Error) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    columns = (
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=_err) as progress:
        outcomes += run_batch(briefs, workers, progress, refused=len(outcomes))
    summary = out / "summary.csv"
    write_summary(summary, outcomes)
    failed = sorted((o for o in outcomes if o.status == "failed"), key=lambda o: o.row)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("done", "skipped", "failed")}
    _err.print(
        f"{counts['done']} made, {counts['skipped']} already done, {counts['failed']} failed; "
        f"summary in {summary}"
    )
    if failed:
        for outcome in failed:
            typer.echo(
                f"row {outcome.row} ({outcome.name or 'no name'}): {outcome.error}", err=True
            )
        raise typer.Exit(1)
