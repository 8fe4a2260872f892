"""The image pipeline: frame the person, place and light the product, finish, caption."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.base import IMAGE_SIZES, AspectRatio
from ugc.engines.local.caption import CaptionLine, caption_text, layout_caption
from ugc.engines.local.cutout import ProductLayer
from ugc.engines.local.finish import add_grain, grade, vignette
from ugc.engines.local.framing import frame_person
from ugc.engines.local.geometry import Box
from ugc.engines.local.placement import place_product
from ugc.engines.local.png import encode_png
from ugc.engines.local.scene import Scene
from ugc.engines.local.sprite import Sprite, build_sprite, composite


def accent_colour(product: NDArray[np.uint8]) -> tuple[int, int, int]:
    """The product's most characteristic saturated colour, for end-card details."""
    solid = product[product[:, :, 3] > 200][:, :3]
    if solid.shape[0] > 20000:
        solid = solid[:: solid.shape[0] // 20000]
    if solid.shape[0] == 0:
        return (40, 40, 40)
    hsv = cv2.cvtColor(solid.reshape(-1, 1, 3), cv2.COLOR_RGB2HSV).reshape(-1, 3)
    vivid = solid[(hsv[:, 1] > 70) & (hsv[:, 2] > 60)]
    if vivid.shape[0] < 0.05 * solid.shape[0]:
        return (40, 40, 40)
    red, green, blue = (int(v) for v in np.median(vivid, axis=0))
    return (red, green, blue)


def overlay_captions(rgb: NDArray[np.uint8], lines: list[CaptionLine]) -> NDArray[np.uint8]:
    """Lay premultiplied caption pills over an RGB image (in place) and return it."""
    for line in lines:
        composite(rgb, Sprite(line.rgba, line.x, line.y))
    return rgb


def compose_scene(
    person: NDArray[np.uint8],
    face: Box | None,
    layer: ProductLayer,
    product_name: str,
    prompt: str,
    aspect_ratio: AspectRatio,
) -> Scene:
    """Build every layer of the ad image for the aspect ratio."""
    size = IMAGE_SIZES[aspect_ratio]
    framed = frame_person(person, face, size)
    background = vignette(grade(framed.canvas))
    product = layer.rgba
    placement = place_product(framed.face, product.shape[1] / product.shape[0], size, framed.photo)
    graded = np.dstack([grade(np.ascontiguousarray(product[:, :, :3])), product[:, :, 3]])
    sprite = build_sprite(graded, placement, background, wrap=layer.kind != "card")
    avoid = [framed.face.grown(0.3, 0.35) if framed.face else placement.box, placement.box]
    captions = layout_caption(caption_text(product_name, prompt), size, avoid)
    return Scene(
        size=size,
        background=background,
        sprite=sprite,
        product_box=placement.box,
        product_kind=layer.kind,
        face=framed.face,
        captions=captions,
        accent=accent_colour(product),
    )


def render_still(scene: Scene) -> bytes:
    """The finished ad image as PNG bytes."""
    image = add_grain(composite(scene.background.copy(), scene.sprite))
    image = overlay_captions(image, scene.captions)
    return encode_png(image)
