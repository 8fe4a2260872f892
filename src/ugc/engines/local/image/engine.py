"""The local ImageEngine: composes the ad image on the CPU, with no model and no network."""

from __future__ import annotations

import asyncio

from ugc.config import Settings
from ugc.engines.base import GeneratedImage, ImageRequest, ProgressFn
from ugc.engines.local.image.compose import compose_scene, render_still
from ugc.engines.local.image.cutout import cut_out_product
from ugc.engines.local.image.people import look_at_person
from ugc.engines.local.image.scene import pack_scene
from ugc.engines.local.kit.allocator import limit_arenas, release_free_memory
from ugc.engines.local.kit.opencv_threads import limit_opencv_threads
from ugc.engines.local.kit.photos import decode_rgb, decode_rgba


class LocalImageEngine:
    """Looks at the person once, stages the cut-out product in a hand or before them, captions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        limit_arenas()
        limit_opencv_threads(settings.local_engine_threads)

    async def compose(self, req: ImageRequest, progress: ProgressFn) -> GeneratedImage:
        """Return the ad image and its layers; EngineRejected for unusable photos."""
        try:
            return await self._compose(req, progress)
        finally:
            # The layers are gone once the scene is packed: their pages go back now, not
            # after the next job has been stacked on top of them.
            await asyncio.to_thread(release_free_memory)

    async def _compose(self, req: ImageRequest, progress: ProgressFn) -> GeneratedImage:
        progress("Reading photos", 0.0)
        person, product = await asyncio.gather(
            asyncio.to_thread(decode_rgb, req.person, "person"),
            asyncio.to_thread(decode_rgba, req.product, "product"),
        )
        progress("Looking at the person and cutting out the product", 0.15)
        # Independent and mostly in native code (which releases the GIL): side by side.
        (seen, _), layer = await asyncio.gather(
            asyncio.to_thread(look_at_person, person),
            asyncio.to_thread(cut_out_product, product),
        )
        progress("Composing", 0.45)
        scene = await asyncio.to_thread(
            compose_scene,
            person,
            seen,
            layer,
            req.product_name,
            req.prompt,
            req.aspect_ratio,
            req.caption,
        )
        progress("Finishing", 0.8)
        png, scene_bytes = await asyncio.gather(
            asyncio.to_thread(render_still, scene), asyncio.to_thread(pack_scene, scene)
        )
        progress("Done", 1.0)
        return GeneratedImage(png=png, scene=scene_bytes, composition=scene.composition)
