"""The local VideoEngine: a short UGC-style ad video from the image and its layers."""

from __future__ import annotations

import asyncio
import tempfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ugc.config import Settings
from ugc.engines.base import (
    IMAGE_SIZES,
    VIDEO_SIZES,
    AspectRatio,
    GeneratedVideo,
    ProgressFn,
    VideoRequest,
)
from ugc.engines.local.image.compose import depth_blurs
from ugc.engines.local.image.faces import find_face
from ugc.engines.local.image.framing import frame_person
from ugc.engines.local.image.scene import Scene, unpack_scene
from ugc.engines.local.image.sprite import composite
from ugc.engines.local.kit.allocator import limit_arenas, release_free_memory
from ugc.engines.local.kit.caption import caption_text, layout_caption
from ugc.engines.local.kit.opencv_threads import limit_opencv_threads, single_threaded_opencv
from ugc.engines.local.kit.photos import decode_rgb
from ugc.engines.local.video.encode import H264Writer
from ugc.engines.local.video.endcard import build_end_card, tagline_text
from ugc.engines.local.video.motion import FPS, FRAME_COUNT, plan_shot
from ugc.engines.local.video.render import FrameRenderer, Layers
from ugc.engines.local.video.yuv import FrameBuffer

STAGE = "Rendering video"
# Frames composed ahead of the encoder. Encoding runs in its own thread (PyAV releases the
# GIL inside libx264), so the next frames are drawn while the previous ones are encoded;
# the buffers are reused in turn, which keeps memory bounded.
_IN_FLIGHT = 3


def _scene_for(req: VideoRequest) -> Scene | None:
    if req.scene is None:
        return None
    try:
        scene = unpack_scene(req.scene)
    except ValueError:
        return None  # not ours (or damaged): animate the flat image instead
    return scene if scene.size == IMAGE_SIZES[req.aspect_ratio] else None


def layers_from_scene(scene: Scene, req: VideoRequest) -> Layers:
    """Layers for a project composed by the local image engine: full parallax."""

    def end_card() -> NDArray[np.uint8]:
        return build_end_card(
            composite(scene.background.copy(), scene.sprite),
            scene.sprite.rgba if scene.hero is None else scene.hero,
            VIDEO_SIZES[req.aspect_ratio],
            req.product_name,
            tagline_text(req.product_description, req.prompt),
            scene.accent,
        )

    layered = scene.person is not None and scene.plate is not None
    composition = str(scene.composition.get("composition", ""))
    return Layers(
        image_size=scene.size,
        background=scene.plate if layered and scene.plate is not None else scene.background,
        sprite=scene.sprite,
        product_box=scene.product_box,
        captions=scene.captions,
        end_card=end_card,
        shot=plan_shot(scene.size, scene.face, scene.product_box),
        person=scene.person if layered else None,
        lifted=composition == "hand",
        # Without a person layer the background holds the person: its blur is not uniform.
        blur=depth_blurs(composition, scene.face, scene.size) if layered else (0.0, 0.0),
    )


def layers_from_image(req: VideoRequest) -> Layers:
    """Layers for a flat image (another engine's): camera motion, captions and end card."""
    size = IMAGE_SIZES[req.aspect_ratio]
    image = decode_rgb(req.image, "project")
    framed = frame_person(image, find_face(image), size)
    avoid = [framed.face.grown(0.3, 0.35)] if framed.face is not None else []
    captions = layout_caption(caption_text(req.product_name, req.prompt), size, avoid)

    def end_card() -> NDArray[np.uint8]:
        return build_end_card(
            framed.canvas,
            None,
            VIDEO_SIZES[req.aspect_ratio],
            req.product_name,
            tagline_text(req.product_description, req.prompt),
            (40, 40, 40),
        )

    return Layers(
        image_size=size,
        background=framed.canvas,
        sprite=None,
        product_box=None,
        captions=captions,
        end_card=end_card,
        shot=plan_shot(size, framed.face, None),
    )


def render_video(
    layers: Layers,
    aspect_ratio: AspectRatio,
    progress: ProgressFn,
    options: dict[str, str] | None = None,
    threads: int = 0,
) -> bytes:
    """Render and encode every frame, streaming, on `threads` cores (0: every core)."""
    width, height = VIDEO_SIZES[aspect_ratio]
    renderer = FrameRenderer(layers, (width, height))
    buffers = [FrameBuffer(width, height) for _ in range(_IN_FLIGHT)]
    with tempfile.TemporaryDirectory(prefix="ugc-video-") as folder:
        path = Path(folder) / "video.mp4"
        with (
            H264Writer(path, width, height, FPS, options, threads) as writer,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="ugc-encode") as encoder,
            single_threaded_opencv(),
        ):
            pending: deque[Future[None]] = deque()
            done = 0

            def finish_oldest() -> None:
                nonlocal done
                pending.popleft().result()
                done += 1
                progress(STAGE, done / FRAME_COUNT)

            for index in range(FRAME_COUNT):
                if len(pending) == _IN_FLIGHT:
                    # The oldest frame's buffer is the one drawn into next.
                    finish_oldest()
                frame = buffers[index % _IN_FLIGHT]
                renderer.render(index, frame)
                pending.append(encoder.submit(writer.write, frame.data))
            while pending:
                finish_oldest()
        return path.read_bytes()


def _build_and_render(req: VideoRequest, progress: ProgressFn, threads: int) -> bytes:
    scene = _scene_for(req)
    layers = layers_from_scene(scene, req) if scene is not None else layers_from_image(req)
    return render_video(layers, req.aspect_ratio, progress, threads=threads)


def _animate(req: VideoRequest, progress: ProgressFn, threads: int) -> bytes:
    try:
        return _build_and_render(req, progress, threads)
    finally:
        release_free_memory()  # the layers and the encoder's frames are freed by now


class LocalVideoEngine:
    """Pushes in on the ad with handheld drift, pops the product, times captions, ends on a card."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        limit_arenas()
        limit_opencv_threads(settings.local_engine_threads)

    async def animate(self, req: VideoRequest, progress: ProgressFn) -> GeneratedVideo:
        """Return the 8 s H.264 ad video; EngineRejected if the image cannot be read."""
        progress(STAGE, 0.0)
        threads = self.settings.local_engine_threads
        mp4 = await asyncio.to_thread(_animate, req, progress, threads)
        return GeneratedVideo(mp4=mp4)
