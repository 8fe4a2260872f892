"""`ugc generate`: compose an ad image (and video) from two photos, offline, from the shell."""

from __future__ import annotations

import asyncio
import json
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ugc.config import get_settings
from ugc.engines.base import (
    EngineRejected,
    ImageRequest,
    ProgressFn,
    VideoRequest,
)


class Aspect(StrEnum):
    """The aspect ratios the CLI accepts."""

    portrait = "9:16"
    landscape = "16:9"
    square = "1:1"


_err = Console(stderr=True, highlight=False)


def _fail(message: str) -> typer.Exit:
    # Plain, unwrapped text: one line that scripts can grep, whatever the terminal width.
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _read_photo(path: Path, label: str, max_bytes: int) -> bytes:
    # The same photo rules as the API's uploads (formats, size, resolution, damage), so
    # what the shell accepts the service accepts too.
    from ugc.errors import UGCError
    from ugc.projects.uploads import check_image

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read the {label} photo {str(path)!r}: {exc.strerror}") from None
    try:
        return check_image(data, f"{label} photo", max_bytes).data
    except UGCError as exc:
        raise _fail(f"{exc.detail} ({path})") from None


def _reporter(progress: Progress, task: TaskID) -> ProgressFn:
    def report(stage: str, fraction: float) -> None:
        progress.update(task, completed=fraction * 100, description=stage)

    return report


async def _run(
    person: bytes,
    product: bytes,
    brief: dict[str, str],
    aspect: Aspect,
    video: bool,
    out: Path,
    progress: Progress,
) -> dict[str, object]:
    from ugc.engines.local.image import LocalImageEngine
    from ugc.engines.local.image.scene import scene_composition
    from ugc.engines.local.video import LocalVideoEngine
    from ugc.projects.quality import produce_image, produce_video

    # The CLI always runs the offline engine, whatever the server is configured with.
    settings = get_settings().model_copy(update={"image_engine": "local", "video_engine": "local"})
    timings: dict[str, float] = {}
    result: dict[str, object] = {"image": str(out / "image.png"), "video": None}
    task = progress.add_task("Composing image", total=100)
    started = time.perf_counter()
    image = await produce_image(
        settings,
        LocalImageEngine(settings),
        ImageRequest(
            person=person,
            product=product,
            aspect_ratio=aspect.value,
            product_name=brief["product_name"],
            product_description=brief["product_description"],
            prompt=brief["prompt"],
        ),
        _reporter(progress, task),
        paid=False,
    )
    fidelity: dict[str, object] = {
        "score": image.fields["fidelity_score"],
        "verdict": image.fields["fidelity_verdict"],
        "video": None,
    }
    result["productFidelity"] = fidelity
    timings["image_s"] = round(time.perf_counter() - started, 3)
    (out / "image.png").write_bytes(image.png)
    result["scene"] = scene_composition(image.scene)
    if video:
        task = progress.add_task("Rendering video", total=100)
        started = time.perf_counter()
        clip = await produce_video(
            settings,
            LocalVideoEngine(settings),
            VideoRequest(
                image=image.png,
                scene=image.scene,
                aspect_ratio=aspect.value,
                product_name=brief["product_name"],
                product_description=brief["product_description"],
                prompt=brief["prompt"],
            ),
            product,
            _reporter(progress, task),
        )
        fidelity["video"] = {
            "score": clip.fields["video_fidelity_score"],
            "verdict": clip.fields["video_fidelity_verdict"],
            "frames": [
                {"seconds": s, "score": v}
                for s, v in json.loads(clip.fields["video_fidelity_frames"])
            ],
        }
        timings["video_s"] = round(time.perf_counter() - started, 3)
        (out / "video.mp4").write_bytes(clip.mp4)
        result["video"] = str(out / "video.mp4")
    result["timings"] = timings
    return result


def generate(
    person: Annotated[Path, typer.Option(help="Photo of the person (JPEG, PNG or WEBP).")],
    product: Annotated[Path, typer.Option(help="Photo of the product; PNG alpha is used.")],
    product_name: Annotated[str, typer.Option(help="The product's name.")],
    out: Annotated[Path, typer.Option(help="Folder for image.png (and video.mp4).")],
    description: Annotated[str, typer.Option(help="A short product description.")] = "",
    prompt: Annotated[str, typer.Option(help="Creative direction; short is the caption.")] = "",
    aspect: Annotated[Aspect, typer.Option(help="Aspect ratio of the ad.")] = Aspect.portrait,
    video: Annotated[bool, typer.Option("--video", help="Also render the ad video.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print a JSON summary last.")] = False,
) -> None:
    """Compose a UGC ad image (and video) from a person photo and a product photo, offline."""
    from ugc.engines.local.vision import ModelsUnavailable, check_models

    try:
        check_models()
    except ModelsUnavailable as exc:
        raise _fail(str(exc)) from None
    max_bytes = get_settings().max_upload_bytes
    person_bytes = _read_photo(person, "person", max_bytes)
    product_bytes = _read_photo(product, "product", max_bytes)
    if not product_name.strip():
        raise _fail("--product-name must not be empty")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(f"cannot create the output folder {str(out)!r}: {exc.strerror}") from None
    brief = {
        "product_name": product_name.strip(),
        "product_description": description,
        "prompt": prompt,
    }
    columns = (TextColumn("{task.description:<46}"), BarColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=_err, transient=json_output) as progress:
            result = asyncio.run(
                _run(person_bytes, product_bytes, brief, aspect, video, out, progress)
            )
    except EngineRejected as exc:
        raise _fail(exc.message) from None
    if json_output:
        typer.echo(json.dumps(result))
    else:
        _err.print(
            f"[green]Wrote[/] {result['image']}"
            + (f" and {result['video']}" if result["video"] else "")
        )
