"""The image pipeline: frame the person, stage and light the product, fingers, captions."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.base import IMAGE_SIZES, AspectRatio
from ugc.engines.local.image.cutout import ProductLayer
from ugc.engines.local.image.depth import clean_plate, depth_blur
from ugc.engines.local.image.fingers import (
    contact_shade,
    finger_mask,
    hidden_by_fingers,
    print_map,
    solid_share,
)
from ugc.engines.local.image.framing import FramedPhoto, frame_person
from ugc.engines.local.image.people import HandPose, Person
from ugc.engines.local.image.scene import Scene
from ugc.engines.local.image.sprite import Sprite, build_sprite, composite
from ugc.engines.local.image.staging import (
    CoverFn,
    Grip,
    Hidden,
    Placement,
    Staging,
    stage_product,
    turned_box,
)
from ugc.engines.local.kit.arrays import u8
from ugc.engines.local.kit.caption import CaptionLine, caption_text, layout_caption
from ugc.engines.local.kit.finish import add_grain, grade, vignette
from ugc.engines.local.kit.geometry import Box
from ugc.engines.local.kit.png import encode_png

# Portrait-mode blur (sigma as a share of the frame's shorter side): strong behind a
# product in the foreground, light behind a person holding it (the person is the subject).
_BLUR = {"foreground": (0.012, 0.0025), "hand": (0.0035, 0.0), "raised": (0.0, 0.0)}


_EDGE_ROOM = 3.0  # palm lengths past the palm's centre


def depth_blurs(composition: str, face: Box | None, size: tuple[int, int]) -> tuple[float, float]:
    """The depth blur of the background and of the person: Gaussian sigmas in image pixels."""
    back_blur, person_blur = _BLUR.get(composition, (0.0, 0.0))
    if face is None or face.h < 0.15 * size[1]:
        # A small face has few pixels to lose: the person stays sharp, only the room blurs.
        person_blur = 0.0
    return back_blur * min(size), person_blur * min(size)


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


def _on_canvas(person: Person, framed: FramedPhoto) -> tuple[tuple[HandPose, ...], tuple[Box, ...]]:
    scale, (dx, dy) = framed.scale, framed.shift
    hands = tuple(hand.mapped(scale, dx, dy) for hand in person.hands)
    faces = tuple(face.scaled(scale).moved(dx, dy) for face in person.faces)
    if framed.face is not None and not faces:
        faces = (framed.face,)
    return hands, faces


def _framing_hand(person: Person) -> Box | None:
    # The hand most likely to hold the product, so the crop keeps it in the frame.
    hands = [h for h in person.hands if h.palm_width > 0]
    if not hands:
        return None
    best = max(hands, key=lambda h: h.palm_width * h.score * (1 - 0.75 * h.holding))
    # ...with room past its fingertips, where a small hand holds the product at its edge.
    (ux, uy), (cx, cy) = best.axis, best.palm_centre
    reach = _EDGE_ROOM * best.palm_length
    box = best.box
    x0, y0 = min(box.x, cx + ux * reach), min(box.y, cy + uy * reach)
    x1, y1 = max(box.right, cx + ux * reach), max(box.bottom, cy + uy * reach)
    return Box(x0, y0, x1 - x0, y1 - y0)


def _cover_test(product: NDArray[np.uint8], mask: NDArray[np.float32] | None) -> CoverFn:
    printed = print_map(product)

    def cover(hand: HandPose, placement: Placement, grip: Grip) -> Hidden:
        return hidden_by_fingers(hand, placement, grip, printed, mask)

    return cover


def _with_fingers(
    sprite: Sprite,
    hand: HandPose,
    grip: Grip,
    canvas: NDArray[np.uint8],
    mask: NDArray[np.float32] | None,
) -> Sprite:
    # The fingers go back over the product (and its shadow) in the sprite itself, so they
    # move with it in the video; the palm stays behind, in the background.
    fingers = finger_mask(hand, sprite.box, mask, grip, solid_share(sprite.rgba))
    rgba = sprite.rgba.copy()
    contact_shade(rgba, fingers, hand.palm_width)
    cover = fingers * (rgba[:, :, 3].astype(np.float32) / 255)
    h, w = cover.shape
    pixels = canvas[sprite.y : sprite.y + h, sprite.x : sprite.x + w].astype(np.float32)
    keep = 1 - cover
    colour = pixels * cover[:, :, None] + rgba[:, :, :3] * keep[:, :, None]
    alpha = cover * 255 + rgba[:, :, 3] * keep
    merged = np.dstack([colour, alpha])
    return Sprite(np.clip(merged + 0.5, 0, 255).astype(np.uint8), sprite.x, sprite.y)


def _person_layers(
    background: NDArray[np.uint8], mask: NDArray[np.float32]
) -> tuple[Sprite | None, NDArray[np.uint8] | None]:
    # The person on a layer of their own (cropped to them) and the background with them
    # painted out, for the video's parallax.
    solid = u8(mask > 0.02)
    x, y, w, h = cv2.boundingRect(solid)
    if w * h == 0:
        return None, None
    # In uint8 throughout: float copies of a person-sized crop were ~100 MB at 1080x1920.
    alpha = u8(cv2.convertScaleAbs(mask[y : y + h, x : x + w], alpha=255))
    colour = cv2.multiply(
        background[y : y + h, x : x + w], cv2.merge([alpha, alpha, alpha]), scale=1 / 255
    )
    person = Sprite(u8(cv2.merge([colour, alpha])), x, y)
    return person, clean_plate(background, mask)


def describe(staging: Staging, person: Person, faces: tuple[Box, ...]) -> dict[str, object]:
    """What the scene records about its composition (shown by the API and the CLI)."""

    def rounded(values: list[float]) -> list[float]:
        return [round(float(v), 1) for v in values]

    hand = staging.hand
    record: dict[str, object] = {
        "composition": staging.composition,
        "hand": None if hand is None else hand.side,
        "hands_seen": len(person.hands),
        "faces_seen": len(person.faces),
        "person_mask": person.mask is not None,
        "vision": person.source,
        "tilt": round(staging.placement.tilt_degrees, 2),
        "faces": [rounded(face.as_list()) for face in faces],
    }
    if hand is not None:
        record["palm"] = rounded(list(hand.palm_centre))
        record["fingertips"] = [rounded(hand.points[i].tolist()) for i in (4, 8, 12, 16, 20)]
    return record


def compose_scene(
    photo: NDArray[np.uint8],
    person: Person,
    layer: ProductLayer,
    product_name: str,
    prompt: str,
    aspect_ratio: AspectRatio,
    caption: bool = True,
) -> Scene:
    """Build every layer of the ad image for the aspect ratio (captioned unless told not)."""
    size = IMAGE_SIZES[aspect_ratio]
    framed = frame_person(photo, person.face, size, _framing_hand(person))
    hands, faces = _on_canvas(person, framed)
    mask = None if person.mask is None else framed.frame_mask(person.mask)
    product = layer.rgba
    aspect = product.shape[1] / product.shape[0]
    cover = _cover_test(product, mask)
    staging = stage_product(hands, faces, mask is not None, aspect, size, cover)
    base = grade(framed.canvas)
    back_blur, person_blur = depth_blurs(staging.composition, framed.face, size)
    if mask is not None and back_blur > 0:
        base = depth_blur(base, mask, back_blur, person_blur)
    background = vignette(base)
    graded = np.dstack([grade(np.ascontiguousarray(product[:, :, :3])), product[:, :, 3]])
    sprite = build_sprite(graded, staging.placement, background, wrap=layer.kind != "card")
    hero = None
    if staging.hand is not None:
        hero = sprite.rgba
        sprite = _with_fingers(sprite, staging.hand, staging.grip, background, mask)
    product_box = turned_box(staging.placement)
    avoid = [f.grown(0.3, 0.35) if i == 0 else f.grown(0.15) for i, f in enumerate(faces)]
    avoid += [hand.box.grown(0.15) for hand in hands] + [product_box]
    captions = layout_caption(caption_text(product_name, prompt), size, avoid) if caption else []
    person_layer, plate = (None, None) if mask is None else _person_layers(background, mask)
    return Scene(
        size=size,
        background=background,
        sprite=sprite,
        product_box=staging.placement.box,
        product_kind=layer.kind,
        face=framed.face,
        captions=captions,
        accent=accent_colour(product),
        composition=describe(staging, person, faces),
        person=person_layer,
        plate=plate,
        hero=hero,
    )


def render_still(scene: Scene) -> bytes:
    """The finished ad image as PNG bytes."""
    image = add_grain(composite(scene.background.copy(), scene.sprite))
    image = overlay_captions(image, scene.captions)
    return encode_png(image)
